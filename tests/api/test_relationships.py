"""/api/v1/relationships/: family ties, seen only when both people are."""

import datetime

import pytest

from casework.models import Relationship

from ..factories import CaseMemberFactory, PersonFactory
from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/relationships/"


@pytest.fixture
def child(north_case):
    person = PersonFactory(role="child", date_of_birth=datetime.date(2012, 3, 4), birth_year=2012)
    CaseMemberFactory(case=north_case, person=person, role="child")
    return person


@pytest.fixture
def tie(north_person, child):
    return Relationship.objects.create(from_person=north_person, to_person=child, kind="parent_of")


def detail(tie) -> str:
    return f"{URL}{tie.pk}/"


def test_it_lists_and_retrieves_ties(api, alice, tie, north_person):
    """A caseworker sees the ties of her cases' people, read as from <kind> to."""
    client = api(alice)
    rows = results(client.get(URL, {"person": north_person.reference}))
    assert [row["id"] for row in rows] == [str(tie.pk)]
    body = client.get(detail(tie)).json()
    assert body["from_person"] == north_person.reference
    assert body["kind"] == "parent_of"
    assert body["version"] == 1


def test_another_team_gets_404(api, charlie, tie, north_person, south_case):
    """A caseworker of another team neither sees nor changes the tie."""
    client = api(charlie)
    assert client.get(detail(tie)).status_code == 404
    assert client.patch(detail(tie), {"kind": "partner_of"}, format="json").status_code == 404
    body = client.get(URL).content.decode()
    assert str(tie.pk) not in body
    assert north_person.reference not in body


def test_it_records_a_tie(api, alice, north_person, child):
    """A new tie is recorded through the service."""
    response = api(alice).post(
        URL,
        {
            "from_person": north_person.reference,
            "to_person": child.reference,
            "kind": "parent_of",
            "version": 7,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert Relationship.objects.filter(from_person=north_person, to_person=child).exists()


def test_rule_errors_are_400_and_nothing_is_saved(api, alice, tie, north_person, child):
    """A child cannot be the parent of their parent; a tie to an unseen person is not found."""
    client = api(alice)
    response = client.post(
        URL,
        {"from_person": child.reference, "to_person": north_person.reference, "kind": "parent_of"},
        format="json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = client.post(
        URL,
        {"from_person": child.reference, "to_person": "P-NOSUCH", "kind": "parent_of"},
        format="json",
    )
    assert response.status_code == 400
    assert "to_person" in response.json()
    assert Relationship.objects.count() == 1


def test_it_corrects_a_tie_and_refuses_a_stale_one(api, alice, north_person):
    """A couple's tie is corrected with its version; a second save on version 1 is a conflict."""
    partner = PersonFactory(role="partner", nationality="prc")
    CaseMemberFactory(case=north_person.memberships.get().case, person=partner, role="partner")
    couple = Relationship.objects.create(
        from_person=north_person, to_person=partner, kind="partner_of"
    )
    client = api(alice)
    response = client.patch(
        detail(couple),
        {"kind": "spouse_of", "marriage_registered": False, "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    stale = client.patch(detail(couple), {"marriage_registered": True, "version": 1}, format="json")
    assert stale.status_code == 409
    couple.refresh_from_db()
    assert couple.marriage_registered is False


def test_a_legal_advocate_reads_but_does_not_write(api, lena, tie, north_person, child):
    """A legal advocate reads ties and gets 403 on writes."""
    client = api(lena)
    assert client.get(detail(tie)).status_code == 200
    assert client.patch(detail(tie), {"kind": "partner_of"}, format="json").status_code == 403
    response = client.post(
        URL,
        {"from_person": child.reference, "to_person": north_person.reference, "kind": "partner_of"},
        format="json",
    )
    assert response.status_code == 403
    assert Relationship.objects.count() == 1


def test_the_list_query_count_is_flat(api, alice, north_case, north_person):
    """The list takes as many queries for 30 ties as for 5."""

    def add_children(n):
        for _ in range(n):
            kid = PersonFactory(date_of_birth=datetime.date(2010, 1, 1), birth_year=2010)
            CaseMemberFactory(case=north_case, person=kid, role="child")
            Relationship.objects.create(from_person=north_person, to_person=kid, kind="parent_of")

    client = api(alice)
    add_children(5)
    five = query_count(client, URL)
    add_children(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, tie):
    """Without signing in, nothing is shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(tie)).status_code == 401
