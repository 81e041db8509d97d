"""
Checking many rows at once (intake.forms.fields_reused) gives every row the verdict it gets on its
own: the same errors on the same columns, the same cleaned intake.
"""

import pytest

from intake.forms import IdentityForm, NeedsForm, fields_reused
from intake.import_reading import Row
from intake.importing.checking import check_unit

GOOD = {
    "full_name": "김예시",
    "sex": "female",
    "birth_year": "1985",
    "nationality": "dprk",
    "region": "cn-jilin",
    "legal_status": "undocumented_cn",
    "status_since": "2005-06-01",
    "status_country": "CN",
    "risk_level": "high",
    "consent_method": "verbal",
    "consent_given_on": "2024-03-08",
    "consent_scopes": "store_data; statistics",
}
ROWS = [
    GOOD,
    {**GOOD, "birth_year": "1850"},
    {**GOOD, "sex": "neither", "consent_scopes": ""},
    # Legal status before the birth: a rule that reads the Identity step from another step.
    {**GOOD, "full_name": "리순영", "birth_year": "1990", "status_since": "1980-01-01"},
    {**GOOD, "full_name": "박영희", "birth_year": "1970"},
    {**GOOD, "full_name": ""},
]


def _verdicts(rows):
    outcome = []
    for number, values in enumerate(rows, start=2):
        row = Row(number=number, values=dict(values))
        cleaned = check_unit([row])
        outcome.append((cleaned, [(column, str(message)) for column, message in row.errors]))
    return outcome


@pytest.mark.django_db
def test_rows_checked_together_get_the_verdict_each_gets_alone():
    alone = [_verdicts([values])[0] for values in ROWS]
    with fields_reused():
        together = _verdicts(ROWS)
    assert together == alone
    assert [cleaned is None for cleaned, _errors in together] == [
        False,
        True,
        True,
        True,
        False,
        True,
    ]
    assert together[3][1] == [
        ("status_since", "This date is before the birth of the person interviewed (1990).")
    ]


def test_each_form_has_its_own_fields_dict_and_the_wizard_its_own_copies():
    with fields_reused():
        first, second = NeedsForm(), NeedsForm()
        assert first.fields is not second.fields
        assert first.fields["risk_level"] is second.fields["risk_level"]
    assert IdentityForm().fields["sex"] is not IdentityForm().fields["sex"]
