"""
Local time: staff in Yanbian and Shenyang work at UTC+8, so "today", "due today" and "overdue"
are counted in their zone (their own, else their team's, else Asia/Shanghai), every time carries
its zone, and a date is written one way per language on the pages, in the PDFs and in the
exports.
"""

import csv
import datetime
import io
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from accounts.models import Team
from accounts.services import user_set_time_zone
from audit.models import AuditEvent
from casework import dates, services
from casework.forms.records import IncidentForm
from intake.forms import ChildForm

from ..accounts.test_admin_four_eyes import administrator
from ..admin_forms import admin_form_data
from ..conftest import sign_in
from ..legal_aid.test_documents_render import pdf_of, render, squeezed, text_of
from ..legal_aid.test_documents_services import build_family, consent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
D = datetime.date
# 23:30 on 1 December in UTC is already 07:30 on 2 December in Shanghai.
LATE_EVENING_UTC = datetime.datetime(2025, 12, 1, 23, 30, tzinfo=UTC)
# The arrest of the mother of build_family, and how each language writes that day.
ARREST_DAY = D(2025, 10, 2)
ARREST_DAY_WRITTEN = {"en": "2 Oct 2025", "ko": "2025년 10월 2일", "zh-hans": "2025年10月2日"}


def _frozen(moment=LATE_EVENING_UTC):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _row(html: str, text: str) -> str:
    """The table row that holds `text`."""
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if text in row]
    assert len(rows) == 1, text
    return rows[0]


def _page(client, url, language="en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_supervisor_in_shanghai_sees_overdue_and_due_today_by_the_shanghai_day(
    client, north_case, alice, sue
):
    """
    At 23:30 UTC on 1 December it is 07:30 on 2 December in Shanghai. Sue, who supervises
    team North, has a call to the lawyer that was due on 1 December (overdue now, though UTC is
    still on that day) and a visit due on 2 December (due today, though UTC is not there yet).
    """
    with _frozen():
        services.task_create(
            case=north_case,
            title="Call the lawyer",
            actor=alice,
            due_on=D(2025, 12, 1),
            assignee=sue,
        )
        services.task_create(
            case=north_case,
            title="Visit in Yanji",
            actor=alice,
            due_on=D(2025, 12, 2),
            assignee=sue,
        )
        services.task_create(
            case=north_case, title="School letter", actor=alice, due_on=D(2025, 12, 3), assignee=sue
        )
        sign_in(client, sue)
        dashboard = _page(client, reverse("casework:dashboard"))
        case_page = _page(client, reverse("casework:case_detail", args=[north_case.reference]))

    call = _row(dashboard, "Call the lawyer")
    assert "1 Dec 2025" in call and "overdue" in call
    visit = _row(dashboard, "Visit in Yanji")
    assert "2 Dec 2025" in visit and ">today<" in visit and "overdue" not in visit
    letter = _row(dashboard, "School letter")
    assert "overdue" not in letter and ">today<" not in letter
    # The case page counts the same day.
    tasks = dict(
        (re.sub(r"\s+", " ", title).strip(), item)
        for item, title in re.findall(r"(<li[^>]*>\s*([^<—]+)—.*?</li>)", case_page, re.S)
    )
    assert "overdue" in tasks["Call the lawyer"]
    assert "overdue" not in tasks["Visit in Yanji"]


def test_a_users_own_zone_wins_over_the_teams_and_every_time_shows_its_zone(
    client, team_north, alice, bob
):
    """
    Team North works in Seoul's zone; bob, on leave in London, chose his own. At the same moment
    the account page tells alice 08:30 UTC+0900 on 2 December and bob 23:30 UTC+0000 on 1 December, and
    "today" differs for them as it does for the people they call.
    """
    team_north.time_zone = "Asia/Seoul"
    team_north.full_clean()
    team_north.save()
    user_set_time_zone(user=bob, time_zone="Europe/London")
    with _frozen():
        alices = _page(sign_in(client, alice), reverse("accounts:security"))
        bobs = _page(sign_in(client.__class__(), bob), reverse("accounts:security"))
        assert dates.today(team=team_north) == D(2025, 12, 2)
    assert "2 Dec 2025, 08:30 UTC+0900" in alices
    assert "1 Dec 2025, 23:30 UTC+0000" in bobs
    # Bob's choice is selected; alice keeps her team's, which the empty choice names.
    assert re.search(r'<option value="Europe/London" selected>', bobs)
    assert "Same as my team (Asia/Seoul)" in alices


def test_a_user_without_a_team_zone_reads_the_default_asia_shanghai(client, admin_user):
    with _frozen():
        page = _page(sign_in(client, admin_user), reverse("accounts:security"))
    assert "2 Dec 2025, 07:30 UTC+0800" in page


def test_choosing_a_time_zone_is_audited_by_field_name_and_a_made_up_zone_is_refused(client, alice):
    sign_in(client, alice)
    url = reverse("accounts:time_zone")

    refused = client.post(url, {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == ""

    saved = client.post(url, {"time_zone": "Asia/Seoul"}, follow=True)
    assert saved.redirect_chain[-1][0] == reverse("accounts:security")
    assert "Your time zone has been saved." in saved.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Seoul"
    event = AuditEvent.objects.filter(target_id=str(alice.pk), action="update").latest("sequence")
    assert event.detail["fields"] == ["time_zone"]
    assert "Asia/Seoul" not in str(event.detail)

    # Back to the team's zone: the empty choice.
    client.post(url, {"time_zone": ""})
    alice.refresh_from_db()
    assert alice.time_zone == ""


def test_a_team_zone_is_validated_against_the_zone_database(team_north):
    assert team_north.time_zone == "Asia/Shanghai"
    team_north.time_zone = "Asia/Pyongyang_Old"
    with pytest.raises(ValidationError, match="time_zone"):
        team_north.full_clean()


@pytest.mark.parametrize("language", ["en", "ko", "zh-hans"])
def test_one_arrest_is_written_the_same_on_the_pages_the_pdf_and_the_export(
    client, north_case, alice, sue, language
):
    """
    A mother arrested on 2 October 2025 in Jilin: the person page, the case timeline, the
    deportation appeal PDF and the report export in the same language write that day alike,
    in the language's own unambiguous long form, never 10/02/2025.
    """
    family = build_family(north_case, alice)
    consent(family["mother"], named_in_documents=True)
    written = ARREST_DAY_WRITTEN[language]

    sign_in(client, alice)
    person_page = _page(
        client, reverse("casework:person_detail", args=[family["mother"].reference]), language
    )
    assert f'<time datetime="2025-10-02">{written}</time>' in person_page
    case_page = _page(
        client, reverse("casework:case_detail", args=[north_case.reference]), language
    )
    timeline = case_page[case_page.index('class="timeline') :]
    assert f'<time datetime="2025-10-02">{written}</time>' in timeline
    assert "10/02/2025" not in person_page + case_page and "Oct. 2" not in case_page

    document = render(
        "deportation_appeal",
        case=north_case,
        subject=family["mother"],
        actor=alice,
        language=language,
    )
    # A document dates the case's events to the month (casework.redaction), in the same
    # language's form.
    with translation.override(language):
        month = date_format(datetime.date(2025, 10, 2), "YEAR_MONTH_FORMAT")
    assert squeezed(month) in squeezed(text_of(pdf_of(document)))

    sign_in(client, sue)
    response = client.get(
        reverse("reports:export_csv"),
        {"table": "incidents", "date_from": "2025-01-01", "date_to": ARREST_DAY.isoformat()},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    rows = list(csv.reader(io.StringIO(b"".join(response).decode("utf-8").lstrip("\ufeff"))))
    assert [cell for row in rows for cell in row if cell == written] == [written]


def test_date_inputs_stay_iso_in_every_language(north_case):
    """A browser's <input type=date> reads only 2025-10-02: Chinese must not write 2025/10/02."""
    case = north_case
    for language in ("en", "ko", "zh-hans"):
        with translation.override(language):
            incident = IncidentForm(initial={"occurred_on": ARREST_DAY}, case=case)
            incident = str(incident["occurred_on"])
            child = str(ChildForm(initial={"date_of_birth": ARREST_DAY})["date_of_birth"])
        assert 'value="2025-10-02"' in incident, language
        assert 'value="2025-10-02"' in child, language


def test_an_administrator_moves_a_team_to_seouls_zone_in_the_admin_and_its_members_follow(
    client, team_north, alice
):
    """Team North opens an office in Seoul's zone: the admin's team page sets it, audited by field
    name, and alice's pages (she chose no zone of her own) then show UTC+0900."""
    sign_in(client, administrator("ada"))
    url = reverse("admin:accounts_team_change", args=[team_north.pk])
    data = admin_form_data(client.get(url))
    assert data["time_zone"] == "Asia/Shanghai"
    data["time_zone"] = "Asia/Seoul"
    assert client.post(url, data).status_code == 302
    assert Team.objects.get(pk=team_north.pk).time_zone == "Asia/Seoul"
    event = AuditEvent.objects.filter(target_id=str(team_north.pk), action="update").latest(
        "sequence"
    )
    assert event.detail["fields"] == ["time_zone"]

    with _frozen():
        page = _page(sign_in(client.__class__(), alice), reverse("accounts:security"))
    assert "2 Dec 2025, 08:30 UTC+0900" in page
