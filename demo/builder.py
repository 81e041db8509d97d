"""
The caseload generator: one household after another from the seeded random source.
"""

import datetime
import random
from collections import Counter

from django.db.models import Count

from casework.choices import LegalStatus, Region, Sex
from casework.models import CaseAssignment, Person
from casework.references import new_reference

from .caseload import Household, Rows
from .names import KOREAN_FEMALE_SYLLABLES, KOREAN_MALE_SYLLABLES, KOREAN_SURNAMES
from .paths import FIRST_HOUSEHOLDS, PATHS, STEP_DAYS, Plan, _days, _years
from .people import HouseholdPeople
from .places import (
    CHINESE_REGIONS,
    DPRK_ORIGINS,
    OTHER_HOMES,
    ROK_HOMES,
    ROK_PROTECTION_PLACES,
    TRANSIT_PLACES,
    VILLAGES,
)
from .records import CaseRecords
from .staff import TEAMS, Staff

# The year of the Yanbian notice; any seed works, this one makes `make run` repeatable.
DEFAULT_SEED = 2003
DEFAULT_PEOPLE = 60
DEFAULT_BATCH_SIZE = 1000


class CaseloadBuilder(HouseholdPeople, CaseRecords):
    """Generates households one at a time from the seeded random source."""

    def __init__(self, *, rng: random.Random, staff: Staff, today: datetime.date):
        self.rng, self.staff, self.today = rng, staff, today
        self.households = 0
        # How many households of each team were drawn (in this run), and how many cases each
        # caseworker of `staff.few_cases` holds, those of an earlier seed included.
        self.team_households: Counter = Counter()
        few = [user for workers in staff.few_cases.values() for user, _caseload in workers]
        self.given: Counter = Counter(
            CaseAssignment.objects.filter(user__in=few)
            .values_list("user")
            .annotate(cases=Count("case", distinct=True))
            .values_list("user", "cases")
        )
        self.references: set[str] = set()
        self.team_of_region = {region: spec.name for spec in TEAMS for region in spec.regions}

    def build(self, *, people: int, batch_size: int = DEFAULT_BATCH_SIZE, progress=None) -> Counter:
        """Create about `people` people in households, some `batch_size` people per transaction."""
        digests: dict[str, set] = {}
        totals, made, rows = Counter(), 0, Rows(digests=digests)
        while made < people:
            made += self.household(rows)
            if rows.people >= batch_size or made >= people:
                totals.update(rows.save(batch_size))
                rows = Rows(digests=digests)
                if progress:
                    progress(made)
        return totals

    def household(self, rows: Rows) -> int:
        """Add one household, its case and its history to `rows`; return how many people it has."""
        h = self._household()
        first_person = len(rows.by_model[Person])
        self._principal(rows, h)
        if h.plan.partner:
            self._partner(rows, h)
            for born in self._birth_dates(h):
                self._child(rows, h, born)
        case = self._case(rows, h)
        self._incidents(rows, h, case)
        self._notes_and_tasks(rows, h, case)
        self._consents(rows, rows.by_model[Person][first_person:])
        return h.size

    # Small helpers over the random source.
    def _reference(self, prefix: str) -> str:
        while True:
            reference = new_reference(prefix)
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        if high <= low:
            return low
        return low + _days(self.rng.randint(0, (high - low).days))

    def _korean_name(self, sex: str, surname=None) -> tuple[str, str, str]:
        """A name in Hangul, its Chinese reading and its romanisation."""
        rng = self.rng
        if surname is None:
            surname = rng.choices(KOREAN_SURNAMES, weights=[s[3] for s in KOREAN_SURNAMES])[0]
        syllables = KOREAN_FEMALE_SYLLABLES if sex == Sex.FEMALE else KOREAN_MALE_SYLLABLES
        first, second = rng.sample(syllables, 2)
        hangul = surname[0] + first[0] + second[0]
        hanzi = surname[1] + first[1] + second[1]
        roman = f"{surname[2]} {first[2].capitalize()}-{second[2]}"
        return hangul, hanzi, roman

    def _phone(self, prefix: str = "+86") -> str:
        rng = self.rng
        if prefix == "+86":
            mobile = f"1{rng.choice('3589')}{rng.randint(0, 9)}"
            return f"+86 {mobile} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"
        if prefix == "+82":
            return f"+82 10-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
        return f"{prefix}{rng.randint(100, 999)} {rng.randint(0, 9999):04d}"

    def _plan(self, index: int) -> Plan:
        if index < len(FIRST_HOUSEHOLDS):
            return FIRST_HOUSEHOLDS[index]
        rng = self.rng
        path = rng.choices(list(PATHS), weights=[weight for _, weight in PATHS.values()])[0]
        if self._chance(0.1):
            return Plan(path, partner=False)
        children = rng.choices((0, 1, 2, 3), weights=(15, 40, 32, 13))[0]
        return Plan(path, children=children, registered=self._chance(0.07))

    def _household(self) -> Household:
        """Choose the place, the staff and the timeline: arrival, leaving hiding, what followed."""
        rng, today = self.rng, self.today
        index, plan = self.households, self._plan(self.households)
        self.households += 1
        china = rng.choices(CHINESE_REGIONS, weights=[r.weight for r in CHINESE_REGIONS])[0]
        town = rng.choice(china.towns)
        team_name = self.team_of_region[china.region]
        caseworker = self._caseworker(team_name)
        # Arrived at least five years ago, so there is time for a family and for what came after.
        arrival = self._between(datetime.date(1997, 6, 1), today - _years(5))
        path = PATHS[plan.path][0]
        steps = []
        if path:
            gaps = [rng.randint(*STEP_DAYS[status]) for status in path[1:]]
            if plan.path == "detained":
                first = today - _days(rng.randint(10, 400))
            else:
                first = self._between(arrival + _days(800), today - _days(sum(gaps) + 1))
            steps.append((path[0], first))
            for status, gap in zip(path[1:], gaps, strict=True):
                steps.append((status, steps[-1][1] + _days(gap)))
        left_hiding = steps[0][1] if steps else today
        # Together at least 400 days before she left, so a child can be born in between.
        cohabiting = arrival + _days(rng.randint(30, min(700, (left_hiding - arrival).days - 400)))
        village = rng.choice(VILLAGES)
        raided = plan.partner and self._chance(0.35)
        raid_on = self._between(max(cohabiting, today - _years(3)), today - _days(1))
        return Household(
            index=index,
            plan=plan,
            china=china,
            town=town,
            address=f"{china.province}{town} {village} {rng.randint(1, 12)}组",
            team_name=team_name,
            caseworker=caseworker,
            supervisor=self.staff.supervisors.get(team_name, caseworker),
            origin=rng.choice(DPRK_ORIGINS),
            arrival=arrival,
            cohabiting=cohabiting,
            steps=steps,
            today=today,
            raided=raided,
            raid_on=raid_on,
        )

    def _caseworker(self, team_name: str):
        """
        One of the team's caseworkers, at random; a caseworker who holds only a few cases
        (`Staff.few_cases`) takes her turn among them, one household in as many as the team has
        caseworkers, until she holds hers: in `make run`'s small demo she is one caseworker of
        four, at a million people one of 40 cases. The random source is drawn from either way,
        so every household but hers is drawn as it was without her.
        """
        regular = self.staff.caseworkers[team_name]
        chosen = self.rng.choice(regular)
        turn = self.team_households[team_name] % (len(regular) + 1) == len(regular)
        self.team_households[team_name] += 1
        for caseworker, caseload in self.staff.few_cases.get(team_name, ()):
            if turn and self.given[caseworker.pk] < caseload:
                self.given[caseworker.pk] += 1
                return caseworker
        return chosen

    def _whereabouts(self, h: Household) -> tuple[str, str, str]:
        """Current location, contact and coarse region of the principal, from her status."""
        rng, status = self.rng, h.current
        if status == LegalStatus.UNDOCUMENTED_CN:
            return h.address, self._phone(), h.china.region
        if status == LegalStatus.DETAINED_CN:
            return h.china.detention_centre, "", h.china.region
        if status == LegalStatus.REPATRIATED:
            return f"{h.origin} (송환 후 소재 불명)", "", Region.DPRK
        if status in (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION):
            place, prefix = rng.choice(TRANSIT_PLACES)
            return place, self._phone(prefix), Region.THIRD_COUNTRY
        if status == LegalStatus.ROK_PROTECTION:
            return rng.choice(ROK_PROTECTION_PLACES), "", Region.ROK
        if status == LegalStatus.RESETTLED_ROK:
            return rng.choice(ROK_HOMES), self._phone("+82"), Region.ROK
        if status == LegalStatus.RESETTLED_OTHER:
            place, prefix = rng.choice(OTHER_HOMES)
            return place, self._phone(prefix), Region.OTHER
        return f"마지막 연락: {h.address}", "", Region.UNKNOWN

    def _status_place(self, h: Household, status: str) -> str:
        if status == LegalStatus.DETAINED_CN:
            return h.china.detention_centre
        if status == LegalStatus.REPATRIATED:
            return h.origin
        if status in (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION):
            return self.rng.choice(TRANSIT_PLACES)[0]
        if status in (LegalStatus.ROK_PROTECTION, LegalStatus.RESETTLED_ROK):
            return "대한민국"
        return ""
