"""Forms for recording and withdrawing consent, shared by the intake wizard and the person pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Method, Scope


class ConsentForm(forms.Form):
    """How the person agreed, before whom, when, and to what; each scope on its own."""

    method = forms.ChoiceField(label=_("How was consent given?"), choices=Method.choices)
    witnessed_by = forms.CharField(
        label=_("Witnessed by"),
        max_length=200,
        required=False,
        help_text=_("The interpreter or colleague present, if any."),
    )
    given_on = forms.DateField(
        label=_("Given on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("The person agrees to"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return given_on


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
