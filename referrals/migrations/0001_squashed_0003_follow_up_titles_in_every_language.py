"""
Referrals' three migrations as one, for a new database (why: see intake's squashed migration);
databases that applied them keep the migrations it replaces. 0003 rewrote follow-up titles, rows
a new database does not have.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import vault.fields


class Migration(migrations.Migration):
    replaces = [
        ("referrals", "0001_providers_and_referrals"),
        ("referrals", "0002_referral_goal_step"),
        ("referrals", "0003_follow_up_titles_in_every_language"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0010_dashboard_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("casework", "0012_check_ins_and_notifications"),
        ("casework", "0018_case_plans_and_closures"),
        ("casework", "0020_generated_follow_up_titles"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceProvider",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", vault.fields.EncryptedCharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("lawyer", "Lawyer"),
                            ("clinic", "Clinic"),
                            ("shelter", "Shelter"),
                            ("school", "School"),
                            ("partner_ngo", "Partner NGO"),
                            ("unhcr", "UNHCR"),
                            ("embassy", "Embassy contact"),
                            ("other", "Other"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("languages", models.JSONField(blank=True, default=list, verbose_name="languages")),
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
                        max_length=32,
                        verbose_name="province or region",
                    ),
                ),
                (
                    "contact",
                    vault.fields.EncryptedTextField(
                        blank=True,
                        help_text="How to reach them safely: a contact person, a channel, a meeting place.",
                        verbose_name="safe contact details",
                    ),
                ),
                (
                    "safety_notes",
                    vault.fields.EncryptedTextField(
                        blank=True,
                        help_text="For example: never call directly; go through the partner NGO.",
                        verbose_name="notes on safety",
                    ),
                ),
                (
                    "shared",
                    models.BooleanField(
                        default=False,
                        help_text="Other teams see this provider in their directory and may refer to it.",
                        verbose_name="shared with other teams",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="in use")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
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
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_providers",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "service provider",
                "verbose_name_plural": "service providers",
                "ordering": ["kind", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Referral",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "service",
                    models.CharField(
                        choices=[
                            ("legal", "Legal advice or representation"),
                            ("medical", "Medical care"),
                            ("shelter", "Safe shelter"),
                            ("education", "School enrolment"),
                            ("registration", "Documents and registration"),
                            ("protection", "Protection or resettlement"),
                            ("psychosocial", "Psychosocial support"),
                            ("other", "Other service"),
                        ],
                        max_length=16,
                        verbose_name="service needed",
                    ),
                ),
                ("referred_on", models.DateField(verbose_name="date of referral")),
                (
                    "urgency",
                    models.CharField(
                        choices=[
                            ("routine", "Routine"),
                            ("soon", "Within a week"),
                            ("urgent", "Urgent"),
                            ("emergency", "Emergency"),
                        ],
                        default="routine",
                        max_length=12,
                        verbose_name="urgency",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("sent", "Sent"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("outcome", vault.fields.EncryptedTextField(blank=True, verbose_name="outcome")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="referrals",
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
                    "follow_up",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.task",
                        verbose_name="follow-up",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="referrals",
                        to="casework.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals",
                        to="referrals.serviceprovider",
                        verbose_name="provider",
                    ),
                ),
                (
                    "goal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="referral_steps",
                        to="casework.goal",
                        verbose_name="goal of the case plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "referral",
                "verbose_name_plural": "referrals",
                "ordering": ["-referred_on", "-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ReferralStatusChange",
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
                            ("planned", "Planned"),
                            ("sent", "Sent"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("changed_on", models.DateField(verbose_name="date")),
                ("changed_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "changed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="referrals.referral",
                        verbose_name="referral",
                    ),
                ),
            ],
            options={
                "verbose_name": "referral status change",
                "verbose_name_plural": "referral status changes",
                "ordering": ["changed_on", "changed_at"],
            },
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["case", "-referred_on"], name="referrals_r_case_id_152a4a_idx"
            ),
        ),
    ]
