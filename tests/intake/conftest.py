"""
Fixtures of the intake tests: the answers of a whole family's intake as a browser posts them,
and helpers that walk the wizard with the Django test client.
"""

import pytest
from django.urls import reverse

from intake.models import IntakeSubmission

from ..conftest import sign_in

CONSENT = {
    "method": "interpreter",
    "witnessed_by": "Interpreter Park",
    "given_on": "2024-03-02",
    "scopes": ["store_data", "share_with_advocates", "statistics"],
    "covers_partner": "on",
}
IDENTITY = {
    "full_name": "김순희",
    "aliases": "金顺姬\nKim Sun-hui",
    "sex": "female",
    "date_of_birth": "1984-05-17",
    "birth_year": "",
    "nationality": "dprk",
    "place_of_origin": "Hoeryong",
    "contact": "+86 138 0000 1111",
}
FAMILY = {
    "partner_name": "王建国",
    "partner_sex": "male",
    "partner_birth_year": "1975",
    "partner_nationality": "prc",
    "partner_tie": "partner_of",
    "marriage_registered": "no",
    "children-TOTAL_FORMS": "2",
    "children-INITIAL_FORMS": "0",
    "children-0-full_name": "王明",
    "children-0-sex": "male",
    "children-0-date_of_birth": "2012-09-01",
    "children-0-nationality": "stateless",
    "children-0-mother": "principal",
    "children-0-father": "partner",
    "children-0-benefits_refused": ["household_registration", "school"],
    "children-1-full_name": "王丽",
    "children-1-sex": "female",
    "children-1-date_of_birth": "2016-02-11",
    "children-1-nationality": "stateless",
    "children-1-mother": "principal",
    "children-1-father": "partner",
    "children-1-benefits_refused": ["household_registration"],
}
SITUATION = {
    "current_location": "Yanji, Jilin",
    "region": "cn-jilin",
    "legal_status": "undocumented_cn",
    "status_since": "2005-06-01",
    "status_country": "CN",
    "benefits_refused": ["medical_care"],
    "incidents-TOTAL_FORMS": "1",
    "incidents-INITIAL_FORMS": "0",
    "incidents-0-kind": "raid",
    "incidents-0-occurred_on": "2023-11-20",
    "incidents-0-region": "cn-jilin",
    "incidents-0-description": "Police raid on the village at night",
}
NEEDS = {
    "needs": "Safe housing; school for the children",
    "q_recent_raid": "on",
    "q_child_without_registration": "on",
    "risk_level": "",
    "override_reason": "",
}
ANSWERS = {
    "consent": CONSENT,
    "identity": IDENTITY,
    "family": FAMILY,
    "situation": SITUATION,
    "needs": NEEDS,
}


def step_url(submission, step):
    return reverse("intake:step", kwargs={"intake_ref": submission.reference, "step": step})


def start(client) -> IntakeSubmission:
    page = client.get(reverse("intake:start"))
    assert page.status_code == 200
    team = page.context["teams"][0]
    response = client.post(reverse("intake:new"), {"team": team.pk})
    assert response.status_code == 302
    return IntakeSubmission.objects.order_by("-created_at").first()


def post_step(client, submission, step, data, action="next"):
    return client.post(step_url(submission, step), {**data, "action": action})


def fill(client, submission, steps=tuple(ANSWERS), answers=None):
    answers = {**ANSWERS, **(answers or {})}
    for step in steps:
        response = post_step(client, submission, step, answers[step])
        assert response.status_code == 302, (
            step,
            response.context and response.context["forms"].form.errors,
        )
    return submission


def submit(client, submission):
    response = client.post(reverse("intake:review", kwargs={"intake_ref": submission.reference}))
    assert response.status_code == 302
    submission.refresh_from_db()
    return submission


@pytest.fixture
def submitted(client, alice):
    """A whole family's intake, taken by alice and submitted."""
    sign_in(client, alice)
    submission = fill(client, start(client))
    submit(client, submission)
    assert submission.status == IntakeSubmission.Status.SUBMITTED
    client.logout()
    return submission
