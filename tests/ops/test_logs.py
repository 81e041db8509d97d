"""
Logs: one JSON object per line, each with its request's id, and no personal data anywhere in a
whole working session (sign-in, a new person, the case and person pages, a refused form, a PDF).
"""

import io
import json
import logging

import pytest
from django.urls import reverse

import config.settings
from accounts.models import TOTPDevice
from casework.choices import MemberRole, PersonRole, Region, Sex
from casework.models import Person
from legal_aid.models import AdvocacyDocument
from ops.logging import JsonFormatter, RequestIdFilter, request_id
from ops.models import TaskRun
from ops.tasks import apply_retention
from tests.accounts.test_login import current_code, post_password

from ..conftest import consent_answer, sign_in
from ..factories import MembershipFactory, UserFactory

NAME = "최은별 LOGCANARY"
ALIAS = "Choe Eun-byol Logcanary"
CONTACT = "+86 135 7777 8888"
ORIGIN = "Musan LOGPLACE"
LOCATION = "Helong 和龙 LOGTOWN"
NOTES = "hides with her aunt LOGNOTE"
SECRETS = [NAME, "최은별", "LOGCANARY", "Logcanary", CONTACT, "7777 8888", ORIGIN, LOCATION,
           "和龙", "LOGTOWN", NOTES, "LOGNOTE"]  # fmt: skip


@pytest.fixture
def log_output():
    """Everything any logger writes, at every level, as the production handler formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_the_request_id_middleware_is_installed_first():
    """config/settings.py lists ops' middleware first, so every log line of a request has its id."""
    assert config.settings.MIDDLEWARE[0] == "ops.middleware.RequestIdMiddleware"


def test_a_record_is_one_json_line_with_the_request_id():
    """The formatter writes one JSON object per line: message, level, request id, extras, error."""
    record = logging.LogRecord("shimteo.x", logging.ERROR, __file__, 1, "went %s", ("wrong",), None)
    token = request_id.set("abc123def")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    record.documents = 3
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "went wrong" and entry["level"] == "ERROR"
    assert entry["request_id"] == "abc123def" and entry["documents"] == 3
    assert entry["exc_type"] == "ValueError"


def test_every_response_carries_a_request_id(client, db):
    """A fresh id for each request; a well-formed id from a proxy is kept, a strange one replaced."""
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-req-0001")
    assert kept["X-Request-ID"] == "proxy-req-0001"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"


def test_a_whole_working_session_logs_no_personal_data(
    client, alice, north_case, log_output, django_capture_on_commit_callbacks
):
    """
    Sign in with both factors, register a person, open the case and the person, send a form that
    is refused, render a PDF about the person: no name, contact or place is in any log line.
    """
    device = TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)
    post_password(client, "alice", password="wrong password")  # a failed sign-in is logged too
    post_password(client, "alice")
    assert (
        client.post(reverse("accounts:verify"), {"token": current_code(device)}).status_code == 302
    )

    create = reverse("casework:person_create") + f"?case={north_case.reference}"
    person_form = {
        "case": north_case.reference,
        "role_in_case": MemberRole.CHILD,
        "full_name": NAME,
        "aliases": ALIAS,
        "date_of_birth": "2016-03-02",
        "sex": Sex.FEMALE,
        "nationality": "stateless",
        "role": PersonRole.CHILD,
        "region": Region.JILIN,
        "contact": CONTACT,
        "place_of_origin": ORIGIN,
        "current_location": LOCATION,
        "notes": NOTES,
        **consent_answer(witnessed_by=ALIAS),
    }
    refused = client.post(create, {**person_form, "date_of_birth": "2016-02-31"})
    assert refused.status_code == 200
    assert client.post(create, person_form).status_code == 302
    person = Person.objects.matching_name(NAME).get()
    assert (
        client.get(reverse("casework:case_detail", args=[north_case.reference])).status_code == 200
    )
    assert client.get(reverse("casework:person_detail", args=[person.reference])).status_code == 200
    assert client.get(reverse("casework:person_detail", args=["P-NOPE"])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):  # the render runs eagerly
        brief = client.post(
            reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference}),
            {
                "kind": AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
                "subject": str(person.pk),
                "language": "ko",
                "redaction": AdvocacyDocument.Redaction.NAMED_WITH_CONSENT,
            },
        )
    assert brief.status_code == 302
    document = AdvocacyDocument.objects.get(case=north_case)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    assert client.get(reverse("legal_aid:advocacy_detail", args=[document.pk])).status_code == 200
    client.post(reverse("accounts:logout"))

    lines = log_output.getvalue().splitlines()
    assert len(lines) > 10
    entries = [json.loads(line) for line in lines]
    request_lines = [e for e in entries if e["logger"] == "shimteo.request"]
    assert len(request_lines) >= 8
    assert all(len(e["request_id"]) == 32 for e in request_lines)
    text = log_output.getvalue()
    escaped = json.dumps(text)  # names would also be caught in their \\u-escaped spelling
    for secret in SECRETS:
        assert secret not in text, secret
        assert json.dumps(secret)[1:-1] not in escaped, secret


def test_task_metrics_are_shown_to_administrators_only(client, admin_user, alice, db):
    """A task run is counted on the admin's task page; a caseworker or plain staff cannot see it."""
    apply_retention.delay()
    run = TaskRun.objects.get(name="ops.apply_retention")
    assert run.state == TaskRun.State.SUCCEEDED and run.duration_ms is not None

    sign_in(client, admin_user)
    page = client.get(reverse("admin:ops_taskrun_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "ops.apply_retention" in body and "Advocacy documents by status" in body

    client.logout()
    sign_in(client, alice)
    assert (
        client.get(reverse("admin:ops_taskrun_changelist")).status_code == 403
    )  # the admin's 403 page for non-staff
    staff = UserFactory(username="staffer", is_staff=True)
    MembershipFactory(user=staff)
    client.logout()
    sign_in(client, staff)
    assert client.get(reverse("admin:ops_taskrun_changelist")).status_code == 403
