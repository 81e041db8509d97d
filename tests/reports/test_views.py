"""The reports page and its exports: scope, suppression, accessible charts, files and audit."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from reports import tables
from reports.exports import neutralise

from ..conftest import sign_in
from .conftest import PERIOD

QUERY = {"date_from": PERIOD.date_from.isoformat(), "date_to": PERIOD.date_to.isoformat()}
ROUTES = ["reports:index", "reports:export_csv", "reports:export_xlsx"]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def table_part(rows):
    """The rows of the table itself: after the blank line that ends the description."""
    return rows[rows.index([]) + 1 :]


@pytest.mark.parametrize("name", ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, db, name):
    """Nothing of the reports answers without signing in."""
    response = client.get(reverse(name), {"table": "incidents"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_shows_a_chart_and_a_table_for_each_report(client, caseload, sue, settings):
    """Each chart is an image with a title and a description; each table has a caption."""
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    response = sign_in(client, sue).get(reverse("reports:index"), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    # The page's own content: the header's drawn bell is an svg too, and no chart.
    main = html[html.index("<main") :]
    charts = re.findall(r"<svg\b[^>]*>", main)
    assert len(charts) == 6
    for tag in charts:
        assert 'role="img"' in tag
        assert "aria-labelledby=" in tag
    assert html.count("<title id=") == 6
    assert html.count("<desc id=") == 6
    assert html.count("<caption") == 6
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "css/reports.css" in html


def test_the_page_has_no_inline_script_or_style(client, caseload, sue):
    """The CSP allows neither: not in the HTML, not in the inline SVG."""
    html = sign_in(client, sue).get(reverse("reports:index"), QUERY).content.decode()
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_the_page_hides_small_counts(client, caseload, sue):
    """With the default threshold of 5, no count from 1 to 4 shows; the five incidents do."""
    response = sign_in(client, sue).get(reverse("reports:index"), QUERY)
    cells = re.findall(r'<td class="number[^"]*"[^>]*>([^<]*)</td>', response.content.decode())
    assert "hidden" in cells
    assert "5" in cells
    assert not {"1", "2", "3", "4"} & set(cells)


def test_another_teams_caseworker_sees_only_their_scope(client, caseload, charlie, settings):
    """Charlie's incidents table counts South's one raid, not North's incidents."""
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    response = sign_in(client, charlie).get(
        reverse("reports:export_csv"), {**QUERY, "table": "incidents"}
    )
    rows = table_part(csv_rows(response))
    assert rows[1:] == [
        ["Raid", "1", "0", "0", "0", "0", "0", "1"],
        ["Total", "1", "0", "0", "0", "0", "0", "1"],
    ]


def test_a_team_the_user_is_not_in_cannot_be_chosen(client, caseload, sue, team_south):
    """Sue cannot narrow a report to South: the filter refuses it and nothing is counted."""
    signed_in = sign_in(client, sue)
    response = signed_in.get(reverse("reports:index"), {**QUERY, "team": team_south.pk})
    assert response.status_code == 200
    assert response.context["tables"] == []
    html = response.content.decode()
    assert "<svg" not in html[html.index("<main") :]
    export = signed_in.get(reverse("reports:export_xlsx"), {**QUERY, "team": team_south.pk})
    assert export.status_code == 302
    assert export["Location"].startswith(reverse("reports:index") + "?")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_csv_export_is_a_private_download(client, caseload, sue):
    """An attachment that no cache keeps, with the suppressed figures of the page."""
    response = sign_in(client, sue).get(
        reverse("reports:export_csv"), {**QUERY, "table": "detentions"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="shimteo-detentions-2025-01-01-2025-06-30.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = table_part(csv_rows(response))
    assert rows[0] == ["Outcome", "Detentions"]
    shown = [row[1] for row in rows[1:]]
    assert not any(value.isdigit() and 0 < int(value) < 5 for value in shown)
    assert "hidden" in shown


def test_an_unknown_table_leads_back_to_the_page(client, caseload, sue):
    """Only the page's tables can be exported; another name exports nothing."""
    response = sign_in(client, sue).get(reverse("reports:export_csv"), {"table": "people"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:index")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_xlsx_export_has_a_sheet_per_table(client, caseload, sue, settings):
    """A workbook: an About sheet, then one sheet per table with its figures."""
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    response = sign_in(client, sue).get(reverse("reports:export_xlsx"), QUERY)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="shimteo-reports-2025-01-01-2025-06-30.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 1 + len(tables.NAMES)
    detentions = workbook[workbook.sheetnames[5]]
    values = [row for row in detentions.iter_rows(values_only=True) if row and row[0]]
    assert ("Deported or repatriated", 2) in values
    assert ("Total", 4) in values


def test_every_export_is_audited(client, caseload, sue):
    """Who exported which report, in which format and how many rows."""
    signed_in = sign_in(client, sue)
    signed_in.get(reverse("reports:export_csv"), {**QUERY, "table": "incidents"})
    signed_in.get(reverse("reports:export_xlsx"), QUERY)
    events = list(AuditEvent.objects.filter(action="export", actor=sue).order_by("sequence"))
    assert [e.detail["table"] for e in events] == ["incidents", "all"]
    assert events[0].target_type == "casework.incident"
    assert events[0].detail["format"] == "csv"
    assert events[0].detail["rows"] == 4
    assert events[0].detail["period"] == ["2025-01-01", "2025-06-30"]
    assert events[1].detail["format"] == "xlsx"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Raid", "Raid"),
        (7, 7),
    ],
)
def test_formulas_are_neutralised(value, expected):
    """Text a spreadsheet would run is made plain text; numbers stay numbers."""
    assert neutralise(value) == expected


def test_a_formula_in_a_team_name_is_not_run(client, caseload, sue, team_north):
    """The team's name is written into the files; as a formula it arrives as text."""
    team_north.name = "=cmd|'/c calc'!A0"
    team_north.save()
    signed_in = sign_in(client, sue)
    query = {**QUERY, "team": team_north.pk}
    rows = csv_rows(signed_in.get(reverse("reports:export_csv"), {**query, "table": "incidents"}))
    assert ["Team", "'=cmd|'/c calc'!A0"] in rows
    workbook = load_workbook(
        io.BytesIO(signed_in.get(reverse("reports:export_xlsx"), query).content)
    )
    about = workbook[workbook.sheetnames[0]]
    assert about["B1"].value == "'=cmd|'/c calc'!A0"
    assert about["B1"].data_type == "s"


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_the_period_filter_reads_iso_dates_in_every_language(client, caseload, sue, language):
    """The date inputs send ISO dates; the page reads them whatever the language."""
    signed_in = sign_in(client, sue)
    signed_in.cookies["django_language"] = language
    response = signed_in.get(reverse("reports:index"), QUERY)
    assert response.status_code == 200
    assert response.context["filters"] == PERIOD
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'value="2025-01-01"' in html


def test_the_fields_show_the_period_counted_when_none_was_chosen(client, caseload, sue):
    """Opened without filters, the page counts the last twelve months and its fields say so."""
    response = sign_in(client, sue).get(reverse("reports:index"))
    filters = response.context["filters"]
    assert filters.date_from.day == 1
    assert (filters.date_to - filters.date_from).days > 330
    html = response.content.decode()
    assert f'name="date_from" value="{filters.date_from.isoformat()}"' in html
    assert f'name="date_to" value="{filters.date_to.isoformat()}"' in html


def test_a_wrong_period_keeps_what_was_typed_beside_the_error(client, caseload, sue):
    """A start after the end is refused, nothing is counted, and the fields keep the dates."""
    response = sign_in(client, sue).get(
        reverse("reports:index"), {"date_from": "2025-06-01", "date_to": "2025-01-31"}
    )
    assert response.context["tables"] == []
    html = response.content.decode()
    assert "The start of the period must be before its end." in html
    assert 'value="2025-06-01"' in html
    assert 'value="2025-01-31"' in html
