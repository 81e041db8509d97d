"""
A row checked as the intake wizard would check it, with the intake's own step fields and rules
(intake.step_checks, without building the forms: a row is valid exactly when the same intake typed
in the wizard would be), and the keyed fingerprint of its normalised content that tells a row
imported before.
"""

import hashlib
import hmac
import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vault.blind_index import derive_index_key

from .. import import_households, step_checks
from ..forms import STEPS
from ..import_columns import KEYS, fold_key
from ..import_reading import Row
from ..import_values import FORMULA_STARTS

FINGERPRINT_SCOPE = "intake-import-row"
# The longest cell quoted beside an error in the report.
MAX_VALUE_SHOWN = 80


# Which form field of which step each column feeds, to put a form's errors back on the column.
FIELD_COLUMNS = {
    ("consent", "method"): "consent_method",
    ("consent", "given_on"): "consent_given_on",
    ("consent", "scopes"): "consent_scopes",
    ("consent", "witnessed_by"): "consent_witness",
}
OVERRIDE_REASON = gettext_lazy("Risk level as given in the imported spreadsheet.")
PHONE_CHARACTERS = set("0123456789 ()-+./")
# The columns a row's fingerprint is made of: those of the template before households, so that a
# file imported before them is still known when imported again.
FINGERPRINT_KEYS = [key for key in KEYS if key not in ("household", "relation")]


def _formula_errors(row: Row) -> list:
    errors = []
    for key, text in row.values.items():
        if text.startswith(FORMULA_STARTS) or (
            text[:1] in "+-" and not set(text) <= PHONE_CHARACTERS
        ):
            errors.append(
                (
                    key,
                    _(
                        "Formulas are not accepted: this cell starts with “%(start)s”. Type "
                        "the value itself."
                    )
                    % {"start": text[:1]},
                )
            )
    return errors


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\uff1b", ";").split(";") if part.strip()]


def answers_of(values: dict) -> dict:
    """A row as the wizard would have posted it, step by step."""
    value = values.get
    return {
        "consent": {
            "method": [value("consent_method", "").lower()],
            "witnessed_by": [value("consent_witness", "")],
            "given_on": [value("consent_given_on", "")],
            "scopes": [scope.lower() for scope in _split(value("consent_scopes", ""))],
        },
        "identity": {
            "full_name": [value("full_name", "")],
            "aliases": ["\n".join(_split(value("aliases", "")))],
            "sex": [value("sex", "").lower() or "unknown"],
            "date_of_birth": [value("date_of_birth", "")],
            "birth_year": [value("birth_year", "")],
            "nationality": [value("nationality", "").lower() or "unknown"],
            "place_of_origin": [value("place_of_origin", "")],
            "contact": [value("contact", "")],
        },
        "family": {
            "partner_nationality": ["unknown"],
            "marriage_registered": ["unknown"],
            "children-TOTAL_FORMS": ["0"],
            "children-INITIAL_FORMS": ["0"],
        },
        "situation": {
            "current_location": [value("current_location", "")],
            "region": [value("region", "").lower() or "unknown"],
            "legal_status": [value("legal_status", "").lower()],
            "status_since": [value("status_since", "")],
            "status_country": [value("status_country", "").upper() or "ZZ"],
            "benefits_refused": [kind.lower() for kind in _split(value("benefits_refused", ""))],
            "incidents-TOTAL_FORMS": ["0"],
            "incidents-INITIAL_FORMS": ["0"],
        },
        "needs": {
            "needs": [value("needs", "")],
            "risk_level": [value("risk_level", "").lower()],
            "override_reason": [str(OVERRIDE_REASON)],
        },
    }


def check_row(row: Row) -> dict | None:
    """The row's cleaned intake, or None with `row.errors` filled (column, message)."""
    return check_unit([row])


def check_unit(rows: list) -> dict | None:
    """
    The cleaned intake of one household's rows (one row for a person alone): the head's row
    for the person the case is about, the others for the Family step. None with the rows'
    errors filled (column, message) when any row fails: a household is written whole or not.
    """
    for row in rows:
        row.errors = _formula_errors(row)
    if any(row.errors for row in rows):
        return None
    household = import_households.arrange(rows)
    if household is None:
        return None
    head = household.head
    answers = answers_of(head.values)
    if len(rows) > 1:
        import_households.note_unused(household)
        answers["family"] = import_households.family_answers(household)
        partner = household.partner
        if partner is not None and partner.values.get("consent_method"):
            # The partner's row states a consent of their own: the head's covers them too.
            answers["consent"]["covers_partner"] = ["on"]
    if any(row.errors for row in rows):
        return None
    cleaned = {}
    # The step forms' fields and rules, without building the forms (intake.step_checks); the
    # forms themselves only for answers those cannot read.
    checked = step_checks.check_steps(answers) or {
        step: step_class(answers[step], answers=answers) for step, step_class in STEPS.items()
    }
    for step, forms in checked.items():
        if forms.is_valid():
            cleaned[step] = forms.cleaned()
            continue
        if step == "family" and len(rows) > 1:
            import_households.place_family_errors(household, forms)
            continue
        for name, messages in forms.form.errors.items():
            column = FIELD_COLUMNS.get((step, name), name if name in KEYS else "")
            head.errors.extend((column, message) for message in messages)
    if any(row.errors for row in rows):
        return None
    head.answers = answers
    return cleaned


def fingerprint(values: dict) -> str:
    return _digest([fold_key(values.get(key, "")) for key in FINGERPRINT_KEYS])


def unit_fingerprint(rows: list) -> str:
    """A row's fingerprint, or a household's: its members' rows with their relations, in order."""
    if len(rows) == 1:
        return fingerprint(rows[0].values)
    return _digest(
        [
            [fold_key(row.values.get(key, "")) for key in (*FINGERPRINT_KEYS, "relation")]
            for row in rows
        ]
    )


def _digest(normalised: list) -> str:
    payload = json.dumps(normalised, ensure_ascii=False).encode()
    return hmac.new(derive_index_key(FINGERPRINT_SCOPE), payload, hashlib.sha256).hexdigest()


def _typed(row: Row, column: str) -> str:
    """The cell an error is about, as typed (shortened): the report shows it beside the reason."""
    text = row.typed.get(column, row.values.get(column, "")) if column else ""
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


def _head_of(unit: list) -> Row:
    """The row of the person a valid household's case is about (its answers are theirs)."""
    return next(row for row in unit if row.answers)
