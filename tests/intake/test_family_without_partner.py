"""
Issue 16: an intake for a woman without a partner (a widow, one who fled a buyer). The Family step
is posted as a browser posts it, with every default the page offers, so that a select with no
blank choice (which a browser always sends) is caught.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casework.choices import MemberRole
from casework.models import Relationship
from intake import services
from intake.models import IntakeSubmission

from ..conftest import sign_in
from .conftest import ANSWERS, FAMILY, fill, post_step, start, step_url, submit

pytestmark = pytest.mark.django_db

WIDOWS_CHILDREN = {
    "children-TOTAL_FORMS": "2",
    "children-INITIAL_FORMS": "0",
    "children-0-full_name": "김철",
    "children-0-sex": "male",
    "children-0-date_of_birth": "2010-04-03",
    "children-0-nationality": "stateless",
    "children-0-benefits_refused": ["school"],
    "children-1-full_name": "김영",
    "children-1-sex": "female",
    "children-1-date_of_birth": "2014-08-21",
    "children-1-nationality": "stateless",
    "children-1-benefits_refused": ["household_registration"],
}


class _FormDefaults(HTMLParser):
    """What a browser sends of a form nobody touched: values, checked boxes, selected options."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in {"submit", "button"}:
                self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            self.values[self._select] = [(chosen or [value for value, _ in self._options])[0]]
            self._select = None


def as_a_browser_posts(html: str, typed: dict) -> dict:
    parser = _FormDefaults()
    parser.feed(html)
    defaults = {name: values for name, values in parser.values.items() if name != "action"}
    return {**defaults, **typed}


def test_a_widow_with_two_children_is_taken_in_and_approved(client, alice, sue):
    """Nothing typed about a partner: the Family step passes, and approval makes no partner."""
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    page = client.get(step_url(submission, "family"))
    posted = as_a_browser_posts(page.content.decode(), WIDOWS_CHILDREN)
    assert posted["partner_tie"] == [""], "the couple's tie must default to no partner"
    response = post_step(client, submission, "family", posted)
    assert response.status_code == 302, response.context["forms"].form.errors
    fill(client, submission, steps=["situation", "needs"])
    review = client.get(reverse("intake:review", kwargs={"intake_ref": submission.reference}))
    assert review.context["complete"] is True
    assert "Partner" not in review.content.decode()
    submit(client, submission)

    case = services.intake_approve(submission=submission, actor=sue)
    roles = sorted(member.role for member in case.members.all())
    assert roles == sorted([MemberRole.PRINCIPAL, MemberRole.CHILD, MemberRole.CHILD])
    principal = case.members.get(role=MemberRole.PRINCIPAL).person
    ties = Relationship.objects.filter(from_person=principal)
    assert sorted(tie.kind for tie in ties) == ["parent_of", "parent_of"]


def test_a_partner_named_without_saying_how_the_couple_are_tied_is_refused(client, alice):
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    response = post_step(client, submission, "family", {**FAMILY, "partner_tie": ""})
    assert response.status_code == 400
    errors = response.context["forms"].form.errors
    assert list(errors) == ["partner_tie"]
    assert "partners or married" in errors["partner_tie"][0]


def test_a_tie_without_a_partner_still_asks_for_the_name(client, alice):
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    response = post_step(
        client, submission, "family", {**WIDOWS_CHILDREN, "partner_tie": "spouse_of"}
    )
    assert response.status_code == 400
    assert "partner_name" in response.context["forms"].form.errors


def test_a_widow_through_the_api(alice, sue, team_north):
    """The API's Family step follows the same rules: no partner passes; a nameless tie does not."""
    client = sign_in(APIClient(), alice)
    reference = client.post(
        reverse("intake_api:submission-list"), {"team": team_north.pk}, format="json"
    ).json()["reference"]
    steps_url = reverse("intake_api:submission-steps", kwargs={"intake_ref": reference})
    answers = {**ANSWERS, "family": WIDOWS_CHILDREN}
    named_without_tie = client.post(
        steps_url,
        {"step": "family", "answers": {**FAMILY, "partner_tie": ""}},
        format="json",
    ).json()
    assert named_without_tie["valid"] is False and "partner_tie" in named_without_tie["errors"]
    for step, step_answers in answers.items():
        saved = client.post(steps_url, {"step": step, "answers": step_answers}, format="json")
        assert saved.json()["valid"], saved.json()
    submitted = client.post(
        reverse("intake_api:submission-submit", kwargs={"intake_ref": reference})
    )
    assert submitted.status_code == 200
    approved = sign_in(APIClient(), sue).post(
        reverse("intake_api:submission-approve", kwargs={"intake_ref": reference})
    )
    assert approved.status_code == 200, approved.json()
    submission = IntakeSubmission.objects.get(reference=reference)
    assert submission.status == IntakeSubmission.Status.APPROVED
    assert submission.case.members.count() == 3


def test_with_no_partner_the_partner_is_not_offered_and_a_father_may_have_died(client, alice, sue):
    """A widow's two children: "the partner" is no one, their father "has died"; both kept."""
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    page = client.get(step_url(submission, "family")).content.decode()
    assert 'value="partner"' not in page
    posted = as_a_browser_posts(
        page,
        {**WIDOWS_CHILDREN, "children-0-father": "deceased", "children-1-father": "deceased"},
    )
    response = post_step(client, submission, "family", posted)
    assert response.status_code == 302, response.context["forms"].form.errors
    page = client.get(step_url(submission, "family")).content.decode()
    assert 'value="partner"' not in page
    assert page.count('value="deceased" selected') == 2
    fill(client, submission, steps=["situation", "needs"])
    submit(client, submission)

    case = services.intake_approve(submission=submission, actor=sue)
    children = case.members.filter(role=MemberRole.CHILD)
    notes = [note.body for note in case.notes.all()]
    for member in children:
        assert f"As told at intake, the father of {member.person.reference} has died." in notes
        assert (
            not Relationship.objects.filter(to_person=member.person)
            .exclude(from_person=case.members.get(role=MemberRole.PRINCIPAL).person)
            .exists()
        )
