"""
Intake's six migrations as one, for a new database: Django re-renders its migration state after
every operation (reloading the models related to the one changed, most of them here, since all
point at the user), so fewer operations make `migrate` cheaper. Databases that applied them keep
the migrations it replaces. Fields are in the column order those migrations left, so both ways
build the same tables.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import intake.models
import vault.fields


class Migration(migrations.Migration):
    replaces = [
        ("intake", "0001_initial"),
        ("intake", "0002_field_labels"),
        ("intake", "0003_duplicate_verdict_from_the_holding_team"),
        ("intake", "0004_intake_sent_back_and_decisions"),
        ("intake", "0005_import_reading_options"),
        ("intake", "0006_import_stop_and_pace"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0003_role_groups"),
        ("accounts", "0004_field_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("casework", "0001_initial"),
        ("casework", "0004_field_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportBatch",
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
                        default=intake.models.batch_reference,
                        editable=False,
                        max_length=12,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                ("file", models.FileField(blank=True, upload_to="imports/", verbose_name="file")),
                (
                    "original_name",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=255, verbose_name="file name"
                    ),
                ),
                ("file_format", models.CharField(max_length=4, verbose_name="format")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Uploaded"),
                            ("checking", "Checking"),
                            ("checked", "Checked"),
                            ("importing", "Importing"),
                            ("stopped", "Stopped"),
                            ("imported", "Imported"),
                            ("failed", "Could not be read"),
                        ],
                        default="uploaded",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                (
                    "processed_rows",
                    models.PositiveIntegerField(default=0, verbose_name="rows done"),
                ),
                (
                    "valid_rows",
                    models.PositiveIntegerField(default=0, verbose_name="rows without errors"),
                ),
                (
                    "created_count",
                    models.PositiveIntegerField(default=0, verbose_name="people created"),
                ),
                (
                    "queued_count",
                    models.PositiveIntegerField(default=0, verbose_name="sent for a decision"),
                ),
                (
                    "skipped_count",
                    models.PositiveIntegerField(default=0, verbose_name="already imported"),
                ),
                (
                    "report",
                    vault.fields.EncryptedJSONField(
                        blank=True, default=dict, verbose_name="report"
                    ),
                ),
                (
                    "failure",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="why it could not be read"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="imports",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
                (
                    "options",
                    vault.fields.EncryptedJSONField(
                        blank=True, null=True, verbose_name="reading options"
                    ),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                (
                    "started_from",
                    models.PositiveIntegerField(default=0, verbose_name="started from row"),
                ),
            ],
            options={
                "verbose_name": "spreadsheet import",
                "verbose_name_plural": "spreadsheet imports",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="IntakeSubmission",
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
                        default=intake.models.submission_reference,
                        editable=False,
                        max_length=12,
                        unique=True,
                        verbose_name="reference",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Awaiting a decision"),
                            ("returned", "Sent back for corrections"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("merged", "Merged into a person on file"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("consent", "Consent"),
                            ("identity", "Identity"),
                            ("family", "Family"),
                            ("situation", "Present situation"),
                            ("needs", "Needs and risk"),
                            ("review", "Review"),
                        ],
                        default="consent",
                        max_length=10,
                        verbose_name="step",
                    ),
                ),
                (
                    "answers",
                    vault.fields.EncryptedJSONField(
                        blank=True, default=dict, verbose_name="answers"
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted"),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "rejection_reason",
                    vault.fields.EncryptedTextField(
                        blank=True, verbose_name="reason for rejection"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.case",
                        verbose_name="case opened",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.person",
                        verbose_name="merged into",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="intakes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="caseworker",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="intakes",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "intake",
                "verbose_name_plural": "intakes",
                "ordering": ["-updated_at"],
            },
        ),
        migrations.CreateModel(
            name="IntakeDecision",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("submitted", "Submitted"),
                            ("returned", "Sent back for corrections"),
                            ("resubmitted", "Corrected and submitted again"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("merged", "Merged into a person on file"),
                        ],
                        max_length=12,
                        verbose_name="action",
                    ),
                ),
                ("reason", vault.fields.EncryptedTextField(blank=True, verbose_name="reason")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="when")),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decisions",
                        to="intake.intakesubmission",
                        verbose_name="intake",
                    ),
                ),
            ],
            options={
                "verbose_name": "intake decision",
                "verbose_name_plural": "intake decisions",
                "ordering": ["at"],
            },
        ),
        migrations.CreateModel(
            name="ImportedRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.PositiveIntegerField(verbose_name="row")),
                ("fingerprint", models.CharField(max_length=64, verbose_name="fingerprint")),
                ("imported_at", models.DateTimeField(auto_now_add=True, verbose_name="imported")),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="intake.importbatch",
                        verbose_name="import",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="intake.intakesubmission",
                        verbose_name="intake",
                    ),
                ),
            ],
            options={
                "verbose_name": "imported row",
                "verbose_name_plural": "imported rows",
            },
        ),
        migrations.CreateModel(
            name="DuplicateCandidate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject", models.CharField(max_length=20, verbose_name="who in the intake")),
                ("reasons", models.JSONField(default=list, verbose_name="reasons")),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="duplicates",
                        to="intake.intakesubmission",
                        verbose_name="intake",
                    ),
                ),
                (
                    "verdict",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not checked yet"),
                            ("different", "Not the same person"),
                            ("same", "The same person"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="verdict",
                    ),
                ),
                (
                    "verdict_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="checked at"),
                ),
                (
                    "verdict_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="checked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "duplicate candidate",
                "verbose_name_plural": "duplicate candidates",
                "ordering": ["subject", "person__reference"],
            },
        ),
        migrations.AddIndex(
            model_name="intakesubmission",
            index=models.Index(fields=["team", "status"], name="intake_inta_team_id_c78aee_idx"),
        ),
        migrations.AddConstraint(
            model_name="importedrow",
            constraint=models.UniqueConstraint(
                fields=("team", "fingerprint"), name="intake_row_imported_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="duplicatecandidate",
            constraint=models.UniqueConstraint(
                fields=("submission", "person", "subject"), name="intake_candidate_once"
            ),
        ),
    ]
