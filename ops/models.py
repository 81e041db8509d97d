from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRun(models.Model):
    """
    One Celery task, as the worker ran it: for the administrators' task metrics. Names, times
    and outcomes only; never a task's arguments, which may name a person.
    """

    class State(models.TextChoices):
        STARTED = "started", _("Started")
        SUCCEEDED = "succeeded", _("Succeeded")
        RETRIED = "retried", _("Retried")
        FAILED = "failed", _("Failed")

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    name = models.CharField(_("task"), max_length=200, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error type"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        indexes = [models.Index(fields=["name", "state", "started_at"])]

    def __str__(self):
        return f"{self.name} {self.task_id}"
