"""
The case plan, closing a case, the household across cases and the supervisor's workload, through
the services and the pages, with a mother and two children on two cases.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Team
from audit.models import AuditEvent
from casework import dates, services
from casework.choices import (
    CaseStatus,
    ClosureReason,
    EntitlementKind,
    EntitlementStatus,
    GoalStatus,
    MemberRole,
    PersonRole,
    RelationshipKind,
    RiskLevel,
)
from casework.erasure import consent_withdraw
from casework.models import (
    Case,
    CaseClosure,
    CaseFlag,
    CheckInSchedule,
    Goal,
    PlanReview,
    RecordRevision,
    Task,
)
from casework.selectors.household import household_of
from casework.selectors.plans import plan_of
from casework.selectors.workload import workload
from ops.retention import people_past_retention

from ..conftest import sign_in
from ..scenarios import mother_with_children

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(team_north, alice):
    return mother_with_children(team=team_north, caseworker=alice, name="김순희", children=2)


def _registration_goal(family, alice):
    child = family.children[0]
    goal = services.goal_add(
        case=family.case,
        person=child,
        title="Household registration (hukou) for the child",
        why="Without hukou the child cannot enrol at school.",
        target_on=dates.today() + datetime.timedelta(days=90),
        actor=alice,
    )
    services.goal_step_add(
        goal=goal, title="Obtain the father's household booklet copy", actor=alice
    )
    services.goal_step_add(
        goal=goal,
        title="Accompany the father to the police station",
        due_on=dates.today() + datetime.timedelta(days=14),
        actor=alice,
    )
    return goal


# The case plan


def test_a_goal_with_steps_is_shown_above_the_timeline(client, family, alice):
    goal = _registration_goal(family, alice)
    assert goal.responsible == alice
    assert set(goal.steps.values_list("case", flat=True)) == {family.case.pk}
    page = sign_in(client, alice).get(reverse("casework:case_detail", args=[family.case.reference]))
    html = page.content.decode()
    assert "Household registration (hukou) for the child" in html
    assert "Accompany the father to the police station" in html
    assert html.index('id="plan-heading"') < html.index('id="timeline-heading"')


def test_a_goal_is_for_a_person_on_the_case(family, alice, north_case):
    outsider = north_case.people.get()
    with pytest.raises(ValidationError):
        services.goal_add(case=family.case, person=outsider, title="Anything", actor=alice)


def test_a_caseworker_of_another_team_may_not_plan(family, charlie):
    with pytest.raises(PermissionDenied):
        services.goal_add(case=family.case, person=family.mother, title="Anything", actor=charlie)


def test_an_achieved_goal_is_dated_and_takes_no_more_steps(family, alice):
    goal = _registration_goal(family, alice)
    services.goal_end(goal=goal, status=GoalStatus.ACHIEVED, actor=alice)
    goal.refresh_from_db()
    assert goal.ended_on == dates.today()
    with pytest.raises(ValidationError):
        services.goal_step_add(goal=goal, title="One more", actor=alice)


def test_reviews_on_a_schedule(family, alice):
    services.plan_review_schedule_set(case=family.case, actor=alice, every_weeks=6)
    services.plan_review_record(case=family.case, note="Booklet copy obtained.", actor=alice)
    plan = plan_of(family.case, today=dates.today())
    assert plan.next_review_on == dates.today() + datetime.timedelta(weeks=6)
    assert not plan.review_overdue
    assert plan.reviews[0].note == "Booklet copy obtained."


def test_the_plan_pages_save_through_the_services(client, family, alice):
    sign_in(client, alice)
    ref = family.case.reference
    response = client.post(
        reverse("casework:goal_add", args=[ref]),
        {
            "person": family.children[1].reference,
            "title": "School enrolment",
            "why": "",
            "target_on": "",
            "responsible": "",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(case=family.case)
    response = client.post(
        reverse("casework:goal_step_add", args=[ref, goal.pk]),
        {"title": "Ask the school about places", "due_on": "", "assignee": ""},
    )
    assert response.status_code == 302
    assert Task.objects.get(goal=goal).title == "Ask the school about places"
    response = client.post(
        reverse("casework:plan_review_add", args=[ref]),
        {"reviewed_on": dates.today().isoformat(), "note": "On track."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("casework:goal_status", args=[ref, goal.pk]),
        {"status": GoalStatus.DROPPED, "version": goal.version},
    )
    assert response.status_code == 302
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DROPPED
    assert AuditEvent.objects.filter(target_type="casework.goal", action="update").exists()


# Closing a case


def test_a_case_closed_as_resettled_carries_an_open_follow_up_over(client, family, alice):
    keep = services.task_create(case=family.case, title="Send the school records", actor=alice)
    done = services.task_create(case=family.case, title="Return the borrowed phone", actor=alice)
    schedule = services.check_in_schedule_set(
        person=family.mother,
        case=family.case,
        actor=alice,
        every_days=7,
        channel=CheckInSchedule.Channel.CALL,
    )
    sign_in(client, alice)
    url = reverse("casework:case_close", args=[family.case.reference])
    page = client.get(url)
    assert "Send the school records" in page.content.decode()
    response = client.post(
        url,
        {
            "reason": ClosureReason.RESETTLED,
            "other_reason": "",
            "closed_on": "",
            "resolve_tasks": [str(done.pk)],
            "end_check_ins": [str(schedule.pk)],
            "version": family.case.version,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=family.case.pk)
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on == dates.today()
    closure = CaseClosure.objects.get(case=case)
    assert (closure.reason, closure.resolved, closure.carried_over) == ("resettled", 2, 1)
    assert Task.objects.get(pk=keep.pk).completed_at is None
    assert Task.objects.get(pk=done.pk).completed_at is not None
    assert not CheckInSchedule.objects.get(pk=schedule.pk).active
    detail = client.get(reverse("casework:case_detail", args=[case.reference])).content.decode()
    assert "Resettled" in detail
    assert "Send the school records" in detail


def test_other_needs_words(family, alice):
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=family.case, actor=alice, reason=ClosureReason.OTHER)
    assert "other_reason" in refused.value.error_dict


def test_reopening_keeps_the_closing_and_retention_counts_from_it(family, alice):
    services.case_close(case=family.case, actor=alice, reason=ClosureReason.LOST_CONTACT)
    family.case.refresh_from_db()
    tomorrow = dates.today() + datetime.timedelta(days=1)
    assert family.mother in people_past_retention(tomorrow)
    services.case_reopen(case=family.case, actor=alice, expected_version=family.case.version)
    family.case.refresh_from_db()
    assert family.case.status == CaseStatus.OPEN
    assert family.case.closed_on is None
    closure = CaseClosure.objects.get(case=family.case)
    assert closure.reopened_by == alice
    assert family.mother not in people_past_retention(tomorrow)
    services.case_close(
        case=family.case, actor=alice, reason=ClosureReason.OTHER, other_reason="Family asked"
    )
    assert CaseClosure.objects.filter(case=family.case).count() == 2


def test_a_legal_advocate_may_not_close(client, north_case, lena):
    response = sign_in(client, lena).get(
        reverse("casework:case_close", args=[north_case.reference])
    )
    assert response.status_code == 403


# The household


def _second_case_for_the_children(family, alice, team_north):
    """The children also on a case of their own (their school and papers)."""
    case = services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.MEDIUM,
        members=[(child, MemberRole.CHILD) for child in family.children],
    )
    services.entitlement_record(
        person=family.children[0],
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=dates.today(),
        actor=alice,
    )
    return case


def test_the_household_spans_its_cases(client, family, alice, team_north):
    second = _second_case_for_the_children(family, alice, team_north)
    household = household_of(family.children[1], user=alice)
    assert {m.person for m in household.members} == {family.mother, *family.children}
    child = next(m for m in household.members if m.person == family.children[0])
    assert {c.pk for c in child.cases} == {family.case.pk, second.pk}
    assert [b.kind for b in child.benefits] == [EntitlementKind.SCHOOL]
    assert len(household.ties) == 2
    page = sign_in(client, alice).get(reverse("casework:household", args=[family.mother.reference]))
    assert second.reference in page.content.decode()


def _tie(alice, from_person, to_person, kind):
    services.relationship_create(
        from_person=from_person, to_person=to_person, kind=kind, actor=alice
    )


def test_the_household_is_a_tree_parents_above_children_partners_side_by_side(
    client, family, alice
):
    """
    Three generations on one case: the mother's own mother above her; the mother beside the
    children's Chinese father, her husband; their two children below both of them.
    """
    grandmother = services.person_create(actor=alice, full_name="박옥순", role=PersonRole.RELATIVE)
    father = services.person_create(actor=alice, full_name="Wang Jun", role=PersonRole.RELATIVE)
    for relative in (grandmother, father):
        services.case_add_member(
            case=family.case, person=relative, role=MemberRole.RELATIVE, actor=alice
        )
    _tie(alice, grandmother, family.mother, RelationshipKind.PARENT_OF)
    _tie(alice, family.mother, father, RelationshipKind.SPOUSE_OF)
    _tie(alice, father, family.children[1], RelationshipKind.PARENT_OF)
    tree = household_of(family.children[0], user=alice).tree
    [top] = tree
    assert (top.person, top.partners, [unit.person for unit in top.children]) == (
        grandmother,
        [],
        [family.mother],
    )
    [parents] = top.children
    assert [partner for partner, _tie in parents.partners] == [father]
    assert [unit.person for unit in parents.children] == family.children
    # The page draws it as nested lists: the grandmother's list holds the parents' list,
    # which holds the children.
    page = sign_in(client, alice).get(reverse("casework:household", args=[father.reference]))
    html = page.content.decode()
    tree_html = html[html.index('<ul class="family-tree">') :]
    order = [
        tree_html.index(grandmother.reference),
        tree_html.index(family.mother.reference),
        tree_html.index("is spouse of"),
        tree_html.index(father.reference),
        tree_html.index(family.children[0].reference),
        tree_html.index(family.children[1].reference),
    ]
    assert order == sorted(order)
    assert tree_html.count('<ul class="family-tree">') == 3


def test_the_household_hides_what_the_viewer_may_not_see(family, alice, charlie, team_south):
    stranger = services.person_create(actor=charlie, full_name="Other", role=PersonRole.REFUGEE)
    services.case_open(
        team=team_south,
        actor=charlie,
        risk_level=RiskLevel.LOW,
        members=[(stranger, MemberRole.PRINCIPAL)],
    )
    household = household_of(family.mother, user=charlie)
    assert household.members == []
    assert [m.person for m in household_of(stranger, user=alice).members] == []


@pytest.mark.parametrize("children", [1, 5])
def test_the_household_query_count_does_not_grow_with_the_family(
    children, team_north, alice, django_assert_num_queries
):
    family = mother_with_children(
        team=team_north, caseworker=alice, name="Mother", children=children
    )
    with django_assert_num_queries(6):
        household = household_of(family.mother, user=alice)
        assert len(household.members) == children + 1


# The workload


def test_the_workload_counts_each_caseworker(client, family, alice, bob, sue, team_north):
    services.task_create(
        case=family.case,
        title="Late",
        due_on=dates.today() - datetime.timedelta(days=3),
        actor=alice,
    )
    services.case_flag_set(case=family.case, kind=CaseFlag.Kind.MISSED_CHECK_IN, actor=alice)
    rows = {
        row.user.username: row
        for row in workload(Team.objects.filter(pk=team_north.pk), today=dates.today())
    }
    assert rows["alice"].open_cases == 1
    assert rows["alice"].by_risk[RiskLevel.HIGH] == 1
    assert rows["alice"].overdue_followups == 1
    assert rows["alice"].missed_check_ins == 1
    assert rows["bob"].open_cases == 0
    page = sign_in(client, sue).get(reverse("casework:workload") + "?order=overdue")
    html = page.content.decode()
    assert html.index("alice") < html.index("bob")
    assign = client.get(reverse("casework:case_assign", args=[family.case.reference]))
    assert "bob — 0 open" in assign.content.decode()


def test_a_caseworker_has_no_workload_view(client, alice):
    assert sign_in(client, alice).get(reverse("casework:workload")).status_code == 403


def test_bulk_reassign_previews_then_changes(client, family, alice, bob, sue):
    sign_in(client, sue)
    data = {
        "cases": [family.case.reference],
        "action": "reassign",
        "from_user": alice.pk,
        "to_user": bob.pk,
        "reason": "",
        "other_reason": "",
    }
    preview = client.post(reverse("casework:cases_bulk"), data)
    assert preview.status_code == 200
    assert "from alice to bob" in preview.content.decode()
    assert family.case.staff.filter(pk=bob.pk).count() == 0
    done = client.post(reverse("casework:cases_bulk"), {**data, "confirm": "True"})
    assert done.status_code == 302
    assert set(family.case.staff.values_list("username", flat=True)) == {"bob"}


def test_bulk_close_is_a_supervisors(family, alice, sue):
    with pytest.raises(PermissionDenied):
        services.cases_bulk_close(cases=[family.case], reason=ClosureReason.GOALS_MET, actor=alice)
    closed = services.cases_bulk_close(
        cases=[family.case], reason=ClosureReason.GOALS_MET, actor=sue
    )
    assert [c.reason for c in closed] == [ClosureReason.GOALS_MET]


# The API


def _api(user):
    from django.test import Client
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_the_api_keeps_the_plan_and_closes_with_the_same_rules(family, alice):
    api = _api(alice)
    made = api.post(
        "/api/v1/goals/",
        {
            "case": family.case.reference,
            "person": family.children[0].reference,
            "title": "Household registration (hukou) for the child",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    goal_id = made.json()["id"]
    step = api.post(
        f"/api/v1/goals/{goal_id}/steps/",
        {"title": "Obtain the father's household booklet copy"},
        content_type="application/json",
    )
    assert step.status_code == 201, step.content
    refused = api.post(
        "/api/v1/closures/",
        {"case": family.case.reference, "reason": "other"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    closed = api.post(
        "/api/v1/closures/",
        {"case": family.case.reference, "reason": "resettled"},
        content_type="application/json",
    )
    assert closed.status_code == 201, closed.content
    assert closed.json()["carried_over"] == 1
    reopened = api.post(
        "/api/v1/closures/reopen/",
        {"case": family.case.reference},
        content_type="application/json",
    )
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["reopened_by"] == "alice"


def test_the_plan_reads_in_korean(client, family, alice):
    goal = _registration_goal(family, alice)
    services.plan_review_schedule_set(case=family.case, actor=alice, every_weeks=4)
    services.case_close(case=family.case, actor=alice, reason=ClosureReason.RESETTLED)
    sign_in(client, alice)
    page = client.get(
        reverse("casework:case_detail", args=[family.case.reference]),
        headers={"accept-language": "ko"},
    )
    html = page.content.decode()
    assert "사례 계획" in html
    assert "4주마다 검토합니다." in html
    assert "재정착" in html
    assert goal.title in html


def test_a_goal_is_corrected_and_voided_as_other_records(client, family, alice):
    goal = _registration_goal(family, alice)
    services.record_correct(
        record=goal,
        fields={"title": "Hukou for the elder child"},
        reason="The younger child has one",
        actor=alice,
    )
    assert Goal.objects.get(pk=goal.pk).title == "Hukou for the elder child"
    page = sign_in(client, alice).get(reverse("casework:record_correct", args=["goal", goal.pk]))
    assert page.status_code == 200
    services.record_void(
        record=Goal.objects.get(pk=goal.pk), reason="Entered on the wrong case", actor=alice
    )
    assert plan_of(family.case, today=dates.today()).goals == []


@pytest.mark.parametrize("caseworkers", [1, 4])
def test_the_workload_is_counted_in_sql_whatever_the_team_size(
    caseworkers, team_north, alice, django_assert_num_queries
):
    from ..factories import MembershipFactory, UserFactory

    for n in range(caseworkers - 1):
        worker = UserFactory(username=f"worker{n}")
        MembershipFactory(user=worker, team=team_north, role="caseworker")
        mother_with_children(team=team_north, caseworker=worker, name=f"M{n}", children=1)
    teams = Team.objects.filter(pk=team_north.pk)
    with django_assert_num_queries(5):
        rows = workload(teams, today=dates.today(), order="open")
    assert len(rows) == caseworkers


# Erasure: the plan's typed text goes with the person it may name.


def test_erasing_a_child_wipes_the_plan_texts_that_may_name_her(family, alice):
    """
    The mother takes back, for her daughter, consent to keep her data: the goal for the daughter
    (and what its correction replaced), the notes of the plan's reviews and a closing's words
    go; the goal's status, the review's day and the closing's reason stay.
    """
    goal = _registration_goal(family, alice)
    services.record_correct(
        record=goal,
        fields={"title": "Hukou for 김은별"},
        reason="Her name was missing",
        actor=alice,
    )
    services.plan_review_record(
        case=family.case, note="김은별 now lives with her aunt in Yanji.", actor=alice
    )
    services.case_close(
        case=family.case,
        actor=alice,
        reason=ClosureReason.OTHER,
        other_reason="김은별 went back to her father",
    )
    family.case.refresh_from_db()
    services.case_reopen(case=family.case, actor=alice, expected_version=family.case.version)
    child = family.children[0]
    consent_withdraw(person=child, actor=alice, scopes=["store_data"], method="verbal")
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.title, goal.why, goal.status) == ("", "", GoalStatus.OPEN)
    review = PlanReview.objects.get(case=family.case)
    assert (review.note, review.reviewed_on) == ("", dates.today())
    closure = CaseClosure.objects.get(case=family.case)
    assert (closure.other_reason, closure.reason) == ("", ClosureReason.OTHER)
    assert not RecordRevision.objects.filter(object_id=goal.pk).exists()
    event = AuditEvent.objects.filter(action="update", target_id=str(child.pk)).first()
    assert (
        event.detail["goals_blanked"],
        event.detail["plan_reviews_blanked"],
        event.detail["closure_reasons_blanked"],
    ) == (1, 1, 1)
    # The plan still shows the goal and its steps, its words gone.
    page = sign_in(Client(), alice).get(
        reverse("casework:case_detail", args=[family.case.reference])
    )
    assert "(erased)" in page.content.decode()
    assert "김은별" not in page.content.decode()


def test_closing_writes_an_audit_event_without_the_words(family, alice):
    closure = services.case_close(
        case=family.case, actor=alice, reason=ClosureReason.OTHER, other_reason="Family asked"
    )
    event = AuditEvent.objects.get(action="create", target_id=str(closure.pk))
    assert event.detail["closed_because"] == "other", event.detail
    assert event.case_id == family.case.pk
    assert "Family asked" not in str(event.detail)
