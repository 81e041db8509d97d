"""
The rules of the intake wizard's steps beyond their fields, one function each: the step forms
call them (so the wizard and the API), and so does a spreadsheet's dry run, which checks its rows
on plain values without building forms (intake.step_checks). A rule that joins two steps (a child
born after the mother) reads the other step's cleaned values.

Each rule reads and writes a *checked step*: anything with `cleaned_data` (the cleaned values),
`errors` (field → messages) and `add_error(field, message)`, which drops the field from
`cleaned_data` as Django's does. A Django form is one; `intake.step_checks.Checked` is the other.
The date and family rules themselves live in casework.dates, consent's dates in consent.forms.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import dates
from casework.choices import Nationality, RiskLevel, Sex
from consent.models import Scope

from . import screening

# Who a child's mother and father are, among the people of the intake.
PRINCIPAL, PARTNER, NOT_KNOWN, DECEASED = "principal", "partner", "unknown", "deceased"
# The labels of a child's two parent fields (ChildForm's), named in the Identity step's errors.
PARENT_LABELS = {"mother": gettext_lazy("Mother"), "father": gettext_lazy("Father")}
# A parent of the wrong sex for the choice: a mother recorded as male, a father as female.
WRONG_SEX = {"mother": Sex.MALE, "father": Sex.FEMALE}
ALIAS_MAX_LENGTH = 200


# Rules of one field: a cleaned value in, the value kept out, or a ValidationError.


def store_data_given(scopes: list) -> list:
    """The intake records nothing about someone who does not agree to it being kept."""
    if Scope.STORE_DATA.value not in scopes:
        raise ValidationError(
            _(
                "Without consent to keep their details on file, nothing about this person "
                "can be recorded. Stop the intake here and discard the draft."
            )
        )
    return scopes


def aliases_listed(text: str) -> list[str]:
    """The other names, one a line, blank lines left out."""
    aliases = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for alias in aliases:
        if len(alias) > ALIAS_MAX_LENGTH:
            raise ValidationError(_("A name may have at most 200 characters."))
    return aliases


# Rules of one step.


def birth_agrees(step) -> None:
    """Date of birth and birth year agree; a year alone is enough when the day is not known."""
    cleaned = step.cleaned_data
    dob, year = cleaned.get("date_of_birth"), cleaned.get("birth_year")
    problem = dates.birth_year_error(date_of_birth=dob, birth_year=year)
    if problem:
        step.add_error("birth_year", problem)
    elif dob and not year:
        cleaned["birth_year"] = dob.year


def partner_complete(step) -> None:
    """A partner is named with the tie of the couple, or nothing of a partner is given."""
    cleaned = step.cleaned_data
    if not cleaned.get("partner_name") and (
        cleaned.get("partner_birth_year") or cleaned.get("partner_tie")
    ):
        step.add_error("partner_name", _("Give the partner's name, or leave all blank."))
    if not cleaned.get("partner_name"):
        # The form's defaults for a partner (a nationality, "unknown" registration) say
        # nothing of a family without one: not shown on the review, not saved.
        for name in ("partner_sex", "partner_nationality", "marriage_registered"):
            cleaned[name] = ""
    elif not cleaned.get("partner_nationality"):
        cleaned["partner_nationality"] = Nationality.UNKNOWN
    if cleaned.get("partner_name") and not cleaned.get("partner_tie"):
        step.add_error(
            "partner_tie",
            _("Say whether the couple are partners or married, or remove the partner's name."),
        )


def child_parents_named(step) -> None:
    """A child's mother and father, defaulted as the intake always took them, are two people."""
    cleaned = step.cleaned_data
    # Left out (an API client or a spreadsheet from before the question): the person
    # interviewed is the mother, as the intake always took it.
    cleaned["mother"] = cleaned.get("mother") or (
        NOT_KNOWN if cleaned.get("father") == PRINCIPAL else PRINCIPAL
    )
    cleaned["father"] = cleaned.get("father") or NOT_KNOWN
    if cleaned["mother"] == cleaned["father"] != NOT_KNOWN:
        step.add_error("father", _("The same person cannot be both mother and father."))


def child_parents(cleaned: dict) -> list[tuple[str, str]]:
    """(field, who) for each parent named among the intake's people: "principal", "partner"."""
    return [
        (name, cleaned[name])
        for name in ("mother", "father")
        if cleaned.get(name) in (PRINCIPAL, PARTNER)
    ]


def status_dated(step) -> None:
    """A legal status recorded now says since when."""
    cleaned = step.cleaned_data
    if cleaned.get("legal_status") and not cleaned.get("status_since"):
        step.add_error("status_since", _("Give the day this status began (or a best guess)."))


def risk_decided(step, screening_answers: dict) -> None:
    """The risk level is the screening's suggestion, or another one with a reason."""
    cleaned = step.cleaned_data
    suggested = screening.suggested_level(screening_answers)
    cleaned["suggested_risk"] = suggested
    chosen = cleaned.get("risk_level") or suggested
    if chosen != suggested and not (cleaned.get("override_reason") or "").strip():
        step.add_error(
            "override_reason",
            _("The screening suggests “%(level)s”: say why you chose another level.")
            % {"level": RiskLevel(suggested).label},
        )
    cleaned["final_risk"] = chosen


# Rules across steps.


def _born(cleaned: dict) -> tuple:
    return cleaned.get("date_of_birth"), cleaned.get("birth_year")


def _birth_field(cleaned: dict) -> str:
    return "date_of_birth" if cleaned.get("date_of_birth") else "birth_year"


def _wrong_sex_error(field: str) -> str:
    if field == "mother":
        return _("The one chosen is recorded as male: correct the choice or their sex.")
    return _("The one chosen is recorded as female: correct the choice or their sex.")


def principal_fits_children(identity, children: list[dict]) -> None:
    """
    The Identity step: the person interviewed, named as a child's parent in the Family step,
    is of a fitting sex and born enough years before the child. `children`: the cleaned
    values of the Family step's children that are filled and valid.
    """
    dob, year = _born(identity.cleaned_data)
    sex = identity.cleaned_data.get("sex")
    for child in children:
        for field, who in child_parents(child):
            if who != PRINCIPAL:
                continue
            if sex and sex == WRONG_SEX[field] and "sex" not in identity.errors:
                identity.add_error(
                    "sex",
                    _("The Family step names this person as %(name)s's %(parent)s.")
                    % {"name": child["full_name"], "parent": PARENT_LABELS[field]},
                )
            child_dob, child_year = _born(child)
            problem = dates.parenthood_error(
                parent_date=dob, parent_year=year, child_date=child_dob, child_year=child_year
            )
            field_name = _birth_field(identity.cleaned_data)
            if problem and field_name not in identity.errors:
                identity.add_error(
                    field_name,
                    _("This does not fit %(name)s, this person's child (born %(born)s): %(why)s")
                    % {
                        "name": child["full_name"],
                        "born": child_dob.isoformat() if child_dob else child_year,
                        "why": problem,
                    },
                )


def parents_fit_children(family, principal: dict, children: list) -> None:
    """
    The Family step: each child's mother and father are people of the intake who can be:
    named, of a fitting sex, and born enough years before the child
    (casework.dates.parenthood_error). `principal`: the Identity step's cleaned values;
    `children`: the checked children that are filled in.
    """
    cleaned = family.cleaned_data
    people = {
        PRINCIPAL: principal,
        PARTNER: {
            "birth_year": cleaned.get("partner_birth_year"),
            "sex": cleaned.get("partner_sex"),
        },
    }
    partner_named = bool(cleaned.get("partner_name"))
    for child in children:
        child_dob, child_year = _born(child.cleaned_data)
        birth_field = _birth_field(child.cleaned_data)
        for field, who in child_parents(child.cleaned_data):
            if who == PARTNER and not partner_named:
                child.add_error(
                    field, _("No partner is named above: name them, or choose another answer.")
                )
                continue
            parent = people[who]
            if parent.get("sex") == WRONG_SEX[field]:
                child.add_error(field, _wrong_sex_error(field))
            problem = dates.parenthood_error(
                parent_date=parent.get("date_of_birth"),
                parent_year=parent.get("birth_year"),
                child_date=child_dob,
                child_year=child_year,
            )
            if problem and birth_field not in child.errors:
                child.add_error(birth_field, problem)


def nothing_before_birth(principal: dict, dated: list) -> None:
    """
    The Situation step: nothing recorded about the person interviewed happened before their
    birth. `dated`: (checked step, field) for each date of the step.
    """
    floor = dates.birth_floor(
        date_of_birth=principal.get("date_of_birth"), birth_year=principal.get("birth_year")
    )
    if floor is None:
        return
    for step, field in dated:
        value = step.cleaned_data.get(field)
        if value and value < floor:
            step.add_error(
                field,
                _("This date is before the birth of %(person)s (%(year)s).")
                % {"person": _("the person interviewed"), "year": floor.year},
            )
