"""`audit.record()`: one call writes one chained event naming its target, never its contents."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import record
from audit.chain import GENESIS, compute_hash, verify_chain
from audit.exceptions import AuditDetailError, AuditError
from audit.models import AuditEvent
from audit.services import Entry, appended_together, record_many
from casework.models import CaseNote, Person
from tests.factories import PersonFactory


def test_it_writes_a_chained_event_with_the_client_address(alice, north_case, rf):
    """Each event names actor, action, target and address, and carries the previous hash."""
    request = rf.get("/cases/", REMOTE_ADDR="203.0.113.7")

    first = record(alice, AuditEvent.Action.VIEW, north_case, request=request)
    second = record(alice, "status_change", north_case, request=request, to="on_hold")

    stored = AuditEvent.objects.get(pk=second.pk)
    assert first.prev_hash == GENESIS
    assert stored.prev_hash == first.hash
    assert stored.hash == compute_hash(stored)
    assert stored.ip == "203.0.113.7"
    assert stored.actor == alice
    assert stored.actor_username == "alice"
    assert stored.action == "status_change"
    assert stored.target_type == "casework.case"
    assert stored.target_id == str(north_case.pk)
    assert stored.target_reference == north_case.reference
    assert stored.case_id == north_case.pk
    assert stored.detail == {"to": "on_hold"}
    assert verify_chain().intact


def test_a_person_is_named_by_reference_only(alice, north_case):
    """A view of a person keeps the person's reference and id, nothing the person's record says."""
    person = north_case.people.get()

    event = record(alice, "view", person, case=north_case)

    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert row["target_reference"] == person.reference
    assert row["case_id"] == north_case.pk
    assert person.full_name not in json.dumps(row, default=str)


def test_records_of_a_case_join_its_trail(alice, north_case):
    """An event about a note belongs to the note's case without saying so."""
    note = CaseNote.objects.create(case=north_case, author=alice, body="Met at the usual place.")

    event = record(alice, "create", note)

    assert event.case_id == north_case.pk
    assert list(AuditEvent.objects.for_case(north_case)) == [event]


def test_an_export_names_the_kind_of_record(alice):
    """An export of a list is recorded against the model, with its filters as detail."""
    event = record(alice, "export", Person, region="jilin", rows=12)

    assert (event.target_type, event.target_id) == ("casework.person", "")
    assert event.detail == {"region": "jilin", "rows": 12}


def test_a_failed_login_has_no_actor(db, rf):
    """A failed login is recorded from its address, with no user behind it."""
    request = rf.post("/accounts/login/", REMOTE_ADDR="2001:DB8::1")

    event = record(AnonymousUser(), "login_failed", request=request, username="mallory")

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_username == ""
    assert event.ip == "2001:db8::1"
    assert verify_chain().intact


def test_forwarded_addresses_are_ignored_without_trusted_proxies(alice, rf):
    """Any client can send X-Forwarded-For, so it counts only behind a trusted proxy."""
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert record(alice, "login", request=request).ip == "10.0.0.2"


@pytest.mark.parametrize(("proxies", "client"), [(1, "198.51.100.9"), (2, "192.0.2.66")])
def test_forwarded_addresses_count_behind_trusted_proxies(settings, alice, rf, proxies, client):
    """Behind N trusted proxies the client is the Nth address from the right."""
    settings.SHIMTEO_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.9")

    assert record(alice, "login", request=request).ip == client


def test_an_unknown_action_is_refused(alice):
    """Only the listed actions are recorded."""
    with pytest.raises(ValueError):
        record(alice, "peek")
    assert not AuditEvent.objects.exists()


def test_an_unsaved_target_is_refused(alice):
    """An event about a record with no id would say nothing; it is refused."""
    with pytest.raises(AuditError):
        record(alice, "delete", Person(full_name="Nobody"))


@pytest.mark.parametrize(
    "detail",
    [
        {"since": datetime.date(2024, 1, 1)},
        {"filters": {"regions": [{"ids": {1, 2}}]}},
        {"person": Person(full_name="x")},
        {"ratio": float("nan")},
        {"reason": "x" * 501},
    ],
    ids=["date", "nested-set", "model-instance", "nan", "long-text"],
)
def test_detail_must_be_small_scalars(alice, detail):
    """Anything but short strings, numbers, booleans and None, in lists and dicts, is refused."""
    with pytest.raises(AuditDetailError):
        record(alice, "export", Person, **detail)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "key", ["full_name", "old_full_name", "fullName", "date_of_birth", "summary", "contact"]
)
def test_detail_keys_named_like_encrypted_fields_are_refused(alice, north_case, key):
    """A detail key naming an encrypted field, of the target or any model, is refused."""
    with pytest.raises(AuditDetailError, match="encrypted field"):
        record(alice, "update", north_case, **{key: "changed"})


def test_nested_detail_keys_are_checked_too(alice, north_case):
    """Hiding the key in a nested dict does not help."""
    with pytest.raises(AuditDetailError, match="encrypted field"):
        record(alice, "update", north_case, changes={"person": {"full_name": "x"}})


def test_field_names_as_values_are_allowed(alice, north_case):
    """Which fields changed is the useful detail, and it is kept."""
    person = north_case.people.get()

    event = record(alice, "update", person, fields=["full_name", "contact"])

    assert event.detail == {"fields": ["full_name", "contact"]}


def test_decrypted_values_of_the_target_are_refused(alice, north_case):
    """A detail that quotes what the target holds encrypted is refused, without echoing it."""
    person = PersonFactory(full_name="박영철")

    with pytest.raises(AuditDetailError) as refused:
        record(alice, "update", person, case=north_case, reason="renamed to 박영철 today")

    assert "박영철" not in str(refused.value)
    assert not AuditEvent.objects.exists()


def test_deleting_a_user_keeps_their_events(alice, bob, north_case):
    """An account can be deleted; its events stay, still naming the username."""
    event = record(bob, "view", north_case)
    bob_id = bob.pk

    bob.delete()

    event.refresh_from_db()
    assert event.actor_id == bob_id
    assert event.actor_username == "bob"
    assert verify_chain().intact


def test_a_short_value_is_looked_for_as_a_word(alice):
    """A two-letter note does not make the field name "file" look like a leak, but the word does."""
    from casework.models import Case

    case = Case.objects.create(team=alice.teams.first(), summary="le")
    record(alice, "update", case, kinds=["file", "profile"])
    with pytest.raises(AuditDetailError):
        record(alice, "update", case, said="le monde")


def test_changed_fields_are_checked_as_names_of_the_target(alice):
    """`fields` may name a field whose value happens to equal a word; it may not hold anything else."""
    from casework.models import Case

    case = Case.objects.create(team=alice.teams.first(), summary="risk_level")
    record(alice, "update", case, fields=["risk_level", "summary"])
    with pytest.raises(AuditDetailError, match="not a field"):
        record(alice, "update", case, fields=["김순희"])


def test_many_events_are_chained_in_order_in_one_insert(alice, north_case):
    """`record_many`: the events follow the last one in the order given, and the chain holds."""
    before = record(alice, AuditEvent.Action.VIEW, north_case)
    note = CaseNote.objects.create(case=north_case, body="Visited her at the shelter")
    with CaptureQueriesContext(connection) as queries:
        written = record_many(
            None,
            [
                Entry("create", note, detail={"kind": "visit"}),
                Entry("update", north_case, detail={"fields": ["risk_level"]}),
                Entry("create", north_case, case=north_case.pk),
            ],
        )
    assert len([q for q in queries if "audit_auditevent" in q["sql"]]) == 2
    stored = list(AuditEvent.objects.filter(sequence__gt=before.sequence).order_by("sequence"))
    assert [e.pk for e in stored] == [e.pk for e in written]
    assert stored[0].prev_hash == before.hash
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert all(e.actor is None and e.case_id == north_case.pk for e in stored)
    assert verify_chain().intact


def test_many_events_refuse_a_detail_holding_a_secret_before_writing_any(alice, north_case):
    note = CaseNote.objects.create(case=north_case, body="Hiding at her aunt's in Dandong")
    count = AuditEvent.objects.count()
    with pytest.raises(AuditDetailError):
        record_many(
            alice,
            [
                Entry("view", north_case),
                Entry("create", note, detail={"said": "Hiding at her aunt's in Dandong"}),
            ],
        )
    assert AuditEvent.objects.count() == count


@pytest.mark.postgres
def test_one_event_is_stored_as_bulk_create_stores_it(alice, north_case, rf, monkeypatch):
    """The insert written once per process stores the row, and marks the event, as Django would."""
    from audit import services

    request = rf.get("/cases/", REMOTE_ADDR="203.0.113.7")
    kept = record(alice, "view", north_case, request=request, seen="case")
    monkeypatch.setattr(services, "_insert_of", None)  # any use of it would fail
    monkeypatch.setattr(connection, "vendor", "not postgresql")  # bulk_create's way
    django_way = record(alice, "view", north_case, request=request, seen="case")

    def stored(event):
        row = AuditEvent.objects.filter(pk=event.pk).values().get()
        return {key: value for key, value in row.items() if key not in SET_BY_CHAIN}

    assert stored(kept) == stored(django_way)
    assert kept.sequence + 1 == django_way.sequence
    assert (kept._state.adding, kept._state.db) == (False, "default")
    assert verify_chain().intact


@pytest.mark.postgres
def test_a_search_page_of_events_is_stored_as_bulk_create_stores_it(
    alice, north_case, rf, monkeypatch
):
    """
    A search and the results it showed, appended together, go in by the insert written once per
    process for their number: the same rows, in the same order, as bulk_create's.
    """
    from audit import services

    note = CaseNote.objects.create(case=north_case, body="Visited her at the shelter")
    request = rf.post("/cases/", REMOTE_ADDR="203.0.113.7")

    def search_page():
        with appended_together():
            events = [
                record(alice, "view", CaseNote, request=request, searched=True, matches=2),
                record(alice, "view", north_case, request=request, searched=True),
                record(alice, "view", note, request=request, searched=True),
            ]
        # Each event knows the place the database gave it, and is saved.
        assert all(event._state.adding is False for event in events)
        stored = AuditEvent.objects.order_by("-sequence")[:3]
        assert [event.pk for event in events] == [event.pk for event in reversed(stored)]
        return events

    with CaptureQueriesContext(connection) as queries:
        kept = search_page()
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and inserts[0].count("), (") == 2
    monkeypatch.setattr(services, "_insert_of", None)  # any use of it would fail
    monkeypatch.setattr(connection, "vendor", "not postgresql")  # bulk_create's way
    django_way = search_page()

    def stored(event):
        row = AuditEvent.objects.filter(pk=event.pk).values().get()
        return {key: value for key, value in row.items() if key not in SET_BY_CHAIN}

    assert [stored(event) for event in kept] == [stored(event) for event in django_way]
    assert [event.sequence for event in kept] == sorted(event.sequence for event in kept)
    assert kept[-1].sequence < django_way[0].sequence
    monkeypatch.undo()
    assert verify_chain().intact


# Differs between two events of the same content: where each is in the chain and when.
SET_BY_CHAIN = {"sequence", "occurred_at", "prev_hash", "hash"}
