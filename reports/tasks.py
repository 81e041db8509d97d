"""Celery tasks of the reports: a thin wrapper around `services.report_run_count`."""

from celery import shared_task

from . import services


@shared_task(name="reports.count_report", acks_late=True)
def count_report(run_id: str) -> str:
    services.report_run_count(run_id=run_id)
    return run_id
