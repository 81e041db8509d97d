"""
The reports counted on a worker (`ReportRun`, see its module for why): asked for by the page
(`report_run_for`), counted by the task (`report_run_count`).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from . import selectors
from .models import ReportRun
from .tables import Filters, ReportTable, build, from_stored, stored

logger = logging.getLogger(__name__)

# A count is shown again, instead of counted again, for this long after it was asked for: the
# figures of months move little in minutes, and the page says when they were counted and offers
# to count them again.
FRESH_FOR = datetime.timedelta(minutes=10)
# Runs are deleted a day after they were asked for (`report_runs_purge_expired`: by the daily
# retention task, and whenever someone asks for another).
KEPT_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Report:
    """The tables the page shows, and the worker's count they come from (None: counted now)."""

    tables: list[ReportTable]
    run: ReportRun | None = None


def report_for(*, actor, filters: Filters, language: str, only: str | None = None) -> Report:
    """
    The reports page's tables (or only the one named) for `actor`: counted now for a reader of
    few cases, else from a worker's count of them all (`report_run_for`), none while it is
    being counted.
    """
    if selectors.counts_quickly(actor):
        return Report(tables=build(actor, filters, only=only))
    run = report_run_for(actor=actor, filters=filters, language=language)
    kept = run.tables if run.is_done else []
    return Report(
        tables=[from_stored(table) for table in kept if only in (None, table["name"])], run=run
    )


def report_run_for(*, actor, filters: Filters, language: str, again: bool = False) -> ReportRun:
    """
    The count of the reports page for `actor` with `filters`, in `language`: the latest one
    asked for in the last FRESH_FOR that has not failed, or (none, or `again`) a new one, sent
    to a worker. Asked `again` while one is still being counted, that one: "Count again"
    pressed twice makes one count, not two. It counts what `actor` sees when it runs
    (`reports.tables.build` asks `visible_to`), and only `actor` is shown it: nothing here
    grants or refuses.
    """
    now = timezone.now()
    asked = {
        "requested_by": actor,
        "team": filters.team,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "language": language,
    }
    recent = ReportRun.objects.filter(**asked, requested_at__gte=now - FRESH_FOR).exclude(
        status=ReportRun.Status.FAILED
    )
    if again:
        recent = recent.exclude(status=ReportRun.Status.DONE)
    kept = recent.order_by("-requested_at").first()
    if kept is not None:
        return kept
    report_runs_purge_expired()
    run = ReportRun.objects.create(**asked, requested_at=now)
    _send(run)
    return run


def report_runs_purge_expired() -> int:
    """Delete the counts asked for more than KEPT_FOR ago (daily, and before each new one)."""
    deleted, _by_model = ReportRun.objects.filter(
        requested_at__lt=timezone.now() - KEPT_FOR
    ).delete()
    return deleted


def _send(run: ReportRun) -> None:
    from .tasks import count_report

    run_id = str(run.pk)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Development and tests: counted now, in this process, as a worker would.
        count_report.apply(args=[run_id], throw=True)
        run.refresh_from_db()
        return

    def send():
        try:
            count_report.delay(run_id)
        except Exception:
            # The broker is down: the run stays queued, the page says so, and asking again
            # after FRESH_FOR (or "Count again") sends another.
            logger.warning("Broker unavailable: report count %s stays queued", run_id)

    transaction.on_commit(send)


def report_run_count(*, run_id: str) -> None:
    """
    Count a run's tables as its reader sees them now, in the language she asked in, and keep
    them. A run already counted is not counted again (a task delivered twice); a count that
    fails is marked failed (the page offers to count again), its error logged without figures.
    """
    run = ReportRun.objects.select_related("requested_by", "team").filter(pk=run_id).first()
    if run is None or run.is_done:
        return
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.COUNTING)
    filters = Filters(date_from=run.date_from, date_to=run.date_to, team=run.team)
    try:
        with translation.override(run.language):
            tables = [stored(table) for table in build(run.requested_by, filters)]
    except Exception:
        logger.exception("Counting report %s failed", run.pk)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, finished_at=timezone.now()
        )
        return
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.DONE, tables=tables, finished_at=timezone.now()
    )
