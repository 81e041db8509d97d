"""
Every casework write leaves one audit event in its own transaction: who, what, which record, in
which case, and the names of the fields it set or changed, never their values. A refused write
leaves none. Also: reassigning, sharing, transferring and flags.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification, TeamMembership
from audit.models import AuditEvent
from casework import services
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
    StatusSource,
)
from casework.models import Case, CaseAssignment, CaseFlag, CaseMember, Task
from casework.services.follow_ups import follow_ups_remind
from consent.models import Method, Scope
from consent.services import consent_record

from ..factories import (
    AdvocateFactory,
    AssignmentFactory,
    CaseFactory,
    CaseMemberFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

D = datetime.date
SECRET_NAME = "비밀이름"
SECRET_NOTE = "hidden in the cellar"


def _last(action=None):
    events = AuditEvent.objects.order_by("-sequence")
    return (events.filter(action=action) if action else events).first()


def _assert_no_values(event):
    text = str(event.detail)
    assert SECRET_NAME not in text and SECRET_NOTE not in text


def _consent(case, actor):
    for person in case.people.all():
        consent_record(
            person=person, actor=actor, method=Method.VERBAL, scopes=[Scope.SHARE_WITH_ADVOCATES]
        )


def test_person_create_is_audited_in_the_case(alice, north_case):
    """Registering a person in a case records a create event in that case's trail."""
    person = services.person_create(
        actor=alice,
        full_name=SECRET_NAME,
        notes=SECRET_NOTE,
        role=PersonRole.CHILD,
        aliases=["Alias one"],
        case=north_case,
        role_in_case=MemberRole.CHILD,
    )
    event = _last()
    assert (event.action, event.actor, event.target_id) == ("create", alice, str(person.pk))
    assert event.case_id == north_case.pk
    assert {"full_name", "notes", "role"} <= set(event.detail["fields"])
    assert event.detail["aliases"] == 1
    _assert_no_values(event)
    assert CaseMember.objects.get(person=person).role == MemberRole.CHILD


def test_person_update_names_only_the_changed_fields(alice, north_case):
    """An update event lists the fields that changed, and falls in the person's only case."""
    person = north_case.people.get()
    services.person_update(person=person, actor=alice, full_name=SECRET_NAME, notes=SECRET_NOTE)
    event = _last()
    assert event.action == "update"
    assert event.detail == {"fields": ["full_name", "notes"]}
    assert event.case_id == north_case.pk


def test_a_refused_write_leaves_no_event(alice, north_case):
    """The event is written in the write's transaction: refused together."""
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.case_note_add(case=north_case, body="", actor=alice)
    with pytest.raises(ValidationError):
        services.person_create(actor=alice, full_name="", role=PersonRole.CHILD)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("write", "action", "target_type"),
    [
        (
            lambda c, p, a: services.person_alias_add(person=p, name="Kim S", actor=a),
            "create",
            "casework.personalias",
        ),
        (
            lambda c, p, a: services.relationship_create(
                from_person=p,
                to_person=CaseMemberFactory(case=c, person__date_of_birth=None).person,
                kind=RelationshipKind.PARTNER_OF,
                actor=a,
            ),
            "create",
            "casework.relationship",
        ),
        (
            lambda c, p, a: services.legal_status_change(
                person=p,
                status=LegalStatus.DETAINED_CN,
                effective_from=D(2024, 1, 1),
                actor=a,
                country=Country.CHINA,
                source=StatusSource.FAMILY,
                note=SECRET_NOTE,
            ),
            "status_change",
            "casework.legalstatusrecord",
        ),
        (
            lambda c, p, a: services.legal_status_record_add(
                person=p,
                status=LegalStatus.IN_TRANSIT,
                effective_from=D(2010, 1, 1),
                effective_to=D(2011, 1, 1),
                actor=a,
                country=Country.THIRD_COUNTRY,
                source=StatusSource.FAMILY,
            ),
            "create",
            "casework.legalstatusrecord",
        ),
        (
            lambda c, p, a: services.entitlement_record(
                person=p,
                kind=EntitlementKind.MEDICAL_CARE,
                status=EntitlementStatus.DENIED,
                as_of=D(2024, 1, 1),
                note=SECRET_NOTE,
                actor=a,
            ),
            "create",
            "casework.entitlement",
        ),
        (
            lambda c, p, a: services.incident_record(
                case=c,
                kind=IncidentKind.RAID,
                occurred_on=D(2024, 1, 1),
                region=Region.JILIN,
                description=SECRET_NOTE,
                people=[p],
                actor=a,
            ),
            "create",
            "casework.incident",
        ),
        (
            lambda c, p, a: services.case_note_add(case=c, body=SECRET_NOTE, actor=a),
            "create",
            "casework.casenote",
        ),
        (
            lambda c, p, a: services.task_create(case=c, title=SECRET_NOTE, actor=a, assignee=a),
            "create",
            "casework.task",
        ),
        (
            lambda c, p, a: services.attachment_add(
                case=c,
                uploaded_file=SimpleUploadedFile("x.txt", SECRET_NOTE.encode()),
                description=SECRET_NOTE,
                actor=a,
            ),
            "create",
            "casework.attachment",
        ),
        (
            lambda c, p, a: services.case_add_member(
                case=c, person=PersonFactory(), role=MemberRole.RELATIVE, actor=a
            ),
            "create",
            "casework.casemember",
        ),
        (
            lambda c, p, a: services.case_update(case=c, actor=a, summary=SECRET_NOTE),
            "update",
            "casework.case",
        ),
        (
            lambda c, p, a: services.case_flag_set(
                case=c, kind=CaseFlag.Kind.MEDICAL_EMERGENCY, actor=a
            ),
            "create",
            "casework.caseflag",
        ),
    ],
)
def test_every_write_is_audited_in_its_case(alice, north_case, write, action, target_type):
    """Each service appends one event of the right kind, in the case's trail, without values."""
    written = write(north_case, north_case.people.get(), alice)
    event = AuditEvent.objects.filter(target_type=target_type).order_by("-sequence").first()
    assert (event.action, event.actor, event.target_id) == (action, alice, str(written.pk))
    assert event.case_id == north_case.pk
    _assert_no_values(event)


def test_task_complete_and_incident_update_are_updates(alice, north_case):
    """Completing a follow-up and correcting an incident are recorded as updates."""
    task = services.task_create(case=north_case, title="Call", actor=alice)
    services.task_complete(task=task, actor=alice)
    assert _last().detail == {"fields": ["completed_at", "completed_by"]}
    incident = services.incident_record(
        case=north_case, kind=IncidentKind.RAID, occurred_on=D(2024, 1, 1), region="kp", actor=alice
    )
    services.incident_update(incident=incident, actor=alice, people=[north_case.people.get()])
    assert _last().detail == {"fields": ["people"]}
    assert incident.version == 2


# Case status rules.


def test_closing_a_case_dates_it_and_reopening_clears_the_date(alice, north_case):
    """A closed case has a closing date (today by default); a reopened one has none."""
    services.case_close(case=north_case, actor=alice, reason=ClosureReason.GOALS_MET)
    assert Case.objects.get(pk=north_case.pk).closed_on is not None
    services.case_reopen(case=north_case, actor=alice)
    assert Case.objects.get(pk=north_case.pk).closed_on is None
    assert _last().detail == {"fields": ["closed_on", "status"]}


@pytest.mark.parametrize(
    "fields",
    [{"status": CaseStatus.CLOSED}, {"closed_on": D(2030, 1, 1)}],
    ids=["status", "closing date"],
)
def test_a_case_is_closed_only_with_its_closing(alice, north_case, fields):
    """Closing through `case_update` is refused: only `case_close` closes, with a reason."""
    with pytest.raises(ValidationError) as caught:
        services.case_update(case=north_case, actor=alice, **fields)
    assert "Close the case" in str(caught.value)
    assert Case.objects.get(pk=north_case.pk).status == CaseStatus.OPEN
    assert not north_case.closures.exists()


def test_a_closed_case_is_reopened_only_by_case_reopen(alice, north_case):
    """Reopening through `case_update` is refused; the closing stays current."""
    services.case_close(case=north_case, actor=alice, reason=ClosureReason.RESETTLED)
    with pytest.raises(ValidationError):
        services.case_update(case=north_case, actor=alice, status=CaseStatus.OPEN)
    assert Case.objects.get(pk=north_case.pk).status == CaseStatus.CLOSED
    assert north_case.closures.get().reopened_at is None


def test_an_open_case_has_no_closing_date(alice, north_case):
    """A closing date without closing the case is refused."""
    with pytest.raises(ValidationError) as caught:
        services.case_update(case=north_case, actor=alice, closed_on=D(2030, 1, 1))
    assert "closed_on" in caught.value.message_dict


# Flags.


def test_a_flag_is_raised_once_and_lowered_into_history(alice, north_case):
    """The same flag cannot be raised twice at once; lowering keeps it as history."""
    services.case_flag_set(case=north_case, kind=CaseFlag.Kind.UNSAFE_TO_CONTACT, actor=alice)
    with pytest.raises(ValidationError, match="already raised"):
        services.case_flag_set(case=north_case, kind=CaseFlag.Kind.UNSAFE_TO_CONTACT, actor=alice)
    services.case_flag_clear(case=north_case, kind=CaseFlag.Kind.UNSAFE_TO_CONTACT, actor=alice)
    assert _last().action == "update"
    services.case_flag_set(case=north_case, kind=CaseFlag.Kind.UNSAFE_TO_CONTACT, actor=alice)
    assert CaseFlag.objects.filter(case=north_case).count() == 2
    with pytest.raises(ValidationError, match="not raised"):
        services.case_flag_clear(case=north_case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=alice)


def test_case_flags_lists_raised_flags_gravest_first(alice, north_case):
    """The header's selector shows raised flags only, in the order of their kinds."""
    from casework.selectors.case_page import case_flags

    for kind in [CaseFlag.Kind.INTERPRETER_NEEDED, CaseFlag.Kind.UNSAFE_TO_CONTACT]:
        services.case_flag_set(case=north_case, kind=kind, actor=alice)
    services.case_flag_set(case=north_case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=alice)
    services.case_flag_clear(case=north_case, kind=CaseFlag.Kind.CHILD_AT_RISK, actor=alice)
    assert [flag.kind for flag in case_flags(north_case)] == [
        CaseFlag.Kind.UNSAFE_TO_CONTACT,
        CaseFlag.Kind.INTERPRETER_NEEDED,
    ]


# Reassigning.


def test_case_reassign_moves_the_assignment_and_ownership(alice, bob, sue, north_case):
    """Sue hands alice's case to bob: bob is assigned and owns it, alice no longer sees it."""
    services.case_reassign(case=north_case, from_user=alice, to_user=bob, actor=sue)
    assert list(north_case.assignments.values_list("user__username", flat=True)) == ["bob"]
    assert Case.objects.get(pk=north_case.pk).owner == bob
    assert not Case.objects.visible_to(alice).exists()
    event = _last("update")
    assert event.detail["from_user"] == alice.pk and event.detail["to_user"] == bob.pk
    assert Case.objects.get(pk=north_case.pk).version == 2


def test_case_reassign_hands_over_the_open_follow_ups(alice, bob, sue, north_case):
    """
    Alice's open follow-ups on the case go to bob with it, each audited, and the reminder alice
    had is settled: left with her, nobody who can see the case would hear of them. What she
    did stays hers, and sue's own follow-up stays sue's.
    """
    today = datetime.date.today()
    visit = services.task_create(
        case=north_case, actor=alice, title="Visit the family", due_on=today
    )
    call = services.task_create(
        case=north_case, actor=alice, title="Call the lawyer", due_on=today + datetime.timedelta(3)
    )
    done = services.task_create(case=north_case, actor=alice, title="Find a clinic")
    services.task_complete(task=done, actor=alice)
    sues = services.task_create(case=north_case, actor=sue, title="Check the consent")
    follow_ups_remind()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()

    services.case_reassign(case=north_case, from_user=alice, to_user=bob, actor=sue)

    assignees = dict(Task.objects.values_list("pk", "assignee__username"))
    assert assignees == {visit.pk: "bob", call.pk: "bob", done.pk: "alice", sues.pk: "sue"}
    moved = AuditEvent.objects.filter(action="update", target_type="casework.task", actor=sue)
    assert sorted(event.target_id for event in moved) == sorted([str(visit.pk), str(call.pk)])
    assert all(event.detail["to_user"] == bob.pk for event in moved)
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    # The sweep reminds bob of what is due today, though alice was reminded of it already.
    follow_ups_remind()
    reminders = Notification.objects.filter(recipient=bob, kind=Notification.Kind.FOLLOW_UP_DUE)
    assert [reminder.target_id for reminder in reminders] == [str(visit.pk)]


def test_case_reassign_is_for_supervisors(alice, bob, north_case):
    """A caseworker cannot hand her case over herself."""
    with pytest.raises(PermissionDenied):
        services.case_reassign(case=north_case, from_user=alice, to_user=bob, actor=alice)


def test_case_reassign_refuses_someone_outside_the_team(alice, charlie, sue, north_case):
    """The new caseworker must be a member of the case's team; nothing changes otherwise."""
    with pytest.raises(ValidationError, match="not a caseworker of team North"):
        services.case_reassign(case=north_case, from_user=alice, to_user=charlie, actor=sue)
    assert north_case.assignments.get().user == alice


def test_caseworker_reassign_all_moves_every_case_of_the_team(alice, bob, sue, team_north):
    """Every North case alice works or owns goes to bob, each audited; other teams' stay."""
    assigned = CaseFactory(team=team_north)
    AssignmentFactory(case=assigned, user=alice)
    owned = CaseFactory(team=team_north, owner=alice)
    untouched = CaseFactory(team=team_north)
    west = CaseFactory(team=TeamFactory(name="West"))
    AssignmentFactory(case=west, user=alice)
    cases = services.caseworker_reassign_all(
        from_user=alice, to_user=bob, team=team_north, actor=sue
    )
    assert {case.pk for case in cases} == {assigned.pk, owned.pk}
    for case in (assigned, owned):
        assert set(
            CaseAssignment.objects.filter(case=case).values_list("user__username", flat=True)
        ) == {"bob"}
        assert AuditEvent.objects.filter(
            action="update", target_id=str(case.pk), actor=sue
        ).exists()
    assert Case.objects.get(pk=owned.pk).owner == bob
    assert not untouched.assignments.exists()
    assert west.assignments.get().user == alice


def test_caseworker_reassign_all_works_for_a_deactivated_caseworker(alice, bob, sue, north_case):
    """A caseworker who left (account deactivated) can still have their cases handed over."""
    alice.is_active = False
    alice.save()
    services.caseworker_reassign_all(from_user=alice, to_user=bob, team=north_case.team, actor=sue)
    assert north_case.assignments.get().user == bob


def test_caseworker_reassign_all_is_for_the_teams_supervisors(alice, bob, team_north):
    """Bob cannot take alice's cases."""
    with pytest.raises(PermissionDenied):
        services.caseworker_reassign_all(from_user=alice, to_user=bob, team=team_north, actor=bob)


def test_caseworker_reassign_all_refuses_an_inactive_successor(alice, bob, sue, north_case):
    """The cases cannot go to an account that is switched off."""
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError, match="not an active caseworker"):
        services.caseworker_reassign_all(
            from_user=alice, to_user=bob, team=north_case.team, actor=sue
        )


# Sharing and transferring, with every member's consent.


def test_case_share_needs_every_members_consent(sue, north_case):
    """One member without consent to sharing blocks the share, and names that member."""
    member = north_case.people.get()
    advocate = AdvocateFactory(username="amal")
    with pytest.raises(ValidationError, match=member.reference):
        services.case_share(case=north_case, advocate=advocate, actor=sue)
    _consent(north_case, sue)
    services.case_share(case=north_case, advocate=advocate, actor=sue)
    assert Case.objects.visible_to(advocate).get() == north_case
    assert _last().target_type == "casework.caseassignment"


def test_case_assign_of_an_advocate_goes_through_consent(sue, north_case):
    """Sharing by the general assignment service is held to the same consent rule."""
    with pytest.raises(ValidationError, match="consent"):
        services.case_assign(
            case=north_case,
            user=AdvocateFactory(username="amal"),
            role=AssignmentRole.LEGAL_ADVOCATE,
            actor=sue,
        )


def test_case_transfer_hands_the_case_to_the_new_team(alice, sue, north_case):
    """The old team's caseworkers lose the case, its shared advocates keep it."""
    _consent(north_case, sue)
    advocate = AdvocateFactory(username="amal")
    services.case_share(case=north_case, advocate=advocate, actor=sue)
    east = TeamFactory(name="East")
    east_supervisor = UserFactory(username="erin")
    TeamMembership.objects.create(user=east_supervisor, team=east, role="supervisor")
    services.case_transfer(case=north_case, to_team=east, actor=sue)
    case = Case.objects.get(pk=north_case.pk)
    assert (case.team, case.owner) == (east, None)
    assert not Case.objects.visible_to(alice).exists()
    assert Case.objects.visible_to(east_supervisor).get() == case
    assert Case.objects.visible_to(advocate).get() == case
    event = _last("update")
    assert event.detail["to_team"] == east.pk and event.detail["assignments_removed"] == 1


def test_case_transfer_leaves_the_old_teams_follow_ups_to_no_one(alice, sue, north_case):
    """
    A family moves from Jilin to Liaoning and its case to the team there. Alice's and sue's open
    follow-ups are no longer theirs (they cannot open the case): each is left to no one,
    audited, and their reminders settled; the new team's caseworker, once assigned, is reminded
    of what is due. What alice finished stays hers.
    """
    _consent(north_case, sue)
    today = datetime.date.today()
    visit = services.task_create(
        case=north_case, actor=alice, title="Visit the family", due_on=today
    )
    check = services.task_create(case=north_case, actor=sue, title="Check the consent")
    done = services.task_create(case=north_case, actor=alice, title="Find a clinic")
    services.task_complete(task=done, actor=alice)
    follow_ups_remind()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    east = TeamFactory(name="Liaoning")
    east_supervisor = UserFactory(username="erin")
    TeamMembership.objects.create(user=east_supervisor, team=east, role="supervisor")
    east_caseworker = UserFactory(username="ed")
    TeamMembership.objects.create(user=east_caseworker, team=east, role="caseworker")

    services.case_transfer(case=north_case, to_team=east, actor=sue)

    assignees = dict(Task.objects.values_list("pk", "assignee__username"))
    assert assignees == {visit.pk: None, check.pk: None, done.pk: "alice"}
    moved = AuditEvent.objects.filter(action="update", target_type="casework.task", actor=sue)
    assert sorted(event.target_id for event in moved) == sorted([str(visit.pk), str(check.pk)])
    assert all(event.detail["to_user"] is None for event in moved)
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    services.case_assign(
        case=north_case, user=east_caseworker, role=AssignmentRole.CASEWORKER, actor=east_supervisor
    )
    follow_ups_remind()
    reminders = Notification.objects.filter(
        recipient=east_caseworker, kind=Notification.Kind.FOLLOW_UP_DUE
    )
    assert [reminder.target_id for reminder in reminders] == [str(visit.pk)]


def test_case_transfer_is_refused_without_consent(sue, north_case):
    """No consent to sharing, no transfer: the case stays with its team."""
    with pytest.raises(ValidationError, match="cannot be transferred"):
        services.case_transfer(case=north_case, to_team=TeamFactory(name="East"), actor=sue)
    assert Case.objects.get(pk=north_case.pk).team.name == "North"


def test_case_transfer_is_for_the_teams_supervisors(alice, north_case):
    """The caseworker cannot move the case out of her team."""
    _consent(north_case, alice)
    with pytest.raises(PermissionDenied):
        services.case_transfer(case=north_case, to_team=TeamFactory(name="East"), actor=alice)


def test_case_open_is_audited_with_counts(sue, alice, team_north):
    """Opening a case records the case and each caseworker's assignment."""
    person = PersonFactory()
    case = services.case_open(
        team=team_north,
        actor=sue,
        risk_level=RiskLevel.HIGH,
        members=[(person, MemberRole.PRINCIPAL)],
        caseworkers=[alice],
    )
    events = AuditEvent.objects.filter(case_id=case.pk).order_by("sequence")
    assert [(e.action, e.target_type) for e in events] == [
        ("create", "casework.case"),
        ("create", "casework.caseassignment"),
    ]
    assert events[0].detail["members"] == 1


def test_a_value_that_reads_like_a_field_name_does_not_block_the_write(alice, north_case):
    """A file named "file" reads like the field name "file": the event keeps its detail."""
    upload = SimpleUploadedFile("file", b"%PDF-1.4\n")
    attachment = services.attachment_add(case=north_case, uploaded_file=upload, actor=alice)
    event = _last()
    assert (event.action, event.target_id) == ("create", str(attachment.pk))
    assert event.detail["fields"] == ["file"]
