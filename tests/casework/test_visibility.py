"""
Who sees which casework records. Every record is seen through `visible_to(user)`: alice sees the
case she is assigned to and all it holds; bob (same team, not assigned) and charlie (other team)
see none of it; sue, who supervises team North, sees all of North's cases; a superuser sees all.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services
from casework.choices import (
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
    StatusSource,
)
from casework.models import (
    Attachment,
    Case,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)

D = datetime.date
MODELS = [
    Case,
    Person,
    PersonAlias,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Incident,
    CaseNote,
    Task,
    Attachment,
]


def _populate(team, actor, caseworker):
    """A case with two people and one record of every kind, written through the services."""
    mother = services.person_create(
        actor=actor,
        full_name=f"Mother {team.name}",
        role=PersonRole.REFUGEE,
        date_of_birth=D(1983, 1, 1),
        aliases=[f"Alias {team.name}"],
    )
    child = services.person_create(
        actor=actor,
        full_name=f"Child {team.name}",
        role=PersonRole.CHILD,
        date_of_birth=D(2010, 1, 1),
    )
    case = services.case_open(
        team=team,
        actor=actor,
        risk_level=RiskLevel.HIGH,
        members=[(mother, MemberRole.PRINCIPAL), (child, MemberRole.CHILD)],
        caseworkers=[caseworker],
    )
    services.relationship_create(
        from_person=mother, to_person=child, kind=RelationshipKind.PARENT_OF, actor=actor
    )
    services.legal_status_change(
        person=mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2005, 1, 1),
        actor=actor,
        country=Country.CHINA,
        place="",
        source=StatusSource.CASEWORKER,
        note="",
    )
    services.entitlement_record(
        person=child,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=D(2017, 9, 1),
        note="",
        actor=actor,
    )
    services.incident_record(
        case=case,
        kind=IncidentKind.BENEFIT_DENIED,
        occurred_on=D(2017, 9, 1),
        region=Region.JILIN,
        description="",
        people=[child],
        actor=actor,
    )
    services.case_note_add(case=case, body="Met at the market", actor=actor)
    services.task_create(case=case, title="Follow up", actor=actor, assignee=caseworker)
    services.attachment_add(
        case=case,
        uploaded_file=SimpleUploadedFile("note.txt", b"plain words\n"),
        actor=actor,
        person=child,
    )
    return case


@pytest.fixture
def north(team_north, alice, sue):
    return _populate(team_north, sue, alice)


@pytest.fixture
def south(team_south, charlie):
    return _populate(team_south, charlie, charlie)


def _visible(model, user):
    return set(model.objects.visible_to(user))


def _of_case(model, case):
    """The records of `model` that belong to `case`, found without visible_to."""
    people = Person.objects.filter(memberships__case=case)
    lookups = {
        Case: {"pk": case.pk},
        Person: {"pk__in": people},
        PersonAlias: {"person__in": people},
        Relationship: {"from_person__in": people},
        LegalStatusRecord: {"person__in": people},
        Entitlement: {"person__in": people},
    }
    return set(model.objects.filter(**lookups.get(model, {"case": case})))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_assigned_caseworker_sees_her_case_and_nothing_else(model, north, south, alice):
    """alice sees every record of her case, and none of team South's."""
    expected = _of_case(model, north)
    assert expected
    assert _visible(model, alice) == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_caseworker_of_another_team_sees_none_of_it(model, north, charlie):
    """charlie sees nothing of North's case."""
    assert not (_visible(model, charlie) & _of_case(model, north))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_unassigned_colleague_sees_none_of_it(model, north, bob):
    """bob, in the same team but not assigned, sees nothing of the case."""
    assert _visible(model, bob) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_supervisor_sees_every_case_of_her_team(model, north, south, team_north, sue, bob):
    """sue sees a North case nobody assigned her to, and nothing of South's."""
    unassigned = _populate(team_north, bob, bob)
    assert _visible(model, sue) == _of_case(model, north) | _of_case(model, unassigned)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_nothing_without_breaking_the_glass(model, north, south, admin_user):
    """A superuser runs the system, not the cases: no record is visible without a grant."""
    assert _visible(model, admin_user) == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_breaking_the_glass_shows_that_one_case(model, north, south, admin_user):
    """A break-glass grant on North's case shows its records, and nothing of South's."""
    from casework.services import case_break_glass

    case_break_glass(case=north, actor=admin_user, reason="Court order 2026/11 needs the file")
    assert _visible(model, admin_user) == _of_case(model, north)


def test_anonymous_and_inactive_users_see_nothing(north, alice):
    """A deactivated account loses sight of its cases at once."""
    alice.is_active = False
    alice.save()
    assert not Case.objects.visible_to(alice).exists()
    assert not Person.objects.visible_to(alice).exists()


def test_tie_to_someone_out_of_scope_is_hidden(north, south, alice, sue):
    """A family tie to a person in another team's case is not shown: it would name them."""
    mother = north.people.get(memberships__role=MemberRole.PRINCIPAL)
    relative = south.people.get(memberships__role=MemberRole.PRINCIPAL)
    # Nobody of one team may record a tie across teams (casework.permissions.can_record_tie):
    # stored as ties recorded before one of the cases moved team would be.
    tie = Relationship.objects.create(
        from_person=mother, to_person=relative, kind=RelationshipKind.PARTNER_OF
    )
    reverse = Relationship.objects.create(
        from_person=relative,
        to_person=north.people.get(memberships__role=MemberRole.CHILD),
        kind=RelationshipKind.PARENT_OF,
    )
    visible = _visible(Relationship, alice)
    assert tie not in visible
    assert reverse not in visible
