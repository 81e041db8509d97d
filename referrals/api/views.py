"""
Providers and referrals under /api/v1/referrals/: the pages' rules through the same services.
Querysets start from `visible_to(user)` (404 out of sight); details are audited reads; lists show
plain columns only. What the services raise is answered by casework.api.errors.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from audit.services import record
from casework.models import Case

from .. import permissions, services
from ..models import Referral, ServiceProvider
from . import serializers


class AuditedRetrieveMixin(mixins.RetrieveModelMixin):
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        record(request.user, "view", instance, request=request)
        return Response(data)


class ProviderViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The directory of service providers: a team's own and those shared by other teams."""

    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "provider_id"
    filterset_fields = ["kind", "region", "shared", "active"]

    def get_queryset(self):
        return (
            ServiceProvider.objects.visible_to(self.request.user)
            .select_related("team")
            .order_by("kind", "created_at")
        )

    def create(self, request, *args, **kwargs):
        # Refused before the team is looked for among those the user supervises (a 400).
        if not permissions.may_add_providers(request.user):
            raise PermissionDenied(_("Only a supervisor of the team keeps its directory."))
        return super().create(request, *args, **kwargs)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ProviderListSerializer
        if self.action in ("update", "partial_update"):
            return serializers.ProviderUpdateSerializer
        return serializers.ProviderSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.provider_create(
            team=data["team"],
            actor=self.request.user,
            **{name: data[name] for name in services.PROVIDER_FIELDS if name in data},
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.provider_update(
            provider=serializer.instance,
            actor=self.request.user,
            expected_version=data.get("version"),
            **{name: data[name] for name in services.PROVIDER_FIELDS if name in data},
        )


class ReferralViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of people on the cases you see; a new one is refused without their consent."""

    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "referral_id"
    filterset_fields = ["service", "status", "urgency", "goal"]

    def get_queryset(self):
        return (
            Referral.objects.visible_to(self.request.user)
            .select_related("case", "person", "provider", "created_by")
            .prefetch_related("changes__changed_by")
            .order_by("-referred_on", "-created_at")
        )

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ReferralListSerializer
        if self.action == "status":
            return serializers.ReferralStatusSerializer
        return serializers.ReferralSerializer

    def create(self, request, *args, **kwargs):
        # A reader of the case (a legal advocate) is refused before the provider is looked for
        # in a directory she has none of (a 400).
        reference = request.data.get("case") if hasattr(request.data, "get") else None
        case = Case.objects.visible_to(request.user).filter(reference=str(reference)).first()
        if case is not None and not permissions.can_refer(request.user, case):
            raise PermissionDenied(_("You may not refer people of this case."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.referral_create(
            case=data["case"],
            person=data["person"],
            provider=data["provider"],
            service=data["service"],
            referred_on=data["referred_on"],
            urgency=data.get("urgency") or Referral._meta.get_field("urgency").default,
            goal=data.get("goal"),
            actor=self.request.user,
        )

    @extend_schema(
        summary=_("Change the status of a referral"),
        request=serializers.ReferralStatusSerializer,
        responses={200: serializers.ReferralSerializer},
        operation_id="referrals_status",
    )
    @action(detail=True, methods=["post"])
    def status(self, request, referral_id=None):
        referral = self.get_object()
        serializer = serializers.ReferralStatusSerializer(
            data=request.data, context={**self.get_serializer_context(), "referral": referral}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.referral_status_change(
            referral=referral,
            status=data["status"],
            changed_on=data["changed_on"],
            outcome=data.get("outcome"),
            expected_version=data.get("version"),
            actor=request.user,
        )
        fresh = self.get_queryset().get(pk=referral.pk)
        return Response(
            serializers.ReferralSerializer(fresh, context=self.get_serializer_context()).data
        )
