"""Serializers of the advocacy documents API: the shape of a request and of a document."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Team
from casework.models import Case, Person

from ..models import AdvocacyDocument


class AdvocacyDocumentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    subject = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.get_username", read_only=True, default=None
    )
    needs_approval = serializers.BooleanField(read_only=True)
    downloadable = serializers.BooleanField(read_only=True)

    class Meta:
        model = AdvocacyDocument
        fields = [
            "id",
            "reference",
            "series",
            "version",
            "kind",
            "recipient_format",
            "sent_despite_unknown",
            "deadline",
            "case",
            "subject",
            "team",
            "language",
            "redaction",
            "status",
            "failure_reason",
            "withdrawn_reason",
            "requested_by",
            "requested_at",
            "rendered_at",
            "sha256",
            "page_count",
            "names_people",
            "needs_approval",
            "downloadable",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields


class DocumentRequestSerializer(serializers.Serializer):
    """A request: a case and a member for briefs and appeals, or a team (optional) for reports."""

    kind = serializers.ChoiceField(choices=AdvocacyDocument.Kind.choices)
    case = serializers.CharField(required=False, help_text=_("The case's reference."))
    subject = serializers.CharField(required=False, help_text=_("The person's reference."))
    team = serializers.IntegerField(required=False, help_text=_("For a caseload report."))
    language = serializers.ChoiceField(choices=AdvocacyDocument.Language.choices)
    redaction = serializers.ChoiceField(choices=AdvocacyDocument.Redaction.choices)
    recipient_format = serializers.ChoiceField(
        choices=AdvocacyDocument.RecipientFormat.choices,
        required=False,
        help_text=_("The form for the recipient; the kind's usual one when left out."),
    )
    deadline = serializers.DateField(
        required=False,
        help_text=_("Optional: the day by which the recipient should act, not in the past."),
    )
    proceed_despite_unknown = serializers.BooleanField(
        required=False,
        help_text=_(
            "For a letter to a Chinese authority that does not know the person: the requester "
            "was warned and decided to send it (recorded)."
        ),
    )

    def validate(self, data):
        user = self.context["request"].user
        # Unknown and unseen references get the same answer: no record is confirmed to exist.
        if "case" in data:
            data["case"] = Case.objects.visible_to(user).filter(reference=data["case"]).first()
            if data["case"] is None:
                raise serializers.ValidationError({"case": _("No such case among yours.")})
        if "subject" in data:
            data["subject"] = (
                Person.objects.visible_to(user).filter(reference=data["subject"]).first()
            )
            if data["subject"] is None:
                raise serializers.ValidationError({"subject": _("No such person among yours.")})
        if "team" in data:
            data["team"] = Team.objects.filter(pk=data["team"], memberships__user=user).first()
            if data["team"] is None:
                raise serializers.ValidationError({"team": _("No such team among yours.")})
        return data
