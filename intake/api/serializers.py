from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from casework.choices import RiskLevel

from ..forms import STEPS
from ..models import ImportBatch, IntakeSubmission


class SubmissionSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="name", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    return_reason = serializers.CharField(
        read_only=True, help_text=_("Why a supervisor last sent the intake back, if they did.")
    )

    class Meta:
        model = IntakeSubmission
        fields = [
            "reference",
            "status",
            "team",
            "owner",
            "step",
            "submitted_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "return_reason",
            "case",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SubmissionListSerializer(SubmissionSerializer):
    """An intake in a list: without the encrypted reason for a rejection (the audited detail)."""

    class Meta(SubmissionSerializer.Meta):
        fields = [
            name
            for name in SubmissionSerializer.Meta.fields
            if name not in ("rejection_reason", "return_reason")
        ]
        read_only_fields = fields


class SubmissionCreateSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())


class StepSerializer(serializers.Serializer):
    """One step's answers, as the wizard's form would post them (field → value or list)."""

    step = serializers.ChoiceField(choices=list(STEPS))
    answers = serializers.DictField(child=serializers.JSONField())

    def validate_answers(self, answers):
        def as_list(value):
            values = value if isinstance(value, list) else [value]
            return ["" if item is None else str(item) for item in values]

        return {str(key): as_list(value) for key, value in answers.items()}


class StepResultSerializer(serializers.Serializer):
    step = serializers.CharField()
    valid = serializers.BooleanField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CandidateSerializer(serializers.Serializer):
    subject = serializers.CharField(help_text=_("Who in the intake: principal, partner, child-n."))
    reference = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), source="codes")
    full_name = serializers.CharField(
        allow_null=True,
        help_text=_("Only for a supervisor of the team who may see the person; else null."),
    )
    birth_year = serializers.IntegerField(allow_null=True)


class CandidatesSerializer(serializers.Serializer):
    candidates = CandidateSerializer(many=True)
    out_of_sight = serializers.BooleanField(
        help_text=_(
            "Someone out of your sight may be one of these people; who is told to the "
            "supervisors of the team that holds them, never here."
        )
    )
    message = serializers.CharField(allow_null=True)


class HeldHereSerializer(serializers.Serializer):
    """Another team's intake that may be one of the people of the supervisor's teams' cases."""

    intake = serializers.CharField(source="submission.reference")
    team = serializers.CharField(source="submission.team.name")
    status = serializers.CharField(source="submission.status")
    subject = serializers.CharField(help_text=_("Who in the intake: principal, partner, child-n."))
    person = serializers.CharField(source="person.reference")
    reasons = serializers.ListField(child=serializers.CharField())


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("What the caseworker should correct."))


class MergeSerializer(serializers.Serializer):
    person = serializers.CharField(help_text=_("Reference of the person on file."))
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Reference of the open case of that person the intake's people join; needed only "
            "when they are in several. Without an open case, a new case is opened."
        ),
    )


class DecisionSerializer(serializers.Serializer):
    submission = SubmissionSerializer()
    case = serializers.CharField(allow_null=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="name", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    percent_done = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "reference",
            "team",
            "uploaded_by",
            "file_format",
            "status",
            "total_rows",
            "processed_rows",
            "percent_done",
            "valid_rows",
            "created_count",
            "queued_count",
            "skipped_count",
            "failure",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


RISK_LEVELS = RiskLevel.values
