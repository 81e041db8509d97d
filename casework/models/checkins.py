"""
Safety check-ins: how often someone in hiding, in transit or with a detained relative must be
heard from, what they said when they were, and the escalations when they were not (or when they
asked for help, openly or with their duress word). The sweep that escalates lives in
casework/services/checkins.py; the beat task in casework/tasks.py calls it.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedCharField, EncryptedTextField

from ..choices import RiskLevel
from ..querysets import CaseScopedQuerySet
from .cases import Case
from .people import Person


class DateListField(models.JSONField):
    """
    A list of days, kept as ISO strings in JSON: the same on PostgreSQL and on the development
    SQLite (an ArrayField would be PostgreSQL's alone), and read back as `datetime.date`s.
    """

    def from_db_value(self, value, expression, connection):
        days = super().from_db_value(value, expression, connection)
        return self._days(days)

    def to_python(self, value):
        return self._days(super().to_python(value))

    def get_prep_value(self, value):
        return super().get_prep_value(self._iso(value))

    def validate(self, value, model_instance):
        # JSONField checks that the value dumps as JSON: the days do as ISO strings.
        super().validate(self._iso(value), model_instance)

    @staticmethod
    def _iso(values):
        if values is None:
            return values
        return [day.isoformat() if hasattr(day, "isoformat") else day for day in values]

    @staticmethod
    def _days(values):
        if values is None:
            return values
        return [datetime.date.fromisoformat(day) if isinstance(day, str) else day for day in values]


# How often someone must be heard from at each risk level: the suggestion a new schedule starts
# with; the caseworker may choose otherwise.
SUGGESTED_INTERVAL_DAYS = {
    RiskLevel.CRITICAL: 2,
    RiskLevel.HIGH: 3,
    RiskLevel.MEDIUM: 7,
    RiskLevel.LOW: 14,
}


def suggested_interval_days(risk_level: str) -> int:
    return SUGGESTED_INTERVAL_DAYS.get(risk_level, SUGGESTED_INTERVAL_DAYS[RiskLevel.MEDIUM])


class CheckInSchedule(models.Model):
    """When one person must next be heard from: every N days, or on given dates."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MESSENGER = "messenger", _("Messenger")
        CONTACT = "contact", _("Via a contact")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="check_in_schedule", verbose_name=_("person")
    )
    # The case through which the schedule is kept: its team's time zone says when a day ends,
    # its caseworkers and its team's supervisors are alerted.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="check_in_schedules", verbose_name=_("case")
    )
    every_days = models.PositiveSmallIntegerField(
        _("every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    on_dates = DateListField(_("on dates"), blank=True, default=list)
    starts_on = models.DateField(_("starts on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"), default=1, validators=[MaxValueValidator(30)]
    )
    # Write-only: shown after entry to the supervisors of the case's team alone.
    duress_word = EncryptedCharField(_("duress word"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in schedule")
        verbose_name_plural = _("check-in schedules")

    def __str__(self):
        return _("Check-in schedule on %(case)s") % {"case": self.case}

    @staticmethod
    def suggested_every_days(risk_level: str) -> int:
        return suggested_interval_days(risk_level)

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.every_days and not self.on_dates:
            raise ValidationError(
                {"every_days": _("Give a number of days between check-ins, or dates.")}
            )

    def due_after(self, last_heard_on):
        """
        The day the next check-in is due, given the local day the person was last heard from
        (None: never since the schedule started).
        """
        return next_check_in_due(
            every_days=self.every_days,
            on_dates=self.on_dates,
            starts_on=self.starts_on,
            last_heard_on=last_heard_on,
        )


def next_check_in_due(*, every_days, on_dates, starts_on, last_heard_on):
    """
    `CheckInSchedule.due_after` from the schedule's values alone: the sweep reads them as rows,
    not as models, to go through 20,000 schedules in a fraction of a second.
    """
    if every_days:
        anchor = last_heard_on or starts_on - datetime.timedelta(days=every_days)
        return max(anchor + datetime.timedelta(days=every_days), starts_on)
    floor = last_heard_on + datetime.timedelta(days=1) if last_heard_on else starts_on
    upcoming = sorted(day for day in on_dates if day >= floor)
    return upcoming[0] if upcoming else None


class CheckIn(models.Model):
    """What happened when someone was (or was not) heard from."""

    class Outcome(models.TextChoices):
        SAFE = "safe", _("Safe")
        NEEDS_HELP = "needs_help", _("Safe but needs help")
        NO_CONTACT = "no_contact", _("No contact")
        DISTRESS = "distress", _("Distress")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        CheckInSchedule,
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("schedule"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("case")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The person used their duress word: escalated as distress, while the record and the
    # caseworker's screen read as the outcome tapped. Shown to supervisors only.
    duress = models.BooleanField(default=False, editable=False)
    note = EncryptedTextField(_("note"), blank=True)
    day = models.DateField(_("day"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["schedule", "day"])]

    def __str__(self):
        return _("Check-in on %(case)s") % {"case": self.case}

    @property
    def heard_from(self) -> bool:
        """Whether the person was reached: "no contact" leaves the check-in missed."""
        return self.outcome != self.Outcome.NO_CONTACT

    @property
    def is_distress(self) -> bool:
        return self.duress or self.outcome == self.Outcome.DISTRESS


class Escalation(models.Model):
    """
    One step taken about a missed check-in or a distress call. The unique constraints are the
    idempotence of the sweep: two workers that find the same miss insert one row, and the loser's
    alerts roll back with its failed insert.
    """

    class Level(models.TextChoices):
        MISSED = "missed", _("Missed: caseworker alerted")
        OVERDUE = "overdue", _("Missed past the grace period: supervisors alerted")
        DISTRESS = "distress", _("Distress: caseworker and supervisors alerted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        CheckInSchedule,
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("schedule"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("case")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    check_in = models.OneToOneField(
        CheckIn,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="escalation",
        verbose_name=_("check-in"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "due_on", "level"],
                condition=Q(check_in__isnull=True),
                name="casework_escalation_once_per_miss",
            )
        ]

    def __str__(self):
        return f"{self.get_level_display()} ({self.case})"
