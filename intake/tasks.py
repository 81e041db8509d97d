"""Celery tasks of the intake: thin wrappers that run the import services on a worker."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from .importing import dry_run, writing
from .models import ImportBatch


@shared_task(name="intake.import_check")
def import_check(batch_id: str) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    return dry_run.import_check(batch=batch).status


@shared_task(name="intake.import_run")
def import_run(batch_id: str, actor_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = get_user_model().objects.get(pk=actor_id)
    return writing.import_run(batch=batch, actor=actor).status


def dispatch(task, *args) -> None:
    """
    Run `task` on a worker once the current transaction commits (the worker must find the
    batch), or in this process now when Celery runs eagerly (development and tests).
    """
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        task.apply(args=args, throw=True)
    else:
        transaction.on_commit(lambda: task.delay(*args))
