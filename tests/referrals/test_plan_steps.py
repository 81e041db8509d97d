"""
Referrals as steps of the case plan: a mother and her daughter (9) in Yanbian; the goal "school
enrolment for the daughter" is worked through a follow-up (collect her birth papers) and a referral
to the team's Korean-Chinese primary school, started from the goal on the case page.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from casework import services as casework_services
from casework.choices import GoalStatus
from casework.selectors.plans import plan_of
from referrals import services
from referrals.choices import Status
from referrals.models import Referral

from ..conftest import sign_in
from ..scenarios import child_referred_to_a_school, mother_with_children

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(team_north, alice, sue):
    return child_referred_to_a_school(
        team=team_north, caseworker=alice, supervisor=sue, mother_name="김순희"
    )


@pytest.fixture
def enrolment(school, alice):
    goal = casework_services.goal_add(
        case=school.case,
        person=school.child,
        title="School enrolment for the daughter",
        why="She has never been to school.",
        target_on=timezone.localdate() + datetime.timedelta(days=60),
        actor=alice,
    )
    casework_services.goal_step_add(goal=goal, title="Collect her birth papers", actor=alice)
    return goal


def _refer(client, school, goal=None):
    data = {
        "person": school.child.pk,
        "service": "education",
        "provider": school.school.pk,
        "referred_on": timezone.localdate().isoformat(),
        "urgency": "soon",
    }
    if goal is not None:
        data["goal"] = goal.pk
    url = reverse("referrals:referral_create", args=[school.case.reference])
    return client.post(url, data)


def test_a_referral_started_from_a_goal_is_one_of_its_steps(school, enrolment, alice):
    """From "Refer as a step" under the goal, the form has the goal and its person chosen."""
    client = sign_in(Client(), alice)
    case_url = reverse("casework:case_detail", args=[school.case.reference])
    case_page = client.get(case_url).content.decode()
    refer_url = (
        reverse("referrals:referral_create", args=[school.case.reference]) + f"?goal={enrolment.pk}"
    )
    assert f'href="{refer_url}"' in case_page
    form = client.get(refer_url).content.decode()
    assert f'<option value="{enrolment.pk}" selected>School enrolment for the daughter' in form
    assert f'<option value="{school.child.pk}" selected>' in form
    response = _refer(client, school, enrolment)
    assert response.status_code == 302
    referral = Referral.objects.get(goal=enrolment)
    assert referral.person == school.child
    event = AuditEvent.objects.get(action="create", target_id=str(referral.pk))
    assert event.detail["goal"] == str(enrolment.pk)
    # The goal shows both its steps: the follow-up, and the referral with its status.
    page = client.get(case_url).content.decode()
    plan = page[
        page.index('id="plan-heading"') : page.index("</section>", page.index("plan-heading"))
    ]
    assert "Collect her birth papers" in plan
    assert f"Referral of {school.child.reference} for School enrolment (School)" in plan
    assert "Planned" in plan
    services.referral_status_change(
        referral=referral, status=Status.SENT, changed_on=timezone.localdate(), actor=alice
    )
    page = client.get(case_url).content.decode()
    assert '<span class="step-status">Sent</span>' in page
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Step towards the goal" in detail and "School enrolment for the daughter" in detail


def test_a_referral_without_a_goal_is_no_step(school, enrolment, alice):
    assert _refer(sign_in(Client(), alice), school).status_code == 302
    assert Referral.objects.filter(goal__isnull=True).count() == 2
    [goal] = plan_of(school.case, today=timezone.localdate()).goals
    assert goal.other_steps == []


def test_a_step_of_an_achieved_goal_or_of_another_case_is_refused(
    school, enrolment, alice, team_north
):
    other = mother_with_children(team=team_north, caseworker=alice, name="이영자", children=1)
    elsewhere = casework_services.goal_add(
        case=other.case, person=other.children[0], title="Hukou", actor=alice
    )
    arguments = {
        "case": school.case,
        "person": school.child,
        "provider": school.school,
        "service": "education",
        "referred_on": timezone.localdate(),
        "actor": alice,
    }
    with pytest.raises(ValidationError) as refused:
        services.referral_create(goal=elsewhere, **arguments)
    assert refused.value.message_dict["goal"] == ["Choose a goal of this case's plan."]
    casework_services.goal_end(goal=enrolment, status=GoalStatus.ACHIEVED, actor=alice)
    with pytest.raises(ValidationError) as refused:
        services.referral_create(goal=enrolment, **arguments)
    assert refused.value.message_dict["goal"] == ["Steps are added to open goals only."]
    # The page no longer offers the achieved goal, nor "Refer as a step" under it.
    client = sign_in(Client(), alice)
    form = client.get(reverse("referrals:referral_create", args=[school.case.reference]))
    assert "School enrolment for the daughter" not in form.content.decode()
    assert Referral.objects.filter(goal__isnull=False).count() == 0


def test_the_plan_reads_its_referral_steps_in_one_query(
    school, enrolment, alice, django_assert_num_queries
):
    """However many referrals a goal has, the plan costs the same number of queries."""

    def refer_as_a_step():
        services.referral_create(
            case=school.case,
            person=school.child,
            provider=school.school,
            service="education",
            referred_on=timezone.localdate(),
            goal=enrolment,
            actor=alice,
        )

    refer_as_a_step()
    with django_assert_num_queries(4):
        plan_of(school.case, today=timezone.localdate())
    refer_as_a_step()
    with django_assert_num_queries(4):
        [goal] = plan_of(school.case, today=timezone.localdate()).goals
    assert [step.status for step in goal.other_steps] == ["Planned", "Planned"]


def test_the_api_makes_and_lists_referral_steps_with_the_same_rules(
    school, enrolment, alice, charlie
):
    api = APIClient()
    api.force_authenticate(alice)
    body = {
        "case": school.case.reference,
        "person": school.child.reference,
        "provider": str(school.school.pk),
        "service": "education",
        "referred_on": timezone.localdate().isoformat(),
        "goal": str(enrolment.pk),
    }
    made = api.post("/api/v1/referrals/referrals/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["goal"] == str(enrolment.pk)
    listed = api.get(f"/api/v1/referrals/referrals/?goal={enrolment.pk}").json()
    assert [row["id"] for row in listed["results"]] == [made.json()["id"]]
    # A goal the requester cannot see is no goal at all (400), as is a malformed one.
    outsider = APIClient()
    outsider.force_authenticate(charlie)
    assert outsider.get(f"/api/v1/referrals/referrals/?goal={enrolment.pk}").json()["results"] == []
    assert (
        api.post(
            "/api/v1/referrals/referrals/", {**body, "goal": "not-a-goal"}, format="json"
        ).status_code
        == 400
    )
    assert api.get("/api/v1/referrals/referrals/?goal=not-a-goal").status_code == 400
