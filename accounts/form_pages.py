"""
The form page of every app: GET shows the form; a valid POST calls a service, and what the service
refuses (a ValidationError, a stale edit) goes back onto the form with everything typed kept;
what it accepts is said in a message and the user is sent on. A form with long text keeps a draft
as it is typed (accounts.drafts), shown again in the form until it is saved.

Pages and their templates stay the callers' (casework.views.common `_form_page`, intake's consent
withdrawal); so do 403s, which casework's `form_view` answers with its audited refusal.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from . import drafts


def put_errors_on(form, error: ValidationError, rename: dict | None = None) -> None:
    """A service's refusal on the form: on the field it names when the form has it, else on top."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def form_submitted(
    request,
    form,
    *,
    save: Callable[[dict], object],
    success: str | Callable[[object], str],
    next_url: str | Callable[[object], str],
    rename: dict | None = None,
) -> HttpResponse | None:
    """
    On a valid post, `save` the cleaned data, say `success` and go to `next_url` (each may be made
    from what `save` returned), and discard the form's draft. None when the form is to be shown:
    not posted, not valid, or refused by the service (its errors put on the form, `rename`d).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        put_errors_on(form, error, rename)
        return None
    if drafts.has_long_text(form):
        drafts.draft_discard(user=request.user, form_key=request.path)
    messages.success(request, success(saved) if callable(success) else success)
    return redirect(next_url(saved) if callable(next_url) else next_url)


def form_drafting(request, form) -> dict | None:
    """
    What the template needs to keep drafts of a form with long text (None for another form),
    with the user's draft of it shown in the form when the page is opened.
    """
    if not drafts.has_long_text(form):
        return None
    draft = None
    if request.method == "GET":
        draft = drafts.draft_for(request.user, request.path)
        if draft is not None:
            drafts.restore_into(form, draft)
    return drafts.form_drafting(request, draft=draft)
