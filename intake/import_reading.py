"""
Reading an imported spreadsheet, file to rows: a CSV in whatever encoding Excel saved it (see
intake.spreadsheet), or a sheet of an XLSX workbook, within bounds on what one file may make the
server hold; the header row found among the first rows, title lines above it and totals lines
below skipped and reported. What the cells mean is intake.import_values' question.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import spreadsheet
from .import_columns import COLUMNS, REQUIRED, fold_key, header_names

# Bounds on what one file may make the server hold, whatever its size on disk: the template has
# 22 columns and no cell needs more than a few hundred characters. A 205 KB workbook once took
# the importer to 650 MB; with these, memory stays within tens of MB.
MAX_CELLS_PER_ROW = 100
MAX_CELL_CHARS = 2000
# A CSV row is refused before it is parsed when its lines hold more separators than this (an
# upper bound on its cells, counted without parsing), so that one row cannot be a million cells.
MAX_SEPARATORS_PER_ROW = 1000
# Physical rows read from a sheet, blank ones included: a sheet claiming row 1,048,576 would
# otherwise be walked blank row by blank row.
BLANK_ROWS_ALLOWED = 1000
# An XLSX is a ZIP: refused from its directory alone (within milliseconds, nothing inflated)
# when it would inflate to more than this, or holds more entries than any spreadsheet needs.
MAX_XLSX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_XLSX_ENTRIES = 200
# openpyxl builds a whole <row> (every cell, as XML elements and dicts) and the whole shared
# string table before giving anything back, so both are counted in the inflated XML first.
MAX_SHARED_STRINGS = 200_000
ROW_TAG = b"<row"
CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b":c ", b":c>", b":c/>")
SHARED_STRING_TAGS = (b"<si>", b"<si ", b":si>", b":si ")
# No part of a workbook Excel writes declares a document type: a declaration is how entities are
# brought in (billion laughs, external files). Refused on sight; openpyxl also parses through
# defusedxml, which refuses them again.
DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
SCAN_CHUNK = 1024 * 1024
# One line of a CSV text with its ending, as csv.reader wants it, found in place: an io.StringIO
# of the text would hold a second copy of it, at four bytes a character.
CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
# The header is looked for among this many first non-blank rows, under title lines.
HEADER_ROWS = 10
# How a totals line below the data starts (folded), in the three languages: the word alone or
# followed by something not a letter ("합계: 12", "Total (12)"), so that a name such as 합계순 or
# Totalia is never taken for a total.
TOTAL_LINE = re.compile(
    r"^(?:total|totals|합계|총계|소계|总计|合计|小计|共计)(?![^\W\d_])", re.IGNORECASE
)
# The household number of the template's example rows: never imported, even if left in.
EXAMPLE_HOUSEHOLDS = {fold_key(name) for name in ("example", "예시", "示例")}


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet at all; the message says why, for the user."""


def max_rows() -> int:
    return settings.SHIMTEO_IMPORT_MAX_ROWS


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_lines(text: str):
    """
    The lines of a CSV text as csv.reader takes them, refusing a row whose lines hold more than
    MAX_SEPARATORS_PER_ROW commas before the reader builds it. A row goes on past a line end
    while a quoted cell is open, i.e. while the row has an odd number of quote characters.
    """
    separators = quotes = 0
    for match in CSV_LINE.finditer(text):
        line = match.group()
        if not line:
            continue
        separators += line.count(",")
        quotes += line.count('"')
        if separators > MAX_SEPARATORS_PER_ROW:
            raise UnreadableFile(
                _(
                    "A row has more than %(limit)s cells (or a quote is never closed). Keep only "
                    "the template's columns."
                )
                % {"limit": MAX_CELLS_PER_ROW}
            )
        yield line
        if quotes % 2 == 0:
            separators = quotes = 0


def _read_csv(text: str):
    if "\x00" in text:
        raise UnreadableFile(_("The file contains NUL characters: it is not a CSV file."))
    try:
        yield from csv.reader(_csv_lines(text))
    except csv.Error:
        raise UnreadableFile(
            _("The CSV file is malformed (an unclosed quote, or a stray character).")
        ) from None


def _csv_text(data: bytes, chosen: str | None) -> tuple[str, dict]:
    """The text of a CSV file and how its encoding was found (detected, certain, candidates)."""
    try:
        detection = spreadsheet.detect(
            data, lambda head: _best_header(csv.reader(head.splitlines()))[1]
        )
    except spreadsheet.NoEncoding:
        raise UnreadableFile(
            _(
                "The file could not be read as text in any of the encodings offered (UTF-8, "
                "UTF-16, Korean CP949, Chinese GB18030 or Big5). Save it as “CSV UTF-8” "
                "(comma delimited) and try again."
            )
        ) from None
    encoding = chosen if chosen in spreadsheet.ENCODINGS else detection.encoding
    try:
        text = spreadsheet.decode(data, encoding)
    except UnicodeDecodeError:
        encoding, text = detection.encoding, spreadsheet.decode(data, detection.encoding)
    found = {
        "used": encoding,
        "detected": detection.encoding,
        "certain": detection.certain or encoding == chosen,
        "candidates": list(detection.candidates),
    }
    return text, found


def _refuse_zip_bomb(data: bytes) -> None:
    """Refuse a workbook from its ZIP directory: what it would inflate to, how many entries."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx.")
        ) from None
    with archive:
        entries = archive.infolist()
        # zipfile never inflates an entry past the size its directory declares, so these sums
        # bound what openpyxl can be handed.
        inflated = sum(entry.file_size for entry in entries)
        if len(entries) > MAX_XLSX_ENTRIES or inflated > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise UnreadableFile(
                _(
                    "The workbook would expand to more than %(size)s (or holds more than "
                    "%(entries)s parts): it is not a plain spreadsheet. Save the sheet as CSV "
                    "UTF-8 and try again."
                )
                % {
                    "size": filesizeformat(MAX_XLSX_UNCOMPRESSED_BYTES),
                    "entries": MAX_XLSX_ENTRIES,
                }
            )
        try:
            _refuse_oversized_parts(archive, entries)
        except UnreadableFile:
            raise
        except Exception:
            # A damaged, encrypted or lying entry (bad CRC, bad deflate stream): unreadable.
            raise UnreadableFile(
                _(
                    "The file could not be read as an Excel workbook (.xlsx). Save it again as "
                    ".xlsx."
                )
            ) from None


def _scan_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int]:
    """
    (most cells in one row, shared strings) of one XML part, counted while it is inflated a
    chunk at a time: the counts, not the part, are kept.
    """
    widest = cells = strings = 0
    pending = b""
    with archive.open(entry) as part:
        while True:
            chunk = part.read(SCAN_CHUNK)
            data = pending + chunk
            # Cut before the last tag's "<", so that no tag is split between two chunks.
            cut = len(data) if not chunk else data.rfind(b"<")
            cut = len(data) if cut <= 0 else cut
            data, pending = data[:cut], data[cut:]
            # Rows start at <row or <prefix:row (a <rowBreaks> also splits: harmless).
            pieces = data.replace(b":row", ROW_TAG).split(ROW_TAG)
            for index, piece in enumerate(pieces):
                if index:
                    widest, cells = max(widest, cells), 0
                cells += sum(piece.count(tag) for tag in CELL_TAGS)
                strings += sum(piece.count(tag) for tag in SHARED_STRING_TAGS)
                if any(declaration in piece for declaration in DECLARATIONS):
                    raise UnreadableFile(
                        _(
                            "The workbook declares XML entities, which no spreadsheet program "
                            "writes: it is refused. Save the sheet again as .xlsx or CSV UTF-8."
                        )
                    )
            if not chunk:
                return max(widest, cells), strings


def _refuse_oversized_parts(archive: zipfile.ZipFile, entries) -> None:
    for entry in entries:
        if not entry.filename.endswith(".xml"):
            continue
        widest, strings = _scan_part(archive, entry)
        # Room for styled blank cells past the data, which spreadsheet programs leave behind;
        # the reader itself then takes only MAX_CELLS_PER_ROW + 1 of them.
        if widest > MAX_CELLS_PER_ROW * 4 or strings > MAX_SHARED_STRINGS:
            raise UnreadableFile(
                _(
                    "A row of the workbook has more than %(limit)s cells, or the workbook holds "
                    "more text than a spreadsheet of %(rows)s rows can. Keep only the "
                    "template's columns, or save the sheet as CSV UTF-8."
                )
                % {"limit": MAX_CELLS_PER_ROW, "rows": max_rows()}
            )


def _sheet_rows(sheet):
    # The declared size (<dimension>) is the file's word: a sheet claiming XFD1048576 would
    # pad every row to 16,384 cells. Read what is there, one column past the cap to notice.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=MAX_CELLS_PER_ROW + 1)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:
            raise UnreadableFile(
                _(
                    "The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx."
                )
            ) from None
        yield [
            ("=" + str(cell.value).lstrip("="))
            if getattr(cell, "data_type", None) == "f"
            else cell.value
            for cell in row
        ]


def _read_xlsx(data: bytes, chosen: str | None):
    """
    (the sheets' names, the sheet read, its rows): the chosen sheet, else the one whose first
    rows hold the most known column names (a workbook often has a summary or notes sheet first).
    """
    from openpyxl import load_workbook

    _refuse_zip_bomb(data)
    try:
        # read_only streams the sheet row by row instead of building every cell in memory.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        names = list(workbook.sheetnames)
    except Exception:
        # A damaged or hostile workbook fails in many ways inside openpyxl; none may be a 500.
        raise UnreadableFile(
            _("The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx.")
        ) from None
    if not names:
        workbook.close()
        raise UnreadableFile(_("The file is empty."))
    if chosen not in names:
        scores = []
        for name in names:
            head = []
            for cells in _sheet_rows(workbook[name]):
                head.append([_cell_text(cell) for cell in cells[:MAX_CELLS_PER_ROW]])
                if len(head) >= HEADER_ROWS:
                    break
            scores.append(_best_header(head)[1])
        chosen = names[scores.index(max(scores))]

    def rows():
        try:
            yield from _sheet_rows(workbook[chosen])
        finally:
            workbook.close()

    return names, chosen, rows()


def detect_format(data: bytes) -> str:
    return "xlsx" if data.startswith(b"PK\x03\x04") else "csv"


@dataclass
class Row:
    number: int
    values: dict
    errors: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    # The cells as typed, where reading changed them (a label, a date): shown in the preview.
    typed: dict = field(default_factory=dict)
    # The columns of a household member's row that the import does not bring in, with why.
    unused: list = field(default_factory=list)


@dataclass
class Sheet:
    """What reading a file found: its rows, and how it was read, for the report."""

    rows: list
    ignored: list
    header_row: int = 0
    skipped: list = field(default_factory=list)  # (row number, "title" or "total")
    encoding: dict = field(default_factory=dict)
    sheets: list = field(default_factory=list)
    sheet: str = ""
    # Whether the headers are Korean or Chinese: such files mean 4/3/1995 as 4 March.
    local_headers: bool = False


def _best_header(rows) -> tuple[int, int]:
    """(index, number of known columns) of the header row among `rows` (see _find_header)."""
    index, score, _texts, _grouped = _find_header(list(rows))
    return index, score


def _find_header(rows: list) -> tuple[int, int, list, bool]:
    """
    (index, number of known columns, the column names, whether the row above holds column
    groups) of the row among the first HEADER_ROWS naming the most columns. A header may take
    two rows, as merged cells leave it: group titles above (동의, spanning its sub-headers) and
    the names under them (방법, 날짜), or a name merged down over both rows (이름).
    """
    names = header_names()
    best = (0, 0, rows[0] if rows else [], False)
    for index, texts in enumerate(rows[:HEADER_ROWS]):
        candidates = [(texts, False)]
        if index:
            candidates.append((_grouped(rows[index - 1], texts, names), True))
        for named, grouped in candidates:
            found = len({names[fold_key(text)] for text in named if fold_key(text) in names})
            if found > best[1]:
                best = (index, found, named, grouped)
    return best


def _grouped(above: list, below: list, names: dict) -> list:
    """
    The names of a two-row header: each column's own name when it is known, else its group's
    title (carried right over the blank cells a merged title leaves) joined to it, else the
    title above it alone (a name merged down).
    """
    texts, group = [], ""
    for column in range(max(len(above), len(below))):
        top = above[column] if column < len(above) else ""
        sub = below[column] if column < len(below) else ""
        group = top or group
        tries = [sub, f"{group} {sub}", f"{group}{sub}"] if sub else [top]
        known = next((text for text in tries if text and fold_key(text) in names), None)
        texts.append(known or sub or top)
    return texts


def _is_total(texts: list[str]) -> bool:
    first = next((text for text in texts if text), "")
    return bool(TOTAL_LINE.match(fold_key(first)))


def read_rows(data: bytes, file_format: str, options: dict | None = None) -> Sheet:
    """
    The data rows (numbered as the spreadsheet numbers them) and how the file was read. The
    header is the row among the first HEADER_ROWS naming the most known columns: title lines
    above it, and totals lines below, are skipped and reported.
    """
    options = options or {}
    if file_format == "xlsx":
        sheets, sheet_name, reader = _read_xlsx(data, options.get("sheet"))
        encoding = {}
    else:
        text, encoding = _csv_text(data, options.get("encoding"))
        sheets, sheet_name, reader = [], "", _read_csv(text)
    names = header_names()
    head = []  # (number, texts) of the first non-blank rows, until the header is known
    sheet = Sheet(rows=[], ignored=[], encoding=encoding, sheets=sheets, sheet=sheet_name)
    physical_limit = max_rows() + BLANK_ROWS_ALLOWED
    header = None
    for number, cells in enumerate(reader, start=1):
        if number > physical_limit:
            raise UnreadableFile(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": max_rows()}
            )
        texts = _bounded_texts(number, cells)
        if not any(texts):
            continue
        if header is None:
            head.append((number, texts))
            if len(head) < HEADER_ROWS:
                continue
            header = _take_header(sheet, head, names)
            pending, head = head, []
            for pending_number, pending_texts in pending:
                _add_row(sheet, header, pending_number, pending_texts)
            continue
        _add_row(sheet, header, number, texts)
    if header is None:
        if not head:
            raise UnreadableFile(_("The file is empty."))
        header = _take_header(sheet, head, names)
        for number, texts in head:
            _add_row(sheet, header, number, texts)
    return sheet


def _take_header(sheet: Sheet, head: list, names: dict) -> list:
    """Take the header among the first rows, note the title lines above it; drop them from `head`."""
    index, _score, texts, grouped = _find_header([texts for _number, texts in head])
    sheet.header_row = head[index][0]
    titles = head[: index - 1] if grouped else head[:index]
    sheet.skipped.extend((skipped, "title") for skipped, _texts in titles)
    if grouped:
        sheet.skipped.append((head[index - 1][0], "group"))
    del head[: index + 1]
    header = [names.get(fold_key(text)) for text in texts]
    sheet.ignored = [text for text, key in zip(texts, header, strict=True) if text and not key]
    local = {fold_key(column.korean) for column in COLUMNS} | {fold_key(c.chinese) for c in COLUMNS}
    sheet.local_headers = any(fold_key(text) in local for text in texts)
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        raise UnreadableFile(
            _(
                "Required columns are missing: %(columns)s. Download the template to "
                "see the columns."
            )
            % {"columns": ", ".join(missing)}
        )
    return header


def _add_row(sheet: Sheet, header: list, number: int, texts: list) -> None:
    if _is_total(texts):
        sheet.skipped.append((number, "total"))
        return
    if len(sheet.rows) >= max_rows():
        raise UnreadableFile(
            _("The file has more than %(limit)s rows. Split it into smaller files.")
            % {"limit": max_rows()}
        )
    values = {key: text for key, text in zip(header, texts, strict=False) if key}
    if fold_key(values.get("household", "")) in EXAMPLE_HOUSEHOLDS:
        sheet.skipped.append((number, "example"))
        return
    sheet.rows.append(Row(number=number, values=values))


def _bounded_texts(number: int, cells) -> list[str]:
    """A row's cells as text, refused past MAX_CELLS_PER_ROW cells or MAX_CELL_CHARS a cell."""
    texts = [_cell_text(cell) for cell in cells]
    while texts and not texts[-1]:
        texts.pop()  # trailing blank cells are a spreadsheet program's formatting, not data
    if len(texts) > MAX_CELLS_PER_ROW:
        raise UnreadableFile(
            _("Row %(row)s has more than %(limit)s cells. Keep only the template's columns.")
            % {"row": number, "limit": MAX_CELLS_PER_ROW}
        )
    for text in texts:
        if len(text) > MAX_CELL_CHARS:
            raise UnreadableFile(
                _("A cell of row %(row)s holds more than %(limit)s characters.")
                % {"row": number, "limit": MAX_CELL_CHARS}
            )
    return texts
