"""/api/v1/persons/: people of the cases one may see, by reference or exact name."""

import pytest

from audit.models import AuditEvent
from casework.models import Person, PersonAlias

from ..conftest import consent_answer
from ..factories import CaseMemberFactory, PersonFactory
from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/persons/"


def detail(person) -> str:
    return f"{URL}{person.reference}/"


def new_person(case, **overrides) -> dict:
    return {
        "case": case.reference,
        "case_role": "child",
        "full_name": "김은혜",
        "aliases": ["Jin Enhui", "金恩惠"],
        "date_of_birth": "2012-03-04",
        "sex": "female",
        "nationality": "stateless",
        "role": "child",
        "region": "cn-jilin",
        "consent": consent_answer(),
        **overrides,
    }


def test_it_lists_the_people_of_my_cases(api, alice, north_person, south_person):
    """A caseworker's list shows the people of her cases and nobody else's."""
    response = api(alice).get(URL)
    references = [row["reference"] for row in results(response)]
    assert references == [north_person.reference]
    assert south_person.reference not in response.content.decode()


def test_list_shows_no_detail_fields(api, alice, north_person):
    """A list decrypts nothing: no name, contact, location or notes."""
    row = results(api(alice).get(URL))[0]
    assert "full_name" not in row
    assert "contact" not in row
    assert "current_location" not in row
    assert "notes" not in row


def test_another_team_does_not_see_them(api, charlie, north_person, south_person):
    """A caseworker of another team gets 404 and does not find the person in any list."""
    client = api(charlie)
    assert client.get(detail(north_person)).status_code == 404
    response = client.post(f"{URL}search/", {"name": north_person.full_name}, format="json")
    assert response.status_code == 200
    assert response.json() == []
    assert north_person.reference not in client.get(URL).content.decode()


def test_it_retrieves_a_person_in_plain_text_and_audits_the_view(api, alice, north_person):
    """The detail shows decrypted values and the view is written to the audit trail."""
    PersonAlias.objects.create(person=north_person, name="Jin Shunxi")
    response = api(alice).get(detail(north_person))
    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == north_person.full_name
    assert body["contact"] == north_person.contact
    assert body["date_of_birth"] == "1984-05-17"
    assert body["aliases"] == ["Jin Shunxi"]
    assert body["version"] == 1
    event = AuditEvent.objects.filter(action="view", target_id=str(north_person.pk)).get()
    assert event.actor == alice


def test_a_list_is_not_audited_as_views(api, alice, north_person):
    """Lists do not write a view event per person."""
    api(alice).get(URL)
    assert not AuditEvent.objects.filter(action="view").exists()


def test_it_finds_a_person_by_exact_name_or_alias(api, alice, north_person):
    """The name search goes through the blind index: any case or Unicode form, aliases too."""
    PersonAlias.objects.create(person=north_person, name="Jin Shunxi")
    client = api(alice)

    def search(name):
        response = client.post(f"{URL}search/", {"name": name}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    by_name = search(f"  {north_person.full_name} ")
    by_alias = search("JIN  shunxi")
    assert [row["reference"] for row in by_name] == [north_person.reference]
    assert [row["reference"] for row in by_alias] == [north_person.reference]
    assert search("Nobody") == []


def test_it_filters_on_plain_columns(api, alice, north_case, north_person):
    """Role and case filters narrow the list."""
    child = PersonFactory(role="child")
    CaseMemberFactory(case=north_case, person=child, role="child")
    client = api(alice)
    assert [r["reference"] for r in results(client.get(URL, {"role": "child"}))] == [
        child.reference
    ]
    by_case = results(client.get(URL, {"case": north_case.reference}))
    assert {r["reference"] for r in by_case} == {north_person.reference, child.reference}


def test_it_registers_a_person_in_a_case(api, alice, north_case):
    """A new person joins the case at once, with aliases, and the write is audited."""
    response = api(alice).post(URL, new_person(north_case), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(reference=body["reference"])
    assert person.full_name == "김은혜"
    assert person.birth_year == 2012
    assert north_case.members.filter(person=person, role="child").exists()
    assert sorted(body["aliases"]) == sorted(["Jin Enhui", "金恩惠"])
    assert "case" not in body
    assert AuditEvent.objects.filter(action="create", target_id=str(person.pk)).exists()


def test_shape_errors_are_field_errors_and_nothing_is_saved(api, alice, north_case):
    """A request of the wrong shape answers 400 with errors per field."""
    before = Person.objects.count()
    response = api(alice).post(
        URL, new_person(north_case, full_name="", role="astronaut"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"full_name", "role"}
    assert Person.objects.count() == before


def test_service_errors_are_field_errors_and_nothing_is_saved(api, alice, north_case):
    """A rule of the services (birth year against date of birth) answers 400 on its field."""
    before = Person.objects.count()
    response = api(alice).post(URL, new_person(north_case, birth_year=2010), format="json")
    assert response.status_code == 400
    assert "birth_year" in response.json()
    assert Person.objects.count() == before


def test_a_duplicate_alias_is_refused_and_nothing_is_saved(api, alice, north_case):
    """An alias equal to the name is refused as a field error, and the person is not kept."""
    before = Person.objects.count()
    response = api(alice).post(URL, new_person(north_case, aliases=["김 은혜"]), format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert Person.objects.count() == before


def test_another_team_cannot_register_someone_in_my_case(api, charlie, north_case):
    """Someone who cannot see the case is told it does not exist, and nothing is saved."""
    before = Person.objects.count()
    response = api(charlie).post(URL, new_person(north_case), format="json")
    assert response.status_code == 400
    assert "case" in response.json()
    assert north_case.reference not in response.content.decode()
    assert Person.objects.count() == before


def test_it_updates_a_person(api, alice, north_person):
    """A PATCH changes the fields sent and raises the version."""
    response = api(alice).patch(
        detail(north_person), {"current_location": "Tumen", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    north_person.refresh_from_db()
    assert north_person.current_location == "Tumen"


def test_a_stale_update_is_refused_with_409(api, alice, bob, north_case, north_person):
    """An update based on an older version is a conflict and changes nothing."""
    north_person.refresh_from_db()
    api(alice).patch(detail(north_person), {"contact": "new", "version": 1}, format="json")
    response = api(alice).patch(
        detail(north_person), {"current_location": "Tumen", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert "detail" in response.json()
    north_person.refresh_from_db()
    assert north_person.current_location == "Yanji, Jilin"
    assert north_person.version == 2


def test_another_team_cannot_update(api, charlie, north_person):
    """A caseworker of another team gets 404 on an update."""
    response = api(charlie).patch(detail(north_person), {"contact": "x"}, format="json")
    assert response.status_code == 404


def test_a_legal_advocate_reads_but_does_not_write(api, lena, north_case, north_person):
    """A legal advocate sees the people of a case shared with her, and gets 403 on every write."""
    client = api(lena)
    assert client.get(detail(north_person)).status_code == 200
    assert [r["reference"] for r in results(client.get(URL))] == [north_person.reference]
    assert client.patch(detail(north_person), {"contact": "x"}, format="json").status_code == 403
    before = Person.objects.count()
    assert client.post(URL, new_person(north_case), format="json").status_code == 403
    assert Person.objects.count() == before
    alias = client.post(f"{detail(north_person)}aliases/", {"name": "Kim"}, format="json")
    assert alias.status_code == 403


def test_it_adds_an_alias(api, alice, north_person):
    """Another name is added through its own action."""
    response = api(alice).post(
        f"{detail(north_person)}aliases/", {"name": "Kim Sunhui"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == ["Kim Sunhui"]
    assert (
        api(alice)
        .post(f"{detail(north_person)}aliases/", {"name": "kim sunhui"}, format="json")
        .status_code
        == 400
    )


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 people as for 5."""
    client = api(alice)
    for _ in range(4):
        CaseMemberFactory(case=north_case)
    five = query_count(client, URL)
    for _ in range(25):
        CaseMemberFactory(case=north_case)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, north_person):
    """Without signing in, nothing is listed or shown."""
    assert api().get(URL).status_code == 401
    assert api().get(detail(north_person)).status_code == 401
