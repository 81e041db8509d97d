"""
The forms of the intake wizard, one step each, and of the supervisor's decisions. Each step is
kept in the draft exactly as it was posted, so a step with errors, or a step half-filled on
another device, shows again everything that was typed; the same forms validate it again at
submission and at approval, so what is approved is what was checked.
"""

import contextvars
import copy
from contextlib import contextmanager

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework import dates
from casework.choices import (
    Country,
    EntitlementKind,
    IncidentKind,
    LegalStatus,
    Nationality,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
)
from consent.forms import ConsentForm

from . import rules, screening
from .import_values import CHOICE_COLUMNS
from .models import IntakeSubmission
from .rules import DECEASED, NOT_KNOWN, PARENT_LABELS, PARTNER, PRINCIPAL
from .spreadsheet import ENCODINGS

Step = IntakeSubmission.Step
DATE = forms.DateInput(attrs={"type": "date"})
EARLIEST_BIRTH_YEAR = 1900
TRISTATE = [("unknown", _("Unknown")), ("yes", _("Yes")), ("no", _("No"))]


UNKNOWN = _("Unknown")


def _blank_choice(choices, label=UNKNOWN):
    return [("", label), *choices]


class PersonFieldsMixin:
    """Date of birth and birth year agree; a year alone is enough when the day is not known."""

    def clean(self):
        cleaned = super().clean()
        rules.birth_agrees(self)
        return cleaned


class IntakeConsentForm(ConsentForm):
    covers_partner = forms.BooleanField(
        label=_("The partner was present and gives the same consent"),
        required=False,
    )

    # The rules of a field beyond the field itself (see intake.rules), run after it cleans.
    field_rules = {"scopes": rules.store_data_given}

    def clean_scopes(self):
        return rules.store_data_given(self.cleaned_data["scopes"])


def _birth_year_field():
    return forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=EARLIEST_BIRTH_YEAR,
        help_text=_("When the exact date is not known."),
    )


class IdentityForm(PersonFieldsMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: a Chinese name, a romanisation, a name used in hiding."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE, validators=[dates.not_in_future]
    )
    birth_year = _birth_year_field()
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=Nationality.choices, initial=Nationality.DPRK
    )
    place_of_origin = forms.CharField(label=_("Place of origin"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Contact"),
        max_length=300,
        required=False,
        help_text=_("Only a contact that is safe to use."),
    )

    field_rules = {"aliases": rules.aliases_listed}

    def clean_aliases(self):
        return rules.aliases_listed(self.cleaned_data["aliases"])


class FamilyForm(forms.Form):
    partner_name = forms.CharField(label=_("Partner's full name"), max_length=200, required=False)
    partner_sex = forms.ChoiceField(
        label=_("Partner's sex"), choices=_blank_choice(Sex.choices, "—"), required=False
    )
    partner_birth_year = forms.IntegerField(
        label=_("Partner's birth year"), required=False, min_value=EARLIEST_BIRTH_YEAR
    )
    partner_nationality = forms.ChoiceField(
        label=_("Partner's nationality"),
        choices=Nationality.choices,
        initial=Nationality.PRC,
        # Not asked of a family without a partner (the API may leave it out).
        required=False,
    )
    partner_tie = forms.ChoiceField(
        label=_("The couple are"),
        # Blank first: a woman with no partner (a widow, one who fled a buyer) leaves it so.
        choices=[
            ("", _("No partner")),
            (RelationshipKind.PARTNER_OF.value, _("Partners")),
            (RelationshipKind.SPOUSE_OF.value, _("Married")),
        ],
        required=False,
    )
    marriage_registered = forms.ChoiceField(
        label=_("Is the marriage registered with the authorities?"),
        choices=TRISTATE,
        initial="unknown",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        rules.partner_complete(self)
        return cleaned


PARENT_CHOICES = [
    (PRINCIPAL, _("The person interviewed")),
    (PARTNER, _("The partner named above")),
    (NOT_KNOWN, _("Someone else, or not known")),
    # A widow's children: their father is no one of the intake, and he has died.
    (DECEASED, _("Someone else, who has died")),
]


class ChildForm(PersonFieldsMixin, forms.Form):
    full_name = forms.CharField(label=_("Child's full name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DATE, validators=[dates.not_in_future]
    )
    birth_year = _birth_year_field()
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=Nationality.choices, initial=Nationality.STATELESS
    )
    # Asked so that the ties are recorded as the family lives: the Chinese partner as the
    # father is what makes a child born in China a Chinese national (legal_aid's documents).
    mother = forms.ChoiceField(
        label=PARENT_LABELS["mother"], choices=PARENT_CHOICES, initial=PRINCIPAL, required=False
    )
    father = forms.ChoiceField(
        label=PARENT_LABELS["father"], choices=PARENT_CHOICES, initial=NOT_KNOWN, required=False
    )
    benefits_refused = forms.MultipleChoiceField(
        label=_("Benefits refused to this child"),
        choices=EntitlementKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        rules.child_parents_named(self)
        return cleaned

    def parents(self) -> list[tuple[str, str]]:
        """(field, who) for each parent named among the intake's people: "principal", "partner"."""
        return rules.child_parents(self.cleaned_data)


ChildFormSet = forms.formset_factory(ChildForm, extra=0, max_num=20, validate_max=True)


class SituationForm(forms.Form):
    current_location = forms.CharField(
        label=_("Where the person lives now"), max_length=300, required=False
    )
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    legal_status = forms.ChoiceField(
        label=_("Legal status"),
        # Blank is "not recorded now", not the status "Unknown", which is among the choices.
        choices=_blank_choice(LegalStatus.choices, label=_("Not recorded now")),
        required=False,
    )
    status_since = forms.DateField(
        label=_("Since"), required=False, widget=DATE, validators=[dates.not_in_future]
    )
    status_country = forms.ChoiceField(
        label=_("In which country"), choices=Country.choices, initial=Country.CHINA
    )
    benefits_refused = forms.MultipleChoiceField(
        label=_("Benefits refused to the person"),
        choices=EntitlementKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        rules.status_dated(self)
        return cleaned


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    occurred_on = forms.DateField(
        label=pgettext_lazy("the day an incident happened", "When"),
        widget=DATE,
        validators=[dates.not_in_future],
    )
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


IncidentFormSet = forms.formset_factory(IncidentForm, extra=0, max_num=20, validate_max=True)


class NeedsForm(forms.Form):
    needs = forms.CharField(
        label=_("What the family needs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        choices=_blank_choice(RiskLevel.choices, _("The suggested level")),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Why a different level than the suggested one"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so a change of the configured questions needs no restart of forms.
        for question in screening.questions():
            self.fields[f"q_{question.key}"] = forms.BooleanField(
                label=question.label, required=False
            )
        self.order_fields(["needs", *(f"q_{q.key}" for q in screening.questions())])

    def screening_answers(self) -> dict:
        return {q.key: bool(self.cleaned_data.get(f"q_{q.key}")) for q in screening.questions()}

    def screening_fields(self):
        return [self[f"q_{q.key}"] for q in screening.questions()]

    def clean(self):
        cleaned = super().clean()
        rules.risk_decided(self, self.screening_answers())
        return cleaned


class StepForms:
    """The form, and the formsets, of one step, bound to what was posted or kept in the draft."""

    form_class: type[forms.Form]
    formsets: dict = {}
    # Buttons that add one more (blank) form to a formset, without JavaScript.
    add_buttons: dict = {}

    def __init__(self, data=None, *, answers=None):
        data = _as_query(data)
        self.data = data
        self.form = self.form_class(data)
        self.sets = {prefix: cls(data, prefix=prefix) for prefix, cls in self.formsets.items()}
        # The other steps, as the draft keeps them: the family and date rules that join two
        # steps (a child born before the mother) are checked at the step being typed.
        self.answers = answers or {}
        self._checked_across = False

    def __getattr__(self, name):
        # `step.children` in templates.
        sets = self.__dict__.get("sets", {})
        if name in sets:
            return sets[name]
        raise AttributeError(name)

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *(fs.is_valid() for fs in self.sets.values())]
        if not self._checked_across:
            self._checked_across = True
            self.check_across()
            results = [self.form.is_valid(), *(fs.is_valid() for fs in self.sets.values())]
        return all(results)

    def check_across(self) -> None:
        """The rules that read another step; each adds its errors to the field of this step."""

    def cleaned(self) -> dict:
        cleaned = dict(self.form.cleaned_data)
        for prefix, formset in self.sets.items():
            cleaned[prefix] = [f.cleaned_data for f in formset.forms if f.has_changed()]
        return cleaned

    @classmethod
    def with_one_more(cls, data: MultiValueDict, prefix: str) -> MultiValueDict:
        """
        The posted data with one more form in the formset `prefix`, holding its fields' defaults:
        unchanged from them, it is not validated (no errors before anything is typed), and the
        choices show the defaults rather than whichever option comes first.
        """
        data = data.copy()
        key = f"{prefix}-TOTAL_FORMS"
        try:
            total = int(data.get(key, 0))
        except ValueError:
            total = 0
        data.setlist(key, [str(total + 1)])
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
        for name, field in cls.formsets[prefix].form.base_fields.items():
            if field.initial is not None:
                data.setlist(f"{prefix}-{total}-{name}", [str(field.initial)])
        return data


def _as_query(data):
    if data is not None and not isinstance(data, MultiValueDict):
        data = MultiValueDict(data)
    return data


def _principal(answers) -> dict:
    """The principal's sex and birth as the Identity step holds them: the fields that validate."""
    data = answers.get(Step.IDENTITY)
    if data is None:
        return {}
    reused = _REUSED_FIELDS.get()
    if reused is not None and ("principal", id(data)) in reused:
        # Asked by two steps of one intake being checked: the same answers, the same result.
        return reused[("principal", id(data))][1]
    form = IdentityForm(_as_query(data))
    form.is_valid()
    if reused is not None:
        # Only the last intake's answers are kept (held, so their id is not reused).
        reused.pop(reused.pop("principal_of", None), None)
        reused["principal_of"] = ("principal", id(data))
        reused[("principal", id(data))] = (data, form.cleaned_data)
    return form.cleaned_data


class ConsentStep(StepForms):
    form_class = IntakeConsentForm


class IdentityStep(StepForms):
    form_class = IdentityForm

    def check_across(self):
        """A birth date changed after the Family step must still come before the children's."""
        family = self.answers.get(Step.FAMILY)
        if family is None or not hasattr(self.form, "cleaned_data"):
            return
        children = [
            child.cleaned_data
            for child in ChildFormSet(_as_query(family), prefix="children").forms
            if child.has_changed() and child.is_valid()
        ]
        rules.principal_fits_children(self.form, children)


class FamilyStep(StepForms):
    form_class = FamilyForm
    formsets = {"children": ChildFormSet}
    add_buttons = {"add_child": "children"}

    def __init__(self, data=None, *, answers=None):
        super().__init__(data, answers=answers)
        # With no partner named, "the partner" is no one: not offered as a child's parent. Only
        # the offer: a post that names them anyway (an API client, a spreadsheet) is told why
        # by check_across.
        if not ((self.data or {}).get("partner_name") or "").strip():
            for child in self.sets["children"].forms:
                for name in ("mother", "father"):
                    widget = child.fields[name].widget
                    widget.choices = [c for c in widget.choices if c[0] != PARTNER]

    def check_across(self):
        """
        Each child's mother and father are people of the intake who can be: named, of a fitting
        sex, and born enough years before the child (casework.dates.parenthood_error).
        """
        if not hasattr(self.form, "cleaned_data"):
            return
        children = [
            child
            for child in self.sets["children"].forms
            if child.has_changed() and hasattr(child, "cleaned_data")
        ]
        rules.parents_fit_children(self.form, _principal(self.answers), children)


class SituationStep(StepForms):
    form_class = SituationForm
    formsets = {"incidents": IncidentFormSet}
    add_buttons = {"add_incident": "incidents"}

    def check_across(self):
        """Nothing recorded about the person interviewed happened before their birth."""
        dated = [(self.form, "status_since")]
        dated += [(form, "occurred_on") for form in self.sets["incidents"].forms]
        rules.nothing_before_birth(_principal(self.answers), dated)


class NeedsStep(StepForms):
    form_class = NeedsForm


STEPS = {
    Step.CONSENT: ConsentStep,
    Step.IDENTITY: IdentityStep,
    Step.FAMILY: FamilyStep,
    Step.SITUATION: SituationStep,
    Step.NEEDS: NeedsStep,
}
STEP_ORDER = [*STEPS, Step.REVIEW]


# Checking many intakes at once (a spreadsheet import): the step forms' fields, copied once, and
# the principal's identity as the last intake checked gives it (see _principal).
_REUSED_FIELDS: contextvars.ContextVar = contextvars.ContextVar("reused_fields", default=None)


class _DeclaredFields(dict):
    """
    A step form's declared fields. Django gives each form a deep copy of them, so one form may
    change its fields without touching another's; the step forms never change theirs (only add
    new ones, to their own dict), so within `fields_reused()` every form of a class gets the
    same copied fields in a dict of its own. Building the copies was most of the cost of
    checking a spreadsheet row, and the same fields clean the same way: no check is skipped.
    """

    def __deepcopy__(self, memo):
        reused = _REUSED_FIELDS.get()
        if reused is None:
            return {name: copy.deepcopy(field, memo) for name, field in self.items()}
        if id(self) not in reused:
            reused[id(self)] = {name: copy.deepcopy(field, {}) for name, field in self.items()}
        return dict(reused[id(self)])


@contextmanager
def fields_reused():
    """Build the step forms within from fields copied once (see _DeclaredFields)."""
    token = _REUSED_FIELDS.set({})
    try:
        yield
    finally:
        _REUSED_FIELDS.reset(token)


for _form_class in (
    IntakeConsentForm,
    IdentityForm,
    FamilyForm,
    ChildForm,
    SituationForm,
    IncidentForm,
    NeedsForm,
):
    _form_class.base_fields = _DeclaredFields(_form_class.base_fields)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this intake rejected?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the caseworker correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The intake goes back to them with your words; nothing they typed is lost."),
    )


class MergeForm(forms.Form):
    person = forms.ChoiceField(label=_("The person on file this intake's principal is"))
    case = forms.ChoiceField(
        label=_("The open case the intake's people join"),
        required=False,
        help_text=_("Asked when the person is in several open cases."),
    )

    def __init__(self, *args, candidates=(), open_cases=(), **kwargs):
        """`open_cases`: (person, [case, …]) for each candidate in an open case."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.reference, p.reference) for p in candidates]
        choices = [
            (
                case.reference,
                f"{case.reference} · {person.reference} · {case.get_risk_level_display()}",
            )
            for person, cases in open_cases
            for case in cases
        ]
        if any(len(cases) > 1 for _person, cases in open_cases):
            self.fields["case"].choices = [("", _("Choose a case")), *choices]
        else:
            # Nothing to choose: the person's one open case, if any, is joined.
            del self.fields["case"]


class ImportUploadForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (in any of UTF-8, UTF-16, Korean CP949, Chinese GB18030 or Big5) or Excel "
            ".xlsx, with the columns of the template."
        ),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ImportReadingForm(forms.Form):
    """
    How a checked file is read, asked beside its preview: the encoding when the file reads in
    several, the sheet of a workbook, the order of day and month when the file's dates allow
    both, and a choice for each value no catalogue knows (once for the whole file).
    """

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        encoding = report.get("encoding") or {}
        if len(encoding.get("candidates", [])) > 1:
            self.fields["encoding"] = forms.ChoiceField(
                label=_("Encoding of the file"),
                choices=[(name, ENCODINGS[name]) for name in encoding["candidates"]],
                initial=encoding["used"],
                help_text=_("If the names in the preview look like nonsense, choose another."),
            )
        if len(report.get("sheets", [])) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet of the workbook"),
                choices=[(name, name) for name in report["sheets"]],
                initial=report["sheet"],
            )
        if report.get("ambiguous_dates"):
            self.fields["day_order"] = forms.ChoiceField(
                label=_("In this file, a date such as 04/03/1995 is"),
                choices=[
                    ("day", _("day first: 4 March 1995")),
                    ("month", _("month first: 3 April 1995")),
                ],
                initial="day" if report.get("day_first") else "month",
                widget=forms.RadioSelect,
            )
        self.unknown = report.get("unknown", [])
        for index, (column, _folded, typed) in enumerate(self.unknown):
            self.fields[f"map-{index}"] = forms.ChoiceField(
                label=f"{column}: “{typed}”",
                choices=[
                    ("", _("— leave it: its rows are refused —")),
                    *CHOICE_COLUMNS[column].choices,
                ],
                required=False,
            )

    def reading(self) -> dict:
        """The keyword arguments of importing.batches.import_configure."""
        data = self.cleaned_data
        order = data.get("day_order")
        return {
            "encoding": data.get("encoding") or None,
            "sheet": data.get("sheet") or None,
            "day_first": None if not order else order == "day",
            "mappings": {
                (column, folded): data[f"map-{index}"]
                for index, (column, folded, _typed) in enumerate(self.unknown)
                if data.get(f"map-{index}")
            },
        }
