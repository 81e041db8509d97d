"""
The correction pages (issue 16, point 2) as staff use them: Correct, Void and History beside each
record for those who may correct it, a reason required, the history of a note's old text only to
the case's team, a voided file no longer downloadable, and voided records out of the reports.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from casework import services
from casework.choices import (
    Country,
    IncidentKind,
    LegalStatus,
    Region,
    StatusSource,
)
from casework.models import LegalStatusRecord
from consent.models import Method, Scope
from consent.services import consent_record
from reports import selectors as report_selectors
from reports.periods import Period

from ..conftest import sign_in

D = datetime.date
WRONG = "Met 박영희 at the safe house in Yanji."
RIGHT = "Met the mother at the safe house in Yanji."


def _url(record, action):
    return reverse(f"casework:record_{action}", args=[record.record_kind, record.pk])


def test_a_note_with_a_wrong_name_is_corrected_and_only_the_team_reads_the_old_text(
    client, north_case, alice, sue, charlie, lena
):
    note = services.case_note_add(case=north_case, body=WRONG, actor=alice)
    sign_in(client, alice)
    page = client.get(reverse("casework:case_detail", args=[north_case.reference]))
    assert _url(note, "correct") in page.content.decode()

    kept = {"kind": note.kind, "contacted_on": note.contacted_on.isoformat()}
    refused = client.post(
        _url(note, "correct"), {**kept, "body": RIGHT, "reason": "", "version": 1}
    )
    assert refused.status_code == 200 and RIGHT in refused.content.decode()
    saved = client.post(
        _url(note, "correct"),
        {**kept, "body": RIGHT, "reason": "Wrong name: another family's.", "version": 1},
    )
    assert saved.status_code == 302
    page = client.get(reverse("casework:case_detail", args=[north_case.reference])).content
    assert RIGHT in page.decode() and "박영희" not in page.decode()

    for reader in (alice, sue):
        history = sign_in(client, reader).get(_url(note, "history"))
        assert history.status_code == 200
        assert "박영희" in history.content.decode()
        assert "another family" in history.content.decode()
    assert AuditEvent.objects.filter(action="view", target_id=str(note.pk)).count() == 2
    # The advocate reads the case but not what was corrected away; another team finds nothing.
    assert sign_in(client, lena).get(_url(note, "history")).status_code == 403
    assert "박영희" not in client.get(_url(note, "history")).content.decode()
    assert sign_in(client, charlie).get(_url(note, "history")).status_code == 404


def test_a_wrongly_uploaded_file_is_voided_and_no_longer_downloadable(client, north_case, alice):
    attachment = services.attachment_add(
        case=north_case,
        uploaded_file=SimpleUploadedFile("hukou.txt", b"Another family's hukou booklet"),
        actor=alice,
    )
    download = reverse("casework:attachment_download", args=[north_case.reference, attachment.pk])
    sign_in(client, alice)
    assert client.get(download).status_code == 200
    page = client.get(_url(attachment, "void"))
    assert "cannot be downloaded again" in page.content.decode()

    assert (
        client.post(
            _url(attachment, "void"), {"reason": "Another family's papers.", "version": 1}
        ).status_code
        == 302
    )
    assert client.get(download).status_code == 404
    case_page = reverse("casework:case_detail", args=[north_case.reference])
    assert "hukou.txt" not in client.get(case_page).content.decode()
    shown = client.get(case_page + "?voided=1").content.decode()
    assert "hukou.txt" in shown and "Another family&#x27;s papers." in shown
    assert download not in shown


def test_a_current_status_voided_from_the_person_page_reopens_the_one_before(
    client, north_case, alice
):
    mother = north_case.people.get()
    hiding = services.legal_status_change(
        person=mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2019, 3, 1),
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        actor=alice,
    )
    hiding.effective_to = D(2030, 1, 1)
    hiding.save()
    wrong = LegalStatusRecord.objects.create(
        person=mother,
        status=LegalStatus.DETAINED_CN,
        effective_from=D(2030, 1, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )
    sign_in(client, alice)
    person_page = reverse("casework:person_detail", args=[mother.reference])
    assert _url(wrong, "void") in client.get(person_page).content.decode()
    response = client.post(_url(wrong, "void"), {"reason": "Typed 2030 for 2024.", "version": 1})
    assert response.status_code == 302 and response.url == person_page
    hiding.refresh_from_db()
    assert hiding.is_current
    # The voided record cannot be corrected or voided again.
    assert client.get(_url(wrong, "correct")).status_code == 404


def test_a_voided_incident_leaves_the_report_counts(north_case, alice):
    mother = north_case.people.get()
    consent_record(person=mother, actor=alice, method=Method.WRITTEN, scopes=[Scope.STATISTICS])
    arrest = services.incident_record(
        case=north_case,
        kind=IncidentKind.ARREST,
        occurred_on=D(2024, 2, 10),
        region=Region.JILIN,
        people=[mother],
        actor=alice,
    )
    periods = [Period(start=D(2024, 1, 1), end=D(2024, 12, 31), step="year")]
    scope = report_selectors.scope_for(alice)
    assert report_selectors.incidents_by_kind(scope, periods) == {(IncidentKind.ARREST, 0): 1}
    services.record_void(record=arrest, reason="Entered twice.", actor=alice)
    assert report_selectors.incidents_by_kind(scope, periods) == {}


def test_the_correction_forms_of_every_kind_open_for_the_team(client, north_case, alice):
    """Each kind's form shows its fields filled in, and an unknown kind is not found."""
    mother = north_case.people.get()
    records = [
        services.case_note_add(case=north_case, body="Called.", actor=alice),
        services.task_create(case=north_case, title="Visit", actor=alice),
        services.incident_record(
            case=north_case,
            kind=IncidentKind.RAID,
            occurred_on=D(2024, 5, 1),
            region=Region.JILIN,
            actor=alice,
        ),
        services.person_alias_add(person=mother, name="Jin Shunji", actor=alice),
        services.legal_status_change(
            person=mother,
            status=LegalStatus.UNDOCUMENTED_CN,
            effective_from=D(2019, 3, 1),
            country=Country.CHINA,
            source=StatusSource.FAMILY,
            actor=alice,
        ),
    ]
    sign_in(client, alice)
    for record in records:
        for action in ("correct", "void", "history"):
            assert client.get(_url(record, action)).status_code == 200, (record, action)
    unknown = reverse("casework:record_correct", args=["nothing", records[0].pk])
    assert client.get(unknown).status_code == 404
