"""Reads of the audit trail for pages: who viewed a case."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q

from .models import AuditEvent

PERSON_MODEL = "casework.Person"
# Seeing a record: opening its page or downloading its files.
SEEING = (AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD)


@dataclass(frozen=True)
class CaseViewer:
    user: object | None  # None once the account is deleted; the username stays
    username: str
    last_viewed_at: datetime.datetime
    views: int


def case_viewers(case) -> list[CaseViewer]:
    """The staff who viewed a case or one of its people, most recent first, with their last view."""
    CaseMember = apps.get_model("casework", "CaseMember")
    person_ids = [
        str(pk)
        for pk in CaseMember.objects.filter(case_id=case.pk).values_list("person_id", flat=True)
    ]
    person_type = apps.get_model(PERSON_MODEL)._meta.label_lower
    rows = (
        AuditEvent.objects.filter(action__in=SEEING, actor__isnull=False)
        .filter(Q(case_id=case.pk) | Q(target_type=person_type, target_id__in=person_ids))
        .values("actor")
        .annotate(
            last_viewed_at=Max("occurred_at"),
            views=Count("sequence"),
            snapshot=Max("actor_username"),
        )
        .order_by("-last_viewed_at")
    )
    rows = list(rows)
    users = get_user_model().objects.in_bulk([row["actor"] for row in rows])
    viewers = []
    for row in rows:
        user = users.get(row["actor"])
        viewers.append(
            CaseViewer(
                user=user,
                username=user.get_username() if user else row["snapshot"],
                last_viewed_at=row["last_viewed_at"],
                views=row["views"],
            )
        )
    return viewers
