from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedCharField, EncryptedTextField
from vault.models import UUIDModel

from .. import dates
from ..choices import AssignmentRole, CaseStatus, MemberRole, NoteKind, RiskLevel
from ..querysets import (
    CaseloadCountQuerySet,
    CaseManager,
    CaseScopedQuerySet,
    InForceManager,
)
from ..references import case_reference
from .base import Versioned
from .corrections import Correctable


class Case(UUIDModel, Versioned):
    """The NGO's work with one household or person, owned by a team and assigned to staff."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=case_reference, editable=False
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    # Lists are ordered gravest first; a stored rank lets an index give that order, where sorting
    # on a CASE over the level made PostgreSQL rank every visible case to show 25 of them.
    risk_rank = models.GeneratedField(
        expression=models.Case(
            *(
                models.When(risk_level=level, then=models.Value(rank))
                for rank, level in enumerate(RiskLevel.gravest_first())
            ),
            default=models.Value(len(RiskLevel)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("risk rank"),
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    # The case plan is reviewed every this many weeks (see casework.selectors.plans.plan_of); none:
    # no schedule.
    plan_review_weeks = models.PositiveSmallIntegerField(
        _("review the plan every (weeks)"), null=True, blank=True
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    people = models.ManyToManyField(
        "casework.Person", through="CaseMember", related_name="cases", verbose_name=_("members")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="assigned_cases",
        verbose_name=_("assigned staff"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseManager()

    class Meta:
        ordering = ["-opened_on", "reference"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="casework_case_closes_after_it_opens",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status", "risk_level"]),
            models.Index(fields=["risk_rank", "reference"], name="casework_case_risk_rank_idx"),
            # The API's list, in the model's order (newest first): a page of 50 walks this index
            # and probes each case it passes, where it sorted every case the reader sees (76,000
            # for a caseworker at a million people: 170 ms a page, 2.4 s under 20 clients).
            models.Index(fields=["-opened_on", "reference"], name="casework_case_newest_idx"),
        ]

    def __str__(self):
        return self.reference


class CaseMember(models.Model):
    """A person's place in a case."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="members", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role in case"), max_length=10, choices=MemberRole.choices)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("case member")
        verbose_name_plural = _("case members")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person"], name="casework_member_once_per_case"
            ),
        ]

    def __str__(self):
        return f"{self.case} · {self.person} ({self.get_role_display()})"


class CaseAssignment(models.Model):
    """A staff member assigned to a case: the caseworkers who work it, the advocates it is shared with."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("case")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_assignments",
        verbose_name=_("staff member"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=AssignmentRole.choices, default=AssignmentRole.CASEWORKER
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"], name="casework_assignment_unique"
            ),
        ]

    def __str__(self):
        return f"{self.case} · {self.user} ({self.get_role_display()})"


class CaseloadCount(models.Model):
    """
    How many open cases (open or on hold) of a team, at each risk level, and of those how many
    each staff member owns or is assigned to, or has been shared as legal advocate: the
    dashboard's "open cases by risk" read from a few rows rather than counted over a caseload of
    up to 228,000 cases at a million people. Kept by PostgreSQL triggers on cases and
    assignments in the writer's own transaction (migration 0021), so every writer (services,
    bulk import, admin, the seed's COPY, merge, erasure) keeps it without having to remember
    to; `manage.py caseload_recount` rebuilds and checks it.
    `casework.selectors.dashboard.open_cases_by_risk` combines the rows as the rule of
    `casework.querysets._worked_by` does.
    """

    class Kind(models.TextChoices):
        TEAM = "team", _("every open case of the team")
        WORKED = "worked", _("owned by or assigned to the user")
        SHARED = "shared", _("shared with the user as legal advocate")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    # None for the team's own count. No foreign key constraints: the triggers write these rows
    # while Django deletes a user's assignments, and a constraint would fail the deletion of a
    # user (or an emptied team) whose rows the collector had already removed; a departed user's
    # rows are never read again.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    open_cases = models.IntegerField(_("open cases"), default=0)

    objects = CaseloadCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("caseload count")
        verbose_name_plural = _("caseload counts")
        constraints = [
            # The triggers add to a row with ON CONFLICT on exactly these columns; the team's own
            # row has no user, so NULLs must collide too.
            models.UniqueConstraint(
                fields=["kind", "user", "team", "risk_level"],
                name="casework_caseload_count_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.user_id} {self.team_id} {self.risk_level}: {self.open_cases}"


class CaseNote(Correctable):
    """
    A caseworker's note on a case: how and when the contact it records took place (a visit, a
    call; a file note records none), and what was said; the body is encrypted.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind of contact"), max_length=10, choices=NoteKind.choices)
    # The day of the visit or call, which may be days before the note was written; today (where
    # the teams work) for a note the app writes itself.
    contacted_on = models.DateField(_("date of contact"), default=dates.today)
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    correctable_fields = ("kind", "contacted_on", "body")
    record_kind = "note"

    class Meta:
        ordering = ["-contacted_on", "-created_at"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self):
        return _("Note on %(case)s") % {"case": self.case}


# The follow-up titles the app writes itself, by key: (the title, the names of its parameters
# that are labels of a catalogue). A generated follow-up stores its key and parameters (labels
# in English, the catalogue's msgids) and its title in English; each reader sees it in their
# own language, whoever's language it was made in (`Task.shown_title`).
GENERATED_TITLES = {
    "referral": (
        gettext_noop("Follow up the referral (%(service)s, %(kind)s)"),
        ("service", "kind"),
    ),
    "check_in_help": (
        gettext_noop("Help asked for at the check-in of %(person)s"),
        (),
    ),
}


def generated_title(key: str, params: dict) -> str:
    """A generated follow-up's title in the active language."""
    title, labels = GENERATED_TITLES[key]
    return gettext(title) % {
        name: gettext(value) if name in labels else value for name, value in params.items()
    }


class Task(Correctable):
    """
    A follow-up: something someone must do for a case by a date. It may repeat every N days or
    weeks, until a date or while a condition holds (a member of the case detained): completing
    it schedules the next (`casework.services.follow_ups`). The sweep's reminders are kept per
    due day (`reminded_due_on`, `reminded_overdue_on`), so re-dating one reminds again.
    """

    class RepeatUnit(models.TextChoices):
        DAYS = "days", _("days")
        WEEKS = "weeks", _("weeks")

    class RepeatWhile(models.TextChoices):
        ALWAYS = "", _("no condition")
        DETAINED = "detained", _("while a member of the case is detained")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case")
    )
    title = EncryptedCharField(_("what to do"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # A step of the case plan: the goal this follow-up works towards, if any.
    goal = models.ForeignKey(
        "casework.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("goal"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    repeat_every = models.PositiveSmallIntegerField(
        _("repeat every"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    repeat_unit = models.CharField(
        _("unit"), max_length=5, choices=RepeatUnit.choices, default=RepeatUnit.DAYS
    )
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    repeat_while = models.CharField(
        _("repeat while"), max_length=10, choices=RepeatWhile.choices, blank=True, default=""
    )
    follows = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_one",
        verbose_name=_("follows"),
    )
    # A title the app wrote (GENERATED_TITLES): its key and parameters, never shown as stored.
    title_key = models.CharField(max_length=30, blank=True, default="", editable=False)
    title_params = models.JSONField(default=dict, blank=True, editable=False)
    reminded_due_on = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_on = models.DateField(null=True, blank=True, editable=False)
    # The case's reference copied beside the follow-up by database triggers on insert and update
    # (migration 0024; every writer keeps it, the seed's COPY and the import included): the
    # dashboard's follow-ups are listed by due day, then case reference, and an index in that
    # order lets it stop at its page. Ordered through the case, it read and sorted every open
    # follow-up of the oldest due day (350 at 100,000 people, 3,500 at a million) to show fifty.
    # Never set by the app: an instance saved before the trigger ran holds "" until re-read.
    case_reference = models.CharField(
        _("case reference"), max_length=12, blank=True, default="", editable=False
    )

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    correctable_fields = (
        "title",
        "due_on",
        "assignee",
        "repeat_every",
        "repeat_unit",
        "repeat_until",
        "repeat_while",
    )
    record_kind = "task"

    class Meta:
        ordering = ["completed_at", "due_on"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "completed_at", "due_on"]),
            # The reminder sweep reads the open ones by due day.
            models.Index(
                fields=["due_on"],
                condition=models.Q(completed_at__isnull=True),
                name="casework_task_open_due",
            ),
        ]

    def __str__(self):
        return _("Task on %(case)s") % {"case": self.case}

    def clean(self):
        super().clean()
        if self.repeat_every and self.due_on is None:
            raise ValidationError({"due_on": _("A repeating follow-up needs a first due date.")})
        if not self.repeat_every and (self.repeat_until or self.repeat_while):
            raise ValidationError(
                {"repeat_every": _("Say how often it repeats, or leave the end and condition out.")}
            )
        if self.repeat_until and self.due_on and self.repeat_until < self.due_on:
            raise ValidationError(
                {"repeat_until": _("The last repetition cannot come before the first due date.")}
            )

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def shown_title(self) -> str:
        """
        What to do, in the reader's language when the app wrote it (a referral's follow-up made
        by a Korean-speaking caseworker reads in Chinese to her Chinese-speaking colleague), and
        as written once someone reworded it (`record_correct` changes `title` alone).
        """
        if self.title_key in GENERATED_TITLES:
            with translation.override("en"):
                as_written = generated_title(self.title_key, self.title_params)
            if self.title == as_written:
                return generated_title(self.title_key, self.title_params)
        return self.title


class Attachment(Correctable):
    """A file kept with a case (a scan, a photo of a document), encrypted at rest."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("about person"),
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = EncryptedCharField(_("file name"), max_length=255)
    description = EncryptedTextField(_("description"), blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    # The file itself is never corrected: a wrong file is voided and the right one uploaded.
    correctable_fields = ("description", "person")
    record_kind = "file"

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return _("Attachment to %(case)s") % {"case": self.case}


class CaseFlag(UUIDModel):
    """
    A warning everyone working a case must see before acting: it is unsafe to contact the
    family, someone needs medical help, a member is detained. A cleared flag stays as history.
    """

    class Kind(models.TextChoices):
        UNSAFE_TO_CONTACT = "unsafe_to_contact", _("Unsafe to contact")
        MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
        CHILD_AT_RISK = "child_at_risk", _("Child at risk")
        DETAINED_MEMBER = "detained_member", _("A member is detained")
        INTERPRETER_NEEDED = "interpreter_needed", _("Interpreter needed")
        MISSED_CHECK_IN = "missed_check_in", _("Check-in missed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="flags", verbose_name=_("case")
    )
    kind = models.CharField(_("flag"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    # None: raised by the system (the check-in sweep), or its setter's account was deleted.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set"), auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cleared by"),
    )
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("case flag")
        verbose_name_plural = _("case flags")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(active=True),
                name="casework_one_active_flag_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True) | models.Q(cleared_at__isnull=False),
                name="casework_cleared_flag_has_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.case} · {self.get_kind_display()}"
