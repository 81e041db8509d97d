"""
Issue 16, point 7: a note says how and when the contact took place; an arrest or a detention
changes the legal status, the flag and the risk in one step; the case timeline runs newest first,
narrowed by kind and cut into pages.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from casework import dates, services
from casework.choices import (
    Country,
    IncidentKind,
    LegalStatus,
    MemberRole,
    NoteKind,
    PersonRole,
    Region,
    RiskLevel,
    StatusSource,
)
from casework.models import Case, CaseFlag, CaseNote, Incident, LegalStatusRecord
from casework.selectors.case_page import case_flags
from casework.selectors.people import current_status
from casework.selectors.timeline import TimelineKind, case_timeline

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

D = datetime.date
KIM = "김순희"
TODAY = dates.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def kim_case(team_north, alice):
    """Kim, undocumented in Jilin since 2010, and her son, in a case of alice's at Medium risk."""
    kim = services.person_create(
        actor=alice, full_name=KIM, role=PersonRole.REFUGEE, date_of_birth=D(1984, 5, 17)
    )
    son = services.person_create(
        actor=alice, full_name="김철", role=PersonRole.CHILD, date_of_birth=D(2012, 3, 4)
    )
    case = services.case_open(
        team=team_north,
        actor=alice,
        risk_level=RiskLevel.MEDIUM,
        members=[(kim, MemberRole.PRINCIPAL), (son, MemberRole.CHILD)],
        caseworkers=[alice],
    )
    services.legal_status_change(
        person=kim,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=D(2010, 3, 1),
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
        actor=alice,
    )
    return case, kim, son


def _arrest(case, people, actor, **changes):
    changes = {
        "set_detained": True,
        "raise_flag": True,
        "raise_risk": True,
        "status_source": StatusSource.FAMILY,
        **changes,
    }
    return services.detention_record(
        case=case,
        kind=IncidentKind.ARREST,
        occurred_on=changes.pop("occurred_on", YESTERDAY),
        region=changes.pop("region", Region.JILIN),
        description="Arrested at the market in Yanji.",
        people=people,
        actor=actor,
        **changes,
    )


# Notes: kind and date of contact.


def test_a_note_records_the_kind_and_day_of_the_contact(kim_case, alice):
    """A call three days ago, written today: the note carries both, the audit their names only."""
    case, _kim, _son = kim_case
    note = services.case_note_add(
        case=case,
        kind=NoteKind.CALL,
        contacted_on=_days_ago(3),
        body="Kim's neighbour called: police checked papers on her street.",
        actor=alice,
    )
    stored = CaseNote.objects.get(pk=note.pk)
    assert (stored.kind, stored.contacted_on) == (NoteKind.CALL, _days_ago(3))
    event = AuditEvent.objects.get(target_id=str(note.pk))
    assert event.detail["fields"] == ["body", "contacted_on", "kind"]


def test_a_note_written_by_the_app_is_of_today(kim_case, alice):
    """Without a kind or a day (the intake's own notes), a note is "other", of today."""
    case, _kim, _son = kim_case
    note = services.case_note_add(case=case, body="Risk set at intake.", actor=alice)
    assert (note.kind, note.contacted_on) == (NoteKind.OTHER, TODAY)


@pytest.mark.parametrize(
    ("contacted_on", "error"),
    [
        (TODAY + datetime.timedelta(days=1), "This date is in the future."),
        (D(2014, 6, 1), "more than a year before the case was opened"),
    ],
    ids=["tomorrow", "a-mistyped-year"],
)
def test_a_note_dated_tomorrow_or_years_before_its_case_is_refused(
    kim_case, alice, contacted_on, error
):
    case, _kim, _son = kim_case
    with pytest.raises(ValidationError) as refused:
        services.case_note_add(
            case=case, kind=NoteKind.VISIT, contacted_on=contacted_on, body="x", actor=alice
        )
    assert error in refused.value.message_dict["contacted_on"][0]
    assert not CaseNote.objects.exists()


def test_a_call_from_the_weeks_of_intake_is_accepted(kim_case, alice):
    """The case opened after weeks of intake: a call made then is written down afterwards."""
    case, _kim, _son = kim_case
    Case.objects.filter(pk=case.pk).update(opened_on=_days_ago(2))
    case.refresh_from_db()
    note = services.case_note_add(
        case=case, kind=NoteKind.CALL, contacted_on=_days_ago(40), body="First call.", actor=alice
    )
    assert note.contacted_on == _days_ago(40)


# Detention in one step.


def test_an_arrest_marks_her_detained_raises_the_flag_and_the_risk(kim_case, alice):
    case, kim, son = kim_case
    recorded = _arrest(case, [kim], alice)

    assert recorded.detained == [kim]
    status = current_status(kim)
    assert (status.status, status.effective_from) == (LegalStatus.DETAINED_CN, YESTERDAY)
    assert status.source == StatusSource.FAMILY
    assert current_status(son) is None
    assert [flag.kind for flag in case_flags(case)] == [CaseFlag.Kind.DETAINED_MEMBER]
    assert Case.objects.get(pk=case.pk).risk_level == RiskLevel.HIGH
    assert list(recorded.incident.people.all()) == [kim]
    # Each part is in the audit trail as its own service records it.
    actions = list(
        AuditEvent.objects.filter(case_id=case.pk)
        .order_by("sequence")
        .values_list("action", "target_type")
    )[-4:]
    assert actions == [
        ("status_change", "casework.legalstatusrecord"),
        ("create", "casework.caseflag"),
        ("update", "casework.case"),
        ("create", "casework.incident"),
    ]


def test_if_the_status_change_is_refused_nothing_is_saved(kim_case, alice):
    """
    Kim's current status began today, after the arrest's day: the status change is refused,
    and with it the incident, the flag and the risk.
    """
    case, kim, _son = kim_case
    services.legal_status_change(
        person=kim,
        status=LegalStatus.IN_TRANSIT,
        effective_from=TODAY,
        country=Country.THIRD_COUNTRY,
        source=StatusSource.PARTNER_NGO,
        actor=alice,
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        _arrest(case, [kim], alice)
    assert kim.reference in refused.value.message_dict["set_detained"][0]
    assert not Incident.objects.exists()
    assert not CaseFlag.objects.exists()
    assert Case.objects.get(pk=case.pk).risk_level == RiskLevel.MEDIUM
    assert current_status(kim).status == LegalStatus.IN_TRANSIT
    assert AuditEvent.objects.count() == events


def test_a_second_arrest_keeps_what_is_already_so(kim_case, alice):
    """Already detained, flagged and at Critical risk: nothing is doubled, nothing lowered."""
    case, kim, _son = kim_case
    _arrest(case, [kim], alice, occurred_on=_days_ago(10))
    services.case_update(case=case, risk_level=RiskLevel.CRITICAL, actor=alice)
    again = _arrest(case, [kim], alice)
    assert (again.detained, again.flag, again.risk_raised) == ([], None, False)
    assert LegalStatusRecord.objects.filter(person=kim, status=LegalStatus.DETAINED_CN).count() == 1
    assert Case.objects.get(pk=case.pk).risk_level == RiskLevel.CRITICAL
    assert Incident.objects.count() == 2


def test_only_what_is_ticked_changes(kim_case, alice):
    case, kim, _son = kim_case
    recorded = _arrest(case, [kim], alice, set_detained=False, raise_risk=False)
    assert recorded.flag is not None
    assert current_status(kim).status == LegalStatus.UNDOCUMENTED_CN
    assert Case.objects.get(pk=case.pk).risk_level == RiskLevel.MEDIUM


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": IncidentKind.RAID}, "kind"),
        ({"people": []}, "people"),
        ({"region": Region.DPRK}, "set_detained"),
        ({"status_source": ""}, "status_source"),
        ({"occurred_on": TODAY + datetime.timedelta(days=1)}, "occurred_on"),
    ],
    ids=["not-a-detention", "nobody", "in-north-korea", "no-source", "tomorrow"],
)
def test_a_detention_that_does_not_fit_is_refused_on_its_field(kim_case, alice, change, field):
    case, kim, _son = kim_case
    arguments = {
        "case": case,
        "kind": IncidentKind.DETENTION,
        "occurred_on": YESTERDAY,
        "region": Region.JILIN,
        "people": [kim],
        "actor": alice,
        "set_detained": True,
        "raise_flag": True,
        "raise_risk": True,
        "status_source": StatusSource.FAMILY,
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        services.detention_record(**arguments)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


# The pages.


def _incident_form(kim, **fields) -> dict:
    return {
        "kind": IncidentKind.ARREST,
        "occurred_on": str(YESTERDAY),
        "region": Region.JILIN,
        "description": "Arrested at the market in Yanji.",
        "people": [kim.reference],
        "set_detained": "on",
        "status_source": StatusSource.FAMILY,
        "raise_flag": "on",
        "raise_risk": "on",
        **fields,
    }


def test_the_incident_form_offers_the_detention_changes_ticked(client, kim_case, alice):
    case, _kim, _son = kim_case
    body = (
        sign_in(client, alice)
        .get(reverse("casework:incident_add", args=[case.reference]))
        .content.decode()
    )
    assert "If this was an arrest or a detention" in body
    for name in ("set_detained", "raise_flag", "raise_risk"):
        assert f'name="{name}" id="id_{name}" checked' in body


def test_a_raid_with_the_boxes_left_ticked_changes_no_status(client, kim_case, alice):
    """The boxes are for an arrest or a detention; a raid is recorded alone."""
    case, kim, _son = kim_case
    response = sign_in(client, alice).post(
        reverse("casework:incident_add", args=[case.reference]),
        _incident_form(kim, kind=IncidentKind.RAID),
    )
    assert response.status_code == 302
    assert Incident.objects.get().kind == IncidentKind.RAID
    assert current_status(kim).status == LegalStatus.UNDOCUMENTED_CN
    assert not CaseFlag.objects.exists()


def test_a_detained_mother(client, kim_case, alice):
    """
    Alice records that Kim was arrested in Yanji yesterday and leaves "set status to detained",
    "raise the flag" and "raise the risk" ticked. The case page then shows Kim detained, the
    flag, High risk, and the arrest at the top of the timeline.
    """
    case, kim, _son = kim_case
    sign_in(client, alice)
    response = client.post(
        reverse("casework:incident_add", args=[case.reference]), _incident_form(kim), follow=True
    )
    body = response.content.decode()
    assert f"Now detained: {kim.reference}." in body
    assert "The risk level is now High." in body
    start = body.index('class="case-header"')
    header = body[start : body.index("</header>", start)]
    assert "A member is detained" in header
    assert "High" in header
    people = body[body.index('id="members-heading"') : body.index('id="timeline-heading"')]
    kim_row = people[people.index(KIM) :]
    assert kim_row.index("Detained in China") < kim_row.index("</tr>")
    timeline = body[body.index('class="timeline"') :]
    first = timeline[: timeline.index("</li>")]
    assert "Arrest" in first and "Arrested at the market in Yanji." in first
    assert KIM in first  # the people involved by name, with their reference


def test_a_refused_detention_keeps_the_form_and_saves_nothing(client, kim_case, alice):
    """Without the source of the new status, the form comes back with what was typed."""
    case, kim, _son = kim_case
    response = sign_in(client, alice).post(
        reverse("casework:incident_add", args=[case.reference]),
        _incident_form(kim, status_source=""),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Say how you know of the detention." in body
    assert "Arrested at the market in Yanji." in body
    assert not Incident.objects.exists()


def test_the_note_form_asks_how_and_when(client, kim_case, alice):
    """The kind is not chosen for the writer; the day of contact starts at today."""
    case, _kim, _son = kim_case
    url = reverse("casework:note_add", args=[case.reference])
    sign_in(client, alice)
    body = client.get(url).content.decode()
    assert f'value="{TODAY.isoformat()}"' in body
    assert '<option value="" selected>' in body
    response = client.post(url, {"contacted_on": str(TODAY), "body": "Visited Kim."})
    assert "Choose how you were in contact." in response.content.decode()
    assert not CaseNote.objects.exists()


def _note(case, actor, kind, days_ago, body):
    return services.case_note_add(
        case=case, kind=kind, contacted_on=_days_ago(days_ago), body=body, actor=actor
    )


def _timeline(client, case, **params) -> str:
    body = client.get(reverse("casework:case_detail", args=[case.reference]), params)
    assert body.status_code == 200
    text = body.content.decode()
    return text[text.index('id="timeline-heading"') : text.index('id="files-heading"')]


def test_the_timeline_shows_note_kinds_newest_first_and_filters_by_kind(client, kim_case, alice):
    case, kim, _son = kim_case
    _note(case, alice, NoteKind.VISIT, 20, "Home visit: Kim is afraid.")
    _note(case, alice, NoteKind.CALL, 5, "Kim called from a new number.")
    _arrest(case, [kim], alice, occurred_on=_days_ago(2))
    sign_in(client, alice)

    everything = _timeline(client, case)
    assert "Note · Phone call" in everything and "Note · Visit" in everything
    order = [
        everything.index(text)
        for text in ("Arrested at the market", "Kim called", "Home visit", "Undocumented in China")
    ]
    assert order == sorted(order)

    calls = _timeline(client, case, show="note:call")
    assert "Kim called from a new number." in calls
    assert "Home visit" not in calls and "Arrested" not in calls
    assert '<option value="note:call" selected>' in calls

    incidents = _timeline(client, case, show="incident")
    assert "Arrested at the market" in incidents and "Kim called" not in incidents

    files = _timeline(client, case, show="file")
    assert "Nothing of this kind has been recorded in this case." in files


def test_an_unknown_filter_shows_everything_with_a_message(client, kim_case, alice):
    case, _kim, _son = kim_case
    _note(case, alice, NoteKind.VISIT, 1, "Home visit.")
    timeline = _timeline(sign_in(client, alice), case, show="<script>", page="x")
    assert "Home visit." in timeline
    assert "Select a valid choice." in timeline


def test_the_timeline_is_cut_into_pages_of_25(client, kim_case, alice):
    """30 notes and a status: the first page has the 25 newest, the second the rest."""
    case, _kim, _son = kim_case
    for day in range(30):
        _note(case, alice, NoteKind.MESSAGE, day, f"Message number {day:02d}.")
    sign_in(client, alice)
    first = _timeline(client, case)
    assert first.count('<li class="timeline-') == 25
    assert "Message number 00." in first and "Message number 24." in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2#timeline-heading" rel="next"' in first
    second = _timeline(client, case, page=2)
    assert second.count('<li class="timeline-') == 6
    assert "Message number 29." in second and "Undocumented in China" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A filter and its pages go together.
    messages = _timeline(client, case, show="note:message", page=2)
    assert 'href="?show=note%3Amessage&amp;page=1#timeline-heading" rel="prev"' in messages
    assert "Undocumented in China" not in messages


def test_the_timeline_selector_narrows_each_kind(kim_case, alice):
    case, kim, _son = kim_case
    _note(case, alice, NoteKind.OFFICE, 3, "Kim came to the office.")
    _arrest(case, [kim], alice)
    task = services.task_create(case=case, title="Find a lawyer", actor=alice)
    services.task_complete(task=task, actor=alice)
    kinds = {
        show: [entry.kind for entry in case_timeline(case, show=show)]
        for show in ("note", "note:office", "note:call", "incident", "status", "task")
    }
    assert kinds == {
        "note": [TimelineKind.NOTE],
        "note:office": [TimelineKind.NOTE],
        "note:call": [],
        "incident": [TimelineKind.INCIDENT],
        "status": [TimelineKind.STATUS, TimelineKind.STATUS],
        "task": [TimelineKind.TASK_DONE, TimelineKind.TASK],
    }
