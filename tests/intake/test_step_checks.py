"""
The import checks its rows without building the wizard's forms (intake.step_checks), through the
same fields and rules (intake.rules): each rule, broken once, gives the same error on the same
column both ways, and a valid row the same cleaned intake. Then a realistic file checked for a
Korean-speaking supervisor gets its errors per column, in Korean.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from casework.dates import today
from intake import step_checks
from intake.forms import STEPS, ChildForm, IdentityForm, IntakeConsentForm
from intake.import_columns import KEYS
from intake.import_reading import Row
from intake.importing.batches import import_upload
from intake.importing.checking import answers_of, check_unit
from intake.importing.dry_run import import_check

GOOD = {
    "full_name": "김예시",
    "aliases": "Kim Yesi; 金例示",
    "sex": "female",
    "birth_year": "1985",
    "nationality": "dprk",
    "place_of_origin": "회령",
    "contact": "+86 139 0000 0000",
    "current_location": "延吉",
    "region": "cn-jilin",
    "legal_status": "undocumented_cn",
    "status_since": "2005-06-01",
    "status_country": "CN",
    "benefits_refused": "medical_care",
    "risk_level": "high",
    "consent_method": "verbal",
    "consent_given_on": "2024-03-08",
    "consent_scopes": "store_data; statistics",
}
TOMORROW = "2999-01-01"
# One row per rule of the step forms a spreadsheet row can break (the field's own rules, the
# forms' clean rules and the rules across steps), and valid rows.
ROWS = {
    "valid": GOOD,
    "valid, birth from the date": {**GOOD, "birth_year": "", "date_of_birth": "1985-04-03"},
    "valid, no status": {**GOOD, "legal_status": "", "status_since": ""},
    "name missing": {**GOOD, "full_name": ""},
    "name too long": {**GOOD, "full_name": "김" * 201},
    "alias too long": {**GOOD, "aliases": "A" * 201},
    "sex unknown to the list": {**GOOD, "sex": "neither"},
    "born in the future": {**GOOD, "birth_year": "", "date_of_birth": TOMORROW},
    "not a date": {**GOOD, "date_of_birth": "1985-02-31"},
    "birth year before 1900": {**GOOD, "birth_year": "1850"},
    "birth year not a number": {**GOOD, "birth_year": "eighty"},
    "birth year and date disagree": {**GOOD, "date_of_birth": "1984-04-03"},
    "nationality unknown to the list": {**GOOD, "nationality": "mars"},
    "region unknown to the list": {**GOOD, "region": "atlantis"},
    "status without its day": {**GOOD, "status_since": ""},
    "status in the future": {**GOOD, "status_since": TOMORROW},
    "status before the birth": {**GOOD, "status_since": "1980-01-01"},
    "country unknown to the list": {**GOOD, "status_country": "QQ"},
    "benefit unknown to the list": {**GOOD, "benefits_refused": "pony"},
    "consent method missing": {**GOOD, "consent_method": ""},
    "consent without its day": {**GOOD, "consent_given_on": ""},
    "consent in the future": {**GOOD, "consent_given_on": TOMORROW},
    "consent without keeping details": {**GOOD, "consent_scopes": "statistics"},
    "consent scope unknown": {**GOOD, "consent_scopes": "store_data; everything"},
    "risk level unknown": {**GOOD, "risk_level": "extreme"},
    "many faults at once": {
        **GOOD,
        "full_name": "",
        "date_of_birth": "1984-01-01",
        "status_since": "1970-01-01",
        "consent_scopes": "statistics",
    },
}
HEAD = {**GOOD, "household": "h1", "relation": "mother"}
PARTNER = {
    "household": "h1",
    "relation": "father",
    "full_name": "王例",
    "sex": "male",
    "birth_year": "1978",
    "nationality": "prc",
}
CHILD = {
    "household": "h1",
    "relation": "child",
    "full_name": "王小例",
    "sex": "female",
    "date_of_birth": "2012-04-03",
    "nationality": "stateless",
    "benefits_refused": "household_registration; school",
}
HOUSEHOLDS = {
    "valid household": [HEAD, PARTNER, CHILD],
    "valid, head and child only": [HEAD, CHILD],
    "valid, partner without being a parent": [HEAD, {**PARTNER, "relation": "partner"}, CHILD],
    "child born before the mother": [HEAD, PARTNER, {**CHILD, "date_of_birth": "1984-01-01"}],
    "mother too young": [HEAD, PARTNER, {**CHILD, "date_of_birth": "1990-01-01"}],
    "father born after the child": [HEAD, {**PARTNER, "birth_year": "2015"}, CHILD],
    "the mother recorded as male": [{**HEAD, "sex": "male"}, PARTNER, CHILD],
    "the father recorded as female": [HEAD, {**PARTNER, "sex": "female"}, CHILD],
    "valid, the head is the father": [
        {**HEAD, "relation": "head", "sex": "male"},
        {**PARTNER, "relation": "mother", "sex": "female", "full_name": "김어머니"},
        CHILD,
    ],
    "child's name missing": [HEAD, {**CHILD, "full_name": ""}],
    "child born in the future": [HEAD, {**CHILD, "date_of_birth": TOMORROW}],
    "child's year and date disagree": [HEAD, {**CHILD, "birth_year": "2011"}],
    "child's benefit unknown": [HEAD, {**CHILD, "benefits_refused": "pony"}],
    "partner's year before 1900": [HEAD, {**PARTNER, "birth_year": "1850"}, CHILD],
    "partner's name missing": [HEAD, {**PARTNER, "full_name": ""}, CHILD],
    "twenty-one children": [HEAD, *({**CHILD, "full_name": f"아이{n}"} for n in range(21))],
}


def _rows(values_list):
    return [Row(number=n, values=dict(values)) for n, values in enumerate(values_list, start=2)]


def _checked(values_list, *, with_forms: bool):
    """check_unit's verdict on the rows: the cleaned intake, and each row's (column, message)."""
    rows = _rows(values_list)
    if with_forms:
        # The wizard's own step forms (check_unit falls back to them for answers the plain
        # checks cannot read): the verdict the import must give.
        original, step_checks.check_steps = step_checks.check_steps, lambda answers: None
        try:
            cleaned = check_unit(rows)
        finally:
            step_checks.check_steps = original
    else:
        cleaned = check_unit(rows)
    return cleaned, [[(column, str(message)) for column, message in row.errors] for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("values_list", [[v] for v in ROWS.values()], ids=list(ROWS))
def test_each_rule_of_a_row_gives_the_same_error_without_the_forms(values_list):
    by_forms = _checked(values_list, with_forms=True)
    assert _checked(values_list, with_forms=False) == by_forms
    name = next(name for name, values in ROWS.items() if values == values_list[0])
    assert (by_forms[0] is not None) == name.startswith("valid"), by_forms


@pytest.mark.django_db
@pytest.mark.parametrize("values_list", list(HOUSEHOLDS.values()), ids=list(HOUSEHOLDS))
def test_each_family_rule_gives_the_same_error_on_the_same_row_without_the_forms(values_list):
    by_forms = _checked(values_list, with_forms=True)
    assert _checked(values_list, with_forms=False) == by_forms
    name = next(name for name, rows in HOUSEHOLDS.items() if rows == values_list)
    assert (by_forms[0] is not None) == name.startswith("valid"), by_forms


def _by_forms(answers) -> dict:
    verdict = {}
    for step, step_class in STEPS.items():
        forms = step_class(answers[step], answers=answers)
        valid = forms.is_valid()
        verdict[step] = (
            valid,
            {name: [str(m) for m in messages] for name, messages in forms.form.errors.items()},
            {
                prefix: (
                    [
                        {name: [str(m) for m in messages] for name, messages in f.errors.items()}
                        for f in formset.forms
                    ],
                    [str(m) for m in formset.non_form_errors()],
                )
                for prefix, formset in forms.sets.items()
            },
            forms.cleaned() if valid else None,
        )
    return verdict


def _without_forms(answers) -> dict:
    return {
        step: (
            checked.is_valid(),
            checked.form.errors,
            {
                prefix: ([f.errors for f in formset.forms], formset.non_form_errors())
                for prefix, formset in checked.sets.items()
            },
            checked.cleaned() if checked.is_valid() else None,
        )
        for step, checked in step_checks.check_steps(answers).items()
    }


def _answers(**changes) -> dict:
    answers = answers_of(GOOD)
    for step, values in changes.items():
        answers[step] = {**answers[step], **values}
    return answers


# Answers a row never gives (the import fills them itself), as the wizard or the API may post.
ANSWERS = {
    "risk chosen without a reason": _answers(needs={"override_reason": [""]}),
    "screening answered yes": _answers(
        needs={"q_deportation_threat": ["on"], "q_detained_member": ["on"], "risk_level": [""]}
    ),
    "partner's year without a name": _answers(family={"partner_birth_year": ["1980"]}),
    "partner without the tie": _answers(family={"partner_name": ["王例"]}),
    "a child's parent is the partner no one named": _answers(
        family={
            "children-TOTAL_FORMS": ["1"],
            "children-0-full_name": ["아이"],
            "children-0-birth_year": ["2012"],
            "children-0-nationality": ["stateless"],
            "children-0-father": ["partner"],
        }
    ),
    "a child whose mother and father are one person": _answers(
        family={
            "children-TOTAL_FORMS": ["1"],
            "children-0-full_name": ["아이"],
            "children-0-mother": ["principal"],
            "children-0-father": ["principal"],
        }
    ),
    "a child's form left as offered": _answers(
        family={
            "children-TOTAL_FORMS": ["1"],
            "children-0-sex": ["unknown"],
            "children-0-nationality": ["stateless"],
            "children-0-mother": ["principal"],
            "children-0-father": ["unknown"],
        }
    ),
    "an incident before the birth": _answers(
        situation={
            "incidents-TOTAL_FORMS": ["1"],
            "incidents-0-kind": ["arrest"],
            "incidents-0-occurred_on": ["1970-01-01"],
            "incidents-0-region": ["cn-jilin"],
        }
    ),
    "witness too long": _answers(consent={"witnessed_by": ["W" * 201]}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("answers", list(ANSWERS.values()), ids=list(ANSWERS))
def test_the_rules_a_row_cannot_break_are_the_forms_too(answers):
    assert _without_forms(answers) == _by_forms(answers)


def test_each_field_rule_of_a_form_is_the_one_the_checks_run():
    # A form's clean_<field> calls its field_rules entry: a new clean_<field> without one
    # would be checked by the wizard and not by the import.
    for form_class in (IntakeConsentForm, IdentityForm, ChildForm):
        cleaners = {name[6:] for name in dir(form_class) if name.startswith("clean_")}
        assert cleaners == set(getattr(form_class, "field_rules", {})), form_class


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KEYS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.mark.django_db
def test_a_korean_supervisor_reads_each_rows_errors_on_its_column_in_korean(sue, team_north):
    sue.preferred_language = "ko"
    sue.save(update_fields=["preferred_language"])
    rows = [
        {**GOOD, "full_name": "리순영"},
        # The kinds of mistakes a field office makes, one row each.
        {**GOOD, "full_name": "박영희", "date_of_birth": "1984-04-03"},
        {**GOOD, "full_name": "최정숙", "status_since": ""},
        {**GOOD, "full_name": "정은주", "consent_given_on": today().replace(year=2999).isoformat()},
        {**GOOD, "full_name": "강혜진", "birth_year": "1990", "status_since": "1980-01-01"},
        {**GOOD, "full_name": "", "consent_scopes": "statistics"},
        {**HEAD, "full_name": "윤선영", "household": "h2"},
        {**CHILD, "household": "h2", "relation": "child", "date_of_birth": "1984-06-01"},
    ]
    data = _csv(rows)
    batch = import_upload(
        team=team_north,
        uploaded_file=SimpleUploadedFile("현장.csv", data, content_type="text/csv"),
        actor=sue,
    )
    batch = import_check(batch=batch)

    errors = {entry["row"]: [e[:2] for e in entry["errors"]] for entry in batch.report["rows"]}
    with translation.override("ko"):
        required = str(IdentityForm.base_fields["full_name"].error_messages["required"])
    assert errors[2] == []
    assert errors[3] == [["birth_year", "출생 연도는 생년월일과 일치해야 합니다."]]
    assert errors[4] == [["status_since", "이 신분이 시작된 날(또는 추정일)을 입력하세요."]]
    assert errors[5] == [["consent_given_on", "미래 날짜로 동의할 수 없습니다."]]
    assert errors[6] == [["status_since", "면담한 대상자의 출생(1990년) 이전 날짜입니다."]]
    assert ["full_name", required] in errors[7]
    assert [column for column, _message in errors[7]] == ["consent_scopes", "full_name"]
    assert all("\uac00" <= message[0] <= "\ud7a3" for _column, message in errors[7]), errors[
        7
    ]  # Hangul, not the English source
    # The household: a child born before the mother is told on the child's row and column,
    # and on the mother's birth year, naming the child.
    assert errors[9][0][0] == "date_of_birth"
    assert errors[9][0][1].startswith("자녀의 출생")
    assert errors[8][0][0] == "birth_year" and "王小例" in errors[8][0][1]
    assert errors[8][0][1].startswith("이 사람의 자녀 王小例(1984-06-01 출생)와 맞지 않습니다")
    assert batch.valid_rows == 1
