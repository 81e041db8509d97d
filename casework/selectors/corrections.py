"""
Records in force or with the voided ones, and a record's history: what each correction replaced,
and its void.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Correctable, RecordRevision


def records(model, *, include_voided: bool = False):
    """A record kind's rows in force, or with the voided ones for who asked to see them."""
    return model.with_voided.all() if include_voided else model.objects.all()


@dataclass(frozen=True)
class Revision:
    revision: RecordRevision
    earlier: list[tuple[str, object]]  # (field label, value as shown)


def record_revisions(record: Correctable) -> list[Revision]:
    """The corrections and void of a record, newest first, with the values they replaced."""
    revisions = record.revisions.select_related("made_by").order_by("-number")
    return [
        Revision(
            revision=revision,
            earlier=[
                _shown(record, name, value)
                for name, value in sorted(revision.earlier.items())
                if name in record.correctable_fields
            ],
        )
        for revision in revisions
    ]


def _shown(record, name: str, value) -> tuple[str, object]:
    field = record._meta.get_field(name)
    label = capfirst(field.verbose_name)
    if value is None or value == "":
        return label, "—"
    if field.choices:
        return label, dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField):
        # Written as every page writes a date (config/formats), not as it is stored.
        return label, date_format(datetime.date.fromisoformat(value))
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return label, getattr(related, "reference", None) or str(related or "—")
    if isinstance(value, bool):
        return label, _("Yes") if value else _("No")
    return label, value
