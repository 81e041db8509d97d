"""
Nothing typed is lost: drafts of forms, kept on the server per user and form.

A form that holds long text (casework's forms with a text area, every intake step) is rendered
with `form_drafting()`: its path is the draft's key, and a signed marker (`OWNER_FIELD`, a hidden
field) names the user it was rendered for and that key. Three ways fill a draft:

- static/js/drafts.js posts the form's fields to `accounts:draft_save` while the user types (and
  on every blur);
- a post that arrives after the session ended is kept for the user the marker names, and the
  user is sent to sign in (accounts.middleware.KeepUnsavedPostMiddleware);
- a post larger than DATA_UPLOAD_MAX_MEMORY_SIZE is kept as far as it could be read
  (accounts.middleware.ReadOversizedPostMiddleware, then the same middleware).

The form's page then shows the draft in the form with a notice saying why it is there, and the
user presses Save. The draft goes when the form is saved, when it is discarded, or
SHIMTEO_DRAFT_DAYS after its last change (`drafts_purge_expired`, run by ops' daily retention).

Drafts are their user's alone: every lookup here is by user, and a marker only ever writes to the
draft of the user it was signed for. No audit event is written per keystroke, and values are
never logged.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import Draft

# The hidden field that ties a posted form to the user it was rendered for, and to its draft.
OWNER_FIELD = "_draft_owner"
# Posted fields that are not the user's input. A wizard's button ("action") is not kept either:
# the restored form is sent again with the button the user then presses.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", OWNER_FIELD, "action", "_draft_empty"})
SALT = "accounts.drafts.owner"
# A urlencoded UTF-8 character of Korean or Chinese is up to 9 bytes on the wire (%XX%XX%XX).
BYTES_PER_CHARACTER = 9


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.SHIMTEO_DRAFT_DAYS)


def owner_marker(user, form_key: str) -> str:
    """The signed value of `OWNER_FIELD`: this user's draft of the form at `form_key`."""
    return signing.dumps([user.pk, form_key], salt=SALT)


def read_owner_marker(value) -> tuple[int, str] | None:
    """(user id, form key) from a marker we signed less than SHIMTEO_DRAFT_DAYS ago, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        user_id, form_key = signing.loads(value, salt=SALT, max_age=max_age())
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(form_key, str):
        return None
    return user_id, form_key


def posted_values(query) -> dict[str, list[str]]:
    """The user's input in a posted form, as lists per name (a QueryDict's shape)."""
    return {name: values for name, values in query.lists() if name not in NOT_KEPT}


def draft_save(*, user, form_key: str, data: dict, reason: str = Draft.Reason.TYPED) -> Draft:
    """Keep `data` as the user's draft of the form at `form_key`, replacing an earlier one."""
    try:
        return _draft_write(user=user, form_key=form_key, data=data, reason=reason)
    except IntegrityError:
        # Two saves of a new draft crossed (a blur and the typing pause, sent together): both
        # found no row to lock and the second insert lost. The row exists now: update it.
        return _draft_write(user=user, form_key=form_key, data=data, reason=reason)


def _draft_write(*, user, form_key: str, data: dict, reason: str) -> Draft:
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(
            user=user, form_key=form_key
        ).first() or Draft(user=user, form_key=form_key)
        draft.data = data
        draft.reason = reason
        draft.updated_at = timezone.now()
        # The unique (user, form) pair is the database's to enforce: a check here would race.
        draft.full_clean(validate_unique=False, validate_constraints=False)
        draft.save()
    return draft


def draft_for(user, form_key: str) -> Draft | None:
    """The user's unexpired draft of the form at `form_key`."""
    if not user.is_authenticated:
        return None
    return (
        Draft.objects.filter(
            user=user, form_key=form_key, updated_at__gte=timezone.now() - max_age()
        )
        .order_by()
        .first()
    )


def draft_discard(*, user, form_key: str) -> None:
    """The form was saved, or the user threw the draft away."""
    if user.is_authenticated:
        Draft.objects.filter(user=user, form_key=form_key).delete()


def drafts_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete drafts untouched for SHIMTEO_DRAFT_DAYS; how many went."""
    cutoff = (now or timezone.now()) - max_age()
    deleted, _by_model = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def has_long_text(form) -> bool:
    """Whether the form has a text area: the fields worth a draft."""
    from django.forms import Textarea

    return any(isinstance(field.widget, Textarea) for field in form.fields.values())


def restore_into(form, draft: Draft) -> None:
    """
    Show the draft's values in an unbound form, as its initial values: restored, not yet
    checked, so that no error greets a half-typed note. Fields the draft does not hold keep theirs.
    """
    data = MultiValueDict(draft.data or {})
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if field.disabled or field.widget.value_omitted_from_data(data, {}, key):
            continue
        form.initial[name] = field.widget.value_from_datadict(data, {}, key)


def byte_size_text(size: int) -> str:
    """A size as people read it: 5 MB, 20 kB."""
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{number_format(megabytes, decimal_pos=0 if megabytes.is_integer() else 1)} MB"
    return f"{number_format(max(size // 1024, 1))} kB"


def size_limit_text() -> str:
    """The size limit of one post, and about how much Korean or Chinese text that is."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    characters = limit // BYTES_PER_CHARACTER
    rounding = 10 ** max(len(str(characters)) - 2, 0)  # two significant digits, rounded down
    return _("%(size)s (about %(characters)s characters of Korean or Chinese)") % {
        "size": byte_size_text(limit),
        "characters": number_format(characters // rounding * rounding, force_grouping=True),
    }


def form_drafting(request, *, form_key: str | None = None, draft: Draft | None = None) -> dict:
    """What a form's template needs to keep drafts: the key, the marker, the draft shown."""
    form_key = form_key or request.path
    return {
        "key": form_key,
        "owner": owner_marker(request.user, form_key),
        "draft": draft,
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "limit_text": size_limit_text(),
        "pause_ms": settings.SHIMTEO_DRAFT_PAUSE_MS,
    }
