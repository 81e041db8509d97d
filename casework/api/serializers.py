"""
The shapes of casework records in the API. Serializers check the shape of a request and name the
records it points to; the rules live in casework.services, which the viewsets call. Encrypted
fields read and write as plain JSON values: the model attribute decrypts and encrypts them.
"""

import copy

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Team, TeamMembership
from casework.choices import MemberRole, StatusSource
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    CheckIn,
    CheckInSchedule,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Relationship,
    Task,
)
from consent.forms import Answer
from consent.models import Consent, Method, NotAskedReason, Scope

User = get_user_model()


def _user(serializer_field):
    return serializer_field.context["request"].user


NOT_FOUND = _("No such record among those you may see.")


# DRF's ModelSerializer with its fields worked out once per class, not on every request.
#
# `ModelSerializer.get_fields()` reads the model's fields and builds a serializer field for each
# (labels, validators, choices): about 1 ms of a detail request's 15, the same answer every time,
# since it depends only on the class and its Meta. The fields built the first time are kept on
# the class and each serializer gets its own deep copy, as DRF itself copies the declared fields:
# a field is bound to one serializer (its parent and context), so no request ever shares a field
# instance with another. (Said here, not in a docstring: the schema would show a docstring as the
# description of every serializer without one of its own.)
class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        cls = type(self)
        # Looked up on this class only: a subclass has fields of its own.
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


# A detail's answer written by fields bound once per class, not copied and bound on every request.
#
# Even with the fields built once, `serializer.data` deep-copied and bound every field of the
# serializer and of each nested one (160 copies for a case: a tenth of a detail request's Python).
# A serializer with `ReadByKeptFields` writes its answer with one kept instance of its class
# instead, bound once: the same fields, the same `Serializer.to_representation`, so the same JSON
# byte for byte (tests/api/test_query_budget.py compares it with DRF's own path). Only for
# serializers whose read fields take nothing from the context (the request): the kept instance
# has none, and a field that asked would fail loudly rather than read another request's. Reading
# a bound field changes nothing in it, so requests (and threads) share it. Writes (validation)
# still go through the serializer's own fields, bound to its request.
class ReadByKeptFields:
    def to_representation(self, instance):
        cls = type(self)
        kept = cls.__dict__.get("_kept_reader")
        if kept is None:
            kept = cls()
            kept.fields  # noqa: B018 - built and bound now, once
            cls._kept_reader = kept
        return serializers.Serializer.to_representation(kept, instance)


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


def listed(serializer_class, *, hidden: tuple[str, ...]) -> type[ModelSerializer]:
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


# Consent: the answers of the page's consent part, checked by the page's own form.


class FormCheckedSerializer(serializers.Serializer):
    """
    A request checked by the web page's form, so that the API and the page decide alike: the
    fields here give the shape (and the schema), the form in the context under `form_key` the
    rules, and `result(form)` what the service is given.
    """

    form_key = ""

    def to_internal_value(self, data):
        super().to_internal_value(data)
        form = self.context[self.form_key](data)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): list(messages)
                    for name, messages in form.errors.items()
                }
            )
        return self.result(form)

    def result(self, form):
        return form.cleaned_data


class ConsentAnswerSerializer(FormCheckedSerializer):
    """
    What the person agreed to (`given`), what a parent or guardian agreed to for a child
    (`guardian`), or why they could not be asked (`not_asked`, with a documented reason). Adding
    a person on file to a case may also keep the consent on file (`on_file`).
    """

    form_key = "consent_form"

    consent = serializers.ChoiceField(choices=Answer.choices)
    scopes = serializers.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        help_text=_("Each on its own; keeping their details on file is needed to record anything."),
    )
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True)
    given_on = serializers.DateField(required=False, allow_null=True)
    guardian = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The reference of the parent or guardian in the case who answered."),
    )
    witnessed_by_user = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The username of the staff member who witnessed it."),
    )
    witnessed_by = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("An interpreter or relative present, if any. Stored encrypted."),
    )
    renew_by = serializers.DateField(required=False, allow_null=True)
    not_asked_reason = serializers.ChoiceField(
        choices=NotAskedReason.choices, required=False, allow_blank=True
    )
    explanation = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The documented reason. Stored encrypted.")
    )

    def result(self, form):
        """Under "services", the `consent=` argument of the services (None keeps the one on file)."""
        return {"services": form.consent_fields()}


class ConsentRenewSerializer(FormCheckedSerializer):
    """The person confirms what they agreed to: the same scopes, given again now."""

    form_key = "renew_form"

    method = serializers.ChoiceField(choices=Method.choices)
    given_on = serializers.DateField()
    witnessed_by_user = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The username of the staff member who witnessed it."),
    )
    witnessed_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    renew_by = serializers.DateField(required=False, allow_null=True)


class ConsentSerializer(ModelSerializer):
    """One consent record; the latest is in force."""

    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)
    guardian = serializers.SerializerMethodField(
        help_text=_("The parent or guardian who answered, if you may see them.")
    )
    witnessed_by_user = staff_field()
    recorded_by = staff_field()

    class Meta:
        model = Consent
        fields = [
            "id",
            "kind",
            "scopes",
            "method",
            "given_on",
            "renew_by",
            "guardian",
            "witnessed_by_user",
            "witnessed_by",
            "not_asked_reason",
            "explanation",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_guardian(self, consent) -> str | None:
        shown = self.context.get("guardians_shown", set())
        return consent.guardian.reference if consent.guardian_id in shown else None


# People


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


class FoundMixin(serializers.Serializer):
    """Why a search found the record: its rank (0 best) and the reason in words."""

    match_rank = serializers.IntegerField(
        source="match.rank",
        read_only=True,
        help_text=_(
            "-1 the reference, 0 the exact name or alias, 1 the whole name in another script "
            "or spelling, 2 the family name and the given name's initial, 3 the family name "
            "only, 4 the given name only."
        ),
    )
    match_reason = serializers.CharField(source="match.reason", read_only=True)


class PersonFoundSerializer(FoundMixin, PersonListSerializer):
    """A person a name search found, best first, with why."""

    class Meta(PersonListSerializer.Meta):
        fields = [*PersonListSerializer.Meta.fields, "match_rank", "match_reason"]
        read_only_fields = fields


class PersonSearchSerializer(serializers.Serializer):
    """A name searched for: sent in the body, so that it stays out of addresses and logs."""

    name = serializers.CharField(
        max_length=200,
        help_text=_(
            "A name or alias in any script or spelling: Hangul, Chinese characters (simplified "
            "or traditional), pinyin, any romanisation of a Korean name, or a family name alone."
        ),
    )


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


# Cases and what hangs off them


class CaseMemberSerializer(ReadByKeptFields, ModelSerializer):
    person = VisibleReferenceField(Person)

    class Meta:
        model = CaseMember
        fields = ["person", "role"]
        validators = []


class CaseAssignmentSerializer(ReadByKeptFields, ModelSerializer):
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


class CaseListSerializer(ModelSerializer):
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


class CaseFoundSerializer(FoundMixin, CaseListSerializer):
    """A case a search found, best first, with why and through whom."""

    match_person = serializers.CharField(
        source="match.person.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_(
            "The reference of the member whose name or alias matched (not always the "
            "principal); null when the case's or a member's reference matched."
        ),
    )

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "match_rank", "match_reason", "match_person"]
        read_only_fields = fields


class CaseSearchSerializer(serializers.Serializer):
    """What the case search takes: in the body, so that a name stays out of addresses and logs."""

    q = serializers.CharField(
        max_length=200,
        help_text=_(
            "A case reference (C-…), a person reference (P-…), or a member's name or alias in "
            "any script or spelling (as the person search takes it)."
        ),
    )


class CaseSerializer(ReadByKeptFields, ModelSerializer):
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


class CaseCreateSerializer(ModelSerializer):
    """A new case of one of the requester's teams; the requester owns it and works it."""

    team = TeamField()
    members = CaseMemberSerializer(many=True, required=False)

    class Meta:
        model = Case
        fields = ["team", "risk_level", "summary", "members"]
        extra_kwargs = {"risk_level": model_default(Case, "risk_level")}


class CaseNoteSerializer(ModelSerializer):
    case = VisibleReferenceField(Case)
    author = staff_field()

    class Meta:
        model = CaseNote
        fields = ["id", "case", "author", "kind", "contacted_on", "body", "created_at", "version"]
        read_only_fields = ["id", "created_at", "version"]
        # The writer says how and when the contact took place, as on the page.
        extra_kwargs = {"contacted_on": {"required": True}}


CaseNoteListSerializer = listed(CaseNoteSerializer, hidden=("body",))


class TaskSerializer(ModelSerializer):
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
            # How it repeats, as on the follow-up form: every N days or weeks, until a day or
            # while a member of the case is detained. The service's rules answer a 400.
            "repeat_every",
            "repeat_unit",
            "repeat_until",
            "repeat_while",
            "follows",
            "is_done",
            "completed_at",
            "completed_by",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "follows"]


TaskListSerializer = listed(TaskSerializer, hidden=("title",))


class IncidentSerializer(ModelSerializer):
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
    reason = reason_field(required=False, allow_blank=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "reason"]


IncidentListSerializer = listed(IncidentSerializer, hidden=("description",))


class TaskCompleteSerializer(serializers.Serializer):
    version = VersionField()


class AttachmentSerializer(ModelSerializer):
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
            "version",
        ]
        read_only_fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "version",
        ]


AttachmentListSerializer = listed(
    AttachmentSerializer, hidden=("file", "original_name", "description")
)


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


# Detention in one step: the incident page's options.


class DetentionSerializer(IncidentSerializer):
    """
    An arrest or detention and, in the same transaction, what it changes. As on the page, each
    change is made unless the request says not to.
    """

    set_detained = serializers.BooleanField(
        default=True,
        help_text=_(
            "Set the legal status of the people involved to “Detained in China” from that day."
        ),
    )
    status_source = serializers.ChoiceField(
        choices=StatusSource.choices,
        required=False,
        allow_blank=True,
        help_text=_("How you know of the detention (needed with `set_detained`)."),
    )
    raise_flag = serializers.BooleanField(
        default=True, help_text=_("Raise the flag “A member is detained” on the case.")
    )
    raise_risk = serializers.BooleanField(
        default=True, help_text=_("Raise the case's risk level to High.")
    )

    DETENTION_FIELDS = ("set_detained", "status_source", "raise_flag", "raise_risk")

    class Meta(IncidentSerializer.Meta):
        fields = [
            *IncidentSerializer.Meta.fields,
            "set_detained",
            "status_source",
            "raise_flag",
            "raise_risk",
        ]
        read_only_fields = [*IncidentSerializer.Meta.read_only_fields, "version"]


class DetentionResultSerializer(serializers.Serializer):
    incident = IncidentSerializer()
    detained = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The people whose status became “Detained in China” (not those already so)."),
    )
    flag_raised = serializers.BooleanField()
    risk_raised = serializers.BooleanField()


class MemberAddSerializer(serializers.Serializer):
    """A person on file joins the case, with their consent on file or what they agree to now."""

    person = VisibleReferenceField(Person)
    role = serializers.ChoiceField(choices=MemberRole.choices)
    consent = ConsentAnswerSerializer()


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field: 403, 404 or 409."""

    detail = serializers.CharField()


# Safety check-ins: the schedule and what check-ins found. Never the duress word, nor whether a
# check-in used it: the caseworker's phone must read as after a safe check-in.


class CheckInListSerializer(ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "day", "outcome", "recorded_at"]
        read_only_fields = fields


class CheckInScheduleSerializer(ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    recent_check_ins = serializers.SerializerMethodField()

    class Meta:
        model = CheckInSchedule
        fields = [
            "id",
            "person",
            "case",
            "every_days",
            "on_dates",
            "starts_on",
            "channel",
            "grace_days",
            "active",
            "version",
            "recent_check_ins",
        ]
        read_only_fields = fields

    @extend_schema_field(CheckInListSerializer(many=True))
    def get_recent_check_ins(self, schedule):
        recent = schedule.check_ins.order_by("-day", "-recorded_at")[:10]
        return CheckInListSerializer(recent, many=True).data


class CheckInRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CheckIn.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    duress_used = serializers.BooleanField(required=False, default=False)
    word_used = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
