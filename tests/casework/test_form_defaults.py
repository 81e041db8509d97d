"""
No form chooses for the caseworker (issue 16): a benefit's outcome and an incident's kind start
blank and a blank post is refused with a clear error, a follow-up is its creator's unless given to
another, and every form names people by name with the reference beside it, so that two children
of one mother are not confused; the browser's title keeps the reference only.
"""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.choices import EntitlementKind, MemberRole, PersonRole, Region
from casework.forms.records import TaskForm
from casework.models import CaseMember, Entitlement, Incident, Task
from casework.permissions import staff_who_can_see

from ..conftest import sign_in
from ..factories import PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def children(north_case):
    """Two stateless children of the case's mother, easily confused by reference alone."""
    people = [
        PersonFactory(full_name=name, role=PersonRole.CHILD, date_of_birth=D(2012, 3, day))
        for name, day in (("김은희", 4), ("김은혜", 5))
    ]
    for person in people:
        CaseMember.objects.create(case=north_case, person=person, role=MemberRole.CHILD)
    return people


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _selected(page: str, name: str) -> str | None:
    """The value of the option chosen in the <select> called `name`."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen and chosen.group(1)


def test_a_benefit_outcome_starts_blank_and_must_be_chosen(client, alice, children):
    child = children[0]
    sign_in(client, alice)
    url = reverse("casework:entitlement_add", args=[child.reference])
    page = _page(client, url)
    assert _selected(page, "status") in (None, "")
    assert '<option value="" selected>' in page
    response = client.post(url, {"kind": EntitlementKind.SCHOOL, "as_of": "2024-09-01"})
    assert response.status_code == 200
    assert "Choose the outcome." in response.content.decode()
    assert not Entitlement.objects.exists()


def test_an_incident_kind_starts_blank_and_must_be_chosen(client, alice, north_case, children):
    sign_in(client, alice)
    url = reverse("casework:incident_add", args=[north_case.reference])
    page = _page(client, url)
    assert _selected(page, "kind") in (None, "")
    response = client.post(
        url,
        {"occurred_on": "2024-09-01", "region": Region.JILIN, "description": "At the school"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose what happened." in page and "At the school" in page
    assert not Incident.objects.exists()


def test_a_follow_up_is_offered_to_its_creator_and_is_theirs_when_left_empty(
    client, alice, bob, north_case
):
    sign_in(client, alice)
    url = reverse("casework:task_add", args=[north_case.reference])
    assert _selected(_page(client, url), "assignee") == str(alice.pk)
    response = client.post(url, {"title": "Call the school", "assignee": ""})
    assert response.status_code == 302
    assert Task.objects.get().assignee == alice


def test_a_follow_up_can_still_be_given_to_a_colleague(client, alice, sue, north_case):
    sign_in(client, alice)
    url = reverse("casework:task_add", args=[north_case.reference])
    client.post(url, {"title": "Approve the transfer", "assignee": sue.pk})
    assert Task.objects.get().assignee == sue


def test_a_creator_who_may_not_be_assigned_leaves_the_follow_up_unassigned(
    alice, charlie, north_case
):
    """Charlie (South) is no one to give North's follow-up to, not even his own."""
    form = TaskForm({"title": "Visit"}, staff=staff_who_can_see(north_case), creator=charlie)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["assignee"] is None
    assert form.fields["assignee"].initial is None


def test_person_pickers_show_the_name_beside_the_reference(client, alice, north_case, children):
    sign_in(client, alice)
    pages = {
        "incident": reverse("casework:incident_add", args=[north_case.reference]),
        "attachment": reverse("casework:attachment_add", args=[north_case.reference]),
        "family tie": reverse("casework:relationship_add", args=[children[0].reference]),
    }
    for what, url in pages.items():
        page = _page(client, url)
        # The other child, from the picker (a family tie never lists the person themself).
        assert f"김은혜 ({children[1].reference})" in page, what


@pytest.mark.parametrize(
    "route", ["person_edit", "alias_add", "relationship_add", "status_change", "entitlement_add"]
)
def test_a_persons_form_is_headed_by_name_but_titled_by_reference(client, alice, children, route):
    child = children[0]
    sign_in(client, alice)
    page = _page(client, reverse(f"casework:{route}", args=[child.reference]))
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert f"김은희 ({child.reference})" in heading
    # The browser keeps titles in its history: a seized phone must not list the names.
    assert child.reference in title and "김은희" not in title


def test_naming_people_costs_no_query_per_person(client, alice, north_case, children):
    sign_in(client, alice)
    url = reverse("casework:incident_add", args=[north_case.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(6, 12):
        person = PersonFactory(full_name=f"이웃 {day}", date_of_birth=D(1990, 1, day))
        CaseMember.objects.create(case=north_case, person=person, role=MemberRole.RELATIVE)
    with CaptureQueriesContext(connection) as many:
        page = _page(client, url)
    assert "이웃 11" in page
    assert len(many) == len(few)


def test_the_korean_incident_form_asks_for_what_happened(client, alice, north_case, children):
    sign_in(client, alice)
    client.cookies["django_language"] = "ko"
    url = reverse("casework:incident_add", args=[north_case.reference])
    response = client.post(url, {"occurred_on": "2024-09-01", "region": Region.JILIN})
    assert "발생한 일을 선택하십시오." in response.content.decode()


@pytest.mark.parametrize(("language", "day"), [("ko", "발생일"), ("zh-hans", "发生日期")])
def test_an_incidents_date_is_asked_as_a_day_not_a_moment(
    client, alice, north_case, children, language, day
):
    """
    The incident form asks for the day it happened (발생일, 发生日期), not the audit trail's
    "when" (일시, 时间: date and time), which the date field beside it does not take.
    """
    sign_in(client, alice)
    client.cookies["django_language"] = language
    url = reverse("casework:incident_add", args=[north_case.reference])
    page = client.get(url).content.decode()
    assert f'<label for="id_occurred_on">{day}</label>' in page
    audit = client.get(reverse("casework:case_audit", args=[north_case.reference]))
    assert f'<th scope="col">{day}</th>' not in audit.content.decode()
