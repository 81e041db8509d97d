from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from casework.api.serializers.common import VersionField, VisibleReferenceField, listed, staff_field
from casework.models import Case, Goal, Person

from .. import permissions
from ..choices import NEXT_STATUSES, Language, Status
from ..models import Referral, ReferralStatusChange, ServiceProvider
from ..services import PROVIDER_FIELDS


def _user(field):
    return field.context["request"].user


class SupervisedTeamField(serializers.SlugRelatedField):
    """A team named by its name, among those whose directory the requester keeps."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "name")
        kwargs.setdefault("queryset", Team.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        return permissions.teams_to_add_providers_in(_user(self))


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """
    A provider or a goal named by its id, found among those the requester sees (`visible_to`);
    what the record may be used for, the service decides.
    """

    def __init__(self, model, **kwargs):
        # The unscoped queryset only tells the schema generator what the field points to.
        kwargs.setdefault("queryset", model.objects.all())
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(_user(self))


class ProviderSerializer(serializers.ModelSerializer):
    team = SupervisedTeamField()
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False
    )
    version = VersionField()

    class Meta:
        model = ServiceProvider
        fields = ["id", "team", *PROVIDER_FIELDS, "version"]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["team"] = instance.team.name
        return data


ProviderListSerializer = listed(ProviderSerializer, hidden=("name", "contact", "safety_notes"))


class ProviderUpdateSerializer(ProviderSerializer):
    class Meta(ProviderSerializer.Meta):
        read_only_fields = ["id", "team"]


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = staff_field()

    class Meta:
        model = ReferralStatusChange
        fields = ["status", "changed_on", "changed_by"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    case = VisibleReferenceField(Case)
    person = VisibleReferenceField(Person)
    provider = VisibleRecordField(ServiceProvider)
    provider_kind = serializers.CharField(source="provider.kind", read_only=True)
    goal = VisibleRecordField(Goal, required=False, allow_null=True)
    follow_up = serializers.PrimaryKeyRelatedField(read_only=True)
    changes = StatusChangeSerializer(many=True, read_only=True)
    created_by = staff_field()
    version = VersionField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "person",
            "provider",
            "provider_kind",
            "service",
            "referred_on",
            "urgency",
            "status",
            "outcome",
            "goal",
            "follow_up",
            "changes",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "status", "outcome", "created_at"]


ReferralListSerializer = listed(ReferralSerializer, hidden=("outcome", "changes"))


class ReferralStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    changed_on = serializers.DateField()
    outcome = serializers.CharField(required=False, allow_blank=True)
    version = VersionField()

    def validate_status(self, value):
        referral = self.context.get("referral")
        if referral is not None and value not in NEXT_STATUSES[Status(referral.status)]:
            raise serializers.ValidationError(_("This referral cannot take that status now."))
        return value
