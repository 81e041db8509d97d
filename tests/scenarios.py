"""
Named households for the tests, built once here through the casework services, as the app builds
them (each write validated, permission-checked and audited). A test asks for a household by what
it is, `household_with_every_record(...)` or `mother_with_children(...)`, and gets back a small
dataclass of what was made; it never writes its own "household with every record" again.

The personas who act are defined here once (`PERSONAS`, `persona()`) and offered as fixtures by
tests/conftest.py; the rows that are not casework (users, teams, memberships) come from
tests/factories.py.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
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

from .factories import (
    CaseMemberFactory,
    MembershipFactory,
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
    MembershipFactory(user=user, team=TeamFactory(name=team_name), role=role)
    return user


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
