"""
Cases and who is on them: a case (listed, read, opened), its members and assignees, and a person
joining one.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from casework.choices import MemberRole
from casework.models import Case, CaseAssignment, CaseMember, Person

from .common import (
    ModelSerializer,
    ReadByKeptFields,
    VersionField,
    VisibleReferenceField,
    _user,
    model_default,
    staff_field,
)
from .consent import ConsentAnswerSerializer


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


class MemberAddSerializer(serializers.Serializer):
    """A person on file joins the case, with their consent on file or what they agree to now."""

    person = VisibleReferenceField(Person)
    role = serializers.ChoiceField(choices=MemberRole.choices)
    consent = ConsentAnswerSerializer()
