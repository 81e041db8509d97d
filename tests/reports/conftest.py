"""
A small known caseload for the reports, January to June 2025.

Team North (alice's cases, supervised by sue):
- p1, refugee: undocumented, detained from 10 February, repatriated from 1 April.
- p2, refugee: undocumented, detained from 15 March and still.
- p3, refugee: detained 20 January to 1 February, then undocumented again.
- p4, refugee, no statistics consent: detained from 5 January; in a raid in March.
- p5, refugee: no status; a detention incident on 5 May, deported on 20 May.
- children c1 (2015, hukou refused), c2 (2015, no record), c3 (2018, pending), c4 (2018, granted),
  c5 (2019, refused but status "Child registered"), c6 (2016, refused, no consent).
Team South (charlie's case): s1, detained from 1 March, refused a school place.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
)
from casework.models import CaseNote, Entitlement, Incident, LegalStatusRecord, Task
from consent.models import Consent
from reports.tables import Filters

from ..factories import AssignmentFactory, CaseFactory, CaseMemberFactory, PersonFactory

D = datetime.date
PERIOD = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 6, 30))


def consenting(person, statistics=True):
    Consent.objects.create(person=person, method="written", store_data=True, statistics=statistics)
    return person


def person(
    case, *, role=PersonRole.REFUGEE, born=1984, member_role=MemberRole.RELATIVE, consent=True
):
    someone = PersonFactory(role=role, birth_year=born, date_of_birth=D(born, 1, 1))
    CaseMemberFactory(case=case, person=someone, role=member_role)
    if consent:
        consenting(someone)
    return someone


def status(someone, code, start, end=None):
    return LegalStatusRecord.objects.create(
        person=someone, status=code, effective_from=start, effective_to=end
    )


def entitlement(someone, kind, code, as_of):
    return Entitlement.objects.create(person=someone, kind=kind, status=code, as_of=as_of)


def incident(case, kind, day, *people):
    found = Incident.objects.create(case=case, kind=kind, occurred_on=day)
    found.people.set(people)
    return found


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def followed_up(case, *, task_on=None, note_on=None):
    if task_on:
        task = Task.objects.create(case=case, title="Call back")
        Task.objects.filter(pk=task.pk).update(created_at=at(task_on))
    if note_on:
        note = CaseNote.objects.create(case=case, body="Visited")
        CaseNote.objects.filter(pk=note.pk).update(created_at=at(note_on))


def north_case(team, owner, opened_on):
    case = CaseFactory(team=team, owner=owner, opened_on=opened_on)
    AssignmentFactory(case=case, user=owner)
    return case


@dataclass
class Caseload:
    case_a: object
    case_b: object
    case_c: object
    case_d: object
    south: object
    p1: object
    p2: object
    p3: object
    p4: object
    p5: object
    c1: object
    s1: object


@pytest.fixture
def caseload(team_north, team_south, alice, charlie, sue):
    case_a = north_case(team_north, alice, D(2025, 1, 10))
    case_b = north_case(team_north, alice, D(2025, 3, 1))
    case_c = north_case(team_north, alice, D(2025, 2, 1))
    case_d = north_case(team_north, alice, D(2025, 3, 5))
    p1 = person(case_a, member_role=MemberRole.PRINCIPAL)
    p3 = person(case_b, member_role=MemberRole.PRINCIPAL)
    p4 = person(case_c, member_role=MemberRole.PRINCIPAL, consent=False)
    p2 = person(case_d, member_role=MemberRole.PRINCIPAL)
    p5 = person(case_a)
    status(p1, LegalStatus.UNDOCUMENTED_CN, D(2024, 6, 1), D(2025, 2, 10))
    status(p1, LegalStatus.DETAINED_CN, D(2025, 2, 10), D(2025, 4, 1))
    status(p1, LegalStatus.REPATRIATED, D(2025, 4, 1))
    status(p2, LegalStatus.UNDOCUMENTED_CN, D(2024, 1, 1), D(2025, 3, 15))
    status(p2, LegalStatus.DETAINED_CN, D(2025, 3, 15))
    status(p3, LegalStatus.DETAINED_CN, D(2025, 1, 20), D(2025, 2, 1))
    status(p3, LegalStatus.UNDOCUMENTED_CN, D(2025, 2, 1))
    status(p4, LegalStatus.DETAINED_CN, D(2025, 1, 5))

    child = PersonRole.CHILD
    hukou = EntitlementKind.HOUSEHOLD_REGISTRATION
    c1 = person(case_a, role=child, born=2015)
    entitlement(c1, hukou, EntitlementStatus.DENIED, D(2024, 9, 1))
    entitlement(c1, EntitlementKind.SCHOOL, EntitlementStatus.DENIED, D(2025, 1, 10))
    entitlement(c1, EntitlementKind.SCHOOL, EntitlementStatus.GRANTED, D(2025, 5, 1))
    person(case_a, role=child, born=2015)
    c3 = person(case_a, role=child, born=2018)
    entitlement(c3, hukou, EntitlementStatus.PENDING, D(2025, 2, 1))
    c4 = person(case_a, role=child, born=2018)
    entitlement(c4, hukou, EntitlementStatus.DENIED, D(2024, 2, 1))
    entitlement(c4, hukou, EntitlementStatus.GRANTED, D(2025, 3, 1))
    c5 = person(case_a, role=child, born=2019)
    entitlement(c5, hukou, EntitlementStatus.DENIED, D(2020, 2, 1))
    status(c5, LegalStatus.CHILD_REGISTERED, D(2021, 1, 1))
    c6 = person(case_a, role=child, born=2016, consent=False)
    entitlement(c6, hukou, EntitlementStatus.DENIED, D(2024, 2, 1))
    # Refused medical care by a later record than a grant: refused.
    entitlement(p1, EntitlementKind.MEDICAL_CARE, EntitlementStatus.GRANTED, D(2024, 1, 1))
    entitlement(p1, EntitlementKind.MEDICAL_CARE, EntitlementStatus.DENIED, D(2025, 1, 3))

    incident(case_a, IncidentKind.RAID, D(2025, 1, 15), p1)
    incident(case_a, IncidentKind.ARREST, D(2025, 2, 10), p1, p5)
    incident(case_a, IncidentKind.DETENTION, D(2025, 2, 10), p1)
    incident(case_c, IncidentKind.RAID, D(2025, 3, 3), p4)
    incident(case_a, IncidentKind.DETENTION, D(2025, 5, 5), p5)
    incident(case_a, IncidentKind.DEPORTATION, D(2025, 5, 20), p5)
    incident(case_a, IncidentKind.RAID, D(2024, 12, 31), p1)  # before the period

    followed_up(case_a, task_on=D(2025, 1, 15), note_on=D(2025, 1, 20))
    followed_up(case_b, note_on=D(2025, 3, 11))
    followed_up(case_c, task_on=D(2025, 2, 2))

    south = CaseFactory(team=team_south, owner=charlie, opened_on=D(2025, 2, 1))
    AssignmentFactory(case=south, user=charlie)
    s1 = person(south, member_role=MemberRole.PRINCIPAL)
    status(s1, LegalStatus.DETAINED_CN, D(2025, 3, 1))
    entitlement(s1, EntitlementKind.SCHOOL, EntitlementStatus.DENIED, D(2025, 2, 1))
    incident(south, IncidentKind.RAID, D(2025, 1, 15), s1)
    followed_up(south, note_on=D(2025, 2, 3))
    return Caseload(
        case_a=case_a,
        case_b=case_b,
        case_c=case_c,
        case_d=case_d,
        south=south,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        p5=p5,
        c1=c1,
        s1=s1,
    )
