"""
What the forms that create and change casework records share (casework.views.cases, people,
consent, records, handover; checkins and corrections too): the page, its refusal, its lookups.

Each view finds its case or person through `visible_to(user)` (404 when out of sight), then asks
casework.permissions whether the user may change it (403 and an audit event when not), lets the
form check the input and the service apply the rules. A service's refusal goes back onto the
form, with everything the user typed kept.
"""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.form_pages import form_drafting, form_submitted
from audit.services import record

from ..forms.common import person_label
from ..models import Case, Person
from ..permissions import can_edit_case, editable_cases_of_person

FORM_TEMPLATE = "casework/forms/form.html"
CONSENT_FORM_TEMPLATE = "casework/forms/consent_form.html"
SHARE_TEMPLATE = "casework/forms/share.html"
FLAGS_TEMPLATE = "casework/forms/flags.html"
INCIDENT_TEMPLATE = "casework/forms/incident.html"


class Refused(Exception):
    """Carries the 403 page out of a view; `form_view` returns it instead of raising."""

    def __init__(self, response):
        self.response = response


def form_view(view):
    """
    GET and POST only, signed in, never cached, posted values kept out of error reports. A
    refusal is returned, not raised, so that the request's transaction keeps its audit event.
    """

    @never_cache
    @login_required
    @sensitive_post_parameters()
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refused.response
        except PermissionDenied:
            # A service's own check (a supervisor's action) disagreed with the page's.
            return refusal(request, None, view.__name__)

    return wrapper


def refusal(request, target, attempted: str, *, case=None):
    """The 403 page for a change the user may not make, with its "denied" event."""
    record(request.user, "denied", target, request=request, case=case, attempted=attempted)
    return render(request, "casework/forms/refused.html", {"case": case}, status=403)


def _refuse(request, target, attempted: str, *, case=None):
    raise Refused(refusal(request, target, attempted, case=case))


def _data(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _visible_case(request, case_ref: str) -> Case:
    cases = Case.objects.visible_to(request.user).select_related("team", "owner")
    return get_object_or_404(cases, reference=case_ref)


def _editable_case(request, case_ref: str, attempted: str) -> Case:
    case = _visible_case(request, case_ref)
    if not can_edit_case(request.user, case):
        _refuse(request, case, attempted, case=case)
    return case


def _case_allowing(request, case_ref: str, attempted: str, allows) -> Case:
    """The case, when the permission `allows(user, case)` lets the user act on it (else 403)."""
    case = _visible_case(request, case_ref)
    if not allows(request.user, case):
        _refuse(request, case, attempted, case=case)
    return case


def _editable_person(request, person_ref: str, attempted: str) -> tuple[Person, Case]:
    """The person, and the case through which the user may change them (for the audit trail)."""
    person = get_object_or_404(Person.objects.visible_to(request.user), reference=person_ref)
    case = editable_cases_of_person(request.user, person).select_related("team").first()
    if case is None:
        _refuse(request, person, attempted)
    return person, case


def _form_page(
    request,
    form,
    *,
    save: Callable[[dict], object],
    title: str,
    success: str | Callable[[object], str],
    next_url: str | Callable[[object], str],
    cancel_url: str | None = None,
    context: dict | None = None,
    rename: dict | None = None,
    submit: str | None = None,
    template: str = FORM_TEMPLATE,
    heading: str | None = None,
):
    """
    Show the form; on a valid post call `save` with the cleaned data and go to `next_url` (or to
    what it makes of the saved record), or put the service's refusal on the form
    (accounts.form_pages, with the drafts of a form with long text).
    """
    response = form_submitted(
        request, form, save=save, success=success, next_url=next_url, rename=rename
    )
    if response is not None:
        return response
    context = {
        "drafting": form_drafting(request, form),
        "form": form,
        "title": title,
        "heading": heading or title,
        "submit": submit or _("Save"),
        "cancel_url": cancel_url or next_url,
        **(context or {}),
    }
    return render(request, template, context)


def _case_url(case: Case) -> str:
    return reverse("casework:case_detail", args=[case.reference])


def _person_url(person: Person) -> str:
    return reverse("casework:person_detail", args=[person.reference])


def _consent_url(person: Person) -> str:
    """The consent section of the person's page."""
    return _person_url(person) + "#consent"


def _person_titles(text: str, person: Person) -> dict:
    """
    A person's form is headed by their name and reference, for two children of one mother are
    easily confused; the browser's title (kept in its history) names the reference only.
    """
    return {
        "title": text % {"person": person.reference},
        "heading": text % {"person": person_label(person)},
    }


def _case_context(case: Case) -> dict:
    return {"case": case}


def _person_context(person: Person) -> dict:
    # The case the change is made through is for the audit trail; the page is about the person.
    return {"person": person}
