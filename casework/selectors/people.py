"""
A person's statuses, benefits, family and consent history: the person page's and case page's reads
of one person or of a case's people.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from accounts.kept_sql import rows_of_shape, rows_of_shapes
from consent.models import Consent

from ..choices import RelationshipKind
from ..models import Case, CaseMember, Entitlement, LegalStatusRecord, Person, Relationship
from .corrections import records


def current_status(person: Person) -> LegalStatusRecord | None:
    """The open status record, or None when no status was ever recorded."""
    return LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).first()


def status_timeline(person: Person) -> QuerySet[LegalStatusRecord]:
    """Every status period of the person, oldest first; the last one is current if it is open."""
    return LegalStatusRecord.objects.filter(person=person).order_by("effective_from")


@dataclass(frozen=True)
class MemberStatus:
    person: Person
    role: str
    status: LegalStatusRecord | None


def case_people_with_status(case) -> list[MemberStatus]:
    """
    The people of a case with their role and current status, whatever their number in two
    queries sent together (one round trip on PostgreSQL): the statuses are those of the case's
    people, not of a list of people read first.
    """
    # Both queries' SQL compiled once per process (kept_sql): ≈ 5,000 Python calls a page.
    members, statuses = rows_of_shapes(
        ("case members", _case_members, [case.pk]),
        ("open statuses of a case", _open_statuses_of_case, [case.pk]),
    )
    people = {member.person_id: member.person for member in members}
    open_statuses = {person_id: [] for person_id in people}
    for status in statuses:
        # As a prefetch of the person's records gives them: each knows its person. (One who
        # joined the case between the two reads is not among the members: left out.)
        if status.person_id in people:
            status.person = people[status.person_id]
            open_statuses[status.person_id].append(status)
    return [
        MemberStatus(
            person=member.person,
            role=member.role,
            status=next(iter(open_statuses[member.person_id]), None),
        )
        for member in members
    ]


def _case_members(case_id) -> QuerySet[CaseMember]:
    return (
        CaseMember.objects.filter(case=case_id).select_related("person").order_by("added_at", "pk")
    )


def _open_statuses_of_case(case_id) -> QuerySet[LegalStatusRecord]:
    # In the model's order within one person (its `person` first would join every person's row
    # to order by the Person model's own order, to no effect on one person's records).
    people = CaseMember.objects.filter(case=case_id).values("person")
    return LegalStatusRecord.objects.filter(person__in=people, effective_to__isnull=True).order_by(
        "effective_from", "pk"
    )


def current_entitlements(person: Person) -> QuerySet[Entitlement]:
    """The latest record of each benefit the person sought, one per kind."""
    latest_of_kind = (
        Entitlement.objects.filter(person=OuterRef("person"), kind=OuterRef("kind"))
        .order_by(*Entitlement.LATEST_FIRST)
        .values("pk")[:1]
    )
    return Entitlement.objects.filter(person=person, pk=Subquery(latest_of_kind)).order_by("kind")


def entitlements_of(
    person: Person, *, include_voided: bool = False
) -> tuple[list[Entitlement], list[Entitlement]]:
    """
    The person's benefits now and their history, from one read of the history: now, the latest
    record in force of each kind, by kind (as `current_entitlements`); the history newest first,
    with the voided records for who asked to see them. The person page read both apart.
    """
    # Its SQL compiled once per process (kept_sql), given the person's id.
    history = rows_of_shape(
        f"benefits of a person:{include_voided}",
        lambda person_id: (
            records(Entitlement, include_voided=include_voided)
            .filter(person=person_id)
            .order_by("-as_of", "-recorded_at")
        ),
        person.pk,
    )
    latest = {}
    for record in history:
        # The order of current_entitlements: latest as of, then latest recorded, then highest key.
        best = latest.get(record.kind)
        if not record.is_voided and (
            best is None
            or (record.as_of, record.recorded_at, record.pk)
            > (best.as_of, best.recorded_at, best.pk)
        ):
            latest[record.kind] = record
    return [latest[kind] for kind in sorted(latest)], history


@dataclass(frozen=True)
class Partner:
    person: Person
    kind: str
    marriage_registered: bool | None


@dataclass(frozen=True)
class Family:
    parents: list[Person]
    partners: list[Partner]
    children: list[Person]
    ties: tuple = ()  # the ties themselves, for their Correct and Void actions


def family_of(person: Person, *, user, seen_cases=()) -> Family:
    """
    The person's parents, partners (with whether the marriage is registered) and children, as far
    as `user` may see them: a relative outside the user's cases is left out, not named.
    `seen_cases`: ids of cases the caller has just read through `visible_to(user)` (the case of
    the case page, the person's cases on the person page); a relative on one of them is seen
    without asking the rule again, which is then asked only of the relatives' other cases.
    """
    # Its SQL compiled once per process (kept_sql): the two people joined, ≈ 4,800 calls a page.
    # The memberships of everyone tied to the person are asked with the ties, in the same round
    # trip (a subquery of the ties, not a list of the people read first).
    ties, memberships = rows_of_shapes(
        ("family ties", _ties_of, [person.pk]),
        ("memberships of the tied", _memberships_of_the_tied, [person.pk]),
    )
    visible = _visible_among(
        {tie.from_person_id for tie in ties} | {tie.to_person_id for tie in ties},
        user=user,
        seen_cases=seen_cases,
        memberships=[(row["person_id"], row["case_id"]) for row in memberships],
    )
    parents, partners, children, shown = [], [], [], []
    for tie in ties:
        # As Relationship.objects.visible_to(user): a tie is shown when both its people are.
        if tie.from_person_id not in visible or tie.to_person_id not in visible:
            continue
        shown.append(tie)
        other = tie.to_person if tie.from_person_id == person.pk else tie.from_person
        if tie.kind == RelationshipKind.PARENT_OF:
            (children if tie.from_person_id == person.pk else parents).append(other)
        else:
            partners.append(
                Partner(person=other, kind=tie.kind, marriage_registered=tie.marriage_registered)
            )
    return Family(parents=parents, partners=partners, children=children, ties=tuple(shown))


def _ties_of(person_id) -> QuerySet[Relationship]:
    return (
        Relationship.objects.filter(Q(from_person=person_id) | Q(to_person=person_id))
        .select_related("from_person", "to_person")
        .order_by("created_at", "pk")
    )


def _memberships_of_the_tied(person_id) -> QuerySet[CaseMember]:
    """The memberships of the people of the person's ties (`_ties_of`), the person among them."""
    ties = Relationship.objects.filter(Q(from_person=person_id) | Q(to_person=person_id))
    # Either end of a tie, as a UNION: `IN (one) OR IN (other)` scanned every membership.
    people = ties.values("from_person").union(ties.values("to_person"), all=True)
    return CaseMember.objects.filter(person__in=people).values("person_id", "case_id")


# What the person page shows of the staff who recorded or witnessed a consent: their names only.
_CONSENT_STAFF_NAMES = ("username", "first_name", "last_name")


def consent_history_of(person: Person, *, user) -> tuple[list, set]:
    """
    The person's consent records, newest first (the first is the one in force,
    consent.checks.current_consent), with who recorded and witnessed each and the parent or
    guardian who answered; and the ids of those guardians `user` may see, who are named (the
    others by their reference only).

    The staff are joined by their names alone, and the guardians, whom few records have, read
    afterwards only when there are any, with whether the user may see each: joining every column
    of two users and of a person cost ~4,000 Python calls to compile on every person page, most
    of it for a guardian that is nearly always absent. Two queries when there are guardians, one
    otherwise, as before.
    """
    # Its SQL compiled once per process (kept_sql), given the person's id.
    consents = rows_of_shape("consent history", _consents_of, person.pk)
    guardian_ids = {consent.guardian_id for consent in consents if consent.guardian_id}
    if not guardian_ids:
        return consents, set()
    guardians = {
        guardian.pk: guardian
        for guardian in Person.objects.filter(pk__in=guardian_ids).annotate(
            shown=ExpressionWrapper(
                Q(pk__in=Person.objects.visible_to(user).values("pk")),
                output_field=models.BooleanField(),
            )
        )
    }
    for consent in consents:
        if consent.guardian_id:
            consent.guardian = guardians[consent.guardian_id]
    return consents, {pk for pk, guardian in guardians.items() if guardian.shown}


def _consents_of(person_id) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person=person_id)
        .select_related("recorded_by", "witnessed_by_user")
        .only(
            *(f.attname for f in Consent._meta.concrete_fields),
            *(
                f"{staff}__{name}"
                for staff in ("recorded_by", "witnessed_by_user")
                for name in _CONSENT_STAFF_NAMES
            ),
        )
        .order_by("-recorded_at", "-pk")
    )


def _visible_among(person_ids: set, *, user, memberships: list, seen_cases=()) -> set:
    """
    Which of a few people `user` may see (a member of a case visible to them), found from their
    own cases, `memberships` ((person id, case id) of at least these people): the same rule as
    Person.objects.visible_to(user), without hashing every member of every visible case first
    (8 ms for a caseworker with 7,500 cases, against ~2 ms). Cases in `seen_cases` were read
    through `visible_to(user)` by the caller in this request; the rule is asked only about the
    others, and not at all when every relative is on one of those (the usual family, all on one
    case): compiling the rule's subqueries cost more than the query.
    """
    if not person_ids:
        return set()
    memberships = [(pk, case_id) for pk, case_id in memberships if pk in person_ids]
    seen = set(seen_cases)
    seen_people = {person_id for person_id, case_id in memberships if case_id in seen}
    unknown = {case_id for person_id, case_id in memberships if person_id not in seen_people}
    if unknown:
        seen |= set(
            Case.objects.visible_to(user).filter(pk__in=unknown).values_list("pk", flat=True)
        )
    return {person_id for person_id, case_id in memberships if case_id in seen}
