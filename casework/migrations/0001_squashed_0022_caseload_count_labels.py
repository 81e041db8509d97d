"""
Casework's 22 migrations as one, for a new database: Django re-renders its migration state after
every operation, reloading the models related to the one changed (every casework model points at
the user, so most of the others), and casework's operations were most of a new database's
`migrate`. Databases that applied them keep the migrations it replaces. Fields are in the column
order those migrations left, so both ways build the same tables (the caseload triggers' row types
too).

What a new database needs of them beyond the models is run from the migrations that wrote it:
the descending and partial indexes kept out of Meta.indexes (0005, 0017), and the caseload
counts' functions and triggers (0021). Their other Python and SQL changed rows a new database
does not have (0008, 0010, 0014, 0019) or dropped indexes it never gets (0007,
see vault.fields.BlindIndexField.db_type).
"""

import importlib
import uuid

import django.core.serializers.json
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import casework.dates
import casework.models.checkins
import casework.references
import vault.fields


def _replaced(name):
    return importlib.import_module(f"casework.migrations.{name}")


_caseload_counts = _replaced("0021_dashboard_caseload_counts")


class Migration(migrations.Migration):
    replaces = [
        ("casework", "0001_initial"),
        ("casework", "0002_versions_and_flags"),
        ("casework", "0003_break_glass"),
        ("casework", "0004_field_labels"),
        ("casework", "0005_performance_indexes"),
        ("casework", "0006_case_risk_rank"),
        ("casework", "0007_blind_index_like_indexes"),
        ("casework", "0008_legal_status_since_birth"),
        ("casework", "0009_corrections_and_voids"),
        ("casework", "0010_note_kind_and_date_of_contact"),
        ("casework", "0011_yanbian_prefecture_region"),
        ("casework", "0012_check_ins_and_notifications"),
        ("casework", "0013_name_keys"),
        ("casework", "0014_notifications_move_to_accounts"),
        ("casework", "0015_follow_ups_repeat_and_reminders"),
        ("casework", "0016_name_key_covering_index"),
        ("casework", "0017_detained_now_index"),
        ("casework", "0018_case_plans_and_closures"),
        ("casework", "0019_name_key_reference_in_page_order"),
        ("casework", "0020_generated_follow_up_titles"),
        ("casework", "0021_dashboard_caseload_counts"),
        ("casework", "0022_caseload_count_labels"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("accounts", "0004_field_labels"),
        ("accounts", "0013_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Case",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        default=casework.references.case_reference,
                        editable=False,
                        max_length=12,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("on_hold", "On hold"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "risk_level",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        default="medium",
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                ("summary", vault.fields.EncryptedTextField(blank=True, verbose_name="summary")),
                (
                    "opened_on",
                    models.DateField(
                        default=django.utils.timezone.localdate, verbose_name="opened on"
                    ),
                ),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="closed on")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "risk_rank",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Case(
                            models.When(risk_level="critical", then=models.Value(0)),
                            models.When(risk_level="high", then=models.Value(1)),
                            models.When(risk_level="medium", then=models.Value(2)),
                            models.When(risk_level="low", then=models.Value(3)),
                            default=models.Value(4),
                        ),
                        output_field=models.PositiveSmallIntegerField(),
                        verbose_name="risk rank",
                    ),
                ),
                (
                    "plan_review_weeks",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="review the plan every (weeks)"
                    ),
                ),
            ],
            options={
                "verbose_name": "case",
                "verbose_name_plural": "cases",
                "ordering": ["-opened_on", "reference"],
            },
        ),
        migrations.CreateModel(
            name="CaseAssignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("caseworker", "Caseworker"),
                            ("legal_advocate", "Legal advocate"),
                        ],
                        default="caseworker",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("assigned_at", models.DateTimeField(auto_now_add=True, verbose_name="assigned")),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned by",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="case_assignments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "case assignment",
                "verbose_name_plural": "case assignments",
            },
        ),
        migrations.CreateModel(
            name="CaseClosure",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("closed_on", models.DateField(verbose_name="closed on")),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("goals_met", "Goals met"),
                            ("resettled", "Resettled"),
                            ("moved_away", "Moved away"),
                            ("lost_contact", "Lost contact"),
                            ("deceased", "Deceased"),
                            ("transferred", "Transferred"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                (
                    "other_reason",
                    vault.fields.EncryptedTextField(blank=True, verbose_name="other reason"),
                ),
                ("closed_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "reopened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reopened"),
                ),
                (
                    "carried_over",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="open items carried over"
                    ),
                ),
                (
                    "resolved",
                    models.PositiveSmallIntegerField(default=0, verbose_name="open items resolved"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closures",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
                (
                    "reopened_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reopened by",
                    ),
                ),
            ],
            options={
                "verbose_name": "case closure",
                "verbose_name_plural": "case closures",
                "ordering": ["-closed_at"],
            },
        ),
        migrations.CreateModel(
            name="CaseFlag",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unsafe_to_contact", "Unsafe to contact"),
                            ("medical_emergency", "Medical emergency"),
                            ("child_at_risk", "Child at risk"),
                            ("detained_member", "A member is detained"),
                            ("interpreter_needed", "Interpreter needed"),
                            ("missed_check_in", "Check-in missed"),
                        ],
                        max_length=20,
                        verbose_name="flag",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("set_at", models.DateTimeField(auto_now_add=True, verbose_name="set")),
                ("cleared_at", models.DateTimeField(blank=True, null=True, verbose_name="cleared")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "cleared_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cleared by",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="set by",
                    ),
                ),
            ],
            options={
                "verbose_name": "case flag",
                "verbose_name_plural": "case flags",
                "ordering": ["-set_at"],
            },
        ),
        migrations.CreateModel(
            name="CaseloadCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("team", "every open case of the team"),
                            ("worked", "owned by or assigned to the user"),
                            ("shared", "shared with the user as legal advocate"),
                        ],
                        max_length=6,
                        verbose_name="kind",
                    ),
                ),
                (
                    "risk_level",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                ("open_cases", models.IntegerField(default=0, verbose_name="open cases")),
                (
                    "team",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "caseload count",
                "verbose_name_plural": "caseload counts",
            },
        ),
        migrations.CreateModel(
            name="CaseNote",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("body", vault.fields.EncryptedTextField(verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="written")),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("visit", "Visit"),
                            ("call", "Phone call"),
                            ("message", "Message"),
                            ("office", "Meeting at the office"),
                            ("file_note", "File note (no contact)"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="kind of contact",
                    ),
                ),
                (
                    "contacted_on",
                    models.DateField(default=casework.dates.today, verbose_name="date of contact"),
                ),
            ],
            options={
                "verbose_name": "case note",
                "verbose_name_plural": "case notes",
                "ordering": ["-contacted_on", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        default=casework.references.person_reference,
                        editable=False,
                        max_length=12,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                (
                    "full_name",
                    vault.fields.EncryptedCharField(max_length=200, verbose_name="full name"),
                ),
                (
                    "full_name_index",
                    vault.fields.BlindIndexField(
                        db_index=True, scope="person-name", source="full_name"
                    ),
                ),
                (
                    "date_of_birth",
                    vault.fields.EncryptedDateField(
                        blank=True, null=True, verbose_name="date of birth"
                    ),
                ),
                (
                    "place_of_origin",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=200, verbose_name="place of origin"
                    ),
                ),
                (
                    "current_location",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=300, verbose_name="current location"
                    ),
                ),
                (
                    "contact",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=300, verbose_name="contact"
                    ),
                ),
                (
                    "contact_index",
                    vault.fields.BlindIndexField(
                        db_index=True, scope="person-contact", source="contact"
                    ),
                ),
                ("notes", vault.fields.EncryptedTextField(blank=True, verbose_name="notes")),
                (
                    "sex",
                    models.CharField(
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("other", "Other"),
                            ("unknown", "Unknown"),
                        ],
                        default="unknown",
                        max_length=10,
                        verbose_name="sex",
                    ),
                ),
                (
                    "birth_year",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="birth year"
                    ),
                ),
                (
                    "nationality",
                    models.CharField(
                        choices=[
                            ("dprk", "North Korean (DPRK)"),
                            ("prc", "Chinese (PRC)"),
                            ("stateless", "Stateless"),
                            ("other", "Other"),
                            ("unknown", "Unknown"),
                        ],
                        default="unknown",
                        max_length=10,
                        verbose_name="nationality",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("refugee", "Refugee"),
                            ("child", "Child"),
                            ("partner", "Partner"),
                            ("relative", "Relative"),
                        ],
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                (
                    "region",
                    models.CharField(
                        choices=[
                            ("cn-jilin", "China: Jilin"),
                            ("cn-jilin-yanbian", "China: Jilin, Yanbian Prefecture"),
                            ("cn-liaoning", "China: Liaoning"),
                            ("cn-heilongjiang", "China: Heilongjiang"),
                            ("cn-shandong", "China: Shandong"),
                            ("cn-beijing", "China: Beijing"),
                            ("cn-inner-mongolia", "China: Inner Mongolia"),
                            ("cn-other", "China: other province"),
                            ("kp", "North Korea"),
                            ("kr", "South Korea"),
                            ("third-country", "Third country (transit)"),
                            ("other", "Other"),
                            ("unknown", "Unknown"),
                        ],
                        default="unknown",
                        max_length=20,
                        verbose_name="province or region",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
            ],
            options={
                "verbose_name": "person",
                "verbose_name_plural": "people",
                "ordering": ["reference"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("birth_year__isnull", True), ("birth_year__gte", 1900), _connector="OR"
                        ),
                        name="casework_person_birth_year_plausible",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CheckInSchedule",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "every_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        verbose_name="every (days)",
                    ),
                ),
                (
                    "on_dates",
                    casework.models.checkins.DateListField(
                        blank=True, default=list, verbose_name="on dates"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="starts on")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("visit", "Visit"),
                            ("call", "Call"),
                            ("messenger", "Messenger"),
                            ("contact", "Via a contact"),
                        ],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "grace_days",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[django.core.validators.MaxValueValidator(30)],
                        verbose_name="grace period (days)",
                    ),
                ),
                (
                    "duress_word",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=100, verbose_name="duress word"
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_in_schedules",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_in_schedule",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "check-in schedule",
                "verbose_name_plural": "check-in schedules",
            },
        ),
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("safe", "Safe"),
                            ("needs_help", "Safe but needs help"),
                            ("no_contact", "No contact"),
                            ("distress", "Distress"),
                        ],
                        max_length=10,
                        verbose_name="outcome",
                    ),
                ),
                ("duress", models.BooleanField(default=False, editable=False)),
                ("note", vault.fields.EncryptedTextField(blank=True, verbose_name="note")),
                ("day", models.DateField(verbose_name="day")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "schedule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="casework.checkinschedule",
                        verbose_name="schedule",
                    ),
                ),
            ],
            options={
                "verbose_name": "check-in",
                "verbose_name_plural": "check-ins",
                "ordering": ["-recorded_at"],
            },
        ),
        migrations.CreateModel(
            name="Escalation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("missed", "Missed: caseworker alerted"),
                            ("overdue", "Missed past the grace period: supervisors alerted"),
                            ("distress", "Distress: caseworker and supervisors alerted"),
                        ],
                        max_length=10,
                        verbose_name="level",
                    ),
                ),
                ("due_on", models.DateField(blank=True, null=True, verbose_name="due on")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "check_in",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalation",
                        to="casework.checkin",
                        verbose_name="check-in",
                    ),
                ),
                (
                    "schedule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="casework.checkinschedule",
                        verbose_name="schedule",
                    ),
                ),
            ],
            options={
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="LegalStatusRecord",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("undocumented_cn", "Undocumented in China"),
                            ("detained_cn", "Detained in China"),
                            ("repatriated", "Repatriated to North Korea"),
                            ("in_transit", "In transit (third country)"),
                            ("unhcr", "Under UNHCR protection"),
                            ("rok_protection", "In South Korean protection"),
                            ("resettled_rok", "Resettled in South Korea"),
                            ("resettled_other", "Resettled elsewhere"),
                            ("child_registered", "Child registered (hukou)"),
                            ("stateless", "Stateless"),
                            ("deceased", "Deceased"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("effective_from", models.DateField(verbose_name="effective from")),
                (
                    "effective_to",
                    models.DateField(blank=True, null=True, verbose_name="effective to"),
                ),
                (
                    "country",
                    models.CharField(
                        choices=[
                            ("CN", "China"),
                            ("KP", "North Korea"),
                            ("KR", "South Korea"),
                            ("XT", "Third country (transit)"),
                            ("XX", "Other"),
                            ("ZZ", "Unknown"),
                        ],
                        default="ZZ",
                        max_length=2,
                        verbose_name="country",
                    ),
                ),
                (
                    "place",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=200, verbose_name="place"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("caseworker", "Caseworker's own observation"),
                            ("family", "Reported by family"),
                            ("document", "Official document"),
                            ("partner_ngo", "Partner organisation"),
                            ("media", "Media report"),
                            ("other", "Other"),
                        ],
                        default="caseworker",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                ("note", vault.fields.EncryptedTextField(blank=True, verbose_name="note")),
                (
                    "recorded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="recorded at"),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_records",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "since_birth",
                    models.BooleanField(
                        default=False,
                        help_text="The period began on the day the person was born.",
                        verbose_name="since birth",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "legal status record",
                "verbose_name_plural": "legal status records",
                "ordering": ["person", "effective_from"],
                "get_latest_by": "effective_from",
            },
        ),
        migrations.CreateModel(
            name="Incident",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "kind",
                    models.CharField(
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
                        verbose_name="kind",
                    ),
                ),
                ("occurred_on", models.DateField(verbose_name="occurred on")),
                (
                    "region",
                    models.CharField(
                        choices=[
                            ("cn-jilin", "China: Jilin"),
                            ("cn-jilin-yanbian", "China: Jilin, Yanbian Prefecture"),
                            ("cn-liaoning", "China: Liaoning"),
                            ("cn-heilongjiang", "China: Heilongjiang"),
                            ("cn-shandong", "China: Shandong"),
                            ("cn-beijing", "China: Beijing"),
                            ("cn-inner-mongolia", "China: Inner Mongolia"),
                            ("cn-other", "China: other province"),
                            ("kp", "North Korea"),
                            ("kr", "South Korea"),
                            ("third-country", "Third country (transit)"),
                            ("other", "Other"),
                            ("unknown", "Unknown"),
                        ],
                        default="unknown",
                        max_length=20,
                        verbose_name="province or region",
                    ),
                ),
                (
                    "description",
                    vault.fields.EncryptedTextField(blank=True, verbose_name="description"),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="recorded at"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incidents",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
                (
                    "people",
                    models.ManyToManyField(
                        blank=True,
                        related_name="incidents",
                        to="casework.person",
                        verbose_name="people involved",
                    ),
                ),
            ],
            options={
                "verbose_name": "incident",
                "verbose_name_plural": "incidents",
                "ordering": ["-occurred_on"],
            },
        ),
        migrations.CreateModel(
            name="Goal",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                ("title", vault.fields.EncryptedCharField(max_length=200, verbose_name="goal")),
                ("why", vault.fields.EncryptedTextField(blank=True, verbose_name="why")),
                ("target_on", models.DateField(blank=True, null=True, verbose_name="target date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("achieved", "Achieved"),
                            ("dropped", "Dropped"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="ended on")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="goals",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="goals",
                        to="casework.person",
                        verbose_name="for whom",
                    ),
                ),
                (
                    "responsible",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible",
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "goal",
                "verbose_name_plural": "goals",
                "ordering": ["status", "target_on", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Entitlement",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "kind",
                    models.CharField(
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
                        verbose_name="benefit",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("granted", "Granted"),
                            ("denied", "Denied"),
                            ("pending", "Pending"),
                            ("not_sought", "Not sought"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("as_of", models.DateField(verbose_name="as of")),
                ("note", vault.fields.EncryptedTextField(blank=True, verbose_name="note")),
                (
                    "recorded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="recorded at"),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entitlements",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "entitlement",
                "verbose_name_plural": "entitlements",
                "ordering": ["person", "kind", "-as_of", "-recorded_at"],
            },
        ),
        migrations.CreateModel(
            name="CaseMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("principal", "Principal"),
                            ("child", "Child"),
                            ("partner", "Partner"),
                            ("relative", "Relative"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="role in case",
                    ),
                ),
                ("added_at", models.DateTimeField(auto_now_add=True, verbose_name="added")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "case member",
                "verbose_name_plural": "case members",
            },
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("file", models.FileField(upload_to="attachments/%Y/%m/", verbose_name="file")),
                (
                    "original_name",
                    vault.fields.EncryptedCharField(max_length=255, verbose_name="file name"),
                ),
                (
                    "description",
                    vault.fields.EncryptedTextField(blank=True, verbose_name="description"),
                ),
                ("content_type", models.CharField(max_length=100, verbose_name="content type")),
                ("size", models.PositiveIntegerField(verbose_name="size in bytes")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded")),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attachments",
                        to="casework.person",
                        verbose_name="about person",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ["-uploaded_at"],
            },
        ),
        migrations.CreateModel(
            name="PersonAlias",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", vault.fields.EncryptedCharField(max_length=200, verbose_name="name")),
                (
                    "name_index",
                    vault.fields.BlindIndexField(db_index=True, scope="person-name", source="name"),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "alias",
                "verbose_name_plural": "aliases",
            },
        ),
        migrations.CreateModel(
            name="NameKey",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("full", "Full name"),
                            ("hangul", "Korean reading"),
                            ("roman", "Romanised name"),
                            ("pinyin", "Pinyin"),
                            ("family_initial", "Family name and initial"),
                            ("family", "Family name"),
                            ("given", "Given name"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("digest", models.CharField(max_length=32, verbose_name="digest")),
                (
                    "alias",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="casework.personalias",
                        verbose_name="alias",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_keys",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                ("reference", models.CharField(max_length=12, verbose_name="reference")),
            ],
            options={
                "verbose_name": "name key",
                "verbose_name_plural": "name keys",
            },
        ),
        migrations.CreateModel(
            name="PlanReview",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "reviewed_on",
                    models.DateField(default=casework.dates.today, verbose_name="reviewed on"),
                ),
                ("note", vault.fields.EncryptedTextField(verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="written")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plan_reviews",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "plan review",
                "verbose_name_plural": "plan reviews",
                "ordering": ["-reviewed_on", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="RecordRevision",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("object_id", models.UUIDField(verbose_name="record")),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                (
                    "action",
                    models.CharField(
                        choices=[("corrected", "Corrected"), ("voided", "Voided")],
                        max_length=10,
                        verbose_name="action",
                    ),
                ),
                (
                    "fields",
                    models.JSONField(blank=True, default=list, verbose_name="fields changed"),
                ),
                (
                    "earlier",
                    vault.fields.EncryptedJSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="earlier values",
                    ),
                ),
                ("reason", vault.fields.EncryptedTextField(blank=True, verbose_name="reason")),
                ("made_at", models.DateTimeField(auto_now_add=True, verbose_name="made at")),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="kind of record",
                    ),
                ),
                (
                    "made_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="made by",
                    ),
                ),
            ],
            options={
                "verbose_name": "record revision",
                "verbose_name_plural": "record revisions",
                "ordering": ["content_type", "object_id", "number"],
            },
        ),
        migrations.CreateModel(
            name="Relationship",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("parent_of", "is parent of"),
                            ("partner_of", "is partner of"),
                            ("spouse_of", "is spouse of"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "marriage_registered",
                    models.BooleanField(
                        blank=True,
                        help_text="For couples: whether the marriage is registered with the authorities.",
                        null=True,
                        verbose_name="marriage registered",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "from_person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relationships_from",
                        to="casework.person",
                        verbose_name="from person",
                    ),
                ),
                (
                    "to_person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="relationships_to",
                        to="casework.person",
                        verbose_name="to person",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
            ],
            options={
                "verbose_name": "relationship",
                "verbose_name_plural": "relationships",
            },
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "title",
                    vault.fields.EncryptedCharField(max_length=200, verbose_name="what to do"),
                ),
                ("due_on", models.DateField(blank=True, null=True, verbose_name="due on")),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tasks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "completed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="completed by",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "void_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, editable=False, null=True, verbose_name="why it was voided"
                    ),
                ),
                (
                    "voided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="voided"
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voided by",
                    ),
                ),
                (
                    "follows",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="next_one",
                        to="casework.task",
                        verbose_name="follows",
                    ),
                ),
                ("reminded_due_on", models.DateField(blank=True, editable=False, null=True)),
                ("reminded_overdue_on", models.DateField(blank=True, editable=False, null=True)),
                (
                    "repeat_every",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="repeat every",
                    ),
                ),
                (
                    "repeat_unit",
                    models.CharField(
                        choices=[("days", "days"), ("weeks", "weeks")],
                        default="days",
                        max_length=5,
                        verbose_name="unit",
                    ),
                ),
                (
                    "repeat_until",
                    models.DateField(blank=True, null=True, verbose_name="repeat until"),
                ),
                (
                    "repeat_while",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "no condition"),
                            ("detained", "while a member of the case is detained"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="repeat while",
                    ),
                ),
                (
                    "goal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="steps",
                        to="casework.goal",
                        verbose_name="goal",
                    ),
                ),
                (
                    "title_key",
                    models.CharField(blank=True, default="", editable=False, max_length=30),
                ),
                ("title_params", models.JSONField(blank=True, default=dict, editable=False)),
            ],
            options={
                "verbose_name": "task",
                "verbose_name_plural": "tasks",
                "ordering": ["completed_at", "due_on"],
            },
        ),
        migrations.CreateModel(
            name="BreakGlassAccess",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("reason", vault.fields.EncryptedTextField(verbose_name="reason")),
                (
                    "granted_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="granted at"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="break_glass_accesses",
                        to="casework.case",
                        verbose_name="case",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="break_glass_accesses",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="administrator",
                    ),
                ),
            ],
            options={
                "verbose_name": "break-glass access",
                "verbose_name_plural": "break-glass accesses",
                "ordering": ["-granted_at"],
                "indexes": [
                    models.Index(
                        fields=["user", "expires_at"], name="casework_br_user_id_39dbd0_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("granted_at"))),
                        name="casework_break_glass_expires_after_grant",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="staff",
            field=models.ManyToManyField(
                related_name="assigned_cases",
                through="casework.CaseAssignment",
                through_fields=("case", "user"),
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned staff",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="people",
            field=models.ManyToManyField(
                related_name="cases",
                through="casework.CaseMember",
                to="casework.person",
                verbose_name="members",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseassignment",
            constraint=models.UniqueConstraint(
                fields=("case", "user", "role"), name="casework_assignment_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="caseclosure",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reopened_at__isnull", True)),
                fields=("case",),
                name="casework_one_standing_closure_per_case",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseflag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("case", "kind"),
                name="casework_one_active_flag_per_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseflag",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("active", True), ("cleared_at__isnull", False), _connector="OR"
                ),
                name="casework_cleared_flag_has_a_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseloadcount",
            constraint=models.UniqueConstraint(
                fields=("kind", "user", "team", "risk_level"),
                name="casework_caseload_count_once",
                nulls_distinct=False,
            ),
        ),
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["schedule", "day"], name="casework_ch_schedul_428e26_idx"),
        ),
        migrations.AddConstraint(
            model_name="escalation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("check_in__isnull", True)),
                fields=("schedule", "due_on", "level"),
                name="casework_escalation_once_per_miss",
            ),
        ),
        migrations.AddIndex(
            model_name="legalstatusrecord",
            index=models.Index(
                fields=["status", "effective_to"], name="casework_le_status_0a938c_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="legalstatusrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("effective_to__isnull", True), ("voided_at__isnull", True)),
                fields=("person",),
                name="casework_one_open_status_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="legalstatusrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("effective_to__isnull", True),
                    ("effective_to__gt", models.F("effective_from")),
                    _connector="OR",
                ),
                name="casework_status_ends_after_it_starts",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["kind", "occurred_on"], name="casework_in_kind_588f61_idx"),
        ),
        migrations.AddConstraint(
            model_name="goal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ended_on__isnull", True), ("status", "open")),
                    models.Q(
                        models.Q(("status", "open"), _negated=True), ("ended_on__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="casework_goal_ended_when_not_open",
            ),
        ),
        migrations.AddIndex(
            model_name="entitlement",
            index=models.Index(fields=["kind", "status"], name="casework_en_kind_4751e9_idx"),
        ),
        migrations.AddConstraint(
            model_name="casemember",
            constraint=models.UniqueConstraint(
                fields=("case", "person"), name="casework_member_once_per_case"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["team", "status", "risk_level"], name="casework_ca_team_id_d5b75d_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["risk_rank", "reference"], name="casework_case_risk_rank_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("closed_on__isnull", True),
                    ("closed_on__gte", models.F("opened_on")),
                    _connector="OR",
                ),
                name="casework_case_closes_after_it_opens",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(
                fields=["digest", "reference"],
                include=("person", "alias", "kind"),
                name="casework_namekey_digest_ref",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(fields=["person", "digest"], name="casework_namekey_person"),
        ),
        migrations.AddConstraint(
            model_name="recordrevision",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id", "number"),
                name="casework_revision_once_per_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="relationship",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_person", models.F("to_person")), _negated=True),
                name="casework_relationship_not_to_self",
            ),
        ),
        migrations.AddConstraint(
            model_name="relationship",
            constraint=models.UniqueConstraint(
                condition=models.Q(("voided_at__isnull", True)),
                fields=("from_person", "to_person", "kind"),
                name="casework_relationship_unique",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["assignee", "completed_at", "due_on"], name="casework_ta_assigne_5ece0f_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("completed_at__isnull", True)),
                fields=["due_on"],
                name="casework_task_open_due",
            ),
        ),
        *_replaced("0005_performance_indexes").Migration.operations,
        *_replaced("0017_detained_now_index").Migration.operations,
        migrations.RunPython(_caseload_counts.create_triggers, _caseload_counts.drop_triggers),
    ]
