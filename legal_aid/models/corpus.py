"""
The citable corpus, the authorities that answer it, and the restriction catalogue.

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

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    PersonRole,
)


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
