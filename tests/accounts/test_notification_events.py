"""
Notifications of issue 20 point 4, each from the event that causes it, through the services and
pages a user works with: a naming brief waiting for the supervisor's approval, approved, then
revoked when the mother withdraws her consent; an import finished; a break-glass on a case the
supervisor oversees; a follow-up overdue. Each leads to the page it is about, and one about a
case the reader no longer works shows nothing of it.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Notification
from accounts.notifications import unread_count
from casework import services
from casework.erasure import consent_withdraw
from casework.models import Task
from casework.services.follow_ups import follow_ups_remind
from consent.models import Scope
from intake.models import ImportBatch
from legal_aid import services as documents
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from ..legal_aid.test_documents_services import approve, family, name_everyone  # noqa: F401

LIST = reverse("accounts:notification_list")


def _listed(client, user) -> str:
    return sign_in(client, user).get(LIST).content.decode()


def _opened(client, user, kind):
    """Open `user`'s notification of `kind` from their list: where it leads."""
    notification = Notification.objects.get(recipient=user, kind=kind)
    page = _listed(client, user)
    url = reverse("accounts:notification_open", args=[notification.pk])
    assert url in page
    answer = client.get(url)
    assert answer.status_code == 302
    return answer.url


def _naming_appeal(case, subject, actor):
    """An appeal against deportation naming `subject`, rendered: it waits for approval."""
    appeal = documents.document_request(
        kind=AdvocacyDocument.Kind.DEPORTATION_APPEAL,
        language=AdvocacyDocument.Language.EN,
        redaction=AdvocacyDocument.Redaction.NAMED_WITH_CONSENT,
        actor=actor,
        case=case,
        subject=subject,
    )
    return documents.document_render(document_id=appeal.pk)


@pytest.mark.postgres
def test_a_naming_brief_goes_to_the_supervisor_back_to_the_requester_and_is_revoked(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    client,
    django_capture_on_commit_callbacks,
):
    """alice asks for an appeal naming the detained mother; sue approves it; the mother then
    withdraws her consent to be named, and both are told the brief is revoked."""
    name_everyone(north_case)
    mother = family["mother"]
    brief = _naming_appeal(north_case, mother, alice)
    assert brief.needs_approval
    # The requester is not asked to approve her own document.
    assert not Notification.objects.filter(recipient=alice).exists()
    page = _listed(client, sue)
    assert "A document is waiting for your approval" in page
    assert f"{brief.reference} v1" in page
    assert mother.full_name not in page
    kind = Notification.Kind.DOCUMENT_AWAITING_APPROVAL
    assert _opened(client, sue, kind) == brief.get_absolute_url()

    approve(brief, sue)
    assert "A document was approved" in _listed(client, alice)
    assert _opened(client, alice, Notification.Kind.DOCUMENT_APPROVED) == brief.get_absolute_url()
    assert unread_count(alice) == 0

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(person=mother, scopes=[Scope.NAMED_IN_DOCUMENTS], actor=sue)
    for user in (alice, sue):
        page = _listed(client, user)
        assert f"Advocacy document {brief.reference} v1 was revoked" in page
        assert mother.full_name not in page
        revoked = Notification.Kind.DOCUMENT_REVOKED
        assert _opened(client, user, revoked) == brief.get_absolute_url()


def test_a_finished_import_leads_to_its_result(team_north, sue, client):
    """sue imports two families from a spreadsheet; when it is done she is told, and the
    notification opens the import's result."""
    sign_in(client, sue)
    spreadsheet = (
        "full_name,birth_year,consent_method,consent_given_on,consent_scopes\n"
        "리순옥,1979,verbal,2026-11-20,store_data\n"
        "김영희,1986,written,2026-11-21,store_data\n"
    ).encode()
    client.post(
        reverse("intake:imports"),
        {"team": team_north.pk, "file": SimpleUploadedFile("families.csv", spreadsheet)},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    client.post(reverse("intake:import_start", kwargs={"batch_ref": batch.reference}))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    page = _listed(client, sue)
    assert "An import finished" in page and batch.reference in page
    assert "리순옥" not in page
    assert _opened(client, sue, Notification.Kind.IMPORT_FINISHED) == reverse(
        "intake:import_detail", args=[batch.reference]
    )


def test_break_glass_opens_the_case_for_its_supervisor(north_case, sue, admin_user, client):
    reason = "Police request about a missing child, ticket 4411"
    services.case_break_glass(case=north_case, actor=admin_user, reason=reason)
    page = _listed(client, sue)
    assert reason in page and admin_user.get_username() in page
    assert _opened(client, sue, Notification.Kind.BREAK_GLASS) == reverse(
        "casework:case_detail", args=[north_case.reference]
    )


def _lawyer_call(case, actor):
    """A follow-up of a detained husband's case: call his lawyer, due three days ago."""
    return services.task_create(
        case=case,
        title="Call the lawyer about the detention hearing",
        actor=actor,
        due_on=services.checkins.dates.today(team=case.team) - datetime.timedelta(days=3),
    )


def test_an_overdue_follow_up_opens_the_case_then_shows_nothing_once_handed_over(
    north_case, alice, bob, sue, client
):
    _lawyer_call(north_case, alice)
    assert follow_ups_remind().overdue == 1
    page = _listed(client, alice)
    assert "A follow-up is overdue" in page and north_case.reference in page
    assert "Call the lawyer" not in page  # the follow-up's words stay on the case page
    overdue = Notification.Kind.FOLLOW_UP_OVERDUE
    assert _opened(client, alice, overdue).startswith(
        reverse("casework:case_detail", args=[north_case.reference])
    )

    # sue hands the case to bob: alice's reminder no longer names it, nor leads to it.
    services.case_reassign(case=north_case, from_user=alice, to_user=bob, actor=sue)
    page = _listed(client, alice)
    assert "A follow-up is overdue" in page and "something you no longer see" in page
    assert north_case.reference not in page
    assert _opened(client, alice, overdue) == LIST
    # The follow-up went to bob with the case, its reminder to alice settled.
    assert Task.objects.get().assignee == bob


@pytest.mark.postgres
def test_a_document_notification_shows_nothing_once_the_case_is_handed_over(
    north_case,
    family,  # noqa: F811
    alice,
    bob,
    sue,
    client,
):
    name_everyone(north_case)
    brief = _naming_appeal(north_case, family["mother"], alice)
    approve(brief, sue)
    services.case_reassign(case=north_case, from_user=alice, to_user=bob, actor=sue)
    page = _listed(client, alice)
    assert "A document was approved" in page and "something you no longer see" in page
    assert brief.reference not in page and north_case.reference not in page
    assert _opened(client, alice, Notification.Kind.DOCUMENT_APPROVED) == LIST


def _second_supervisor(team):
    """North's other supervisor, on the roster when sue is away."""
    from accounts.models import TeamMembership

    from ..factories import MembershipFactory

    return MembershipFactory(
        team=team, user__username="minji", role=TeamMembership.Role.SUPERVISOR
    ).user


@pytest.mark.postgres
def test_once_one_supervisor_approves_no_one_is_still_asked_to(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    client,
):
    """QA (issue 21): sue approved alice's appeal naming the detained mother, and her colleague
    minji still had "A document is waiting for your approval" as new, and sue too until she
    opened it. Approved by either, the request is done for both."""
    minji = _second_supervisor(north_case.team)
    name_everyone(north_case)
    brief = _naming_appeal(north_case, family["mother"], alice)
    waiting = Notification.Kind.DOCUMENT_AWAITING_APPROVAL
    assert unread_count(sue) == unread_count(minji) == 1

    approve(brief, sue)

    assert unread_count(sue) == unread_count(minji) == 0
    assert not Notification.objects.filter(kind=waiting, read_at__isnull=True).exists()
    page = _listed(client, minji)
    assert "A document is waiting for your approval" in page  # kept, no longer new
    assert 'class="unread"' not in page
    # The requester's news is new to her.
    assert unread_count(alice) == 1


@pytest.mark.postgres
def test_a_revoked_document_waits_for_no_approval(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    django_capture_on_commit_callbacks,
):
    """The mother withdraws her consent to be named before anyone approved the appeal: the
    supervisors are no longer asked to approve it."""
    minji = _second_supervisor(north_case.team)
    name_everyone(north_case)
    mother = family["mother"]
    _naming_appeal(north_case, mother, alice)

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(person=mother, scopes=[Scope.NAMED_IN_DOCUMENTS], actor=sue)

    for supervisor in (sue, minji):
        unread = Notification.objects.filter(recipient=supervisor, read_at__isnull=True)
        assert not unread.filter(kind=Notification.Kind.DOCUMENT_AWAITING_APPROVAL).exists()
    # The requester (and no approver yet) hears of the revocation.
    assert Notification.objects.filter(
        recipient=alice, kind=Notification.Kind.DOCUMENT_REVOKED, read_at__isnull=True
    ).exists()
