"""
A count of the reports page made on a worker (`ReportRun`), for a reader of many cases.

A reader of a few cases has her figures counted while the page is made (a tenth of a second at
any size). A supervisor's figures count every person her team holds, which grows with the
caseload: seconds at 100,000 people, 15 to 27 at a million. Counted in the request, that held a
web worker (one of two on a small server) for as long, and every caseworker's page waited behind
it. So her count runs on a worker (on the read replica when there is one), and the page shows
its result, saying when it was counted, for a few minutes, or says that it is being counted.

A run holds the published tables only: labels and the counts left after small-count
suppression, never a person or a record. It is kept for a day (`reports.services`), read only
by whoever asked for it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from vault.models import UUIDModel


class ReportRun(UUIDModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be counted")
        COUNTING = "counting", _("Being counted")
        DONE = "done", _("Counted")
        FAILED = "failed", _("The count failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    # The filters counted, as the page's form gives them (`reports.tables.Filters`).
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("team")
    )
    date_from = models.DateField(_("first day counted"))
    date_to = models.DateField(_("last day counted"))
    # The tables' labels are written in the language of the page that asked.
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    finished_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    # The published tables (`reports.tables.stored` / `from_stored`), once counted.
    tables = models.JSONField(_("tables"), default=list, blank=True)

    class Meta:
        verbose_name = _("report count")
        verbose_name_plural = _("report counts")
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self):
        return f"{self.requested_by_id} {self.date_from} to {self.date_to} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_waiting(self) -> bool:
        """Queued or being counted: the page says so and asks again."""
        return not (self.is_done or self.is_failed)
