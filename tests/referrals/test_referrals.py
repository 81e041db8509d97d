"""
Providers and referrals, as a caseworker and a supervisor of team North use them: a child referred
to a school in Yanbian with her mother's consent given on her behalf; a referral to a lawyer
refused because that consent does not cover sharing with a lawyer.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from casework import services as casework_services
from casework.models import CaseClosure
from consent.services import consent_record
from referrals import services
from referrals.choices import Status
from referrals.models import Referral, ServiceProvider
from referrals.sheet import leaks, pdf_text, referral_sheet, sheet_pdf

from ..conftest import sign_in
from ..scenarios import child_referred_to_a_school, directory_provider

MOTHER = "김순희"


@pytest.fixture
def school_referral(team_north, alice, sue):
    return child_referred_to_a_school(
        team=team_north, caseworker=alice, supervisor=sue, mother_name=MOTHER
    )


def test_a_child_is_referred_to_a_school_with_her_guardians_consent(school_referral, alice):
    """Planned, dated, with a first step of history, a follow-up for the caseworker, audited."""
    referral = Referral.objects.get(pk=school_referral.referral.pk)
    assert referral.status == Status.PLANNED
    assert [(c.status, c.changed_on) for c in referral.changes.all()] == [
        (Status.PLANNED, timezone.localdate())
    ]
    task = referral.follow_up
    assert task.case == school_referral.case and task.assignee == alice
    assert task.due_on == timezone.localdate() + datetime.timedelta(days=7)
    assert "School enrolment" in task.title
    assert AuditEvent.objects.filter(action="create", target_id=str(referral.pk)).exists()


def test_a_referral_to_a_lawyer_is_refused_without_consent_to_share(school_referral, alice):
    """The refusal names the consent that is missing; nothing is saved, no follow-up is made."""
    tasks = school_referral.case.tasks.count()
    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            case=school_referral.case,
            person=school_referral.mother,
            provider=school_referral.lawyer,
            service="legal",
            referred_on=timezone.localdate(),
            actor=alice,
        )
    message = refused.value.message_dict["provider"][0]
    assert "Share my case with legal advocates" in message
    assert school_referral.mother.reference in message
    assert Referral.objects.filter(provider=school_referral.lawyer).count() == 0
    assert school_referral.case.tasks.count() == tasks


def test_the_refer_page_links_to_the_consent_that_is_missing(school_referral, alice):
    client = sign_in(Client(), alice)
    url = reverse("referrals:referral_create", args=[school_referral.case.reference])
    response = client.post(
        url,
        {
            "person": school_referral.mother.pk,
            "service": "legal",
            "provider": school_referral.lawyer.pk,
            "referred_on": timezone.localdate().isoformat(),
            "urgency": "urgent",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Share my case with legal advocates" in page
    consent_url = reverse("casework:person_detail", args=[school_referral.mother.reference])
    assert f'href="{consent_url}#consent"' in page
    # Once she agrees, the same referral goes through.
    consent_record(
        person=school_referral.mother,
        actor=alice,
        method="verbal",
        scopes=["store_data", "share_with_advocates"],
    )
    response = client.post(
        url,
        {
            "person": school_referral.mother.pk,
            "service": "legal",
            "provider": school_referral.lawyer.pk,
            "referred_on": timezone.localdate().isoformat(),
            "urgency": "urgent",
        },
    )
    assert response.status_code == 302
    assert Referral.objects.filter(provider=school_referral.lawyer).count() == 1


def test_only_a_supervisor_keeps_the_directory(team_north, alice, sue):
    with pytest.raises(PermissionDenied):
        directory_provider(team=team_north, supervisor=alice, kind="clinic", name="Clinic")
    clinic = directory_provider(team=team_north, supervisor=sue, kind="clinic", name="Clinic")
    with pytest.raises(PermissionDenied):
        services.provider_update(provider=clinic, actor=alice, shared=True)
    changed = services.provider_update(provider=clinic, actor=sue, shared=True, expected_version=1)
    assert changed.shared and changed.version == 2
    client = sign_in(Client(), alice)
    assert client.get(reverse("referrals:provider_create")).status_code == 403
    assert client.get(reverse("referrals:provider_edit", args=[clinic.pk])).status_code == 403
    page = client.get(reverse("referrals:provider_list")).content.decode()
    assert "Clinic" in page and "Add a service provider" not in page


@pytest.mark.postgres
def test_contact_details_and_safety_notes_are_stored_encrypted(team_north, sue):
    provider = directory_provider(
        team=team_north,
        supervisor=sue,
        kind="lawyer",
        name="Attorney Secret-Han",
        contact="Signal +86 139 0000 7777",
        safety_notes="Never call the office line",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, contact, safety_notes FROM referrals_serviceprovider WHERE id = %s",
            [provider.pk],
        )
        row = " ".join(map(str, cursor.fetchone()))
    for plain in ("Secret-Han", "0000 7777", "office line"):
        assert plain not in row


def test_a_provider_is_seen_by_other_teams_only_when_shared(team_north, sue, charlie):
    mine = directory_provider(team=team_north, supervisor=sue, kind="clinic", name="Ours")
    shared = directory_provider(
        team=team_north, supervisor=sue, kind="unhcr", name="UNHCR", shared=True
    )
    assert set(ServiceProvider.objects.visible_to(charlie)) == {shared}
    client = sign_in(Client(), charlie)
    assert client.get(reverse("referrals:provider_detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("referrals:provider_detail", args=[shared.pk])).status_code == 200


def test_the_status_moves_on_with_its_dates_and_refuses_a_jump(school_referral, alice):
    referral = school_referral.referral
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.referral_status_change(
            referral=referral, status=Status.COMPLETED, changed_on=today, actor=alice
        )
    for status in (Status.SENT, Status.ACCEPTED, Status.COMPLETED):
        referral = services.referral_status_change(
            referral=referral,
            status=status,
            changed_on=today,
            actor=alice,
            outcome="Enrolled in grade 3" if status == Status.COMPLETED else None,
        )
    assert referral.status == Status.COMPLETED and referral.outcome == "Enrolled in grade 3"
    assert [c.status for c in referral.changes.all()] == [
        Status.PLANNED,
        Status.SENT,
        Status.ACCEPTED,
        Status.COMPLETED,
    ]
    client = sign_in(Client(), alice)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Completed" in page and "Enrolled in grade 3" in page
    assert "Change the status" not in page


def test_the_case_page_offers_refer_only_to_those_who_may_change_the_case(
    school_referral, alice, lena
):
    from casework.models import CaseAssignment

    CaseAssignment.objects.create(case=school_referral.case, user=lena, role="legal_advocate")
    url = reverse("casework:case_detail", args=[school_referral.case.reference])
    page = sign_in(Client(), alice).get(url).content.decode()
    assert 'id="referrals"' in page and "School enrolment" in page
    assert reverse("referrals:referral_create", args=[school_referral.case.reference]) in page
    page = sign_in(Client(), lena).get(url).content.decode()
    assert 'id="referrals"' in page
    assert reverse("referrals:referral_create", args=[school_referral.case.reference]) not in page
    refer = reverse("referrals:referral_create", args=[school_referral.case.reference])
    assert sign_in(Client(), lena).get(refer).status_code == 403


def test_an_advocate_reads_the_referral_without_a_link_to_the_providers_page(
    school_referral, alice, lena
):
    """
    The advocate of the case reads its referral, but the provider's page (contacts, safety
    notes) is the team's: the referral names its kind and region without a link that would
    answer 404 and be recorded as a probe. Its caseworker still has the link.
    """
    from casework.models import CaseAssignment

    CaseAssignment.objects.create(case=school_referral.case, user=lena, role="legal_advocate")
    url = reverse("referrals:referral_detail", args=[school_referral.referral.pk])
    provider_page = reverse(
        "referrals:provider_detail", args=[school_referral.referral.provider_id]
    )
    advocate = sign_in(Client(), lena)
    page = advocate.get(url)
    assert page.status_code == 200
    assert "School enrolment" in page.content.decode()
    assert provider_page not in page.content.decode()
    assert advocate.get(provider_page).status_code == 404  # still not theirs to open
    assert provider_page in sign_in(Client(), alice).get(url).content.decode()


def test_the_sheet_pseudonymises_and_its_pdf_passes_the_leak_check(school_referral, alice):
    """Without consent to be named: a pseudonym, an age band, the month; the PDF leaks none."""
    referral = Referral.objects.get(pk=school_referral.referral.pk)
    client = sign_in(Client(), alice)
    url = reverse("referrals:referral_sheet", args=[referral.pk])
    page = client.get(url, {"names": "named_with_consent"}).content.decode()
    assert MOTHER not in page and school_referral.case.reference not in page
    assert "Child B" in page
    response = client.get(reverse("referrals:referral_sheet_pdf", args=[referral.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = pdf_text(pdf)
    assert "Child B" in text and "School enrolment" in text
    assert MOTHER not in text and "alice" not in text
    sheet = referral_sheet(referral, level="pseudonymised")
    assert leaks(sheet, pdf, username="alice") == []


def test_a_sheet_names_the_child_when_the_family_consents(school_referral, alice):
    for person in (school_referral.mother, school_referral.child):
        consent_record(
            person=person,
            actor=alice,
            method="written",
            scopes=["store_data", "named_in_documents"],
            guardian=school_referral.mother if person == school_referral.child else None,
        )
    referral = Referral.objects.get(pk=school_referral.referral.pk)
    sheet = referral_sheet(referral, level="named_with_consent")
    assert sheet.person.named and sheet.person.label == f"{MOTHER} child 0"
    assert f"{MOTHER} child 0" in pdf_text(sheet_pdf(sheet, username="alice"))


def test_a_malformed_sheet_option_is_a_bad_request(school_referral, alice):
    client = sign_in(Client(), alice)
    url = reverse("referrals:referral_sheet", args=[school_referral.referral.pk])
    assert client.get(url, {"names": "everyone"}).status_code == 400


def test_the_api_lists_creates_and_moves_referrals_with_the_same_rules(school_referral, alice):
    api = APIClient()
    api.force_authenticate(alice)
    listed = api.get("/api/v1/referrals/referrals/").json()
    assert [row["id"] for row in listed["results"]] == [str(school_referral.referral.pk)]
    assert "outcome" not in listed["results"][0]
    refused = api.post(
        "/api/v1/referrals/referrals/",
        {
            "case": school_referral.case.reference,
            "person": school_referral.mother.reference,
            "provider": str(school_referral.lawyer.pk),
            "service": "legal",
            "referred_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "Share my case with legal advocates" in refused.json()["provider"][0]
    moved = api.post(
        f"/api/v1/referrals/referrals/{school_referral.referral.pk}/status/",
        {"status": "sent", "changed_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "sent"
    assert [c["status"] for c in moved.json()["changes"]] == ["planned", "sent"]


def test_the_api_directory_keeps_names_out_of_lists_and_writes_for_supervisors(
    team_north, alice, sue
):
    api = APIClient()
    api.force_authenticate(alice)
    body = {
        "team": team_north.name,
        "name": "Riverside Clinic",
        "kind": "clinic",
        "region": "cn-jilin-yanbian",
        "languages": ["ko"],
        "contact": "Dr. Park on Tuesdays",
    }
    assert api.post("/api/v1/referrals/providers/", body, format="json").status_code == 403
    api.force_authenticate(sue)
    created = api.post("/api/v1/referrals/providers/", body, format="json")
    assert created.status_code == 201, created.json()
    api.force_authenticate(alice)
    listed = api.get("/api/v1/referrals/providers/").json()["results"]
    assert listed[0]["kind"] == "clinic" and "name" not in listed[0]
    detail = api.get(f"/api/v1/referrals/providers/{created.json()['id']}/").json()
    assert detail["contact"] == "Dr. Park on Tuesdays"


def _figures(table) -> dict[str, str]:
    """Each row's one figure, as printed."""
    figures = {}
    for row in table.body():
        (cell,) = row[1]
        figures[row[0]] = cell[-1] if isinstance(cell, tuple) else cell
    return figures


def test_reports_count_referrals_of_those_who_agreed_to_be_counted_and_hide_small_counts(
    school_referral, alice, sue, settings
):
    from reports.tables import Filters, build

    today = timezone.localdate()
    filters = Filters(date_from=today - datetime.timedelta(days=30), date_to=today)
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    # Her mother agreed to her being kept on file, not counted: no figure at all.
    (table,) = build(sue, filters, only="referrals-service")
    assert table.is_empty
    consent_record(
        person=school_referral.child,
        actor=alice,
        method="verbal",
        scopes=["store_data", "statistics"],
        guardian=school_referral.mother,
    )
    (table,) = build(sue, filters, only="referrals-service")
    shown = _figures(table)
    assert shown["School enrolment"] == "1" and shown["Medical care"] == "0"
    (table,) = build(sue, filters, only="referrals-provider")
    assert _figures(table)["School"] == "1"
    # Under the usual threshold, one referral is a figure too small to print.
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 5
    (table,) = build(sue, filters, only="referrals-outcome")
    assert _figures(table)["Planned"] == "hidden"


def test_a_merged_duplicates_referrals_move_to_the_person_kept(school_referral, alice):
    """The girl registered twice: merging keeps her referral (SHIMTEO_MERGE_HOOKS)."""
    from casework import services as casework_services

    duplicate = casework_services.person_create(
        actor=alice, full_name=f"{MOTHER} child 0", role="child"
    )
    casework_services.case_add_member(
        case=school_referral.case, person=duplicate, role="child", actor=alice
    )
    consent_record(person=duplicate, actor=alice, method="verbal", scopes=["store_data"])
    moved = services.referral_create(
        case=school_referral.case,
        person=duplicate,
        provider=school_referral.school,
        service="education",
        referred_on=timezone.localdate(),
        actor=alice,
    )
    casework_services.person_merge(source=duplicate, target=school_referral.child, actor=alice)
    assert Referral.objects.get(pk=moved.pk).person == school_referral.child


def test_erasing_a_person_empties_the_outcomes_of_their_referrals(school_referral, alice):
    from casework.erasure import consent_withdraw

    referral = services.referral_status_change(
        referral=school_referral.referral,
        status=Status.SENT,
        changed_on=timezone.localdate(),
        actor=alice,
        outcome=f"The head teacher asked for {MOTHER}'s papers",
    )
    consent_withdraw(
        person=school_referral.child, actor=alice, scopes=["store_data"], method="verbal"
    )
    assert Referral.objects.get(pk=referral.pk).outcome == ""


# Closing the case: its open referrals are shown, cancelled or carried over.


def test_closing_a_case_shows_its_open_referral_and_resolving_cancels_it(school_referral, alice):
    """The closing page lists the planned referral; ticked, it is cancelled today, audited."""
    case, referral = school_referral.case, school_referral.referral
    client = sign_in(Client(), alice)
    url = reverse("casework:case_close", args=[case.reference])
    page = client.get(url).content.decode()
    label = f"Referral of {school_referral.child.reference} for School enrolment (planned)"
    assert label in page
    assert reverse("referrals:referral_detail", args=[referral.pk]) in page
    assert f"Cancel the referral of {school_referral.child.reference}" in page
    response = client.post(
        url,
        {
            "reason": "resettled",
            "other_reason": "",
            "closed_on": "",
            "resolve_others": [f"referral:{referral.pk}"],
            "version": case.version,
        },
    )
    assert response.status_code == 302, response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert referral.changes.filter(status=Status.CANCELLED).get().changed_by == alice
    assert AuditEvent.objects.filter(
        action="status_change", target_id=str(referral.pk), actor=alice
    ).exists()
    closure = CaseClosure.objects.get(case=case)
    # The referral resolved; its follow-up, not ticked, carried over.
    assert (closure.resolved, closure.carried_over) == (1, 1)


def test_a_referral_not_ticked_is_carried_over(school_referral, alice):
    """Closing without resolving it leaves the referral as it was; an unknown key is refused."""
    case, referral = school_referral.case, school_referral.referral
    with pytest.raises(ValidationError) as refused:
        casework_services.case_close(
            case=case, actor=alice, reason="goals_met", resolve_others=["referral:nope"]
        )
    assert "resolve_others" in refused.value.message_dict
    casework_services.case_close(case=case, actor=alice, reason="goals_met")
    referral.refresh_from_db()
    assert referral.status == Status.PLANNED
    assert CaseClosure.objects.get(case=case).carried_over == 2


def test_the_api_closure_cancels_the_referrals_it_is_told_to(school_referral, alice):
    """POST /api/v1/closures/ with resolve_others cancels the referral, as the page does."""
    case, referral = school_referral.case, school_referral.referral
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(
        "/api/v1/closures/",
        {
            "case": case.reference,
            "reason": "moved_away",
            "resolve_others": [f"referral:{referral.pk}"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["resolved"] == 1
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED


def test_the_follow_up_of_a_referral_reads_in_each_readers_language(team_north, alice, sue, client):
    """QA (issue 21): alice works in Korean and refers the daughter to the school; sue reads
    Chinese and found the follow-up in Korean on the case page. It is stored in English and
    shown in each reader's language, until someone rewords it."""
    with translation.override("ko"):
        referred = child_referred_to_a_school(
            team=team_north, caseworker=alice, supervisor=sue, mother_name=MOTHER
        )
    task = referred.referral.follow_up
    assert task.title == "Follow up the referral (School enrolment, School)"
    case_page = reverse("casework:case_detail", args=[referred.case.reference])

    sign_in(client, sue)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(case_page).content.decode()
    assert "跟进转介\uff08入学\uff0c学校\uff09" in page
    assert "의뢰 후속 조치" not in page
    client.cookies["django_language"] = "ko"
    assert "의뢰 후속 조치 (학교 입학, 학교)" in client.get(case_page).content.decode()
    sign_in(client, alice)
    assert (
        "의뢰 후속 조치 (학교 입학, 학교)"
        in client.get(reverse("casework:dashboard")).content.decode()
    )

    # Reworded by a person, it is theirs: shown as written, in every language.
    casework_services.record_correct(
        record=task,
        fields={"title": "학교에 전화해서 입학 서류 확인"},
        reason="More precise",
        actor=alice,
    )
    client.cookies["django_language"] = "zh-hans"
    sign_in(client, sue)
    assert "학교에 전화해서 입학 서류 확인" in client.get(case_page).content.decode()


def test_follow_ups_made_before_are_keyed_unless_reworded(team_north, alice, sue):
    """The migration takes the follow-ups referrals wrote in their maker's language: still as
    written, they read in each reader's; reworded, they keep the person's words."""
    import importlib

    from django.apps import apps

    from casework.models import Task

    migration = importlib.import_module(
        "referrals.migrations.0003_follow_up_titles_in_every_language"
    )
    referred = child_referred_to_a_school(
        team=team_north, caseworker=alice, supervisor=sue, mother_name=MOTHER
    )
    written = referred.referral.follow_up
    reworded = casework_services.task_create(case=referred.case, title="x", actor=alice)
    other = services.referral_create(
        case=referred.case,
        person=referred.child,
        provider=referred.school,
        service="education",
        referred_on=timezone.localdate(),
        actor=alice,
    )
    other.follow_up = reworded
    other.save(update_fields=["follow_up"])
    # As they were stored before: in Korean, and one reworded by hand.
    Task.objects.filter(pk=written.pk).update(title_key="", title_params={})
    written = Task.objects.get(pk=written.pk)
    written.title = "의뢰 후속 조치 (학교 입학, 학교)"
    written.save(update_fields=["title"])
    reworded.title = "교장 선생님께 전화"
    reworded.save(update_fields=["title"])

    migration.keyed_titles(apps, None)

    written.refresh_from_db()
    assert written.title == "Follow up the referral (School enrolment, School)"
    with translation.override("zh-hans"):
        assert written.shown_title == "跟进转介\uff08入学\uff0c学校\uff09"
    reworded.refresh_from_db()
    assert (reworded.title, reworded.title_key) == ("교장 선생님께 전화", "")
