"""
Spreadsheets are read with bounded memory (issue 14): hostile files built here, in code, are
refused with a clear message, quickly, and the peak of Python memory while reading them is
measured with tracemalloc. A 205 KB workbook once took the importer to 650 MB.
"""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from intake import import_reading
from intake.models import ImportBatch

from ..conftest import sign_in
from .test_import import as_xlsx, messy_rows, upload

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = (
    b'<row r="1">'
    + b"".join(
        b'<c t="inlineStr"><is><t>' + key.encode() + b"</t></is></c>"
        for key in import_reading.REQUIRED
    )
    + b"</row>"
)


def workbook_with(parts: dict) -> bytes:
    """A real workbook whose parts named in `parts` are replaced by the given chunks (streamed)."""
    plain = Workbook()
    plain.active.append(import_reading.REQUIRED)
    buffer = io.BytesIO()
    plain.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename not in parts:
                archive.writestr(entry.filename, source.read(entry.filename))
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


def read_measured(data: bytes, file_format: str):
    """(what read_rows raised or returned, seconds, peak bytes of Python memory)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = import_reading.read_rows(data, file_format)
    except import_reading.UnreadableFile as refused:
        outcome = refused
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return outcome, elapsed, peak


def test_a_zip_bomb_is_refused_within_a_second_from_its_directory():
    """80 MB of sheet in an 84 KB file: refused before anything is inflated."""
    bomb = workbook_with({SHEET: [SHEET_HEAD, *[b"\0" * MB] * 80, SHEET_TAIL]})
    assert len(bomb) < 200 * 1024
    refused, elapsed, peak = read_measured(bomb, "xlsx")
    assert isinstance(refused, import_reading.UnreadableFile)
    assert "would expand to more than" in str(refused)
    assert elapsed < 1.0 and peak < 5 * MB


def test_a_workbook_of_thousands_of_parts_is_refused():
    parts = {f"xl/media/part{number}.bin": [b"x"] for number in range(1000)}
    refused, elapsed, peak = read_measured(workbook_with(parts), "xlsx")
    assert "holds more than 200" in str(refused)
    assert elapsed < 1.0 and peak < 5 * MB


def test_a_row_of_300000_cells_is_refused_before_openpyxl_builds_it():
    cell = b'<c t="inlineStr"><is><t>a</t></is></c>'
    wide = workbook_with(
        {SHEET: [SHEET_HEAD, HEADER_ROW, b'<row r="2">', cell * 300_000, b"</row>", SHEET_TAIL]}
    )
    assert len(wide) < 205 * 1024
    refused, _elapsed, peak = read_measured(wide, "xlsx")
    assert "has more than 100 cells" in str(refused)
    assert peak < 20 * MB


def test_a_million_shared_strings_are_refused():
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    table = workbook_with(
        {"xl/sharedStrings.xml": [strings, b"<si><t>a</t></si>" * 1_000_000, b"</sst>"]}
    )
    refused, _elapsed, peak = read_measured(table, "xlsx")
    assert "more text than a spreadsheet" in str(refused)
    assert peak < 20 * MB


def test_a_sheet_claiming_every_row_and_column_is_not_walked_cell_by_cell():
    """<dimension> says A1:XFD1048576 and the last cell is there: no 16,384-cell padding."""
    head = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>a</t></is></c></row>'
    claimed = workbook_with({SHEET: [head, HEADER_ROW, far, SHEET_TAIL]})
    refused, _elapsed, peak = read_measured(claimed, "xlsx")
    assert f"more than {import_reading.max_rows()} rows" in str(refused)
    assert peak < 10 * MB


def test_cells_past_the_cap_or_too_long_are_refused_in_an_ordinary_workbook():
    book = Workbook()
    book.active.append(import_reading.REQUIRED)
    book.active.append(["김순희", "verbal", "2024-01-01", "store_data", *["x"] * 120])
    buffer = io.BytesIO()
    book.save(buffer)
    refused, _elapsed, _peak = read_measured(buffer.getvalue(), "xlsx")
    assert "Row 2 has more than 100 cells" in str(refused)

    long_cell = f"{','.join(import_reading.REQUIRED)}\n{'가' * 2001},verbal,2024-01-01,store_data\n"
    refused, _elapsed, _peak = read_measured(long_cell.encode(), "csv")
    assert "row 2 holds more than 2000 characters" in str(refused)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"ab," * 1_700_000 + b"\n", id="one-row-of-1.7-million-cells"),
        pytest.param((b"ab," * 900 + b'"\n"') * 1500 + b"\n", id="a-row-joined-by-quoted-newlines"),
    ],
)
def test_a_5_mb_csv_row_of_millions_of_cells_is_refused_with_bounded_memory(body):
    data = ",".join(import_reading.REQUIRED).encode() + b"\n" + body
    assert len(data) < 5 * MB
    refused, _elapsed, peak = read_measured(data, "csv")
    assert "A row has more than 100 cells" in str(refused)
    # The file's bytes and its text are held once each (about 10 MB); the row never is.
    assert peak < 15 * MB


def test_an_ordinary_workbook_is_read_in_bounded_memory():
    rows, _faults = messy_rows(n=500)
    read, _elapsed, peak = read_measured(as_xlsx(rows), "xlsx")
    assert len(read.rows) == 500
    assert peak < 15 * MB


@pytest.mark.django_db
def test_the_upload_page_reports_a_bomb_as_unreadable(client, sue, team_north):
    bomb = workbook_with({SHEET: [SHEET_HEAD, *[b"\0" * MB] * 80, SHEET_TAIL]})
    response = upload(sign_in(client, sue), team_north, "caseload.xlsx", bomb)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and not batch.file
    page = client.get(reverse("intake:import_detail", kwargs={"batch_ref": batch.reference}))
    assert "would expand to more than" in page.content.decode()


def billion_laughs(depth: int = 9) -> bytes:
    """The XML declaration of an entity that expands tenfold per level: 10^9 "lol"s."""
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10)
        for level in range(1, depth + 1)
    ]
    return b'<?xml version="1.0"?><!DOCTYPE worksheet [' + b"".join(entities) + b"]>"


def test_billion_laughs_inside_a_workbook_are_refused_within_a_second():
    sheet = (
        billion_laughs()
        + SHEET_HEAD.split(b"?>", 1)[1]
        + HEADER_ROW
        + b'<row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + SHEET_TAIL
    )
    refused, elapsed, peak = read_measured(workbook_with({SHEET: [sheet]}), "xlsx")
    assert "declares XML entities" in str(refused)
    assert elapsed < 1.0 and peak < 5 * MB


def test_openpyxl_parses_through_defusedxml():
    """The second line of defence, should a declaration ever pass the scan: no entities at all."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


@pytest.mark.parametrize(
    ("data", "file_format", "says"),
    [
        pytest.param(
            b"a," * 1_000_000 + b"a\n", "csv", "more than 100 cells", id="a-million-columns"
        ),
        pytest.param(
            bytes(range(256)) * 4096, "csv", "could not be read as text", id="binary-junk"
        ),
        pytest.param(
            b"PK\x03\x04" + bytes(range(256)) * 4096,
            "xlsx",
            "as an Excel workbook",
            id="junk-that-starts-like-a-zip",
        ),
        pytest.param(b"\n\n,,,\n", "csv", "The file is empty", id="blank-lines"),
    ],
)
def test_malformed_files_are_refused_within_a_second_and_bounded_memory(data, file_format, says):
    refused, elapsed, peak = read_measured(data, file_format)
    assert isinstance(refused, import_reading.UnreadableFile)
    assert says in str(refused)
    assert elapsed < 1.0 and peak < 10 * MB


@pytest.mark.django_db
def test_an_empty_file_is_refused_on_the_upload_page(client, sue, team_north):
    response = upload(sign_in(client, sue), team_north, "empty.csv", b"")
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportBatch.objects.exists()
