"""A person: registered and changed, their other names, family ties, legal statuses and benefits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    MemberRole,
    Region,
    RelationshipKind,
    StatusSource,
)
from ..models import Case, Person
from ..permissions import consent_witnesses
from .common import PersonChoiceField, VersionedForm, blank_first, date_field, text_area
from .consent import ConsentPartForm


class PersonFieldsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = date_field(_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("When only the year is known."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person._meta.get_field("sex").choices)
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=Person._meta.get_field("nationality").choices
    )
    role = forms.ChoiceField(label=_("Role"), choices=Person._meta.get_field("role").choices)
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    place_of_origin = forms.CharField(label=_("Place of origin"), max_length=200, required=False)
    current_location = forms.CharField(label=_("Current location"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=text_area(4))

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PersonFieldsForm.base_fields}


class PersonCreateForm(ConsentPartForm, PersonFieldsForm):
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=text_area(3),
        help_text=_("One per line: a Chinese name, a romanisation, a name used in hiding."),
    )
    case = forms.ModelChoiceField(
        label=_("Case"),
        queryset=Case.objects.none(),
        help_text=_("The case this person belongs to."),
    )
    role_in_case = forms.ChoiceField(
        label=_("Role in the case"), choices=MemberRole.choices, initial=MemberRole.PRINCIPAL
    )
    field_order = ["case", "role_in_case", "full_name", "aliases"]

    def __init__(self, *args, cases, guardians, **kwargs):
        super().__init__(*args, guardians=guardians, witnesses=consent_witnesses(cases), **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].to_field_name = "reference"

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class PersonEditForm(VersionedForm, PersonFieldsForm):
    pass


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Other name"), max_length=200)


class RelationshipForm(forms.Form):
    """A tie from the person whose page this is to another person of their cases."""

    CHILD_OF = "child_of"
    KINDS = [
        (RelationshipKind.PARENT_OF, _("is the parent of")),
        (CHILD_OF, _("is the child of")),
        (RelationshipKind.PARTNER_OF, _("is the partner of")),
        (RelationshipKind.SPOUSE_OF, _("is the spouse of")),
    ]

    kind = forms.ChoiceField(label=_("This person"), choices=KINDS)
    other = PersonChoiceField(label=_("Other person"), queryset=Person.objects.none())
    marriage_registered = forms.NullBooleanField(
        label=_("Marriage registered"),
        required=False,
        widget=forms.Select(
            choices=[
                ("unknown", _("Unknown or not a couple")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]
        ),
        help_text=_("For couples: whether the marriage is registered with the authorities."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = people
        self.fields["other"].to_field_name = "reference"

    def tie(self, person) -> dict:
        """The service's arguments: who is related to whom, and how."""
        kind, other = self.cleaned_data["kind"], self.cleaned_data["other"]
        if kind == self.CHILD_OF:
            from_person, to_person, kind = other, person, RelationshipKind.PARENT_OF
        else:
            from_person, to_person = person, other
        return {
            "from_person": from_person,
            "to_person": to_person,
            "kind": kind,
            "marriage_registered": self.cleaned_data["marriage_registered"],
        }


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LegalStatus.choices)
    effective_from = date_field(_("Since"))
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices, initial=Country.CHINA)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=StatusSource.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=text_area())


class StatusPeriodForm(StatusChangeForm):
    status = forms.ChoiceField(label=_("Status"), choices=LegalStatus.choices)
    effective_from = date_field(_("From"))
    effective_to = date_field(_("Until"), help_text=_("The day the next status began."))
    field_order = ["status", "effective_from", "effective_to"]


class EntitlementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Benefit"), choices=EntitlementKind.choices)
    # No outcome is chosen for the user: a benefit recorded as granted by default would hide a denial.
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=blank_first(EntitlementStatus.choices),
        error_messages={"required": _("Choose the outcome.")},
    )
    as_of = date_field(_("As of"))
    note = forms.CharField(label=_("Note"), required=False, widget=text_area())
