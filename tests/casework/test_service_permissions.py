"""
Every write service asks casework.permissions before it writes, whoever calls it (a page, the
API, the admin, an import): called by someone who may see the case but not do the thing, each
raises PermissionDenied and leaves nothing behind, not even an audit event. A new service of
casework.services or casework.erasure that takes an `actor` fails here until it is given a refused
call below.

Then the role rules of issues 14 and 15, at the service: who may be given a case, who shares
it, who brings a person into a case, who opens one and who completes a follow-up.
"""

import datetime
import inspect
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import RoleChangeRequest, TeamMembership
from accounts.roles import RoleGroup
from accounts.services import role_change_approve, role_change_request
from audit.models import AuditEvent
from casework import erasure, permissions, services
from casework.choices import (
    AssignmentRole,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    MemberRole,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    StatusSource,
)
from casework.models import (
    Attachment,
    Case,
    CaseFlag,
    CaseMember,
    CaseNote,
    CheckInSchedule,
    Goal,
    Incident,
    Person,
    Relationship,
    Task,
)
from casework.services.bulk import NewHousehold, NewPerson
from consent.models import Consent, Method, Scope
from consent.services import consent_record

from ..conftest import built_once
from ..factories import (
    AssignmentFactory,
    CaseFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)
from ..scenarios import case_with_one_member, child_added_after_a_raid, persona

D = datetime.date


@dataclass
class NorthWorld:
    """alice's case of team North after a raid (mother, child, their tie), and who is around it."""

    case: Case
    mother: Person
    child: Person
    tie: Relationship
    incident: Incident
    task: Task
    lena: object  # a legal advocate of North; the case is shared with her
    neighbour: Person  # in another case of alice's, not in this one
    amal: object  # a legal advocate of another team


def _build() -> NorthWorld:
    alice, _bob, _sue = persona("alice"), persona("bob"), persona("sue")
    team_north, team_south = TeamFactory(name="North"), TeamFactory(name="South")
    north_case = case_with_one_member(team=team_north, caseworker=alice)
    lena = persona("lena")
    AssignmentFactory(case=north_case, user=lena, role=AssignmentRole.LEGAL_ADVOCATE)
    family = child_added_after_a_raid(case=north_case, caseworker=alice)
    mother, child = family.mother, family.child
    tie = services.relationship_create(
        from_person=mother, to_person=child, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    services.case_flag_set(case=north_case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=alice)
    other_case = CaseFactory(team=team_north, owner=alice)
    neighbour = services.person_create(
        actor=alice, case=other_case, full_name="이웃", role=PersonRole.RELATIVE
    )
    amal = UserFactory(username="amal")
    MembershipFactory(user=amal, team=team_south, role=TeamMembership.Role.LEGAL_ADVOCATE)
    for person in north_case.people.all():
        consent_record(
            person=person, actor=alice, method=Method.WRITTEN, scopes=[Scope.SHARE_WITH_ADVOCATES]
        )
    return NorthWorld(
        north_case, mother, child, tie, family.incident, family.task, lena, neighbour, amal
    )


# Each write service is refused against the same case, which a test changes only in its own
# transaction: built once for the module (see built_once_per_module).
_built_once, north_world = built_once(_build, name="north_world")


def _status(**extra):
    return {
        "status": "detained_cn",
        "country": Country.CHINA,
        "source": StatusSource.FAMILY,
        **extra,
    }


# Each service called by a North user who sees the case (or the team) but may not do this.
# `n` is `north_world`, `u` the personas.
def _goal(n: NorthWorld) -> Goal:
    """A goal of the plan, written directly: the refused call is what is under test."""
    return Goal.objects.create(case=n.case, person=n.mother, title="Household registration")


REFUSED_CALLS = {
    # The plan and closing are for those who may change the case; the advocate reads them.
    "goal_add": lambda n, u: services.goal_add(
        case=n.case, person=n.mother, title="x", actor=n.lena
    ),
    "goal_end": lambda n, u: services.goal_end(goal=_goal(n), status="achieved", actor=n.lena),
    "goal_step_add": lambda n, u: services.goal_step_add(goal=_goal(n), title="x", actor=n.lena),
    "plan_review_record": lambda n, u: services.plan_review_record(
        case=n.case, note="x", actor=n.lena
    ),
    "plan_review_schedule_set": lambda n, u: services.plan_review_schedule_set(
        case=n.case, every_weeks=4, actor=n.lena
    ),
    "case_close": lambda n, u: services.case_close(case=n.case, reason="resettled", actor=n.lena),
    "case_reopen": lambda n, u: services.case_reopen(case=n.case, actor=n.lena),
    # Many cases at once: a supervisor's, not a caseworker's of the case.
    "cases_bulk_close": lambda n, u: services.cases_bulk_close(
        cases=[n.case], reason="resettled", actor=u["alice"]
    ),
    "cases_bulk_reassign": lambda n, u: services.cases_bulk_reassign(
        cases=[n.case], from_user=u["alice"], to_user=u["bob"], actor=u["alice"]
    ),
    "person_create": lambda n, u: services.person_create(
        actor=n.lena, case=n.case, full_name="X", role=PersonRole.RELATIVE
    ),
    "person_update": lambda n, u: services.person_update(
        person=n.mother, actor=n.lena, notes="changed"
    ),
    "person_consent_record": lambda n, u: services.person_consent_record(
        person=n.mother,
        actor=n.lena,
        method=Method.VERBAL,
        scopes=[Scope.STORE_DATA, Scope.SHARE_WITH_ADVOCATES],
    ),
    "person_consent_renew": lambda n, u: services.person_consent_renew(
        person=n.mother, actor=n.lena, method=Method.VERBAL
    ),
    # The neighbour is alice's, in a case the advocate does not see: she may change neither.
    "person_merge": lambda n, u: services.person_merge(
        source=n.neighbour, target=n.mother, actor=n.lena
    ),
    "person_alias_add": lambda n, u: services.person_alias_add(
        person=n.mother, name="Kim", actor=n.lena
    ),
    "relationship_create": lambda n, u: services.relationship_create(
        from_person=n.child, to_person=n.mother, kind=RelationshipKind.PARTNER_OF, actor=n.lena
    ),
    "relationship_update": lambda n, u: services.relationship_update(
        relationship=n.tie, actor=n.lena, kind=RelationshipKind.PARTNER_OF
    ),
    "legal_status_change": lambda n, u: services.legal_status_change(
        person=n.mother, effective_from=D(2024, 1, 1), actor=n.lena, **_status()
    ),
    "legal_status_record_add": lambda n, u: services.legal_status_record_add(
        person=n.mother,
        effective_from=D(2019, 1, 1),
        effective_to=D(2020, 1, 1),
        actor=n.lena,
        **_status(),
    ),
    "entitlement_record": lambda n, u: services.entitlement_record(
        person=n.child,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=D(2024, 9, 1),
        actor=n.lena,
    ),
    "case_open": lambda n, u: services.case_open(
        team=n.case.team, actor=n.lena, risk_level=RiskLevel.LOW
    ),
    # The import's bulk writer asks the same questions as person_create and case_open.
    "households_create": lambda n, u: services.households_create(
        actor=n.lena,
        team=n.case.team,
        caseworker=u["alice"],
        households=[
            NewHousehold(
                people=[NewPerson(role="principal", fields={"full_name": "x", "role": "refugee"})],
                risk_level=RiskLevel.LOW,
            )
        ],
    ),
    "case_update": lambda n, u: services.case_update(
        case=n.case, actor=n.lena, risk_level=RiskLevel.CRITICAL
    ),
    "case_add_member": lambda n, u: services.case_add_member(
        case=n.case, person=n.neighbour, role=MemberRole.OTHER, actor=n.lena
    ),
    "case_assign": lambda n, u: services.case_assign(
        case=n.case, user=u["bob"], role=AssignmentRole.CASEWORKER, actor=u["alice"]
    ),
    "case_share": lambda n, u: services.case_share(case=n.case, advocate=n.amal, actor=u["alice"]),
    "case_reassign": lambda n, u: services.case_reassign(
        case=n.case, from_user=u["alice"], to_user=u["bob"], actor=u["alice"]
    ),
    "caseworker_reassign_all": lambda n, u: services.caseworker_reassign_all(
        from_user=u["alice"], to_user=u["bob"], team=n.case.team, actor=u["alice"]
    ),
    # An approved intake's records credited to the caseworker who took it: a supervisor's step.
    "case_records_credit": lambda n, u: services.case_records_credit(
        case=n.case, caseworker=u["bob"], actor=n.lena
    ),
    "case_transfer": lambda n, u: services.case_transfer(
        case=n.case, to_team=u["team_south"], actor=u["alice"]
    ),
    "case_flag_set": lambda n, u: services.case_flag_set(
        case=n.case, kind=CaseFlag.Kind.UNSAFE_TO_CONTACT, actor=n.lena
    ),
    "case_flag_clear": lambda n, u: services.case_flag_clear(
        case=n.case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=n.lena
    ),
    "case_note_add": lambda n, u: services.case_note_add(case=n.case, body="x", actor=n.lena),
    "incident_record": lambda n, u: services.incident_record(
        case=n.case,
        kind=IncidentKind.ARREST,
        occurred_on=D(2024, 6, 1),
        region=Region.JILIN,
        actor=n.lena,
    ),
    "detention_record": lambda n, u: services.detention_record(
        case=n.case,
        kind=IncidentKind.ARREST,
        occurred_on=D(2024, 6, 1),
        region=Region.JILIN,
        people=[n.mother],
        actor=n.lena,
        set_detained=True,
        raise_flag=True,
        raise_risk=True,
        status_source=StatusSource.FAMILY,
    ),
    "incident_update": lambda n, u: services.incident_update(
        incident=n.incident, actor=n.lena, kind=IncidentKind.ARREST
    ),
    "task_create": lambda n, u: services.task_create(case=n.case, title="x", actor=n.lena),
    # The task is alice's: the advocate is not its assignee and may not change the case.
    "task_complete": lambda n, u: services.task_complete(task=n.task, actor=n.lena),
    "attachment_add": lambda n, u: services.attachment_add(
        case=n.case, uploaded_file=SimpleUploadedFile("a.txt", b"hello"), actor=n.lena
    ),
    # A legal advocate reads the shared case; she corrects and voids nothing in it.
    "record_correct": lambda n, u: services.record_correct(
        record=n.incident, fields={"region": Region.LIAONING}, reason="x", actor=n.lena
    ),
    "record_void": lambda n, u: services.record_void(record=n.task, reason="x", actor=n.lena),
    "check_in_schedule_set": lambda n, u: services.check_in_schedule_set(
        person=n.mother, case=n.case, actor=n.lena, every_days=3, channel="call"
    ),
    "check_in_record": lambda n, u: services.check_in_record(
        schedule=CheckInSchedule.objects.create(
            person=n.mother, case=n.case, every_days=3, starts_on=D(2026, 1, 1), channel="call"
        ),
        outcome="distress",
        actor=u["bob"],
    ),
    "case_break_glass": lambda n, u: services.case_break_glass(
        case=n.case, actor=u["sue"], reason="I would like to read this case, please."
    ),
    # casework.erasure: a withdrawal may erase the person; the advocate reads consent only.
    "consent_withdraw": lambda n, u: erasure.consent_withdraw(
        person=n.mother, scopes=[Scope.STORE_DATA], actor=n.lena
    ),
}

# Writes that name an actor but ask no permission, each for a reason: a step of a checked service
# or of the system's own work, never called from a page, the API or the admin.
UNCHECKED_STEPS = {
    # Called by consent_withdraw after its check, and by retention (ops.retention, beat and
    # `apply_retention`), which acts for no one.
    "person_erase_identifying_details",
}


def _writes_of(module, *, package: bool) -> set[str]:
    """The public functions defined in `module` (or its package's modules) that name an actor."""
    return {
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if (
            function.__module__.startswith(f"{module.__name__}.")
            if package
            else function.__module__ == module.__name__
        )
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }


def write_services() -> list[str]:
    """
    Every public function of casework's service modules that names an actor: the writes of the
    casework.services package and of casework.erasure (withdrawal and erasure, a service module
    of its own), but the steps that are not services (`UNCHECKED_STEPS`).
    """
    writes = _writes_of(services, package=True) | _writes_of(erasure, package=False)
    return sorted(writes - UNCHECKED_STEPS)


def test_every_write_service_has_a_refused_call():
    """A new write service fails here until a call it must refuse is written above."""
    assert write_services() == sorted(REFUSED_CALLS)
    assert UNCHECKED_STEPS.issubset(_writes_of(erasure, package=False))


def _state(n: NorthWorld) -> dict:
    """What a refused write must leave as it was."""
    case = Case.objects.get(pk=n.case.pk)
    return {
        "case": (case.version, case.team_id, case.owner_id),
        "assignments": sorted(case.assignments.values_list("user_id", "role")),
        "members": case.members.count(),
        "people": Person.objects.count(),
        "records": [
            model.objects.count()
            for model in (CaseNote, Incident, Task, Attachment, CaseFlag, Relationship)
        ],
        "versions": [
            model.objects.get(pk=pk).version
            for model, pk in ((Person, n.mother.pk), (Incident, n.incident.pk), (Task, n.task.pk))
        ],
        "task_done": Task.objects.get(pk=n.task.pk).completed_at,
        "flags_raised": CaseFlag.objects.filter(active=True).count(),
        "statuses": n.mother.status_records.count(),
        "aliases": n.mother.aliases.count(),
        "entitlements": n.child.entitlements.count(),
        "tie": Relationship.objects.get(pk=n.tie.pk).kind,
        "cases": Case.objects.count(),
        "events": AuditEvent.objects.count(),
        "consents": Consent.objects.count(),
    }


@pytest.mark.parametrize("name", write_services())
def test_each_write_service_refuses_who_may_not(name, north_world, alice, bob, sue, team_south):
    """Called by a user who may not, the service raises PermissionDenied and writes nothing."""
    personas = {"alice": alice, "bob": bob, "sue": sue, "team_south": team_south}
    before = _state(north_world)
    with pytest.raises(PermissionDenied):
        REFUSED_CALLS[name](north_world, personas)
    assert _state(north_world) == before


# Issue 14: privilege through roles.


def test_a_hand_over_to_an_advocate_of_the_team_is_refused(north_world, alice, sue):
    """Sue cannot hand alice's case to the team's legal advocate: she would write in it."""
    with pytest.raises(ValidationError, match="not a caseworker of team North"):
        services.case_reassign(
            case=north_world.case, from_user=alice, to_user=north_world.lena, actor=sue
        )
    with pytest.raises(ValidationError, match="not an active caseworker"):
        services.caseworker_reassign_all(
            from_user=alice, to_user=north_world.lena, team=north_world.case.team, actor=sue
        )
    with pytest.raises(ValidationError, match="not a caseworker of team North"):
        services.case_assign(
            case=north_world.case, user=north_world.lena, role=AssignmentRole.CASEWORKER, actor=sue
        )
    assert not permissions.can_edit_case(north_world.lena, north_world.case)
    assert north_world.case.assignments.get(role=AssignmentRole.CASEWORKER).user == alice


def test_a_case_is_opened_only_with_caseworkers_of_its_team(north_world, sue):
    """Not even at opening can an advocate be made a case's caseworker."""
    before = Case.objects.count()
    with pytest.raises(ValidationError, match="not a caseworker of team North"):
        services.case_open(
            team=north_world.case.team,
            actor=sue,
            risk_level=RiskLevel.LOW,
            caseworkers=[north_world.lena],
        )
    assert Case.objects.count() == before


def test_sharing_is_the_supervisors_and_only_with_an_advocate(north_world, alice, bob, sue):
    """A caseworker may not share; a supervisor shares with a legal advocate, not anyone."""
    with pytest.raises(PermissionDenied):
        services.case_share(case=north_world.case, advocate=north_world.amal, actor=alice)
    with pytest.raises(ValidationError, match="not a legal advocate"):
        services.case_share(case=north_world.case, advocate=bob, actor=sue)
    services.case_share(case=north_world.case, advocate=north_world.amal, actor=sue)
    assert Case.objects.visible_to(north_world.amal).get() == north_world.case
    assert not permissions.can_edit_case(north_world.amal, north_world.case)


@pytest.fixture
def lin(north_world, team_south):
    """A caseworker of South and a legal advocate North shares its case with."""
    user = UserFactory(username="lin")
    MembershipFactory(user=user, team=team_south, role=TeamMembership.Role.CASEWORKER)
    MembershipFactory(
        user=user, team=north_world.case.team, role=TeamMembership.Role.LEGAL_ADVOCATE
    )
    AssignmentFactory(case=north_world.case, user=user, role=AssignmentRole.LEGAL_ADVOCATE)
    return user


def test_no_one_copies_a_person_out_of_a_case_shared_to_read(north_world, lin, team_south):
    """Lin may not put North's mother into her own South case, by adding or by opening."""
    own = services.case_open(team=team_south, actor=lin, risk_level=RiskLevel.LOW)
    with pytest.raises(PermissionDenied):
        services.case_add_member(
            case=own, person=north_world.mother, role=MemberRole.OTHER, actor=lin
        )
    with pytest.raises(PermissionDenied):
        services.case_open(
            team=team_south,
            actor=lin,
            risk_level=RiskLevel.LOW,
            members=[(north_world.mother, MemberRole.PRINCIPAL)],
        )
    assert list(
        CaseMember.objects.filter(person=north_world.mother).values_list("case", flat=True)
    ) == [north_world.case.pk]
    assert north_world.mother not in permissions.editable_people(lin)


def test_a_person_of_ones_own_cases_may_join_another(north_world, alice):
    """Alice brings a neighbour from another of her cases into the North case."""
    member = services.case_add_member(
        case=north_world.case, person=north_world.neighbour, role=MemberRole.RELATIVE, actor=alice
    )
    assert member.case == north_world.case


def test_a_transfer_drops_a_caseworker_who_is_only_an_advocate_in_the_new_team(
    north_world, alice, sue, team_south
):
    """Alice, an advocate of South, does not stay the case's caseworker when it moves there."""
    MembershipFactory(user=alice, team=team_south, role=TeamMembership.Role.LEGAL_ADVOCATE)
    services.case_transfer(case=north_world.case, to_team=team_south, actor=sue)
    case = Case.objects.get(pk=north_world.case.pk)
    assert not case.assignments.filter(user=alice, role=AssignmentRole.CASEWORKER).exists()
    assert case.owner is None
    assert not permissions.can_edit_case(alice, case)


# Issue 15: one rule for opening a case and completing a task.


def test_opening_a_case_assigns_its_caseworker_opener_only(north_world, alice, sue):
    """The caseworker who opens a case works it; the supervisor who opens one is not assigned."""
    by_alice = services.case_open(team=north_world.case.team, actor=alice, risk_level=RiskLevel.LOW)
    assert list(by_alice.assignments.values_list("user", "role")) == [
        (alice.pk, AssignmentRole.CASEWORKER)
    ]
    by_sue = services.case_open(team=north_world.case.team, actor=sue, risk_level=RiskLevel.LOW)
    assert not by_sue.assignments.exists()


def test_a_task_is_completed_by_its_assignee_or_an_editor(north_world, alice, sue):
    """The advocate completes the follow-up given to her; the supervisor completes any."""
    hers = services.task_create(
        case=north_world.case, title="Appeal", actor=alice, assignee=north_world.lena
    )
    assert permissions.can_complete_task(north_world.lena, hers)
    assert not permissions.can_complete_task(north_world.lena, north_world.task)
    services.task_complete(task=hers, actor=north_world.lena)
    services.task_complete(task=north_world.task, actor=sue)
    assert Task.objects.filter(completed_at__isnull=False).count() == 2


def test_a_caseworker_made_an_advocate_of_the_team_changes_nothing_more(north_world, alice):
    """
    Alice becomes North's legal advocate by an approved role change (accounts' four eyes): the
    case she was assigned to and owns is hers to read, no longer to change. An advocate never
    works a case, whichever way she came to be one.
    """
    ada, grace = UserFactory(username="ada"), UserFactory(username="grace")
    for admin in (ada, grace):
        admin.groups.add(Group.objects.get(name=RoleGroup.ADMINISTRATOR))
    change = role_change_request(
        actor=ada,
        user=alice,
        kind=RoleChangeRequest.Kind.TEAM_ROLE,
        team=north_world.case.team,
        role=TeamMembership.Role.LEGAL_ADVOCATE,
    )
    role_change_approve(actor=grace, change=change)

    assert Case.objects.visible_to(alice).filter(pk=north_world.case.pk).exists()
    assert not permissions.can_edit_case(alice, north_world.case)
    assert not permissions.can_edit_person(alice, north_world.mother)
    assert not permissions.may_register_people(alice)
    with pytest.raises(PermissionDenied):
        services.case_note_add(case=north_world.case, body="x", actor=alice)
    with pytest.raises(PermissionDenied):
        services.person_update(person=north_world.mother, actor=alice, notes="changed")
