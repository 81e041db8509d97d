"""
The intake API: the same rules as the pages, through the same services. A submission or an
import out of the user's sight answers 404; a decision by anyone but a supervisor of the
submission's team answers 403.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from audit.services import record

from .. import duplicates, permissions, selectors, services
from ..forms import STEPS
from ..models import ImportBatch, IntakeSubmission
from . import serializers


def _require_supervisor(user, submission) -> None:
    # Checked before the payload, so a caseworker learns nothing from validation errors.
    if not permissions.can_decide_intake(user, submission):
        raise PermissionDenied(_("Only a supervisor of the team can decide on this intake."))


class IntakeViewSet(viewsets.GenericViewSet):
    def handle_exception(self, exc):
        # An incomplete intake says which step to finish; every other service error is answered
        # by the API's one handler (casework.api.errors).
        if isinstance(exc, services.IncompleteIntake):
            exc = ValidationError({"step": [exc.step], "detail": exc.messages})
        return super().handle_exception(exc)


class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IntakeViewSet):
    """Intakes: yours, and your team's when you supervise it."""

    lookup_field = "reference"
    lookup_url_kwarg = "intake_ref"
    serializer_class = serializers.SubmissionSerializer

    def get_serializer_class(self):
        # A list is not audited row by row: it shows no encrypted field.
        if self.action == "list":
            return serializers.SubmissionListSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        return (
            IntakeSubmission.objects.visible_to(self.request.user)
            .select_related("team", "owner", "decided_by", "case", "merged_into")
            .order_by("-updated_at")
        )

    def retrieve(self, request, *args, **kwargs):
        submission = self.get_object()
        record(request.user, "view", submission, request=request)
        return Response(self.get_serializer(submission).data)

    def _own_draft(self):
        submission = self.get_object()
        if (
            not permissions.can_change_intake(self.request.user, submission)
            or not submission.is_editable
        ):
            raise NotFound
        return submission

    @extend_schema(
        request=serializers.SubmissionCreateSerializer,
        responses={201: serializers.SubmissionSerializer},
    )
    def create(self, request):
        payload = serializers.SubmissionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = get_object_or_404(selectors.intake_teams(request.user), pk=payload.data["team"])
        submission = services.intake_start(actor=request.user, team=team)
        return Response(
            serializers.SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.StepSerializer, responses={200: serializers.StepResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, intake_ref=None):
        """Save one step of a draft (kept even when invalid) and say what is wrong with it."""
        submission = self._own_draft()
        payload = serializers.StepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        step, answers = payload.validated_data["step"], payload.validated_data["answers"]
        services.intake_save_step(
            submission=submission, step=step, data=answers, actor=request.user
        )
        forms = STEPS[step](answers, answers=submission.answers)
        valid = forms.is_valid()
        errors = dict(forms.form.errors)
        for prefix, formset in forms.sets.items():
            for number, form_errors in enumerate(formset.errors):
                for name, messages in form_errors.items():
                    errors[f"{prefix}-{number}-{name}"] = messages
            if formset.non_form_errors():
                errors[prefix] = formset.non_form_errors()
        return Response({"step": step, "valid": valid, "errors": errors})

    @extend_schema(request=None, responses={200: serializers.SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, intake_ref=None):
        """Send the draft to the team's supervisors; 429 when duplicate lookups are throttled."""
        try:
            submission = services.intake_submit(submission=self._own_draft(), actor=request.user)
        except duplicates.LookupThrottled as throttled:
            # Answered, not raised: a raised exception would roll back the refusal's event.
            return Response(
                {"detail": str(throttled)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(throttled.retry_after)},
            )
        return Response(serializers.SubmissionSerializer(submission).data)

    @extend_schema(responses={200: serializers.CandidatesSerializer})
    @action(detail=True, methods=["get"])
    def candidates(self, request, intake_ref=None):
        """
        The people on file the intake may duplicate, among those the user may see: reference
        and reasons; name and birth year only for a supervisor of the team. Of anyone out of the
        user's sight, only a neutral message: their team's supervisors are told the details.
        """
        submission = self.get_object()
        deciding = permissions.can_decide_intake(request.user, submission)
        candidates, out_of_sight = selectors.candidates(submission, request.user)
        rows = []
        for candidate in candidates:
            person = candidate["person"] if deciding else None
            if person is not None:
                record(request.user, "view", person, request=request, intake=submission.reference)
            rows.append(
                {
                    **candidate,
                    "full_name": person.full_name if person else None,
                    "birth_year": person.birth_year if person else None,
                }
            )
        payload = {
            "candidates": rows,
            "out_of_sight": out_of_sight,
            "message": str(duplicates.OUT_OF_SIGHT_MESSAGE) if out_of_sight else None,
        }
        return Response(serializers.CandidatesSerializer(payload).data)

    @extend_schema(responses={200: serializers.HeldHereSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="held-here", pagination_class=None)
    def held_here(self, request):
        """
        For a supervisor, as on the queue page: other teams' intakes that may be one of the
        people of their teams' cases — the intake, the person and why. 403 for anyone else.
        """
        if not permissions.may_decide_intakes(request.user):
            raise PermissionDenied(_("Only supervisors are told of other teams' intakes."))
        rows = selectors.duplicates_in_my_teams_cases(request.user)
        return Response(serializers.HeldHereSerializer(rows, many=True).data)

    def _decided(self, submission, case):
        submission.refresh_from_db()
        return Response(
            {
                "submission": serializers.SubmissionSerializer(submission).data,
                "case": case.reference if case else None,
            }
        )

    @extend_schema(request=None, responses={200: serializers.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, intake_ref=None):
        submission = self.get_object()
        case = services.intake_approve(submission=submission, actor=request.user)
        return self._decided(submission, case)

    @extend_schema(
        request=serializers.RejectSerializer, responses={200: serializers.DecisionSerializer}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, intake_ref=None):
        submission = self.get_object()
        _require_supervisor(request.user, submission)
        payload = serializers.RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.intake_reject(
            submission=submission, actor=request.user, reason=payload.validated_data["reason"]
        )
        return self._decided(submission, None)

    @extend_schema(
        request=serializers.ReturnSerializer, responses={200: serializers.DecisionSerializer}
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, intake_ref=None):
        """Send the intake back to its caseworker with what to correct; they submit it again."""
        submission = self.get_object()
        _require_supervisor(request.user, submission)
        payload = serializers.ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.intake_return(
            submission=submission, actor=request.user, reason=payload.validated_data["reason"]
        )
        return self._decided(submission, None)

    @extend_schema(
        request=serializers.MergeSerializer, responses={200: serializers.DecisionSerializer}
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, intake_ref=None):
        submission = self.get_object()
        _require_supervisor(request.user, submission)
        payload = serializers.MergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = (
            services.merge_targets(submission, request.user)
            .filter(reference=payload.validated_data["person"])
            .first()
        )
        if target is None:
            raise ValidationError(
                {
                    "person": [
                        _("Merge only into a duplicate candidate of the principal you can see.")
                    ]
                }
            )
        chosen = payload.validated_data.get("case")
        joined = None
        if chosen:
            joined = services.open_cases_of(target, request.user).filter(reference=chosen).first()
            if joined is None:
                raise ValidationError(
                    {
                        "case": [
                            _("Choose one of the open cases of %(person)s.")
                            % {"person": target.reference}
                        ]
                    }
                )
        case = services.intake_merge(
            submission=submission, target=target, actor=request.user, case=joined
        )
        return self._decided(submission, case)


class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IntakeViewSet):
    """The status and progress of spreadsheet imports, for the team's supervisors."""

    lookup_field = "reference"
    lookup_url_kwarg = "batch_ref"
    serializer_class = serializers.ImportBatchSerializer

    def get_queryset(self):
        return ImportBatch.objects.visible_to(self.request.user).select_related(
            "team", "uploaded_by"
        )
