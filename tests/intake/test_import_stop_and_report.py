"""
Nothing lost, nothing half-done (issue 19, point 7): a failing row is reported with its column,
the cell as typed and the reason, in the supervisor's language; an import can be stopped and
resumed from the first row it had not processed, creating nothing twice.
"""

import re
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from casework.models import Person
from intake.importing import batches, writing
from intake.models import ImportBatch, ImportedRow

from ..conftest import sign_in
from .test_import import as_csv, batch_page, messy_rows, upload

HANGUL = re.compile("[가-힣]")
# Enough rows that the import is still writing when the stop arrives.
ROWS = 150


def under_way(batch) -> bool:
    return batch.status == ImportBatch.Status.IMPORTING and batch.processed_rows > 0


@pytest.mark.django_db
def test_a_failing_row_is_reported_with_column_value_and_reason_in_the_users_language(
    client, sue, team_north
):
    sue.preferred_language = "ko"
    sue.save(update_fields=["preferred_language"])
    supervisor = sign_in(client, sue)
    rows, faults = messy_rows(n=20)
    upload(supervisor, team_north, "명단.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    report = {row["row"]: row["errors"] for row in batch.report["rows"]}
    bad_date = next(number for number, fault in faults.items() if fault == 1)
    ((column, message, typed),) = report[bad_date]
    assert (column, typed) == ("date_of_birth", "31/02/1990")
    assert HANGUL.search(message), message

    url = reverse("intake:import_detail", kwargs={"batch_ref": batch.reference})
    page = supervisor.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<strong>생년월일</strong> “<span class="typed">31/02/1990</span>”' in page
    assert message in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_stopped_part_way_resumes_where_it_stopped_and_creates_nothing_twice(
    client, sue, team_north
):
    supervisor = sign_in(client, sue)
    rows, faults = messy_rows(n=ROWS)
    upload(supervisor, team_north, "caseload.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    valid = batch.valid_rows
    assert valid == ROWS - len(faults)

    failures = []

    def run():
        try:
            writing.import_run(batch=ImportBatch.objects.get(pk=batch.pk), actor=sue)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while not under_way(ImportBatch.objects.get(pk=batch.pk)):
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.02)
    stop = supervisor.post(reverse("intake:import_stop", kwargs={"batch_ref": batch.reference}))
    assert stop.status_code == 302
    worker.join(timeout=60)
    assert not worker.is_alive() and not failures, failures

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.STOPPED
    stopped_at = batch.processed_rows
    assert batches.PROGRESS_EVERY <= stopped_at < ROWS
    created = Person.objects.count()
    assert 0 < created == batch.created_count < valid
    page = batch_page(supervisor, batch).content.decode()
    assert "Resume the import" in page and f"Stopped after {stopped_at} of {ROWS} rows" in page

    supervisor.post(reverse("intake:import_start", kwargs={"batch_ref": batch.reference}))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    # Resumed at the first row not processed: nothing before it was looked at again.
    assert batch.skipped_count == 0
    assert Person.objects.count() == batch.created_count == valid
    assert ImportedRow.objects.count() == valid
    names = [person.full_name for person in Person.objects.all()]
    assert len(names) == len(set(names))
    # Started, stopped, resumed: each an event on the batch.
    assert AuditEvent.objects.filter(target_id=str(batch.pk), action="update").count() == 3


@pytest.mark.django_db
def test_only_an_import_under_way_can_be_stopped(client, sue, team_north):
    supervisor = sign_in(client, sue)
    rows, _faults = messy_rows(n=3)
    upload(supervisor, team_north, "a.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    url = reverse("intake:import_stop", kwargs={"batch_ref": batch.reference})
    response = supervisor.post(url, follow=True)
    assert "Only an import under way can be stopped." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
