"""
`manage.py seed_demo` once, as the README runs it (a small caseload): the households, benefits,
consents, name keys and dates it writes, and the demo logins it prints, read by each test.

Each seed writes a whole caseload, its name keys and audit events, then ANALYZEs the database,
and these tests only read it (or change it inside their own transaction): the caseload is seeded
once for the module (`built_once`) and rolled back after it. The tests that seed again, reset or dump the database are in test_seed_demo.
"""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Team, TeamMembership, User
from casework import dates
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    Nationality,
    NoteKind,
    PersonRole,
    RelationshipKind,
    RiskLevel,
)
from casework.models import (
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    Relationship,
    Task,
)
from demo.staff import DEMO_PASSWORD, SHENYANG, STAFF, YANBIAN

from ..conftest import built_once

SMALL = "30"


def _seed_once() -> str:
    """What `seed_demo --people 30` prints; its caseload stays for the module's tests."""
    out = io.StringIO()
    call_command("seed_demo", "--people", SMALL, stdout=out)
    return out.getvalue()


_built_once, seeded = built_once(_seed_once, name="seeded")

pytestmark = pytest.mark.django_db


def test_it_creates_households_with_their_history(seeded):
    """Children have two parents born before them; statuses, cases and tasks are as a caseworker
    would find them."""
    output = seeded

    people = {p.pk: p for p in Person.objects.all()}
    assert len(people) >= int(SMALL)
    assert "Person" in output and "Demo logins" in output

    parents = defaultdict(list)
    for tie in Relationship.objects.filter(kind=RelationshipKind.PARENT_OF):
        parents[tie.to_person_id].append(people[tie.from_person_id])
    children = [p for p in people.values() if p.role == PersonRole.CHILD]
    assert children
    for child in children:
        assert len(parents[child.pk]) == 2
        assert {p.role for p in parents[child.pk]} == {PersonRole.REFUGEE, PersonRole.PARTNER}
        assert all(p.date_of_birth < child.date_of_birth for p in parents[child.pk])

    couples = Relationship.objects.exclude(kind=RelationshipKind.PARENT_OF)
    assert couples.filter(kind=RelationshipKind.PARTNER_OF, marriage_registered=False).exists()
    assert all(people[c.to_person_id].nationality == Nationality.PRC for c in couples)

    open_statuses = Counter(
        LegalStatusRecord.objects.filter(effective_to__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for person in people.values():
        expected = 0 if person.role == PersonRole.PARTNER else 1
        assert open_statuses[person.pk] == expected, person.role
    current = set(
        LegalStatusRecord.objects.filter(effective_to__isnull=True).values_list("status", flat=True)
    )
    assert LegalStatus.DETAINED_CN in current
    assert current & {LegalStatus.RESETTLED_ROK, LegalStatus.RESETTLED_OTHER}

    for case in Case.objects.select_related("team", "owner"):
        workers = CaseAssignment.objects.filter(case=case, role="caseworker")
        assert [a.user for a in workers] == [case.owner]
        assert TeamMembership.objects.filter(
            user=case.owner, team=case.team, role=TeamMembership.Role.CASEWORKER
        ).exists()
        principal = CaseMember.objects.get(case=case, role="principal").person
        status = principal.status_records.get(effective_to__isnull=True).status
        if status == LegalStatus.DETAINED_CN:
            assert case.risk_level == RiskLevel.CRITICAL
    overdue = Task.objects.filter(completed_at__isnull=True, due_on__lt=timezone.localdate())
    assert overdue.exists()
    assert Incident.objects.filter(kind="detention").exists()
    assert Incident.objects.filter(kind="benefit_denied").exists()
    # Every case starts with the visit that opened it; the other notes are of its open days.
    for note in CaseNote.objects.select_related("case"):
        assert note.case.opened_on <= note.contacted_on <= (note.case.closed_on or dates.today())
    kinds = set(CaseNote.objects.values_list("kind", flat=True))
    assert {NoteKind.VISIT, NoteKind.CALL} <= kinds
    assert CaseNote.objects.values("case").distinct().count() == Case.objects.count()


def test_children_without_hukou_are_denied_every_benefit(seeded):
    """A child refused household registration is refused kindergarten, school and care too;
    a registered child is granted them."""
    seen = Counter()
    for child in Person.objects.filter(role=PersonRole.CHILD):
        records = list(child.entitlements.all())
        hukou = next(e for e in records if e.kind == EntitlementKind.HOUSEHOLD_REGISTRATION)
        others = {e.status for e in records if e is not hukou}
        if hukou.status == EntitlementStatus.GRANTED:
            assert others <= {EntitlementStatus.GRANTED}
            assert child.nationality == Nationality.PRC
            assert child.status_records.get(effective_to__isnull=True).status == (
                LegalStatus.CHILD_REGISTERED
            )
        else:
            assert others <= {EntitlementStatus.DENIED}
            assert child.nationality != Nationality.PRC
        seen[hukou.status] += 1
    assert seen[EntitlementStatus.DENIED] and seen[EntitlementStatus.GRANTED]


def test_demo_logins_work(seeded, rf):
    """Every demo account logs in with the documented password and has its team and role."""
    output = seeded

    assert DEMO_PASSWORD in output
    assert len(DEMO_PASSWORD) >= 12
    assert set(Team.objects.values_list("name", flat=True)) >= {YANBIAN, SHENYANG}
    for spec in STAFF:
        assert spec.username in output
        request = rf.post("/accounts/login/")
        user = authenticate(request, username=spec.username, password=DEMO_PASSWORD)
        assert user is not None and user.username == spec.username
    assert User.objects.get(username="admin").is_superuser
    roles = Counter(TeamMembership.objects.values_list("team__name", "role"))
    for team in (YANBIAN, SHENYANG):
        assert roles[(team, TeamMembership.Role.SUPERVISOR)] == 1
        assert roles[(team, TeamMembership.Role.CASEWORKER)] >= 2
        assert roles[(team, TeamMembership.Role.LEGAL_ADVOCATE)] == 1


def test_demo_accounts_pass_the_second_step_with_the_printed_code(seeded):
    """`demo_code` prints the code the demo account's authenticator would show now."""
    from django_otp import match_token

    output = seeded
    assert "demo_code" in output
    for spec in STAFF:
        printed = io.StringIO()
        call_command("demo_code", spec.username, stdout=printed)
        code = printed.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        user = User.objects.get(username=spec.username)
        assert match_token(user, code) is not None


def test_every_demo_person_has_a_consent_and_the_first_households_may_be_named(seeded):
    """Briefs can name the first households; later households answer as real people do."""
    from consent.checks import allows, current_consent

    people = list(Person.objects.order_by("created_at"))
    assert all(current_consent(person) is not None for person in people)
    first_case = Case.objects.order_by("created_at").first()
    for member in first_case.members.select_related("person"):
        assert allows(member.person, "named_in_documents")
    assert not all(allows(person, "named_in_documents") for person in people)


def test_seeded_name_keys_are_those_the_reindex_computes(seeded):
    """
    The seed writes each person's name keys with the people (not by re-indexing afterwards):
    they are exactly the keys `name_keys_reindex` would write, so the two cannot drift, and a
    person is found by another spelling of her name, decrypted, by her team's supervisor.
    """
    from casework.names.korean import romanise_rr, split_hangul
    from casework.selectors.search import people_search
    from casework.services.names import name_keys_reindex

    people = Person.objects.count()
    assert NameKey.objects.values("person").distinct().count() == people
    assert NameKey.objects.filter(alias__isnull=False).exists()
    report = name_keys_reindex(dry_run=True)
    assert (report.people, report.stale, report.failures) == (people, 0, [])

    case = Case.objects.select_related("team").order_by("reference").first()
    principal = CaseMember.objects.get(case=case, role="principal").person
    family, given = split_hangul(principal.full_name)
    spelled = f"{romanise_rr(family).capitalize()} {romanise_rr(given).capitalize()}"
    supervisor = User.objects.get(
        team_memberships__team=case.team,
        team_memberships__role=TeamMembership.Role.SUPERVISOR,
    )
    found = people_search(user=supervisor, name=spelled, limit=500)
    assert principal.pk in {person.pk for person in found.people}
    match = next(person for person in found.people if person.pk == principal.pk)
    assert match.full_name == principal.full_name and match.current_location


def test_records_are_written_down_on_the_day_they_happened(seeded):
    """A status, a benefit and an incident were recorded the day they took effect, not today."""
    for model, day in ((LegalStatusRecord, "effective_from"), (Incident, "occurred_on")):
        for record in model.objects.all():
            recorded = timezone.localtime(record.recorded_at, datetime.UTC)
            assert (recorded.date(), recorded.time()) == (getattr(record, day), datetime.time())
    for benefit in Entitlement.objects.all():
        assert benefit.recorded_at.astimezone(datetime.UTC).date() == benefit.as_of
