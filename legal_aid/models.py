"""
Legal aid: the citable corpus, the authorities that answer it, and the restriction catalogue.

Citation labels (stable, human-readable, used in URLs and in advocacy documents):

- A source document has a code ``<ISSUER>-<YEAR>``: ``YB-2003`` (Yanbian prefecture government,
  notice of 16 Nov 2003), ``CC-2004`` (People's Court of Changchun, bulletin of 15 Jan 2004),
  ``YBF-2004`` (Yanbian Bureau of Finance, letter of 19 Oct 2004), ``MPS-2005`` (Border Patrol
  Bureau of the Ministry of Public Security, bulletin of 15 Mar 2005).
- A provision is labelled by its document code and its place in the paper. An item the paper
  numbers itself keeps that number: ``YB-2003-2`` is item 2. A paragraph the paper does not number
  gets ``P`` and its order among the unnumbered paragraphs of the body: ``CC-2004-P2`` is the
  second paragraph, ``YB-2003-P1`` the preamble before item 1. Headings, addressees, dates and
  signatures are document fields, not provisions.
- A figure is cited by its provision and its key (``CC-2004-P2`` · ``court-cases-2003``).
- An authority is labelled ``<INSTRUMENT>-<ARTICLE>``: ``CRC-7``, ``ICCPR-24-2``,
  ``CRC-CO-83a``, ``PRC-NAT-4``; an instrument cited as a whole has its code alone.

Labels never change once published: a correction changes the text, never the label.
The rows come from ``legal_aid/data/corpus.json`` through a data migration (legal_aid.corpus).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    PersonRole,
    Redaction,
)
from vault.fields import EncryptedJSONField


class Topic(models.TextChoices):
    STATUS = "status", _("Legal status and nationality")
    REGISTRATION = "registration", _("Household registration and ID")
    EDUCATION = "education", _("Kindergarten and school")
    HEALTH = "health", _("Medical care")
    WELFARE = "welfare", _("Employment, insurance and welfare")
    FAMILY = "family", _("Marriage and family")
    DEPORTATION = "deportation", _("Deportation and return")
    DETENTION = "detention", _("Detention")
    PROSECUTION = "prosecution", _("Courts and prosecution")
    FIGURES = "figures", _("Figures")
    FUNDING = "funding", _("Funding")


class SourceDocument(models.Model):
    """
    One of the government papers, as published in translation. Their authenticity is not
    independently verified: every page and document that cites them carries the provenance note.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title (as translated)"), max_length=300)
    document_type = models.CharField(_("type of document"), max_length=100)
    issuing_body = models.CharField(_("issuing body (as translated)"), max_length=300)
    issued_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    addressees = models.TextField(_("addressed to"), blank=True)
    copied_to = models.TextField(_("copied to"), blank=True)
    translation_source = models.CharField(_("source of the translation"), max_length=300)
    # Empty when the source does not say when the translation was made (it does not, for the four).
    translation_date = models.DateField(_("translated on"), null=True, blank=True)
    # Printed in documents: what the source says of the papers, as a statement of fact.
    provenance_note = models.TextField(_("provenance note"))
    # For staff drafting with the papers, shown in the library and never printed in a document.
    caution = models.TextField(_("caution when citing"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "issued_on"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self):
        return f"{self.code} · {self.title}"

    def get_absolute_url(self):
        return reverse("legal_aid:document", kwargs={"code": self.code})


class Provision(models.Model):
    """A numbered item or a paragraph of a source document: the unit a citation points at."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Numbered item")
        PARAGRAPH = "paragraph", _("Paragraph")

    document = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("document"),
    )
    label = models.CharField(_("citation label"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("The item's own number, or the paragraph's order in the body.")
    )
    position = models.PositiveSmallIntegerField(_("position in the document"))
    text = models.TextField(_("text (as translated)"))
    topics = models.JSONField(_("topics"), default=list, blank=True)

    class Meta:
        ordering = ["document__position", "position"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "number"], name="legal_aid_provision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["document", "position"], name="legal_aid_provision_position_unique"
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("legal_aid:provision", kwargs={"label": self.label})

    @property
    def topic_labels(self) -> list:
        names = dict(Topic.choices)
        return [names.get(topic, topic) for topic in self.topics]


class Figure(models.Model):
    """A number a paper states, tied to the provision that states it, with the words it uses."""

    class Unit(models.TextChoices):
        # "court cases" and "criminal cases" in the papers: the description says which.
        CASES = "cases", _("cases")
        PEOPLE = "people", _("people")
        CAMPS = "camps", _("detention camps")
        YUAN = "yuan", _("yuan")
        PERCENT = "percent", _("per cent")
        OCCURRENCES = "occurrences", _("occurrences")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        MORE_THAN = "more_than", _("more than")
        ABOUT = "about", _("about (estimate)")

    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, related_name="figures", verbose_name=_("provision")
    )
    key = models.SlugField(_("key"), max_length=50, unique=True)
    description = models.CharField(_("what is counted"), max_length=300)
    value = models.PositiveBigIntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    qualifier = models.CharField(_("qualifier"), max_length=10, choices=Qualifier.choices)
    period = models.CharField(_("period or date"), max_length=200)
    quote = models.CharField(
        _("words of the paper"),
        max_length=200,
        help_text=_("The words stating the figure, exactly as in the provision."),
    )

    class Meta:
        ordering = ["provision__document__position", "provision__position", "pk"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self):
        return f"{self.provision.label} · {self.key}"


class Instrument(models.Model):
    """
    A treaty, a PRC law, an official finding or position, or a reported agreement, with where
    China stands under it. Only the checked list (shared LEGAL_AUTHORITIES.md) is loaded.
    """

    class Kind(models.TextChoices):
        TREATY = "treaty", _("International treaty")
        PRC_LAW = "prc_law", _("PRC law")
        PRC_POLICY = "prc_policy", _("PRC State Council policy")
        UN_FINDING = "un_finding", _("UN finding")
        UN_POSITION = "un_position", _("UN agency position")
        UN_GUIDANCE = "un_guidance", _("Treaty body general comment")
        BILATERAL_REPORTED = "bilateral_reported", _("Bilateral agreement (reported only)")

    class ChinaStatus(models.TextChoices):
        PARTY = "party", _("China is a party")
        SIGNATORY_ONLY = "signatory_only", _("China signed but has not ratified")
        NOT_PARTY = "not_party", _("China is not a party")
        DOMESTIC = "domestic", _("Chinese law")
        NOT_APPLICABLE = "not_applicable", _("Not a treaty")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    china_status = models.CharField(_("China's status"), max_length=20, choices=ChinaStatus.choices)
    china_status_detail = models.CharField(_("China's status, detail"), max_length=300, blank=True)
    status_verified = models.BooleanField(_("status verified"), default=False)
    caution = models.TextField(_("caution when citing"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self):
        return self.short_title

    @property
    def binds_china(self) -> bool:
        """Treaties bind only where China is a party; its own law and policy bind it as such."""
        return self.status_verified and self.china_status in (
            self.ChinaStatus.PARTY,
            self.ChinaStatus.DOMESTIC,
        )


class AuthorityQuerySet(models.QuerySet):
    def citable(self):
        """Only checked facts may be printed as fact; the rest waits for confirmation."""
        return self.filter(verified=True)


class Authority(models.Model):
    """An article or paragraph of an instrument that answers the papers; the summary is ours."""

    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="authorities",
        verbose_name=_("instrument"),
    )
    label = models.CharField(_("citation label"), max_length=40, unique=True)
    pinpoint = models.CharField(
        _("article or paragraph"), max_length=40, blank=True, help_text=_("e.g. art. 24(2)")
    )
    heading = models.CharField(_("heading"), max_length=200)
    summary = models.TextField(_("summary (in our own words)"))
    verified = models.BooleanField(_("verified"), default=False)
    cite_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("always cite together with"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["instrument__position", "position"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")

    def __str__(self):
        return self.citation

    def get_absolute_url(self):
        return reverse("legal_aid:authority", kwargs={"label": self.label})

    @property
    def citation(self) -> str:
        return f"{self.instrument.short_title} {self.pinpoint}".strip()


class Restriction(models.Model):
    """
    What the papers impose on people (e.g. a child of an unmarried refugee mother denied
    household registration): the provisions that impose it, the authorities it offends, and the
    records in cases that evidence it (see RestrictionEvidence).
    """

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    provisions = models.ManyToManyField(
        Provision, related_name="restrictions", verbose_name=_("imposed by")
    )
    authorities = models.ManyToManyField(
        Authority,
        through="RestrictionAuthority",
        related_name="restrictions",
        verbose_name=_("offends"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("legal_aid:restrictions") + f"#{self.slug}"


class RestrictionAuthority(models.Model):
    """An authority a restriction offends, in the order an argument should cite them."""

    restriction = models.ForeignKey(
        Restriction,
        on_delete=models.CASCADE,
        related_name="authority_links",
        verbose_name=_("restriction"),
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("authority")
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["restriction", "position"]
        verbose_name = _("authority offended")
        verbose_name_plural = _("authorities offended")
        constraints = [
            models.UniqueConstraint(
                fields=["restriction", "authority"], name="legal_aid_restriction_authority_once"
            ),
        ]

    def __str__(self):
        return f"{self.restriction.slug} · {self.authority.label}"


class RestrictionEvidence(models.Model):
    """
    A kind of casework record that shows the restriction applied to someone: an entitlement of
    a kind with a status (e.g. household registration, denied), or an incident of a kind, on a
    person of a role (blank = any role).
    """

    restriction = models.ForeignKey(
        Restriction,
        on_delete=models.CASCADE,
        related_name="evidence_rules",
        verbose_name=_("restriction"),
    )
    entitlement_kind = models.CharField(
        _("entitlement"), max_length=25, choices=EntitlementKind.choices, blank=True
    )
    entitlement_status = models.CharField(
        _("entitlement status"), max_length=12, choices=EntitlementStatus.choices, blank=True
    )
    incident_kind = models.CharField(
        _("incident"), max_length=20, choices=IncidentKind.choices, blank=True
    )
    person_role = models.CharField(
        _("person's role"), max_length=10, choices=PersonRole.choices, blank=True
    )

    class Meta:
        verbose_name = _("evidence rule")
        verbose_name_plural = _("evidence rules")
        constraints = [
            models.CheckConstraint(
                condition=(
                    ~Q(entitlement_kind="") & ~Q(entitlement_status="") & Q(incident_kind="")
                )
                | (Q(entitlement_kind="") & Q(entitlement_status="") & ~Q(incident_kind="")),
                name="legal_aid_evidence_is_entitlement_or_incident",
            ),
        ]

    def __str__(self):
        if self.entitlement_kind:
            what = f"{self.get_entitlement_kind_display()}: {self.get_entitlement_status_display()}"
        else:
            what = str(self.get_incident_kind_display())
        return f"{what} ({self.get_person_role_display()})" if self.person_role else what


class AdvocacyDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """
        A document about a case is seen by whoever sees the case (casework's visibility rule). A
        caseload report belongs to no case: it is seen by the staff member who asked for it and,
        when it was scoped to a team, by that team's supervisors.
        """
        from accounts.roles import supervised_teams
        from casework.models import Case

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        supervised = supervised_teams(user)
        of_visible_cases = Q(case__in=Case.objects.visible_to(user).values("pk"))
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
        CHILD_ACCESS_BRIEF = "child_access_brief", _("Child access brief")
        DEPORTATION_APPEAL = "deportation_appeal", _("Urgent appeal against deportation")
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
