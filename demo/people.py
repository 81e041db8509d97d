"""
The people of a demo household: the woman, her partner and their children, with their
names, statuses and the benefits they sought.
"""

import datetime

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    Nationality,
    PersonRole,
    RelationshipKind,
    Sex,
    StatusSource,
)
from casework.models import Entitlement, LegalStatusRecord, Person, PersonAlias, Relationship

from .caseload import Child, Household, Rows
from .names import (
    CHINESE_BOY_GIVEN,
    CHINESE_FEMALE_GIVEN,
    CHINESE_GIRL_GIVEN,
    CHINESE_MALE_GIVEN,
    CHINESE_SURNAMES,
    KOREAN_SURNAMES,
)
from .paths import DENIAL_NOTES, LEFT_CHINA, STATUS_COUNTRY, STATUS_NOTES, _days, _years


class HouseholdPeople:
    """The people of a household, for CaseloadBuilder (whose random source and helpers they use)."""

    def _statuses(self, rows: Rows, h: Household, person: Person, timeline):
        """One record per (status, start, place); each ends the day the next begins, the last stays open."""
        for i, (status, start, place) in enumerate(timeline):
            end = timeline[i + 1][1] if i + 1 < len(timeline) else None
            record = LegalStatusRecord(
                person_id=person.pk,
                status=status,
                effective_from=start,
                effective_to=end,
                country=STATUS_COUNTRY[status],
                place=place,
                source=self.rng.choices(
                    (StatusSource.CASEWORKER, StatusSource.FAMILY, StatusSource.PARTNER_NGO),
                    weights=(5, 4, 1),
                )[0],
                note=self.rng.choice(STATUS_NOTES.get(status, ("",))),
                recorded_by_id=h.caseworker.pk,
            )
            # bulk_create() skips save(): a child's status since birth must not store the birthday.
            record.store_start_of_period(person.date_of_birth)
            rows.add(record)

    def _principal(self, rows: Rows, h: Household):
        rng = self.rng
        sex = Sex.FEMALE if h.plan.partner or self._chance(0.6) else Sex.MALE
        born = h.arrival - _days(rng.randint(16 * 365, 36 * 365))
        hangul, hanzi, roman = self._korean_name(sex)
        location, contact, region = self._whereabouts(h)
        h.principal = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=hangul,
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=h.origin,
                current_location=location,
                contact=contact,
                notes=rng.choice(("", "", "Speaks only Korean.", "Needs regular medication.")),
                sex=sex,
                nationality=Nationality.DPRK,
                role=PersonRole.REFUGEE,
                region=region,
            )
        )
        if sex == Sex.FEMALE:
            # The name her partner's family gave her, or the Chinese reading of her own.
            given = rng.choice(CHINESE_SURNAMES) + rng.choice(CHINESE_FEMALE_GIVEN)
            rows.add(
                PersonAlias(person_id=h.principal.pk, name=given if self._chance(0.5) else hanzi)
            )
        elif self._chance(0.5):
            rows.add(PersonAlias(person_id=h.principal.pk, name=hanzi))
        if self._chance(0.3):
            rows.add(PersonAlias(person_id=h.principal.pk, name=roman))
        timeline = [(LegalStatus.UNDOCUMENTED_CN, h.arrival, f"{h.china.province}{h.town}")]
        timeline += [(status, start, self._status_place(h, status)) for status, start in h.steps]
        self._statuses(rows, h, h.principal, timeline)
        if h.plan.partner:
            self._principal_entitlements(rows, h)

    def _principal_entitlements(self, rows: Rows, h: Household):
        """A woman without papers cannot register her marriage, her residence, or be insured."""
        sought = []
        if h.plan.registered or self._chance(0.5):
            status = EntitlementStatus.GRANTED if h.plan.registered else EntitlementStatus.DENIED
            sought.append((EntitlementKind.MARRIAGE_REGISTRATION, status))
        for kind, p in (
            (EntitlementKind.HOUSEHOLD_REGISTRATION, 0.25),
            (EntitlementKind.MEDICAL_CARE, 0.2),
            (EntitlementKind.LABOUR_INSURANCE, 0.1),
        ):
            if self._chance(p):
                sought.append((kind, EntitlementStatus.DENIED))
        last_day = (h.left_hiding or self.today) - _days(1)
        for kind, status in sought:
            rows.add(
                Entitlement(
                    person_id=h.principal.pk,
                    kind=kind,
                    status=status,
                    as_of=self._between(h.cohabiting, last_day),
                    recorded_by_id=h.caseworker.pk,
                )
            )

    def _partner(self, rows: Rows, h: Household):
        rng = self.rng
        born = h.cohabiting - _days(rng.randint(22 * 365, 52 * 365))
        phone = self._phone()
        h.surname = rng.choice(CHINESE_SURNAMES)
        h.partner = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=h.surname + rng.choice(CHINESE_MALE_GIVEN),
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=f"{h.china.province}{h.town}",
                current_location=h.address,
                contact=phone,
                sex=Sex.MALE,
                nationality=Nationality.PRC,
                role=PersonRole.PARTNER,
                region=h.china.region,
            )
        )
        if h.current == LegalStatus.UNDOCUMENTED_CN and self._chance(0.5):
            # She has no phone of her own: calls go through his.
            h.principal.contact = f"{phone} (partner's phone)"
        registered = h.plan.registered
        rows.add(
            Relationship(
                from_person_id=h.principal.pk,
                to_person_id=h.partner.pk,
                kind=RelationshipKind.SPOUSE_OF if registered else RelationshipKind.PARTNER_OF,
                marriage_registered=registered,
            )
        )

    def _birth_dates(self, h: Household) -> list[datetime.date]:
        """Births while the couple lived together in China, at least 300 days apart."""
        window_end = (h.left_hiding or self.today) - _days(60)
        births = sorted(
            self._between(h.cohabiting + _days(280), window_end) for _ in range(h.plan.children)
        )
        kept = []
        for born in births:
            if born < window_end and (not kept or (born - kept[-1]).days >= 300):
                kept.append(born)
        return kept

    @staticmethod
    def _unlike_siblings(h: Household, draw) -> str:
        """
        A name no other child of the household has (a family does not call two children by one
        name). Drawn as before and drawn again only on a clash, so every other household of a
        seed comes out as it did.
        """
        name = draw()
        while name in h.child_names:
            name = draw()
        return name

    def _child(self, rows: Rows, h: Household, born: datetime.date):
        rng = self.rng
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        hukou = (
            h.plan.hukou
            or rng.choices(
                (EntitlementStatus.GRANTED, EntitlementStatus.PENDING, EntitlementStatus.DENIED),
                weights=(75, 10, 15) if h.plan.registered else (8, 7, 85),
            )[0]
        )
        registered = hukou == EntitlementStatus.GRANTED
        # Some children leave with their mother; most stay behind with their father.
        follows = not registered and h.current in LEFT_CHINA and self._chance(0.35)
        if registered:
            nationality = Nationality.PRC
        elif follows:
            nationality = Nationality.UNKNOWN
        else:
            nationality = rng.choice((Nationality.STATELESS, Nationality.UNKNOWN))
        source = h.principal if follows else h.partner
        given = CHINESE_GIRL_GIVEN if sex == Sex.FEMALE else CHINESE_BOY_GIVEN
        person = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=self._unlike_siblings(h, lambda: h.surname + rng.choice(given)),
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=f"{h.china.province}{rng.choice(h.china.towns)}",
                current_location=source.current_location,
                sex=sex,
                nationality=nationality,
                role=PersonRole.CHILD,
                region=source.region,
            )
        )
        if self._chance(0.3):
            # The Korean name the mother calls the child by, with her own surname.
            surname = next(s for s in KOREAN_SURNAMES if s[0] == h.principal.full_name[0])
            alias = self._unlike_siblings(h, lambda: self._korean_name(sex, surname)[0])
            rows.add(PersonAlias(person_id=person.pk, name=alias))
            h.child_names.add(alias)
        for parent in (h.principal, h.partner):
            rows.add(
                Relationship(
                    from_person_id=parent.pk,
                    to_person_id=person.pk,
                    kind=RelationshipKind.PARENT_OF,
                )
            )
        until = h.left_hiding if follows else self.today
        hukou_on = born + _days(rng.randint(30, min(700, (until - born).days - 1)))
        h.child_names.add(person.full_name)
        child = Child(person=person, hukou=hukou, hukou_on=hukou_on, in_china_until=until)
        timeline = [(LegalStatus.STATELESS, born, "")]
        if registered:
            timeline.append((LegalStatus.CHILD_REGISTERED, hukou_on, h.china.province))
        elif follows:
            timeline += [
                (status, start, self._status_place(h, status)) for status, start in h.steps
            ]
        self._statuses(rows, h, person, timeline)
        self._child_entitlements(rows, h, child)
        h.children.append(child)

    def _child_entitlements(self, rows: Rows, h: Household, child: Child):
        """Hukou first; then kindergarten at three, school at six, a clinic: all follow the hukou."""
        rng, born = self.rng, child.person.date_of_birth
        benefit = (
            EntitlementStatus.GRANTED
            if child.hukou == EntitlementStatus.GRANTED
            else EntitlementStatus.DENIED
        )
        sought = [(EntitlementKind.HOUSEHOLD_REGISTRATION, child.hukou, child.hukou_on)]
        for kind, age in ((EntitlementKind.KINDERGARTEN, 3), (EntitlementKind.SCHOOL, 6)):
            on = born + _years(age) + _days(rng.randint(0, 200))
            if on < child.in_china_until:
                sought.append((kind, benefit, on))
        if self._chance(0.7):
            sought.append(
                # From the day after birth: a plaintext day equal to the encrypted birth date
                # would give it away.
                (
                    EntitlementKind.MEDICAL_CARE,
                    benefit,
                    self._between(born + _days(1), child.in_china_until),
                )
            )
        for kind, status, on in sought:
            note = ""
            if status == EntitlementStatus.DENIED:
                note = rng.choice(DENIAL_NOTES)
                child.denied.append((kind, on))
            rows.add(
                Entitlement(
                    person_id=child.person.pk,
                    kind=kind,
                    status=status,
                    as_of=on,
                    note=note,
                    recorded_by_id=h.caseworker.pk,
                )
            )
