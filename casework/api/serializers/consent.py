"""
Consent in the API: the answers of the page's consent part, checked by the page's own form, and
a consent on file as read.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from consent.forms import Answer
from consent.models import Consent, Method, NotAskedReason, Scope

from .common import ModelSerializer, staff_field

# Consent: the answers of the page's consent part, checked by the page's own form.


class FormCheckedSerializer(serializers.Serializer):
    """
    A request checked by the web page's form, so that the API and the page decide alike: the
    fields here give the shape (and the schema), the form in the context under `form_key` the
    rules, and `result(form)` what the service is given.
    """

    form_key = ""

    def to_internal_value(self, data):
        super().to_internal_value(data)
        form = self.context[self.form_key](data)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): list(messages)
                    for name, messages in form.errors.items()
                }
            )
        return self.result(form)

    def result(self, form):
        return form.cleaned_data


class ConsentAnswerSerializer(FormCheckedSerializer):
    """
    What the person agreed to (`given`), what a parent or guardian agreed to for a child
    (`guardian`), or why they could not be asked (`not_asked`, with a documented reason). Adding
    a person on file to a case may also keep the consent on file (`on_file`).
    """

    form_key = "consent_form"

    consent = serializers.ChoiceField(choices=Answer.choices)
    scopes = serializers.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        help_text=_("Each on its own; keeping their details on file is needed to record anything."),
    )
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True)
    given_on = serializers.DateField(required=False, allow_null=True)
    guardian = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The reference of the parent or guardian in the case who answered."),
    )
    witnessed_by_user = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The username of the staff member who witnessed it."),
    )
    witnessed_by = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("An interpreter or relative present, if any. Stored encrypted."),
    )
    renew_by = serializers.DateField(required=False, allow_null=True)
    not_asked_reason = serializers.ChoiceField(
        choices=NotAskedReason.choices, required=False, allow_blank=True
    )
    explanation = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The documented reason. Stored encrypted.")
    )

    def result(self, form):
        """Under "services", the `consent=` argument of the services (None keeps the one on file)."""
        return {"services": form.consent_fields()}


class ConsentRenewSerializer(FormCheckedSerializer):
    """The person confirms what they agreed to: the same scopes, given again now."""

    form_key = "renew_form"

    method = serializers.ChoiceField(choices=Method.choices)
    given_on = serializers.DateField()
    witnessed_by_user = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The username of the staff member who witnessed it."),
    )
    witnessed_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    renew_by = serializers.DateField(required=False, allow_null=True)


class ConsentSerializer(ModelSerializer):
    """One consent record; the latest is in force."""

    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)
    guardian = serializers.SerializerMethodField(
        help_text=_("The parent or guardian who answered, if you may see them.")
    )
    witnessed_by_user = staff_field()
    recorded_by = staff_field()

    class Meta:
        model = Consent
        fields = [
            "id",
            "kind",
            "scopes",
            "method",
            "given_on",
            "renew_by",
            "guardian",
            "witnessed_by_user",
            "witnessed_by",
            "not_asked_reason",
            "explanation",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_guardian(self, consent) -> str | None:
        shown = self.context.get("guardians_shown", set())
        return consent.guardian.reference if consent.guardian_id in shown else None
