"""
Task metrics: each task run is kept as a TaskRun (from Celery's signals), and summed for the
administrators' page. Recording never makes a task fail: a metrics write that fails is logged.
"""

import logging
import time

from celery import signals
from django.db import transaction
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from .logging import request_id

logger = logging.getLogger(__name__)

_started: dict[str, float] = {}


def _safely(write):
    try:
        with transaction.atomic():
            write()
    except Exception as error:
        logger.warning("Task metrics not recorded (%s)", type(error).__name__)


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    from .models import TaskRun

    # Log lines written while the task runs carry its id, as a request's carry the request id;
    # a task run eagerly inside a request keeps the request's.
    if not getattr(task.request, "is_eager", False):
        request_id.set(task_id or "-")
    _started[task_id] = time.monotonic()
    hostname = getattr(task.request, "hostname", None) or ""

    def write():
        run, created = TaskRun.objects.get_or_create(
            task_id=task_id,
            defaults={
                "name": task.name,
                "state": TaskRun.State.STARTED,
                "started_at": timezone.now(),
                "worker": hostname,
            },
        )
        if not created:
            # A redelivery (a worker died) or a retry: the same task, one more attempt.
            run.attempts += 1
            run.state, run.worker, run.error = TaskRun.State.STARTED, hostname, ""
            run.save(update_fields=["attempts", "state", "worker", "error"])

    _safely(write)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, retval=None, **kwargs):
    from .models import TaskRun

    started = _started.pop(task_id, None)
    outcome = {
        "SUCCESS": TaskRun.State.SUCCEEDED,
        "RETRY": TaskRun.State.RETRIED,
        "FAILURE": TaskRun.State.FAILED,
    }.get(state, TaskRun.State.FAILED)
    fields = {"state": outcome, "finished_at": timezone.now()}
    if started is not None:
        fields["duration_ms"] = int((time.monotonic() - started) * 1000)
    if outcome == TaskRun.State.FAILED and isinstance(retval, BaseException):
        fields["error"] = type(retval).__name__
    _safely(lambda: TaskRun.objects.filter(task_id=task_id).update(**fields))
    if not getattr(task.request, "is_eager", False):
        request_id.set("-")


def task_summary(*, since=None) -> list[dict]:
    """Per task name: runs, successes, retries, failures, average and longest duration."""
    from .models import TaskRun

    runs = TaskRun.objects.all()
    if since is not None:
        runs = runs.filter(started_at__gte=since)
    State = TaskRun.State
    return list(
        runs.values("name")
        .annotate(
            runs=Count("pk"),
            succeeded=Count("pk", filter=Q(state=State.SUCCEEDED)),
            retried=Count("pk", filter=Q(state=State.RETRIED)),
            failed=Count("pk", filter=Q(state=State.FAILED)),
            running=Count("pk", filter=Q(state=State.STARTED)),
            average_ms=Avg("duration_ms"),
            longest_ms=Max("duration_ms"),
        )
        .order_by("name")
    )


def document_summary() -> list[dict]:
    """Advocacy documents by status: a growing "queued" count means the PDF workers are down."""
    from legal_aid.models import AdvocacyDocument

    counts = dict(
        AdvocacyDocument.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        {"status": label, "count": counts.get(value, 0)}
        for value, label in AdvocacyDocument.Status.choices
    ]
