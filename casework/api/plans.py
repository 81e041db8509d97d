"""
The API of the case plan (goals, their steps, reviews) and of closing and reopening a case:
the same services as the pages, under /api/v1/goals/, /api/v1/plan-reviews/, /api/v1/closures/.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import services
from casework.choices import ClosureReason, GoalStatus
from casework.models import Case, CaseClosure, CheckInSchedule, Goal, Person, PlanReview, Task

from .permissions import require_edit
from .serializers.common import (
    ColleagueField,
    ModelSerializer,
    VersionField,
    VisibleReferenceField,
    staff_field,
)
from .serializers.records import TaskSerializer
from .views.common import AuditedRetrieveMixin, CaseworkViewSet


class GoalSerializer(ModelSerializer):
    case = VisibleReferenceField(Case)
    person = VisibleReferenceField(Person)
    responsible = ColleagueField(required=False, allow_null=True)
    steps = serializers.SerializerMethodField()
    version = VersionField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "case",
            "person",
            "title",
            "why",
            "target_on",
            "responsible",
            "status",
            "ended_on",
            "steps",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "status", "ended_on", "created_at"]

    def get_steps(self, goal) -> list[str]:
        return [str(pk) for pk in goal.steps.values_list("pk", flat=True)]


class GoalListSerializer(ModelSerializer):
    """Coarse fields only: the goal's words are read one goal at a time (audited)."""

    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "case", "status", "target_on", "ended_on"]


class GoalStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=GoalStatus.choices)
    version = VersionField()


class GoalStepSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)
    assignee = ColleagueField(required=False, allow_null=True)


class GoalViewSet(
    mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin, CaseworkViewSet
):
    """Goals of the case plans of the cases you may see."""

    model = Goal
    lookup_url_kwarg = "goal_id"

    def get_queryset(self):
        return super().get_queryset().select_related("case", "person", "responsible")

    def get_serializer_class(self):
        if self.action == "list":
            return GoalListSerializer
        if self.action == "status":
            return GoalStatusSerializer
        if self.action == "steps":
            return GoalStepSerializer
        return GoalSerializer

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.goal_add(actor=self.request.user, **fields)

    @extend_schema(summary=_("Mark a goal achieved, dropped or open"), operation_id="goals_status")
    @action(detail=True, methods=["post"])
    def status(self, request, goal_id=None):
        goal = self.get_object()
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.goal_end(
            goal=goal,
            status=payload.validated_data["status"],
            actor=request.user,
            expected_version=payload.validated_data.get("version"),
        )
        return Response(GoalSerializer(self.refreshed(goal)).data)

    @extend_schema(
        summary=_("Add a step (a follow-up of the case) towards a goal"),
        responses={201: TaskSerializer},
        operation_id="goals_steps",
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, goal_id=None):
        goal = self.get_object()
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = services.goal_step_add(goal=goal, actor=request.user, **payload.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class PlanReviewSerializer(ModelSerializer):
    case = VisibleReferenceField(Case)
    reviewed_by = staff_field()

    class Meta:
        model = PlanReview
        fields = ["id", "case", "reviewed_on", "note", "reviewed_by", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"reviewed_on": {"required": False}}


class PlanReviewListSerializer(ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = PlanReview
        fields = ["id", "case", "reviewed_on"]


class PlanReviewViewSet(
    mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin, CaseworkViewSet
):
    """Reviews of the case plans of the cases you may see, with their notes."""

    model = PlanReview
    lookup_url_kwarg = "review_id"
    list_serializer_class = PlanReviewListSerializer
    serializer_class = PlanReviewSerializer

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.plan_review_record(actor=self.request.user, **fields)


class CaseClosureSerializer(ModelSerializer):
    """A closing of a case: to close one, its reason, and what of the open items to resolve."""

    case = VisibleReferenceField(Case)
    closed_by = staff_field()
    reopened_by = staff_field()
    resolve_tasks = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), many=True, required=False, write_only=True
    )
    end_check_ins = serializers.PrimaryKeyRelatedField(
        queryset=CheckInSchedule.objects.all(), many=True, required=False, write_only=True
    )
    resolve_others = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        write_only=True,
        help_text=_(
            "Keys of other open items to resolve now (a referral: referral:<id>, cancelled); "
            "those not listed are carried over."
        ),
    )
    version = VersionField(write_only=True)

    class Meta:
        model = CaseClosure
        fields = [
            "id",
            "case",
            "closed_on",
            "reason",
            "other_reason",
            "closed_by",
            "closed_at",
            "reopened_at",
            "reopened_by",
            "resolved",
            "carried_over",
            "resolve_tasks",
            "end_check_ins",
            "resolve_others",
            "version",
        ]
        read_only_fields = ["id", "closed_at", "reopened_at", "resolved", "carried_over"]
        extra_kwargs = {
            "closed_on": {"required": False, "allow_null": True},
            "reason": {"choices": ClosureReason.choices},
        }


class CaseClosureListSerializer(CaseClosureSerializer):
    """A list shows no encrypted field: the text of an "other" reason is read one closing at a time."""

    class Meta(CaseClosureSerializer.Meta):
        fields = [name for name in CaseClosureSerializer.Meta.fields if name != "other_reason"]


class CaseReopenSerializer(serializers.Serializer):
    case = VisibleReferenceField(Case)
    version = VersionField()


class CaseClosureViewSet(
    mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin, CaseworkViewSet
):
    """
    Closings of the cases you may see (reopened ones stay as history). Creating one closes its
    case; open follow-ups and check-ins not listed to resolve are carried over.
    """

    model = CaseClosure
    lookup_url_kwarg = "closure_id"
    serializer_class = CaseClosureSerializer

    def get_serializer_class(self):
        if self.action == "reopen":
            return CaseReopenSerializer
        return CaseClosureListSerializer if self.action == "list" else CaseClosureSerializer

    def perform_create(self, serializer):
        fields, version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.case_close(
            actor=self.request.user, expected_version=version, **fields
        )

    @extend_schema(
        summary=_("Reopen a closed case; its closings stay as history"),
        responses={200: CaseClosureSerializer},
        operation_id="closures_reopen",
    )
    @action(detail=False, methods=["post"])
    def reopen(self, request):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = payload.validated_data["case"]
        require_edit(request.user, case)
        services.case_reopen(
            case=case, actor=request.user, expected_version=payload.validated_data.get("version")
        )
        closure = CaseClosure.objects.filter(case=case).first()
        return Response(CaseClosureSerializer(closure).data)
