"""
The rules of advocacy documents over the facts model, without the database or a PDF: each rule
on its own, and a property test over random families that no request is made that no fact
supports.
"""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    Nationality,
    Region,
    Sex,
)
from legal_aid.documents import rules
from legal_aid.documents.casefacts import (
    Age,
    Benefit,
    CaseFacts,
    Couple,
    Detention,
    Event,
    PersonFacts,
)
from legal_aid.documents.rules import Ask, Point, Refusal

TODAY = datetime.date(2026, 12, 2)


def person(pk="p", **fields) -> PersonFacts:
    values = dict(
        pk=pk,
        role="child",
        sex=Sex.FEMALE,
        birth_year=2016,
        age=Age.on(TODAY, birth_year=2016),
        nationality=Nationality.UNKNOWN,
        region=Region.LIAONING,
    )
    values.update(fields)
    return PersonFacts(**values)


def family(subject: PersonFacts, *others: PersonFacts, couples=()) -> CaseFacts:
    people = {p.pk: p for p in (subject, *others)}
    return CaseFacts(as_of=TODAY, subject=subject.pk, people=people, couples=tuple(couples))


def refused(kind, year=2025) -> Benefit:
    return Benefit(kind=kind, status=EntitlementStatus.DENIED, as_of=datetime.date(year, 3, 1))


# Ages


def test_an_age_from_a_birth_year_is_one_of_two_and_certain_only_when_both_agree():
    age = Age.on(TODAY, birth_year=2008)
    assert (age.low, age.high) == (17, 18)
    assert not age.under(18)  # perhaps 18 already: not certainly a child
    assert Age.on(TODAY, date_of_birth=datetime.date(2008, 12, 3)).under(18)
    assert not Age.on(TODAY, date_of_birth=datetime.date(2008, 12, 2)).under(18)
    assert not Age(None, None).within(0, 99)


def test_someone_born_in_2006_is_no_child():
    adult = person(birth_year=2006, age=Age.on(TODAY, birth_year=2006))
    assert not rules.minor(adult)
    assert rules.citable_for(adult, ["CRC-3", "PRC-MIN-3", "ICESCR-12", "CRC-CO-83c"]) == [
        "ICESCR-12",
        "CRC-CO-83c",
    ]


# Appeals


def test_release_is_asked_only_for_someone_detained():
    free = person(role="refugee", status=LegalStatus.UNDOCUMENTED_CN, age=Age(34, 34))
    plan = rules.appeal(family(free))
    assert Ask.RELEASE not in plan.asks and Ask.HALT_RETURN not in plan.asks
    assert plan.asks == (Ask.NO_ARREST_OR_RETURN, Ask.UNHCR_ACCESS)
    held = person(
        role="refugee",
        status=LegalStatus.DETAINED_CN,
        age=Age(34, 34),
        detention=Detention(since=datetime.date(2026, 9, 1), days=92, country="CN"),
    )
    assert rules.appeal(family(held)).asks[:2] == (Ask.RELEASE, Ask.HALT_RETURN)


def test_an_arrest_since_the_present_status_makes_return_pending_without_claiming_detention():
    arrested = person(
        role="refugee",
        status=LegalStatus.UNDOCUMENTED_CN,
        status_since=datetime.date(2020, 1, 1),
        age=Age(34, 34),
        events=(Event(IncidentKind.ARREST, datetime.date(2026, 11, 20), Region.JILIN),),
    )
    plan = rules.appeal(family(arrested))
    assert Ask.HALT_RETURN in plan.asks and Ask.RELEASE not in plan.asks
    earlier = person(
        role="refugee",
        status=LegalStatus.UNDOCUMENTED_CN,
        status_since=datetime.date(2024, 1, 1),
        age=Age(34, 34),
        events=(Event(IncidentKind.ARREST, datetime.date(2019, 5, 1), Region.JILIN),),
    )
    assert not rules.return_pending(earlier)


def test_an_appeal_is_refused_when_no_risk_is_recorded():
    resettled = person(role="refugee", status=LegalStatus.RESETTLED_ROK, age=Age(30, 30))
    assert rules.appeal(family(resettled)).refusal == Refusal.NOT_AT_RISK
    assert rules.appeal(family(person(status=None))).refusal == Refusal.NOT_AT_RISK


def test_a_detained_mother_of_a_child_is_argued_separation_first_and_asked_to_stay_with_it():
    child = person("c", born_in_china=True, parents=("m", "f"))
    father = person("f", nationality=Nationality.PRC, sex=Sex.MALE, age=Age(40, 40))
    mother = person(
        "m",
        role="refugee",
        status=LegalStatus.DETAINED_CN,
        age=Age(34, 34),
        detention=Detention(since=datetime.date(2026, 9, 1), days=92, country="CN"),
        children=("c",),
    )
    plan = rules.appeal(family(mother, child, father))
    assert plan.points[0] == Point.SEPARATION
    assert Ask.KEEP_FAMILY in plan.asks
    assert Point.CHILD_REFUGEE not in plan.points  # she is not a child
    assert plan.points.index(Point.TORTURE_RISK) < plan.points.index(Point.HUNGER_ANSWERED)


# Briefs


def test_admission_only_to_a_benefit_refused_now_and_fitting_the_age():
    ten = Age.on(TODAY, date_of_birth=datetime.date(2016, 5, 1))
    child = person(
        age=ten,
        benefits=(
            refused(EntitlementKind.KINDERGARTEN, 2020),  # outgrown: history
            refused(EntitlementKind.MEDICAL_CARE),
            Benefit(
                EntitlementKind.SCHOOL,
                EntitlementStatus.GRANTED,
                datetime.date(2024, 9, 1),
                refused_before=datetime.date(2023, 9, 1),
            ),
        ),
    )
    plan = rules.brief(family(child))
    assert plan.asks == (Ask.ADMIT_MEDICAL_CARE,)
    assert Point.HISTORY in plan.points
    assert set(rules.past_refusals(child)) == {EntitlementKind.SCHOOL, EntitlementKind.KINDERGARTEN}


def test_kindergarten_from_3_to_6_and_school_from_6_to_15():
    for years, kind, fits in [
        (2, EntitlementKind.KINDERGARTEN, False),
        (4, EntitlementKind.KINDERGARTEN, True),
        (7, EntitlementKind.KINDERGARTEN, False),
        (5, EntitlementKind.SCHOOL, False),
        (6, EntitlementKind.SCHOOL, True),
        (15, EntitlementKind.SCHOOL, True),
        (16, EntitlementKind.SCHOOL, False),
    ]:
        assert rules.fits_age(person(age=Age(years, years)), kind) is fits, (years, kind)
    assert rules.fits_age(person(age=Age(None, None)), EntitlementKind.MEDICAL_CARE)


def test_a_chinese_father_comes_first_with_registration_and_a_stateless_child_gets_article_7_2():
    child = person("c", born_in_china=True, parents=("m", "f"), nationality=Nationality.STATELESS)
    father = person("f", nationality=Nationality.PRC, sex=Sex.MALE, age=Age(40, 40))
    mother = person("m", nationality=Nationality.DPRK, age=Age(34, 34))
    couple = Couple("m", "f", registered=False)
    plan = rules.brief(family(child, mother, father, couples=[couple]))
    assert plan.points[:2] == (Point.NATIONALITY_BY_PARENT, Point.REGISTRATION)
    assert Point.UNREGISTERED_MARRIAGE in plan.points
    assert Point.STATELESS_CHILD not in plan.points  # Chinese by art. 4: not left stateless
    assert plan.asks[:2] == (Ask.RECOGNISE_NATIONALITY, Ask.REGISTER)
    alone = person("c", nationality=Nationality.STATELESS, parents=("m",))
    plan = rules.brief(family(alone, mother))
    assert Point.STATELESS_CHILD in plan.points and Ask.SECURE_NATIONALITY in plan.asks
    assert Point.NATIONALITY_BY_PARENT not in plan.points


def test_the_yanbian_notice_is_a_basis_only_in_yanbian():
    refusals = (refused(EntitlementKind.HOUSEHOLD_REGISTRATION),)
    there = rules.brief(family(person(region=Region.YANBIAN, benefits=refusals)))
    assert Point.YANBIAN_BASIS in there.points and Ask.WITHDRAW_YANBIAN in there.asks
    for region in (Region.LIAONING, Region.HEILONGJIANG, Region.DPRK):
        elsewhere = rules.brief(family(person(region=region, benefits=refusals)))
        assert Point.YANBIAN_PRACTICE in elsewhere.points, region
        assert Point.YANBIAN_BASIS not in elsewhere.points
        assert Ask.WITHDRAW_YANBIAN not in elsewhere.asks
    # Jilin without the prefecture (Helong is in Yanbian), or no region: neither in nor out.
    for region in (Region.JILIN, Region.UNKNOWN, Region.OTHER, ""):
        unsure = rules.brief(family(person(region=region, benefits=refusals)))
        assert Point.YANBIAN_IF_THERE in unsure.points, region
        assert (
            Point.YANBIAN_PRACTICE not in unsure.points and Point.YANBIAN_BASIS not in unsure.points
        )
        assert Ask.WITHDRAW_YANBIAN not in unsure.asks


def test_a_brief_with_nothing_to_ask_is_refused():
    granted = Benefit(EntitlementKind.SCHOOL, EntitlementStatus.GRANTED, datetime.date(2025, 9, 1))
    assert rules.brief(family(person(benefits=(granted,)))).refusal == Refusal.NOTHING_TO_ASK
    registered = person(status=LegalStatus.CHILD_REGISTERED, born_in_china=True, parents=("f",))
    father = person("f", nationality=Nationality.PRC, age=Age(40, 40))
    assert rules.brief(family(registered, father)).refusal == Refusal.NOTHING_TO_ASK


# The property: no request without a fact that supports it.

ages = st.one_of(
    st.just(Age(None, None)),
    st.integers(0, 60).map(lambda n: Age(n, n)),
    st.integers(1, 60).map(lambda n: Age(n - 1, n)),
)
benefits = st.lists(
    st.builds(
        Benefit,
        kind=st.sampled_from(EntitlementKind.values),
        status=st.sampled_from(EntitlementStatus.values),
        as_of=st.dates(datetime.date(2005, 1, 1), TODAY),
        refused_before=st.one_of(st.none(), st.dates(datetime.date(2005, 1, 1), TODAY)),
    ),
    max_size=5,
    unique_by=lambda b: b.kind,
)
events = st.lists(
    st.builds(
        Event,
        kind=st.sampled_from(IncidentKind.values),
        on=st.dates(datetime.date(2000, 1, 1), TODAY),
        region=st.sampled_from(Region.values),
    ),
    max_size=3,
)


@st.composite
def people(draw, pk):
    status = draw(st.one_of(st.none(), st.sampled_from(LegalStatus.values)))
    detention = None
    if status == LegalStatus.DETAINED_CN:
        detention = Detention(since=datetime.date(2026, 6, 1), days=184, country="CN")
    return PersonFacts(
        pk=pk,
        role=draw(st.sampled_from(["refugee", "child", "partner", "relative"])),
        sex=draw(st.sampled_from(Sex.values)),
        birth_year=None,
        age=draw(ages),
        nationality=draw(st.sampled_from(Nationality.values)),
        region=draw(st.sampled_from(Region.values)),
        status=status,
        status_since=draw(st.one_of(st.none(), st.dates(datetime.date(2000, 1, 1), TODAY))),
        born_in_china=draw(st.sampled_from([None, True, False])),
        detention=detention,
        benefits=tuple(draw(benefits)),
        events=tuple(draw(events)),
    )


@st.composite
def families(draw):
    subject = draw(people("s"))
    parents = [draw(people(f"p{i}")) for i in range(draw(st.integers(0, 2)))]
    children = [draw(people(f"c{i}")) for i in range(draw(st.integers(0, 3)))]
    subject = PersonFacts(
        **{
            **subject.__dict__,
            "parents": tuple(p.pk for p in parents),
            "children": tuple(c.pk for c in children),
        }
    )
    couples = []
    if len(parents) == 2:
        couples.append(Couple("p0", "p1", draw(st.sampled_from([None, True, False]))))
    return family(subject, *parents, *children, couples=couples)


def supported(ask: Ask, facts: CaseFacts) -> bool:
    """The fact each request needs, stated independently of the rules that choose it."""
    me = facts.person
    custody = any(
        e.kind in (IncidentKind.ARREST, IncidentKind.DETENTION)
        and (me.status_since is None or e.on >= me.status_since)
        for e in me.events
    )
    in_custody = me.detention is not None or (me.status in rules.AT_RISK and custody)

    def now_refused(kind):
        latest = me.benefit(kind)
        return latest is not None and latest.status == EntitlementStatus.DENIED

    chinese_parent = any(
        facts.people[pk].nationality == Nationality.PRC for pk in me.parents if pk in facts.people
    )
    return {
        Ask.RELEASE: me.detention is not None,
        Ask.HALT_RETURN: in_custody,
        Ask.NO_ARREST_OR_RETURN: me.status in rules.AT_RISK,
        Ask.KEEP_FAMILY: in_custody and any(facts.people[pk].age.under(18) for pk in me.children),
        Ask.UNHCR_ACCESS: me.status in rules.AT_RISK or in_custody,
        Ask.RECOGNISE_NATIONALITY: me.born_in_china is True and chinese_parent,
        Ask.SECURE_NATIONALITY: me.age.under(18) and me.stateless,
        Ask.REGISTER: (me.born_in_china is True and chinese_parent)
        or now_refused(EntitlementKind.HOUSEHOLD_REGISTRATION),
        Ask.ADMIT_KINDERGARTEN: now_refused(EntitlementKind.KINDERGARTEN)
        and me.age.known
        and me.age.low >= 3
        and me.age.high <= 6,
        Ask.ADMIT_SCHOOL: now_refused(EntitlementKind.SCHOOL)
        and me.age.known
        and me.age.low >= 6
        and me.age.high <= 15,
        Ask.ADMIT_MEDICAL_CARE: now_refused(EntitlementKind.MEDICAL_CARE),
        Ask.ADMIT_SOCIAL_WELFARE: now_refused(EntitlementKind.SOCIAL_WELFARE),
        Ask.WITHDRAW_YANBIAN: me.region == Region.YANBIAN,
    }[ask]


@settings(max_examples=300, deadline=None)
@given(families())
def test_no_request_is_made_that_no_fact_supports(facts):
    for plan in (rules.brief(facts), rules.appeal(facts)):
        if plan.refusal:
            assert not plan.asks and not plan.points
        for ask in plan.asks:
            assert supported(ask, facts), (ask, facts.person)
        if not rules.minor(facts.person):
            assert Point.CHILD_REFUGEE not in plan.points
            assert Point.STATELESS_CHILD not in plan.points
            assert Point.NON_DISCRIMINATION not in plan.points
        assert len(set(plan.asks)) == len(plan.asks)
