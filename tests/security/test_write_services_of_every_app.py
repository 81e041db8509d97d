"""
Every write service of every app asks its app's permissions module before it writes (issue 15,
point 1), whoever calls it: called by a user who may see the record but not do the thing, each
raises PermissionDenied and leaves nothing behind. Casework's services have their own module
(tests/casework/test_service_permissions.py, with its `REFUSED_CALLS`); this one holds the
services of intake (and its import), legal aid, referrals and accounts, and the enumeration of
every app: a new function naming an `actor` in any app's services fails here until it is given a
refused call, or a reason it asks nothing (`UNCHECKED`).
"""

import datetime
import importlib
import inspect
import pkgutil
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services as accounts_services
from accounts.models import RoleChangeRequest, TeamMembership
from audit.models import AuditEvent
from casework.choices import AssignmentRole
from intake import services as intake_services
from intake.importing import batches, writing
from intake.models import DuplicateCandidate, ImportBatch, IntakeSubmission
from legal_aid import services as legal_aid_services
from legal_aid.models import AdvocacyDocument
from referrals import services as referrals_services
from referrals.models import Referral, ServiceProvider

from ..casework.test_service_permissions import REFUSED_CALLS as CASEWORK_REFUSED_CALLS
from ..casework.test_service_permissions import UNCHECKED_STEPS as CASEWORK_UNCHECKED
from ..conftest import built_once
from ..factories import AssignmentFactory, TeamFactory
from ..scenarios import child_referred_to_a_school, persona

# Service modules that are not an app's `services`: withdrawal and erasure, the spreadsheet import.
OTHER_SERVICE_MODULES = ("casework.erasure", "intake.importing")


@dataclass
class World:
    alice: object  # caseworker of North: took the intakes, asked for the document
    bob: object  # caseworker of North
    sue: object  # supervisor of North
    lena: object  # legal advocate of North; the case is shared with her
    charlie: object  # caseworker of South: sees nothing of North
    team_north: object
    case: object
    mother: object
    child: object
    school: ServiceProvider
    referral: Referral
    draft: IntakeSubmission  # alice's
    submitted: IntakeSubmission  # alice's, waiting for North's supervisors
    candidate: DuplicateCandidate  # South's intake may be North's mother
    batch: ImportBatch  # a checked spreadsheet of North
    document: AdvocacyDocument  # rendered, names the mother, waiting for approval
    change: RoleChangeRequest  # pending: bob to be a supervisor of North


def _build() -> World:
    alice, bob, sue, charlie = (persona(name) for name in ("alice", "bob", "sue", "charlie"))
    lena = persona("lena")
    team_north = alice.team_memberships.get().team
    family = child_referred_to_a_school(
        team=team_north, caseworker=alice, supervisor=sue, mother_name="김영희"
    )
    AssignmentFactory(case=family.case, user=lena, role=AssignmentRole.LEGAL_ADVOCATE)
    team_south = charlie.team_memberships.get().team
    # Written directly: the refused call is what is under test, not how the rows came to be.
    draft = IntakeSubmission.objects.create(team=team_north, owner=alice)
    submitted = IntakeSubmission.objects.create(
        team=team_north, owner=alice, status=IntakeSubmission.Status.SUBMITTED
    )
    south_intake = IntakeSubmission.objects.create(
        team=team_south, owner=charlie, status=IntakeSubmission.Status.SUBMITTED
    )
    candidate = DuplicateCandidate.objects.create(
        submission=south_intake, person=family.mother, subject="principal", reasons=["name"]
    )
    batch = ImportBatch.objects.create(
        team=team_north, uploaded_by=sue, file_format="csv", status=ImportBatch.Status.CHECKED
    )
    document = AdvocacyDocument(
        kind=AdvocacyDocument.Kind.DEPORTATION_APPEAL,
        case=family.case,
        subject=family.mother,
        language="en",
        recipient_format=AdvocacyDocument.RecipientFormat.LAWYER_SUBMISSION,
        redaction=AdvocacyDocument.Redaction.NAMED_WITH_CONSENT,
        requested_by=alice,
        status=AdvocacyDocument.Status.READY,
        names_people=True,
        sha256="0" * 64,
        page_count=1,
    )
    document.file.save("document.pdf", ContentFile(b"%PDF-1.7"), save=False)
    document.save()
    change = RoleChangeRequest.objects.create(
        user=bob,
        kind=RoleChangeRequest.Kind.TEAM_ROLE,
        team=team_north,
        role=TeamMembership.Role.SUPERVISOR,
        requested_by=alice,
    )
    TeamFactory(name="West")  # a team nobody here works in
    return World(
        alice=alice,
        bob=bob,
        sue=sue,
        lena=lena,
        charlie=charlie,
        team_north=team_north,
        case=family.case,
        mother=family.mother,
        child=family.child,
        school=family.school,
        referral=family.referral,
        draft=draft,
        submitted=submitted,
        candidate=candidate,
        batch=batch,
        document=document,
        change=change,
    )


_built_once, world = built_once(_build, name="world")

TODAY = datetime.date(2026, 6, 1)

# Each service called by someone who may not: `w` is the World above.
REFUSED_CALLS = {
    # Intake: a legal advocate takes none; a draft is its author's; supervisors decide.
    "intake.services.intake_start": lambda w: intake_services.intake_start(
        actor=w.lena, team=w.team_north
    ),
    "intake.services.intake_save_step": lambda w: intake_services.intake_save_step(
        submission=w.draft, step="consent", data={}, actor=w.bob
    ),
    "intake.services.intake_submit": lambda w: intake_services.intake_submit(
        submission=w.draft, actor=w.bob
    ),
    "intake.services.intake_discard": lambda w: intake_services.intake_discard(
        submission=w.draft, actor=w.bob
    ),
    "intake.services.intake_approve": lambda w: intake_services.intake_approve(
        submission=w.submitted, actor=w.alice
    ),
    "intake.services.intake_merge": lambda w: intake_services.intake_merge(
        submission=w.submitted, target=w.mother, actor=w.alice
    ),
    "intake.services.intake_reject": lambda w: intake_services.intake_reject(
        submission=w.submitted, actor=w.alice, reason="not ours"
    ),
    "intake.services.intake_return": lambda w: intake_services.intake_return(
        submission=w.submitted, actor=w.alice, reason="the date"
    ),
    # The mother is North's: only North's supervisors say whether South's intake is her.
    "intake.services.duplicate_verdict": lambda w: intake_services.duplicate_verdict(
        candidate=w.candidate, verdict=DuplicateCandidate.Verdict.SAME, actor=w.alice
    ),
    # The import is a supervisor's.
    "intake.importing.import_upload": lambda w: batches.import_upload(
        team=w.team_north,
        uploaded_file=SimpleUploadedFile("people.csv", b"a,b\n1,2\n"),
        actor=w.alice,
    ),
    "intake.importing.import_configure": lambda w: batches.import_configure(
        batch=w.batch, actor=w.alice, day_first=True
    ),
    "intake.importing.import_run": lambda w: writing.import_run(batch=w.batch, actor=w.alice),
    "intake.importing.import_stop": lambda w: writing.import_stop(batch=w.batch, actor=w.alice),
    "intake.importing.import_discard": lambda w: batches.import_discard(
        batch=w.batch, actor=w.alice
    ),
    # Legal aid: South's caseworker sees nothing of North's case or its documents.
    "legal_aid.services.document_request": lambda w: legal_aid_services.document_request(
        kind=AdvocacyDocument.Kind.DEPORTATION_APPEAL,
        language="en",
        redaction=AdvocacyDocument.Redaction.PSEUDONYMISED,
        recipient_format=AdvocacyDocument.RecipientFormat.LAWYER_SUBMISSION,
        case=w.case,
        subject=w.mother,
        actor=w.charlie,
    ),
    "legal_aid.services.document_regenerate": lambda w: legal_aid_services.document_regenerate(
        document=w.document, actor=w.charlie
    ),
    "legal_aid.services.document_retry": lambda w: legal_aid_services.document_retry(
        document=w.document, actor=w.charlie
    ),
    # A caseworker of the team is no approver, and sees the pages only once approved.
    "legal_aid.services.document_approve": lambda w: legal_aid_services.document_approve(
        document=w.document, actor=w.bob
    ),
    "legal_aid.services.document_preview_page": lambda w: legal_aid_services.document_preview_page(
        document=w.document, actor=w.bob, page=1
    ),
    # Not approved yet: nobody downloads it, the requester and her supervisor included.
    "legal_aid.services.document_download": lambda w: legal_aid_services.document_download(
        document=w.document, actor=w.sue
    ),
    # Referrals: the directory is its supervisors'; referring follows the case's edit rights.
    "referrals.services.provider_create": lambda w: referrals_services.provider_create(
        team=w.team_north, actor=w.alice, kind="school", name="Another school"
    ),
    "referrals.services.provider_update": lambda w: referrals_services.provider_update(
        provider=w.school, actor=w.alice, name="Renamed"
    ),
    "referrals.services.referral_create": lambda w: referrals_services.referral_create(
        case=w.case,
        person=w.child,
        provider=w.school,
        service="Enrolment",
        referred_on=TODAY,
        actor=w.lena,
    ),
    "referrals.services.referral_status_change": lambda w: (
        referrals_services.referral_status_change(
            referral=w.referral, status="sent", changed_on=TODAY, actor=w.lena
        )
    ),
    "referrals.services.referral_cancel_on_closing": lambda w: (
        referrals_services.referral_cancel_on_closing(referral=w.referral, actor=w.lena)
    ),
    # Accounts: role changes are administrators', four eyes; a caseworker unlocks nobody.
    "accounts.services.role_change_request": lambda w: accounts_services.role_change_request(
        actor=w.sue,
        user=w.bob,
        kind=RoleChangeRequest.Kind.TEAM_ROLE,
        team=w.team_north,
        role=TeamMembership.Role.SUPERVISOR,
    ),
    "accounts.services.role_change_approve": lambda w: accounts_services.role_change_approve(
        actor=w.sue, change=w.change
    ),
    "accounts.services.role_change_reject": lambda w: accounts_services.role_change_reject(
        actor=w.sue, change=w.change
    ),
    "accounts.services.user_unlock": lambda w: accounts_services.user_unlock(
        actor=w.alice, user=w.bob
    ),
}

# Functions of the service modules that name an actor but ask no permission, each for a reason.
UNCHECKED = {
    # Steps of a checked service, never called from a page, the API or the admin.
    "consent.services.consent_record": "casework's consent services and intake_approve ask first",
    "consent.services.consent_renew": "casework.services.person_consent_renew asks first",
    "consent.services.consent_built": "a step of consent_record, writes nothing",
    "intake.services.create_records": "a step of intake_approve and intake_merge, after them",
    "accounts.services.record_for_teams": "files an audit event, changes nothing",
    "accounts.services.user_access_end": "ends access, never grants it: the user's own sign-out "
    "or password change, or a deactivation or removal already decided",
    # Hooks run inside casework's checked merge and erasure (SHIMTEO_*_HOOKS).
    "intake.services.person_merged": "merge hook, inside casework's checked person_merge",
    "referrals.services.person_merged": "merge hook, inside casework's checked person_merge",
    "referrals.services.person_erased": "erasure hook, inside casework's checked erasure",
    "legal_aid.services.documents_withdraw_naming": "erasure hook, inside the checked erasure",
    "legal_aid.services.documents_revoke_naming": "consent hook, inside consent_withdraw",
    "casework.services.household_check": "validates a household, writes nothing; "
    "households_create checks the permissions",
    # The audit trail itself: every service calls it after its check.
    "audit.services.record": "the audit trail, called by the checked services",
    "audit.services.record_many": "the audit trail, called by the checked services",
    # Reads that name their reader to scope what they return.
    "intake.services.merge_targets": "a read, scoped to the people the actor may change",
    "intake.services.open_cases_of": "a read, scoped to the cases the actor may change",
    "legal_aid.services.document_offers": "a read: what the form offers; the request checks",
    "reports.services.report_for": "a read of what visible_to(actor) shows, or its count",
    "reports.services.report_run_for": "counts what visible_to(actor) shows, for the actor "
    "alone; grants nothing",
    **{f"casework.erasure.{name}": "see casework's UNCHECKED_STEPS" for name in CASEWORK_UNCHECKED},
}


def _project_apps() -> list[str]:
    """The apps of this repository (those at its root), not Django's or a library's."""
    root = str(settings.BASE_DIR)
    return [config.name for config in apps.get_app_configs() if str(config.path).startswith(root)]


def _modules(name: str):
    module = importlib.import_module(name)
    yield module
    # A package (casework.services, intake.services, legal_aid.services, intake.importing): its
    # submodules define the services; an __init__ that re-exports them defines none.
    if hasattr(module, "__path__"):
        for found in pkgutil.iter_modules(module.__path__, f"{name}."):
            yield importlib.import_module(found.name)


def write_services() -> set[str]:
    """Every public function naming an `actor` in an app's services (module or package)."""
    names = set()
    modules = [f"{app}.services" for app in _project_apps()] + list(OTHER_SERVICE_MODULES)
    for module_name in modules:
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for module in _modules(module_name):
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if (
                    function.__module__ == module.__name__
                    and not name.startswith("_")
                    and "actor" in inspect.signature(function).parameters
                ):
                    names.add(f"{module_name}.{name}")
    return names


def test_every_write_service_of_every_app_has_a_refused_call():
    """A new write service of any app fails here until a call it must refuse is written."""
    casework = {f"casework.services.{name}" for name in CASEWORK_REFUSED_CALLS} | {
        f"casework.erasure.{name}" for name in CASEWORK_REFUSED_CALLS
    }
    found = write_services()
    assert {"intake", "legal_aid", "referrals", "accounts", "consent"} <= {
        name.split(".")[0] for name in found
    }
    uncovered = found - set(REFUSED_CALLS) - set(UNCHECKED) - casework
    assert not uncovered, f"write services with no refused call: {sorted(uncovered)}"
    assert set(REFUSED_CALLS) | set(UNCHECKED) <= found


def _state(w: World) -> dict:
    """What a refused write must leave as it was."""
    return {
        "intakes": sorted(
            IntakeSubmission.objects.values_list("pk", "status", "answers", "decided_by")
        ),
        "verdict": DuplicateCandidate.objects.get(pk=w.candidate.pk).verdict,
        "batches": sorted(ImportBatch.objects.values_list("pk", "status", "options")),
        "documents": sorted(AdvocacyDocument.objects.values_list("pk", "status", "approved_by")),
        "providers": sorted(ServiceProvider.objects.values_list("pk", "version")),
        "referrals": sorted(Referral.objects.values_list("pk", "status", "version")),
        "changes": sorted(RoleChangeRequest.objects.values_list("pk", "status")),
        "memberships": sorted(TeamMembership.objects.values_list("user", "team", "role")),
        # A refused download is itself audited ("denied"); nothing else may be.
        "events": AuditEvent.objects.exclude(action="denied").count(),
    }


@pytest.mark.parametrize("name", sorted(REFUSED_CALLS))
def test_each_write_service_refuses_who_may_not(name, world):
    """Called by a user who may not, the service raises PermissionDenied and writes nothing."""
    before = _state(world)
    with pytest.raises(PermissionDenied):
        REFUSED_CALLS[name](world)
    assert _state(world) == before
