from django import forms
from django.utils.translation import gettext_lazy as _

from casework import dates
from casework.choices import Region
from casework.forms.common import (
    CHOOSE,
    PersonChoiceField,
    VersionedForm,
    blank_first,
    date_field,
    text_area,
)

from .choices import NEXT_STATUSES, Language, ProviderKind, Service, Status, Urgency
from .models import ServiceProvider


def provider_label(provider: ServiceProvider) -> str:
    """A provider as the forms offer it: its name (decrypted for its team), kind and region."""
    return f"{provider.name} · {provider.get_kind_display()} · {provider.get_region_display()}"


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=blank_first(ProviderKind.choices))
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ChoiceField(label=_("Province or region"), choices=blank_first(Region.choices))
    contact = forms.CharField(
        label=_("Safe contact details"),
        required=False,
        widget=text_area(),
        help_text=_("How to reach them safely: a contact person, a channel, a meeting place."),
    )
    safety_notes = forms.CharField(
        label=_("Notes on safety"),
        required=False,
        widget=text_area(),
        help_text=_("For example: never call directly; go through the partner NGO."),
    )
    shared = forms.BooleanField(
        label=_("Shared with other teams"),
        required=False,
        help_text=_("Other teams see this provider in their directory and may refer to it."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ProviderCreateForm(ProviderForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=CHOOSE)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()
        self.order_fields(["team"])


class ProviderEditForm(VersionedForm, ProviderForm):
    pass


class ProviderChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=CHOOSE, **kwargs)

    def label_from_instance(self, provider):
        return provider_label(provider)


class GoalChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, empty_label=_("None: not a step of the plan"), **kwargs)

    def label_from_instance(self, goal):
        return f"{goal.title} · {goal.person.reference}"


class ReferralForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=None)
    service = forms.ChoiceField(label=_("Service needed"), choices=blank_first(Service.choices))
    provider = ProviderChoiceField(label=_("Provider"), queryset=None)
    referred_on = date_field(_("Date of referral"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    goal = GoalChoiceField(
        label=_("Step towards the goal"),
        queryset=None,
        required=False,
        help_text=_("The goal of the case plan this referral works towards, if any."),
    )

    def __init__(self, *args, people, providers, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["provider"].queryset = providers
        self.fields["goal"].queryset = goals
        self.fields["referred_on"].initial = dates.today()
        if not goals.exists():
            del self.fields["goal"]


class StatusChangeForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"))
    changed_on = date_field(_("Date"))
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        widget=text_area(),
        help_text=_("What came of it; leave empty to keep what is recorded."),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = blank_first(
            [(status.value, status.label) for status in NEXT_STATUSES[Status(current)]]
        )
        self.fields["changed_on"].initial = dates.today()
