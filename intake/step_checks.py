"""
The intake's steps checked without building their forms, for a spreadsheet's dry run and import,
which check thousands of rows: Django's form machinery (bound fields, error lists, a formset's
management form, deep-copied fields) cost about 2 ms a row, most of the check.

Nothing is checked differently. The values are read from the answers by the step forms' own
widgets, cleaned by their own fields (the forms' classes hold them: required, choices, lengths,
dates, `casework.dates.not_in_future`), then by the same rules the forms' `clean_<field>` and
`clean` call, and the rules across steps of `check_across` (intake.rules), in the order the forms
run them: the same cleaned values and the same errors on the same fields.
tests/intake/test_step_checks.py holds the two ways to the same answers.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.datastructures import MultiValueDict

from consent.forms import check_consent_dates

from . import rules, screening
from .forms import (
    STEPS,
    ChildForm,
    ChildFormSet,
    FamilyForm,
    IdentityForm,
    IncidentForm,
    IncidentFormSet,
    IntakeConsentForm,
    NeedsForm,
    SituationForm,
    Step,
)


class Checked:
    """One form's values, cleaned: what the rules read and write (see intake.rules)."""

    def __init__(self):
        self.cleaned_data = {}
        self.errors = {}
        # Whether the form differs from what it offers: an extra form of a formset left as it
        # was offered is not validated, and not kept.
        self.changed = True

    def add_error(self, name, error) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        self.errors.setdefault(name or NON_FIELD_ERRORS, []).extend(str(m) for m in messages)
        self.cleaned_data.pop(name, None)

    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class CheckedSet:
    """A formset's forms, checked, and its own errors (too many forms)."""

    forms: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def non_form_errors(self) -> list:
        return self.errors

    def is_valid(self) -> bool:
        return not self.errors and all(form.is_valid() for form in self.forms)

    def filled(self) -> list:
        return [form for form in self.forms if form.changed]


@dataclass
class CheckedStep:
    """A step as StepForms holds it once validated: `form`, `sets`, `is_valid()`, `cleaned()`."""

    form: Checked
    sets: dict = field(default_factory=dict)

    def is_valid(self) -> bool:
        return self.form.is_valid() and all(s.is_valid() for s in self.sets.values())

    def cleaned(self) -> dict:
        cleaned = dict(self.form.cleaned_data)
        for prefix, checked in self.sets.items():
            cleaned[prefix] = [form.cleaned_data for form in checked.filled()]
        return cleaned


def _key(prefix: str | None, name: str) -> str:
    return f"{prefix}-{name}" if prefix else name


def _changed(fields: dict, data, prefix: str | None) -> bool:
    """Form.has_changed: a field's posted value differs from its initial one."""
    for name, form_field in fields.items():
        initial = form_field.initial() if callable(form_field.initial) else form_field.initial
        value = form_field.widget.value_from_datadict(data, None, _key(prefix, name))
        if form_field.has_changed(initial, value):
            return True
    return False


def _clean(form_class, fields: dict, data, prefix=None, *, empty_permitted=False) -> Checked:
    """Form.full_clean's fields: each field's clean, then the form's `clean_<field>` rule."""
    checked = Checked()
    if empty_permitted and not _changed(fields, data, prefix):
        # An extra form of a formset left as it was offered is not validated.
        checked.changed = False
        return checked
    field_rules = getattr(form_class, "field_rules", {})
    for name, form_field in fields.items():
        value = form_field.widget.value_from_datadict(data, None, _key(prefix, name))
        try:
            checked.cleaned_data[name] = form_field.clean(value)
            if name in field_rules:
                checked.cleaned_data[name] = field_rules[name](checked.cleaned_data[name])
        except ValidationError as error:
            checked.add_error(name, error)
    return checked


def _clean_set(formset_class, form_class, data, prefix: str, form_rules) -> CheckedSet | None:
    """A formset's forms (None when its management data is not a number: the forms say why)."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS"))
        initial = int(data.get(f"{prefix}-INITIAL_FORMS"))
    except (TypeError, ValueError):
        return None
    checked = CheckedSet()
    fields = form_class.base_fields
    for index in range(min(total, formset_class.absolute_max)):
        form = _clean(
            form_class, fields, data, f"{prefix}-{index}", empty_permitted=index >= initial
        )
        if form.changed:
            form_rules(form)
        checked.forms.append(form)
    if formset_class.validate_max and total > formset_class.max_num:
        message = formset_class.default_error_messages["too_many_forms"] % {
            "num": formset_class.max_num
        }
        checked.errors.append(str(message))
    return checked


_NEEDS_FIELDS: dict = {}


def _needs_fields(questions) -> dict:
    """NeedsForm's fields with a yes/no field per screening question, in the form's order."""
    keys = tuple(q.key for q in questions)
    if keys not in _NEEDS_FIELDS:
        base = NeedsForm.base_fields
        _NEEDS_FIELDS[keys] = {
            "needs": base["needs"],
            **{f"q_{q.key}": forms.BooleanField(label=q.label, required=False) for q in questions},
            **{name: f for name, f in base.items() if name != "needs"},
        }
    return _NEEDS_FIELDS[keys]


def _as_query(data) -> MultiValueDict:
    return data if isinstance(data, MultiValueDict) else MultiValueDict(data or {})


def check_steps(answers: dict) -> dict | None:
    """
    Every step of an intake's answers (the wizard's posts, step by step) checked as the step
    forms check them: {step: CheckedStep}, or None when a formset's management data is not
    readable (the forms are then asked: intake.forms.STEPS).
    """
    data = {step: _as_query(answers.get(step)) for step in STEPS}

    consent = _clean(IntakeConsentForm, IntakeConsentForm.base_fields, data[Step.CONSENT])
    check_consent_dates(consent, given_on=consent.cleaned_data.get("given_on"))

    identity = _clean(IdentityForm, IdentityForm.base_fields, data[Step.IDENTITY])
    rules.birth_agrees(identity)
    principal = dict(identity.cleaned_data)

    family = _clean(FamilyForm, FamilyForm.base_fields, data[Step.FAMILY])
    rules.partner_complete(family)
    children = _clean_set(ChildFormSet, ChildForm, data[Step.FAMILY], "children", _child_rules)
    situation = _clean(SituationForm, SituationForm.base_fields, data[Step.SITUATION])
    rules.status_dated(situation)
    incidents = _clean_set(
        IncidentFormSet, IncidentForm, data[Step.SITUATION], "incidents", lambda form: None
    )
    if children is None or incidents is None:
        return None

    # Across steps, as each step's check_across: the Identity step reads the children as their
    # own forms clean them, before the Family step's rules add their errors.
    rules.principal_fits_children(
        identity, [child.cleaned_data for child in children.filled() if child.is_valid()]
    )
    rules.parents_fit_children(family, principal, children.filled())
    dated = [(situation, "status_since"), *((form, "occurred_on") for form in incidents.forms)]
    rules.nothing_before_birth(principal, dated)

    questions = screening.questions()
    needs = _clean(NeedsForm, _needs_fields(questions), data[Step.NEEDS])
    rules.risk_decided(
        needs, {q.key: bool(needs.cleaned_data.get(f"q_{q.key}")) for q in questions}
    )
    return {
        Step.CONSENT: CheckedStep(consent),
        Step.IDENTITY: CheckedStep(identity),
        Step.FAMILY: CheckedStep(family, {"children": children}),
        Step.SITUATION: CheckedStep(situation, {"incidents": incidents}),
        Step.NEEDS: CheckedStep(needs),
    }


def _child_rules(child: Checked) -> None:
    rules.birth_agrees(child)
    rules.child_parents_named(child)
