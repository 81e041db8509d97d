"""A case's audit trail page, for the supervisors of its team."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def audit_page(case) -> str:
    return reverse("casework:case_audit", kwargs={"case_ref": case.reference})


def test_the_supervisor_reads_who_did_what_to_the_case(client, sue, alice, north_case):
    record(alice, "view", north_case)
    sign_in(client, sue)
    response = client.get(audit_page(north_case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "alice" in body
    assert north_case.reference in body
    assert AuditEvent.objects.filter(actor=sue, action="view", detail__page="audit_trail").exists()
    case_page = client.get(reverse("casework:case_detail", args=[north_case.reference]))
    assert audit_page(north_case) in case_page.content.decode()


def test_the_caseworker_is_refused_and_the_refusal_recorded(client, alice, north_case):
    sign_in(client, alice)
    assert client.get(audit_page(north_case)).status_code == 403
    assert AuditEvent.objects.filter(actor=alice, action="denied").exists()


def test_another_teams_supervisor_gets_404(client, team_south, north_case):
    from accounts.models import TeamMembership

    from ..factories import MembershipFactory, UserFactory

    south_supervisor = UserFactory(username="sam")
    MembershipFactory(user=south_supervisor, team=team_south, role=TeamMembership.Role.SUPERVISOR)
    sign_in(client, south_supervisor)
    response = client.get(audit_page(north_case))
    assert response.status_code == 404
    assert north_case.reference not in response.content.decode()


def test_each_event_names_its_record_kind_in_the_readers_language(client, sue, alice, north_case):
    """The trail says "Case" and "Person", in Korean for a Korean reader, not "casework.case"."""
    person = north_case.members.first().person
    record(alice, "view", person, case=north_case)
    sign_in(client, sue)
    body = client.get(audit_page(north_case)).content.decode()
    assert "casework.case" not in body and "casework.person" not in body
    assert f"Case {north_case.reference}" in body
    assert f"Person {person.reference}" in body
    korean = client.get(audit_page(north_case), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f"사례 {north_case.reference}" in korean


def test_a_label_no_model_answers_to_stays_as_written():
    from audit.labels import target_type_label

    assert target_type_label("casework.case") == "Case"
    assert target_type_label("casework.gone") == "casework.gone"
    assert target_type_label("nonsense") == "nonsense"


def test_the_admin_lists_record_kinds_by_name(admin_client, alice, north_case):
    record(alice, "view", north_case)
    page = admin_client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert ">casework.case<" not in page
    assert '?target_type=casework.case">Case</a>' in page  # the filter, by its name
