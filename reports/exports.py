"""
The report tables as files: a CSV of one table, or a workbook of them all. Both hold only the
suppressed figures of the page. Every text cell that a spreadsheet would run as a formula is
neutralised with a leading apostrophe.
"""

import csv
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .suppression import small_count_threshold
from .tables import Filters, ReportTable

# A cell starting with one of these is a formula (or the start of one) to Excel, LibreOffice
# and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Text a spreadsheet would evaluate, made plain text; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def about(filters: Filters) -> list[list[str]]:
    """What the file counts, written at its top."""
    team = filters.team.name if filters.team else _("All the cases I can see")
    return [
        [_("Team"), team],
        # Written as on the page and in the PDFs, in the file's language (only the file's name
        # is ISO): a reader comparing the two sees the same dates.
        [_("From"), date_format(filters.date_from)],
        [_("To"), date_format(filters.date_to)],
        [
            _("Hidden values"),
            _(
                "Counts below %(n)s are hidden, and so are other values where a hidden count "
                "could otherwise be worked out from the totals. Only people who consented to "
                "statistics are counted."
            )
            % {"n": small_count_threshold()},
        ],
    ]


def table_rows(table: ReportTable, filters: Filters) -> list[list]:
    return [[table.title], [table.caption], *about(filters), [], *table.grid()]


def to_csv(table: ReportTable, filters: Filters) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table_rows(table, filters):
        writer.writerow([neutralise(value) for value in row])
    # A byte-order mark, so that Excel reads the Korean and Chinese labels as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: list[ReportTable], filters: Filters) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("About"))
    for row in about(filters):
        sheet.append([neutralise(value) for value in row])
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title))
        for row in [[table.title], [table.caption], [], *table.grid()]:
            sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name, and names longer than 31 characters.
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]
