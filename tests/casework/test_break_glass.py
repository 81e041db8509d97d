"""
Break-glass: administrators see case content only for a limited time, on a written reason,
and every grant is in the audit trail that the case's supervisors read.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework.models import BreakGlassAccess, Case

from ..conftest import sign_in
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("casework:break_glass")
REASON = "Court order 2026/114 asks for the detention record"


def case_page(case) -> str:
    return reverse("casework:case_detail", kwargs={"case_ref": case.reference})


def test_a_superuser_cannot_open_a_case_page_without_breaking_the_glass(
    client, admin_user, north_case
):
    sign_in(client, admin_user)
    assert client.get(case_page(north_case)).status_code == 404
    assert not Case.objects.visible_to(admin_user).exists()


def test_breaking_the_glass_opens_that_case_and_is_audited(client, admin_user, north_case, sue):
    sign_in(client, admin_user)
    response = client.post(URL, {"case_reference": north_case.reference.lower(), "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == case_page(north_case)
    assert client.get(case_page(north_case)).status_code == 200

    event = AuditEvent.objects.get(action="break_glass")
    assert (event.actor, event.case_id) == (admin_user, north_case.pk)
    assert "Court order" not in str(event.detail)
    # The team's supervisor reads it in the trail of her team's cases.
    assert AuditEvent.objects.visible_to(sue).filter(pk=event.pk).exists()


def test_an_administrator_who_is_not_a_superuser_may_break_the_glass(client, north_case):
    admin = UserFactory(username="ops", is_staff=True)
    admin.groups.add(Group.objects.get(name="Administrator"))
    sign_in(client, admin)
    client.post(URL, {"case_reference": north_case.reference, "reason": REASON})
    assert client.get(case_page(north_case)).status_code == 200


def test_the_grant_expires(client, admin_user, north_case):
    sign_in(client, admin_user)
    client.post(URL, {"case_reference": north_case.reference, "reason": REASON})
    BreakGlassAccess.objects.update(
        granted_at=timezone.now() - datetime.timedelta(hours=2),
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert client.get(case_page(north_case)).status_code == 404


def test_a_short_reason_is_refused_and_the_input_kept(client, admin_user, north_case):
    sign_in(client, admin_user)
    response = client.post(URL, {"case_reference": north_case.reference, "reason": "need it"})
    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()
    assert north_case.reference in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="break_glass").exists()


def test_an_unknown_reference_is_an_error_on_the_field(client, admin_user, db):
    sign_in(client, admin_user)
    response = client.post(URL, {"case_reference": "C-NOPE0000", "reason": REASON})
    assert "No case has this reference." in response.content.decode()


def test_caseworkers_cannot_break_the_glass(client, charlie, north_case):
    sign_in(client, charlie)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"case_reference": north_case.reference, "reason": REASON})
    assert response.status_code == 403
    assert not BreakGlassAccess.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=charlie).count() == 2


@pytest.mark.postgres
def test_the_reason_is_encrypted_at_rest(client, admin_user, north_case):
    sign_in(client, admin_user)
    client.post(URL, {"case_reference": north_case.reference, "reason": REASON})
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM casework_breakglassaccess")
        (raw,) = cursor.fetchone()
    assert "Court order" not in raw
