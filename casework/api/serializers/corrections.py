"""
Corrections, voids and history of a record: the same services as the records/<kind>/<id>/ pages.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .common import ModelSerializer, VersionField
from .people import reason_field

# Corrections, voids and history: the same services as the records/<kind>/<id>/ pages.


def correction_serializer(serializer_class) -> type[ModelSerializer]:
    """
    What a correction of a record of `serializer_class` takes: any of the model's
    `correctable_fields` (as that serializer reads and writes them), the version read, and why.
    Fields left out keep their value; the record's own rules are the service's to check.
    """
    meta = serializer_class.Meta
    names = list(meta.model.correctable_fields)
    declared = serializer_class._declared_fields
    attrs = {
        # A declared field not corrected (the record's case) is taken out of the subclass.
        **{name: None for name in declared if name not in names},
        "reason": reason_field(),
        "version": VersionField(required=True),
        "__module__": __name__,
        "__doc__": _("A correction: the earlier values are kept in the record's history."),
    }
    for name in names:
        if name in declared:
            field = declared[name]
            # A field that reads a record (a person, an assignee) writes it too, when sent.
            attrs[name] = type(field)(*field._args, **{**field._kwargs, "required": False})
    correction_meta = type(
        "Meta",
        (),
        {
            "model": meta.model,
            "fields": [*names, "reason", "version"],
            "read_only_fields": [],
            "extra_kwargs": {name: {"required": False} for name in names if name not in declared},
            # The services hold the rules (uniqueness, dates, overlaps).
            "validators": [],
        },
    )
    attrs["Meta"] = correction_meta
    name = serializer_class.__name__.replace("Serializer", "CorrectionSerializer")
    return type(serializer_class)(name, (ModelSerializer,), attrs)


class VoidSerializer(serializers.Serializer):
    """A void: the record leaves the timeline, reports and documents; its history keeps it."""

    reason = reason_field()
    version = VersionField(required=True)


class RevisionSerializer(serializers.Serializer):
    """One correction or the void of a record: the values it replaced, who, when and why."""

    number = serializers.IntegerField(help_text=_("The version the earlier values belong to."))
    action = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())
    earlier = serializers.DictField(help_text=_("Field name: the value before this change."))
    reason = serializers.CharField()
    made_by = serializers.CharField(source="made_by.username", default=None)
    made_at = serializers.DateTimeField()


class RecordHistorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = serializers.CharField(allow_null=True)
    revisions = RevisionSerializer(many=True, help_text=_("Newest first."))
