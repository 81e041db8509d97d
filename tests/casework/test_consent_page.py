"""
Consent on the person page (issue 16, point 5): what each person agreed to, when, how, before
whom, its history, and the pages that record, renew and withdraw it; "Register a person" and
"Add a person" record consent or the documented reason it could not be asked; a refused share
names who lacks consent, with a link to their consent section.

The household: 김순희, a widow in Yanji whose case alice works, and her two children. Her
neighbour 리영옥 fled a buyer and shelters with her; she cannot be asked safely yet.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamMembership
from audit.models import AuditEvent
from casework.choices import AssignmentRole, MemberRole, PersonRole, Region, Sex
from casework.models import CaseMember, Person
from casework.services import person_consent_record
from consent.checks import allows, current_consent
from consent.models import Consent, Kind, Method, NotAskedReason, Scope
from consent.services import consent_record

from ..conftest import consent_answer, sign_in
from ..factories import AssignmentFactory, MembershipFactory, PersonFactory, UserFactory

WIDOW = "김순희"
CHILD = "박하나"
NEIGHBOUR = "리영옥"
UNSAFE_REASON = "The brother of her buyer watches the flat; she was too frightened to talk."
WITNESS = "통역 최영미"


@pytest.fixture
def widow(north_case, alice):
    """The principal of alice's case, who agreed to everything at intake."""
    mother = north_case.people.get()
    mother.full_name = WIDOW
    mother.save()
    consent_record(
        person=mother,
        actor=alice,
        method=Method.WRITTEN,
        scopes=[Scope.STORE_DATA, Scope.SHARE_WITH_ADVOCATES],
    )
    return mother


def _person_form(case, full_name: str, **extra) -> dict:
    return {
        "case": case.reference,
        "role_in_case": MemberRole.CHILD,
        "full_name": full_name,
        "sex": Sex.FEMALE,
        "nationality": "stateless",
        "role": PersonRole.CHILD,
        "region": Region.JILIN,
        **extra,
    }


def _register(client, case, full_name: str, **extra):
    url = reverse("casework:person_create") + f"?case={case.reference}"
    return client.post(url, _person_form(case, full_name, **extra))


def _page(client, person) -> str:
    response = client.get(reverse("casework:person_detail", args=[person.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _consent_section(html: str) -> str:
    return re.search(r'<section id="consent".*?</section>', html, re.S).group(0)


def test_a_widows_child_is_registered_with_her_mothers_consent(client, alice, north_case, widow):
    """
    Alice registers the widow's daughter, six years old: her mother answers for her. The
    person page names the mother as the one who gave it, how, and when to ask again.
    """
    in_a_year = timezone.localdate() + datetime.timedelta(days=365)
    sign_in(client, alice)
    form_page = client.get(reverse("casework:person_create") + f"?case={north_case.reference}")
    assert "Consent text to read to the person" in form_page.content.decode()
    response = _register(
        client,
        north_case,
        CHILD,
        date_of_birth="2019-04-01",
        **consent_answer(
            consent="guardian",
            guardian=widow.reference,
            method=Method.VERBAL,
            witnessed_by_user=alice.pk,
            renew_by=in_a_year.isoformat(),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Person.objects.matching_name(CHILD).get()
    consent = current_consent(child)
    assert (consent.kind, consent.guardian, consent.witnessed_by_user) == (
        Kind.GIVEN,
        widow,
        alice,
    )
    assert allows(child, Scope.SHARE_WITH_ADVOCATES)
    section = _consent_section(_page(client, child))
    assert "Given on their behalf by" in section and f"{WIDOW} ({widow.reference})" in section
    assert "Verbally" in section and "alice" in section
    assert f'datetime="{in_a_year.isoformat()}"' in section
    # Created in one transaction with the person, filed under the case, with no name in it.
    event = AuditEvent.objects.get(action="create", target_id=str(consent.pk))
    assert event.case_id == north_case.pk
    assert event.detail == {
        "scopes": ["share_with_advocates", "store_data"],
        "kind": "given",
        "guardian": widow.reference,
    }


def test_a_registration_without_an_answer_about_consent_is_refused(client, alice, north_case):
    """Nobody is registered without consent or a documented reason; the form keeps the name."""
    sign_in(client, alice)
    before = Person.objects.count()
    response = _register(client, north_case, CHILD)
    assert response.status_code == 200
    assert Person.objects.count() == before
    assert CHILD in response.content.decode()
    # "Not asked" needs its reason; a guardian's answer needs the guardian; "keep on file" is
    # part of any answer given.
    for answer, field in (
        ({"consent": "not_asked", "not_asked_reason": NotAskedReason.UNSAFE}, "explanation"),
        (consent_answer(consent="guardian"), "guardian"),
        (consent_answer(scopes=["share_with_advocates"]), "scopes"),
    ):
        response = _register(client, north_case, CHILD, **answer)
        assert response.status_code == 200
        assert response.context["form"].errors.get(field), (answer, response.context["form"].errors)
    assert Person.objects.count() == before


def test_unsafe_to_ask_then_sharing_refused_then_consent_recorded_then_shared(
    client, alice, sue, north_case, widow
):
    """
    The neighbour is registered with the documented reason she could not be asked. Sue's share
    with an advocate is refused naming her, with a link to her consent section. Alice records
    her consent there a week later; then the share goes through.
    """
    sign_in(client, alice)
    response = _register(
        client,
        north_case,
        NEIGHBOUR,
        role_in_case=MemberRole.OTHER,
        role=PersonRole.REFUGEE,
        consent="not_asked",
        not_asked_reason=NotAskedReason.UNSAFE,
        explanation=UNSAFE_REASON,
        renew_by=(timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    neighbour = Person.objects.matching_name(NEIGHBOUR).get()
    not_asked = current_consent(neighbour)
    assert (not_asked.kind, not_asked.scopes) == (Kind.NOT_ASKED, [])
    section = _consent_section(_page(client, neighbour))
    assert "Consent could not be asked." in section and UNSAFE_REASON in section
    assert "Ask again by" in section
    # The reason is encrypted and out of the audit trail.
    assert UNSAFE_REASON not in str(list(AuditEvent.objects.values_list("detail", flat=True)))

    advocate = UserFactory(username="amal")
    MembershipFactory(user=advocate, team=north_case.team, role=TeamMembership.Role.LEGAL_ADVOCATE)
    share_url = reverse("casework:case_share", args=[north_case.reference])
    consent_link = reverse("casework:person_detail", args=[neighbour.reference]) + "#consent"
    supervisor = sign_in(type(client)(), sue)
    refused = supervisor.post(share_url, {"advocate": advocate.pk})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "cannot be shared" in page
    assert f'<a href="{consent_link}">{NEIGHBOUR} ({neighbour.reference})</a>' in page
    assert widow.reference not in re.search(r"consent-missing.*?</div>", page, re.S).group(0)
    assert not north_case.assignments.filter(role=AssignmentRole.LEGAL_ADVOCATE).exists()

    record_url = reverse("casework:consent_record", args=[neighbour.reference])
    assert record_url in _consent_section(_page(client, neighbour))
    assert client.get(record_url).status_code == 200
    recorded = client.post(
        record_url,
        consent_answer(method=Method.INTERPRETER, witnessed_by=WITNESS, given_on=""),
    )
    assert recorded.status_code == 200  # the date it was given is asked for
    recorded = client.post(
        record_url,
        consent_answer(method=Method.INTERPRETER, witnessed_by=WITNESS),
    )
    assert recorded.status_code == 302
    assert recorded["Location"] == consent_link
    consent = current_consent(neighbour)
    assert (consent.kind, consent.method) == (Kind.GIVEN, Method.INTERPRETER)
    section = _consent_section(_page(client, neighbour))
    assert WITNESS in section and "Through an interpreter" in section
    assert WITNESS not in str(list(AuditEvent.objects.values_list("detail", flat=True)))

    shared = supervisor.post(share_url, {"advocate": advocate.pk}, follow=True)
    assert shared.redirect_chain[0][1] == 302
    # The success message names the advocate it was shared with.
    assert "The case was shared with amal." in shared.content.decode()
    assert north_case.assignments.filter(user=advocate).exists()


def test_renewing_moves_the_dates_on_and_keeps_what_was_agreed(client, alice, north_case, widow):
    """A year after her written consent, the widow confirms it: same scopes, new dates."""
    Consent.objects.filter(person=widow).update(
        given_on=datetime.date(2025, 1, 10), renew_by=datetime.date(2026, 1, 10)
    )
    sign_in(client, alice)
    section = _consent_section(_page(client, widow))
    assert "due" in section
    renew_url = reverse("casework:consent_renew", args=[widow.reference])
    assert renew_url in section
    today = timezone.localdate()
    response = client.post(
        renew_url,
        {
            "method": Method.VERBAL,
            "given_on": today.isoformat(),
            "witnessed_by_user": alice.pk,
            "renew_by": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    renewed = current_consent(widow)
    assert (renewed.kind, renewed.given_on, renewed.scopes) == (
        Kind.RENEWED,
        today,
        ["store_data", "share_with_advocates"],
    )
    assert not renewed.renewal_due()
    html = _page(client, widow)
    history = re.search(r'<table class="consent-history cards">.*?</table>', html, re.S).group(0)
    assert history.count("<tr>") == 3  # the heading and both records
    assert "Consent renewed" in history and "Consent given" in history


def test_nothing_to_renew_without_consent(client, alice, north_case):
    """A person with no consent on file is offered to record it, not to renew it."""
    person = north_case.people.get()
    sign_in(client, alice)
    section = _consent_section(_page(client, person))
    assert "No consent has been recorded." in section
    assert reverse("casework:consent_renew", args=[person.reference]) not in section
    response = client.post(
        reverse("casework:consent_renew", args=[person.reference]),
        {"method": Method.VERBAL, "given_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "no consent to renew" in response.content.decode()
    assert not Consent.objects.filter(person=person).exists()


def test_withdrawing_from_the_person_page(client, alice, sue, north_case, widow):
    """
    The widow no longer wants her case shown to advocates: alice follows "Withdraw consent" from
    her page; the withdrawal is a record of its own, audited, and sharing is refused after it.
    """
    sign_in(client, alice)
    withdraw_url = reverse("intake:consent_withdraw", args=[widow.reference])
    assert withdraw_url in _consent_section(_page(client, widow))
    response = client.post(
        withdraw_url, {"scopes": [Scope.SHARE_WITH_ADVOCATES], "method": Method.VERBAL}
    )
    assert response.status_code == 302
    withdrawn = current_consent(widow)
    assert (withdrawn.kind, withdrawn.scopes) == (Kind.WITHDRAWN, ["store_data"])
    event = AuditEvent.objects.get(action="create", target_id=str(withdrawn.pk))
    assert event.actor == alice and event.detail["kind"] == "withdrawn"
    assert WIDOW not in str(event.detail)
    section = _consent_section(_page(client, widow))
    assert "Consent withdrawn" in section
    # Recording consent again cannot drop "keep on file" behind the erasure's back.
    dropped = client.post(
        reverse("casework:consent_record", args=[widow.reference]),
        consent_answer(scopes=["share_with_advocates"]),
    )
    assert dropped.status_code == 200
    assert current_consent(widow) == withdrawn


def test_adding_a_person_on_file_without_consent_asks_for_it(client, alice, north_case, widow):
    """
    The widow's sister is on file in another of alice's cases, with no consent recorded (she
    was registered before consent was asked at registration). Adding her needs an answer.
    """
    sister = PersonFactory(full_name="김순옥")
    other = CaseMember.objects.create(
        case=type(north_case).objects.create(team=north_case.team, owner=alice),
        person=sister,
        role=MemberRole.PRINCIPAL,
    ).case
    AssignmentFactory(case=other, user=alice)
    sign_in(client, alice)
    url = reverse("casework:member_add", args=[north_case.reference])
    kept = client.post(url, {"person": sister.reference, "role": MemberRole.RELATIVE})
    assert kept.status_code == 200
    assert kept.context["form"].errors["consent"]
    assert not north_case.members.filter(person=sister).exists()
    added = client.post(
        url, {"person": sister.reference, "role": MemberRole.RELATIVE, **consent_answer()}
    )
    assert added.status_code == 302
    assert north_case.members.filter(person=sister).exists()
    assert current_consent(sister).recorded_by == alice
    # The widow's consent is on file: she joins another case as she is.
    assert (
        client.post(
            reverse("casework:member_add", args=[other.reference]),
            {"person": widow.reference, "role": MemberRole.RELATIVE, "consent": "on_file"},
        ).status_code
        == 302
    )
    assert Consent.objects.filter(person=widow).count() == 1


def test_advocates_read_consent_and_other_teams_see_nothing(
    client, alice, charlie, lena, north_case, widow
):
    """
    The case's legal advocate reads what the widow agreed to, is offered no button, and is
    refused the record and renew pages; South's caseworker gets 404 everywhere.
    """
    advocate = lena
    sign_in(client, advocate)
    section = _consent_section(_page(client, widow))
    assert "Share my case with legal advocates" in section
    assert "Record consent" not in section and "Withdraw consent" not in section
    pages = [
        reverse("casework:consent_record", args=[widow.reference]),
        reverse("casework:consent_renew", args=[widow.reference]),
        reverse("intake:consent_withdraw", args=[widow.reference]),
    ]
    for url in pages:
        assert client.get(url).status_code == 403
        assert client.post(url, consent_answer()).status_code == 403
    outsider = sign_in(type(client)(), charlie)
    for url in pages:
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, consent_answer()).status_code == 404
    assert Consent.objects.filter(person=widow).count() == 1


def test_a_nine_year_old_brother_is_not_offered_or_taken_as_his_sisters_guardian(
    client, alice, north_case, widow
):
    """
    A widow's two children are in her case: the girl's consent is given by her mother, never by
    her brother, who is nine. He is not offered, and a hand-made post naming him is refused.
    """
    today = timezone.localdate()
    girl = PersonFactory(
        full_name=CHILD, date_of_birth=today.replace(year=today.year - 14), role=PersonRole.CHILD
    )
    boy = PersonFactory(
        full_name="박철", date_of_birth=today.replace(year=today.year - 9), role=PersonRole.CHILD
    )
    for child in (girl, boy):
        north_case.members.create(person=child, role=MemberRole.CHILD)
    sign_in(client, alice)
    url = reverse("casework:consent_record", args=[girl.reference])

    offered = client.get(url).context["form"].fields["guardian"].queryset
    assert widow in offered and boy not in offered

    answer = consent_answer(consent="guardian", guardian=boy.reference)
    assert client.post(url, answer).status_code == 200  # the form again: not a choice
    with pytest.raises(ValidationError, match="must be an adult"):
        person_consent_record(
            person=girl,
            actor=alice,
            method=Method.VERBAL,
            scopes=[Scope.STORE_DATA],
            guardian=boy,
        )
    assert not Consent.objects.filter(person=girl).exists()

    answer = consent_answer(consent="guardian", guardian=widow.reference)
    assert client.post(url, answer).status_code == 302
    assert current_consent(girl).guardian == widow
