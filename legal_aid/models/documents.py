"""Advocacy documents: letters, appeals and reports built from the facts of a case or a caseload."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.choices import Redaction
from vault.fields import EncryptedJSONField


class AdvocacyDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """
        A document about a case is seen by whoever sees the case (casework's visibility rule). A
        caseload report belongs to no case: it is seen by the staff member who asked for it and,
        when it was scoped to a team, by that team's supervisors.
        """
        from accounts.roles import supervised_teams
        from casework.querysets import visible_case_ids

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        supervised = supervised_teams(user)
        # The cases' rule as SQL written once per user (`visible_case_ids`): compiled into each
        # query, it cost ~12,000 Python calls, the most of the dashboard's approvals count.
        of_visible_cases = Q(case__in=visible_case_ids(user))
        own_reports = Q(case__isnull=True, requested_by=user)
        supervised_reports = Q(case__isnull=True, team__in=supervised)
        return self.filter(of_visible_cases | own_reports | supervised_reports)

    def latest_versions(self):
        """One row per series: its newest version."""
        newest = (
            AdvocacyDocument.objects.filter(series=models.OuterRef("series"))
            .order_by("-version")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class AdvocacyDocument(models.Model):
    """
    A letter, appeal or report built from the facts of a case (or of a caseload), rendered to PDF
    by a worker. Regenerating makes a new version in the same series and keeps the old ones. A
    document that names anyone must be approved by a supervisor of the case's team before it can
    be downloaded. The PDF is encrypted at rest; the snapshot keeps the facts and citations used.
    """

    class Kind(models.TextChoices):
        # The value predates the name: a submission on a child's nationality, registration and
        # schooling ("access brief" read, in family-law usage, as contact with a parent).
        CHILD_ACCESS_BRIEF = (
            "child_access_brief",
            _("Submission on a child's nationality, registration and schooling"),
        )
        DEPORTATION_APPEAL = "deportation_appeal", _("Urgent appeal against deportation")
        CASELOAD_REPORT = "caseload_report", _("Caseload report")

    class RecipientFormat(models.TextChoices):
        """The form a recipient accepts, over the same facts (legal_aid.documents.formats)."""

        UN_COMMUNICATION = (
            "un_communication",
            _("Communication to the UN special procedures (urgent appeal)"),
        )
        # For violations that have happened or go on, with no imminent harm: a child refused
        # registration or school, a deportation in the past.
        UN_ALLEGATION_LETTER = (
            "un_allegation_letter",
            _("Communication to the UN special procedures (allegation letter)"),
        )
        LAWYER_SUBMISSION = "lawyer_submission", _("Submission to a partner lawyer")
        CRC_SUBMISSION = (
            "crc_submission",
            _("Submission to the Committee on the Rights of the Child"),
        )
        UNHCR_SUBMISSION = "unhcr_submission", _("Submission to UNHCR")
        AUTHORITY_LETTER = "authority_letter", _("Letter to a Chinese authority, in Chinese")
        CASELOAD_REPORT = "caseload_report", _("Caseload report")

    class Language(models.TextChoices):
        EN = "en", "English"
        KO = "ko", "한국어"
        ZH_HANS = "zh-hans", "简体中文"

    # The levels are casework's (casework.redaction applies them): one home for the naming rule.
    Redaction = Redaction

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        # Someone it named was erased: the PDF and the snapshot are gone for good.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    series = models.UUIDField(_("series"), default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advocacy_documents",
        verbose_name=_("case"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team (caseload reports)"),
    )
    subject = models.ForeignKey(
        "casework.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
    )
    recipient_format = models.CharField(
        _("form for the recipient"), max_length=30, choices=RecipientFormat.choices
    )
    # A letter to a Chinese authority about someone it does not know of yet announces them: the
    # requester was warned and decided to send it anyway (recorded, and audited with the request).
    sent_despite_unknown = models.BooleanField(
        _("sent to an authority that does not know the person"), default=False
    )
    # The day by which the recipient should act or answer, in the team's time zone; printed on
    # the cover beside the urgency. Not in the past when requested (legal_aid.services).
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    redaction = models.CharField(_("redaction"), max_length=20, choices=Redaction.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Written by us, never copied from an exception that might quote a record.
    failure_reason = models.CharField(_("why it failed"), max_length=300, blank=True)
    # Written by us too, and names no one: shown when a download is refused.
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("rendering attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    file = models.FileField(_("PDF"), upload_to="advocacy/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    names_people = models.BooleanField(
        _("names people"),
        default=False,
        help_text=_("Set when rendered: the PDF names someone who consented to it."),
    )
    snapshot = EncryptedJSONField(_("facts and citations used"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = AdvocacyDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-version"]
        verbose_name = _("advocacy document")
        verbose_name_plural = _("advocacy documents")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "version"], name="legal_aid_document_version_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="caseload_report", case__isnull=True, subject__isnull=True)
                | (~Q(kind="caseload_report") & Q(case__isnull=False, subject__isnull=False)),
                name="legal_aid_document_scope_fits_kind",
            ),
        ]

    def __str__(self):
        return f"{self.reference} v{self.version}"

    def get_absolute_url(self):
        return reverse("legal_aid:advocacy_detail", kwargs={"document_id": self.pk})

    @classmethod
    def formats_for(cls, kind: str) -> list[str]:
        """The recipient formats a kind of document is offered in, its default first."""
        return FORMATS_BY_KIND[kind]

    @property
    def reference(self) -> str:
        """The series' reference, printed on every page and kept in the audit trail."""
        return f"AD-{self.series.hex[:8].upper()}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def needs_approval(self) -> bool:
        """A ready document that names someone and no supervisor has approved yet."""
        return self.is_ready and self.names_people and self.approved_at is None

    @property
    def downloadable(self) -> bool:
        return self.is_ready and not self.needs_approval

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)


_Kind, _Format = AdvocacyDocument.Kind, AdvocacyDocument.RecipientFormat
FORMATS_BY_KIND = {
    # The UN communication first: for someone in hiding, to whom it is not offered, the
    # service defaults to the partner lawyer's submission (legal_aid.services).
    _Kind.DEPORTATION_APPEAL: [
        _Format.UN_COMMUNICATION,
        _Format.LAWYER_SUBMISSION,
        _Format.UNHCR_SUBMISSION,
        _Format.AUTHORITY_LETTER,
    ],
    _Kind.CHILD_ACCESS_BRIEF: [
        _Format.LAWYER_SUBMISSION,
        _Format.CRC_SUBMISSION,
        _Format.UNHCR_SUBMISSION,
        _Format.UN_ALLEGATION_LETTER,
        _Format.AUTHORITY_LETTER,
    ],
    _Kind.CASELOAD_REPORT: [_Format.CASELOAD_REPORT],
}
