"""
Intake duplicates by name keys (issue 22): a woman on file as 박숙희 is proposed when an intake
gives her name as a UNHCR letter spells it (Pak Suk Hui) or as a Chinese paper writes it
(朴淑姬), when the birth years agree within a year, with the reason in words; the exact name is
proposed before another spelling of it; and who may not see her learns only the neutral
sentence, as for an exact name (tests/intake/test_no_oracle.py).
"""

import pytest
from django.test import Client
from django.urls import reverse

from casework import services
from intake.duplicates import Reason, Subject, candidates_for

from ..conftest import sign_in
from .conftest import ANSWERS, fill, start, submit

pytestmark = pytest.mark.django_db

SPELLING_REASON = "A name given is one of their names in another spelling or script"
NEUTRAL = "A possible duplicate is being checked by your supervisor."


def on_file(team, caseworker, name, birth_year, *aliases):
    """Someone in a case of `team`, recorded through the services (so with name keys)."""
    person = services.person_create(
        actor=caseworker, full_name=name, aliases=aliases, role="refugee", birth_year=birth_year
    )
    services.case_open(
        team=team,
        actor=caseworker,
        risk_level="medium",
        members=[(person, "principal")],
        caseworkers=[caseworker],
    )
    return person


@pytest.fixture
def suk_hui(team_north, alice):
    """박숙희, born 1979, on North's file."""
    return on_file(team_north, alice, "박숙희", 1979)


@pytest.mark.parametrize("typed", ["Pak Suk Hui", "Park Sook-hee", "Suk Hui Pak", "朴淑姬"])
def test_another_spelling_of_her_name_proposes_her_with_the_reason(typed, suk_hui):
    found = candidates_for(Subject(key="principal", names=[typed], birth_year=1980))
    assert found == {suk_hui.pk: [Reason.BIRTH_YEAR.value, Reason.SPELLING.value]}


def test_a_spelling_needs_both_birth_years_and_close(suk_hui, team_north, alice):
    """
    A namesake born 1950 is another woman; without a birth year a spelling proposes nobody
    (it folds too many names together), while the exact name still does.
    """
    on_file(team_north, alice, "Pak Suk Hui", 1950)
    assert candidates_for(Subject(key="principal", names=["朴淑姬"], birth_year=1980)) == {
        suk_hui.pk: [Reason.BIRTH_YEAR.value, Reason.SPELLING.value]
    }
    assert candidates_for(Subject(key="principal", names=["Pak Suk Hui"])) != {}
    unknown_year = candidates_for(Subject(key="principal", names=["朴淑姬"]))
    assert unknown_year == {}
    assert candidates_for(Subject(key="principal", names=["박숙희"])) == {
        suk_hui.pk: [Reason.NAME.value]
    }


def test_the_exact_name_comes_before_another_spelling_and_is_not_said_twice(
    suk_hui, team_north, alice
):
    """Two women: 박숙희 exactly, and Pak Suk-hui (1978) in Latin letters."""
    latin = on_file(team_north, alice, "Pak Suk-hui", 1978)
    found = candidates_for(Subject(key="principal", names=["박숙희"], birth_year=1979))
    assert list(found.items()) == [
        (suk_hui.pk, [Reason.BIRTH_YEAR.value, Reason.NAME.value]),
        (latin.pk, [Reason.BIRTH_YEAR.value, Reason.SPELLING.value]),
    ]


def test_an_alias_in_characters_is_matched_by_its_hangul_reading(team_north, alice):
    """On file as Park Sook Hee with the alias 朴淑姬; the intake gives 박숙희."""
    person = on_file(team_north, alice, "Park Sook Hee", 1979, "朴淑姬")
    found = candidates_for(Subject(key="principal", names=["박숙희"], birth_year=1979))
    assert found == {person.pk: [Reason.BIRTH_YEAR.value, Reason.SPELLING.value]}


def intake_from_a_unhcr_letter(client):
    identity = {**ANSWERS["identity"], "full_name": "Pak Suk Hui", "aliases": ""}
    identity |= {"date_of_birth": "1980-03-02", "contact": ""}
    return submit(client, fill(client, start(client), answers={"identity": identity}))


def test_her_caseworker_sees_who_and_why_another_team_only_the_neutral_sentence(
    suk_hui, alice, charlie, sue
):
    alice_client = sign_in(Client(), alice)
    mine = intake_from_a_unhcr_letter(alice_client)
    page = alice_client.get(reverse("intake:detail", kwargs={"intake_ref": mine.reference}))
    body = page.content.decode()
    assert suk_hui.reference in body and SPELLING_REASON in body and NEUTRAL not in body

    charlie_client = sign_in(Client(), charlie)
    theirs = intake_from_a_unhcr_letter(charlie_client)
    assert theirs.duplicates.get(subject="principal").person == suk_hui
    page = charlie_client.get(reverse("intake:detail", kwargs={"intake_ref": theirs.reference}))
    body = page.content.decode()
    assert NEUTRAL in body and suk_hui.reference not in body and SPELLING_REASON not in body
    # North's supervisor, who holds her record, is told who and why.
    held = sign_in(Client(), sue).get(reverse("intake:queue")).content.decode()
    assert theirs.reference in held and suk_hui.reference in held and SPELLING_REASON in held


def test_names_with_digits_are_compared_exactly_only(team_north, alice):
    """Placeholders such as "Alias 3" lose their digits when romanised: they meet no "Alias 7"."""
    on_file(team_north, alice, "Alias 7", 1980, "別名7")
    assert (
        candidates_for(Subject(key="principal", names=["Alias 3", "別名3"], birth_year=1980)) == {}
    )
