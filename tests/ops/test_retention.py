"""Retention: identifying details erased years after every case of a person closed; facts kept."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from audit.models import AuditEvent
from casework.choices import CaseStatus
from casework.models import Attachment, Person, PersonAlias
from ops.retention import retention_apply, retention_cutoff
from ops.tasks import apply_retention
from tests.factories import CaseFactory, CaseMemberFactory, PersonFactory

TODAY = datetime.date.today()


def closed_case(team, *, years_ago: float):
    closed = TODAY - datetime.timedelta(days=int(365.25 * years_ago))
    return CaseFactory(
        team=team,
        status=CaseStatus.CLOSED,
        opened_on=closed - datetime.timedelta(days=400),
        closed_on=closed,
    )


@pytest.fixture
def people(db, team_north, alice, settings):
    settings.SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE = 7
    old = closed_case(team_north, years_ago=8)
    recent = closed_case(team_north, years_ago=3)
    still_open = CaseFactory(team=team_north)
    expired = PersonFactory(full_name="RETENTION-EXPIRED 한정희")
    PersonAlias.objects.create(person=expired, name="RETENTION-ALIAS")
    attachment = Attachment(
        case=old,
        person=expired,
        uploaded_by=alice,
        original_name="passport.jpg",
        content_type="image/jpeg",
        size=3,
        sha256="0" * 64,
    )
    attachment.file.save("scan.jpg", ContentFile(b"JPG"), save=False)
    attachment.save()
    CaseMemberFactory(case=old, person=expired)
    open_too = PersonFactory(full_name="RETENTION-ALSO-OPEN")
    CaseMemberFactory(case=old, person=open_too)
    CaseMemberFactory(case=still_open, person=open_too)
    recently = PersonFactory(full_name="RETENTION-RECENT")
    CaseMemberFactory(case=recent, person=recently)
    no_case = PersonFactory(full_name="RETENTION-NO-CASE")
    return {
        "expired": expired,
        "open_too": open_too,
        "recently": recently,
        "no_case": no_case,
        "attachment": attachment,
    }


def test_the_cutoff_counts_whole_years_even_from_a_leap_day():
    """29 February minus seven years is 28 February."""
    assert retention_cutoff(years=7, today=datetime.date(2028, 2, 29)) == datetime.date(2021, 2, 28)
    assert retention_cutoff(years=7, today=datetime.date(2026, 6, 1)) == datetime.date(2019, 6, 1)


def test_a_dry_run_counts_and_changes_nothing(people, capsys):
    """--dry-run prints how many would be erased; no name, file or audit event changes."""
    events = AuditEvent.objects.count()
    call_command("apply_retention", "--dry-run")
    output = capsys.readouterr().out
    assert "Dry run: 1 people and 1 attachments would be erased" in output
    assert "Nothing was changed" in output
    people["expired"].refresh_from_db()
    assert people["expired"].full_name == "RETENTION-EXPIRED 한정희"
    assert Attachment.objects.filter(pk=people["attachment"].pk).exists()
    assert AuditEvent.objects.count() == events


def test_retention_erases_only_people_whose_every_case_closed_long_ago(
    people, django_capture_on_commit_callbacks
):
    """The expired person keeps facts only; open, recent and case-less people are untouched."""
    stored = people["attachment"].file.path
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply()
    assert (report.eligible, report.erased, report.attachments) == (1, 1, 1)

    expired = Person.objects.get(pk=people["expired"].pk)
    assert expired.full_name == expired.reference
    assert (expired.contact, expired.place_of_origin, expired.current_location) == ("", "", "")
    assert expired.date_of_birth is None
    assert (expired.sex, expired.birth_year, expired.region) == ("female", 1984, "cn-jilin")
    assert not expired.aliases.exists()
    assert not Attachment.objects.filter(pk=people["attachment"].pk).exists()
    assert not os.path.exists(stored)
    assert not Person.objects.matching_name("RETENTION-EXPIRED 한정희").exists()
    for key in ("open_too", "recently", "no_case"):
        person = Person.objects.get(pk=people[key].pk)
        assert person.full_name.startswith("RETENTION-"), key


def test_retention_is_audited_and_repeatable(people, django_capture_on_commit_callbacks):
    """Each erasure and the run are in the audit trail; a second run finds nobody left."""
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply()
    person_events = AuditEvent.objects.filter(
        target_type="casework.person", target_id=str(people["expired"].pk)
    )
    assert person_events.filter(detail__retention=True, detail__years_after_closure=7).exists()
    run = AuditEvent.objects.filter(target_type="casework.person", target_id="").first()
    assert run.detail["people_erased"] == 1 and run.actor is None
    assert retention_apply().erased == 0


def test_retention_runs_from_celery_beat(people, settings):
    """Beat schedules the task daily; the task (eager here) applies the policy."""
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "ops.apply_retention"
    assert entry["schedule"] == datetime.timedelta(days=1)
    assert apply_retention.delay().get() == {
        "eligible": 1,
        "erased": 1,
        "drafts": 0,
        "report_counts": 0,
    }


def test_the_period_is_configurable(people, settings):
    """With a two-year period, the person whose case closed three years ago is erased too."""
    settings.SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE = 2
    assert retention_apply(dry_run=True).eligible == 2


def test_a_document_about_someone_erased_earlier_is_withdrawn_by_the_next_run(
    people, alice, django_capture_on_commit_callbacks
):
    """Someone erased before erasure withdrew documents still had a brief about them: the next
    run finds them identifiable through it and withdraws it, file included."""
    from legal_aid.models import AdvocacyDocument

    expired = people["expired"]
    retention_apply()
    case = expired.memberships.get().case
    brief = AdvocacyDocument(
        kind=AdvocacyDocument.Kind.DEPORTATION_APPEAL,
        case=case,
        subject=expired,
        language="en",
        redaction=AdvocacyDocument.Redaction.PSEUDONYMISED,
        requested_by=alice,
        status=AdvocacyDocument.Status.READY,
        snapshot={"subject": {"pk": str(expired.pk), "named": False}},
    )
    brief.file.save("document.pdf", ContentFile(b"%PDF-1.7"), save=False)
    brief.save()
    storage, name = brief.file.storage, brief.file.name
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply()
    assert report.erased == 1
    brief.refresh_from_db()
    assert brief.status == AdvocacyDocument.Status.WITHDRAWN and brief.snapshot is None
    assert not storage.exists(name)
