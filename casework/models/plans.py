"""
The case plan and the case's closures: goals for the people of a case, each worked through
follow-ups (`Task.goal`), reviewed on a schedule; and each time the case was closed, why, and
when it was reopened. A referral step (the referrals app, above casework) points at its goal.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedCharField, EncryptedTextField
from vault.models import UUIDModel

from .. import dates
from ..choices import ClosureReason, GoalStatus
from ..querysets import CaseScopedQuerySet, InForceManager
from .cases import Case
from .corrections import Correctable


class Goal(Correctable):
    """
    What the case works towards for one of its people ("household registration for the child"),
    why, by when and who answers for it; achieved or dropped when it ends.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("for whom"),
    )
    title = EncryptedCharField(_("goal"), max_length=200)
    why = EncryptedTextField(_("why"), blank=True)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    correctable_fields = ("title", "why", "target_on", "responsible", "person")
    record_kind = "goal"

    class Meta:
        ordering = ["status", "target_on", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", ended_on__isnull=True)
                | (~models.Q(status="open") & models.Q(ended_on__isnull=False)),
                name="casework_goal_ended_when_not_open",
            ),
        ]

    def __str__(self):
        return _("Goal on %(case)s") % {"case": self.case}


class PlanReview(Correctable):
    """A review of the case plan on a day, with a note (encrypted like notes)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="plan_reviews", verbose_name=_("case")
    )
    reviewed_on = models.DateField(_("reviewed on"), default=dates.today)
    note = EncryptedTextField(_("note"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    correctable_fields = ("reviewed_on", "note")
    record_kind = "plan-review"

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self):
        return _("Plan review of %(case)s") % {"case": self.case}


class CaseClosure(UUIDModel):
    """
    One closing of a case: the day, the reason from the list (with words for "other"), who
    closed it, and when it was reopened. Reopening keeps the row: a case's closures are its
    history. Retention counts from `Case.closed_on`, which the closing sets as it always did.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="closures", verbose_name=_("case")
    )
    closed_on = models.DateField(_("closed on"))
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    other_reason = EncryptedTextField(_("other reason"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    carried_over = models.PositiveSmallIntegerField(_("open items carried over"), default=0)
    resolved = models.PositiveSmallIntegerField(_("open items resolved"), default=0)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = _("case closure")
        verbose_name_plural = _("case closures")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(reopened_at__isnull=True),
                name="casework_one_standing_closure_per_case",
            ),
        ]

    def __str__(self):
        return f"{self.case} · {self.get_reason_display()}"
