"""
Logs never carry a person's decrypted details. Everything is captured at DEBUG, including each
SQL statement with its parameters: those parameters are ciphertext, and this test proves it.
"""

import datetime
import logging

import pytest
from django.db import connection
from django.urls import reverse

from casework import choices, services

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
