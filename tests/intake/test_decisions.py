import datetime
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts.models import TeamMembership
from audit.models import AuditEvent
from casework import services as casework
from casework.choices import MemberRole, RelationshipKind
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
)
from consent.checks import allows
from consent.models import Consent
from intake import services
from intake.models import IntakeSubmission

from ..conftest import sign_in
from ..factories import (
    AssignmentFactory,
    CaseFactory,
    CaseMemberFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)
from .conftest import fill, start, submit

pytestmark = pytest.mark.django_db
Status = IntakeSubmission.Status


def detail(submission):
    return reverse("intake:detail", kwargs={"intake_ref": submission.reference})


def action(submission, name):
    return reverse(f"intake:{name}", kwargs={"intake_ref": submission.reference})


def test_an_nfd_encoded_hangul_name_finds_the_person_on_file(client, alice, sue, team_north):
    """A person on file under the NFD form of a Hangul name is a candidate, with the reasons."""
    on_file = PersonFactory(
        full_name=unicodedata.normalize("NFD", "김순희"),
        birth_year=1985,
        date_of_birth=None,
        contact="",
    )
    case = CaseFactory(team=team_north)
    CaseMemberFactory(case=case, person=on_file)
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    candidate = submission.duplicates.get(subject="principal")
    assert candidate.person == on_file
    assert set(candidate.reasons) == {"name", "birth_year"}

    page = client.get(detail(submission))
    assert page.status_code == 200
    body = page.content.decode()
    # A case of her team she does not work: out of alice's sight, so only the neutral sentence.
    assert on_file.reference not in body and "Born within a year" not in body
    assert "A possible duplicate is being checked by your supervisor." in body

    supervisor = sign_in(Client(), sue)
    page = supervisor.get(detail(submission))
    assert page.context["candidates"][0]["person"] == on_file
    assert "Born within a year" in page.content.decode()


def test_aliases_contacts_and_birth_years_decide_candidates(alice, sue, client):
    """An alias matches; a far birth year does not; a contact alone does."""
    by_alias = PersonFactory(full_name="Kim S.", birth_year=1983, date_of_birth=None, contact="")
    # A person of no case: no one may change them through the services, so the alias is stored.
    PersonAlias.objects.create(person=by_alias, name="kim sun hui")
    PersonFactory(full_name="김순희", birth_year=1960, date_of_birth=None, contact="")
    by_contact = PersonFactory(
        full_name="Other", contact="+86 138 0000 1111", date_of_birth=None, birth_year=None
    )
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    found = {c.person: set(c.reasons) for c in submission.duplicates.filter(subject="principal")}
    assert found == {by_alias: {"alias", "birth_year"}, by_contact: {"contact"}}


def test_approval_creates_the_family_and_their_case(submitted, sue, alice):
    """People, ties, consents, statuses, benefits, incidents, the case and its caseworker."""
    case = services.intake_approve(submission=submitted, actor=sue)
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED and submitted.case == case
    assert submitted.answers == {}
    members = {m.role: m.person for m in case.members.all()}
    principal = members[MemberRole.PRINCIPAL]
    assert principal.full_name == "김순희"
    assert {a.name for a in principal.aliases.all()} == {"金顺姬", "Kim Sun-hui"}
    assert case.members.count() == 4
    assert case.team == submitted.team and case.risk_level == "high"
    assert CaseAssignment.objects.filter(case=case, user=alice, role="caseworker").exists()
    ties = Relationship.objects.filter(from_person=principal)
    assert sorted(t.kind for t in ties) == ["parent_of", "parent_of", "partner_of"]
    assert ties.get(kind="partner_of").marriage_registered is False
    assert LegalStatusRecord.objects.get(person=principal).status == "undocumented_cn"
    assert Entitlement.objects.filter(person__in=case.people.all(), status="denied").count() == 4
    assert Incident.objects.get(case=case).people.get() == principal
    assert Consent.objects.filter(person__in=case.people.all()).count() == 4
    # The principal answered for her children.
    children = [m.person for m in case.members.filter(role=MemberRole.CHILD)]
    assert {c.guardian for c in Consent.objects.filter(person__in=children)} == {principal}
    assert allows(principal, "share_with_advocates") is True


def test_a_failure_half_way_through_approval_leaves_nothing(submitted, sue, alice, team_north):
    """If the caseworker left the team, assigning the case fails: no person, no case is left."""
    TeamMembership.objects.filter(user=alice, team=team_north).delete()
    people, cases = Person.objects.count(), Case.objects.count()
    with pytest.raises(ValidationError):
        services.intake_approve(submission=submitted, actor=sue)
    assert (Person.objects.count(), Case.objects.count()) == (people, cases)
    assert Consent.objects.count() == 0
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.answers


def test_caseworkers_cannot_decide(submitted, alice):
    """alice sees her submitted intake but approve, reject and merge answer 403."""
    own = sign_in(Client(), alice)
    assert own.get(detail(submitted)).status_code == 200
    for name in ("approve", "reject", "merge"):
        assert own.post(action(submitted, name), {"reason": "x"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_another_team_cannot_see_or_act_on_the_intake(submitted, charlie, team_south):
    """charlie, and South's supervisor, get 404 on North's intake and on every action."""
    south_supervisor = UserFactory(username="sam")
    MembershipFactory(user=south_supervisor, team=team_south, role="supervisor")
    for user in (charlie, south_supervisor):
        other = sign_in(Client(), user)
        assert other.get(detail(submitted)).status_code == 404
        for name in ("approve", "reject", "merge", "discard"):
            assert other.post(action(submitted, name), {"reason": "x"}).status_code == 404
        assert submitted not in other.get(reverse("intake:start")).context["sent"]
    assert (
        submitted
        not in sign_in(Client(), south_supervisor).get(reverse("intake:queue")).context["queue"]
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_the_supervisor_approves_through_the_page(submitted, sue):
    supervisor = sign_in(Client(), sue)
    queue = supervisor.get(reverse("intake:queue"))
    assert submitted in queue.context["queue"]
    response = supervisor.post(action(submitted, "approve"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_each_reason_box_of_the_decision_is_named_by_its_own_label(submitted, sue):
    """
    Sending back and rejecting each ask for a reason: each box has its own id, so a click on
    "Why is this intake rejected?" (or a screen reader) lands in the rejection's box, not in the
    send-back one above it; and what each posts is still its `reason`.
    """
    page = sign_in(Client(), sue).get(detail(submitted)).content.decode()
    ids = re.findall(r'<textarea name="reason"[^>]* id="([^"]+)"', page)
    assert len(ids) == 2
    assert len(set(ids)) == 2
    for question, form in (
        ("What should the caseworker correct?", "send-back"),
        ("Why is this intake rejected?", "reject"),
    ):
        box = re.search(rf'<label for="([^"]+)">{re.escape(question)}</label>', page).group(1)
        assert box in ids
        # The label and its box are in the same form, the one that posts to its action.
        form_of_action = rf'<form[^>]* action="[^"]*/{form}/">(.*?)</form>'
        form_html = re.search(form_of_action, page, re.S).group(1)
        assert f'id="{box}"' in form_html


def test_rejection_keeps_the_reason(submitted, sue, alice):
    supervisor = sign_in(Client(), sue)
    assert supervisor.post(action(submitted, "reject"), {"reason": ""}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    supervisor.post(action(submitted, "reject"), {"reason": "Already helped by a partner NGO"})
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED
    assert submitted.rejection_reason == "Already helped by a partner NGO"
    page = sign_in(Client(), alice).get(detail(submitted))
    assert "Already helped by a partner NGO" in page.content.decode()


def test_merging_the_intake_into_the_person_on_file(client, alice, sue, north_case):
    """The supervisor merges the principal into the NFD-named person on file: one person remains."""
    on_file = north_case.people.get()
    on_file.full_name = unicodedata.normalize("NFD", "김순희")
    on_file.save()
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    supervisor = sign_in(Client(), sue)
    response = supervisor.post(action(submission, "merge"), {"person": on_file.reference})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Status.MERGED and submission.merged_into == on_file
    assert submission.case.people.filter(pk=on_file.pk).exists()
    assert Person.objects.matching_name("김순희").get() == on_file
    assert {a.name for a in on_file.aliases.all()} >= {"金顺姬", "Kim Sun-hui"}


def _full_record(person, case, actor, *, since, status="undocumented_cn", history=False):
    casework.person_alias_add(person=person, name=f"alias of {person.reference}", actor=actor)
    if history:
        casework.legal_status_record_add(
            person=person,
            status="stateless",
            effective_from=since - datetime.timedelta(days=400),
            effective_to=since - datetime.timedelta(days=300),
            country="CN",
            source="caseworker",
            actor=actor,
        )
    casework.legal_status_change(
        person=person,
        status=status,
        effective_from=since,
        country="CN",
        source="caseworker",
        actor=actor,
    )
    casework.entitlement_record(
        person=person, kind="school", status="denied", as_of=since, actor=actor
    )
    casework.incident_record(
        case=case, kind="raid", occurred_on=since, region="cn-jilin", people=[person], actor=actor
    )
    Consent.objects.create(person=person, method="verbal", store_data=True)
    Attachment.objects.create(
        case=case,
        person=person,
        file=ContentFile(b"x", name="scan"),
        original_name="scan.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )


def test_a_merge_loses_nothing(alice, team_north):
    """Every row that pointed at the merged record points at the person kept, or is accounted for."""
    case_a, case_b = CaseFactory(team=team_north), CaseFactory(team=team_north)
    AssignmentFactory(case=case_a, user=alice)
    AssignmentFactory(case=case_b, user=alice)
    source = PersonFactory(
        full_name="이영희", date_of_birth=None, birth_year=None, place_of_origin="", contact="+86 1"
    )
    target = PersonFactory(
        full_name="Lee Young-hee",
        date_of_birth=datetime.date(1980, 1, 2),
        birth_year=1980,
        contact="+86 2",
    )
    child = PersonFactory(role="child", date_of_birth=datetime.date(2010, 1, 1), birth_year=2010)
    for case, person in [(case_a, source), (case_a, child), (case_b, target), (case_b, source)]:
        CaseMember.objects.create(case=case, person=person, role="other")
    _full_record(source, case_a, alice, since=datetime.date(2015, 1, 1))
    _full_record(
        target, case_b, alice, since=datetime.date(2012, 1, 1), status="detained_cn", history=True
    )
    casework.relationship_create(
        from_person=source, to_person=child, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    casework.relationship_create(
        from_person=source, to_person=target, kind=RelationshipKind.SPOUSE_OF, actor=alice
    )
    before = {
        "aliases": PersonAlias.objects.filter(person__in=[source, target]).count(),
        "statuses": LegalStatusRecord.objects.filter(person__in=[source, target]).count(),
        "entitlements": Entitlement.objects.filter(person__in=[source, target]).count(),
        "incidents": Incident.objects.filter(people__in=[source, target]).count(),
        "consents": Consent.objects.filter(person__in=[source, target]).count(),
        "attachments": Attachment.objects.filter(person__in=[source, target]).count(),
    }

    moved = casework.person_merge(source=source, target=target, actor=alice)

    assert not Person.objects.filter(pk=source.pk).exists()
    target.refresh_from_db()
    # Names: the source's name is now an alias; its alias moved.
    assert PersonAlias.objects.filter(person=target).count() == before["aliases"] + 1
    assert Person.objects.matching_name("이영희").get() == target
    # Status history: all three periods kept; the older current one closed when the later began.
    statuses = list(LegalStatusRecord.objects.filter(person=target).order_by("effective_from"))
    assert len(statuses) == before["statuses"]
    assert [s.effective_to for s in statuses].count(None) == 1 and statuses[
        -1
    ].status == "undocumented_cn"
    assert Entitlement.objects.filter(person=target).count() == before["entitlements"]
    assert Incident.objects.filter(people=target).count() == before["incidents"]
    assert Consent.objects.filter(person=target).count() == before["consents"]
    assert Attachment.objects.filter(person=target).count() == before["attachments"]
    # Ties: the child is now the target's; the tie between the two records is gone, and said so.
    assert Relationship.objects.get(kind="parent_of").from_person == target
    assert (
        moved["ties_between_the_records"] == 1
        and not Relationship.objects.filter(kind="spouse_of").exists()
    )
    # Memberships: the target is in both cases, once each.
    assert set(CaseMember.objects.filter(person=target).values_list("case", flat=True)) == {
        case_a.pk,
        case_b.pk,
    }
    assert moved["memberships_already_known"] == 1
    # Details: the source's differing contact is kept in the notes, not lost.
    assert target.contact == "+86 2" and "+86 1" in target.notes


def test_a_merge_refuses_conflicting_current_statuses_of_the_same_day(alice, north_case):
    source, target = PersonFactory(), PersonFactory()
    for person in (source, target):
        CaseMember.objects.create(case=north_case, person=person, role="other")
    day = datetime.date(2020, 1, 1)
    casework.legal_status_change(
        person=source,
        status="detained_cn",
        effective_from=day,
        country="CN",
        source="caseworker",
        actor=alice,
    )
    casework.legal_status_change(
        person=target,
        status="in_transit",
        effective_from=day,
        country="XT",
        source="caseworker",
        actor=alice,
    )
    with pytest.raises(ValidationError, match="same day"):
        casework.person_merge(source=source, target=target, actor=alice)
    assert Person.objects.filter(pk=source.pk).exists()


def test_the_records_of_an_approved_intake_name_its_caseworker_as_recorder(submitted, sue, alice):
    """Alice took the intake, Sue approved it: Alice recorded what it says; Sue's approval is audited."""
    case = services.intake_approve(submission=submitted, actor=sue)
    people = case.people.all()
    assert case.owner == alice
    assert {s.recorded_by for s in LegalStatusRecord.objects.filter(person__in=people)} == {alice}
    assert {e.recorded_by for e in Entitlement.objects.filter(person__in=people)} == {alice}
    assert Incident.objects.get(case=case).recorded_by == alice
    assert {c.recorded_by for c in Consent.objects.filter(person__in=people)} == {alice}
    assert {n.author for n in case.notes.all()} <= {alice}
    approval = AuditEvent.objects.get(
        action="status_change", target_id=str(submitted.pk), detail__status="approved"
    )
    assert approval.actor == sue
    # The credit is a casework service's write, audited on the case (issue 15: every write
    # through a service), not rows rewritten by the intake app.
    credit = AuditEvent.objects.get(action="update", target_id=str(case.pk))
    assert (credit.actor, credit.detail["user"]) == (sue, alice.pk)
    assert credit.detail["fields"] == ["owner"]


def test_an_intake_sent_back_reaches_the_caseworker_with_a_link_to_the_reason(
    client, submitted, sue, alice
):
    """Sue sends it back: Alice's dashboard counts it, her notifications link to the intake and its reason."""
    services.intake_return(
        submission=submitted, actor=sue, reason="The child's birth year is wrong"
    )
    sign_in(client, alice)
    dashboard = client.get(reverse("casework:dashboard")).content.decode()
    assert "1 new notification" in dashboard
    listing = client.get(reverse("accounts:notification_list")).content.decode()
    assert "Your intake was sent back" in listing
    assert submitted.reference in listing
    link = reverse("intake:detail", kwargs={"intake_ref": submitted.reference})
    assert "The child&#x27;s birth year is wrong" in client.get(link).content.decode()
    # Not told to the supervisor who sent it back.
    sign_in(client, sue)
    assert (
        submitted.reference
        not in client.get(reverse("accounts:notification_list")).content.decode()
    )
