"""
Consent's three migrations as one, for a new database (why: see casework's squashed migration);
databases that applied them keep the migrations it replaces.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import vault.fields


class Migration(migrations.Migration):
    replaces = [
        ("consent", "0001_initial"),
        ("consent", "0002_consent_kinds_guardian_renewal_not_asked"),
        ("consent", "0003_consent_identity_to_state"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("casework", "0001_initial"),
        ("casework", "0008_legal_status_since_birth"),
    ]

    operations = [
        migrations.CreateModel(
            name="Consent",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("verbal", "Verbally"),
                            ("written", "In writing"),
                            ("interpreter", "Through an interpreter"),
                        ],
                        max_length=12,
                        verbose_name="how it was given",
                    ),
                ),
                (
                    "witnessed_by",
                    vault.fields.EncryptedCharField(
                        blank=True, max_length=200, verbose_name="witnessed by"
                    ),
                ),
                (
                    "given_on",
                    models.DateField(
                        default=django.utils.timezone.localdate, verbose_name="given on"
                    ),
                ),
                (
                    "store_data",
                    models.BooleanField(default=False, verbose_name="Keep my details on file"),
                ),
                (
                    "share_with_advocates",
                    models.BooleanField(
                        default=False, verbose_name="Share my case with legal advocates"
                    ),
                ),
                (
                    "named_in_documents",
                    models.BooleanField(
                        default=False, verbose_name="Name me in advocacy documents"
                    ),
                ),
                (
                    "statistics",
                    models.BooleanField(
                        default=False, verbose_name="Count me in anonymised statistics"
                    ),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to="casework.person",
                        verbose_name="person",
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
                    "explanation",
                    vault.fields.EncryptedTextField(
                        blank=True, null=True, verbose_name="explanation"
                    ),
                ),
                (
                    "guardian",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.person",
                        verbose_name="given on their behalf by",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("given", "Consent given"),
                            ("renewed", "Consent renewed"),
                            ("withdrawn", "Consent withdrawn"),
                            ("not_asked", "Consent could not be asked"),
                        ],
                        default="given",
                        max_length=12,
                        verbose_name="what happened",
                    ),
                ),
                (
                    "not_asked_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            (
                                "too_young",
                                "A child too young to decide, with no parent or guardian to ask",
                            ),
                            ("unsafe", "Unsafe to ask now"),
                            ("cannot_decide", "Cannot decide now (illness, distress)"),
                            ("unreachable", "Not reachable (detained, moved, no safe contact)"),
                            ("other", "Another reason, explained below"),
                        ],
                        max_length=16,
                        verbose_name="why consent could not be asked",
                    ),
                ),
                (
                    "renew_by",
                    models.DateField(
                        blank=True,
                        help_text="When to ask the person again (for consent not asked: when to ask it).",
                        null=True,
                        verbose_name="renew by",
                    ),
                ),
                (
                    "witnessed_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="witnessed by (staff)",
                    ),
                ),
                (
                    "identity_to_state",
                    models.BooleanField(
                        default=False,
                        verbose_name="Let the UN give my identity to the Chinese government (UN communications)",
                    ),
                ),
            ],
            options={
                "verbose_name": "consent",
                "verbose_name_plural": "consents",
                "ordering": ["person", "-recorded_at"],
                "get_latest_by": "recorded_at",
                "indexes": [
                    models.Index(
                        fields=["person", "-recorded_at"], name="consent_con_person__c5d12f_idx"
                    )
                ],
            },
        ),
    ]
