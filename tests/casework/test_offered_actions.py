"""
Issue 16: the dashboard and the case list offer "Open a case" and "Register a person" only to
those casework.permissions lets do it; a legal advocate no longer follows them to "Not allowed".
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.choices import AssignmentRole

from ..conftest import sign_in
from ..factories import AdvocateFactory, AssignmentFactory

pytestmark = pytest.mark.django_db

CASE_CREATE = reverse("casework:case_create")
PERSON_CREATE = reverse("casework:person_create")


def _offers(user) -> dict[str, bool]:
    client = sign_in(Client(), user)
    dashboard = client.get(reverse("casework:dashboard")).content.decode()
    case_list = client.get(reverse("casework:case_list")).content.decode()
    return {
        "open a case (dashboard)": f'href="{CASE_CREATE}"' in dashboard,
        "open a case (case list)": f'href="{CASE_CREATE}"' in case_list,
        "register a person": f'href="{PERSON_CREATE}"' in dashboard,
    }


def test_a_caseworker_with_a_case_is_offered_both(alice, north_case):
    assert _offers(alice) == dict.fromkeys(_offers(alice), True)


def test_a_supervisor_is_offered_both(sue, north_case):
    assert set(_offers(sue).values()) == {True}


def test_a_caseworker_without_a_case_opens_one_before_registering_anyone(charlie):
    """Register a person asks for a case of one's own: charlie, with none yet, opens one first."""
    assert _offers(charlie) == {
        "open a case (dashboard)": True,
        "open a case (case list)": True,
        "register a person": False,
    }


def test_a_legal_advocate_is_offered_neither_and_would_be_refused(north_case):
    """The buttons are gone, and the pages they led to still refuse her (the rule is unchanged)."""
    advocate = AdvocateFactory(username="advocate")
    AssignmentFactory(case=north_case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE)
    assert set(_offers(advocate).values()) == {False}
    client = sign_in(Client(), advocate)
    assert client.get(CASE_CREATE).status_code == 403


def test_whether_to_offer_register_a_person_sorts_no_case(alice, sue, north_case):
    """
    Whether there is a case to register into is asked without an order: sorted by the cases'
    default order (newest first), each question read and sorted every case its reader owns or
    supervises, ten times as many at a million people, to find one (benchmarks/RESULTS.md,
    "The dashboard at a million people").
    """
    for user in (alice, sue):
        client = sign_in(Client(), user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("casework:dashboard")).content.decode()
        assert f'href="{PERSON_CREATE}"' in page
        asked = [q["sql"] for q in queries if q["sql"].startswith('SELECT "casework_case"."id"')]
        assert asked, "the question's query was not found"
        assert not [sql for sql in asked if "ORDER BY" in sql and sql.endswith("LIMIT 1")]
