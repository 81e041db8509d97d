"""Forms for recording and withdrawing consent, shared by the intake wizard and the person pages."""

import datetime

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Method, NotAskedReason, Scope

# Consent is asked again after a year, or sooner when the caseworker says so.
RENEW_AFTER = datetime.timedelta(days=365)


def _renew_by_default():
    return timezone.localdate() + RENEW_AFTER


# The fields and the date rules that the consent forms share, each written once.


def _method_field(*, required: bool = True) -> forms.ChoiceField:
    choices = Method.choices if required else [("", "---------"), *Method.choices]
    return forms.ChoiceField(label=_("How was consent given?"), choices=choices, required=required)


def _given_on_field(*, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=_("Given on"),
        initial=timezone.localdate,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _witnessed_by_user_field() -> forms.ModelChoiceField:
    """The staff witness, chosen among the staff the form is given (its queryset is set then)."""
    return forms.ModelChoiceField(label=_("Witnessed by (staff)"), queryset=None, required=False)


def _witnessed_by_others_field() -> forms.CharField:
    return forms.CharField(
        label=_("Witnessed by (others)"),
        max_length=200,
        required=False,
        help_text=_("An interpreter or relative present, if any. Stored encrypted."),
    )


def _renew_by_field(**kwargs) -> forms.DateField:
    return forms.DateField(
        label=_("Ask again by"),
        initial=_renew_by_default,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def check_consent_dates(form, *, given_on, renew_by=None, counted_from=None) -> None:
    """
    Consent is not given in the future, and is asked again after the day it counts from: the day
    it was given, or today when it could not be asked. `form`: a form, or anything with its
    `add_error` (the intake's import checks its rows without forms: intake.step_checks).
    """
    if given_on and given_on > timezone.localdate():
        form.add_error("given_on", _("Consent cannot be given in the future."))
    if renew_by and counted_from and renew_by <= counted_from:
        form.add_error("renew_by", _("Choose a date after the day consent was given."))


class ConsentForm(forms.Form):
    """How the person agreed, before whom, when, and to what; each scope on its own."""

    method = _method_field()
    witnessed_by = forms.CharField(
        label=_("Witnessed by"),
        max_length=200,
        required=False,
        help_text=_("The interpreter or colleague present, if any."),
    )
    given_on = _given_on_field()
    scopes = forms.MultipleChoiceField(
        label=_("The person agrees to"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        check_consent_dates(self, given_on=cleaned.get("given_on"))
        return cleaned


class ConsentWithdrawForm(forms.Form):
    """What the person takes back. Taking back "store data" erases their identifying details."""

    scopes = forms.MultipleChoiceField(
        label=_("The person no longer agrees to"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("How was this said?"), choices=Method.choices)
    witnessed_by = forms.CharField(label=_("Witnessed by"), max_length=200, required=False)
    confirm_erasure = forms.BooleanField(
        label=_(
            "I understand that withdrawing “keep my details on file” erases the name, "
            "date of birth, places, contact, notes, aliases and files of this person now."
        ),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if Scope.STORE_DATA.value in cleaned.get("scopes", []) and not cleaned.get(
            "confirm_erasure"
        ):
            self.add_error(
                "confirm_erasure",
                _("Confirm the erasure: it cannot be undone."),
            )
        return cleaned


class Answer(models.TextChoices):
    """How the consent part of a form was answered."""

    ON_FILE = "on_file", _("Keep the consent on file")
    GIVEN = "given", _("The person was asked and answered")
    GUARDIAN = "guardian", _("A parent or guardian answered for them (a child)")
    NOT_ASKED = "not_asked", _("Consent could not be asked")


class ConsentAnswerForm(forms.Form):
    """
    The consent part of the forms that register a person, add one to a case or record consent
    on their page: what they agreed to, how, when, before whom, and until when; or who answered
    for a child; or the documented reason they could not be asked. Keeping details on file is
    part of any answer given: a person who refuses it is not registered (or, on file already,
    withdraws, which erases them).
    """

    consent = forms.ChoiceField(
        label=_("Asking for consent"),
        choices=[(value, label) for value, label in Answer.choices if value != Answer.ON_FILE],
        widget=forms.RadioSelect,
    )
    scopes = forms.MultipleChoiceField(
        label=_("They agree to"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each on its own; keeping their details on file is needed to record anything."),
    )
    method = _method_field(required=False)
    given_on = _given_on_field(required=False)
    guardian = forms.ModelChoiceField(
        label=_("Parent or guardian who answered"),
        queryset=None,
        required=False,
        help_text=_("For a child: the parent or guardian in the case who gave consent for them."),
    )
    witnessed_by_user = _witnessed_by_user_field()
    witnessed_by = _witnessed_by_others_field()
    renew_by = _renew_by_field(
        help_text=_("When to renew their consent, or to ask it when it could not be asked now.")
    )
    not_asked_reason = forms.ChoiceField(
        label=_("Why could it not be asked?"),
        choices=[("", "---------"), *NotAskedReason.choices],
        required=False,
    )
    explanation = forms.CharField(
        label=_("The documented reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened and what was decided. Stored encrypted."),
    )

    def __init__(self, *args, guardians, witnesses, on_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians
        self.fields["witnessed_by_user"].queryset = witnesses
        if on_file:
            self.fields["consent"].choices = Answer.choices
            self.fields["consent"].initial = Answer.ON_FILE

    def consent_part(self):
        """The consent part's fields, for the page to set apart from the rest of the form."""
        return [self[name] for name in ConsentAnswerForm.base_fields]

    def other_fields(self):
        return [
            field
            for field in self.visible_fields()
            if field.name not in ConsentAnswerForm.base_fields
        ]

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("consent")
        given_on = cleaned.get("given_on")
        if answer in (Answer.GIVEN, Answer.GUARDIAN):
            if Scope.STORE_DATA.value not in cleaned.get("scopes", []):
                self.add_error(
                    "scopes",
                    _(
                        "Without consent to keep their details on file, nothing about this "
                        "person can be recorded."
                    ),
                )
            if not cleaned.get("method"):
                self.add_error("method", _("Say how consent was given."))
            if not given_on and "given_on" not in self.errors:
                self.add_error("given_on", _("Say when consent was given."))
        if answer == Answer.GUARDIAN and not cleaned.get("guardian"):
            self.add_error("guardian", _("Choose the parent or guardian who answered."))
        if answer == Answer.NOT_ASKED:
            if not cleaned.get("not_asked_reason"):
                self.add_error("not_asked_reason", _("Say why consent could not be asked."))
            if not cleaned.get("explanation", "").strip():
                self.add_error("explanation", _("Document the reason consent could not be asked."))
        check_consent_dates(
            self,
            given_on=given_on,
            renew_by=cleaned.get("renew_by"),
            counted_from=given_on or timezone.localdate(),
        )
        return cleaned

    def consent_fields(self) -> dict | None:
        """
        The keyword arguments of `consent.services.consent_record` for this answer, or None to
        keep the consent on file.
        """
        data = self.cleaned_data
        answer = data["consent"]
        if answer == Answer.ON_FILE:
            return None
        if answer == Answer.NOT_ASKED:
            return {
                "not_asked_reason": data["not_asked_reason"],
                "explanation": data["explanation"].strip(),
                "renew_by": data["renew_by"],
            }
        return {
            "scopes": data["scopes"],
            "method": data["method"],
            "given_on": data["given_on"],
            "witnessed_by": data["witnessed_by"],
            "witnessed_by_user": data["witnessed_by_user"],
            "guardian": data["guardian"] if answer == Answer.GUARDIAN else None,
            "renew_by": data["renew_by"],
        }


class ConsentRenewForm(forms.Form):
    """The person confirms what they agreed to: how, when, before whom, and until when."""

    method = _method_field()
    given_on = _given_on_field()
    witnessed_by_user = _witnessed_by_user_field()
    witnessed_by = _witnessed_by_others_field()
    renew_by = _renew_by_field()

    def __init__(self, *args, witnesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witnessed_by_user"].queryset = witnesses

    def clean(self):
        cleaned = super().clean()
        given_on = cleaned.get("given_on")
        check_consent_dates(
            self, given_on=given_on, renew_by=cleaned.get("renew_by"), counted_from=given_on
        )
        return cleaned
