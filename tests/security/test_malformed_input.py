"""
Malformed input answers 400 or 404, never 500, on every URL pattern of the site and the API:
control characters (a NUL above all, which PostgreSQL cannot store) in the path, the query string
and form or JSON bodies, and ids that are not ids (`0.5`, `-1`, an integer beyond bigint).
On PostgreSQL, where a NUL or an out-of-range integer breaks the query and the transaction.
"""

import contextlib
import copy
import json
from urllib.parse import quote, urlencode

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework import exceptions
from rest_framework.request import Request

from audit.models import AuditEvent
from casework.api.errors import exception_handler
from ops.input import has_control_characters, refuse_control_characters

from ..conftest import FAST_HASHERS
from ..scenarios import persona
from .conftest import north_personas
from .test_permission_matrix import LIST_ROUTES, OBJECT_ROUTES, all_routes

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NUL = "\x00"
MALFORMED_IDS = ["0.5", "-1", "99999999999999999999", "x'--", "%ff", "0x10"]
CONTROL_VALUES = [f"ab{NUL}cd", "ab\x1bcd", "ab\x7fcd"]


def _with(route, value: str) -> str:
    """The route's URL with every keyword replaced by `value` (encoded as a browser would)."""
    url = str(route)
    for keyword in route.kwargs:
        url = url.replace(f"<{keyword}>", quote(value, safe=""))
    return url


# Alice, her case and the administrator, signed in once for the module: the walks below only read.
team_north, alice, sue, lena, north_case = north_personas()


@pytest.fixture(scope="module")
def _admin_built(signed_in, django_db_blocker):
    """The superuser of tests/conftest.py's `admin_user`, written and signed in once (`SignedIn`)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        admin = persona("admin")
        signed_in.add(admin)
    return admin


@pytest.fixture
def admin_user(_admin_built, db):
    return copy.deepcopy(_admin_built)


EVERY_OBJECT_ROUTE = [route for route in all_routes() if route.kwargs]


# The admin answers an id that names nothing with a redirect to its index and a message, and
# refuses (403) what it allows nobody (changing audit events, deleting case records).
ADMIN_NOT_FOUND = {302, 403, 404, 405}
NOT_FOUND = {404, 405}


@pytest.mark.parametrize("route", EVERY_OBJECT_ROUTE, ids=str)
def test_malformed_ids_in_paths_answer_404_and_control_characters_400(
    route, alice, admin_user, north_case, signed_in
):
    """
    Every route with a keyword, signed in (the admin's as a superuser, the rest as a
    caseworker): a malformed id is not found, a control character is refused.
    """
    is_admin = route.pattern.startswith("admin/")
    not_found = ADMIN_NOT_FOUND if is_admin else NOT_FOUND
    failures = []
    user = admin_user if is_admin else alice
    for transport, client in signed_in.clients(user, api=route.is_api):
        for value in MALFORMED_IDS:
            for method in ("get", "post"):
                status = getattr(client, method)(_with(route, value)).status_code
                if status not in not_found:
                    failures.append(f"{transport} {method.upper()} {value!r} -> {status}")
        for value in CONTROL_VALUES:
            status = client.get(_with(route, value)).status_code
            if status != 400:
                failures.append(f"{transport} GET {value!r} -> {status}")
    assert not failures, f"{route}: " + "; ".join(failures)


@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_control_characters_in_queries_and_bodies_answer_400(route, alice, north_case, signed_in):
    """Searches (`/legal/?q=` among them), form posts and JSON bodies with a NUL: 400."""
    url = _with(route, "")
    failures = []
    for transport, client in signed_in.clients(alice, api=route.is_api):
        for value in CONTROL_VALUES:
            answers = {
                "query": client.get(url, {"q": value, "search": value, "page": value}),
                "form": client.post(url, {"name": value, "reference": value}),
                "json": client.post(
                    url, json.dumps({"name": value}), content_type="application/json"
                ),
                "json key": client.post(
                    url, json.dumps({value: "x"}), content_type="application/json"
                ),
            }
            for what, response in answers.items():
                if response.status_code != 400:
                    failures.append(f"{transport} {what} {value!r} -> {response.status_code}")
        for value in MALFORMED_IDS:
            status = client.get(url, {"page": value, "person": value, "case": value}).status_code
            if status >= 500:
                failures.append(f"{transport} GET filters {value!r} -> {status}")
    assert not failures, f"{route}: " + "; ".join(failures)


def test_object_routes_are_all_walked():
    """The walk above covers the permission matrix's routes and those it leaves to others."""
    walked = {str(route) for route in EVERY_OBJECT_ROUTE}
    assert {str(route) for route in OBJECT_ROUTES} <= walked
    assert any(route.handled_separately for route in EVERY_OBJECT_ROUTE)


def test_text_bodies_keep_tabs_and_line_breaks(alice, north_case, signed_in):
    """A note has lines: tab, CR and LF in a body value are not control characters to refuse."""
    assert not has_control_characters("line one\r\n\tline two", multiline=True)
    assert has_control_characters("line one\r\n", multiline=False)
    refuse_control_characters("a\tb\nc")
    client = signed_in.session(alice)
    response = client.post("/api/v1/cases/", json.dumps({"summary": "a\n\tb"}), "application/json")
    assert response.status_code != 400 or "control characters" not in response.content.decode()


def test_a_nul_in_a_header_or_cookie_is_refused_before_the_session_is_read(alice, signed_in):
    """The session and token lookups query by what the client sent: a NUL never reaches them."""
    client = signed_in.session(alice)
    client.cookies["sessionid"] = f"abc{NUL}def"
    assert client.get("/").status_code == 400
    assert Client(HTTP_AUTHORIZATION=f"Token abc{NUL}").get("/api/v1/cases/").status_code == 400


def test_the_api_exception_handler_runs_no_query_in_an_aborted_transaction(alice):
    """
    After a database error the transaction is aborted on PostgreSQL: the handler answering the
    refusal must not query (it used to write the audit event there, and answered 500).
    """
    django_request = RequestFactory().get("/api/v1/cases/")
    django_request.user = alice
    request = Request(django_request)
    request.user = alice
    with transaction.atomic():
        # The error is the point: it leaves the transaction aborted.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        response = exception_handler(
            exceptions.PermissionDenied(), {"request": request, "view": None}
        )
        transaction.set_rollback(True)
    assert response.status_code == 403


def test_refusals_after_a_broken_transaction_are_still_audited(
    alice, charlie, north_case, signed_in
):
    """A 404 probe of another team's case through the API is audited, in its own transaction."""
    client = signed_in.token(charlie)
    before = AuditEvent.objects.filter(action="denied", actor=charlie).count()
    assert client.get(f"/api/v1/cases/{north_case.reference}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=charlie).count() == before + 1


@pytest.mark.parametrize("value", CONTROL_VALUES)
@pytest.mark.parametrize("encoding", ["multipart", "form", "json"])
def test_control_characters_in_put_and_patch_bodies_answer_400(
    alice, north_case, value, encoding, signed_in
):
    """Bodies Django leaves to DRF (PUT and PATCH, in any encoding) are checked too."""
    client = signed_in.token(alice)
    url = f"/api/v1/cases/{north_case.reference}/"
    data = {"summary": value}
    if encoding == "multipart":
        body, content_type = encode_multipart(BOUNDARY, data), MULTIPART_CONTENT
    elif encoding == "form":
        body, content_type = urlencode(data), "application/x-www-form-urlencoded"
    else:
        body, content_type = json.dumps(data), "application/json"
    before = AuditEvent.objects.count()
    for method in ("put", "patch"):
        response = getattr(client, method)(url, body, content_type=content_type)
        assert response.status_code == 400, f"{method.upper()} {encoding}"
    assert AuditEvent.objects.count() == before, "nothing reached the case"
