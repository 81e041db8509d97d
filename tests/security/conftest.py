"""
Data of team South that team North must never see: a case of charlie's with a mother, her child
and every kind of record hanging off them, built through the services as the app builds it.
"""

import copy
import time
from dataclasses import dataclass, field
from importlib import import_module

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Func, IntegerField, Subquery
from django.test import Client, override_settings
from knox.models import AuthToken

from accounts.middleware import SlidingSessionMiddleware
from accounts.models import TeamMembership
from casework.choices import AssignmentRole
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
from intake.importing.batches import import_upload
from intake.models import DuplicateCandidate, ImportBatch, IntakeSubmission
from intake.services import intake_start
from legal_aid.models import AdvocacyDocument
from legal_aid.services import document_request

from ..conftest import FAST_HASHERS, built_once, sign_in, with_session
from ..factories import AssignmentFactory, MembershipFactory, TeamFactory, UserFactory
from ..scenarios import case_with_one_member, household_with_every_record, persona

# Distinctive values, so a leak in a page or a log cannot be a coincidence.
MOTHER_NAME = "남궁비밀"
MOTHER_ALIAS = "Namgung Bimil"
MOTHER_CONTACT = "+86 139 5550 0199"
MOTHER_ORIGIN = "Musan, North Hamgyong (south-secret)"
MOTHER_LOCATION = "Longjing, safe house 7 (south-secret)"
CHILD_NAME = "남궁아이"
IMPORTED_NAME = "남궁가져온"


@dataclass
class SouthData:
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
    intake: IntakeSubmission
    batch: ImportBatch
    document: AdvocacyDocument
    match: DuplicateCandidate
    owner: object
    supervisor: object

    def references(self) -> list[str]:
        """What identifies South's people and case in a page or a response."""
        return [self.case.reference, self.mother.reference, self.child.reference]

    def secrets(self) -> list[str]:
        """Everything of South that must not appear in a North user's response."""
        ids = [
            self.alias.pk,
            self.relationship.pk,
            self.status.pk,
            self.entitlement.pk,
            self.incident.pk,
            self.note.pk,
            self.task.pk,
            self.attachment.pk,
            self.mother.pk,
            self.child.pk,
            self.intake.pk,
            self.batch.pk,
            self.document.pk,
            self.match.submission.pk,
        ]
        return [
            *self.references(),
            self.intake.reference,
            MOTHER_NAME,
            MOTHER_ALIAS,
            CHILD_NAME,
            *map(str, ids),
        ]

    def fingerprint(self) -> dict:
        """
        The state a refused write must leave untouched, read before and after most of the
        matrix's tests: the case's row, its records' counts and the other single values in one
        query of scalar subqueries (each count through its model's default manager, as the
        related managers count), not one query each (fifteen in all).
        """
        case, mother = self.case, self.mother
        row = (
            Case.objects.filter(pk=case.pk)
            .values("team_id", "status", "risk_level", "owner_id")
            .annotate(
                notes=_count(case.notes.all()),
                tasks=_count(case.tasks.all()),
                task_completed_at=_value(Task.objects.filter(pk=self.task.pk), "completed_at"),
                incidents=_count(case.incidents.all()),
                attachments=_count(case.attachments.all()),
                aliases=_count(mother.aliases.all()),
                relationships=_count(Relationship.objects.filter(from_person=mother)),
                statuses=_count(mother.status_records.all()),
                entitlements=_count(mother.entitlements.all()),
                updated=_value(Person.objects.filter(pk=mother.pk), "updated_at"),
                **{
                    f"intake_{name}": _value(
                        IntakeSubmission.objects.filter(pk=self.intake.pk), name
                    )
                    for name in INTAKE_FIELDS
                },
                match=_value(DuplicateCandidate.objects.filter(pk=self.match.pk), "verdict"),
            )
            .get()
        )
        return {
            "case": (row["team_id"], row["status"], row["risk_level"], row["owner_id"]),
            "assignments": sorted(case.assignments.values_list("user_id", "role")),
            "members": sorted(map(str, case.members.values_list("person_id", flat=True))),
            "notes": row["notes"],
            "tasks": (row["tasks"], row["task_completed_at"]),
            "incidents": row["incidents"],
            "attachments": row["attachments"],
            "aliases": row["aliases"],
            "relationships": row["relationships"],
            "statuses": row["statuses"],
            "entitlements": row["entitlements"],
            "updated": row["updated"],
            "intake": tuple(row[f"intake_{name}"] for name in INTAKE_FIELDS),
            "match": row["match"],
        }


# What of South's intake a refused write must leave as it was.
INTAKE_FIELDS = ("status", "step", "owner", "team")


def _count(rows) -> Subquery:
    """How many `rows` there are, as a column of another query (COUNT without GROUP BY: 0 for none)."""
    # An integer, said so: left to infer, the count takes the type of `pk`, and SQLite's
    # converter reads it back as a UUID.
    count = Func("pk", function="COUNT", output_field=IntegerField())
    return Subquery(rows.order_by().annotate(n=count).values("n"))


def _value(rows, field: str) -> Subquery:
    """The `field` of the one row of `rows`, as a column of another query."""
    return Subquery(rows.values(field))


def _build_south() -> SouthData:
    """
    Charlie's case in team South, with one record of every kind, an advocacy brief about the
    child, his draft intake, and a spreadsheet import of sam's (imports are for supervisors).
    """
    charlie = persona("charlie")
    team_south = TeamFactory(name="South")
    # Sam supervises team South: the one who may do everything to South's cases.
    south_supervisor = UserFactory(username="sam")
    MembershipFactory(user=south_supervisor, team=team_south, role=TeamMembership.Role.SUPERVISOR)
    home = household_with_every_record(
        team=team_south,
        caseworker=charlie,
        tag="S1",
        mother_name=MOTHER_NAME,
        child_name=CHILD_NAME,
        alias=MOTHER_ALIAS,
        contact=MOTHER_CONTACT,
        place_of_origin=MOTHER_ORIGIN,
        current_location=MOTHER_LOCATION,
        summary="South's case summary",
        note="South's private note",
        incident="A raid on the safe house",
        task="Visit the family",
    )
    case, child = home.case, home.child
    # Queued only: it would render after commit, which a test's transaction never reaches.
    document = document_request(
        kind=AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
        language=AdvocacyDocument.Language.EN,
        redaction=AdvocacyDocument.Redaction.PSEUDONYMISED,
        actor=charlie,
        case=case,
        subject=child,
    )
    intake = intake_start(actor=charlie, team=team_south)
    spreadsheet = f"full_name\n{IMPORTED_NAME}\n".encode()
    batch = import_upload(
        team=team_south,
        uploaded_file=SimpleUploadedFile("people.csv", spreadsheet, content_type="text/csv"),
        actor=south_supervisor,
    )
    # Team East's intake that may be South's mother: only South's supervisor says whether it is.
    east = TeamFactory(name="East")
    erin = UserFactory(username="erin")
    MembershipFactory(user=erin, team=east)
    east_intake = intake_start(actor=erin, team=east)
    IntakeSubmission.objects.filter(pk=east_intake.pk).update(
        status=IntakeSubmission.Status.SUBMITTED
    )
    match = DuplicateCandidate.objects.create(
        submission=east_intake, person=home.mother, subject="principal", reasons=["name"]
    )
    return SouthData(
        case=case,
        mother=home.mother,
        child=child,
        alias=home.alias,
        relationship=home.relationship,
        status=home.status,
        entitlement=home.entitlement,
        incident=home.incident,
        note=home.note,
        task=home.task,
        attachment=home.attachment,
        intake=intake,
        batch=batch,
        document=document,
        match=match,
        owner=charlie,
        supervisor=south_supervisor,
    )


# Some hundred tests of the permission matrix read South's data and change it only in their
# own transaction: built once per module, as setUpTestData would (see built_once_per_module).
_built_once, south = built_once(_build_south, name="south")


# The personas of South are the ones South's data was built with.


@pytest.fixture
def team_south(south):
    return south.case.team


@pytest.fixture
def charlie(south):
    return south.owner


@pytest.fixture
def south_supervisor(south):
    return south.supervisor


@dataclass
class NorthRoles:
    """Team North, whose roles try South's objects, as tests/conftest.py's fixtures make it."""

    team: object
    alice: object
    sue: object
    lena: object
    case: Case


@pytest.fixture(scope="module")
def _north_built(_built_once, django_db_blocker):
    """
    North written once for a module's tests, in the transaction `_built_once` opened for South's
    data: each test's changes are undone in its own savepoint, and the rows go with South's at
    the end of the module. The same rows as the function fixtures `team_north`, `alice`, `sue`,
    `north_case` and `lena` of tests/conftest.py; a module takes them with `north_personas()`.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        team = TeamFactory(name="North")
        alice, sue = persona("alice"), persona("sue")
        case = case_with_one_member(team=team, caseworker=alice)
        lena = persona("lena")
        AssignmentFactory(case=case, user=lena, role=AssignmentRole.LEGAL_ADVOCATE)
    return NorthRoles(team=team, alice=alice, sue=sue, lena=lena, case=case)


@pytest.fixture
def north_roles(_north_built, db) -> NorthRoles:
    return copy.deepcopy(_north_built)


def north_personas():
    """
    The function fixtures `team_north`, `alice`, `sue`, `lena` and `north_case` of tests/conftest.py
    for a module whose tests only read North (`_north_built`), each a part of `north_roles`. The module
    assigns them, so that pytest finds them:
    `team_north, alice, sue, lena, north_case = north_personas()`.
    """

    def part(name: str, attribute: str):
        @pytest.fixture(name=name)
        def fixture(north_roles):
            return getattr(north_roles, attribute)

        return fixture

    parts = {"team_north": "team", "alice": "alice", "sue": "sue", "lena": "lena"}
    return (
        *(part(name, attribute) for name, attribute in parts.items()),
        part("north_case", "case"),
    )


# Long enough for any module's run on a loaded machine, short of the 12 h absolute lifetime.
MODULE_SESSION_SECONDS = 6 * 3600


@dataclass
class SignedIn:
    """
    A browser session with both factors and an API token for each user of a module, made once in
    its built-once transaction (`add` inside `django_db_blocker.unblock()`), where signing in for
    each test cost ~13 queries, an audited login (the chain's lock) and a token's row. A test's
    requests may change or end a session; its savepoint puts the row back for the next test.
    """

    sessions: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def add(self, *users) -> None:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for user in users:
            key = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
            session = store(key)
            # A session signed in at the start of each test was never slid (nothing waited a
            # minute) nor idle long enough to end: one shared by the module's tests must not
            # be either, however long the module runs, so that no test writes it or finds it
            # gone. The sliding itself is tests/accounts' concern.
            session[SlidingSessionMiddleware.REFRESHED_AT] = (
                int(time.time()) + MODULE_SESSION_SECONDS
            )
            with override_settings(SESSION_COOKIE_AGE=MODULE_SESSION_SECONDS):
                session.save()
            self.sessions[user.pk] = key
            self.tokens[user.pk] = AuthToken.objects.create(user=user)[1]

    def session(self, user) -> Client:
        return with_session(Client(), self.sessions[user.pk])

    def token(self, user) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {self.tokens[user.pk]}")

    def clients(self, user, *, api: bool) -> list[tuple[str, Client]]:
        """A browser session with both factors; for the API also an API token."""
        clients = [("session", self.session(user))]
        if api:
            clients.append(("token", self.token(user)))
        return clients


@pytest.fixture(scope="module")
def signed_in(_north_built, _built_once, django_db_blocker) -> SignedIn:
    """North's and South's staff signed in once for the module (`SignedIn`)."""
    signed = SignedIn()
    with django_db_blocker.unblock():
        north_roles, south = _north_built, _built_once
        signed.add(
            north_roles.alice, north_roles.sue, north_roles.lena, south.owner, south.supervisor
        )
    return signed
