"""
What an advocacy document argues and asks, decided by explicit rules over the facts model
(`casefacts.py`), never by the kind of document alone. Each rule is one small function here with
its tests in tests/legal_aid/test_rules.py, and a property test over random families checks that
no request is made that no fact supports. No database and no wording: the composers (`brief.py`,
`appeal.py`) turn a Plan into sentences and citations.

The points of a plan are in the order a careful advocate would put them: the strongest first.
"""

from dataclasses import dataclass
from enum import StrEnum

from casework.choices import EntitlementKind, EntitlementStatus, IncidentKind, LegalStatus

from .casefacts import CaseFacts, PersonFacts

ADULTHOOD = 18
# Kindergarten takes children of 3 to 6; the nine years of compulsory schooling run from 6 to 15.
KINDERGARTEN_AGES = (3, 6)
SCHOOL_AGES = (6, 15)
# Where arrest and return are the threat: in China without status or held, or in transit.
AT_RISK = (LegalStatus.UNDOCUMENTED_CN, LegalStatus.DETAINED_CN, LegalStatus.IN_TRANSIT)
CUSTODY_EVENTS = (IncidentKind.ARREST, IncidentKind.DETENTION)


class Ask(StrEnum):
    """A request a document may make."""

    RELEASE = "release"
    HALT_RETURN = "halt_return"
    NO_ARREST_OR_RETURN = "no_arrest_or_return"
    KEEP_FAMILY = "keep_family"
    UNHCR_ACCESS = "unhcr_access"
    RECOGNISE_NATIONALITY = "recognise_nationality"
    SECURE_NATIONALITY = "secure_nationality"
    REGISTER = "register"
    ADMIT_KINDERGARTEN = "admit_kindergarten"
    ADMIT_SCHOOL = "admit_school"
    ADMIT_MEDICAL_CARE = "admit_medical_care"
    ADMIT_SOCIAL_WELFARE = "admit_social_welfare"
    WITHDRAW_YANBIAN = "withdraw_yanbian"


class Point(StrEnum):
    """An argument a document may make."""

    # A brief.
    NATIONALITY_BY_PARENT = "nationality_by_parent"
    REGISTRATION = "registration"
    STATELESS_CHILD = "stateless_child"
    UNREGISTERED_MARRIAGE = "unregistered_marriage"
    BENEFITS = "benefits"
    HISTORY = "history"
    NON_DISCRIMINATION = "non_discrimination"
    YANBIAN_BASIS = "yanbian_basis"
    YANBIAN_PRACTICE = "yanbian_practice"
    YANBIAN_IF_THERE = "yanbian_if_there"
    # An appeal.
    SEPARATION = "separation"
    TORTURE_RISK = "torture_risk"
    NON_REFOULEMENT = "non_refoulement"
    CHILD_REFUGEE = "child_refugee"
    HUNGER_ANSWERED = "hunger_answered"
    NO_PENALTY = "no_penalty"
    UNHCR = "unhcr"
    PRACTICE = "practice"


class Refusal(StrEnum):
    """Why no document of the kind can be argued from the facts."""

    NOT_AT_RISK = "not_at_risk"
    NOTHING_TO_ASK = "nothing_to_ask"
    # A UN urgent appeal is transmitted to the State: for someone in hiding it would announce them.
    IN_HIDING = "in_hiding"
    # So is an allegation letter: only about someone an authority already refused or holds.
    NOT_KNOWN = "not_known"


# The benefit each admission asks for, with the ages it fits (None: any age).
ADMISSIONS = {
    EntitlementKind.KINDERGARTEN: (Ask.ADMIT_KINDERGARTEN, KINDERGARTEN_AGES),
    EntitlementKind.SCHOOL: (Ask.ADMIT_SCHOOL, SCHOOL_AGES),
    EntitlementKind.MEDICAL_CARE: (Ask.ADMIT_MEDICAL_CARE, None),
    EntitlementKind.SOCIAL_WELFARE: (Ask.ADMIT_SOCIAL_WELFARE, None),
}


@dataclass(frozen=True)
class Plan:
    points: tuple[Point, ...] = ()
    asks: tuple[Ask, ...] = ()
    refusal: Refusal | None = None


# Rules about one person.


def minor(person: PersonFacts) -> bool:
    """Under 18 for certain on the document's date: only then are child-specific laws cited."""
    return person.age.under(ADULTHOOD)


def detained(person: PersonFacts) -> bool:
    return person.detention is not None


def return_pending(person: PersonFacts) -> bool:
    """Detained, or arrested (or taken into detention) since their present status began."""
    if detained(person):
        return True
    if person.status not in AT_RISK:
        return False
    start = person.status_since
    return any(e.kind in CUSTODY_EVENTS and (start is None or e.on >= start) for e in person.events)


def at_risk(person: PersonFacts) -> bool:
    return person.status in AT_RISK or return_pending(person)


def registered(person: PersonFacts) -> bool:
    hukou = person.benefit(EntitlementKind.HOUSEHOLD_REGISTRATION)
    return person.status == LegalStatus.CHILD_REGISTERED or (
        hukou is not None and hukou.status == EntitlementStatus.GRANTED
    )


def currently_refused(person: PersonFacts, kind: str) -> bool:
    """The latest record of the benefit is a refusal (an earlier refusal is history)."""
    benefit = person.benefit(kind)
    return benefit is not None and benefit.refused


def fits_age(person: PersonFacts, kind: str) -> bool:
    ages = ADMISSIONS[kind][1]
    return ages is None or person.age.within(*ages)


def admissions(person: PersonFacts) -> list[str]:
    """The benefits to ask admission to: currently refused, and fitting the person's age."""
    return [
        kind for kind in ADMISSIONS if currently_refused(person, kind) and fits_age(person, kind)
    ]


def past_refusals(person: PersonFacts) -> list[str]:
    """Benefits refused before and granted since, or refused at an age the person has left."""
    granted_since = [
        b.kind
        for b in person.benefits
        if b.refused_before and b.status == EntitlementStatus.GRANTED
    ]
    outgrown = [
        b.kind
        for b in person.benefits
        if b.refused and b.kind in ADMISSIONS and not fits_age(person, b.kind)
    ]
    return granted_since + outgrown


# Rules about the family.


def chinese_parents(facts: CaseFacts, person: PersonFacts) -> list[PersonFacts]:
    return [parent for parent in facts.parents_of(person) if parent.chinese]


def nationality_by_parent(facts: CaseFacts, person: PersonFacts) -> bool:
    """Nationality Law art. 4: born in China (as recorded) with at least one Chinese parent."""
    return person.born_in_china is True and bool(chinese_parents(facts, person))


def unregistered_marriage(facts: CaseFacts, person: PersonFacts) -> bool:
    """The person's parents are recorded as a couple whose marriage is not registered."""
    parents = facts.parents_of(person)
    return any(
        facts.marriage(a, b) is False for i, a in enumerate(parents) for b in parents[i + 1 :]
    )


def lives_under_yanbian_notice(person: PersonFacts) -> bool:
    """The Yanbian notice governs only families living in Yanbian Prefecture, Jilin."""
    return person.in_yanbian


def minor_children(facts: CaseFacts, person: PersonFacts) -> list[PersonFacts]:
    return [child for child in facts.children_of(person) if minor(child)]


# Plans.


def brief(facts: CaseFacts) -> Plan:
    """What a brief for the subject (a child of the family, or an adult one) argues and asks."""
    child = facts.person
    asks, points = [], []
    by_parent = nationality_by_parent(facts, child)
    if by_parent:
        points.append(Point.NATIONALITY_BY_PARENT)
        if not child.chinese and not registered(child):
            asks.append(Ask.RECOGNISE_NATIONALITY)
    if not registered(child) and (
        by_parent or currently_refused(child, EntitlementKind.HOUSEHOLD_REGISTRATION)
    ):
        points.append(Point.REGISTRATION)
        asks.append(Ask.REGISTER)
    if child.stateless and minor(child) and not by_parent:
        points.append(Point.STATELESS_CHILD)
        asks.append(Ask.SECURE_NATIONALITY)
    if unregistered_marriage(facts, child):
        points.append(Point.UNREGISTERED_MARRIAGE)
    admitted = admissions(child)
    if admitted:
        points.append(Point.BENEFITS)
        asks.extend(ADMISSIONS[kind][0] for kind in admitted)
    if past_refusals(child):
        points.append(Point.HISTORY)
    if not asks:
        return Plan(refusal=Refusal.NOTHING_TO_ASK)
    if minor(child):
        points.append(Point.NON_DISCRIMINATION)
    obstructed = {Ask.REGISTER, *(ADMISSIONS[kind][0] for kind in admitted)} & set(asks)
    if lives_under_yanbian_notice(child):
        points.append(Point.YANBIAN_BASIS)
        if obstructed:
            asks.append(Ask.WITHDRAW_YANBIAN)
    elif obstructed and child.outside_yanbian:
        points.append(Point.YANBIAN_PRACTICE)
    elif obstructed:
        # Jilin without the prefecture (or no region): never "does not live in Yanbian".
        points.append(Point.YANBIAN_IF_THERE)
    return Plan(points=tuple(points), asks=tuple(asks))


def appeal(facts: CaseFacts) -> Plan:
    """What an urgent appeal for the subject argues and asks; refused when no risk is recorded."""
    person = facts.person
    if not at_risk(person):
        return Plan(refusal=Refusal.NOT_AT_RISK)
    pending = return_pending(person)
    points, asks = [], []
    if pending and minor_children(facts, person):
        points.append(Point.SEPARATION)
    points += [Point.TORTURE_RISK, Point.NON_REFOULEMENT]
    if minor(person):
        points.append(Point.CHILD_REFUGEE)
    points.append(Point.HUNGER_ANSWERED)
    if pending:
        points.append(Point.NO_PENALTY)
    points += [Point.UNHCR, Point.PRACTICE]
    if detained(person):
        asks.append(Ask.RELEASE)
    asks.append(Ask.HALT_RETURN if pending else Ask.NO_ARREST_OR_RETURN)
    if pending and minor_children(facts, person):
        asks.append(Ask.KEEP_FAMILY)
    asks.append(Ask.UNHCR_ACCESS)
    return Plan(points=tuple(points), asks=tuple(asks))


def un_communication(facts: CaseFacts) -> Plan:
    """
    A communication to the UN special procedures is transmitted to the Government: it is offered
    only where the authorities hold or pursue the person already (detained, or arrested since
    their present status began). For someone merely in hiding it would announce them.
    """
    plan = appeal(facts)
    if plan.refusal is None and not return_pending(facts.person):
        return Plan(refusal=Refusal.IN_HIDING)
    return plan


def allegation_letter(facts: CaseFacts) -> Plan:
    """
    An allegation letter to the UN special procedures reports violations that have happened or
    go on without imminent harm (a child refused registration or school): the brief's plan, but
    only about someone an authority already refused or holds, since the letter is transmitted to
    the Government. Someone detained or arrested needs an urgent appeal instead.
    """
    plan = brief(facts)
    if plan.refusal is None and not known_to_authority(facts.person):
        return Plan(refusal=Refusal.NOT_KNOWN)
    return plan


def known_to_authority(person: PersonFacts) -> bool:
    """
    The authorities know of the person already: detained or arrested, or refused a benefit (a
    refusal recorded in the case: the family applied, so the office has their file). A letter to
    a Chinese authority about anyone else announces them, and needs a recorded decision.
    """
    return return_pending(person) or any(benefit.refused for benefit in person.benefits)


# Which authorities a person's facts allow.

# Cited only for a person under 18 on the document's date: the CRC and the CRC Committee's
# texts, the child articles of the covenants, the Minors Law and compulsory schooling...
CHILD_ONLY = ("CRC-", "ICCPR-24-", "ICESCR-10-3", "PRC-MIN-", "PRC-EDU-")
# ...except the Committee's call to stop arresting and returning North Koreans, which names
# women with children by Chinese men.
FOR_ADULTS_TOO = frozenset({"CRC-CO-83c"})


def child_only(label: str) -> bool:
    return label.startswith(CHILD_ONLY) and label not in FOR_ADULTS_TOO


def citable_for(person: PersonFacts, labels) -> list[str]:
    """`labels` without the child-specific authorities when the person is not certainly a minor."""
    if minor(person):
        return list(labels)
    return [label for label in labels if not child_only(label)]
