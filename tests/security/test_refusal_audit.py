"""
Every refusal of a signed-in user is in the audit trail: each 403, and each 404 of a route that
names a record (a probe), in pages and the API, written once, after the request's transaction,
naming the view and never the path (it holds references).
"""

import pytest
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from audit.models import AuditEvent

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def denials(user):
    return list(AuditEvent.objects.filter(action="denied", actor=user).order_by("sequence"))


def token_client(user) -> Client:
    _, token = AuthToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_a_page_probe_of_another_teams_case_is_audited(charlie, north_case):
    client = sign_in(Client(), charlie)
    response = client.get(reverse("casework:case_detail", args=[north_case.reference]))
    assert response.status_code == 404
    [event] = denials(charlie)
    assert event.detail == {"attempted": "case_detail", "method": "GET", "status": 404}
    assert north_case.reference not in str(event.detail)


def test_an_api_probe_by_token_is_audited(charlie, north_case):
    response = token_client(charlie).get(f"/api/v1/cases/{north_case.reference}/")
    assert response.status_code == 404
    [event] = denials(charlie)
    assert event.detail == {"attempted": "CaseViewSet", "method": "GET", "status": 404}


def test_a_page_closed_to_the_role_is_audited_once(alice):
    """A caseworker at the supervisor's bulk reassignment: 403, and one event."""
    response = sign_in(Client(), alice).get(reverse("casework:team_reassign"))
    assert response.status_code == 403
    [event] = denials(alice)
    assert event.detail["attempted"]


def test_an_api_write_the_role_may_not_make_is_audited(lena, north_case):
    """A legal advocate reads a shared case but may not change it: 403, audited."""
    response = token_client(lena).patch(
        f"/api/v1/cases/{north_case.reference}/", {"risk_level": "low"}, "application/json"
    )
    assert response.status_code == 403
    [event] = denials(lena)
    assert event.detail == {"attempted": "CaseViewSet", "method": "PATCH", "status": 403}


def test_a_refusal_the_view_records_itself_is_not_recorded_twice(lena, north_case):
    """The casework pages' refusal names the record and case: the middleware adds nothing."""
    client = sign_in(Client(), lena)
    response = client.post(reverse("casework:note_add", args=[north_case.reference]), {})
    assert response.status_code == 403
    [event] = denials(lena)
    assert event.case_id == north_case.pk
    assert "status" not in event.detail


def test_an_address_that_names_nothing_is_not_a_probe(alice):
    assert sign_in(Client(), alice).get("/no-such-page/").status_code == 404
    assert denials(alice) == []


def test_nobody_signed_in_leaves_no_denial(client, north_case):
    client.get(f"/api/v1/cases/{north_case.reference}/")
    assert not AuditEvent.objects.filter(action="denied").exists()
