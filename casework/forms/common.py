"""
What several forms build on, here and in the referrals' and legal aid's forms: the date and text
widgets, the empty first choice, the fields that choose a person (by name and reference) or a
colleague (with their workload, on a supervisor's forms), and `VersionedForm`.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class DateInput(forms.DateInput):
    """The browser's own date picker; typed ISO dates work where it has none."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text)


def text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def person_label(person) -> str:
    """
    A person as the forms name them: two stateless children of one mother are told apart by name,
    the reference beside it. Only for people the user works with: the name is decrypted here.
    """
    return f"{person.full_name} ({person.reference})"


# The empty first choice of a list the user must choose from, in words rather than Django's dashes.
CHOOSE = _("Choose…")


def blank_first(choices) -> list:
    """The choices after an empty one, so that nothing is chosen for the user."""
    return [("", CHOOSE), *choices]


class PersonLabelMixin:
    """People are chosen by name and reference: the page already shows their case."""

    def label_from_instance(self, person):
        return person_label(person)


class PersonChoiceField(PersonLabelMixin, forms.ModelChoiceField):
    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)


class PeopleChoiceField(PersonLabelMixin, forms.ModelMultipleChoiceField):
    pass


class UserChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)

    # Set by a supervisor's form (assign, hand over): {user pk: selectors.workload.Workload},
    # shown beside names.
    workloads: dict | None = None

    def label_from_instance(self, user):
        full_name = user.get_full_name()
        name = f"{full_name} ({user.get_username()})" if full_name else user.get_username()
        load = (self.workloads or {}).get(user.pk)
        if load is None:
            return name
        return _(
            "%(name)s — %(open)d open (%(grave)d critical or high), %(overdue)d overdue "
            "follow-ups, %(missed)d missed check-ins"
        ) % {
            "name": name,
            "open": load.open_cases,
            "grave": load.grave,
            "overdue": load.overdue_followups,
            "missed": load.missed_check_ins,
        }


class VersionedForm(forms.Form):
    """Carries the version of the record the user opened, so a later change by someone else is seen."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
