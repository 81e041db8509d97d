"""
People and what is recorded about them: a person (listed, read, created), aliases,
relationships, legal statuses and entitlements.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.choices import MemberRole
from casework.models import Case, Entitlement, LegalStatusRecord, Person, Relationship

from .common import (
    ModelSerializer,
    ReadByKeptFields,
    VersionField,
    VisibleReferenceField,
    listed,
    model_default,
    staff_field,
)
from .consent import ConsentAnswerSerializer


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 200}})
class AliasNamesField(serializers.ListField):
    """Other names a person is known by: written as a list of strings, read the same way."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, data):
        return [alias.name for alias in data.all()]


class PersonListSerializer(ModelSerializer):
    """
    A person in a list or a search result: the reference and coarse facts, nothing decrypted. A
    list is not audited person by person, so it must not show what only an audited read may.
    """

    class Meta:
        model = Person
        fields = ["reference", "role", "sex", "birth_year", "nationality", "region"]
        read_only_fields = fields


class PersonSerializer(ReadByKeptFields, ModelSerializer):
    aliases = AliasNamesField(read_only=True)
    version = VersionField()

    class Meta:
        model = Person
        fields = [
            "reference",
            "full_name",
            "aliases",
            "date_of_birth",
            "place_of_origin",
            "current_location",
            "contact",
            "notes",
            "sex",
            "birth_year",
            "nationality",
            "role",
            "region",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "created_at", "updated_at"]


class PersonCreateSerializer(PersonSerializer):
    """A new person joins a case at once: a person in no case would be visible to no one."""

    aliases = AliasNamesField(required=False)
    case = VisibleReferenceField(Case, write_only=True, help_text=_("The case they join."))
    case_role = serializers.ChoiceField(
        choices=MemberRole.choices, write_only=True, help_text=_("Their role in that case.")
    )
    consent = ConsentAnswerSerializer(
        write_only=True,
        help_text=_(
            "What they agreed to, or the documented reason they could not be asked, recorded "
            "with them (as on the page)."
        ),
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "case", "case_role", "consent"]
        read_only_fields = [*PersonSerializer.Meta.read_only_fields, "version"]


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class RelationshipSerializer(ModelSerializer):
    from_person = VisibleReferenceField(Person)
    to_person = VisibleReferenceField(Person)
    version = VersionField()

    class Meta:
        model = Relationship
        fields = [
            "id",
            "from_person",
            "kind",
            "to_person",
            "marriage_registered",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "created_at"]
        # The services hold the rules (uniqueness included), so they are not copied here.
        validators = []


def reason_field(**kwargs):
    return serializers.CharField(
        write_only=True,
        help_text=_("Why: kept with the record's history, for whoever reads it later."),
        **kwargs,
    )


class RelationshipUpdateSerializer(RelationshipSerializer):
    """Who a tie joins does not change (record another tie instead); what kind of tie it is may."""

    from_person = VisibleReferenceField(Person, read_only=True)
    to_person = VisibleReferenceField(Person, read_only=True)
    reason = reason_field(required=False, allow_blank=True)

    class Meta(RelationshipSerializer.Meta):
        fields = [*RelationshipSerializer.Meta.fields, "reason"]


class LegalStatusRecordSerializer(ModelSerializer):
    """A status change: the person's current status ends the day this one begins."""

    person = VisibleReferenceField(Person)
    recorded_by = staff_field()
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = LegalStatusRecord
        fields = [
            "id",
            "person",
            "status",
            "effective_from",
            "since_birth",
            "effective_to",
            "is_current",
            "country",
            "place",
            "source",
            "note",
            "recorded_by",
            "recorded_at",
            "version",
        ]
        # A start on the date of birth is stored as `since_birth` (see the model).
        read_only_fields = ["id", "since_birth", "effective_to", "recorded_at", "version"]
        extra_kwargs = {
            "country": model_default(LegalStatusRecord, "country"),
            "source": model_default(LegalStatusRecord, "source"),
        }
        validators = []


LegalStatusRecordListSerializer = listed(LegalStatusRecordSerializer, hidden=("place", "note"))


class PastLegalStatusRecordSerializer(LegalStatusRecordSerializer):
    """A past period filled into the timeline: it has an end and may overlap no other record."""

    class Meta(LegalStatusRecordSerializer.Meta):
        read_only_fields = ["id", "since_birth", "recorded_at", "version"]
        extra_kwargs = {
            **LegalStatusRecordSerializer.Meta.extra_kwargs,
            "effective_to": {"required": True, "allow_null": False},
        }


class EntitlementSerializer(ModelSerializer):
    person = VisibleReferenceField(Person)
    recorded_by = staff_field()

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "person",
            "kind",
            "status",
            "as_of",
            "note",
            "recorded_by",
            "recorded_at",
            "version",
        ]
        read_only_fields = ["id", "recorded_at", "version"]


EntitlementListSerializer = listed(EntitlementSerializer, hidden=("note",))
