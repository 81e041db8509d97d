"""
Spreadsheet import: the column template, reading CSV and XLSX files safely, checking each row
with the intake's own forms (so a row is valid exactly when the same intake typed in the
wizard would be), and the services that check (dry run) and import a batch.

A row is one person who consented to have their details kept, with their own new case. A row
that may duplicate someone on file is not created: it becomes a submitted intake, for a
supervisor to approve or merge in the queue. Every row imported, or sent to the queue, leaves a
keyed fingerprint of its normalised content, so importing the same file again creates nothing
twice.
"""

import csv
import datetime
import hashlib
import hmac
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.notifications import notify
from audit.services import record
from casework.models import Person
from casework.permissions import can_supervise
from vault.blind_index import derive_index_key

from . import duplicates, import_values, spreadsheet
from .forms import STEPS
from .models import DuplicateCandidate, ImportBatch, ImportedRow, IntakeSubmission
from .services import create_records

FINGERPRINT_SCOPE = "intake-import-row"
# Rows shown as read, cell by cell, for the supervisor to confirm before importing.
PREVIEW_ROWS = 10
# Distinct unknown values offered for a mapping, at most.
MAX_UNKNOWN_VALUES = 100
# Distinct dates listed as read (those not typed as ISO), beyond the preview's rows.
MAX_DATES_LISTED = 500
PROGRESS_EVERY = 25
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


@dataclass(frozen=True)
class Column:
    key: str
    korean: str
    english: str
    help_ko: str
    help_en: str
    required: bool = False
    chinese: str = ""
    help_zh: str = ""


# The template: each column's key (the header the template carries), its Korean, English and
# Chinese names (accepted as headers too), and what goes in it. Kept here, not in gettext
# catalogues: the template is always trilingual, whatever the interface language.
COLUMNS = (
    Column(
        "full_name",
        "이름",
        "Full name",
        "전체 이름",
        "The full name",
        required=True,
        chinese="姓名",
        help_zh="完整姓名",
    ),
    Column(
        "aliases",
        "다른 이름",
        "Other names",
        "중국 이름, 로마자 표기 등; 여러 개는 ;로 구분",
        "Chinese name, romanisation…; several separated by ;",
        chinese="其他姓名",
        help_zh="中文名、罗马字拼写等; 多个用 ; 分隔",
    ),
    Column(
        "sex",
        "성별",
        "Sex",
        "female, male, other, unknown",
        "female, male, other, unknown",
        chinese="性别",
        help_zh="female, male, other, unknown",
    ),
    Column(
        "date_of_birth",
        "생년월일",
        "Date of birth",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        chinese="出生日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "birth_year",
        "출생 연도",
        "Birth year",
        "날짜를 모를 때",
        "When the date is not known",
        chinese="出生年份",
        help_zh="不知道具体日期时填写",
    ),
    Column(
        "nationality",
        "국적",
        "Nationality",
        "dprk, prc, stateless, other, unknown",
        "dprk, prc, stateless, other, unknown",
        chinese="国籍",
        help_zh="dprk, prc, stateless, other, unknown",
    ),
    Column("place_of_origin", "출신지", "Place of origin", "", "", chinese="原籍"),
    Column(
        "contact",
        "연락처",
        "Contact",
        "안전한 연락처만",
        "Only a contact that is safe to use",
        chinese="联系方式",
        help_zh="只填写安全可用的联系方式",
    ),
    Column(
        "current_location",
        "현재 거주지",
        "Where the person lives now",
        "",
        "",
        chinese="现居住地",
    ),
    Column(
        "region",
        "지역",
        "Province or region",
        "cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, cn-inner-mongolia, "
        "cn-other, kp, kr, third-country, other, unknown",
        "cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, cn-inner-mongolia, "
        "cn-other, kp, kr, third-country, other, unknown",
        chinese="省份或地区",
        help_zh="cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, "
        "cn-inner-mongolia, cn-other, kp, kr, third-country, other, unknown",
    ),
    Column(
        "legal_status",
        "법적 신분",
        "Legal status",
        "undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
        "undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
        chinese="法律身份",
        help_zh="undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
    ),
    Column(
        "status_since",
        "신분 시작일",
        "Status since",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        chinese="身份起始日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "status_country",
        "국가",
        "Country",
        "CN, KP, KR, XT, XX, ZZ",
        "CN, KP, KR, XT, XX, ZZ",
        chinese="国家",
        help_zh="CN, KP, KR, XT, XX, ZZ",
    ),
    Column(
        "benefits_refused",
        "거부된 혜택",
        "Benefits refused",
        "household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; ;로 구분",
        "household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; separated by ;",
        chinese="被拒绝的权益",
        help_zh="household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; 用 ; 分隔",
    ),
    Column(
        "consent_method",
        "동의 방법",
        "Consent given",
        "verbal, written, interpreter",
        "verbal, written, interpreter",
        required=True,
        chinese="同意方式",
        help_zh="verbal, written, interpreter",
    ),
    Column(
        "consent_given_on",
        "동의 날짜",
        "Consent given on",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        required=True,
        chinese="同意日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "consent_scopes",
        "동의 범위",
        "Consent scopes",
        "store_data(필수), share_with_advocates, named_in_documents, statistics; ;로 구분",
        "store_data (required), share_with_advocates, named_in_documents, statistics; "
        "separated by ;",
        required=True,
        chinese="同意范围",
        help_zh="store_data (必填), share_with_advocates, named_in_documents, statistics; "
        "用 ; 分隔",
    ),
    Column("consent_witness", "증인", "Witnessed by", "", "", chinese="见证人"),
    Column(
        "risk_level",
        "위험도",
        "Risk level",
        "low, medium, high, critical (기본: low)",
        "low, medium, high, critical (default: low)",
        chinese="风险等级",
        help_zh="low, medium, high, critical (默认: low)",
    ),
    Column("needs", "필요한 도움", "Needs", "", "", chinese="所需帮助"),
)
KEYS = [column.key for column in COLUMNS]
REQUIRED = [column.key for column in COLUMNS if column.required]
# Which form field of which step each column feeds, to put a form's errors back on the column.
FIELD_COLUMNS = {
    ("consent", "method"): "consent_method",
    ("consent", "given_on"): "consent_given_on",
    ("consent", "scopes"): "consent_scopes",
    ("consent", "witnessed_by"): "consent_witness",
}
OVERRIDE_REASON = gettext_lazy("Risk level as given in the imported spreadsheet.")
# A cell a spreadsheet program would run as a formula when the data is opened again.
FORMULA_STARTS = ("=", "@", "\t", "\r")
PHONE_CHARACTERS = set("0123456789 ()-+./")


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet at all; the message says why, for the user."""


def _header_names() -> dict:
    names = {}
    for column in COLUMNS:
        for name in (column.key, column.korean, column.english, column.chinese):
            names[_fold(name)] = column.key
    return names


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold().replace(" ", "_")


def max_bytes() -> int:
    return getattr(settings, "SHIMTEO_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "SHIMTEO_IMPORT_MAX_ROWS", 5000)


# Reading


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
    """(index, number of known columns) of the row among `rows` naming the most columns."""
    names = _header_names()
    best, score = 0, 0
    for index, texts in enumerate(rows):
        if index >= HEADER_ROWS:
            break
        found = len({names[_fold(text)] for text in texts if _fold(text) in names})
        if found > score:
            best, score = index, found
    return best, score


def _is_total(texts: list[str]) -> bool:
    first = next((text for text in texts if text), "")
    return bool(TOTAL_LINE.match(_fold(first)))


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
    names = _header_names()
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
    index, _score = _best_header([texts for _number, texts in head])
    number, texts = head[index]
    sheet.header_row = number
    sheet.skipped.extend((skipped, "title") for skipped, _texts in head[:index])
    del head[: index + 1]
    header = [names.get(_fold(text)) for text in texts]
    sheet.ignored = [text for text, key in zip(texts, header, strict=True) if text and not key]
    local = {_fold(column.korean) for column in COLUMNS} | {_fold(c.chinese) for c in COLUMNS}
    sheet.local_headers = any(_fold(text) in local for text in texts)
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


# Reading the values


def interpret(sheet: Sheet, options: dict) -> dict:
    """
    Read each row's labels into codes and its dates into ISO dates, in place (the cell as typed
    is kept in `row.typed`), and say what the supervisor must look at: the values no catalogue
    knows, and whether the file has dates whose day and month could be either way round.
    """
    mappings = options.get("mappings", {})
    day_first = options.get("day_first")
    if day_first is None:
        # Korean and Chinese staff write 4/3/1995 for 4 March.
        day_first = sheet.local_headers or sheet.encoding.get("used") in spreadsheet.LEGACY
    unknown = {}  # (column, folded) -> as typed
    dates_read = {}  # as typed -> ISO, for every date not typed as ISO
    ambiguous = 0
    for row in sheet.rows:
        for key, text in list(row.values.items()):
            if not text:
                continue
            if key in import_values.CHOICE_COLUMNS:
                parts = import_values.split(text) if key in import_values.MULTIPLE else [text]
                read = []
                for part in parts:
                    code = import_values.choice_of(key, part, mappings)
                    # A formula is refused on its row, never offered for a mapping.
                    if code is None and not part.startswith(FORMULA_STARTS):
                        unknown.setdefault((key, import_values.fold(part)), part)
                    read.append(code or part)
                value = "; ".join(read)
            elif key in import_values.DATE_COLUMNS:
                reading = import_values.read_date(text, day_first=day_first)
                ambiguous += reading.ambiguous
                value = reading.text
                if value != text and len(dates_read) < MAX_DATES_LISTED:
                    dates_read.setdefault(text, value)
            else:
                continue
            if value != text:
                row.typed[key] = text
                row.values[key] = value
    questions = []
    if sheet.encoding and not sheet.encoding["certain"]:
        questions.append("encoding")
    if ambiguous and options.get("day_first") is None:
        questions.append("day_order")
    return {
        "encoding": sheet.encoding,
        "sheets": sheet.sheets,
        "sheet": sheet.sheet,
        "header_row": sheet.header_row,
        "skipped": [list(skipped) for skipped in sheet.skipped],
        "day_first": day_first,
        "ambiguous_dates": ambiguous,
        # A file with more unknown values than this has a column in the wrong place: the rows'
        # errors say so, and a form of hundreds of choices would help nobody.
        "unknown": [[key, folded, typed] for (key, folded), typed in sorted(unknown.items())][
            :MAX_UNKNOWN_VALUES
        ],
        "questions": questions,
        "dates_read": sorted(dates_read.items(), key=lambda pair: pair[1]),
        "preview": [
            {
                "row": row.number,
                "cells": [
                    [key, row.typed.get(key, value), value]
                    for key, value in row.values.items()
                    if value
                ],
            }
            for row in sheet.rows[:PREVIEW_ROWS]
        ],
    }


# Checking a row


def _formula_errors(row: Row) -> list:
    errors = []
    for key, text in row.values.items():
        if text.startswith(FORMULA_STARTS) or (
            text[:1] in "+-" and not set(text) <= PHONE_CHARACTERS
        ):
            errors.append(
                (
                    key,
                    _(
                        "Formulas are not accepted: this cell starts with “%(start)s”. Type "
                        "the value itself."
                    )
                    % {"start": text[:1]},
                )
            )
    return errors


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\uff1b", ";").split(";") if part.strip()]


def answers_of(values: dict) -> dict:
    """A row as the wizard would have posted it, step by step."""
    value = values.get
    return {
        "consent": {
            "method": [value("consent_method", "").lower()],
            "witnessed_by": [value("consent_witness", "")],
            "given_on": [value("consent_given_on", "")],
            "scopes": [scope.lower() for scope in _split(value("consent_scopes", ""))],
        },
        "identity": {
            "full_name": [value("full_name", "")],
            "aliases": ["\n".join(_split(value("aliases", "")))],
            "sex": [value("sex", "").lower() or "unknown"],
            "date_of_birth": [value("date_of_birth", "")],
            "birth_year": [value("birth_year", "")],
            "nationality": [value("nationality", "").lower() or "unknown"],
            "place_of_origin": [value("place_of_origin", "")],
            "contact": [value("contact", "")],
        },
        "family": {
            "partner_nationality": ["unknown"],
            "marriage_registered": ["unknown"],
            "children-TOTAL_FORMS": ["0"],
            "children-INITIAL_FORMS": ["0"],
        },
        "situation": {
            "current_location": [value("current_location", "")],
            "region": [value("region", "").lower() or "unknown"],
            "legal_status": [value("legal_status", "").lower()],
            "status_since": [value("status_since", "")],
            "status_country": [value("status_country", "").upper() or "ZZ"],
            "benefits_refused": [kind.lower() for kind in _split(value("benefits_refused", ""))],
            "incidents-TOTAL_FORMS": ["0"],
            "incidents-INITIAL_FORMS": ["0"],
        },
        "needs": {
            "needs": [value("needs", "")],
            "risk_level": [value("risk_level", "").lower()],
            "override_reason": [str(OVERRIDE_REASON)],
        },
    }


def check_row(row: Row) -> dict | None:
    """The row's cleaned intake, or None with `row.errors` filled (column, message)."""
    row.errors = _formula_errors(row)
    if row.errors:
        return None
    answers = answers_of(row.values)
    cleaned = {}
    for step, step_class in STEPS.items():
        forms = step_class(answers[step], answers=answers)
        if forms.is_valid():
            cleaned[step] = forms.cleaned()
            continue
        for name, messages in forms.form.errors.items():
            column = FIELD_COLUMNS.get((step, name), name if name in KEYS else "")
            row.errors.extend((column, message) for message in messages)
    if row.errors:
        return None
    row.answers = answers
    return cleaned


def fingerprint(values: dict) -> str:
    normalised = [_fold(values.get(key, "")) for key in KEYS]
    payload = json.dumps(normalised, ensure_ascii=False).encode()
    return hmac.new(derive_index_key(FINGERPRINT_SCOPE), payload, hashlib.sha256).hexdigest()


# Services


def _refuse_unless_supervisor(actor, team) -> None:
    if not can_supervise(actor, team):
        raise PermissionDenied(_("Only a supervisor of the team imports spreadsheets."))


def import_upload(*, team, uploaded_file, actor) -> ImportBatch:
    """
    Keep an uploaded spreadsheet, encrypted, as a new batch to be checked. Refuses a file that
    is too large or empty before anything is stored.
    """
    _refuse_unless_supervisor(actor, team)
    limit = max_bytes()
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": _too_large(limit)})
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _too_large(limit)})
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    with transaction.atomic():
        batch = ImportBatch(
            team=team,
            uploaded_by=actor,
            original_name=(uploaded_file.name or "")[:255],
            file_format=detect_format(data),
        )
        batch.full_clean(exclude=["file"])
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
        record(actor, "create", batch, format=batch.file_format, size=len(data))
    return batch


def _too_large(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def _progress(batch: ImportBatch, done: int) -> None:
    # A plain update outside the batch's transaction, so the status page sees it as it moves.
    if done % PROGRESS_EVERY == 0 or done == batch.total_rows:
        ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done)


def _rows_of(batch: ImportBatch) -> tuple[list, dict]:
    """The batch's rows, their labels and dates read with its options, and how it was read."""
    with batch.file.open("rb") as handle:
        data = handle.read()
    options = batch.options or {}
    sheet = read_rows(data, batch.file_format, options)
    reading = interpret(sheet, options)
    reading["ignored_columns"] = sheet.ignored
    return sheet.rows, reading


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.failure = message[:300]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "failure", "finished_at"])
    _delete_file(batch)
    return batch


def _delete_file(batch: ImportBatch) -> None:
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def _duplicates_of(cleaned: dict, uploader) -> tuple[list, list]:
    """
    (reference and reasons of the candidates the uploader may see, the candidates' pks): of
    the others the report says only that another team's supervisors check them, as the
    wizard does (see intake.duplicates).
    """
    found = duplicates.find(duplicates.subjects_of(cleaned))
    pks = [pk for _key, pk, _codes in found]
    references = dict(
        Person.objects.visible_to(uploader).filter(pk__in=pks).values_list("pk", "reference")
    )
    shown = [(references[pk], codes) for _key, pk, codes in found if pk in references]
    return shown, pks


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """
    The dry run: read every row, check it as the wizard would, and report per row its errors
    (column and message), the people on file it may duplicate, and whether it was imported
    before. Nothing is created.
    """
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKING)
    batch.refresh_from_db()
    try:
        rows, reading = _rows_of(batch)
    except UnreadableFile as error:
        return _fail(batch, str(error))
    batch.total_rows = len(rows)
    batch.save(update_fields=["total_rows"])
    known = set(
        ImportedRow.objects.filter(
            team=batch.team, fingerprint__in=[fingerprint(row.values) for row in rows]
        ).values_list("fingerprint", flat=True)
    )
    report, valid = [], 0
    candidates, out_of_sight = set(), set()
    for done, row in enumerate(rows, start=1):
        cleaned = check_row(row)
        entry = {"row": row.number, "errors": [list(error) for error in row.errors]}
        if cleaned is not None:
            valid += 1
            shown, pks = _duplicates_of(cleaned, batch.uploaded_by)
            entry["duplicates"] = shown
            entry["checked_elsewhere"] = len(shown) < len(pks)
            entry["already"] = fingerprint(row.values) in known
            candidates.update(pks)
            if entry["checked_elsewhere"]:
                out_of_sight.add(row.number)
        report.append(entry)
        _progress(batch, done)
    # One event for the file's lookups, with counts only, as a submission's lookup has.
    record(
        batch.uploaded_by,
        "view",
        batch,
        lookup=duplicates.LOOKUP_MARK,
        rows=valid,
        candidates=len(candidates),
        rows_out_of_sight=len(out_of_sight),
    )
    batch.report = {"rows": report, **reading}
    batch.valid_rows = valid
    batch.processed_rows = len(rows)
    batch.status = ImportBatch.Status.CHECKED
    batch.save(update_fields=["report", "valid_rows", "processed_rows", "status"])
    return batch


def import_run(*, batch: ImportBatch, actor) -> ImportBatch:
    """
    Import the valid rows of a checked batch, each in its own transaction: a new person with
    their case, or — when the row may duplicate someone on file — a submitted intake for the
    queue. Rows already imported are skipped. The file is deleted afterwards.
    """
    _refuse_unless_supervisor(actor, batch.team)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise ValidationError(_("Only a checked file can be imported, once."))
        if locked.report.get("questions"):
            raise ValidationError(
                _("Confirm how the file is read (its encoding, its dates) before importing it.")
            )
        locked.status = ImportBatch.Status.IMPORTING
        locked.processed_rows = 0
        locked.save(update_fields=["status", "processed_rows"])
    batch.refresh_from_db()
    try:
        rows, _reading = _rows_of(batch)
    except UnreadableFile as error:
        return _fail(batch, str(error))
    created = queued = skipped = 0
    for done, row in enumerate(rows, start=1):
        outcome = _import_row(batch, row, actor)
        created += outcome == "created"
        queued += outcome == "queued"
        skipped += outcome == "already"
        _progress(batch, done)
    batch.created_count, batch.queued_count, batch.skipped_count = created, queued, skipped
    batch.status = ImportBatch.Status.IMPORTED
    batch.processed_rows = len(rows)
    batch.finished_at = timezone.now()
    batch.save()
    _delete_file(batch)
    record(actor, "import", batch, created=created, queued=queued, skipped=skipped)
    # It ran in a worker: whoever started it, and whoever uploaded it, learn it is done.
    notify(
        recipients=[actor, batch.uploaded_by], kind=Notification.Kind.IMPORT_FINISHED, target=batch
    )
    return batch


def _import_row(batch: ImportBatch, row: Row, actor) -> str:
    cleaned = check_row(row)
    if cleaned is None:
        return "invalid"
    digest = fingerprint(row.values)
    with transaction.atomic():
        if ImportedRow.objects.filter(team=batch.team, fingerprint=digest).exists():
            return "already"
        found = duplicates.find(duplicates.subjects_of(cleaned))
        imported = ImportedRow(
            batch=batch, team=batch.team, row_number=row.number, fingerprint=digest
        )
        if found:
            submission = IntakeSubmission.objects.create(
                team=batch.team,
                owner=actor,
                answers=row.answers,
                status=IntakeSubmission.Status.SUBMITTED,
                step=IntakeSubmission.Step.REVIEW,
                submitted_at=timezone.now(),
            )
            DuplicateCandidate.objects.bulk_create(
                DuplicateCandidate(submission=submission, person_id=pk, subject=key, reasons=codes)
                for key, pk, codes in found
            )
            record(actor, "create", submission, batch=batch.reference, candidates=len(found))
            imported.submission = submission
            outcome = "queued"
        else:
            _case, imported.person = create_records(
                cleaned=cleaned, team=batch.team, caseworker=actor, actor=actor
            )
            outcome = "created"
        imported.save()
    return outcome


def import_configure(
    *, batch: ImportBatch, actor, encoding=None, sheet=None, day_first=None, mappings=None
) -> ImportBatch:
    """
    Say how a checked file is to be read — its encoding, its sheet, the order of day and month
    in its dates, a code for each value no catalogue knows — and have it checked again. The
    answers are kept with the batch (encrypted: a mapped value may be a place), and the import
    reads the file the same way.
    """
    _refuse_unless_supervisor(actor, batch.team)
    report = batch.report or {}
    options = {"mappings": {}}
    if encoding is not None:
        if encoding not in report.get("encoding", {}).get("candidates", []):
            raise ValidationError({"encoding": _("The file cannot be read in this encoding.")})
        options["encoding"] = encoding
    if sheet is not None:
        if sheet not in report.get("sheets", []):
            raise ValidationError({"sheet": _("The workbook has no such sheet.")})
        options["sheet"] = sheet
    if day_first is not None:
        options["day_first"] = bool(day_first)
    for (column, folded), code in (mappings or {}).items():
        if code not in import_values.CHOICE_COLUMNS.get(column, ()).values:
            raise ValidationError({"mappings": _("Choose a value of the list.")})
        options["mappings"].setdefault(column, {})[folded] = code
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise ValidationError(_("Only a checked file can be read again."))
        # Mappings made for values of an earlier reading are kept for the values still there.
        kept = (locked.options or {}).get("mappings", {})
        for column, chosen in options["mappings"].items():
            kept.setdefault(column, {}).update(chosen)
        options["mappings"] = kept
        locked.options = options
        locked.status = ImportBatch.Status.UPLOADED
        locked.processed_rows = 0
        locked.save(update_fields=["options", "status", "processed_rows"])
        record(actor, "update", locked, fields=["options"])
    return locked


def import_discard(*, batch: ImportBatch, actor) -> None:
    """Drop a batch that will not be imported: its encrypted file is deleted now."""
    _refuse_unless_supervisor(actor, batch.team)
    if batch.status in (ImportBatch.Status.IMPORTING, ImportBatch.Status.IMPORTED):
        raise ValidationError(_("An imported file cannot be discarded."))
    with transaction.atomic():
        record(actor, "delete", batch)
        _delete_file(batch)
        batch.delete()


def template_csv() -> bytes:
    """The column template: a header row of column keys, UTF-8 with a BOM so Excel reads it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(KEYS)
    return buffer.getvalue().encode("utf-8-sig")
