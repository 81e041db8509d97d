"""
The records a case holds: notes, tasks, incidents and attachments.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from casework import services
from casework.downloads import attachment_response
from casework.models import Attachment, CaseNote, Incident, Task

from .. import filters
from ..permissions import require_edit
from ..serializers.records import (
    AttachmentListSerializer,
    AttachmentSerializer,
    CaseNoteListSerializer,
    CaseNoteSerializer,
    DetentionResultSerializer,
    DetentionSerializer,
    IncidentListSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    TaskCompleteSerializer,
    TaskListSerializer,
    TaskSerializer,
)
from .common import AuditedRetrieveMixin, CaseworkViewSet, responses, writing
from .corrections import CorrectableMixin, correctable


@extend_schema_view(
    list=extend_schema(summary=_("Notes on cases you may see")),
    retrieve=extend_schema(responses=responses({200: CaseNoteSerializer}, 404)),
    create=extend_schema(
        summary=_("Write a note on a case"),
        responses=writing({201: CaseNoteSerializer}),
    ),
)
@correctable(CaseNoteSerializer)
class CaseNoteViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Caseworkers' notes on a case, newest first."""

    model = CaseNote
    lookup_url_kwarg = "note_id"
    serializer_class = CaseNoteSerializer
    list_serializer_class = CaseNoteListSerializer
    filterset_class = filters.CaseNoteFilter

    def get_queryset(self):
        return super().get_queryset().select_related("case", "author")

    def perform_create(self, serializer):
        fields = serializer.validated_data
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.case_note_add(actor=self.request.user, **fields)


@extend_schema_view(
    list=extend_schema(summary=_("Follow-ups on cases you may see")),
    retrieve=extend_schema(responses=responses({200: TaskSerializer}, 404)),
    create=extend_schema(
        summary=_("Set a follow-up on a case"),
        responses=writing({201: TaskSerializer}),
    ),
)
@correctable(TaskSerializer)
class TaskViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Follow-ups: something someone must do for a case by a date."""

    model = Task
    lookup_url_kwarg = "task_id"
    filterset_class = filters.TaskFilter

    def get_queryset(self):
        return (
            super().get_queryset().select_related("case", "assignee", "completed_by", "created_by")
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.task_create(actor=self.request.user, **fields)

    def get_serializer_class(self):
        if self.action == "list":
            return TaskListSerializer
        if self.action == "complete":
            return TaskCompleteSerializer
        return TaskSerializer

    @extend_schema(
        summary=_("Mark a follow-up done"),
        description=_("Send the `version` you read to be refused (409) if the task changed since."),
        request=TaskCompleteSerializer,
        responses=writing({200: TaskSerializer}, update=True),
        operation_id="tasks_complete",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, task_id=None):
        task = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.task_complete(
            task=task, actor=request.user, expected_version=serializer.validated_data.get("version")
        )
        data = TaskSerializer(self.refreshed(task), context=self.get_serializer_context()).data
        return Response(data)


@extend_schema_view(
    list=extend_schema(summary=_("Incidents on cases you may see")),
    retrieve=extend_schema(responses=responses({200: IncidentSerializer}, 404)),
    create=extend_schema(
        summary=_("Record an incident on a case"),
        responses=writing({201: IncidentSerializer}),
    ),
    update=extend_schema(
        summary=_("Correct an incident"),
        responses=writing({200: IncidentSerializer}, update=True),
    ),
    partial_update=extend_schema(
        summary=_("Correct an incident"),
        responses=writing({200: IncidentSerializer}, update=True),
    ),
)
@correctable(IncidentSerializer)
class IncidentViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Dated events in a case: a raid, an arrest, a refusal, a deportation."""

    model = Incident
    lookup_url_kwarg = "incident_id"
    filterset_class = filters.IncidentFilter

    def get_serializer_class(self):
        if self.action == "list":
            return IncidentListSerializer
        if self.action in ("update", "partial_update"):
            return IncidentUpdateSerializer
        return IncidentSerializer

    def get_queryset(self):
        return (
            super().get_queryset().select_related("case", "recorded_by").prefetch_related("people")
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        incident = services.incident_record(actor=self.request.user, **fields)
        serializer.instance = self.refreshed(incident)

    @extend_schema(
        summary=_("Record an arrest or detention, and what it changes, in one step"),
        description=_(
            "As on the page: unless told not to, the people involved become “Detained in "
            "China” from that day (say how you know in `status_source`), the case's flag “A "
            "member is detained” is raised and its risk becomes High. If one part is refused, "
            "nothing is saved."
        ),
        request=DetentionSerializer,
        responses=writing({201: DetentionResultSerializer}),
        operation_id="incidents_detention",
    )
    @action(detail=False, methods=["post"], url_path="detention")
    def detention(self, request):
        payload = DetentionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        options = {name: fields.pop(name, "") for name in DetentionSerializer.DETENTION_FIELDS}
        require_edit(request.user, fields["case"])
        recorded = services.detention_record(actor=request.user, **fields, **options)
        data = DetentionResultSerializer(
            {
                "incident": self.refreshed(recorded.incident),
                "detained": [person.reference for person in recorded.detained],
                "flag_raised": recorded.flag is not None,
                "risk_raised": recorded.risk_raised,
            },
            context=self.get_serializer_context(),
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        fields, version = self.changes(serializer)
        incident = services.incident_update(
            incident=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            reason=fields.pop("reason", ""),
            **fields,
        )
        serializer.instance = self.refreshed(incident)


@extend_schema_view(
    list=extend_schema(summary=_("Files kept with cases you may see")),
    retrieve=extend_schema(responses=responses({200: AttachmentSerializer}, 404)),
    create=extend_schema(
        summary=_("Upload a file to a case (encrypted at rest)"),
        request={"multipart/form-data": AttachmentSerializer},
        responses=writing({201: AttachmentSerializer}),
    ),
)
@correctable(AttachmentSerializer)
class AttachmentViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Files kept with a case, encrypted at rest and served only by the audited download."""

    model = Attachment
    lookup_url_kwarg = "attachment_id"
    serializer_class = AttachmentSerializer
    list_serializer_class = AttachmentListSerializer
    filterset_class = filters.AttachmentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return super().get_queryset().select_related("case", "person", "uploaded_by")

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.attachment_add(
            actor=self.request.user, uploaded_file=fields.pop("file"), **fields
        )

    @extend_schema(
        summary=_("Download the file (decrypted; the download is audited)"),
        responses=responses(
            {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, 404
        ),
        operation_id="attachments_download",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, attachment_id=None):
        attachment = self.get_object()
        return attachment_response(attachment, actor=request.user, request=request)
