"""
Correct, don't erase, through the API: `correct/`, `void/` and `history/` of every record call the
services of the records/<kind>/<id>/ pages, with a reason and the version read.
"""

import datetime
import json

import pytest

from audit.models import AuditEvent
from casework import dates, services
from casework.models import CaseNote, Incident, LegalStatusRecord, RecordRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_note(north_case, alice):
    """A note of a home visit in which the caseworker wrote the neighbour's name by mistake."""
    return services.case_note_add(
        case=north_case,
        body="Visited her in Yanji; the neighbour Pak Yong-ho knows she is here.",
        kind="visit",
        contacted_on=dates.today() - datetime.timedelta(days=3),
        actor=alice,
    )


def note_url(note, action="") -> str:
    return f"/api/v1/notes/{note.pk}/{action + '/' if action else ''}"


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)), ensure_ascii=False)


def test_a_caseworker_corrects_a_note_and_its_history_keeps_the_earlier_text(
    api, alice, visit_note
):
    """
    The name written by mistake is corrected away; the earlier text stays in the history, read
    back decrypted, and neither text nor reason is in the audit trail.
    """
    client = api(alice)
    response = client.post(
        note_url(visit_note, "correct"),
        {
            "body": "Visited her in Yanji; a neighbour knows she is here.",
            "reason": "A neighbour's name does not belong in the note",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"] == "Visited her in Yanji; a neighbour knows she is here."
    assert response.json()["version"] == 2
    assert response.json()["kind"] == "visit"  # a field not sent keeps its value

    history = client.get(note_url(visit_note, "history"))
    assert history.status_code == 200, history.content
    [revision] = history.json()["revisions"]
    assert revision["action"] == "corrected"
    assert revision["earlier"]["body"].startswith("Visited her in Yanji; the neighbour Pak")
    assert revision["reason"] == "A neighbour's name does not belong in the note"
    assert revision["made_by"] == "alice"
    assert AuditEvent.objects.filter(
        action="view", target_id=str(visit_note.pk), detail__history=True
    ).exists()
    stored = audit_text()
    assert "Pak Yong-ho" not in stored and "neighbour's name" not in stored


def test_a_stale_version_is_refused_and_nothing_changes(api, alice, bob, north_case, visit_note):
    """Bob corrected the note after Alice read it: her correction is refused with 409."""
    services.record_correct(
        record=visit_note, fields={"kind": "call"}, reason="It was a call", actor=alice
    )
    response = api(alice).post(
        note_url(visit_note, "correct"),
        {"body": "Something else", "reason": "typo", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    visit_note.refresh_from_db()
    assert visit_note.body.startswith("Visited her") and visit_note.version == 2


def test_a_reason_and_a_version_are_required(api, alice, visit_note):
    response = api(alice).post(note_url(visit_note, "void"), {"reason": " "}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "version"}
    assert CaseNote.objects.filter(pk=visit_note.pk).exists()


def test_another_team_gets_404_and_an_advocate_403(api, charlie, lena, visit_note):
    """Out of sight is 404; an advocate reading the shared case may neither correct nor look back."""
    for user, code in ((charlie, 404), (lena, 403)):
        client = api(user)
        correct = client.post(
            note_url(visit_note, "correct"), {"body": "x", "reason": "x", "version": 1}
        )
        void = client.post(note_url(visit_note, "void"), {"reason": "x", "version": 1})
        assert (correct.status_code, void.status_code) == (code, code)
        assert client.get(note_url(visit_note, "history")).status_code == code
    assert not RecordRevision.objects.exists()


def test_voiding_a_wrong_current_status_reopens_the_earlier_one(api, alice, north_person):
    """
    A status "detained" recorded for the wrong woman is voided: her earlier status is current
    again, the voided one leaves the list and cannot be corrected, but its history shows it.
    """
    hiding = services.legal_status_change(
        person=north_person,
        status="undocumented_cn",
        effective_from=datetime.date(2019, 5, 1),
        country="CN",
        source="caseworker",
        actor=alice,
    )
    wrong = services.legal_status_change(
        person=north_person,
        status="detained_cn",
        effective_from=datetime.date(2024, 2, 10),
        country="CN",
        source="caseworker",
        actor=alice,
    )
    client = api(alice)
    response = client.post(
        f"/api/v1/legal-statuses/{wrong.pk}/void/",
        {"reason": "Recorded for the wrong person", "version": wrong.version},
        format="json",
    )
    assert response.status_code == 204, response.content
    hiding.refresh_from_db()
    assert hiding.effective_to is None
    listed = client.get("/api/v1/legal-statuses/", {"person": north_person.reference}).json()
    assert [row["id"] for row in listed["results"]] == [str(hiding.pk)]
    again = client.post(
        f"/api/v1/legal-statuses/{wrong.pk}/correct/",
        {"status": "undocumented_cn", "reason": "x", "version": 2},
        format="json",
    )
    assert again.status_code == 404
    history = client.get(f"/api/v1/legal-statuses/{wrong.pk}/history/").json()
    assert history["voided_at"] and history["void_reason"] == "Recorded for the wrong person"
    assert LegalStatusRecord.with_voided.get(pk=wrong.pk).is_voided


def test_a_correction_follows_the_records_own_rules(api, alice, north_case, north_person):
    """A benefit cannot be moved to a day after today, as on the page."""
    benefit = services.entitlement_record(
        person=north_person,
        kind="household_registration",
        status="denied",
        as_of=datetime.date(2023, 6, 1),
        actor=alice,
    )
    response = api(alice).post(
        f"/api/v1/entitlements/{benefit.pk}/correct/",
        {"as_of": "2099-01-01", "reason": "date typed wrong", "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_a_patch_of_an_incident_keeps_the_reason_given(api, alice, north_case):
    """The PATCH stays as it was; a reason sent is kept with the earlier values."""
    raid = services.incident_record(
        case=north_case,
        kind="raid",
        occurred_on=datetime.date(2024, 4, 2),
        region="cn-jilin",
        actor=alice,
    )
    response = api(alice).patch(
        f"/api/v1/incidents/{raid.pk}/",
        {"kind": "arrest", "reason": "It was an arrest", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Incident.objects.get(pk=raid.pk).kind == "arrest"
    revision = RecordRevision.objects.get(object_id=raid.pk)
    assert revision.reason == "It was an arrest" and revision.earlier == {"kind": "raid"}
