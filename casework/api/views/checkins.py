"""
Safety check-ins: the schedules of the cases the user sees, and recording what one found.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import services
from casework.models import CheckInSchedule

from ..serializers.checkins import (
    CheckInListSerializer,
    CheckInRecordSerializer,
    CheckInScheduleSerializer,
)
from .common import AuditedRetrieveMixin, CaseworkViewSet, writing


class CheckInScheduleViewSet(mixins.ListModelMixin, AuditedRetrieveMixin, CaseworkViewSet):
    """Safety check-in schedules of the cases the user sees; one tap records what one found."""

    model = CheckInSchedule
    lookup_url_kwarg = "schedule_id"
    serializer_class = CheckInScheduleSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("person", "case").order_by("starts_on", "pk")

    def get_serializer_class(self):
        if self.action == "record":
            return CheckInRecordSerializer
        return CheckInScheduleSerializer

    @extend_schema(
        summary=_("Record what a check-in found"),
        request=CheckInRecordSerializer,
        responses=writing({201: CheckInListSerializer}),
        operation_id="check_ins_record",
    )
    @action(detail=True, methods=["post"])
    def record(self, request, schedule_id=None):
        schedule = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_record(
            schedule=schedule, actor=request.user, **serializer.validated_data
        )
        return Response(CheckInListSerializer(check_in).data, status=status.HTTP_201_CREATED)
