"""
The case list's reads: cases narrowed by a member's status or refused benefit, and what a list
of cases shows (the team, the number of members, the principals).
"""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from accounts.kept_sql import keys_padded, of_user, rows_of_shape

from ..choices import EntitlementStatus, MemberRole
from ..models import Case, CaseMember, Entitlement, LegalStatusRecord


def latest_entitlements(
    as_of: datetime.date | None = None, *, of_few: QuerySet | None = None
) -> QuerySet[Entitlement]:
    """
    Every person's situation: the latest record of each benefit, for everyone (by `as_of`, then
    `recorded_at`, then id); with `as_of`, the latest of those dated by then. `of_few`: the ids
    of a few people (a caseworker's), to whose records the query is kept.
    """
    dated = (
        Entitlement.objects.all() if as_of is None else Entitlement.objects.filter(as_of__lte=as_of)
    )
    if of_few is not None:
        # Their records ranked among themselves, so that the query starts from the people: the
        # anti-join below is planned as one pass over every record (2.4 s at a million people
        # for a caseworker's 124), which PostgreSQL would not move below the people's semi-join.
        ranked = dated.filter(person__in=of_few).annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("person"), F("kind")],
                order_by=[F(name.removeprefix("-")).desc() for name in Entitlement.LATEST_FIRST],
            )
        )
        return Entitlement.objects.filter(pk__in=ranked.filter(place=1).values("pk"))
    # "No later record of the same person and benefit", not "the first of theirs, latest first"
    # (`pk = (SELECT ... LIMIT 1)`), which PostgreSQL cannot estimate: it guessed one record in
    # 200 and started the reports' count of refusals from every refusal ever recorded, asking
    # each whether it was the latest and its person counted (1.0-1.9 s at 100,000 people, for
    # any reader). This it plans as an anti-join, a hashed pass over the records.
    later = dated.filter(person=OuterRef("person"), kind=OuterRef("kind")).filter(
        Q(as_of__gt=OuterRef("as_of"))
        | Q(as_of=OuterRef("as_of"), recorded_at__gt=OuterRef("recorded_at"))
        | Q(as_of=OuterRef("as_of"), recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    return dated.exclude(Exists(later))


def latest_entitlement_of(as_of: datetime.date, **match) -> QuerySet[Entitlement]:
    """
    The latest record on `as_of` of the benefit `match` names, for a row of another query
    (`person=OuterRef("pk")`, a kind): the ids, latest first; take the first.
    """
    return (
        Entitlement.objects.filter(as_of__lte=as_of, **match)
        .order_by(*Entitlement.LATEST_FIRST)
        .values("pk")
    )


def cases_with_member_status(status: str) -> QuerySet[Case]:
    """Cases with a member whose current legal status is `status` (not scoped: intersect it)."""
    current = LegalStatusRecord.objects.filter(status=status, effective_to__isnull=True)
    members = CaseMember.objects.filter(person__in=current.values("person"))
    return Case.objects.filter(pk__in=members.values("case"))


def cases_with_entitlement_denied(kind: str, *, member_role: str | None = None) -> QuerySet[Case]:
    """
    Cases with a member (in `member_role`, if given) whose present record for benefit `kind` is a
    denial: with kind household_registration and role child, the children without hukou.
    Not scoped: intersect it with a visible queryset.
    """
    denied = latest_entitlements().filter(kind=kind, status=EntitlementStatus.DENIED)
    members = CaseMember.objects.filter(person__in=denied.values("person"))
    if member_role:
        members = members.filter(role=member_role)
    return Case.objects.filter(pk__in=members.values("case"))


def cases_for_listing(cases: QuerySet[Case]) -> QuerySet[Case]:
    """
    `cases` with what a list shows: the team, `member_count`, and `principals` (the principal
    members with their person), in a fixed number of queries whatever the page size.
    """
    return cases_with_member_count(cases).prefetch_related(
        Prefetch("members", queryset=_principals(), to_attr="principals")
    )


def _principals() -> QuerySet[CaseMember]:
    # Only the principal's name is shown: a whole person (eighteen columns, seven of them
    # sealed) built for each of a page's fifty principals was ~40 % of the list's Python.
    return (
        CaseMember.objects.filter(role=MemberRole.PRINCIPAL)
        .select_related("person")
        .only("case", "person", "person__full_name")
        .order_by("added_at", "pk")
    )


def with_principals(cases: list[Case]) -> list[Case]:
    """
    `cases`, each given `principals` as `cases_for_listing`'s prefetch gives them, read by a
    query whose SQL is kept per number of cases (kept_sql): the dashboard's fifty cases'
    prefetch built and compiled its query on every visit (and the case list's page, unfiltered).
    """
    if not cases:
        return cases
    by_case = {case.pk: [] for case in cases}
    found = rows_of_shape(
        "principals of cases", lambda *keys: _principals().filter(case__in=keys), *by_case
    )
    for member in found:
        by_case[member.case_id].append(member)
    for case in cases:
        case.principals = by_case[case.pk]
    return cases


def cases_listed(user, ids) -> list[Case]:
    """
    The cases of `ids` that `user` sees, in the order of `ids`, with what a list shows (as
    `cases_for_listing` gives them): a searched page's cases, read by SQL kept per user and
    padded number of ids (kept_sql), and narrowed by the visibility rule again.
    """
    if not ids:
        return []
    found = rows_of_shape(
        of_user("cases listed by id", user),
        lambda *keys: cases_with_member_count(
            Case.objects.visible_to(user, probed=True).filter(pk__in=keys)
        ),
        *keys_padded(list(ids)),
    )
    by_id = {case.pk: case for case in found}
    return with_principals([by_id[pk] for pk in ids if pk in by_id])


def cases_with_member_count(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cases` with their team and `member_count` (`cases_for_listing` without the principals)."""
    # A correlated count rather than a join with GROUP BY: PostgreSQL evaluates it only for the
    # rows of the page (after ORDER BY ... LIMIT), and the paginator's count() drops it.
    member_count = (
        CaseMember.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.select_related("team").annotate(member_count=Coalesce(Subquery(member_count), 0))
