"""Errors the casework services raise for callers to show: the web forms and the API alike."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Someone else changed this record since you opened it. Reload it to see their changes, "
    "then make yours again."
)


class StaleEditError(ValidationError):
    """A save was based on an older version of the record than the one stored: nothing was saved."""

    def __init__(self, message=STALE_EDIT_MESSAGE):
        super().__init__(message, code="stale")
