"""
The reports' counts. Every query starts from the visibility rule (`visible_to(user)`), narrows to
the chosen team, and counts only people whose consent in force allows statistics. Counting is
done by the database on coded, unencrypted columns: nothing here decrypts a field.
"""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Team
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
)
from casework.models import (
    Case,
    CaseMember,
    CaseNote,
    Incident,
    LegalStatusRecord,
    Person,
    Task,
)
from casework.querysets import few_cases_granted
from casework.selectors.case_list import latest_entitlement_of, latest_entitlements
from consent.checks import people_allowing
from referrals.models import Referral

from .periods import Period

STATISTICS_SCOPE = "statistics"

# How a detention ended, as far as the records say (see `detentions`).
DEPORTED = "deported"
RELEASED = "released"
STILL_DETAINED = "still_detained"
DIED = "died"
UNKNOWN = "unknown"
OUTCOMES = (DEPORTED, RELEASED, STILL_DETAINED, DIED, UNKNOWN)

# Columns of the children-without-registration table: the latest household-registration record.
REFUSED = "refused"
PENDING = "pending"
NO_RECORD = "no_record"
REGISTRATION_STATES = (REFUSED, PENDING, NO_RECORD)


@dataclass(frozen=True)
class Scope:
    """What a report counts: the cases seen, and their people who allow statistics."""

    cases: QuerySet
    people: QuerySet
    # Whether the cases are a reader's few (`few_cases_granted`): a count may then start from
    # their people, where for many it reads every row once.
    few: bool = False


def teams_of(user) -> QuerySet:
    """The teams a user may narrow a report to: those they belong to."""
    return Team.objects.filter(memberships__user=user).distinct().order_by("name")


def scope_for(user, *, team: Team | None = None) -> Scope:
    cases = Case.objects.visible_to(user)
    if team is not None:
        cases = cases.filter(team=team)
    few = few_cases_granted(user)
    if few is not None:
        # A caseworker's few cases, named: each count starts from them and their people, where
        # the rule alone (a condition PostgreSQL cannot estimate) had it walk every case.
        cases = cases.among_cases(few)
    people = Person.objects.visible_to(user)
    if team is not None or few is not None:
        # The members of the cases counted; unnarrowed, they are the people seen, and naming
        # them twice had PostgreSQL gather them twice.
        people = people.among_cases(cases.values("pk"))
    return Scope(cases=cases, people=people_allowing(people, STATISTICS_SCOPE), few=few is not None)


def counts_quickly(user) -> bool:
    """
    Whether `user`'s reports are counted while the page is made: a reader of few cases, whose
    counts start from them (`scope_for`). A reader of many has them counted by a worker
    (`reports.services.report_for`), since hers grow with the caseload.
    """
    return few_cases_granted(user) is not None


def _covers(day: datetime.date, prefix: str = "") -> Q:
    """A status period [effective_from, effective_to) that includes `day`."""
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gt": day})
    )


def people_by_status(scope: Scope, periods: list[Period]) -> dict[tuple[str, int], int]:
    """
    {(status, period index): people} — the people whose status period covers the last day of
    each period (a period ends the day before the next status began).
    """
    annotations = {
        f"p{index}": Count("person", filter=_covers(period.end), distinct=True)
        for index, period in enumerate(periods)
    }
    rows = (
        LegalStatusRecord.objects.filter(person__in=scope.people.values("pk"))
        .order_by()
        .values("status")
        .annotate(**annotations)
    )
    return {
        (row["status"], index): row[f"p{index}"]
        for row in rows
        for index in range(len(periods))
        if row[f"p{index}"]
    }


def entitlements_refused(scope: Scope, *, as_of: datetime.date) -> dict[tuple[str, str], int]:
    """
    {(benefit, person role): people} — people whose latest record of that benefit on `as_of`
    is a refusal. A later grant ends the refusal; an earlier refusal later granted is not counted.
    """
    rows = (
        latest_entitlements(as_of, of_few=scope.people.values("pk") if scope.few else None)
        .filter(person__in=scope.people.values("pk"), status=EntitlementStatus.DENIED)
        .order_by()
        .values("kind", "person__role")
        .annotate(n=Count("person", distinct=True))
    )
    return {(row["kind"], row["person__role"]): row["n"] for row in rows}


def incidents_by_kind(scope: Scope, periods: list[Period]) -> dict[tuple[str, int], int]:
    """
    {(incident kind, period index): incidents} — incidents of the scope's cases dated in each
    period that involve at least one person counted in statistics.
    """
    involving = Incident.people.through.objects.filter(person__in=scope.people.values("pk")).values(
        "incident"
    )
    annotations = {
        f"p{index}": Count(
            "pk", filter=Q(occurred_on__gte=period.start, occurred_on__lte=period.end)
        )
        for index, period in enumerate(periods)
    }
    rows = (
        Incident.objects.filter(case__in=scope.cases.values("pk"), pk__in=involving)
        .order_by()
        .values("kind")
        .annotate(**annotations)
    )
    return {
        (row["kind"], index): row[f"p{index}"]
        for row in rows
        for index in range(len(periods))
        if row[f"p{index}"]
    }


def children_without_registration(
    scope: Scope, *, as_of: datetime.date
) -> dict[tuple[int | None, str], int]:
    """
    {(birth year or None, state): children}. A child (a person with the role "child") is without
    registration on `as_of` when their latest household-registration record by then is not a
    grant (or there is none) and their legal status that day is not "Child registered (hukou)".
    The state is that latest record: refused, pending, or no record (none, not sought, unknown).
    """
    latest_status = Subquery(
        latest_entitlement_of(
            as_of, person=OuterRef("pk"), kind=EntitlementKind.HOUSEHOLD_REGISTRATION
        ).values("status")[:1]
    )
    registered = LegalStatusRecord.objects.filter(
        _covers(as_of), person=OuterRef("pk"), status=LegalStatus.CHILD_REGISTERED
    )
    # Grouped by the latest record's status as it is and named here, so that PostgreSQL looks
    # the record up once per child: a CASE over it in SQL repeated the lookup for each branch
    # and again for the grouping (0.9 s of the table's 1.2 s at 100,000 people). A child with no
    # record groups under NULL, which is "no record" like a record of none or not sought.
    rows = (
        scope.people.filter(role=PersonRole.CHILD)
        .exclude(Exists(registered))
        .annotate(hukou=latest_status)
        .order_by()
        .values("birth_year", "hukou")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[int | None, str], int] = {}
    for row in rows:
        if row["hukou"] == EntitlementStatus.GRANTED:
            continue
        state = _REGISTRATION_STATE.get(row["hukou"], NO_RECORD)
        counts[row["birth_year"], state] = counts.get((row["birth_year"], state), 0) + row["n"]
    return counts


# The state of a child without registration, by the status of their latest record.
_REGISTRATION_STATE = {EntitlementStatus.DENIED: REFUSED, EntitlementStatus.PENDING: PENDING}


def detentions(scope: Scope, *, date_from: datetime.date, date_to: datetime.date) -> dict[str, int]:
    """
    {outcome: detentions}, as the records stand on `date_to`. A detention is a "Detained in China"
    status period that began in the period, or a detention incident in the period for a person
    with no such status that day. Its outcome, first that applies:
    deported — a deportation incident for the person from the detention's start to `date_to`,
    or the next status is "Repatriated"; still detained — the status period had not ended by
    `date_to`; died — the next status is "Deceased"; unknown — no next status recorded, or it is
    "Unknown"; released — any other next status. An incident-only detention is deported or
    unknown.
    """
    people = scope.people.values("pk")
    deportation = Incident.objects.filter(
        case__in=scope.cases.values("pk"),
        kind=IncidentKind.DEPORTATION,
        occurred_on__lte=date_to,
    )
    next_status = LegalStatusRecord.objects.filter(
        person=OuterRef("person"), effective_from=OuterRef("effective_to")
    ).values("status")[:1]
    by_status = (
        LegalStatusRecord.objects.filter(
            person__in=people,
            status=LegalStatus.DETAINED_CN,
            effective_from__gte=date_from,
            effective_from__lte=date_to,
        )
        .annotate(
            following=Subquery(next_status),
            deported=Exists(
                deportation.filter(
                    people=OuterRef("person"), occurred_on__gte=OuterRef("effective_from")
                )
            ),
        )
        .annotate(
            outcome=SqlCase(
                When(deported=True, then=Value(DEPORTED)),
                When(
                    Q(effective_to__isnull=True) | Q(effective_to__gt=date_to),
                    then=Value(STILL_DETAINED),
                ),
                When(following=LegalStatus.REPATRIATED, then=Value(DEPORTED)),
                When(following=LegalStatus.DECEASED, then=Value(DIED)),
                When(
                    Q(following__isnull=True) | Q(following=LegalStatus.UNKNOWN),
                    then=Value(UNKNOWN),
                ),
                default=Value(RELEASED),
            )
        )
        .order_by()
        .values("outcome")
        .annotate(n=Count("pk"))
    )
    counts = {row["outcome"]: row["n"] for row in by_status}

    Involvement = Incident.people.through
    detained_that_day = LegalStatusRecord.objects.filter(
        person=OuterRef("person"),
        status=LegalStatus.DETAINED_CN,
        effective_from__lte=OuterRef("incident__occurred_on"),
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=OuterRef("incident__occurred_on")))
    by_incident = (
        Involvement.objects.filter(
            person__in=people,
            incident__case__in=scope.cases.values("pk"),
            incident__kind=IncidentKind.DETENTION,
            incident__occurred_on__gte=date_from,
            incident__occurred_on__lte=date_to,
        )
        .exclude(Exists(detained_that_day))
        .annotate(
            deported=Exists(
                deportation.filter(
                    people=OuterRef("person"), occurred_on__gte=OuterRef("incident__occurred_on")
                )
            )
        )
        .order_by()
        .values("deported")
        .annotate(n=Count("pk"))
    )
    for row in by_incident:
        outcome = DEPORTED if row["deported"] else UNKNOWN
        counts[outcome] = counts.get(outcome, 0) + row["n"]
    return counts


@dataclass(frozen=True)
class FollowUps:
    opened: dict[int, int]  # period index -> cases opened
    followed: dict[int, int]  # period index -> of those, cases followed up by the report's end
    days: dict[int, list[int]]  # period index -> days to the first follow-up, one per case

    def median(self, index: int | None = None) -> float | None:
        values = (
            self.days.get(index, [])
            if index is not None
            else [d for group in self.days.values() for d in group]
        )
        return statistics.median(values) if values else None


def follow_ups(scope: Scope, periods: list[Period]) -> FollowUps:
    """
    Time from intake to first follow-up. A case counts when its principal member allows
    statistics; its intake is the day it was opened (`Case.opened_on`); its first follow-up is
    the earliest task created or note written on it, up to the report's last day. Days before
    the opening (a case entered after the fact) count as zero.
    """
    if not periods:
        return FollowUps(opened={}, followed={}, days={})
    last = periods[-1].end
    counted = CaseMember.objects.filter(
        role=MemberRole.PRINCIPAL, person__in=scope.people.values("pk")
    ).values("case")
    first_task = (
        Task.objects.filter(case=OuterRef("pk"), created_at__date__lte=last)
        .order_by()
        .values("case")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    first_note = (
        CaseNote.objects.filter(case=OuterRef("pk"), created_at__date__lte=last)
        .order_by()
        .values("case")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    cases = (
        Case.objects.filter(
            pk__in=scope.cases.values("pk"),
            opened_on__gte=periods[0].start,
            opened_on__lte=last,
        )
        .filter(pk__in=counted)
        .annotate(first_task=Subquery(first_task), first_note=Subquery(first_note))
    )
    in_period = {
        index: Q(opened_on__gte=period.start, opened_on__lte=period.end)
        for index, period in enumerate(periods)
    }
    followed_up = Q(first_task__isnull=False) | Q(first_note__isnull=False)
    totals = cases.order_by().aggregate(
        **{f"opened{i}": Count("pk", filter=q) for i, q in in_period.items()},
        **{f"followed{i}": Count("pk", filter=q & followed_up) for i, q in in_period.items()},
    )
    days: dict[int, list[int]] = {}
    rows = cases.filter(followed_up).order_by().values_list("opened_on", "first_task", "first_note")
    for opened_on, first_task_at, first_note_at in rows:
        first = min(moment for moment in (first_task_at, first_note_at) if moment is not None)
        index = next(
            i for i, period in enumerate(periods) if period.start <= opened_on <= period.end
        )
        days.setdefault(index, []).append(max(0, (timezone.localdate(first) - opened_on).days))
    return FollowUps(
        opened={i: totals[f"opened{i}"] for i in in_period},
        followed={i: totals[f"followed{i}"] for i in in_period},
        days=days,
    )


def referrals_by(
    scope: Scope, field: str, *, date_from: datetime.date, date_to: datetime.date
) -> dict[str, int]:
    """
    {value of `field`: referrals} — the referrals made in the period, of the people who allow
    statistics, on the cases seen; `field` is "service", "provider__kind" or "status" (what came
    of it so far: completed, declined, cancelled, or still open).
    """
    referrals = Referral.objects.filter(
        case__in=scope.cases.values("pk"),
        person__in=scope.people.values("pk"),
        referred_on__gte=date_from,
        referred_on__lte=date_to,
    )
    rows = referrals.order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}
