"""
The legal library's nine migrations as one, for a new database (why: see intake's squashed
migration); databases that applied them keep the migrations it replaces. The corpus is loaded
once, as it stands now (0002 loaded it, 0006 again with provenance); 0007 and 0008 changed rows
a new database does not have.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import vault.fields
from legal_aid.corpus import load, unload


class Migration(migrations.Migration):
    replaces = [
        ("legal_aid", "0001_initial"),
        ("legal_aid", "0002_load_corpus"),
        ("legal_aid", "0003_advocacy_documents"),
        ("legal_aid", "0004_field_labels"),
        ("legal_aid", "0005_document_withdrawn_after_erasure"),
        ("legal_aid", "0006_provenance_and_further_authorities"),
        ("legal_aid", "0007_recipient_format"),
        ("legal_aid", "0008_notices_become_notifications"),
        ("legal_aid", "0009_document_deadline_and_allegation_letter"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0003_role_groups"),
        ("accounts", "0013_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("casework", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Instrument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=30, unique=True, verbose_name="code")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("short_title", models.CharField(max_length=100, verbose_name="short title")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("treaty", "International treaty"),
                            ("prc_law", "PRC law"),
                            ("prc_policy", "PRC State Council policy"),
                            ("un_finding", "UN finding"),
                            ("un_position", "UN agency position"),
                            ("un_guidance", "Treaty body general comment"),
                            ("bilateral_reported", "Bilateral agreement (reported only)"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "china_status",
                    models.CharField(
                        choices=[
                            ("party", "China is a party"),
                            ("signatory_only", "China signed but has not ratified"),
                            ("not_party", "China is not a party"),
                            ("domestic", "Chinese law"),
                            ("not_applicable", "Not a treaty"),
                        ],
                        max_length=20,
                        verbose_name="China's status",
                    ),
                ),
                (
                    "china_status_detail",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="China's status, detail"
                    ),
                ),
                (
                    "status_verified",
                    models.BooleanField(default=False, verbose_name="status verified"),
                ),
                ("caution", models.TextField(blank=True, verbose_name="caution when citing")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "instrument",
                "verbose_name_plural": "instruments",
                "ordering": ["position", "code"],
            },
        ),
        migrations.CreateModel(
            name="SourceDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="code")),
                ("title", models.CharField(max_length=300, verbose_name="title (as translated)")),
                (
                    "document_type",
                    models.CharField(max_length=100, verbose_name="type of document"),
                ),
                (
                    "issuing_body",
                    models.CharField(max_length=300, verbose_name="issuing body (as translated)"),
                ),
                ("issued_on", models.DateField(verbose_name="date")),
                ("place", models.CharField(blank=True, max_length=200, verbose_name="place")),
                ("addressees", models.TextField(blank=True, verbose_name="addressed to")),
                ("copied_to", models.TextField(blank=True, verbose_name="copied to")),
                (
                    "translation_source",
                    models.CharField(max_length=300, verbose_name="source of the translation"),
                ),
                (
                    "translation_date",
                    models.DateField(blank=True, null=True, verbose_name="translated on"),
                ),
                ("provenance_note", models.TextField(verbose_name="provenance note")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("caution", models.TextField(blank=True, verbose_name="caution when citing")),
            ],
            options={
                "verbose_name": "source document",
                "verbose_name_plural": "source documents",
                "ordering": ["position", "issued_on"],
            },
        ),
        migrations.CreateModel(
            name="Provision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(max_length=30, unique=True, verbose_name="citation label"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("item", "Numbered item"), ("paragraph", "Paragraph")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "number",
                    models.PositiveSmallIntegerField(
                        help_text="The item's own number, or the paragraph's order in the body.",
                        verbose_name="number",
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(verbose_name="position in the document"),
                ),
                ("text", models.TextField(verbose_name="text (as translated)")),
                ("topics", models.JSONField(blank=True, default=list, verbose_name="topics")),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="provisions",
                        to="legal_aid.sourcedocument",
                        verbose_name="document",
                    ),
                ),
            ],
            options={
                "verbose_name": "provision",
                "verbose_name_plural": "provisions",
                "ordering": ["document__position", "position"],
            },
        ),
        migrations.CreateModel(
            name="Authority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(max_length=40, unique=True, verbose_name="citation label"),
                ),
                (
                    "pinpoint",
                    models.CharField(
                        blank=True,
                        help_text="e.g. art. 24(2)",
                        max_length=40,
                        verbose_name="article or paragraph",
                    ),
                ),
                ("heading", models.CharField(max_length=200, verbose_name="heading")),
                ("summary", models.TextField(verbose_name="summary (in our own words)")),
                ("verified", models.BooleanField(default=False, verbose_name="verified")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "instrument",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="authorities",
                        to="legal_aid.instrument",
                        verbose_name="instrument",
                    ),
                ),
                (
                    "cite_with",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="legal_aid.authority",
                        verbose_name="always cite together with",
                    ),
                ),
            ],
            options={
                "verbose_name": "authority",
                "verbose_name_plural": "authorities",
                "ordering": ["instrument__position", "position"],
            },
        ),
        migrations.CreateModel(
            name="Figure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(unique=True, verbose_name="key")),
                ("description", models.CharField(max_length=300, verbose_name="what is counted")),
                ("value", models.PositiveBigIntegerField(verbose_name="value")),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("cases", "cases"),
                            ("people", "people"),
                            ("camps", "detention camps"),
                            ("yuan", "yuan"),
                            ("percent", "per cent"),
                            ("occurrences", "occurrences"),
                        ],
                        max_length=12,
                        verbose_name="unit",
                    ),
                ),
                (
                    "qualifier",
                    models.CharField(
                        choices=[
                            ("exact", "exactly"),
                            ("more_than", "more than"),
                            ("about", "about (estimate)"),
                        ],
                        max_length=10,
                        verbose_name="qualifier",
                    ),
                ),
                ("period", models.CharField(max_length=200, verbose_name="period or date")),
                (
                    "quote",
                    models.CharField(
                        help_text="The words stating the figure, exactly as in the provision.",
                        max_length=200,
                        verbose_name="words of the paper",
                    ),
                ),
                (
                    "provision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="figures",
                        to="legal_aid.provision",
                        verbose_name="provision",
                    ),
                ),
            ],
            options={
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
                "ordering": ["provision__document__position", "provision__position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Restriction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(verbose_name="description")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "provisions",
                    models.ManyToManyField(
                        related_name="restrictions",
                        to="legal_aid.provision",
                        verbose_name="imposed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "restriction",
                "verbose_name_plural": "restrictions",
                "ordering": ["position", "slug"],
            },
        ),
        migrations.CreateModel(
            name="RestrictionAuthority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                (
                    "authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="legal_aid.authority",
                        verbose_name="authority",
                    ),
                ),
                (
                    "restriction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="authority_links",
                        to="legal_aid.restriction",
                        verbose_name="restriction",
                    ),
                ),
            ],
            options={
                "verbose_name": "authority offended",
                "verbose_name_plural": "authorities offended",
                "ordering": ["restriction", "position"],
            },
        ),
        migrations.CreateModel(
            name="RestrictionEvidence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "entitlement_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("household_registration", "Household registration (hukou) / ID"),
                            ("kindergarten", "Kindergarten"),
                            ("school", "School"),
                            ("medical_care", "Medical care"),
                            ("labour_insurance", "Employment and labour insurance"),
                            ("social_welfare", "Social welfare"),
                            ("marriage_registration", "Marriage registration"),
                        ],
                        max_length=25,
                        verbose_name="entitlement",
                    ),
                ),
                (
                    "entitlement_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("granted", "Granted"),
                            ("denied", "Denied"),
                            ("pending", "Pending"),
                            ("not_sought", "Not sought"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=12,
                        verbose_name="entitlement status",
                    ),
                ),
                (
                    "incident_kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("benefit_denied", "Denial of a benefit"),
                            ("raid", "Raid"),
                            ("arrest", "Arrest"),
                            ("detention", "Detention"),
                            ("deportation", "Deportation"),
                            ("partner_prosecuted", "Prosecution of a partner"),
                            ("trafficking", "Trafficking"),
                            ("exploitation", "Exploitation"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="incident",
                    ),
                ),
                (
                    "person_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("refugee", "Refugee"),
                            ("child", "Child"),
                            ("partner", "Partner"),
                            ("relative", "Relative"),
                        ],
                        max_length=10,
                        verbose_name="person's role",
                    ),
                ),
                (
                    "restriction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence_rules",
                        to="legal_aid.restriction",
                        verbose_name="restriction",
                    ),
                ),
            ],
            options={
                "verbose_name": "evidence rule",
                "verbose_name_plural": "evidence rules",
            },
        ),
        migrations.CreateModel(
            name="AdvocacyDocument",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "series",
                    models.UUIDField(
                        db_index=True, default=uuid.uuid4, editable=False, verbose_name="series"
                    ),
                ),
                (
                    "version",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, verbose_name="version"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            (
                                "child_access_brief",
                                "Submission on a child's nationality, registration and schooling",
                            ),
                            ("deportation_appeal", "Urgent appeal against deportation"),
                            ("caseload_report", "Caseload report"),
                        ],
                        max_length=25,
                        verbose_name="kind",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")],
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "redaction",
                    models.CharField(
                        choices=[
                            ("named_with_consent", "Name those who consented to be named"),
                            ("pseudonymised", "Pseudonyms for everyone"),
                            ("aggregate_only", "Figures only, no individual"),
                        ],
                        max_length=20,
                        verbose_name="redaction",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("rendering", "Rendering"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "failure_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="why it failed"),
                ),
                (
                    "attempts",
                    models.PositiveSmallIntegerField(default=0, verbose_name="rendering attempts"),
                ),
                (
                    "requested_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
                ),
                (
                    "rendered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="rendered at"),
                ),
                (
                    "file",
                    models.FileField(blank=True, upload_to="advocacy/%Y/%m/", verbose_name="PDF"),
                ),
                (
                    "sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the PDF"),
                ),
                (
                    "page_count",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="pages"),
                ),
                (
                    "names_people",
                    models.BooleanField(
                        default=False,
                        help_text="Set when rendered: the PDF names someone who consented to it.",
                        verbose_name="names people",
                    ),
                ),
                (
                    "snapshot",
                    vault.fields.EncryptedJSONField(
                        blank=True, null=True, verbose_name="facts and citations used"
                    ),
                ),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="approved at"),
                ),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="advocacy_documents",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casework.person",
                        verbose_name="about",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="team (caseload reports)",
                    ),
                ),
                (
                    "withdrawn_reason",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="why it was withdrawn"
                    ),
                ),
                (
                    "recipient_format",
                    models.CharField(
                        choices=[
                            (
                                "un_communication",
                                "Communication to the UN special procedures (urgent appeal)",
                            ),
                            (
                                "un_allegation_letter",
                                "Communication to the UN special procedures (allegation letter)",
                            ),
                            ("lawyer_submission", "Submission to a partner lawyer"),
                            (
                                "crc_submission",
                                "Submission to the Committee on the Rights of the Child",
                            ),
                            ("unhcr_submission", "Submission to UNHCR"),
                            ("authority_letter", "Letter to a Chinese authority, in Chinese"),
                            ("caseload_report", "Caseload report"),
                        ],
                        max_length=30,
                        verbose_name="form for the recipient",
                    ),
                ),
                (
                    "sent_despite_unknown",
                    models.BooleanField(
                        default=False,
                        verbose_name="sent to an authority that does not know the person",
                    ),
                ),
                ("deadline", models.DateField(blank=True, null=True, verbose_name="deadline")),
            ],
            options={
                "verbose_name": "advocacy document",
                "verbose_name_plural": "advocacy documents",
                "ordering": ["-requested_at", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("series", "version"), name="legal_aid_document_version_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("case__isnull", True),
                                ("kind", "caseload_report"),
                                ("subject__isnull", True),
                            ),
                            models.Q(
                                models.Q(("kind", "caseload_report"), _negated=True),
                                ("case__isnull", False),
                                ("subject__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="legal_aid_document_scope_fits_kind",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="restriction",
            name="authorities",
            field=models.ManyToManyField(
                related_name="restrictions",
                through="legal_aid.RestrictionAuthority",
                to="legal_aid.authority",
                verbose_name="offends",
            ),
        ),
        migrations.AddConstraint(
            model_name="restrictionauthority",
            constraint=models.UniqueConstraint(
                fields=("restriction", "authority"), name="legal_aid_restriction_authority_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="restrictionevidence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        models.Q(("entitlement_kind", ""), _negated=True),
                        models.Q(("entitlement_status", ""), _negated=True),
                        ("incident_kind", ""),
                    ),
                    models.Q(
                        ("entitlement_kind", ""),
                        ("entitlement_status", ""),
                        models.Q(("incident_kind", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="legal_aid_evidence_is_entitlement_or_incident",
            ),
        ),
        migrations.AddConstraint(
            model_name="provision",
            constraint=models.UniqueConstraint(
                fields=("document", "kind", "number"), name="legal_aid_provision_number_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="provision",
            constraint=models.UniqueConstraint(
                fields=("document", "position"), name="legal_aid_provision_position_unique"
            ),
        ),
        migrations.RunPython(load, unload),
    ]
