"""
A reader of many cases has the reports page counted by a worker (`reports.services`), so that
her count, which grows with the caseload, holds no web worker: the page shows the count and
when it was made, or says that it is being counted. A reader of few cases is counted at once.

Every North reader here reads a few cases; FEW_CASES = 0 makes sue read as a supervisor of a
large team does.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import querysets
from ops.tasks import apply_retention
from reports import services, tables
from reports.models import ReportRun

from ..conftest import sign_in
from ..scenarios import consenting
from .conftest import PERIOD

QUERY = {"date_from": PERIOD.date_from.isoformat(), "date_to": PERIOD.date_to.isoformat()}
STILL_DETAINED = "Still detained"


@pytest.fixture(autouse=True)
def _a_reader_of_many(monkeypatch, settings):
    monkeypatch.setattr(querysets, "FEW_CASES", 0)
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    settings.LANGUAGE_CODE = "en"


def _figures(response, name) -> dict:
    """{row label: cells} of one table the page shows."""
    (table,) = [table for table in response.context["tables"] if table.name == name]
    return {line[0]: line[1:] for line in table.grid()[1:]}


def test_a_supervisors_figures_are_counted_on_a_worker_and_say_when(client, caseload, sue):
    page = sign_in(client, sue)
    response = page.get(reverse("reports:index"), QUERY)

    assert response.status_code == 200
    run = ReportRun.objects.get()
    assert (run.requested_by, run.status, run.language) == (sue, ReportRun.Status.DONE, "en")
    html = response.content.decode()
    assert "Counted on" in html and "Count again" in html
    assert 'http-equiv="refresh"' not in html
    assert html.count("<caption") == 6  # every table that counted something, with its chart
    assert _figures(response, "detentions")[STILL_DETAINED] == [1]

    # Opened again within minutes: the same count is shown, not counted again.
    assert page.get(reverse("reports:index"), QUERY).context["run"] == run
    assert ReportRun.objects.count() == 1


def test_a_record_saved_since_is_counted_when_she_counts_again(client, caseload, sue):
    """p4's consent recorded after the count: shown on "Count again", not before."""
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)
    consenting(caseload.p4)

    assert _figures(page.get(reverse("reports:index"), QUERY), "detentions")[STILL_DETAINED] == [1]
    response = page.post(reverse("reports:recount"), QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:index") + "?date_from=2025-01-01")
    response = page.get(response["Location"])
    assert _figures(response, "detentions")[STILL_DETAINED] == [2]
    assert ReportRun.objects.count() == 2


def test_a_reader_of_few_cases_is_counted_while_the_page_is_made(
    client, caseload, alice, monkeypatch
):
    """alice's 4 cases, below FEW_CASES: no worker, no "counted on", the figures as they are."""
    monkeypatch.setattr(querysets, "FEW_CASES", 200)
    response = sign_in(client, alice).get(reverse("reports:index"), QUERY)
    assert response.context["run"] is None
    assert "Count again" not in response.content.decode()
    assert _figures(response, "detentions")[STILL_DETAINED] == [1]
    assert not ReportRun.objects.exists()


def test_a_count_is_shown_only_to_whoever_asked_for_it(client, caseload, sue, charlie):
    sign_in(client, sue).get(reverse("reports:index"), QUERY)
    client.logout()
    response = sign_in(client, charlie).get(reverse("reports:index"), QUERY)

    assert response.context["run"].requested_by == charlie
    assert ReportRun.objects.count() == 2
    # South's one case: s1, detained from 1 March and still.
    found = _figures(response, "detentions")
    assert (found[STILL_DETAINED], found["Total"]) == ([1], [1])


def test_the_count_is_written_in_the_pages_language(client, caseload, sue):
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)
    response = page.get(reverse("reports:index"), QUERY, HTTP_ACCEPT_LANGUAGE="ko")

    assert response.context["run"].language == "ko"
    assert response.context["tables"][0].title == "기간별 법적 신분에 따른 인원"
    assert ReportRun.objects.count() == 2


def test_while_a_worker_counts_the_page_says_so_and_asks_again(client, caseload, sue, settings):
    """No eager Celery: the count waits for a worker; the page updates itself meanwhile."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    page = sign_in(client, sue)
    response = page.get(reverse("reports:index"), QUERY)

    run = response.context["run"]
    assert run.status == ReportRun.Status.QUEUED
    html = response.content.decode()
    assert 'role="status"' in html and "This page updates itself" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<caption" not in html and "export.xlsx" not in html

    services.report_run_count(run_id=str(run.pk))
    response = page.get(reverse("reports:index"), QUERY)
    assert response.context["run"] == run
    assert 'http-equiv="refresh"' not in response.content.decode()
    assert _figures(response, "detentions")[STILL_DETAINED] == [1]


def test_count_again_pressed_while_counting_makes_one_count(client, caseload, sue, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)
    page.post(reverse("reports:recount"), QUERY)
    page.post(reverse("reports:recount"), QUERY)
    assert ReportRun.objects.count() == 1

    services.report_run_count(run_id=str(ReportRun.objects.get().pk))
    page.post(reverse("reports:recount"), QUERY)  # counted: this one counts again
    assert ReportRun.objects.count() == 2


def test_a_count_that_fails_says_so_and_is_counted_again(client, caseload, sue, monkeypatch):
    def broken(user, filters, **kwargs):
        raise RuntimeError("the replica went away")

    monkeypatch.setattr(services, "build", broken)
    page = sign_in(client, sue)
    response = page.get(reverse("reports:index"), QUERY)

    assert response.context["run"].status == ReportRun.Status.FAILED
    html = response.content.decode()
    assert 'role="alert"' in html and "could not be counted" in html and "Count again" in html
    assert 'http-equiv="refresh"' not in html

    monkeypatch.setattr(services, "build", tables.build)
    response = page.get(reverse("reports:index"), QUERY)  # a failed count is not shown again
    assert response.context["run"].status == ReportRun.Status.DONE
    assert ReportRun.objects.count() == 2


def test_counts_are_deleted_a_day_after_they_were_asked_for(client, caseload, sue):
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)
    ReportRun.objects.update(requested_at=timezone.now() - datetime.timedelta(days=1, minutes=1))

    page.get(reverse("reports:index"), QUERY)
    assert ReportRun.objects.count() == 1
    assert ReportRun.objects.get().requested_at > timezone.now() - datetime.timedelta(minutes=1)

    # Nobody asks again: the daily retention task deletes it.
    ReportRun.objects.update(requested_at=timezone.now() - datetime.timedelta(days=2))
    assert apply_retention.delay().get()["report_counts"] == 1
    assert not ReportRun.objects.exists()


def test_counting_again_a_team_she_is_not_in_counts_nothing(client, caseload, sue, team_south):
    page = sign_in(client, sue)
    response = page.post(reverse("reports:recount"), {**QUERY, "team": team_south.pk})
    assert response.status_code == 302 and response["Location"] == reverse("reports:index")
    assert not ReportRun.objects.exists()
    assert page.get(reverse("reports:recount")).status_code == 405


def test_her_files_hold_the_figures_on_her_screen(client, caseload, sue):
    """The exports of a worker's count are made from it: the same figures, nothing recounted."""
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)
    consenting(caseload.p4)  # saved after the count: neither the page nor the files show it yet

    response = page.get(reverse("reports:export_csv"), {**QUERY, "table": "detentions"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response).decode("utf-8").lstrip("\ufeff"))))
    assert [STILL_DETAINED, "1"] in rows
    assert page.get(reverse("reports:export_xlsx"), QUERY).status_code == 200
    assert ReportRun.objects.count() == 1


def test_while_counting_a_file_leads_back_to_the_page(client, caseload, sue, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    page = sign_in(client, sue)
    page.get(reverse("reports:index"), QUERY)

    for name, extra in (
        ("reports:export_csv", {"table": "detentions"}),
        ("reports:export_xlsx", {}),
    ):
        response = page.get(reverse(name), {**QUERY, **extra})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reports:index") + "?")
    assert ReportRun.objects.count() == 1
