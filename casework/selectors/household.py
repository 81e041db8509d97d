"""
The household across cases: the people joined to a person by ties, and their family tree.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from ..models import CaseMember, Entitlement, LegalStatusRecord, Person, Relationship
from ..querysets import visible_case_ids


@dataclass
class HouseholdMember:
    person: Person
    status: LegalStatusRecord | None
    benefits: list
    cases: list


@dataclass
class FamilyUnit:
    """
    One branch of a family tree: a person with the partners beside them (each with the tie that
    joins them), and below, the branches of their children.
    """

    person: Person
    partners: list  # (partner, tie)
    children: list  # FamilyUnit


@dataclass
class Household:
    members: list
    ties: list
    tree: list  # FamilyUnit: the eldest generation, parents above children


def family_tree(people: list, ties: list) -> list[FamilyUnit]:
    """
    The shown people as a tree, from the ties among them (no query): each person once, beside
    their partners, under their parents. The tree starts from those who have no parent shown and
    whose partners have none either (a daughter-in-law stands beside her husband, under his
    parents); whoever a tie does not reach, or a loop of ties leaves out, starts a branch of their
    own.
    """
    parents: dict = {p.pk: [] for p in people}
    children: dict = {p.pk: [] for p in people}
    partners: dict = {p.pk: [] for p in people}
    for from_person, tie, to_person in ties:
        if tie.is_couple:
            partners[from_person.pk].append((to_person, tie))
            partners[to_person.pk].append((from_person, tie))
        else:
            parents[to_person.pk].append(from_person)
            children[from_person.pk].append(to_person)
    placed: set = set()

    def branch(person) -> FamilyUnit:
        placed.add(person.pk)
        beside = [
            (partner, tie) for partner, tie in partners[person.pk] if partner.pk not in placed
        ]
        placed.update(partner.pk for partner, _tie in beside)
        below = []
        for member in [person, *(partner for partner, _tie in beside)]:
            below.extend(child for child in children[member.pk] if child not in below)
        return FamilyUnit(
            person=person,
            partners=beside,
            children=[branch(child) for child in below if child.pk not in placed],
        )

    def has_parents(person) -> bool:
        return bool(parents[person.pk]) or any(
            parents[partner.pk] for partner, _tie in partners[person.pk]
        )

    tree = []
    for starts_a_branch in (lambda person: not has_parents(person), lambda person: True):
        for person in people:
            if person.pk not in placed and starts_a_branch(person):
                tree.append(branch(person))
    return tree


def household_of(person: Person, *, user, depth: int = 3) -> Household:
    """
    The family of `person` across every case its members are on, as far as `user` sees: the
    people joined to them by ties (up to `depth` steps: parents, their children, their
    partners), each with their current status, benefits and the cases the user sees them in.
    A constant number of queries, whatever the size of the family.
    """
    seen = {person.pk}
    frontier = {person.pk}
    ties: dict = {}
    for _step in range(depth):
        found = Relationship.objects.filter(
            Q(from_person__in=frontier) | Q(to_person__in=frontier)
        ).order_by("created_at", "pk")
        frontier = set()
        for tie in found:
            ties[tie.pk] = tie
            for pk in (tie.from_person_id, tie.to_person_id):
                if pk not in seen:
                    seen.add(pk)
                    frontier.add(pk)
        if not frontier:
            break
    open_statuses = LegalStatusRecord.objects.filter(effective_to__isnull=True)
    memberships = CaseMember.objects.filter(case__in=visible_case_ids(user)).select_related("case")
    people = list(
        Person.objects.filter(pk__in=seen, memberships__case__in=visible_case_ids(user))
        .distinct()
        .prefetch_related(
            Prefetch("status_records", queryset=open_statuses, to_attr="open_statuses"),
            Prefetch(
                "entitlements",
                queryset=Entitlement.objects.order_by("kind", "-as_of", "-recorded_at"),
                to_attr="all_benefits",
            ),
            Prefetch("memberships", queryset=memberships, to_attr="visible_memberships"),
        )
        .order_by("reference")
    )
    shown = {p.pk for p in people}
    members = []
    for member in people:
        latest = {}
        for benefit in member.all_benefits:
            latest.setdefault(benefit.kind, benefit)
        members.append(
            HouseholdMember(
                person=member,
                status=next(iter(member.open_statuses), None),
                benefits=list(latest.values()),
                cases=[m.case for m in member.visible_memberships],
            )
        )
    by_pk = {p.pk: p for p in people}
    tie_rows = [
        (by_pk[tie.from_person_id], tie, by_pk[tie.to_person_id])
        for tie in ties.values()
        if tie.from_person_id in shown and tie.to_person_id in shown
    ]
    return Household(members=members, ties=tie_rows, tree=family_tree(people, tie_rows))
