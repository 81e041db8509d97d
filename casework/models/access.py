from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedTextField
from vault.models import UUIDModel


class BreakGlassQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())


class BreakGlassAccess(UUIDModel):
    """
    An administrator's time-limited sight of one case's content, granted on a written reason.
    Administrators see no case otherwise; every grant is in the audit trail, and supervisors of
    the case's team see it there.
    """

    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.CASCADE,
        related_name="break_glass_accesses",
        verbose_name=_("case"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="break_glass_accesses",
        verbose_name=_("administrator"),
    )
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="casework_break_glass_expires_after_grant",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.case} · {self.granted_at:%Y-%m-%d %H:%M}"
