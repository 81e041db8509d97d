"""
Reads of the audit trail that need casework's rules: which events a user may read, and who viewed
a case.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from accounts import roles
from accounts.kept_sql import keys_padded, rows_of_shape
from audit.models import AuditEvent

from ..models import Case, CaseMember, Person


def audit_events_visible_to(events, user):
    """
    The audit events `user` may read (audit.models calls it, through SHIMTEO_AUDIT_VISIBILITY):
    superusers the whole trail; supervisors the events of their teams' cases, taken from the cases
    `Case.objects.visible_to` already lets them see, and the events about a team rather than a
    case (an administrator's change of its accounts or roles, which name the team in their
    detail). Everyone else reads none.
    """
    if not (user and user.is_authenticated and user.is_active):
        return events.none()
    if user.is_superuser:
        return events.all()
    teams = roles.supervised_teams(user)
    cases = Case.objects.visible_to(user).filter(team__in=teams)
    team_ids = list(teams.values_list("pk", flat=True))
    visible = Q(case_id__in=cases.values("pk"))
    if team_ids:
        visible |= Q(case_id__isnull=True, detail__team__in=team_ids)
    return events.filter(visible)


# Who viewed a case: read from the audit trail, which knows no case; the case's people are ours.

# Seeing a record: opening its page or downloading its files.
SEEING = (AuditEvent.Action.VIEW, AuditEvent.Action.DOWNLOAD)


@dataclass(frozen=True)
class CaseViewer:
    actor_id: int
    username: str  # the account's, or the one the audit kept once the account is deleted
    last_viewed_at: datetime.datetime
    views: int


def case_viewers(case, *, people=None) -> list[CaseViewer]:
    """
    The staff who viewed a case or one of its people, most recent first, with their last view.
    `people`: the case's people when the caller has them already (the case page), else read.
    """
    if people is None:
        people = CaseMember.objects.filter(case_id=case.pk).values_list("person_id", flat=True)
    else:
        people = [person.pk for person in people]
    person_ids = [str(pk) for pk in people]
    # Its SQL compiled once per process and number of people (kept_sql): ≈ 2,500 calls a page.
    rows = rows_of_shape("case viewers", _views_of, case.pk, *keys_padded(person_ids))
    return [
        CaseViewer(
            actor_id=row["actor"],
            username=row["username"] or row["snapshot"],
            last_viewed_at=row["last_viewed_at"],
            views=row["views"],
        )
        for row in rows
    ]


class _OfGroup(Subquery):
    """
    A subquery of a grouped query's row, asked once a group (of the columns it names, already
    grouped) and not a group itself: as a plain `Subquery`, Django would group by it, and the
    database run it for every row before grouping. A join instead would drop the rows of
    deleted accounts (the actor has no constraint; Django joins a non-null key as inner).
    """

    def get_group_by_cols(self):
        return []


def _views_of(case_id, *person_ids) -> QuerySet:
    """
    Who viewed the case or its people: per user, their last view and how many, and their
    username now (asked in the same query, not read in one of its own; none once the account
    is deleted).
    """
    return (
        AuditEvent.objects.filter(action__in=SEEING, actor_id__isnull=False)
        .filter(
            Q(case_id=case_id) | Q(target_type=Person._meta.label_lower, target_id__in=person_ids)
        )
        .values("actor")
        .annotate(
            last_viewed_at=Max("occurred_at"),
            views=Count("sequence"),
            snapshot=Max("actor_username"),
            username=_OfGroup(
                get_user_model()
                .objects.filter(pk=OuterRef("actor"))
                .values(get_user_model().USERNAME_FIELD)
            ),
        )
        .order_by("-last_viewed_at")
    )
