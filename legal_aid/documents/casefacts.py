"""
The facts of a case as of a document's date, typed: what the rules (`rules.py`) argue from and
nothing else. Read through casework's selectors and `visible_to(requester)`, so a record the
requester cannot open, or one casework no longer counts, never reaches an argument.

The model holds no names. Encrypted values are read only where a fact needs them: the date of
birth to tell an age (never printed), and a detention's place, which a document prints only for
a person it names with their consent.
"""

import datetime
from dataclasses import dataclass, field

from casework.choices import (
    Country,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    Nationality,
    Region,
)
from casework.models import CaseMember, Entitlement, Incident, Person
from casework.selectors.people import current_status, family_of, status_timeline

# Regions that may or may not hold Yanbian Prefecture: a document says nothing of the family
# living outside it there (a family of Helong, recorded as Jilin, lives in Yanbian).
UNSURE_OF_YANBIAN = (Region.JILIN, Region.YANBIAN, Region.OTHER, Region.UNKNOWN)

# Incidents a document tells (as events of the case record, by kind and month).
TOLD_INCIDENTS = (
    IncidentKind.RAID,
    IncidentKind.ARREST,
    IncidentKind.DETENTION,
    IncidentKind.DEPORTATION,
    IncidentKind.PARTNER_PROSECUTED,
    IncidentKind.TRAFFICKING,
)


@dataclass(frozen=True)
class Age:
    """An age on a day: exact from a date of birth, one of two from a birth year, else unknown."""

    low: int | None
    high: int | None

    @classmethod
    def on(cls, day, *, date_of_birth=None, birth_year=None) -> "Age":
        if date_of_birth:
            had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
            years = day.year - date_of_birth.year - (0 if had_birthday else 1)
            return cls(years, years)
        if birth_year:
            return cls(max(day.year - birth_year - 1, 0), day.year - birth_year)
        return cls(None, None)

    @property
    def known(self) -> bool:
        return self.low is not None

    def under(self, years: int) -> bool:
        """Certainly younger than `years`."""
        return self.high is not None and self.high < years

    def within(self, youngest: int, oldest: int) -> bool:
        """Certainly between `youngest` and `oldest` years old, both included."""
        return self.known and youngest <= self.low and self.high <= oldest


@dataclass(frozen=True)
class Benefit:
    """The present outcome of a benefit sought: its latest record. Earlier ones are history."""

    kind: str
    status: str
    as_of: datetime.date
    refused_before: datetime.date | None = None  # the last earlier refusal, when there was one

    @property
    def refused(self) -> bool:
        return self.status == EntitlementStatus.DENIED


@dataclass(frozen=True)
class Detention:
    since: datetime.date
    days: int
    country: str
    place: str = ""  # printed only for a person named with consent


@dataclass(frozen=True)
class Event:
    """An incident of the case record involving the person."""

    kind: str
    on: datetime.date
    region: str


@dataclass(frozen=True)
class PersonFacts:
    pk: str
    role: str
    sex: str
    birth_year: int | None
    age: Age
    nationality: str
    region: str
    status: str | None = None  # the open status period's
    status_since: datetime.date | None = None
    status_since_birth: bool = False
    status_country: str = ""
    born_in_china: bool | None = None  # from a status period since birth, where one is recorded
    detention: Detention | None = None
    benefits: tuple[Benefit, ...] = ()
    events: tuple[Event, ...] = ()
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()

    def benefit(self, kind: str) -> Benefit | None:
        return next((b for b in self.benefits if b.kind == kind), None)

    @property
    def in_yanbian(self) -> bool:
        return self.region == Region.YANBIAN

    @property
    def outside_yanbian(self) -> bool:
        """Recorded as living where Yanbian Prefecture is not: another province or country.
        Jilin without its prefecture, "other", "unknown" or nothing recorded say neither."""
        return bool(self.region) and self.region not in UNSURE_OF_YANBIAN

    @property
    def chinese(self) -> bool:
        return self.nationality == Nationality.PRC

    @property
    def stateless(self) -> bool:
        return self.nationality == Nationality.STATELESS or self.status == LegalStatus.STATELESS


@dataclass(frozen=True)
class Couple:
    first: str
    second: str
    registered: bool | None  # the marriage registered with the authorities; None: not recorded

    def joins(self, a: str, b: str) -> bool:
        return {self.first, self.second} == {a, b}


@dataclass(frozen=True)
class CaseFacts:
    """The subject of a document and the family around them, as of `as_of`."""

    as_of: datetime.date
    subject: str
    people: dict[str, PersonFacts] = field(default_factory=dict)
    couples: tuple[Couple, ...] = ()

    @property
    def person(self) -> PersonFacts:
        return self.people[self.subject]

    def parents_of(self, person: PersonFacts) -> list[PersonFacts]:
        return [self.people[pk] for pk in person.parents if pk in self.people]

    def children_of(self, person: PersonFacts) -> list[PersonFacts]:
        return [self.people[pk] for pk in person.children if pk in self.people]

    def marriage(self, a: PersonFacts, b: PersonFacts) -> bool | None:
        couple = next((c for c in self.couples if c.joins(a.pk, b.pk)), None)
        return None if couple is None else couple.registered


# Reading the model from the records.


def read(case, subject: Person, *, user, as_of: datetime.date) -> tuple[CaseFacts, dict]:
    """
    The facts of `subject` and of their parents, partners and children who are members of
    `case`, as `user` may see them; with the Person rows by key, for the Redactor.
    """
    members = {
        m.person_id: m.person for m in CaseMember.objects.filter(case=case).select_related("person")
    }
    family = family_of(subject, user=user)
    rows = {subject.pk: subject}
    for person in [*family.parents, *family.children, *(p.person for p in family.partners)]:
        if person.pk in members:
            rows[person.pk] = person
    # A child's other parent, so an appeal for a mother knows who fathered her children.
    for child in [p for p in family.children if p.pk in members]:
        for parent in family_of(child, user=user).parents:
            if parent.pk in members:
                rows[parent.pk] = parent

    ties = {pk: family_of(person, user=user) for pk, person in rows.items()}
    couples = {}
    for pk, tie in ties.items():
        for partner in tie.partners:
            if partner.person.pk in rows:
                key = frozenset({pk, partner.person.pk})
                couples[key] = Couple(str(pk), str(partner.person.pk), partner.marriage_registered)
    people = {
        str(pk): _person_facts(person, ties[pk], case=case, user=user, as_of=as_of, known=rows)
        for pk, person in rows.items()
    }
    facts = CaseFacts(
        as_of=as_of, subject=str(subject.pk), people=people, couples=tuple(couples.values())
    )
    return facts, {str(pk): person for pk, person in rows.items()}


def _person_facts(person, family, *, case, user, as_of, known) -> PersonFacts:
    status = current_status(person)
    timeline = list(status_timeline(person))
    first = timeline[0] if timeline else None
    born_in_china = None
    if first is not None and first.since_birth:
        born_in_china = first.country == Country.CHINA
    detention = None
    if status is not None and status.status == LegalStatus.DETAINED_CN:
        detention = Detention(
            since=status.effective_from,
            days=(as_of - status.effective_from).days,
            country=status.country,
            place=status.place,
        )
    events = tuple(
        Event(kind=i.kind, on=i.occurred_on, region=i.region)
        for i in Incident.objects.visible_to(user)
        .filter(case=case, people=person, kind__in=TOLD_INCIDENTS, occurred_on__lte=as_of)
        .order_by("occurred_on", "pk")
    )
    return PersonFacts(
        pk=str(person.pk),
        role=person.role,
        sex=person.sex,
        birth_year=person.birth_year,
        age=Age.on(as_of, date_of_birth=person.date_of_birth, birth_year=person.birth_year),
        nationality=person.nationality,
        region=person.region,
        status=status.status if status else None,
        status_since=None if status is None or status.since_birth else status.effective_from,
        status_since_birth=bool(status and status.since_birth),
        status_country=status.country if status else "",
        born_in_china=born_in_china,
        detention=detention,
        benefits=_benefits(person, user=user, as_of=as_of),
        events=events,
        parents=tuple(str(p.pk) for p in family.parents if p.pk in known),
        children=tuple(str(c.pk) for c in family.children if c.pk in known),
    )


def _benefits(person, *, user, as_of) -> tuple[Benefit, ...]:
    """The latest record of each benefit (as selectors.people.current_entitlements orders them)."""
    records = list(
        Entitlement.objects.visible_to(user)
        .filter(person=person, as_of__lte=as_of)
        .order_by("kind", *Entitlement.LATEST_FIRST)
    )
    benefits, seen = [], set()
    for record in records:
        if record.kind in seen:
            continue
        seen.add(record.kind)
        earlier_refusal = next(
            (
                r.as_of
                for r in records
                if r.kind == record.kind
                and r.pk != record.pk
                and r.status == EntitlementStatus.DENIED
                and r.as_of <= record.as_of
            ),
            None,
        )
        benefits.append(
            Benefit(
                kind=record.kind,
                status=record.status,
                as_of=record.as_of,
                refused_before=None
                if record.status == EntitlementStatus.DENIED
                else earlier_refusal,
            )
        )
    return tuple(benefits)
