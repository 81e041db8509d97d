"""
Safety check-ins: a schedule and what the check-ins found.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import CheckIn, CheckInSchedule

from .common import ModelSerializer

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
