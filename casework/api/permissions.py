"""
Who may change casework records through the API. Who may see them is not decided here: every
viewset starts from `visible_to(user)`, so an out-of-scope record is a 404 before these run.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from casework.permissions import (
    can_complete_task,
    can_correct_record,
    can_edit_record,
    can_record_check_in,
    can_see_record_history,
)

READ_ONLY_MESSAGE = _("You may read this record but not change it.")


def require_edit(user, *records) -> None:
    """Refuse with 403 unless the user may change every one of `records` (used before creating)."""
    if not all(can_edit_record(user, record) for record in records):
        raise PermissionDenied(READ_ONLY_MESSAGE)


class CanEditCasework(BasePermission):
    """
    Reading follows visibility; changing needs edit rights (legal advocates have none), asked of
    casework.permissions. Completing a task, correcting or voiding a record and reading its
    history have their own rules there, the ones the pages use.
    """

    message = READ_ONLY_MESSAGE

    def has_object_permission(self, request, view, obj):
        action = getattr(view, "action", None)
        # A record's earlier values are for those who may correct it, not for every reader.
        if action == "history":
            return can_see_record_history(request.user, obj)
        if action in ("correct", "void"):
            return can_correct_record(request.user, obj)
        if request.method in SAFE_METHODS:
            return True
        if action == "complete":
            return can_complete_task(request.user, obj)
        if action == "record":
            return can_record_check_in(request.user, obj.case)
        return can_edit_record(request.user, obj)
