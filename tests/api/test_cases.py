"""/api/v1/cases/: the cases one works, supervises or that are shared with one."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AuditEvent
from casework import services
from casework.choices import ClosureReason
from casework.models import Case

from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory
from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


def detail(case) -> str:
    return f"{URL}{case.reference}/"


def test_it_lists_my_cases_only(api, alice, north_case, south_case):
    """A caseworker's list shows her cases; another team's reference is absent from the body."""
    response = api(alice).get(URL)
    assert [row["reference"] for row in results(response)] == [north_case.reference]
    assert south_case.reference not in response.content.decode()


def test_the_list_decrypts_nothing(api, alice, north_case):
    """A row of the list carries plain columns only: no summary, no members."""
    row = results(api(alice).get(URL))[0]
    assert "summary" not in row
    assert "members" not in row
    assert row["team_name"] == "North"


def test_a_supervisor_sees_every_case_of_her_team(api, sue, north_case, team_north):
    """Sue sees North's cases, assigned to her or not."""
    other = CaseFactory(team=team_north)
    response = api(sue).get(URL)
    assert {row["reference"] for row in results(response)} == {
        north_case.reference,
        other.reference,
    }


def test_it_filters_by_status_and_risk(api, alice, north_case, north_person, team_north):
    """The case list page's filters work in the API: status and risk (search: test_searches)."""
    closed = CaseFactory(team=team_north, owner=alice, status="closed", risk_level="high")
    client = api(alice)
    assert [r["reference"] for r in results(client.get(URL, {"status": "closed"}))] == [
        closed.reference
    ]
    assert [r["reference"] for r in results(client.get(URL, {"risk_level": "high"}))] == [
        closed.reference
    ]


def test_another_team_gets_404(api, charlie, north_case, south_case):
    """A caseworker of another team neither opens, changes nor lists the case."""
    client = api(charlie)
    assert client.get(detail(north_case)).status_code == 404
    assert client.patch(detail(north_case), {"risk_level": "low"}, format="json").status_code == 404
    assert north_case.reference not in client.get(URL).content.decode()
    found = client.post(f"{URL}search/", {"q": north_case.reference}, format="json")
    assert found.status_code == 200
    assert north_case.reference not in found.content.decode()


def test_it_retrieves_a_case_and_audits_the_view(api, alice, north_case, north_person):
    """The case shows its summary, members and assignments, and the view is audited."""
    response = api(alice).get(detail(north_case))
    assert response.status_code == 200
    body = response.json()
    assert body["members"] == [{"person": north_person.reference, "role": "principal"}]
    assert body["assignments"] == [{"user": "alice", "role": "caseworker"}]
    assert body["version"] == 1
    event = AuditEvent.objects.filter(action="view", target_id=str(north_case.pk)).get()
    assert event.actor == alice
    assert event.case_id == north_case.pk


def test_it_opens_a_case(api, alice, team_north, north_person):
    """A caseworker opens a case for her team with people she may see; she owns it."""
    response = api(alice).post(
        URL,
        {
            "team": team_north.pk,
            "risk_level": "high",
            "summary": "Mother detained in Tumen",
            "members": [{"person": north_person.reference, "role": "principal"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.owner == alice
    assert case.summary == "Mother detained in Tumen"
    assert case.members.get().person == north_person
    assert AuditEvent.objects.filter(action="create", target_id=str(case.pk)).exists()


def test_it_refuses_a_case_for_another_team_or_with_unseen_people(
    api, alice, team_south, south_person, team_north
):
    """Another team, or a person out of sight, is a field error, and nothing is saved."""
    before = Case.objects.count()
    client = api(alice)
    response = client.post(URL, {"team": team_south.pk}, format="json")
    assert response.status_code == 400
    assert "team" in response.json()
    response = client.post(
        URL,
        {"team": team_north.pk, "members": [{"person": south_person.reference, "role": "child"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "members" in response.json()
    assert south_person.reference not in response.content.decode()
    assert Case.objects.count() == before


def test_it_updates_a_case(api, alice, north_case):
    """A change of status (open to on hold) is saved and raises the version."""
    response = api(alice).patch(
        detail(north_case), {"status": "on_hold", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "on_hold"
    assert body["closed_on"] is None
    assert body["version"] == 2


def test_a_case_is_not_closed_by_updating_it(api, alice, north_case):
    """Closing through the case update is refused with 400, pointing at the closures."""
    response = api(alice).patch(
        detail(north_case), {"status": "closed", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "/api/v1/closures/" in response.json()["status"][0]
    north_case.refresh_from_db()
    assert north_case.status == "open"
    assert north_case.version == 1
    assert not north_case.closures.exists()


def test_a_closed_case_is_not_reopened_by_updating_it(api, alice, north_case):
    """Reopening through the case update is refused too; the closures' reopen does it."""
    services.case_close(case=north_case, actor=alice, reason=ClosureReason.RESETTLED)
    response = api(alice).patch(detail(north_case), {"status": "open"}, format="json")
    assert response.status_code == 400
    assert "/api/v1/closures/" in response.json()["status"][0]
    north_case.refresh_from_db()
    assert north_case.status == "closed"


def test_service_errors_are_field_errors(api, alice, north_case):
    """A closing date on an open case is refused on its field, and nothing is saved."""
    response = api(alice).patch(
        detail(north_case), {"status": "open", "closed_on": "2024-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "closed_on" in response.json()
    north_case.refresh_from_db()
    assert north_case.closed_on is None
    assert north_case.version == 1


def test_a_stale_update_is_refused_with_409(api, alice, sue, north_case):
    """Two people editing the same case: the second save, based on version 1, is refused."""
    assert (
        api(sue).patch(detail(north_case), {"risk_level": "critical", "version": 1}, format="json")
    ).status_code == 200
    response = api(alice).patch(
        detail(north_case), {"risk_level": "low", "version": 1}, format="json"
    )
    assert response.status_code == 409
    north_case.refresh_from_db()
    assert north_case.risk_level == "critical"


def test_a_legal_advocate_reads_but_does_not_write(api, lena, north_case, team_north):
    """A legal advocate opens the case shared with her, and gets 403 on changes and new cases."""
    client = api(lena)
    assert client.get(detail(north_case)).status_code == 200
    assert client.patch(detail(north_case), {"risk_level": "low"}, format="json").status_code == 403
    before = Case.objects.count()
    assert client.post(URL, {"team": team_north.pk}, format="json").status_code == 403
    assert Case.objects.count() == before


def test_a_refused_change_is_in_the_audit_trail(api, lena, north_case):
    """The API's 403 leaves a "denied" event, as the web pages' refusals do."""
    from audit.models import AuditEvent

    api(lena).patch(detail(north_case), {"risk_level": "low"}, format="json")
    event = AuditEvent.objects.filter(action="denied", actor=lena).get()
    assert event.detail == {"attempted": "CaseViewSet", "method": "PATCH", "status": 403}


def test_the_list_query_count_is_flat(api, alice, team_north):
    """The list takes as many queries for 30 cases as for 5."""

    def add_cases(n):
        for _ in range(n):
            case = CaseFactory(team=team_north)
            AssignmentFactory(case=case, user=alice)
            CaseMemberFactory(case=case)

    client = api(alice)
    add_cases(5)
    five = query_count(client, URL)
    add_cases(25)
    assert query_count(client, URL) == five


def test_the_detail_query_count_does_not_grow_with_members(api, alice, north_case):
    """A case with many members takes as many queries as one with few."""
    client = api(alice)
    few = query_count(client, detail(north_case))
    for _ in range(10):
        CaseMemberFactory(case=north_case, role="relative")
    assert query_count(client, detail(north_case)) == few


def test_anonymous_requests_are_refused(api, north_case):
    """Without signing in, nothing is listed, shown or opened."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(north_case)).status_code == 401
    assert api().post(URL, {}, format="json").status_code == 401


def test_a_password_alone_opens_nothing(north_case, alice):
    """A session without the second factor reaches no case."""
    client = APIClient()
    client.force_login(alice)
    for url in (URL, detail(north_case)):
        response = client.get(url)
        assert response.status_code != 200
        assert north_case.reference not in response.content.decode()


def test_a_token_opens_the_api(api, alice, north_case):
    """An API token (knox) reaches the same records with the same scoping."""
    _, token = AuthToken.objects.create(alice)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert [r["reference"] for r in results(client.get(URL))] == [north_case.reference]
    assert client.get(detail(north_case)).status_code == 200


def test_the_api_root_lists_the_resources(api, alice):
    """/api/v1/ links to each casework resource."""
    response = api(alice).get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["cases"].endswith("/api/v1/cases/")


def test_the_caseworker_who_opens_a_case_works_it(api, alice, sue, team_north):
    """As on the page, a caseworker who opens a case is assigned to it; a supervisor is not."""
    opened = api(alice).post(URL, {"team": team_north.pk, "risk_level": "low"}, format="json")
    assert opened.status_code == 201, opened.content
    case = Case.objects.get(reference=opened.json()["reference"])
    assert list(case.assignments.values_list("user__username", "role")) == [("alice", "caseworker")]
    by_sue = api(sue).post(URL, {"team": team_north.pk, "risk_level": "low"}, format="json")
    assert by_sue.status_code == 201, by_sue.content
    assert not Case.objects.get(reference=by_sue.json()["reference"]).assignments.exists()


def test_a_case_is_not_opened_with_a_person_of_a_case_shared_to_read(
    api, lena, north_person, team_south
):
    """
    Lena, a legal advocate of North and a caseworker of South, may not copy North's person into
    a South case: 403, nothing opened, and the refusal is audited.
    """
    from accounts.models import TeamMembership
    from audit.models import AuditEvent

    TeamMembership.objects.create(user=lena, team=team_south, role=TeamMembership.Role.CASEWORKER)
    before = Case.objects.count()
    response = api(lena).post(
        URL,
        {
            "team": team_south.pk,
            "risk_level": "low",
            "members": [{"person": north_person.reference, "role": "principal"}],
        },
        format="json",
    )
    assert response.status_code == 403, response.content
    assert Case.objects.count() == before
    assert AuditEvent.objects.filter(action="denied", actor=lena).exists()
