"""
Read queries over the casework records. Callers pass people and cases they obtained through
`visible_to(user)`; selectors that reach beyond them (to relatives, to a search) take the user.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from .choices import RelationshipKind
from .models import CaseMember, Entitlement, LegalStatusRecord, Person, Relationship


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
    """The people of a case with their role and current status, in two queries whatever their number."""
    open_statuses = LegalStatusRecord.objects.filter(effective_to__isnull=True)
    members = (
        CaseMember.objects.filter(case=case)
        .select_related("person")
        .prefetch_related(
            Prefetch("person__status_records", queryset=open_statuses, to_attr="open_statuses")
        )
        .order_by("added_at", "pk")
    )
    return [
        MemberStatus(
            person=member.person,
            role=member.role,
            status=next(iter(member.person.open_statuses), None),
        )
        for member in members
    ]


def current_entitlements(person: Person) -> QuerySet[Entitlement]:
    """The latest record of each benefit the person sought, one per kind."""
    latest_of_kind = (
        Entitlement.objects.filter(person=OuterRef("person"), kind=OuterRef("kind"))
        .order_by("-as_of", "-recorded_at", "-pk")
        .values("pk")[:1]
    )
    return Entitlement.objects.filter(person=person, pk=Subquery(latest_of_kind)).order_by("kind")


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


def family_of(person: Person, *, user) -> Family:
    """
    The person's parents, partners (with whether the marriage is registered) and children, as far
    as `user` may see them: a relative outside the user's cases is left out, not named.
    """
    ties = (
        Relationship.objects.visible_to(user)
        .filter(Q(from_person=person) | Q(to_person=person))
        .select_related("from_person", "to_person")
        .order_by("created_at", "pk")
    )
    parents, partners, children = [], [], []
    for tie in ties:
        other = tie.to_person if tie.from_person_id == person.pk else tie.from_person
        if tie.kind == RelationshipKind.PARENT_OF:
            (children if tie.from_person_id == person.pk else parents).append(other)
        else:
            partners.append(
                Partner(person=other, kind=tie.kind, marriage_registered=tie.marriage_registered)
            )
    return Family(parents=parents, partners=partners, children=children)


def people_search(*, user, name: str) -> QuerySet[Person]:
    """People the user may see whose name or an alias equals `name` (any case or Unicode form)."""
    return Person.objects.visible_to(user).matching_name(name)
