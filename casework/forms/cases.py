"""A case: opened, changed, joined by a person on file, flagged, and opened by break-glass."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from ..choices import CaseStatus, MemberRole, RiskLevel
from ..models import CaseFlag, Person
from .common import PeopleChoiceField, PersonChoiceField, VersionedForm, text_area
from .consent import ConsentPartForm


class CaseCreateForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=text_area(5))
    members = PeopleChoiceField(
        label=_("People already registered"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Register new people from the case page once it is open."),
    )

    def __init__(self, *args, teams, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["members"].queryset = people
        self.fields["members"].to_field_name = "reference"


class CaseEditForm(VersionedForm):
    """
    A case's risk level, status and summary. Closing and reopening are not offered: they have
    their own page, which asks for the reason; a closed case's status is left as it is.
    """

    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label) for value, label in CaseStatus.choices if value != CaseStatus.CLOSED
        ],
        help_text=_("To close the case, use “Close the case”: it asks why."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=text_area(5))

    def __init__(self, *args, closed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if closed:
            del self.fields["status"]


class MemberAddForm(ConsentPartForm):
    """
    A person on file joins the case. Their consent on file stays, or what they agree to now is
    recorded with them; one without any consent on file must be asked (or the reason given).
    """

    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role in the case"), choices=MemberRole.choices)
    field_order = ["person", "role"]

    def __init__(self, *args, people, guardians, witnesses, consented, **kwargs):
        super().__init__(*args, guardians=guardians, witnesses=witnesses, on_file=True, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].to_field_name = "reference"
        # The people among `people` with a consent on file (given, or documented as not asked).
        self.consented = consented

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if (
            cleaned.get("consent") == "on_file"
            and person is not None
            and person.pk not in self.consented
        ):
            self.add_error(
                "consent",
                _("No consent of this person is on file: record it, or why it could not be asked."),
            )
        return cleaned


class FlagForm(forms.Form):
    """A flag to raise: only those not raised now are offered (case_flag_set refuses the others)."""

    kind = forms.ChoiceField(label=_("Flag"), choices=CaseFlag.Kind.choices)

    def __init__(self, *args, raised=(), **kwargs):
        super().__init__(*args, **kwargs)
        up = {flag.kind for flag in raised}
        self.fields["kind"].choices = [
            (kind, label) for kind, label in CaseFlag.Kind.choices if kind not in up
        ]


class BreakGlassForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=12,
        help_text=_("For example C-7K3M9Q2X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Why you need to see this case"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your access is time-limited and recorded. The case's supervisors read this reason."
        ),
    )

    def clean_case_reference(self):
        return self.cleaned_data["case_reference"].strip().upper()
