from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from casework.references import new_reference
from vault.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from vault.models import UUIDModel


def submission_reference() -> str:
    return new_reference("I")


def batch_reference() -> str:
    return new_reference("B")


def _supervised_teams(user):
    return roles.supervised_teams(user)


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class IntakeSubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """
        A caseworker sees the intakes they took; a supervisor sees every intake of their team
        once it is submitted. A draft stays with its author: what is typed during an interview
        (a name half-spelt, a detail the person then asks to leave out) is not for anyone else
        until the caseworker sends it. No one else sees intakes, administrators included: an
        intake holds people not yet in any case.
        """
        if not _is_active(user):
            return self.none()
        sent_to_supervisors = Q(team__in=_supervised_teams(user)) & ~Q(
            status=IntakeSubmission.Status.DRAFT
        )
        return self.filter(Q(owner=user) | sent_to_supervisors)

    def awaiting_decision(self):
        return self.filter(status=IntakeSubmission.Status.SUBMITTED)


class IntakeSubmission(UUIDModel):
    """
    One intake interview: a draft while the caseworker fills it in (on any device), then
    submitted for a supervisor of the team to approve, reject or merge into someone on file.
    The answers stay encrypted in one blob until approval turns them into casework records.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting a decision")
        # Sent back by a supervisor with a reason: the caseworker corrects it and sends it again.
        RETURNED = "returned", _("Sent back for corrections")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into a person on file")

    class Step(models.TextChoices):
        CONSENT = "consent", _("Consent")
        IDENTITY = "identity", _("Identity")
        FAMILY = "family", _("Family")
        SITUATION = "situation", _("Present situation")
        NEEDS = "needs", _("Needs and risk")
        REVIEW = "review", _("Review")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=submission_reference, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="intakes", verbose_name=_("team")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intakes",
        verbose_name=_("caseworker"),
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices, default=Step.CONSENT)
    # Per step, what was typed, as posted: a draft with errors keeps every keystroke.
    answers = EncryptedJSONField(_("answers"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = EncryptedTextField(_("reason for rejection"), blank=True)
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case opened"),
    )
    merged_into = models.ForeignKey(
        "casework.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IntakeSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self):
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_editable(self) -> bool:
        """Its caseworker may change the answers: a draft, or an intake sent back to them."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def return_reason(self) -> str:
        """Why a supervisor last sent the intake back ("" if they never did)."""
        last = self.decisions.filter(action=IntakeDecision.Action.RETURNED).last()
        return last.reason if last else ""


class IntakeDecision(UUIDModel):
    """
    One step of an intake's way through its team: sent, sent back (with the supervisor's
    reason), sent again, approved, rejected or merged. The history the supervisor reads; the
    reason is encrypted, as it may name the people of the intake.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Sent back for corrections")
        RESUBMITTED = "resubmitted", _("Corrected and submitted again")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into a person on file")

    submission = models.ForeignKey(
        IntakeSubmission,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("intake"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = EncryptedTextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("intake decision")
        verbose_name_plural = _("intake decisions")

    def __str__(self):
        return f"{self.submission} · {self.action}"


class DuplicateCandidate(models.Model):
    """
    Someone on file who may be one of the people of an intake, found through blind indexes
    alone, with why: the reasons are codes (see `intake.duplicates.Reason`), never values.
    """

    submission = models.ForeignKey(
        IntakeSubmission,
        on_delete=models.CASCADE,
        related_name="duplicates",
        verbose_name=_("intake"),
    )
    person = models.ForeignKey(
        "casework.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )

    class Verdict(models.TextChoices):
        # Given by a supervisor of a team whose cases hold the person: only they can tell.
        PENDING = "", _("Not checked yet")
        DIFFERENT = "different", _("Not the same person")
        SAME = "same", _("The same person")

    # Which person of the intake matched: "principal", "partner" or "child-<n>".
    subject = models.CharField(_("who in the intake"), max_length=20)
    reasons = models.JSONField(_("reasons"), default=list)
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING, blank=True
    )
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    verdict_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["subject", "person__reference"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "person", "subject"], name="intake_candidate_once"
            ),
        ]

    def __str__(self):
        return f"{self.submission} · {self.subject} ~ {self.person}"

    @property
    def reason_labels(self) -> list[str]:
        from .duplicates import reason_labels

        return reason_labels(self.reasons)


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports open cases directly, as approval does: only the team's supervisors see them."""
        if not _is_active(user):
            return self.none()
        return self.filter(team__in=_supervised_teams(user))


class ImportBatch(UUIDModel):
    """
    A field spreadsheet (CSV or XLSX) brought in: checked row by row first (the dry run), then
    imported. The file is encrypted at rest and deleted once imported.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        # Stopped by a supervisor part way: resumed from the first row not yet processed.
        STOPPED = "stopped", _("Stopped")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Could not be read")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=batch_reference, editable=False
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="imports", verbose_name=_("team")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to="imports/", blank=True)
    original_name = EncryptedCharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    valid_rows = models.PositiveIntegerField(_("rows without errors"), default=0)
    created_count = models.PositiveIntegerField(_("people created"), default=0)
    queued_count = models.PositiveIntegerField(_("sent for a decision"), default=0)
    skipped_count = models.PositiveIntegerField(_("already imported"), default=0)
    # Per row: errors (column and message), duplicate references and reasons, whether it was
    # imported before. Encrypted: an error message may quote what was typed.
    report = EncryptedJSONField(_("report"), default=dict, blank=True)
    # How the supervisor said the file is read: encoding, sheet, day-month order, and a code for
    # each value no catalogue knows. Encrypted: a mapped value may be a place or a name.
    # Nullable: an encrypted value is sealed to its row, so existing rows cannot get a default.
    options = EncryptedJSONField(_("reading options"), null=True, blank=True)
    failure = models.CharField(_("why it could not be read"), max_length=300, blank=True)
    # When the check or the import (or its resumption) began, and at which row: the status page
    # estimates the time left from the pace since.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_from = models.PositiveIntegerField(_("started from row"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")

    def __str__(self):
        return self.reference

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def finishes_at(self):
        """When the work under way should end at its pace so far, or None before it shows."""
        done = self.processed_rows - self.started_from
        if not (self.in_progress and self.started_at and done > 0):
            return None
        elapsed = timezone.now() - self.started_at
        return timezone.now() + elapsed * (self.total_rows - self.processed_rows) / done

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ImportedRow(models.Model):
    """
    A spreadsheet row brought in, known by the keyed fingerprint of its normalised content, so
    that importing the same file again creates nothing twice.
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import")
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    row_number = models.PositiveIntegerField(_("row"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    submission = models.ForeignKey(
        IntakeSubmission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intake"),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "fingerprint"], name="intake_row_imported_once"
            ),
        ]

    def __str__(self):
        return f"{self.batch} · {self.row_number}"
