"""
Retention: people whose every case closed more than SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE years
ago keep only anonymised facts (sex, birth year, nationality, role, region, statuses, benefits,
incidents); their identifying details are erased by the same code that erases them when a person
withdraws consent to storing their data.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record
from casework import erasure
from casework.choices import CaseStatus
from casework.models import Attachment, Case, Person
from consent.models import ErasureReason
from legal_aid.models import AdvocacyDocument

logger = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    years: int
    cutoff: datetime.date
    eligible: int = 0
    erased: int = 0
    attachments: int = 0
    dry_run: bool = False


def retention_cutoff(*, years: int, today: datetime.date | None = None) -> datetime.date:
    """The closing date before which a case counts as closed long enough (29 Feb → 28 Feb)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def people_past_retention(cutoff: datetime.date):
    """
    People in at least one case, every one of which is closed and closed before `cutoff`. People
    in no case at all (a relative known only through a tie) are not touched: nothing closed.
    """
    not_finished = Case.objects.exclude(status=CaseStatus.CLOSED, closed_on__lt=cutoff)
    return (
        Person.objects.filter(memberships__isnull=False)
        .exclude(memberships__case__in=not_finished)
        .distinct()
        .order_by("reference")
    )


def still_identifiable(person) -> bool:
    """Whether anything erasable is left: erased people are skipped, so runs can repeat."""
    values = [getattr(person, name) for name in erasure.ERASED_PERSON_FIELDS]
    return (
        any(value not in (None, "", person.reference) for value in values)
        or person.aliases.exists()
        or Attachment.objects.filter(person=person).exists()
        # A document about them still standing (erased before erasure withdrew documents).
        or AdvocacyDocument.objects.filter(subject=person)
        .exclude(status=AdvocacyDocument.Status.WITHDRAWN)
        .exists()
    )


def retention_apply(*, dry_run: bool = False, years: int | None = None, actor=None):
    """
    Erase the identifying details of everyone past the retention period, one person per
    transaction with its audit events. `dry_run` counts and changes nothing (nor audits).
    """
    years = settings.SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE if years is None else years
    report = RetentionReport(years=years, cutoff=retention_cutoff(years=years), dry_run=dry_run)
    for person in people_past_retention(report.cutoff).iterator(chunk_size=200):
        if not still_identifiable(person):
            continue
        report.eligible += 1
        report.attachments += Attachment.objects.filter(person=person).count()
        if dry_run:
            continue
        with transaction.atomic():
            locked = Person.objects.select_for_update().get(pk=person.pk)
            record(actor, "update", locked, retention=True, years_after_closure=years)
            erasure.person_erase_identifying_details(
                person=locked, actor=actor, because=ErasureReason.RETENTION
            )
        report.erased += 1
    if not dry_run and report.erased:
        with transaction.atomic():
            record(
                actor,
                "update",
                Person,
                retention=True,
                years_after_closure=years,
                people_erased=report.erased,
                attachments_deleted=report.attachments,
            )
    logger.info(
        "Retention %s",
        "dry run" if dry_run else "applied",
        extra={"eligible": report.eligible, "erased": report.erased, "years": years},
    )
    return report
