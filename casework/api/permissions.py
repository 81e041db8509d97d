"""
Who may change casework records through the API. Who may see them is not decided here: every
viewset starts from `visible_to(user)`, so an out-of-scope record is a 404 before these run.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from casework.models import Case, Person, Relationship
from casework.permissions import can_edit_case, can_edit_person

READ_ONLY_MESSAGE = _("You may read this record but not change it.")


def can_edit_record(user, record) -> bool:
    """Edit rights on any casework record follow its case, or the people it is about."""
    if isinstance(record, Case):
        return can_edit_case(user, record)
    if isinstance(record, Person):
        return can_edit_person(user, record)
    if isinstance(record, Relationship):
        # A family tie speaks about both people, so both must be the user's to change.
        return can_edit_person(user, record.from_person) and can_edit_person(user, record.to_person)
    if hasattr(record, "case"):
        return can_edit_case(user, record.case)
    if hasattr(record, "person"):
        return can_edit_person(user, record.person)
    raise TypeError(f"No edit rule for {type(record).__name__}")


def require_edit(user, *records) -> None:
    """Refuse with 403 unless the user may change every one of `records` (used before creating)."""
    if not all(can_edit_record(user, record) for record in records):
        raise PermissionDenied(READ_ONLY_MESSAGE)


class CanEditCasework(BasePermission):
    """Reading follows visibility; changing needs edit rights (legal advocates have none)."""

    message = READ_ONLY_MESSAGE

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or can_edit_record(request.user, obj)
