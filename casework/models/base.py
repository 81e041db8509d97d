"""What many casework records share: a version for refusing stale edits, and who recorded them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A row whose updates take the version they were based on (`StaleEditError` when it is old)."""

    # Raised by every update, so that a save based on an older reading is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class RecordedBy(models.Model):
    """A record that keeps the staff member who wrote it down and when; the account may be deleted."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True
