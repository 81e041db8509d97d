"""
Named households for the tests, built once here through the casework services, as the app builds
them (each write validated, permission-checked and audited). A test asks for a household by what
it is, `household_with_every_record(...)` or `mother_with_children(...)`, and gets back a small
dataclass of what was made; it never writes its own "household with every record" again. The
reports' known caseload (`known_caseload`) is here too, for a module to build once
(tests/conftest.py `built_once_per_module`).

The personas who act are defined here once (`PERSONAS`, `persona()`) and offered as fixtures by
tests/conftest.py; the rows that are not casework (users, teams, memberships) come from
tests/factories.py.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import TeamMembership
from casework import choices, services
from casework.models import (
    Attachment,
    Case,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from consent.models import Consent
from consent.services import consent_record
from referrals.services import provider_create, referral_create

from .factories import (
    AssignmentFactory,
    CaseFactory,
    CaseMemberFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

D = datetime.date
Role = TeamMembership.Role
# Who is who: alice and bob are caseworkers of team North, charlie of team South (an outsider to
# North's cases), sue supervises North, lena is North's legal advocate (tests/conftest.py shares
# alice's case with her). `admin`, a superuser of no team, is `persona("admin")`.
PERSONAS = {
    "alice": ("North", Role.CASEWORKER),
    "bob": ("North", Role.CASEWORKER),
    "charlie": ("South", Role.CASEWORKER),
    "sue": ("North", Role.SUPERVISOR),
    "lena": ("North", Role.LEGAL_ADVOCATE),
}
# The smallest file the upload check takes for a PDF: it reads the type from the first bytes.
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def persona(username: str):
    """The persona `username` of `PERSONAS`, with her team (made if missing) and her role in it."""
    if username == "admin":
        return UserFactory(username="admin", is_staff=True, is_superuser=True)
    team_name, role = PERSONAS[username]
    user = UserFactory(username=username)
    # Asked again for the same persona (a fixture, after a world built once per module): the same.
    TeamMembership.objects.get_or_create(
        user=user, team=TeamFactory(name=team_name), defaults={"role": role}
    )
    return user


def case_with_one_member(*, team, caseworker) -> Case:
    """A case of `team` owned by and assigned to `caseworker`, with one member (written as rows)."""
    case = CaseFactory(team=team, owner=caseworker)
    AssignmentFactory(case=case, user=caseworker)
    CaseMemberFactory(case=case)
    return case


@dataclass
class Household:
    """A case of one team with a mother and her child, and one record of every kind about them."""

    case: Case
    mother: Person
    child: Person
    alias: PersonAlias
    relationship: Relationship
    status: LegalStatusRecord
    entitlement: Entitlement
    incident: Incident
    note: CaseNote
    task: Task
    attachment: Attachment
    # Every free text written, distinct per household: what must never show where it should not.
    secrets: list[str] = field(default_factory=list)

    @property
    def rows(self) -> dict:
        """One row of each casework model, by model: for tests parametrised over the models."""
        return {
            Person: self.mother,
            PersonAlias: self.alias,
            Relationship: self.relationship,
            LegalStatusRecord: self.status,
            Entitlement: self.entitlement,
            Incident: self.incident,
            Case: self.case,
            CaseNote: self.note,
            Task: self.task,
            Attachment: self.attachment,
        }


def _texts(mother_name: str, tag: str) -> dict[str, str]:
    """Free text for every field of a household, each carrying `tag` so a leak is no coincidence."""
    return {
        "mother_name": mother_name,
        "child_name": f"{mother_name}의 딸",
        "alias": f"Jin Shunji {tag}",
        "place_of_origin": f"Hoeryong district {tag}",
        "current_location": f"Longjing back street {tag}",
        "contact": f"+86 139 5555 {tag}",
        "notes": f"Hides at the chapel {tag}",
        "status_place": f"Tumen detention centre {tag}",
        "status_note": f"Seen by cousin {tag}",
        "entitlement_note": f"Marriage registration refused {tag}",
        "incident": f"Police raid at dawn {tag}",
        "summary": f"Mother and daughter in hiding {tag}",
        "note": f"Met at the market {tag}",
        "task": f"Call the lawyer {tag}",
        "file_name": f"hukou-scan-{tag}.pdf",
        "file_description": f"Scan of the refusal {tag}",
    }


def household_with_every_record(
    *, team, caseworker, tag: str, mother_name: str, actor=None, **texts: str
) -> Household:
    """
    A North Korean mother hiding in Jilin since 2012 and her stateless daughter, born in China in
    2015, in one high-risk case of `team` worked by `caseworker`: an alias, the mother-daughter tie,
    her undocumented status, a refused marriage registration, a raid, a note, a follow-up task and
    a scanned document. `actor` (the caseworker unless given, e.g. a supervisor) writes it all.
    Every free text carries `tag`; a keyword of `_texts` (e.g. `alias="..."`) replaces one text.
    """
    actor = actor or caseworker
    defaults = _texts(mother_name, tag)
    if unknown := set(texts) - set(defaults):
        raise TypeError(f"household_with_every_record() has no text {sorted(unknown)}")
    text = {**defaults, **texts}
    mother = services.person_create(
        actor=actor,
        full_name=text["mother_name"],
        role=choices.PersonRole.REFUGEE,
        sex=choices.Sex.FEMALE,
        nationality=choices.Nationality.DPRK,
        region=choices.Region.JILIN,
        date_of_birth=D(1986, 2, 3),
        contact=text["contact"],
        place_of_origin=text["place_of_origin"],
        current_location=text["current_location"],
        notes=text["notes"],
    )
    child = services.person_create(
        actor=actor,
        full_name=text["child_name"],
        role=choices.PersonRole.CHILD,
        sex=choices.Sex.FEMALE,
        nationality=choices.Nationality.STATELESS,
        region=choices.Region.JILIN,
        date_of_birth=D(2015, 6, 1),
    )
    case = services.case_open(
        team=team,
        actor=actor,
        risk_level=choices.RiskLevel.HIGH,
        summary=text["summary"],
        members=[(mother, choices.MemberRole.PRINCIPAL), (child, choices.MemberRole.CHILD)],
        caseworkers=[caseworker],
    )
    alias = services.person_alias_add(person=mother, name=text["alias"], actor=actor)
    relationship = services.relationship_create(
        from_person=mother, to_person=child, kind=choices.RelationshipKind.PARENT_OF, actor=actor
    )
    status = services.legal_status_change(
        person=mother,
        status=choices.LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2012, 4, 1),
        actor=actor,
        country=choices.Country.CHINA,
        place=text["status_place"],
        source=choices.StatusSource.CASEWORKER,
        note=text["status_note"],
    )
    entitlement = services.entitlement_record(
        person=mother,
        kind=choices.EntitlementKind.MARRIAGE_REGISTRATION,
        status=choices.EntitlementStatus.DENIED,
        as_of=D(2016, 1, 1),
        note=text["entitlement_note"],
        actor=actor,
    )
    incident = services.incident_record(
        case=case,
        kind=choices.IncidentKind.RAID,
        occurred_on=D(2024, 3, 1),
        region=choices.Region.JILIN,
        description=text["incident"],
        people=[mother],
        actor=actor,
    )
    note = services.case_note_add(case=case, body=text["note"], actor=actor)
    task = services.task_create(
        case=case,
        title=text["task"],
        actor=actor,
        assignee=caseworker,
        due_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    attachment = services.attachment_add(
        case=case,
        uploaded_file=SimpleUploadedFile(text["file_name"], PDF, content_type="application/pdf"),
        actor=actor,
        person=mother,
        description=text["file_description"],
    )
    return Household(
        case=case,
        mother=mother,
        child=child,
        alias=alias,
        relationship=relationship,
        status=status,
        entitlement=entitlement,
        incident=incident,
        note=note,
        task=task,
        attachment=attachment,
        secrets=list(text.values()),
    )


@dataclass
class Family:
    """A mother and her children in one case, each child tied to her."""

    case: Case
    mother: Person
    children: list[Person]


def mother_with_children(*, team, caseworker, name: str, children: int) -> Family:
    """A refugee mother and `children` children of hers (none: she alone) in one high-risk case."""
    mother = services.person_create(
        actor=caseworker, full_name=name, role=choices.PersonRole.REFUGEE
    )
    kids = [
        services.person_create(
            actor=caseworker, full_name=f"{name} child {n}", role=choices.PersonRole.CHILD
        )
        for n in range(children)
    ]
    case = services.case_open(
        team=team,
        actor=caseworker,
        risk_level=choices.RiskLevel.HIGH,
        members=[
            (mother, choices.MemberRole.PRINCIPAL),
            *((child, choices.MemberRole.CHILD) for child in kids),
        ],
        caseworkers=[caseworker],
    )
    for child in kids:
        services.relationship_create(
            from_person=mother,
            to_person=child,
            kind=choices.RelationshipKind.PARENT_OF,
            actor=caseworker,
        )
    return Family(case=case, mother=mother, children=kids)


# Every value of an encrypted field of `detained_mother_with_chinese_partner`: none may appear in
# a PDF for a person who did not consent to be named.
FAMILY_SECRETS = {
    "mother": dict(
        full_name="리영희",
        alias="Li Yinghui",
        date_of_birth=datetime.date(1986, 2, 11),
        place_of_origin="Musan, North Hamgyong",
        current_location="Longjing back street 14",
        contact="+86 139 1111 2222",
        notes="mother hides at the cousin's farm",
        status_place="Tumen border detention centre",
        status_note="seen through the fence by a neighbour",
        incident="arrested at the market by two officers",
    ),
    "father": dict(
        full_name="王建国",
        alias="Wang Jianguo",
        date_of_birth=datetime.date(1979, 8, 30),
        place_of_origin="Helong village 7",
        current_location="Helong village 7 east",
        contact="+86 139 3333 4444",
        notes="father drinks and is violent",
    ),
    "child": dict(
        full_name="왕수진",
        alias="Wang Xiujin",
        date_of_birth=datetime.date(2015, 4, 2),
        place_of_origin="Longjing clinic",
        current_location="Longjing back street 14b",
        contact="+86 139 5555 6666",
        notes="child is shy and has asthma",
        entitlement_note="the headmaster Kim refused at the gate",
    ),
}


def family_secret_values(*roles: str) -> list[str]:
    """The secrets of `FAMILY_SECRETS` of the given roles, dates as the PDF would print them."""
    values = []
    for role in roles:
        for value in FAMILY_SECRETS[role].values():
            if isinstance(value, datetime.date):
                # As data (ISO) and as a document writes a date (config/formats).
                values += [value.isoformat(), date_format(value)]
            else:
                values.append(value)
    return values


def _family_member(who: str, **fields):
    secret = FAMILY_SECRETS[who]
    person = PersonFactory(
        full_name=secret["full_name"],
        date_of_birth=secret["date_of_birth"],
        birth_year=secret["date_of_birth"].year,
        place_of_origin=secret["place_of_origin"],
        current_location=secret["current_location"],
        contact=secret["contact"],
        notes=secret["notes"],
        **fields,
    )
    PersonAlias.objects.create(person=person, name=secret["alias"])
    return person


@dataclass
class MixedFamily:
    """A North Korean mother, her Chinese partner and their child."""

    mother: Person
    father: Person
    child: Person


def detained_mother_with_chinese_partner(*, case, actor) -> MixedFamily:
    """
    A North Korean mother, detained in Jilin since October 2025, her Chinese partner (not
    married) and their child (refused household registration, school and medical care), members
    of `case` in that order after the case's first member. Written as rows, not through the
    services (the status and entitlements carry `actor` as their recorder): the document tests
    need these exact records and no audit events of their making.
    """
    mother = _family_member(
        "mother",
        role=choices.PersonRole.REFUGEE,
        sex=choices.Sex.FEMALE,
        nationality=choices.Nationality.DPRK,
    )
    father = _family_member(
        "father",
        role=choices.PersonRole.PARTNER,
        sex=choices.Sex.MALE,
        nationality=choices.Nationality.PRC,
    )
    child = _family_member(
        "child",
        role=choices.PersonRole.CHILD,
        sex=choices.Sex.FEMALE,
        nationality=choices.Nationality.UNKNOWN,
        region=choices.Region.JILIN,
    )
    CaseMemberFactory(case=case, person=mother, role=choices.MemberRole.PRINCIPAL)
    CaseMemberFactory(case=case, person=father, role=choices.MemberRole.PARTNER)
    CaseMemberFactory(case=case, person=child, role=choices.MemberRole.CHILD)
    Relationship.objects.create(
        from_person=mother, to_person=child, kind=choices.RelationshipKind.PARENT_OF
    )
    Relationship.objects.create(
        from_person=father, to_person=child, kind=choices.RelationshipKind.PARENT_OF
    )
    Relationship.objects.create(
        from_person=mother,
        to_person=father,
        kind=choices.RelationshipKind.PARTNER_OF,
        marriage_registered=False,
    )
    for kind in (
        choices.EntitlementKind.HOUSEHOLD_REGISTRATION,
        choices.EntitlementKind.SCHOOL,
        choices.EntitlementKind.MEDICAL_CARE,
    ):
        Entitlement.objects.create(
            person=child,
            kind=kind,
            status=choices.EntitlementStatus.DENIED,
            as_of=datetime.date(2021, 9, 1),
            note=FAMILY_SECRETS["child"]["entitlement_note"],
            recorded_by=actor,
        )
    # Born in China: the child's status since birth, recorded in China.
    LegalStatusRecord.objects.create(
        person=child,
        status=choices.LegalStatus.STATELESS,
        effective_from=child.date_of_birth,
        country=choices.Country.CHINA,
        recorded_by=actor,
    )
    LegalStatusRecord.objects.create(
        person=mother,
        status=choices.LegalStatus.DETAINED_CN,
        effective_from=datetime.date(2025, 10, 3),
        country=choices.Country.CHINA,
        place=FAMILY_SECRETS["mother"]["status_place"],
        note=FAMILY_SECRETS["mother"]["status_note"],
        recorded_by=actor,
    )
    incident = Incident.objects.create(
        case=case,
        kind=choices.IncidentKind.ARREST,
        occurred_on=datetime.date(2025, 10, 2),
        region=choices.Region.JILIN,
        description=FAMILY_SECRETS["mother"]["incident"],
        recorded_by=actor,
    )
    incident.people.add(mother)
    return MixedFamily(mother=mother, father=father, child=child)


@dataclass
class UnmarriedParents:
    """A North Korean mother, her child and the child's Chinese father, not married, in one case."""

    case: Case
    mother: Person
    child: Person
    father: Person


def mother_child_and_unmarried_father(*, team, caseworker, mother_name: str) -> UnmarriedParents:
    """
    `mother_name` (alias Kim Sun Hui, born 1984), her child 李明 (born 2012) and the child's
    Chinese father 王强, not married to her, in one high-risk case of `team` worked by
    `caseworker`; each parent tied to the child and the two to each other.
    """

    def person(name, role, born, **fields):
        return services.person_create(
            actor=caseworker, full_name=name, role=role, date_of_birth=born, **fields
        )

    mother = person(
        mother_name, choices.PersonRole.REFUGEE, D(1984, 5, 17), aliases=["Kim Sun Hui"]
    )
    child = person("李明", choices.PersonRole.CHILD, D(2012, 3, 4))
    father = person("王强", choices.PersonRole.PARTNER, D(1978, 1, 1))
    case = services.case_open(
        team=team,
        actor=caseworker,
        risk_level=choices.RiskLevel.HIGH,
        summary="Mother and child in hiding.",
        members=[
            (mother, choices.MemberRole.PRINCIPAL),
            (child, choices.MemberRole.CHILD),
            (father, choices.MemberRole.PARTNER),
        ],
        caseworkers=[caseworker],
    )
    for parent in (mother, father):
        services.relationship_create(
            from_person=parent,
            to_person=child,
            kind=choices.RelationshipKind.PARENT_OF,
            actor=caseworker,
        )
    services.relationship_create(
        from_person=mother,
        to_person=father,
        kind=choices.RelationshipKind.PARTNER_OF,
        marriage_registered=False,
        actor=caseworker,
    )
    return UnmarriedParents(case=case, mother=mother, child=child, father=father)


@dataclass
class RaidedFamily:
    """A case's mother and the child added to it, after a raid, with a visit to make."""

    case: Case
    mother: Person
    child: Person
    incident: Incident
    task: Task


def child_added_after_a_raid(*, case, caseworker) -> RaidedFamily:
    """
    In `case`, whose one member is the mother: her child 김아이 (born 2012) joins it, a raid in
    Jilin on 1 May 2024 is recorded about the mother, and a visit is the caseworker's to make.
    """
    mother = case.people.get()
    child = services.person_create(
        actor=caseworker,
        case=case,
        full_name="김아이",
        role=choices.PersonRole.CHILD,
        date_of_birth=D(2012, 3, 4),
    )
    incident = services.incident_record(
        case=case,
        kind=choices.IncidentKind.RAID,
        occurred_on=D(2024, 5, 1),
        region=choices.Region.JILIN,
        people=[mother],
        actor=caseworker,
    )
    task = services.task_create(case=case, title="Visit", actor=caseworker, assignee=caseworker)
    return RaidedFamily(case=case, mother=mother, child=child, incident=incident, task=task)


def consenting(person, statistics=True):
    Consent.objects.create(person=person, method="written", store_data=True, statistics=statistics)
    return person


def _member(
    case,
    *,
    role=choices.PersonRole.REFUGEE,
    born=1984,
    member_role=choices.MemberRole.RELATIVE,
    consent=True,
):
    someone = PersonFactory(role=role, birth_year=born, date_of_birth=D(born, 1, 1))
    CaseMemberFactory(case=case, person=someone, role=member_role)
    if consent:
        consenting(someone)
    return someone


def _status_period(someone, code, start, end=None):
    return LegalStatusRecord.objects.create(
        person=someone, status=code, effective_from=start, effective_to=end
    )


def _benefit(someone, kind, code, as_of):
    return Entitlement.objects.create(person=someone, kind=kind, status=code, as_of=as_of)


def _incident_about(case, kind, day, *people):
    found = Incident.objects.create(case=case, kind=kind, occurred_on=day)
    found.people.set(people)
    return found


def _at_ten(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _followed_up(case, *, task_on=None, note_on=None):
    if task_on:
        task = Task.objects.create(case=case, title="Call back")
        Task.objects.filter(pk=task.pk).update(created_at=_at_ten(task_on))
    if note_on:
        note = CaseNote.objects.create(case=case, body="Visited")
        CaseNote.objects.filter(pk=note.pk).update(created_at=_at_ten(note_on))


def _worked_case(team, owner, opened_on):
    case = CaseFactory(team=team, owner=owner, opened_on=opened_on)
    AssignmentFactory(case=case, user=owner)
    return case


@dataclass
class Caseload:
    """The cases and people of `known_caseload` that the report tests name."""

    case_a: object
    case_b: object
    case_c: object
    case_d: object
    south_case: object
    p1: object
    p2: object
    p3: object
    p4: object
    p5: object
    c1: object
    s1: object


def known_caseload(*, team_north, team_south, alice, charlie) -> Caseload:
    """
    The reports' known caseload, January to June 2025: four cases of `team_north` worked by
    `alice` and one of `team_south` worked by `charlie`, written as rows (the reports read what is stored).

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
    case_a = _worked_case(team_north, alice, D(2025, 1, 10))
    case_b = _worked_case(team_north, alice, D(2025, 3, 1))
    case_c = _worked_case(team_north, alice, D(2025, 2, 1))
    case_d = _worked_case(team_north, alice, D(2025, 3, 5))
    p1 = _member(case_a, member_role=choices.MemberRole.PRINCIPAL)
    p3 = _member(case_b, member_role=choices.MemberRole.PRINCIPAL)
    p4 = _member(case_c, member_role=choices.MemberRole.PRINCIPAL, consent=False)
    p2 = _member(case_d, member_role=choices.MemberRole.PRINCIPAL)
    p5 = _member(case_a)
    _status_period(p1, choices.LegalStatus.UNDOCUMENTED_CN, D(2024, 6, 1), D(2025, 2, 10))
    _status_period(p1, choices.LegalStatus.DETAINED_CN, D(2025, 2, 10), D(2025, 4, 1))
    _status_period(p1, choices.LegalStatus.REPATRIATED, D(2025, 4, 1))
    _status_period(p2, choices.LegalStatus.UNDOCUMENTED_CN, D(2024, 1, 1), D(2025, 3, 15))
    _status_period(p2, choices.LegalStatus.DETAINED_CN, D(2025, 3, 15))
    _status_period(p3, choices.LegalStatus.DETAINED_CN, D(2025, 1, 20), D(2025, 2, 1))
    _status_period(p3, choices.LegalStatus.UNDOCUMENTED_CN, D(2025, 2, 1))
    _status_period(p4, choices.LegalStatus.DETAINED_CN, D(2025, 1, 5))

    child = choices.PersonRole.CHILD
    hukou = choices.EntitlementKind.HOUSEHOLD_REGISTRATION
    c1 = _member(case_a, role=child, born=2015)
    _benefit(c1, hukou, choices.EntitlementStatus.DENIED, D(2024, 9, 1))
    _benefit(c1, choices.EntitlementKind.SCHOOL, choices.EntitlementStatus.DENIED, D(2025, 1, 10))
    _benefit(c1, choices.EntitlementKind.SCHOOL, choices.EntitlementStatus.GRANTED, D(2025, 5, 1))
    _member(case_a, role=child, born=2015)
    c3 = _member(case_a, role=child, born=2018)
    _benefit(c3, hukou, choices.EntitlementStatus.PENDING, D(2025, 2, 1))
    c4 = _member(case_a, role=child, born=2018)
    _benefit(c4, hukou, choices.EntitlementStatus.DENIED, D(2024, 2, 1))
    _benefit(c4, hukou, choices.EntitlementStatus.GRANTED, D(2025, 3, 1))
    c5 = _member(case_a, role=child, born=2019)
    _benefit(c5, hukou, choices.EntitlementStatus.DENIED, D(2020, 2, 1))
    _status_period(c5, choices.LegalStatus.CHILD_REGISTERED, D(2021, 1, 1))
    c6 = _member(case_a, role=child, born=2016, consent=False)
    _benefit(c6, hukou, choices.EntitlementStatus.DENIED, D(2024, 2, 1))
    # Refused medical care by a later record than a grant: refused.
    _benefit(
        p1, choices.EntitlementKind.MEDICAL_CARE, choices.EntitlementStatus.GRANTED, D(2024, 1, 1)
    )
    _benefit(
        p1, choices.EntitlementKind.MEDICAL_CARE, choices.EntitlementStatus.DENIED, D(2025, 1, 3)
    )

    _incident_about(case_a, choices.IncidentKind.RAID, D(2025, 1, 15), p1)
    _incident_about(case_a, choices.IncidentKind.ARREST, D(2025, 2, 10), p1, p5)
    _incident_about(case_a, choices.IncidentKind.DETENTION, D(2025, 2, 10), p1)
    _incident_about(case_c, choices.IncidentKind.RAID, D(2025, 3, 3), p4)
    _incident_about(case_a, choices.IncidentKind.DETENTION, D(2025, 5, 5), p5)
    _incident_about(case_a, choices.IncidentKind.DEPORTATION, D(2025, 5, 20), p5)
    _incident_about(case_a, choices.IncidentKind.RAID, D(2024, 12, 31), p1)  # before the period

    _followed_up(case_a, task_on=D(2025, 1, 15), note_on=D(2025, 1, 20))
    _followed_up(case_b, note_on=D(2025, 3, 11))
    _followed_up(case_c, task_on=D(2025, 2, 2))

    south_case = CaseFactory(team=team_south, owner=charlie, opened_on=D(2025, 2, 1))
    AssignmentFactory(case=south_case, user=charlie)
    s1 = _member(south_case, member_role=choices.MemberRole.PRINCIPAL)
    _status_period(s1, choices.LegalStatus.DETAINED_CN, D(2025, 3, 1))
    _benefit(s1, choices.EntitlementKind.SCHOOL, choices.EntitlementStatus.DENIED, D(2025, 2, 1))
    _incident_about(south_case, choices.IncidentKind.RAID, D(2025, 1, 15), s1)
    _followed_up(south_case, note_on=D(2025, 2, 3))
    return Caseload(
        case_a=case_a,
        case_b=case_b,
        case_c=case_c,
        case_d=case_d,
        south_case=south_case,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        p5=p5,
        c1=c1,
        s1=s1,
    )


@dataclass
class PeopleToFind:
    """One case of people whose names are written in every way a forgiving search must read."""

    case: Case
    kwon: Person  # 권금화, also known as 權金花 (traditional characters)
    kwon_k: Person  # 권경숙: the same family name, a given name that starts alike
    kwon_m: Person  # 권민수: the same family name only
    kim: Person  # 金英哲, recorded only in characters (read 김영철 in Korean)
    liu: Person  # 劉美玲, recorded in traditional characters
    ri: Person  # 리순희, the North's spelling of the family name 이


def people_to_find(*, team, caseworker) -> PeopleToFind:
    """`PeopleToFind` in one medium-risk case of `team` worked by `caseworker`, through the services."""

    def person(name: str, *aliases: str) -> Person:
        return services.person_create(
            actor=caseworker, full_name=name, aliases=aliases, role=choices.PersonRole.REFUGEE
        )

    people = {
        "kwon": person("권금화", "權金花"),
        "kwon_k": person("권경숙"),
        "kwon_m": person("권민수"),
        "kim": person("金英哲"),
        "liu": person("劉美玲"),
        "ri": person("리순희"),
    }
    case = services.case_open(
        team=team,
        actor=caseworker,
        risk_level=choices.RiskLevel.MEDIUM,
        members=[(p, choices.MemberRole.RELATIVE) for p in people.values()],
        caseworkers=[caseworker],
    )
    return PeopleToFind(case=case, **people)


# Referrals (referrals app): a team's directory and a child referred to a school.


@dataclass
class SchoolReferral:
    """A mother and her daughter in Yanbian; the mother agreed for both; a school took the girl."""

    case: Case
    mother: Person
    child: Person
    school: object
    lawyer: object
    referral: object


def directory_provider(*, team, supervisor, kind, name: str, **fields):
    """A provider of `team`'s directory, added by its supervisor through the service."""
    defaults = {
        "languages": ["ko", "zh"],
        "region": choices.Region.YANBIAN,
        "contact": f"Side gate after 16:00, ask for {name}'s deputy",
        "safety_notes": "Never call directly",
    }
    return provider_create(team=team, actor=supervisor, kind=kind, name=name, **defaults | fields)


def child_referred_to_a_school(*, team, caseworker, supervisor, mother_name: str):
    """
    A North Korean mother and her stateless daughter (9) in Yanbian, in one case of `team`; the
    mother agreed for herself and, as her guardian, for her daughter to be kept on file (not to
    have the case shared with lawyers). The daughter is referred to a Korean-Chinese primary
    school of the team's directory; a lawyer is in the directory too.
    """
    family = mother_with_children(team=team, caseworker=caseworker, name=mother_name, children=1)
    mother, child = family.mother, family.children[0]
    services.person_update(
        person=child,
        actor=caseworker,
        date_of_birth=timezone.localdate().replace(day=1) - datetime.timedelta(days=9 * 366),
        region=choices.Region.YANBIAN,
        sex=choices.Sex.FEMALE,
    )
    consent_record(person=mother, actor=caseworker, method="verbal", scopes=["store_data"])
    consent_record(
        person=child, actor=caseworker, method="verbal", scopes=["store_data"], guardian=mother
    )
    school = directory_provider(
        team=team,
        supervisor=supervisor,
        kind="school",
        name="Hope Korean-Chinese Primary School",
    )
    lawyer = directory_provider(
        team=team, supervisor=supervisor, kind="lawyer", name="Attorney Han", region="cn-jilin"
    )
    referral = referral_create(
        case=family.case,
        person=child,
        provider=school,
        service="education",
        referred_on=timezone.localdate(),
        urgency="soon",
        actor=caseworker,
    )
    return SchoolReferral(family.case, mother, child, school, lawyer, referral)
