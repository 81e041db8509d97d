"""
The shapes of casework records in the API. Serializers check the shape of a request and name the
records it points to; the rules live in casework.services, which the viewsets call. Encrypted
fields read and write as plain JSON values: the model attribute decrypts and encrypts them.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, TeamMembership
from casework.choices import MemberRole
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Relationship,
    Task,
)

User = get_user_model()


def _user(serializer_field):
    return serializer_field.context["request"].user


NOT_FOUND = _("No such record among those you may see.")


class VisibleReferenceField(serializers.SlugRelatedField):
    """
    A person or case named by its reference. Only records the requesting user may see are
    found; any other reference is not found, whether or not it exists, and is not echoed back.
    """

    default_error_messages = {"does_not_exist": NOT_FOUND}

    def __init__(self, model, **kwargs):
        kwargs.setdefault("slug_field", "reference")
        if not kwargs.get("read_only"):
            # The unscoped queryset only tells the schema generator what the field points to.
            kwargs.setdefault("queryset", model.objects.all())
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(_user(self))


class ColleagueField(serializers.SlugRelatedField):
    """A staff member named by username, among the active members of the requester's teams."""

    default_error_messages = {"does_not_exist": _("No such colleague in your teams.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        teams = TeamMembership.objects.filter(user=_user(self)).values("team")
        return User.objects.filter(is_active=True, team_memberships__team__in=teams).distinct()


class VersionField(serializers.IntegerField):
    """The version a client read; sent back on update, a stale one is refused with 409."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "The version of the record as you read it. Send it back when you update the "
                "record: if someone changed it since, the update is refused with 409 Conflict."
            ),
        )
        super().__init__(**kwargs)


def model_default(model, name: str):
    """A field left out of a request takes the model's default, which the services expect."""
    return {"default": model._meta.get_field(name).default}


def staff_field():
    """A staff member shown by username."""
    return serializers.SlugRelatedField(slug_field="username", read_only=True)


def listed(serializer_class, *, hidden: tuple[str, ...]) -> type[serializers.ModelSerializer]:
    """
    The read-only shape of `serializer_class` in a list: without the encrypted fields in `hidden`.
    A list is not audited record by record (it would be a view of every row), so it shows only
    what is stored in plain columns; the audited detail shows the rest.
    """
    meta = serializer_class.Meta
    fields = [field for field in meta.fields if field not in hidden]
    name = serializer_class.__name__.replace("Serializer", "ListSerializer")
    list_meta = type("Meta", (meta,), {"fields": fields, "read_only_fields": fields})
    # None takes a declared field (the upload's `file`) out of the subclass.
    attrs = {name: None for name in hidden if name in serializer_class._declared_fields}
    attrs |= {"Meta": list_meta, "__module__": __name__, "__doc__": serializer_class.__doc__}
    return type(serializer_class)(name, (serializer_class,), attrs)


# People


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 200}})
class AliasNamesField(serializers.ListField):
    """Other names a person is known by: written as a list of strings, read the same way."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, data):
        return [alias.name for alias in data.all()]


class PersonListSerializer(serializers.ModelSerializer):
    """
    A person in a list or a search result: the reference and coarse facts, nothing decrypted. A
    list is not audited person by person, so it must not show what only an audited read may.
    """

    class Meta:
        model = Person
        fields = ["reference", "role", "sex", "birth_year", "nationality", "region"]
        read_only_fields = fields


class PersonSearchSerializer(serializers.Serializer):
    """A name searched for: sent in the body, so that it stays out of addresses and logs."""

    name = serializers.CharField(
        max_length=200,
        help_text=_(
            "A full name or alias exactly as recorded; case, spacing, punctuation and Unicode "
            "form do not matter."
        ),
    )


class PersonSerializer(serializers.ModelSerializer):
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

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "case", "case_role"]
        read_only_fields = [*PersonSerializer.Meta.read_only_fields, "version"]


class AliasSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class RelationshipSerializer(serializers.ModelSerializer):
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


class RelationshipUpdateSerializer(RelationshipSerializer):
    """Who a tie joins does not change (record another tie instead); what kind of tie it is may."""

    from_person = VisibleReferenceField(Person, read_only=True)
    to_person = VisibleReferenceField(Person, read_only=True)


class LegalStatusRecordSerializer(serializers.ModelSerializer):
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
        ]
        # A start on the date of birth is stored as `since_birth` (see the model).
        read_only_fields = ["id", "since_birth", "effective_to", "recorded_at"]
        extra_kwargs = {
            "country": model_default(LegalStatusRecord, "country"),
            "source": model_default(LegalStatusRecord, "source"),
        }
        validators = []


LegalStatusRecordListSerializer = listed(LegalStatusRecordSerializer, hidden=("place", "note"))


class PastLegalStatusRecordSerializer(LegalStatusRecordSerializer):
    """A past period filled into the timeline: it has an end and may overlap no other record."""

    class Meta(LegalStatusRecordSerializer.Meta):
        read_only_fields = ["id", "since_birth", "recorded_at"]
        extra_kwargs = {
            **LegalStatusRecordSerializer.Meta.extra_kwargs,
            "effective_to": {"required": True, "allow_null": False},
        }


class EntitlementSerializer(serializers.ModelSerializer):
    person = VisibleReferenceField(Person)
    recorded_by = staff_field()

    class Meta:
        model = Entitlement
        fields = ["id", "person", "kind", "status", "as_of", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]


EntitlementListSerializer = listed(EntitlementSerializer, hidden=("note",))


# Cases and what hangs off them


class CaseMemberSerializer(serializers.ModelSerializer):
    person = VisibleReferenceField(Person)

    class Meta:
        model = CaseMember
        fields = ["person", "role"]
        validators = []


class CaseAssignmentSerializer(serializers.ModelSerializer):
    user = staff_field()

    class Meta:
        model = CaseAssignment
        fields = ["user", "role"]
        read_only_fields = fields


class TeamField(serializers.PrimaryKeyRelatedField):
    """One of the requester's teams (whether their role there lets them open a case is checked later)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Team.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        return Team.objects.filter(memberships__user=_user(self))


class CaseListSerializer(serializers.ModelSerializer):
    """A case in a list: plain columns only, so a page of cases decrypts nothing."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    owner = staff_field()
    member_count = serializers.IntegerField(
        read_only=True, help_text=_("How many people the case has.")
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "team",
            "team_name",
            "owner",
            "status",
            "risk_level",
            "member_count",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = fields


class CaseSearchSerializer(serializers.Serializer):
    """What the case search takes: in the body, so that a name stays out of addresses and logs."""

    q = serializers.CharField(
        max_length=200,
        help_text=_(
            "A case reference (C-…), a person reference (P-…), or a person's full name or alias "
            "exactly as recorded (upper or lower case does not matter)."
        ),
    )


class CaseSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    owner = staff_field()
    members = CaseMemberSerializer(many=True, read_only=True)
    assignments = CaseAssignmentSerializer(many=True, read_only=True)
    version = VersionField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "team",
            "team_name",
            "owner",
            "status",
            "risk_level",
            "summary",
            "opened_on",
            "closed_on",
            "members",
            "assignments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "team", "opened_on", "created_at", "updated_at"]


class CaseCreateSerializer(serializers.ModelSerializer):
    """A new case of one of the requester's teams; the requester owns it and works it."""

    team = TeamField()
    members = CaseMemberSerializer(many=True, required=False)

    class Meta:
        model = Case
        fields = ["team", "risk_level", "summary", "members"]
        extra_kwargs = {"risk_level": model_default(Case, "risk_level")}


class CaseNoteSerializer(serializers.ModelSerializer):
    case = VisibleReferenceField(Case)
    author = staff_field()

    class Meta:
        model = CaseNote
        fields = ["id", "case", "author", "kind", "contacted_on", "body", "created_at"]
        read_only_fields = ["id", "created_at"]
        # The writer says how and when the contact took place, as on the page.
        extra_kwargs = {"contacted_on": {"required": True}}


CaseNoteListSerializer = listed(CaseNoteSerializer, hidden=("body",))


class TaskSerializer(serializers.ModelSerializer):
    case = VisibleReferenceField(Case)
    assignee = ColleagueField(required=False, allow_null=True)
    completed_by = staff_field()
    created_by = staff_field()
    is_done = serializers.BooleanField(read_only=True)
    version = VersionField()

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "title",
            "due_on",
            "assignee",
            "is_done",
            "completed_at",
            "completed_by",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "completed_at", "created_at"]


TaskListSerializer = listed(TaskSerializer, hidden=("title",))


class IncidentSerializer(serializers.ModelSerializer):
    case = VisibleReferenceField(Case)
    people = VisibleReferenceField(Person, many=True, required=False)
    recorded_by = staff_field()
    version = VersionField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "region",
            "description",
            "people",
            "recorded_by",
            "recorded_at",
            "version",
        ]
        read_only_fields = ["id", "recorded_at"]
        extra_kwargs = {"region": model_default(Incident, "region")}


class IncidentUpdateSerializer(IncidentSerializer):
    """An incident stays with its case; `people`, when sent, replaces those it involved."""

    case = VisibleReferenceField(Case, read_only=True)


IncidentListSerializer = listed(IncidentSerializer, hidden=("description",))


class TaskCompleteSerializer(serializers.Serializer):
    version = VersionField()


class AttachmentSerializer(serializers.ModelSerializer):
    case = VisibleReferenceField(Case)
    person = VisibleReferenceField(Person, required=False, allow_null=True)
    file = serializers.FileField(
        write_only=True,
        help_text=_(
            "The file: a PDF, a photo (JPEG, PNG, WebP, HEIC), plain text, or a Word or "
            "OpenDocument text document. Its type is read from its content."
        ),
    )
    uploaded_by = staff_field()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "case",
            "person",
            "file",
            "original_name",
            "description",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
        ]


AttachmentListSerializer = listed(
    AttachmentSerializer, hidden=("file", "original_name", "description")
)


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field: 403, 404 or 409."""

    detail = serializers.CharField()
