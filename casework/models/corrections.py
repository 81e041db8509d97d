"""
Correct, don't erase. Every running record of a case or a person (note, follow-up, file, incident,
alias, family tie, status period, benefit) can be corrected or voided with a reason by whoever may
change it, and nothing it said is lost: each correction or void keeps the values it replaced in a
`RecordRevision`, encrypted like the record itself. A voided record stays in the database, out of
every page, report and document (`objects` leaves it out) until someone asks to see voided records.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedJSONField, EncryptedTextField
from vault.models import UUIDModel

from .base import Versioned


class Correctable(UUIDModel, Versioned):
    """What a record needs to be corrected and voided, with its history."""

    voided_at = models.DateTimeField(_("voided"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("voided by"),
    )
    # A reason may name the people the mistake was about, so it is encrypted.
    void_reason = EncryptedTextField(_("why it was voided"), null=True, blank=True, editable=False)
    # Deleted with the record (an erasure, a case deleted in the admin), never left behind.
    revisions = GenericRelation("casework.RecordRevision")

    # The fields a correction may change, in the order its form shows them (see services.corrections).
    correctable_fields: tuple[str, ...] = ()
    # The record's kind in the addresses of its correction pages (records/<kind>/<id>/...).
    record_kind: str = ""

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


def correctable_model(record_kind: str) -> type[Correctable] | None:
    """The model of a kind of record named in an address, or None for no such kind."""
    for model in Correctable.__subclasses__():
        if model.record_kind == record_kind:
            return model
    return None


class RecordRevision(UUIDModel):
    """
    What a record said before one correction or its void: the earlier values of the fields that
    changed (all correctable fields, for a void), who changed them, when and why. Values and
    reason are encrypted with the revision's own identity; the field names are not secret.
    """

    class Action(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        VOIDED = "voided", _("Voided")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.UUIDField(_("record"))
    record = GenericForeignKey("content_type", "object_id")
    # The record's version the earlier values belong to: 1 is what was first written.
    number = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    earlier = EncryptedJSONField(_("earlier values"), encoder=DjangoJSONEncoder, blank=True)
    reason = EncryptedTextField(_("reason"), blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["content_type", "object_id", "number"]
        verbose_name = _("record revision")
        verbose_name_plural = _("record revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"],
                name="casework_revision_once_per_version",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.content_type.model} · {self.number}"
