"""
Data of team South that team North must never see: a case of charlie's with a mother, her child
and every kind of record hanging off them, built through the services as the app builds it.
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TeamMembership
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
from intake.importing import import_upload
from intake.models import DuplicateCandidate, ImportBatch, IntakeSubmission
from intake.services import intake_start
from legal_aid.models import AdvocacyDocument
from legal_aid.services import document_request

from ..conftest import built_once
from ..factories import MembershipFactory, TeamFactory, UserFactory
from ..scenarios import household_with_every_record, persona

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
        """The state a refused write must leave untouched."""
        case = Case.objects.get(pk=self.case.pk)
        task = Task.objects.get(pk=self.task.pk)
        return {
            "case": (case.team_id, case.status, case.risk_level, case.owner_id),
            "assignments": sorted(case.assignments.values_list("user_id", "role")),
            "members": sorted(map(str, case.members.values_list("person_id", flat=True))),
            "notes": case.notes.count(),
            "tasks": (case.tasks.count(), task.completed_at),
            "incidents": case.incidents.count(),
            "attachments": case.attachments.count(),
            "aliases": self.mother.aliases.count(),
            "relationships": Relationship.objects.filter(from_person=self.mother).count(),
            "statuses": self.mother.status_records.count(),
            "entitlements": self.mother.entitlements.count(),
            "updated": Person.objects.get(pk=self.mother.pk).updated_at,
            "intake": IntakeSubmission.objects.filter(pk=self.intake.pk)
            .values_list("status", "step", "owner", "team")[:1]
            .get(),
            "match": DuplicateCandidate.objects.values_list("verdict", flat=True).get(
                pk=self.match.pk
            ),
        }


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
