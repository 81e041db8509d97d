"""
No read without a trace. API lists show plain columns only (a list is not audited row by row);
every detail that shows identifying data is audited and lists its reader among the case's viewers;
every search, web or API, is audited with the number of results and never its term; and a name is
never taken from an address: the API searches by POST, the case list page drops `?q=`.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from audit.models import AuditEvent
from casework import choices, services
from casework.api import urls as casework_api_urls
from casework.selectors.audit import case_viewers
from intake.api import urls as intake_api_urls
from legal_aid.api import urls as legal_aid_api_urls
from vault.fields import encrypted_fields

from ..conftest import sign_in
from .conftest import (
    CHILD_NAME,
    MOTHER_ALIAS,
    MOTHER_CONTACT,
    MOTHER_LOCATION,
    MOTHER_NAME,
    MOTHER_ORIGIN,
)

PLACE = "Tumen detention centre (south-secret)"
STATUS_NOTE = "Held since the raid (south-secret)"
BENEFIT_NOTE = "Refused at the registry (south-secret)"
# What South's records hold encrypted, besides the names.
DETAILS = [
    MOTHER_CONTACT,
    MOTHER_ORIGIN,
    MOTHER_LOCATION,
    "South's case summary",
    "South's private note",
    "A raid on the safe house",
    "Visit the family",
    "letter.pdf",
    PLACE,
    STATUS_NOTE,
    BENEFIT_NOTE,
]
NAMES = [MOTHER_NAME, MOTHER_ALIAS, CHILD_NAME]
API_LISTS = [
    "/api/v1/persons/",
    "/api/v1/relationships/",
    "/api/v1/legal-statuses/",
    "/api/v1/entitlements/",
    "/api/v1/cases/",
    "/api/v1/notes/",
    "/api/v1/tasks/",
    "/api/v1/incidents/",
    "/api/v1/attachments/",
    "/api/v1/intake/submissions/",
    "/api/v1/intake/imports/",
    "/api/v1/legal/documents/",
]
PERSON_SEARCH = "/api/v1/persons/search/"
CASE_SEARCH = "/api/v1/cases/search/"


@pytest.fixture
def api_client():
    """`api_client(user)`: an API client signed in as `user` with both factors."""
    return lambda user: sign_in(APIClient(), user)


@pytest.fixture
def detailed(south):
    """South's data with a detention place, and notes on the status and the refused benefit."""
    south.status = services.legal_status_change(
        person=south.mother,
        status=choices.LegalStatus.DETAINED_CN,
        effective_from=datetime.date(2024, 3, 2),
        actor=south.owner,
        country=choices.Country.CHINA,
        place=PLACE,
        source=choices.StatusSource.CASEWORKER,
        note=STATUS_NOTE,
    )
    south.entitlement = services.entitlement_record(
        person=south.mother,
        kind=choices.EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=choices.EntitlementStatus.DENIED,
        as_of=datetime.date(2024, 5, 1),
        note=BENEFIT_NOTE,
        actor=south.owner,
    )
    return south


def _views_of(user, case) -> int:
    return next((v.views for v in case_viewers(case) if v.username == user.get_username()), 0)


def _searches(user):
    """The summary events of `user`'s searches (target: a model, no record)."""
    return AuditEvent.objects.filter(actor=user, detail__searched=True, target_id="")


def _trail_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("detail", "target_reference")), default=str)


# Lists


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_show_no_name_note_or_place(url, detailed, api_client):
    """South's own staff list every record, and no list shows what is encrypted."""
    # An intake draft stays with its author until it is submitted: she lists it, her supervisor not.
    reader = detailed.owner if url == "/api/v1/intake/submissions/" else detailed.supervisor
    response = api_client(reader).get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] >= 1, "the list is empty: the test would prove nothing"
    body = response.content.decode()
    assert not [secret for secret in NAMES + DETAILS if secret in body]
    assert not AuditEvent.objects.filter(action="view").exists()


def _list_serializers():
    for module in (casework_api_urls, intake_api_urls, legal_aid_api_urls):
        router: DefaultRouter = module.router
        for prefix, viewset, _basename in router.registry:
            if not hasattr(viewset, "list"):
                continue
            view = viewset()
            view.action, view.format_kwarg = "list", None
            yield prefix, view.get_serializer_class()


@pytest.mark.parametrize(("prefix", "serializer"), list(_list_serializers()), ids=lambda v: str(v))
def test_no_list_serializer_has_an_encrypted_field(prefix, serializer):
    """A list endpoint added tomorrow fails here if it shows an encrypted field."""
    model = serializer.Meta.model
    encrypted = {field.name for field in encrypted_fields(model)}
    shown = set(serializer().fields)
    sources = {field.source.split(".")[0] for field in serializer().fields.values()}
    assert not (shown | sources) & encrypted, (
        f"{prefix} lists {sorted((shown | sources) & encrypted)}"
    )


# Details


def _detail_urls(south) -> dict[str, str]:
    return {
        "person": f"/api/v1/persons/{south.mother.reference}/",
        "case": f"/api/v1/cases/{south.case.reference}/",
        "note": f"/api/v1/notes/{south.note.pk}/",
        "task": f"/api/v1/tasks/{south.task.pk}/",
        "incident": f"/api/v1/incidents/{south.incident.pk}/",
        "attachment": f"/api/v1/attachments/{south.attachment.pk}/",
        "legal status": f"/api/v1/legal-statuses/{south.status.pk}/",
        "entitlement": f"/api/v1/entitlements/{south.entitlement.pk}/",
        "intake": f"/api/v1/intake/submissions/{south.intake.reference}/",
    }


@pytest.mark.parametrize(
    "record",
    ["person", "case", "note", "task", "incident", "attachment", "legal status", "entitlement"],
)
def test_api_detail_reads_are_audited_and_show_among_the_case_viewers(record, detailed, api_client):
    """Each detail that shows identifying data is recorded, and its reader is a case viewer."""
    reader = detailed.supervisor
    before = AuditEvent.objects.filter(actor=reader, action="view").count()
    response = api_client(reader).get(_detail_urls(detailed)[record])
    assert response.status_code == 200, response.content
    assert AuditEvent.objects.filter(actor=reader, action="view").count() == before + 1
    assert _views_of(reader, detailed.case) == 1


def test_an_intake_detail_is_audited(detailed, api_client):
    """The intake API's detail shows the rejection reason: its read is recorded."""
    reader = detailed.owner
    assert api_client(reader).get(_detail_urls(detailed)["intake"]).status_code == 200
    event = AuditEvent.objects.filter(actor=reader, action="view").get()
    assert event.target_reference == detailed.intake.reference


# API searches


@pytest.mark.parametrize("searcher", ["charlie", "south_supervisor"])
@pytest.mark.parametrize("term", [MOTHER_NAME, MOTHER_ALIAS.upper()])
def test_south_finds_its_person_by_name_and_the_search_is_traced(
    searcher, term, request, detailed, api_client
):
    """
    A POSTed name finds the person first, by the exact name; her daughter, who bears her family
    name, comes after. One event says how many, and the case lists the searcher for each.
    """
    user = request.getfixturevalue(searcher)
    response = api_client(user).post(PERSON_SEARCH, {"name": term}, format="json")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert rows[0]["reference"] == detailed.mother.reference
    assert rows[0]["match_rank"] == 0
    assert {row["reference"] for row in rows[1:]} <= {detailed.child.reference}
    assert all(row["match_rank"] >= 2 for row in rows[1:])
    assert not [secret for secret in NAMES + DETAILS if secret in response.content.decode()]
    assert [event.detail for event in _searches(user)] == [{"searched": True, "matches": len(rows)}]
    assert _views_of(user, detailed.case) == len(rows)
    assert term not in _trail_text() and MOTHER_NAME not in _trail_text()


@pytest.mark.parametrize("role", ["alice", "sue", "lena"])
def test_north_finds_nothing_of_south_by_name_or_reference(role, request, detailed, api_client):
    """Every role of North searches South's name and references in vain, and is still traced."""
    user = request.getfixturevalue(role)
    client = api_client(user)
    searches = [
        (PERSON_SEARCH, {"name": MOTHER_NAME}),
        (CASE_SEARCH, {"q": MOTHER_NAME}),
        (CASE_SEARCH, {"q": detailed.case.reference}),
        (CASE_SEARCH, {"q": detailed.mother.reference}),
    ]
    for url, body in searches:
        response = client.post(url, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json() == []
    assert [event.detail["matches"] for event in _searches(user)] == [0, 0, 0, 0]
    assert _views_of(user, detailed.case) == 0


def test_the_case_search_finds_by_name_and_reference_for_south(detailed, api_client):
    """The case search takes a member's name or a reference, as the case list page does."""
    client = api_client(detailed.owner)
    for term in (MOTHER_NAME, detailed.case.reference, detailed.child.reference):
        response = client.post(CASE_SEARCH, {"q": term}, format="json")
        assert response.status_code == 200, response.content
        [row] = response.json()
        assert row["reference"] == detailed.case.reference
        assert row["member_count"] == 2
        assert "summary" not in row
    assert _searches(detailed.owner).count() == 3
    assert _views_of(detailed.owner, detailed.case) == 3


@pytest.mark.parametrize(("url", "param"), [("/api/v1/persons/", "name"), ("/api/v1/cases/", "q")])
def test_a_name_in_an_api_address_is_refused_unread(url, param, detailed, api_client):
    """`?name=` and `?q=` answer 400 pointing to the POST search; nothing is searched or echoed."""
    response = api_client(detailed.owner).get(url, {param: MOTHER_NAME})
    assert response.status_code == 400
    body = response.content.decode()
    assert MOTHER_NAME not in body
    assert "/search/" in body
    assert not _searches(detailed.owner).exists()


def test_a_search_without_a_term_is_a_400(detailed, api_client):
    """An empty or missing term is a field error, not a list of everyone."""
    client = api_client(detailed.owner)
    assert client.post(PERSON_SEARCH, {}, format="json").status_code == 400
    assert client.post(PERSON_SEARCH, {"name": ""}, format="json").status_code == 400
    assert client.post(CASE_SEARCH, {"q": ["x"]}, format="json").status_code == 400
    assert client.get(PERSON_SEARCH).status_code == 405
    assert not _searches(detailed.owner).exists()


def test_the_searches_are_documented_as_posts(client, alice):
    """The OpenAPI schema describes both searches as POSTs with a body, and no `name` filter."""
    sign_in(client, alice)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths[PERSON_SEARCH]) == {"post"}
    assert set(paths[CASE_SEARCH]) == {"post"}
    assert "requestBody" in paths[PERSON_SEARCH]["post"]
    listed = {param["name"] for param in paths["/api/v1/persons/"]["get"]["parameters"]}
    assert "name" not in listed
    listed = {param["name"] for param in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert "q" not in listed


# The case list page


def test_the_case_list_ignores_a_name_in_its_address(detailed):
    """
    GET /cases/?q=<name> searches nothing: it is sent to the same list without the term (other
    filters kept), which is neither echoed nor recorded.
    """
    client = sign_in(Client(), detailed.owner)
    url = reverse("casework:case_list")
    response = client.get(url, {"q": MOTHER_NAME, "status": "open"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?status=open"
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert not landed.context["filter"].form.data.get("q")
    assert f'value="{MOTHER_NAME}"' not in landed.content.decode()
    assert client.get(url, {"q": MOTHER_NAME})["Location"] == url
    assert not _searches(detailed.owner).exists()


def test_a_posted_search_on_the_case_list_is_traced(detailed, sue, alice):
    """A posted name search is recorded with its count, and the found case lists the searcher."""
    supervisor = detailed.supervisor
    response = sign_in(Client(), supervisor).post(reverse("casework:case_list"), {"q": MOTHER_NAME})
    assert response.status_code == 200
    assert [case.reference for case in response.context["page"].object_list] == [
        detailed.case.reference
    ]
    assert [event.detail for event in _searches(supervisor)] == [{"searched": True, "matches": 1}]
    assert _views_of(supervisor, detailed.case) == 1
    assert MOTHER_NAME not in _trail_text()
    # North searching the same name is recorded too, and South's case does not list them.
    sign_in(Client(), alice).post(reverse("casework:case_list"), {"q": MOTHER_NAME})
    assert [event.detail for event in _searches(alice)] == [{"searched": True, "matches": 0}]
    assert _views_of(alice, detailed.case) == 0
