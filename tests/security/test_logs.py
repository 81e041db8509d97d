"""
Logs never carry a person's decrypted details. Everything is captured at DEBUG, including each
SQL statement with its parameters: those parameters are ciphertext, and this test proves it.
"""

import datetime
import json
import logging
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, quote_plus

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.log import log_response
from django.views.debug import get_exception_reporter_class
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from rest_framework.test import APIClient
from ruamel.yaml import YAML

from casework import choices, services
from ops.logging import JsonFormatter

from ..conftest import sign_in

NAME = "림비밀순"
ALIAS = "Lim Bimil-sun"
CONTACT = "+86 137 4242 9090"
ORIGIN = "Hyesan, Ryanggang (log-secret)"
LOCATION = "Tumen, back room of the bakery (log-secret)"
TYPED_NAME = "림새이름"
TYPED_CONTACT = "wechat: logsecret-77"
SECRETS = [NAME, ALIAS, CONTACT, ORIGIN, LOCATION, TYPED_NAME, TYPED_CONTACT]
LOGGERS = ["", "django", "django.request", "django.db.backends", "django.security", "audit"]


@pytest.fixture
def captured(caplog):
    """Every logger at DEBUG, SQL included (Django logs queries only with a debug cursor)."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    try:
        yield caplog
    finally:
        connection.force_debug_cursor = False


def _texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.args), record.exc_text or ""]
    if record.exc_info and record.exc_info[1] is not None:
        texts.append(repr(record.exc_info[1]))
    return texts


def test_no_decrypted_value_reaches_any_log(captured, client, alice, north_case):
    """Creating a person, viewing the case and a rejected form log no name, contact or place."""
    person = services.person_create(
        actor=alice,
        full_name=NAME,
        role=choices.PersonRole.REFUGEE,
        date_of_birth=datetime.date(1990, 7, 7),
        contact=CONTACT,
        place_of_origin=ORIGIN,
        current_location=LOCATION,
    )
    services.case_add_member(
        case=north_case, person=person, role=choices.MemberRole.PRINCIPAL, actor=alice
    )
    services.person_alias_add(person=person, name=ALIAS, actor=alice)

    sign_in(client, alice)
    assert (
        client.get(reverse("casework:case_detail", args=[north_case.reference])).status_code == 200
    )
    assert client.get(reverse("casework:person_detail", args=[person.reference])).status_code == 200
    rejected = client.post(
        reverse("casework:person_edit", args=[person.reference]),
        {
            "full_name": TYPED_NAME,
            "contact": TYPED_CONTACT,
            "date_of_birth": "not a date",
            "version": "1",
        },
    )
    assert rejected.status_code in {200, 400}
    # The form kept what was typed: the values did travel through the request.
    assert TYPED_NAME in rejected.content.decode()

    sql = [
        r for r in captured.records if r.name == "django.db.backends" and "INSERT" in r.getMessage()
    ]
    assert sql, "SQL statements were not captured: the test would prove nothing"
    leaks = [
        (record.name, secret)
        for record in captured.records
        for text in _texts(record)
        for secret in SECRETS
        if secret in text
    ]
    assert not leaks, f"decrypted values in the logs: {sorted(set(leaks))}"
    assert not [secret for secret in SECRETS if secret in captured.text]


# Query strings: a name typed into an address must not stay in any log.

SEARCHED = "림검색명"
SEARCHED_FORMS = [SEARCHED, quote(SEARCHED), quote_plus(SEARCHED)]


def _json_lines(records) -> str:
    """The records as the production handler writes them (extra fields included)."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in records)


def _leaked(text: str) -> list[str]:
    return [form for form in SEARCHED_FORMS if form in text]


def test_a_query_string_reaches_no_log(captured, client, alice, north_case):
    """
    Pages and API lists asked with a name in their address (dropped or refused), a 404 and a
    server error on such an address: neither the name nor its URL-encoded form is logged.
    """
    api = sign_in(APIClient(), alice)
    sign_in(client, alice)
    assert (
        client.get(reverse("casework:case_list"), {"q": SEARCHED}, follow=True).status_code == 200
    )
    assert api.get("/api/v1/persons/", {"name": SEARCHED}).status_code == 400
    assert api.get("/api/v1/cases/", {"q": SEARCHED, "status": "open"}).status_code == 400
    missing = client.get(reverse("casework:case_detail", args=["C-NOPE"]), {"q": SEARCHED})
    assert missing.status_code == 404
    # How Django's handler logs a crash: the request goes along as an extra field.
    crashed = RequestFactory().get("/cases/", {"q": SEARCHED}, HTTP_REFERER=f"/?q={SEARCHED}")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        log_response(
            "%s: %s",
            "Internal Server Error",
            crashed.path,
            response=HttpResponse(status=500),
            request=crashed,
            exception=error,
        )

    request_lines = [r for r in captured.records if r.name == "shimteo.request"]
    assert len(request_lines) >= 4, "the requests were not logged: the test would prove nothing"
    assert [r for r in captured.records if r.name == "django.request" and r.levelname == "ERROR"]
    written = _json_lines(captured.records)
    assert not _leaked(written), written
    assert not _leaked("\n".join(text for r in captured.records for text in _texts(r)))


def test_a_logged_request_is_its_method_and_path():
    """A request given to a record as an extra field is written as its method and path."""
    request = RequestFactory().get("/cases/C-7K3M9Q/", {"q": SEARCHED})
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    record.request = request
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request"] == {"method": "GET", "path": "/cases/C-7K3M9Q/"}


def test_error_reports_show_no_query_string(settings):
    """The debug page and e-mailed report name the query's parameters, never their values."""
    settings.DEBUG = True
    request = RequestFactory().get(
        "/cases/",
        {"q": SEARCHED},
        HTTP_REFERER=f"https://shimteo.example.org/cases/?q={quote(SEARCHED)}",
        RAW_URI=f"/cases/?q={quote(SEARCHED)}",
        REQUEST_URI=f"/cases/?q={quote(SEARCHED)}",
    )
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert not _leaked(text), text
    assert not _leaked(html)
    assert "q = " in text  # the parameter's name stays, to help whoever debugs


def test_the_development_server_logs_request_lines_without_query(caplog):
    """runserver's request lines (`django.server`) lose their query strings."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.info('"%s" %s %s', f"GET /cases/?q={quote(SEARCHED)} HTTP/1.1", "200", "512")
    finally:
        server.removeHandler(caplog.handler)
    [line] = [r.getMessage() for r in caplog.records if r.name == "django.server"]
    assert line == '"GET /cases/ HTTP/1.1" 200 512'


def _gunicorn_access_formats() -> list[str]:
    root = Path(__file__).resolve().parents[2]
    dockerfile = (root / "Dockerfile").read_text().replace("\\\n", " ")
    image = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    compose = YAML(typ="safe").load((root / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["command"]
    formats = [image[image.index("--access-logformat") + 1]]
    formats += [arg.split("=", 1)[1] for arg in web if arg.startswith("--access-logformat=")]
    return formats


def test_gunicorn_access_lines_name_the_path_only():
    """The image's and the compose stack's gunicorn write no query string nor Referer."""
    formats = _gunicorn_access_formats()
    assert len(formats) == 2
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/cases/?q={quote(SEARCHED)}",
        "PATH_INFO": "/cases/",
        "QUERY_STRING": f"q={quote(SEARCHED)}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://shimteo.example.org/cases/?q={quote(SEARCHED)}",
        "REMOTE_ADDR": "10.0.0.2",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = GunicornLogger(GunicornConfig()).atoms(
        response, request, environ, datetime.timedelta(milliseconds=12)
    )
    for access_format in formats:
        line = access_format % atoms
        assert "GET /cases/" in line and " 200 " in line
        assert not _leaked(line) and "?" not in line, line


def test_the_proxy_logs_addresses_without_query_or_referer():
    """Caddy's access log cuts the query string off the URI and drops the Referer header."""
    caddyfile = (Path(__file__).resolve().parents[2] / "ops/deploy/Caddyfile").read_text()
    log_block = caddyfile[caddyfile.index("log {") :]
    assert "format filter" in log_block
    assert 'request>uri regexp "[?].*$" ""' in log_block
    assert "request>headers>Referer delete" in log_block
