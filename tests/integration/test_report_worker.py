"""
A supervisor's reports counted by a real Celery worker through Redis, as in production: the page
says the figures are being counted and updates itself, and shows them once the worker has.
"""

import time

import pytest
from django.urls import reverse

from casework import querysets
from reports.models import ReportRun

from ..conftest import sign_in
from ..factories import TeamFactory
from ..scenarios import known_caseload, persona
from .conftest import SHARES_THE_WORKERS

pytestmark = [pytest.mark.worker, SHARES_THE_WORKERS]

QUERY = {"date_from": "2025-01-01", "date_to": "2025-06-30"}


def test_a_worker_counts_a_supervisors_reports(celery_worker, client, monkeypatch):
    monkeypatch.setattr(querysets, "FEW_CASES", 0)  # sue reads as the supervisor of a big team
    alice, charlie, sue = persona("alice"), persona("charlie"), persona("sue")
    known_caseload(
        team_north=TeamFactory(name="North"),
        team_south=TeamFactory(name="South"),
        alice=alice,
        charlie=charlie,
    )
    page = sign_in(client, sue)

    response = page.get(reverse("reports:index"), QUERY, HTTP_ACCEPT_LANGUAGE="ko")
    assert "이 페이지는 준비되면 저절로 새로 고쳐집니다" in response.content.decode()
    run = response.context["run"]
    for _ in range(120):
        run.refresh_from_db()
        if run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
            break
        time.sleep(0.25)
    assert run.status == ReportRun.Status.DONE

    response = page.get(reverse("reports:index"), QUERY, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.context["run"] == run
    (detentions,) = [t for t in response.context["tables"] if t.name == "detentions"]
    assert detentions.title == "구금과 그 결과"
    # Four detentions, each outcome fewer than the worker's threshold of 5: hidden, total too.
    assert detentions.counts.grand_total is None and detentions.counts.hidden
    assert "숨김" in response.content.decode()
    assert celery_worker.poll() is None
