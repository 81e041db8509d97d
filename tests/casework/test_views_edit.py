"""
The caseworker's forms, end to end through the browser's requests: each form shows, saves through
its service, redirects to the record's page and leaves an audit event; a refused form keeps what
was typed; another team's caseworker gets 404 and a legal advocate of the case 403.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import TeamMembership
from audit.models import AuditEvent
from casework import dates, services
from casework.choices import (
    AssignmentRole,
    CaseStatus,
    ClosureReason,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseFlag,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from consent.models import Method, Scope
from consent.services import consent_record

from ..conftest import consent_answer, sign_in
from ..factories import (
    AssignmentFactory,
    CaseFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from ..scenarios import case_with_one_member, child_added_after_a_raid, persona

D = datetime.date
THREE_DAYS_AGO = dates.today() - datetime.timedelta(days=3)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def raided_family(north_case, alice):
    """North's case after a raid: the mother, her child added since, the raid and a visit."""
    return child_added_after_a_raid(case=north_case, caseworker=alice)


def _consent(person, actor, scopes=(Scope.SHARE_WITH_ADVOCATES,)):
    consent_record(person=person, actor=actor, method=Method.WRITTEN, scopes=list(scopes))


def _events(action, model):
    return AuditEvent.objects.filter(action=action, target_type=model._meta.label_lower)


# Every form of a case or person, with a valid post. `url` builds the address from the family of
# `raided_family`; `data` the post; `check` returns the record the post must have written.

FORMS = {
    "person_edit": (
        lambda n: reverse("casework:person_edit", args=[n.mother.reference]),
        lambda n: {
            "version": n.mother.version,
            "full_name": "김순희 (edited)",
            "sex": Sex.FEMALE,
            "nationality": "dprk",
            "role": PersonRole.REFUGEE,
            "region": Region.LIAONING,
        },
    ),
    "alias_add": (
        lambda n: reverse("casework:alias_add", args=[n.mother.reference]),
        lambda n: {"name": "Kim Sun Hui"},
    ),
    "relationship_add": (
        lambda n: reverse("casework:relationship_add", args=[n.mother.reference]),
        lambda n: {"kind": RelationshipKind.PARENT_OF, "other": n.child.reference},
    ),
    "status_change": (
        lambda n: reverse("casework:status_change", args=[n.mother.reference]),
        lambda n: {
            "status": LegalStatus.DETAINED_CN,
            "effective_from": "2024-06-01",
            "country": Country.CHINA,
            "source": StatusSource.FAMILY,
        },
    ),
    "status_period_add": (
        lambda n: reverse("casework:status_period_add", args=[n.mother.reference]),
        lambda n: {
            "status": LegalStatus.IN_TRANSIT,
            "effective_from": "2019-01-01",
            "effective_to": "2020-01-01",
            "country": Country.THIRD_COUNTRY,
            "source": StatusSource.FAMILY,
        },
    ),
    "entitlement_add": (
        lambda n: reverse("casework:entitlement_add", args=[n.child.reference]),
        lambda n: {
            "kind": EntitlementKind.SCHOOL,
            "status": EntitlementStatus.DENIED,
            "as_of": "2024-09-01",
        },
    ),
    "incident_add": (
        lambda n: reverse("casework:incident_add", args=[n.case.reference]),
        lambda n: {
            "kind": IncidentKind.BENEFIT_DENIED,
            "occurred_on": "2024-09-01",
            "region": Region.JILIN,
            "people": [n.child.reference],
        },
    ),
    "incident_edit": (
        lambda n: reverse("casework:incident_edit", args=[n.case.reference, n.incident.pk]),
        lambda n: {
            "version": n.incident.version,
            "kind": IncidentKind.ARREST,
            "occurred_on": "2024-05-02",
            "region": Region.JILIN,
            "people": [n.mother.reference, n.child.reference],
        },
    ),
    "note_add": (
        lambda n: reverse("casework:note_add", args=[n.case.reference]),
        lambda n: {
            "kind": "visit",
            "contacted_on": str(THREE_DAYS_AGO),
            "body": "Met at the market.",
        },
    ),
    "task_add": (
        lambda n: reverse("casework:task_add", args=[n.case.reference]),
        lambda n: {"title": "Call the school", "due_on": "2030-01-01"},
    ),
    "task_complete": (
        lambda n: reverse("casework:task_complete", args=[n.case.reference, n.task.pk]),
        lambda n: {"version": n.task.version},
    ),
    "attachment_add": (
        lambda n: reverse("casework:attachment_add", args=[n.case.reference]),
        lambda n: {"file": SimpleUploadedFile("photo.png", PNG), "description": ""},
    ),
    "case_edit": (
        lambda n: reverse("casework:case_edit", args=[n.case.reference]),
        lambda n: {
            "version": n.case.version,
            "risk_level": RiskLevel.CRITICAL,
            "status": CaseStatus.OPEN,
            "summary": "Raid expected",
        },
    ),
    "member_add": (
        lambda n: reverse("casework:member_add", args=[n.case.reference]),
        lambda n: {
            "person": _visible_outsider(n).reference,
            "role": MemberRole.RELATIVE,
            **consent_answer(),
        },
    ),
    "flag_set": (
        lambda n: reverse("casework:flag_set", args=[n.case.reference]),
        lambda n: {"kind": CaseFlag.Kind.UNSAFE_TO_CONTACT},
    ),
}
# Who else sees a case and who works it is the supervisor's to decide (casework.permissions).
SUPERVISOR_FORMS = {
    "case_share": (
        lambda n: reverse("casework:case_share", args=[n.case.reference]),
        lambda n: {"advocate": _advocate().pk},
    ),
    "case_assign": (
        lambda n: reverse("casework:case_assign", args=[n.case.reference]),
        lambda n: {"caseworker": _bob(n).pk},
    ),
    "case_transfer": (
        lambda n: reverse("casework:case_transfer", args=[n.case.reference]),
        lambda n: {"to_team": _team("East").pk, "confirm": "on"},
    ),
}
ALL_FORMS = {**FORMS, **SUPERVISOR_FORMS}
# What each valid post must have written.
WRITTEN = {
    "person_edit": lambda n: Person.objects.get(pk=n.mother.pk).full_name == "김순희 (edited)",
    "alias_add": lambda n: Person.objects.matching_name("kim sun hui").get() == n.mother,
    "relationship_add": lambda n: Relationship.objects.filter(
        from_person=n.mother, to_person=n.child, kind=RelationshipKind.PARENT_OF
    ).exists(),
    "status_change": lambda n: (
        LegalStatusRecord.objects.get(person=n.mother).status == LegalStatus.DETAINED_CN
    ),
    "status_period_add": lambda n: (
        LegalStatusRecord.objects.get(person=n.mother).effective_to == D(2020, 1, 1)
    ),
    "entitlement_add": lambda n: (
        Entitlement.objects.get(person=n.child).status == EntitlementStatus.DENIED
    ),
    "incident_add": lambda n: (
        list(Incident.objects.get(kind=IncidentKind.BENEFIT_DENIED).people.all()) == [n.child]
    ),
    "incident_edit": lambda n: (
        (
            Incident.objects.get(pk=n.incident.pk).kind,
            Incident.objects.get(pk=n.incident.pk).people.count(),
        )
        == (IncidentKind.ARREST, 2)
    ),
    "note_add": lambda n: (
        CaseNote.objects.values_list("kind", "contacted_on").get() == ("visit", THREE_DAYS_AGO)
        and CaseNote.objects.get().body == "Met at the market."
    ),
    "task_add": lambda n: Task.objects.filter(due_on=D(2030, 1, 1)).count() == 1,
    "task_complete": lambda n: Task.objects.get(pk=n.task.pk).completed_by == n.case.owner,
    "attachment_add": lambda n: Attachment.objects.get().content_type == "image/png",
    "case_edit": lambda n: Case.objects.get(pk=n.case.pk).risk_level == RiskLevel.CRITICAL,
    "member_add": lambda n: n.case.members.count() == 3,
    "flag_set": lambda n: CaseFlag.objects.get(case=n.case).active,
    "case_share": lambda n: n.case.assignments.filter(
        role=AssignmentRole.LEGAL_ADVOCATE, user__username="amal"
    ).exists(),
    "case_assign": lambda n: n.case.assignments.filter(user__username="bob").exists(),
    "case_transfer": lambda n: Case.objects.get(pk=n.case.pk).team.name == "East",
}


def _visible_outsider(n):
    """A person of another of alice's cases, not yet in the North case."""
    other_case = CaseFactory(team=n.case.team, owner=n.case.owner)
    other = PersonFactory(full_name="이웃")
    CaseMember.objects.create(case=other_case, person=other, role=MemberRole.PRINCIPAL)
    return other


def _advocate():
    user = UserFactory(username="amal")
    team = TeamFactory(name="Lawyers")
    TeamMembership.objects.get_or_create(
        user=user, team=team, defaults={"role": TeamMembership.Role.LEGAL_ADVOCATE}
    )
    return user


def _bob(n):
    return persona("bob")


def _team(name):
    return TeamFactory(name=name)


def _consent_all(case, actor):
    for person in case.people.all():
        _consent(person, actor)


# The happy path, form by form.


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_works_for_the_caseworker(client, alice, raided_family, name):
    """Alice opens the form, posts it, lands on the record's page, and the change is audited."""
    url, data = FORMS[name]
    sign_in(client, alice)
    assert client.get(url(raided_family)).status_code == 200
    before = (
        AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    )
    response = client.post(url(raided_family), data(raided_family))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] in {
        reverse("casework:case_detail", args=[raided_family.case.reference]),
        reverse("casework:person_detail", args=[raided_family.mother.reference]),
        reverse("casework:person_detail", args=[raided_family.child.reference]),
    }
    assert WRITTEN[name](raided_family)
    written = AuditEvent.objects.filter(sequence__gt=before)
    assert {event.action for event in written} & {"create", "update", "status_change"}
    assert all(event.actor == alice for event in written)


@pytest.mark.parametrize("name", sorted(SUPERVISOR_FORMS))
def test_each_supervisor_form_works_for_the_supervisor(client, alice, sue, raided_family, name):
    """Sue, who supervises North, assigns, shares and transfers; each is audited."""
    url, data = SUPERVISOR_FORMS[name]
    if name in ("case_share", "case_transfer"):
        _consent_all(raided_family.case, sue)
    sign_in(client, sue)
    assert client.get(url(raided_family)).status_code == 200
    response = client.post(url(raided_family), data(raided_family))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert WRITTEN[name](raided_family)
    assert _events("update", Case).exists() or _events("create", CaseAssignment).exists()


def test_person_create_registers_the_person_in_the_case(client, alice, north_case):
    """A new person is registered with their aliases as a member of the chosen case."""
    sign_in(client, alice)
    url = reverse("casework:person_create") + f"?case={north_case.reference}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{north_case.reference}" selected' in page.content.decode()
    response = client.post(
        url,
        {
            "case": north_case.reference,
            "role_in_case": MemberRole.CHILD,
            "full_name": "박하나",
            "aliases": "Park Hana\n朴哈娜\n",
            "date_of_birth": "2015-04-01",
            "sex": Sex.FEMALE,
            "nationality": "stateless",
            "role": PersonRole.CHILD,
            "region": Region.JILIN,
            **consent_answer(),
        },
    )
    person = Person.objects.matching_name("park hana").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:person_detail", args=[person.reference])
    assert person.birth_year == 2015
    assert CaseMember.objects.get(person=person).role == MemberRole.CHILD
    assert person.aliases.count() == 2
    event = _events("create", Person).get(target_id=str(person.pk))
    assert event.case_id == north_case.pk
    assert "박하나" not in str(event.detail)


def test_case_create_opens_a_case_assigned_to_its_caseworker(client, alice, north_case):
    """Alice opens a case for her team with a person she already works with; she is assigned."""
    person = north_case.people.get()
    sign_in(client, alice)
    assert client.get(reverse("casework:case_create")).status_code == 200
    response = client.post(
        reverse("casework:case_create"),
        {
            "team": north_case.team.pk,
            "risk_level": RiskLevel.HIGH,
            "summary": "Second household",
            "members": [person.reference],
        },
    )
    case = Case.objects.exclude(pk=north_case.pk).get()
    assert response["Location"] == reverse("casework:case_detail", args=[case.reference])
    assert list(case.people.all()) == [person]
    assert case.assignments.get().user == alice
    assert _events("create", Case).filter(target_id=str(case.pk)).exists()


def test_case_create_offers_only_the_users_teams(client, charlie, alice, team_north):
    """A team the user does not belong to cannot be chosen."""
    sign_in(client, charlie)
    response = client.post(
        reverse("casework:case_create"), {"team": team_north.pk, "risk_level": RiskLevel.LOW}
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_flag_can_be_lowered(client, alice, north_case):
    """A raised flag is lowered from the flags page and kept as history."""
    services.case_flag_set(case=north_case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=alice)
    sign_in(client, alice)
    url = reverse("casework:flag_set", args=[north_case.reference])
    assert "Child at risk" in client.get(url).content.decode()
    response = client.post(url, {"clear": CaseFlag.Kind.CHILD_AT_RISK})
    assert response.status_code == 302
    flag = CaseFlag.objects.get()
    assert (flag.active, flag.cleared_by) == (False, alice)


def test_task_assignee_is_chosen_among_those_who_see_the_case(
    client, alice, charlie, raided_family
):
    """Charlie cannot see the case, so the follow-up cannot be given to him."""
    sign_in(client, alice)
    url = reverse("casework:task_add", args=[raided_family.case.reference])
    page = client.get(url).content.decode()
    assert "alice" in page and "charlie" not in page
    response = client.post(url, {"title": "Call", "assignee": charlie.pk})
    assert response.status_code == 200
    assert Task.objects.count() == 1


def test_bulk_reassign_moves_every_case_of_the_caseworker(client, alice, bob, sue, team_north):
    """Sue hands all of alice's North cases to bob at once; each case is audited."""
    cases = [CaseFactory(team=team_north, owner=alice) for _ in range(3)]
    for case in cases:
        AssignmentFactory(case=case, user=alice)
    elsewhere = CaseFactory(team=_team("West"))
    AssignmentFactory(case=elsewhere, user=alice)
    sign_in(client, sue)
    url = reverse("casework:team_reassign")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"team": team_north.pk, "from_user": alice.pk, "to_user": bob.pk}, follow=True
    )
    assert "3 cases were handed over." in response.content.decode()
    for case in cases:
        case.refresh_from_db()
        assert case.owner == bob
        assert list(case.assignments.values_list("user__username", flat=True)) == ["bob"]
        assert _events("update", Case).filter(target_id=str(case.pk)).exists()
    assert elsewhere.assignments.get().user == alice


def test_bulk_reassign_is_for_supervisors(client, alice, bob):
    """A caseworker cannot open the hand-over page."""
    sign_in(client, alice)
    assert client.get(reverse("casework:team_reassign")).status_code == 403


# Refused input is kept.


def test_person_edit_keeps_the_input_when_refused(client, alice, raided_family):
    """A date of birth that contradicts the birth year is refused and everything typed stays."""
    sign_in(client, alice)
    url = reverse("casework:person_edit", args=[raided_family.mother.reference])
    response = client.post(
        url,
        {
            "version": raided_family.mother.version,
            "full_name": "타이핑한 이름",
            "date_of_birth": "1990-01-01",
            "birth_year": "1985",
            "place_of_origin": "Typed origin",
            "sex": Sex.FEMALE,
            "nationality": "dprk",
            "role": PersonRole.REFUGEE,
            "region": Region.JILIN,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The birth year must match the date of birth." in page
    assert "타이핑한 이름" in page and "Typed origin" in page
    assert Person.objects.get(pk=raided_family.mother.pk).full_name != "타이핑한 이름"


def test_status_change_keeps_the_input_when_refused(client, alice, raided_family):
    """A change dated before the current status is refused on its field; the note stays."""
    services.legal_status_change(
        person=raided_family.mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2020, 1, 1),
        actor=alice,
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )
    sign_in(client, alice)
    response = client.post(
        reverse("casework:status_change", args=[raided_family.mother.reference]),
        {
            "status": LegalStatus.DETAINED_CN,
            "effective_from": "2019-05-05",
            "country": Country.CHINA,
            "source": StatusSource.FAMILY,
            "note": "Seen taken away by police",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "must begin after the current status" in page
    assert "Seen taken away by police" in page and 'value="2019-05-05"' in page
    assert LegalStatusRecord.objects.filter(person=raided_family.mother).count() == 1


def test_alias_add_keeps_the_input_when_refused(client, alice, raided_family):
    """An alias the person already has is refused on the field, with the name still typed."""
    sign_in(client, alice)
    name = raided_family.mother.full_name
    response = client.post(
        reverse("casework:alias_add", args=[raided_family.mother.reference]), {"name": f" {name} "}
    )
    assert "already known by that name" in response.content.decode()
    assert name in response.content.decode()
    assert PersonAlias.objects.count() == 0


def test_relationship_add_refuses_a_child_born_first(client, alice, raided_family):
    """A parent born after the child is refused with the reason."""
    sign_in(client, alice)
    response = client.post(
        reverse("casework:relationship_add", args=[raided_family.child.reference]),
        {"kind": RelationshipKind.PARENT_OF, "other": raided_family.mother.reference},
    )
    assert response.status_code == 200
    assert "must be after the parent" in response.content.decode()
    assert not Relationship.objects.exists()


def test_incident_add_keeps_the_description_when_the_date_is_missing(client, alice, raided_family):
    """A form with a missing date shows the error and keeps the description."""
    sign_in(client, alice)
    response = client.post(
        reverse("casework:incident_add", args=[raided_family.case.reference]),
        {"kind": IncidentKind.RAID, "region": Region.JILIN, "description": "Three officers came"},
    )
    assert response.status_code == 200
    assert "Three officers came" in response.content.decode()
    assert Incident.objects.count() == 1


def test_case_edit_does_not_close_the_case(client, alice, north_case):
    """
    "Closed" is not among the statuses the edit form offers; it links to the closing page
    instead. A closing posted anyway is refused, the summary typed stays, and nothing closes.
    """
    sign_in(client, alice)
    url = reverse("casework:case_edit", args=[north_case.reference])
    page = client.get(url).content.decode()
    assert 'value="closed"' not in page
    assert reverse("casework:case_close", args=[north_case.reference]) in page
    response = client.post(
        url,
        {
            "version": north_case.version,
            "risk_level": RiskLevel.LOW,
            "status": CaseStatus.CLOSED,
            "summary": "Moved to Seoul",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Moved to Seoul" in response.content.decode()
    assert Case.objects.get(pk=north_case.pk).status == CaseStatus.OPEN
    assert not north_case.closures.exists()


def test_case_edit_of_a_closed_case_keeps_it_closed(client, alice, north_case):
    """A closed case's form offers no status, saves the summary, and links to reopening."""
    services.case_close(case=north_case, actor=alice, reason=ClosureReason.RESETTLED)
    sign_in(client, alice)
    url = reverse("casework:case_edit", args=[north_case.reference])
    page = client.get(url).content.decode()
    assert 'name="status"' not in page
    assert reverse("casework:case_reopen", args=[north_case.reference]) in page
    response = client.post(
        url,
        {
            "version": Case.objects.get(pk=north_case.pk).version,
            "risk_level": RiskLevel.LOW,
            "summary": "Resettled in Seoul",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=north_case.pk)
    assert (case.status, case.summary) == (CaseStatus.CLOSED, "Resettled in Seoul")


def test_attachment_add_refuses_a_disallowed_type(client, alice, north_case):
    """A program disguised as a PDF is refused with a clear message, and nothing is stored."""
    sign_in(client, alice)
    upload = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00\x03\x00", content_type="application/pdf")
    response = client.post(
        reverse("casework:attachment_add", args=[north_case.reference]),
        {"file": upload, "description": "Passport scan"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This kind of file is not accepted." in page
    assert "Passport scan" in page
    assert Attachment.objects.count() == 0


# Sharing and transferring need every member's consent.


def test_case_share_is_refused_without_consent(client, sue, north_case):
    """Without the members' consent, the case is not shared and the page says whose is missing."""
    sign_in(client, sue)
    advocate = _advocate()
    response = client.post(
        reverse("casework:case_share", args=[north_case.reference]), {"advocate": advocate.pk}
    )
    assert response.status_code == 200
    assert north_case.people.get().reference in response.content.decode()
    assert not Case.objects.visible_to(advocate).exists()


def test_case_transfer_is_refused_when_one_member_withdrew(client, alice, sue, raided_family):
    """One member's consent covers sharing, the other's no longer does: no transfer."""
    _consent(raided_family.mother, sue)
    _consent(raided_family.child, sue)
    _consent(raided_family.child, sue, scopes=[Scope.STORE_DATA])
    east = _team("East")
    sign_in(client, sue)
    response = client.post(
        reverse("casework:case_transfer", args=[raided_family.case.reference]),
        {"to_team": east.pk, "confirm": "on"},
    )
    assert response.status_code == 200
    assert raided_family.child.reference in response.content.decode()
    assert Case.objects.get(pk=raided_family.case.pk).team.name == "North"


def test_case_transfer_hands_the_case_over(client, alice, sue, raided_family):
    """After the transfer the old team's caseworker no longer sees the case."""
    _consent_all(raided_family.case, sue)
    sign_in(client, sue)
    response = client.post(
        reverse("casework:case_transfer", args=[raided_family.case.reference]),
        {"to_team": _team("East").pk, "confirm": "on"},
    )
    assert response["Location"] == reverse("casework:dashboard")
    assert not Case.objects.visible_to(alice).exists()
    assert not Case.objects.visible_to(sue).exists()


@pytest.mark.parametrize(("language", "no_one"), [("en", "for no one yet"), ("ko", "담당자 없음")])
def test_a_follow_up_left_by_a_transfer_says_on_the_case_page_and_summary_that_it_is_no_ones(
    client, alice, sue, raided_family, language, no_one
):
    """
    A transfer leaves the old team's open follow-ups to no one. The new team's supervisor reads
    so beside each one, rather than a follow-up that names nobody and might be anyone's.
    """
    _consent_all(raided_family.case, sue)
    services.task_create(case=raided_family.case, actor=alice, title="Visit the family")
    east = _team("East")
    erin = UserFactory(username="erin")
    TeamMembership.objects.create(user=erin, team=east, role="supervisor")
    services.case_transfer(case=raided_family.case, to_team=east, actor=sue)

    sign_in(client, erin)

    def read(name):
        address = reverse(name, args=[raided_family.case.reference])
        return client.get(address, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    item = read("casework:case_detail").split("Visit the family", 1)[1].split("</li>", 1)[0]
    assert f"— {no_one}" in item
    # The case summary (titles left out: typed text) says it of the follow-up too.
    summary = read("casework:case_summary")
    follow_ups = summary.split('id="tasks-heading"', 1)[1].split("</section>", 1)[0]
    assert f"— {no_one}" in follow_ups


# Ownership: another team's caseworker, a legal advocate of the case.


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(ALL_FORMS))
def test_another_teams_caseworker_gets_404(client, charlie, raided_family, name, method):
    """Charlie, of team South, cannot open or post any form of a North case or person."""
    url, data = ALL_FORMS[name]
    sign_in(client, charlie)
    response = getattr(client, method)(
        url(raided_family), data(raided_family) if method == "post" else None
    )
    assert response.status_code == 404
    assert raided_family.case.reference not in response.content.decode()


@pytest.mark.parametrize("name", sorted(ALL_FORMS))
def test_a_legal_advocate_of_the_case_gets_403(client, lena, raided_family, name):
    """Lena reads the case but changes nothing: each post is refused and the refusal audited."""
    url, data = ALL_FORMS[name]
    posted = data(raided_family)
    counts = {model: model.objects.count() for model in (CaseNote, Task, Incident, Person)}
    sign_in(client, lena)
    response = client.post(url(raided_family), posted)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor=lena).exists()
    assert counts == {model: model.objects.count() for model in counts}
    assert not Task.objects.filter(completed_at__isnull=False).exists()


def test_a_caseworker_of_the_team_not_assigned_gets_404(client, bob, raided_family):
    """Bob, of the same team but not assigned, does not see the case: 404, not 403."""
    sign_in(client, bob)
    assert (
        client.get(reverse("casework:note_add", args=[raided_family.case.reference])).status_code
        == 404
    )


def test_a_caseworker_cannot_assign(client, alice, bob, raided_family):
    """Assigning is for supervisors: alice gets 403 on her own case."""
    sign_in(client, alice)
    response = client.post(
        reverse("casework:case_assign", args=[raided_family.case.reference]), {"caseworker": bob.pk}
    )
    assert response.status_code == 403
    assert not raided_family.case.assignments.filter(user=bob).exists()


def test_a_caseworker_cannot_share_her_case(client, alice, raided_family):
    """
    Sharing shows the case beyond its team: the supervisor decides it. Alice gets 403 even with
    every member's consent, and the advocate sees nothing.
    """
    _consent_all(raided_family.case, alice)
    advocate = _advocate()
    sign_in(client, alice)
    url = reverse("casework:case_share", args=[raided_family.case.reference])
    assert client.get(url).status_code == 403
    assert client.post(url, {"advocate": advocate.pk}).status_code == 403
    assert not Case.objects.visible_to(advocate).exists()
    assert AuditEvent.objects.filter(action="denied", actor=alice).exists()


def test_the_case_page_offers_the_advocate_her_own_task_only(client, alice, lena, raided_family):
    """The "done" button is shown to the advocate for the task given to her, not for others."""
    mine = services.task_create(
        case=raided_family.case, title="Draft appeal", actor=alice, assignee=lena
    )
    page = sign_in(client, lena).get(
        reverse("casework:case_detail", args=[raided_family.case.reference])
    )
    body = page.content.decode()
    assert reverse("casework:task_complete", args=[raided_family.case.reference, mine.pk]) in body
    assert (
        reverse(
            "casework:task_complete", args=[raided_family.case.reference, raided_family.task.pk]
        )
        not in body
    )


def test_member_add_offers_no_one_of_a_case_shared_to_read(
    client, team_north, team_south, raided_family
):
    """
    Lin is a caseworker of South and a legal advocate North shares its case with: she may not
    copy North's mother into her own South case, by the page or by a forged post.
    """
    lin = UserFactory(username="lin")
    TeamMembership.objects.create(user=lin, team=team_south, role=TeamMembership.Role.CASEWORKER)
    TeamMembership.objects.create(
        user=lin, team=team_north, role=TeamMembership.Role.LEGAL_ADVOCATE
    )
    CaseAssignment.objects.create(
        case=raided_family.case, user=lin, role=AssignmentRole.LEGAL_ADVOCATE
    )
    own = services.case_open(team=team_south, actor=lin, risk_level=RiskLevel.LOW)
    sign_in(client, lin)
    url = reverse("casework:member_add", args=[own.reference])
    assert raided_family.mother.reference not in client.get(url).content.decode()
    response = client.post(
        url, {"person": raided_family.mother.reference, "role": MemberRole.RELATIVE}
    )
    assert response.status_code == 200
    assert not own.members.exists()
    opening = client.post(
        reverse("casework:case_create"),
        {
            "team": team_south.pk,
            "risk_level": RiskLevel.LOW,
            "members": [raided_family.mother.reference],
        },
    )
    assert opening.status_code == 200
    assert (
        not CaseMember.objects.filter(person=raided_family.mother)
        .exclude(case=raided_family.case)
        .exists()
    )


def test_the_assignee_advocate_may_complete_their_own_task(client, alice, lena, raided_family):
    """A follow-up given to the legal advocate can be marked done by her."""
    task = services.task_create(
        case=raided_family.case, title="Draft appeal", actor=alice, assignee=lena
    )
    sign_in(client, lena)
    response = client.post(
        reverse("casework:task_complete", args=[raided_family.case.reference, task.pk]),
        {"version": task.version},
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).completed_by == lena


def test_a_superuser_is_not_an_editor_by_right(client, admin_user, raided_family):
    """A superuser does not see cases; having broken the glass, they may read one, not change it."""
    sign_in(client, admin_user)
    url = reverse("casework:note_add", args=[raided_family.case.reference])
    assert client.post(url, {"body": "x"}).status_code == 404
    services.case_break_glass(
        case=raided_family.case, actor=admin_user, reason="Audit of a complaint filed"
    )
    assert client.post(url, {"body": "x"}).status_code == 403
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(
    ("language", "no_case", "advocates"),
    [
        ("en", "you work no case yet", "A legal advocate reads the cases shared with them"),
        ("ko", "아직 담당하는 사례가 없습니다", "법률 지원가는 공유받은 사례를 열람합니다"),
    ],
)
def test_register_a_person_says_there_is_no_case_to_register_into(
    client, lena, bob, language, no_case, advocates
):
    """
    "Register a person" for someone who works no case: a legal advocate is told it is for the
    team's caseworkers; a caseworker on her first day (Bob, no case yet) is sent to an intake.
    Neither is given a form whose list of cases is empty.
    """
    url = reverse("casework:person_create")
    sign_in(client, lena)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'name="case"' not in page
    assert no_case in page and advocates in page
    take_in = f'<a href="{reverse("intake:start")}">'
    assert page.count(take_in) == 1  # the menu's, not the page's
    sign_in(client, bob)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'name="case"' not in page
    assert page.count(take_in) == 2
    # Once Bob works a case: the form, its list of cases offering his.
    bob_case = case_with_one_member(team=bob.teams.first(), caseworker=bob)
    page = client.get(url).content.decode()
    assert 'name="case"' in page and bob_case.reference in page


def test_the_assign_form_shows_each_caseworkers_workload_beside_a_button(
    client, sue, alice, bob, north_case
):
    """
    A supervisor choosing who works a case reads each colleague's workload whole beside their
    name: buttons, whose labels wrap on a phone, where a list's closed box cut them off.
    """
    case_with_one_member(team=north_case.team, caseworker=bob)
    sign_in(client, sue)
    page = client.get(reverse("casework:case_assign", args=[north_case.reference]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<input type="radio" name="caseworker"' in html
    assert "<select" not in html.split("<main", 1)[1].split('name="caseworker"', 1)[0][-300:]
    label = re.search(r'<input type="radio" name="caseworker"[^>]*> <span>([^<]+)</span>', html)
    assert label.group(1).strip() == (
        "bob — 1 open (0 critical or high), 0 overdue follow-ups, 0 missed check-ins"
    )
    # Instead of: alice, or nobody (chosen until another is).
    assert re.search(r'<input type="radio" name="replaces" value=""[^>]*checked', html)
