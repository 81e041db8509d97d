"""
Issue 16, households as people live them: the intake asks who each child's mother and father
are and records those ties; family rules are checked at the step where a date is typed; a
supervisor sends an intake back and the caseworker corrects it; an intake merged into someone on
an open case joins that case.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from casework import services as casework
from casework.choices import (
    Country,
    LegalStatus,
    MemberRole,
    RelationshipKind,
    RiskLevel,
    StatusSource,
)
from casework.models import Case, CaseNote, LegalStatusRecord, Person, Relationship
from intake import services
from intake.models import IntakeDecision, IntakeSubmission
from legal_aid import services as legal_aid
from legal_aid.documents import facts
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from ..factories import CaseFactory, CaseMemberFactory
from .conftest import ANSWERS, FAMILY, SITUATION, fill, post_step, start, step_url, submit

pytestmark = pytest.mark.django_db
Status = IntakeSubmission.Status
Action = IntakeDecision.Action


def action(submission, name):
    return reverse(f"intake:{name}", kwargs={"intake_ref": submission.reference})


def child_errors(response, number=0):
    return response.context["forms"].children.forms[number].errors


# Who the children's parents are.


def test_a_family_in_liaoning_records_the_chinese_partner_as_father(client, alice, sue):
    """
    Kim Sun-hui lives near Dandong with Wang Jianguo, a Chinese citizen, the father of both her
    children: the ties say so, and the child's advocacy brief argues from the Chinese father.
    """
    sign_in(client, alice)
    liaoning = {**SITUATION, "region": "cn-liaoning", "incidents-0-region": "cn-liaoning"}
    submission = submit(client, fill(client, start(client), answers={"situation": liaoning}))
    case = services.intake_approve(submission=submission, actor=sue)

    members = {m.person.full_name: m.person for m in case.members.select_related("person")}
    mother, father = members["김순희"], members["王建国"]
    for name in ("王明", "王丽"):
        parents = Relationship.objects.filter(
            to_person=members[name], kind=RelationshipKind.PARENT_OF
        ).values_list("from_person", flat=True)
        assert set(parents) == {mother.pk, father.pk}, name

    brief = legal_aid.document_request(
        kind=AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
        language="en",
        redaction=AdvocacyDocument.Redaction.PSEUDONYMISED,
        case=case,
        subject=members["王明"],
        actor=alice,
    )
    snapshot = facts.gather(brief)
    assert str(father.pk) in {person["pk"] for person in snapshot["people"]}
    # Art. 4 of the Nationality Law needs the birth in China on record too: the caseworker
    # records the boy's status since birth, in China, and the brief then argues from it.
    son = members["王明"]
    casework.legal_status_change(
        person=son,
        status=LegalStatus.STATELESS,
        effective_from=son.date_of_birth or datetime.date(son.birth_year, 1, 1),
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        actor=alice,
    )
    text = json.dumps(facts.gather(brief), ensure_ascii=False)
    assert "art. 4 of the Nationality Law" in text


def test_a_child_whose_father_is_not_known_is_tied_to_the_mother_alone(client, alice, sue):
    """The partner is the father only where the caseworker says so."""
    sign_in(client, alice)
    family = {**FAMILY, "children-1-father": "unknown"}
    submission = submit(client, fill(client, start(client), answers={"family": family}))
    case = services.intake_approve(submission=submission, actor=sue)
    daughter = case.people.get(birth_year=2016)
    parents = Relationship.objects.filter(to_person=daughter).values_list(
        "from_person__role", flat=True
    )
    assert list(parents) == ["refugee"]


# Family rules at the step.


def test_a_child_born_before_the_mother_is_refused_at_the_family_step(client, alice):
    """Typed as 1980, before the mother's 1984: refused on the child's date, not at approval."""
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    response = post_step(
        client, submission, "family", {**FAMILY, "children-0-date_of_birth": "1980-03-01"}
    )
    assert response.status_code == 400
    assert child_errors(response)["date_of_birth"] == [
        "The child's birth must be after the parent's (born 17 May 1984)."
    ]
    assert "must be after the parent" in response.content.decode()
    # Kept as typed: the caseworker corrects one date.
    submission.refresh_from_db()
    assert submission.answers["family"]["children-0-date_of_birth"] == ["1980-03-01"]


def test_a_father_too_young_and_a_father_never_named_are_refused(client, alice):
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    young = post_step(client, submission, "family", {**FAMILY, "partner_birth_year": "2008"})
    assert "would have been 4 at this birth" in child_errors(young)["date_of_birth"][0]

    no_partner = {key: value for key, value in FAMILY.items() if key.startswith("children-")}
    unnamed = post_step(client, submission, "family", no_partner)
    assert unnamed.status_code == 400
    assert "No partner is named above" in child_errors(unnamed)["father"][0]


def test_a_birth_date_changed_later_is_checked_against_the_children(client, alice):
    """Back on the Identity step, a mother born after her son is refused there, naming him."""
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity", "family"])
    identity = {**ANSWERS["identity"], "date_of_birth": "2013-01-01"}
    response = post_step(client, submission, "identity", identity)
    assert response.status_code == 400
    error = response.context["forms"].form.errors["date_of_birth"][0]
    assert "王明" in error and "2012-09-01" in error


# Sent back, corrected, sent again.


def test_a_supervisor_sends_back_a_wrong_date_and_the_caseworker_corrects_it(client, alice, sue):
    """The status date typed as 2025 instead of 2005: sent back, one step fixed, approved."""
    sign_in(client, alice)
    typo = {**SITUATION, "status_since": "2025-06-01"}
    submission = submit(client, fill(client, start(client), answers={"situation": typo}))

    supervisor = sign_in(Client(), sue)
    assert client.post(action(submission, "send_back"), {"reason": "x"}).status_code == 403
    assert supervisor.post(action(submission, "send_back"), {"reason": ""}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    reason = "She has been undocumented since 2005, not 2025: check the date."
    assert supervisor.post(action(submission, "send_back"), {"reason": reason}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.RETURNED
    assert submission not in supervisor.get(reverse("intake:queue")).context["queue"]

    listing = client.get(reverse("intake:start"))
    assert submission in listing.context["returned"]
    assert reason in listing.content.decode()
    step = client.get(step_url(submission, "situation"))
    assert step.status_code == 200 and reason in step.content.decode()
    assert step.context["forms"].form["status_since"].value() == "2025-06-01"

    fixed = post_step(client, submission, "situation", SITUATION)
    assert fixed.status_code == 302
    submit(client, submission)
    assert submission.status == Status.SUBMITTED

    detail = supervisor.get(action(submission, "detail"))
    assert reason in detail.content.decode()
    assert [entry.action for entry in detail.context["history"]] == [
        Action.SUBMITTED,
        Action.RETURNED,
        Action.RESUBMITTED,
    ]
    assert supervisor.post(action(submission, "approve")).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    principal = submission.case.members.get(role=MemberRole.PRINCIPAL).person
    assert LegalStatusRecord.objects.get(person=principal).effective_from == datetime.date(
        2005, 6, 1
    )
    assert submission.decisions.last().action == Action.APPROVED


# Merging into someone on an open case.


@pytest.fixture
def detained_mother(north_case, alice):
    """Kim Sun-hui on file: her case is High risk, and she was detained in October 2025."""
    mother = north_case.people.get()
    mother.full_name, mother.date_of_birth, mother.birth_year = "김순희", None, 1984
    mother.save()
    Case.objects.filter(pk=north_case.pk).update(risk_level=RiskLevel.HIGH)
    casework.legal_status_change(
        person=mother,
        status="detained_cn",
        effective_from=datetime.date(2025, 10, 1),
        country="CN",
        source="family",
        actor=alice,
    )
    return mother


def test_a_duplicate_intake_of_a_detained_mother_joins_her_open_case(
    client, alice, sue, north_case, detained_mother
):
    """Her case gets her partner and children; no second case; the case stays High risk."""
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    cases_before = Case.objects.count()
    supervisor = sign_in(Client(), sue)
    page = supervisor.get(action(submission, "detail"))
    assert "join it, which keeps its risk level" in page.content.decode()

    response = supervisor.post(
        action(submission, "merge"), {"person": detained_mother.reference}, follow=True
    )
    assert "No new case was opened" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.MERGED and submission.case == north_case
    assert Case.objects.count() == cases_before
    assert Case.objects.filter(members__person=detained_mother).get() == north_case
    north_case.refresh_from_db()
    assert north_case.risk_level == RiskLevel.HIGH
    assert sorted(person.full_name for person in north_case.people.all()) == sorted(
        ["김순희", "王建国", "王明", "王丽"]
    )
    assert Person.objects.matching_name("김순희").get() == detained_mother
    children = Relationship.objects.filter(from_person=detained_mother, kind="parent_of")
    assert children.count() == 2
    # Still detained; the intake's older status closed when the detention began.
    current = LegalStatusRecord.objects.get(person=detained_mother, effective_to__isnull=True)
    assert current.status == "detained_cn"
    note = CaseNote.objects.filter(case=north_case).latest("created_at")
    assert "Risk assessed at intake" in note.body


def test_a_person_in_two_open_cases_asks_which_one(
    client, alice, sue, north_case, detained_mother, team_north
):
    second = CaseFactory(team=team_north, owner=alice)
    CaseMemberFactory(case=second, person=detained_mother, role=MemberRole.PRINCIPAL)
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    supervisor = sign_in(Client(), sue)
    form = supervisor.get(action(submission, "detail")).context["merge_form"]
    assert {north_case.reference, second.reference} <= {
        value for value, _label in form.fields["case"].choices
    }

    unchosen = supervisor.post(
        action(submission, "merge"), {"person": detained_mother.reference}, follow=True
    )
    assert "several open cases" in unchosen.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED

    supervisor.post(
        action(submission, "merge"), {"person": detained_mother.reference, "case": second.reference}
    )
    submission.refresh_from_db()
    assert submission.status == Status.MERGED and submission.case == second
    assert second.people.count() == 4 and north_case.people.count() == 1


def test_a_person_without_an_open_case_gets_a_new_one_and_is_told(
    client, alice, sue, north_case, detained_mother
):
    Case.objects.filter(pk=north_case.pk).update(status="closed", closed_on=north_case.opened_on)
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    supervisor = sign_in(Client(), sue)
    assert "has no open case" in supervisor.get(action(submission, "detail")).content.decode()
    response = supervisor.post(
        action(submission, "merge"), {"person": detained_mother.reference}, follow=True
    )
    submission.refresh_from_db()
    assert submission.case != north_case
    assert "who had no open case" in response.content.decode()
