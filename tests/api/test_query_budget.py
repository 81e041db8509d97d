"""
What one API request costs, whatever the size of the caseload: each list and detail of the
casework API answers a token holder in at most a fixed number of queries (the token and its
holder, the records, their prefetches, the audit append), and the same number with three times
the records; a token request makes no session; a list counts only up to its bound.
"""

import json

import pytest
import rest_framework.serializers
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.generics import GenericAPIView
from rest_framework.test import APIClient

import casework.pagination
from accounts import kept_sql
from audit.models import AuditEvent
from casework.api.pagination import BoundedCountPagination
from casework.api.serializers import common as serializer_bases
from casework.api.serializers.cases import CaseSerializer
from casework.api.serializers.people import PersonSerializer
from casework.api.views import cases as case_views
from casework.api.views import people as people_views
from casework.api.views.common import KeptRetrieveMixin

from ..scenarios import household_with_every_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The most queries one GET may take. In a test the request's transaction is a savepoint, taken
# and released: 2 of them. A list: the token with its holder and their team's zone (1), the
# bounded count (1), the page (1), and for incidents one prefetch (not for cases: the API's list
# names no principal, so none is read), and the cases granted to the reader when she holds few,
# which her list then starts from (1, `casework.querysets.few_cases_granted`). A detail: the
# token (1), the record with its visibility (1), its prefetches (an incident's people: 1; a case's members and assignees, a person's aliases
# come in the record's own row, casework.api.views.cases.with_people_named and people.with_aliases_read), and
# the audit append (2: the chain's lock with the last hash in one round trip, then the insert); a
# family tie is not audited.
LISTS = {
    "persons": 6,
    "relationships": 6,
    "legal-statuses": 6,
    "entitlements": 6,
    "cases": 6,
    "notes": 6,
    "tasks": 6,
    "incidents": 7,
    "attachments": 6,
}
DETAILS = {
    "persons": (lambda h: h.mother.reference, 6),
    "relationships": (lambda h: h.relationship.pk, 4),
    "legal-statuses": (lambda h: h.status.pk, 6),
    "entitlements": (lambda h: h.entitlement.pk, 6),
    "cases": (lambda h: h.case.reference, 6),
    "notes": (lambda h: h.note.pk, 6),
    "tasks": (lambda h: h.task.pk, 6),
    "incidents": (lambda h: h.incident.pk, 7),
    "attachments": (lambda h: h.attachment.pk, 6),
}


def _household(team, caseworker, n):
    return household_with_every_record(
        team=team, caseworker=caseworker, tag=f"budget{n}", mother_name=f"김순희{n}"
    )


@pytest.fixture
def token_client(alice):
    """Alice's API client with a knox token, as a script sends it: no cookie, ever."""
    _, token = AuthToken.objects.create(alice)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def get(url):
        client.cookies.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return response, len(queries)

    return get


def test_each_endpoint_stays_within_its_budget_as_the_caseload_grows(
    token_client, team_north, alice
):
    households = [_household(team_north, alice, 0)]
    first = {}
    for size in (1, 3):
        while len(households) < size:
            households.append(_household(team_north, alice, len(households)))
        for name, budget in LISTS.items():
            _response, queries = token_client(f"/api/v1/{name}/")
            assert queries <= budget, f"{name} list: {queries} queries"
            first.setdefault(f"{name} list", queries)
            assert queries == first[f"{name} list"], f"{name} list grew with the caseload"
        for name, (key, budget) in DETAILS.items():
            _response, queries = token_client(f"/api/v1/{name}/{key(households[-1])}/")
            assert queries <= budget, f"{name} detail: {queries} queries"
            first.setdefault(f"{name} detail", queries)
            assert queries == first[f"{name} detail"], f"{name} detail grew with the caseload"


def test_a_detail_read_by_token_is_still_audited_once(token_client, team_north, alice):
    household = _household(team_north, alice, 0)
    before = AuditEvent.objects.filter(action="view", actor=alice).count()
    token_client(f"/api/v1/cases/{household.case.reference}/")
    assert AuditEvent.objects.filter(action="view", actor=alice).count() == before + 1


def test_a_token_request_makes_no_session(token_client, north_case):
    """A script with a token has no session to extend: none is stored, no cookie is sent."""
    sessions = Session.objects.count()
    response, _queries = token_client(f"/api/v1/cases/{north_case.reference}/")
    assert Session.objects.count() == sessions
    assert "sessionid" not in response.cookies


def test_a_long_list_says_its_count_is_a_lower_bound(token_client, monkeypatch, team_north, alice):
    """Past the bound the list says it has more than `count`, and `next` still leads on."""
    from tests.factories import AssignmentFactory, CaseFactory

    for _ in range(5):
        AssignmentFactory(case=CaseFactory(team=team_north), user=alice)
    monkeypatch.setattr(casework.pagination, "COUNT_UP_TO", 2)
    monkeypatch.setattr(BoundedCountPagination, "page_size", 1)

    first = token_client("/api/v1/cases/")[0].json()
    assert (first["count"], first["count_is_lower_bound"]) == (2, True)
    assert first["next"].endswith("?page=2")
    # Asked for page 3, the count reaches the page after it (4 of the 5 cases).
    third = token_client("/api/v1/cases/?page=3")[0].json()
    assert (third["count"], third["count_is_lower_bound"]) == (4, True)
    assert len(third["results"]) == 1 and third["next"].endswith("?page=4")
    # Page 5 asked: all five counted, exactly.
    last = token_client("/api/v1/cases/?page=5")[0].json()
    assert (last["count"], last["count_is_lower_bound"], last["next"]) == (5, False, None)


def test_a_short_list_counts_exactly(token_client, north_case):
    answer = token_client("/api/v1/cases/")[0].json()
    assert (answer["count"], answer["count_is_lower_bound"]) == (1, False)


# Serializer fields worked out once per class (casework.api.serializers.common.ModelSerializer).

ENDPOINTS_READ = [
    *(f"/api/v1/{name}/" for name in LISTS),
    *(
        lambda h, name=name, key=key: f"/api/v1/{name}/{key(h)}/"
        for name, (key, _b) in DETAILS.items()
    ),
]


def _answers_and_events(token_client, household, alice):
    """Every list and detail answer (status, headers, bytes) and the audit events they wrote."""
    since = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    answers = []
    for endpoint in ENDPOINTS_READ:
        url = endpoint(household) if callable(endpoint) else endpoint
        response, _queries = token_client(url)
        headers = {
            name: value
            for name, value in response.items()
            # A fresh id per request; the policy's directives come in no fixed order.
            if name not in ("X-Request-ID", "Content-Security-Policy")
        }
        answers.append((url, response.status_code, headers, response.content))
    events = list(
        AuditEvent.objects.filter(sequence__gt=since or 0)
        .order_by("sequence")
        .values_list("actor", "action", "target_type", "target_id", "case_id", "detail")
    )
    return answers, events


@pytest.mark.parametrize(
    ("ours", "name", "drfs"),
    [
        # Fields built once per class, against DRF's built anew for each serializer.
        ("ModelSerializer", "get_fields", rest_framework.serializers.ModelSerializer.get_fields),
        # Details written by fields bound once per class (ReadByKeptFields), against DRF's
        # binding them for each serializer.
        (
            "ReadByKeptFields",
            "to_representation",
            rest_framework.serializers.Serializer.to_representation,
        ),
    ],
    ids=["fields built once", "fields bound once"],
)
def test_answers_and_their_audit_are_the_bytes_drf_gives(
    token_client, team_north, alice, monkeypatch, ours, name, drfs
):
    """Every list and detail, and the audit events they write, as with DRF's own way."""
    household = _household(team_north, alice, 0)
    kept = _answers_and_events(token_client, household, alice)
    monkeypatch.setattr(getattr(serializer_bases, ours), name, drfs)
    drf_way = _answers_and_events(token_client, household, alice)
    assert kept == drf_way


def test_serializer_fields_are_not_built_again_on_each_request(
    token_client, team_north, alice, monkeypatch
):
    household = _household(team_north, alice, 0)
    urls = [
        f"/api/v1/cases/{household.case.reference}/",
        f"/api/v1/persons/{household.mother.reference}/",
        "/api/v1/cases/",
    ]
    for url in urls:
        token_client(url)
    builds = []
    real_build_field = rest_framework.serializers.ModelSerializer.build_field

    def counted(self, *args, **kwargs):
        builds.append(type(self).__name__)
        return real_build_field(self, *args, **kwargs)

    monkeypatch.setattr(rest_framework.serializers.ModelSerializer, "build_field", counted)
    for url in urls:
        response, _queries = token_client(url)
        assert response.json()
    assert builds == []


def test_each_serializer_gets_fields_of_its_own():
    """A field is bound to its serializer (parent, context): never shared between two."""
    first = CaseSerializer(context={"who": 1})
    second = CaseSerializer(context={"who": 2})
    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first and second.fields[name].parent is second
    assert first.fields["members"].child.context == {"who": 1}
    assert second.fields["members"].child.context == {"who": 2}


# Details written by fields bound once per class (casework.api.serializers.common.ReadByKeptFields).


def test_kept_fields_read_no_request(team_north, alice):
    """The kept serializer has no context: a read field that asked for the request would fail."""
    household = _household(team_north, alice, 0)
    for serializer_class, record in (
        (CaseSerializer, household.case),
        (PersonSerializer, household.mother),
    ):
        answer = serializer_class(record, context={}).data
        assert answer["reference"] == record.reference
        assert serializer_class._kept_reader.context == {}


def _forget_kept_shapes(monkeypatch):
    """As in a process that has served no detail yet: the next detail's query is built anew."""
    monkeypatch.setattr(kept_sql, "_SHAPES", type(kept_sql._SHAPES)(limit=1024))


def test_a_case_names_its_people_as_the_prefetches_named_them(
    token_client, team_north, alice, monkeypatch
):
    """Members and assignees read with the case answer what the two prefetches answered."""
    household = _household(team_north, alice, 0)
    url = f"/api/v1/cases/{household.case.reference}/"
    with_the_case = token_client(url)[0].content
    monkeypatch.setattr(case_views, "with_people_named", case_views.with_people_prefetched)
    _forget_kept_shapes(monkeypatch)
    prefetched, queries = token_client(url)
    assert queries == DETAILS["cases"][1] + 2
    assert with_the_case == prefetched.content
    answer = json.loads(with_the_case)
    assert len(answer["members"]) > 1 and answer["assignments"]


def test_a_person_lists_the_aliases_the_prefetch_listed(
    token_client, team_north, alice, monkeypatch
):
    """Aliases read with the person answer what the prefetch answered, a voided one left out."""
    from casework.models import PersonAlias

    household = _household(team_north, alice, 0)
    mother = household.mother
    PersonAlias.objects.create(person=mother, name="金顺姬")
    voided = PersonAlias.objects.create(person=mother, name="Kim Voided")
    PersonAlias.with_voided.filter(pk=voided.pk).update(voided_at=timezone.now())
    url = f"/api/v1/persons/{mother.reference}/"
    with_the_person = token_client(url)[0].content
    monkeypatch.setattr(people_views, "with_aliases_read", people_views.with_aliases_prefetched)
    _forget_kept_shapes(monkeypatch)
    prefetched, queries = token_client(url)
    assert queries == DETAILS["persons"][1] + 1
    assert with_the_person == prefetched.content
    aliases = json.loads(with_the_person)["aliases"]
    assert "金顺姬" in aliases and "Kim Voided" not in aliases


# Case and person details found from SQL compiled once per user (casework.api.views.common.KeptRetrieveMixin).


def test_kept_details_answer_and_audit_as_drfs_get_object(
    token_client, api, team_north, alice, south_case, monkeypatch
):
    """Found, out of sight, or not at all: the bytes and audit events of DRF's own lookup."""
    household = _household(team_north, alice, 0)
    client = api(alice)

    def answers():
        since = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
        found = _answers_and_events(token_client, household, alice)
        refused = [
            (url, response.status_code, response.content)
            for url in (
                f"/api/v1/cases/{south_case.reference}/",
                f"/api/v1/persons/{south_case.members.get().person.reference}/",
                "/api/v1/cases/NO-SUCH-CASE/",
                "/api/v1/persons/NO-SUCH-PERSON/",
            )
            for response in [client.get(url)]
        ]
        events = list(
            AuditEvent.objects.filter(sequence__gt=since, action="denied")
            .order_by("sequence")
            .values_list("actor", "target_type", "target_id", "detail")
        )
        return found, refused, events

    kept = answers()
    assert {status for _url, status, _body in kept[1]} == {404}
    monkeypatch.setattr(KeptRetrieveMixin, "get_object", GenericAPIView.get_object)
    assert answers() == kept


def test_a_detail_query_is_built_once_per_user(token_client, team_north, alice, monkeypatch):
    """The second case (or person) asked for is found from the SQL the first one built."""
    households = [_household(team_north, alice, n) for n in range(2)]
    _forget_kept_shapes(monkeypatch)
    built = []
    for viewset in (case_views.CaseViewSet, people_views.PersonViewSet):
        real = viewset.get_queryset

        def counted(self, real=real):
            built.append(type(self).__name__)
            return real(self)

        monkeypatch.setattr(viewset, "get_queryset", counted)
    for household in households:
        for url in (
            f"/api/v1/cases/{household.case.reference}/",
            f"/api/v1/persons/{household.mother.reference}/",
        ):
            response, _queries = token_client(url)
            assert household.mother.reference in response.content.decode()
    assert sorted(built) == ["CaseViewSet", "PersonViewSet"]
