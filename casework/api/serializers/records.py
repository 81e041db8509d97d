"""
The records a case holds: notes, tasks, incidents (and a detention in one step) and attachments.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casework.choices import StatusSource
from casework.models import Attachment, Case, CaseNote, Incident, Person, Task

from .common import (
    ColleagueField,
    ModelSerializer,
    VersionField,
    VisibleReferenceField,
    listed,
    model_default,
    staff_field,
)
from .people import reason_field


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
