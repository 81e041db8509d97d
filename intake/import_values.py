"""
What the cells of an imported spreadsheet mean: the labels staff type for a choice, in any of
the interface's three languages or their usual short forms, and dates in the forms people write
them. Reading a value here only translates it into the code or ISO date the intake forms take;
the forms (and through them casework.dates) still decide whether it is acceptable.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casework import dates
from casework.choices import (
    Country,
    EntitlementKind,
    LegalStatus,
    Nationality,
    Region,
    RiskLevel,
    Sex,
)
from consent.models import Method, Scope

from . import spreadsheet
from .import_reading import Sheet


class Relation(models.TextChoices):
    """Who a person of an imported household is: the head the case is about, or a relative."""

    HEAD = "head", _("Head of the household")
    PARTNER = "partner", _("Partner (unmarried)")
    SPOUSE = "spouse", _("Spouse (married)")
    MOTHER = "mother", _("Mother of the children")
    FATHER = "father", _("Father of the children")
    CHILD = "child", _("Child")


LANGUAGES = ("en", "ko", "zh-hans")
# Rows shown as read, cell by cell, for the supervisor to confirm before importing.
PREVIEW_ROWS = 10
# Distinct unknown values offered for a mapping, at most.
MAX_UNKNOWN_VALUES = 100
# Distinct dates listed as read (those not typed as ISO), beyond the preview's rows.
MAX_DATES_LISTED = 500
# A cell a spreadsheet program would run as a formula when the data is opened again.
FORMULA_STARTS = ("=", "@", "\t", "\r")
# The columns whose cells are codes of a catalogue, and the catalogue.
CHOICE_COLUMNS = {
    "sex": Sex,
    "nationality": Nationality,
    "region": Region,
    "legal_status": LegalStatus,
    "status_country": Country,
    "benefits_refused": EntitlementKind,
    "consent_method": Method,
    "consent_scopes": Scope,
    "risk_level": RiskLevel,
    "relation": Relation,
}
# Columns holding several codes, separated by ; or , (or their full-width forms, or 、).
MULTIPLE = {"benefits_refused", "consent_scopes"}
DATE_COLUMNS = ("date_of_birth", "status_since", "consent_given_on")
# What staff type besides the catalogue labels: short forms and the usual words of the field.
SHORT_FORMS = {
    "sex": {
        Sex.FEMALE: ("f", "여", "여자", "여성", "女", "女性", "woman"),
        Sex.MALE: ("m", "남", "남자", "남성", "男", "男性", "man"),
        Sex.UNKNOWN: ("미상", "모름", "不详", "未知"),
    },
    "nationality": {
        Nationality.DPRK: (
            "북한",
            "조선",
            "북조선",
            "朝鲜",
            "北韩",
            "北朝鲜",
            "dprk",
            "north korea",
            "nk",
            "kp",
        ),
        Nationality.PRC: ("중국", "中国", "china", "chinese", "cn"),
        Nationality.STATELESS: ("무국적", "无国籍", "無國籍"),
        Nationality.UNKNOWN: ("미상", "모름", "不详", "未知"),
    },
    "region": {
        Region.JILIN: (
            "길림",
            "길림성",
            "지린",
            "지린성",
            "吉林",
            "吉林省",
            "jilin",
            "연변",
            "延边",
        ),
        Region.LIAONING: ("요녕", "요녕성", "랴오닝", "랴오닝성", "辽宁", "辽宁省", "liaoning"),
        Region.HEILONGJIANG: (
            "흑룡강",
            "흑룡강성",
            "헤이룽장",
            "헤이룽장성",
            "黑龙江",
            "黑龙江省",
            "heilongjiang",
        ),
        Region.SHANDONG: ("산동", "산동성", "산둥", "산둥성", "山东", "山东省", "shandong"),
        Region.BEIJING: ("북경", "베이징", "北京", "北京市", "beijing"),
        Region.INNER_MONGOLIA: ("내몽골", "내몽고", "内蒙古", "inner mongolia"),
        Region.DPRK: ("북한", "조선", "朝鲜", "north korea"),
        Region.ROK: ("남한", "한국", "대한민국", "韩国", "south korea"),
        Region.UNKNOWN: ("미상", "모름", "不详", "未知"),
    },
    "status_country": {
        Country.CHINA: ("중국", "中国", "china", "cn"),
        Country.DPRK: ("북한", "조선", "朝鲜", "north korea", "kp"),
        Country.ROK: ("한국", "남한", "韩国", "south korea", "kr"),
    },
    "legal_status": {
        LegalStatus.UNDOCUMENTED_CN: ("미등록", "무등록", "无证", "黑户"),
        LegalStatus.DETAINED_CN: ("구금", "체포", "拘留", "被抓"),
        LegalStatus.REPATRIATED: ("강제송환", "북송", "송환", "遣返", "被遣返"),
        LegalStatus.DECEASED: ("사망", "死亡"),
        LegalStatus.STATELESS: ("무국적", "无国籍"),
    },
    "consent_method": {
        Method.VERBAL: ("구두", "말로", "口头"),
        Method.WRITTEN: ("서면", "서명", "书面", "签字"),
        Method.INTERPRETER: ("통역", "통역사", "翻译", "口译"),
    },
    "consent_scopes": {
        Scope.STORE_DATA: ("보관", "정보 보관", "保存", "保存资料"),
        Scope.SHARE_WITH_ADVOCATES: ("변호인 공유", "与律师共享"),
        Scope.NAMED_IN_DOCUMENTS: ("문서 실명", "文件署名"),
        Scope.STATISTICS: ("통계", "统计"),
        Scope.IDENTITY_TO_STATE: ("정부 전달", "转交政府"),
    },
    "benefits_refused": {
        EntitlementKind.HOUSEHOLD_REGISTRATION: ("호구", "호적", "户口", "户籍"),
        EntitlementKind.KINDERGARTEN: ("유치원", "幼儿园"),
        EntitlementKind.SCHOOL: ("학교", "입학", "学校", "上学"),
        EntitlementKind.MEDICAL_CARE: ("의료", "병원", "医疗", "看病"),
        EntitlementKind.LABOUR_INSURANCE: ("노동보험", "취업", "劳动保险", "就业"),
        EntitlementKind.SOCIAL_WELFARE: ("복지", "사회복지", "社会福利", "低保"),
        EntitlementKind.MARRIAGE_REGISTRATION: ("혼인신고", "혼인 등록", "结婚登记"),
    },
    "relation": {
        Relation.HEAD: ("본인", "세대주", "가구주", "户主", "本人", "self", "head of household"),
        Relation.PARTNER: ("사실혼", "사실혼 배우자", "동거인", "파트너", "伴侣", "同居"),
        Relation.SPOUSE: (
            "배우자",
            "남편",
            "아내",
            "처",
            "配偶",
            "丈夫",
            "妻子",
            "妻",
            "夫",
            "husband",
            "wife",
        ),
        Relation.MOTHER: ("모", "어머니", "엄마", "母", "母亲", "妈妈"),
        Relation.FATHER: ("부", "아버지", "아빠", "父", "父亲", "爸爸"),
        Relation.CHILD: (
            "자녀",
            "딸",
            "아들",
            "자",
            "녀",
            "子女",
            "女儿",
            "儿子",
            "子",
            "女",
            "son",
            "daughter",
            "children",
        ),
    },
    "risk_level": {
        RiskLevel.LOW: ("낮음", "하", "低"),
        RiskLevel.MEDIUM: ("보통", "중간", "중", "中"),
        RiskLevel.HIGH: ("높음", "상", "高"),
        RiskLevel.CRITICAL: ("매우 높음", "긴급", "위급", "极高", "紧急"),
    },
}


def fold(text) -> str:
    """A label as compared: NFKC (full-width and compatibility forms), case folded, spaced once."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


@cache
def catalogue(column: str) -> dict:
    """Every accepted spelling of the column's choices, folded, to its code."""
    choices = CHOICE_COLUMNS[column]
    lookup = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(fold(label), value)
    for value, forms in SHORT_FORMS.get(column, {}).items():
        for form in forms:
            lookup.setdefault(fold(form), str(value))
    for value in choices.values:
        lookup[fold(value)] = value
    return lookup


def choice_of(column: str, text: str, mappings: dict) -> str | None:
    """The code a cell means: the catalogue's, else the supervisor's mapping, else None."""
    folded = fold(text)
    return catalogue(column).get(folded) or mappings.get(column, {}).get(folded)


def split(text: str) -> list[str]:
    return [part.strip() for part in re.split("[;,\uff1b\uff0c\u3001]", text) if part.strip()]


# Dates

# Year first: 2011-03-08, 1990.7.3, 1988/12/1, 88-12-1, 2011년 3월 8일, 2011年3月8日.
YEAR_FIRST = re.compile(
    r"^(?P<y>\d{4}|\d{2})\s*(?:[-./]|년|年)\s*(?P<m>\d{1,2})\s*(?:[-./]|월|月)\s*"
    r"(?P<d>\d{1,2})\s*(?:일|日|号)?\.?$"
)
# Year last: 04/03/1995, 4.3.1995 — the day and month order is the file's, asked once.
YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})\s*[-./]\s*(?P<b>\d{1,2})\s*[-./]\s*(?P<y>\d{4})$")
EXCEL_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# A Excel serial between these is read as a date (1930 to 2100): a plain number outside is not.
SERIAL_RANGE = (10959, 73051)


def two_digit_year(year: int, *, today: datetime.date | None = None) -> int:
    """
    A two-digit year is in this century when it is not after this year's two digits, in the
    last one otherwise: on 2026, 26 is 2026 and 27 is 1927 (people's dates are in the past).
    """
    current = (today or dates.today()).year
    century = current - current % 100
    return century + year if century + year <= current else century - 100 + year


@dataclass
class DateReading:
    """How a cell was read: the ISO date (or the cell as it was), and whether its order is open."""

    text: str
    ambiguous: bool = False


def read_date(text: str, *, day_first: bool) -> DateReading:
    """
    The ISO form of a date cell, or the cell unchanged when it is no date (the form then says
    so). `ambiguous` says the day and month could be either way round, so `day_first` decided.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return DateReading("")
    if EXCEL_SERIAL.match(text) and SERIAL_RANGE[0] <= float(text) <= SERIAL_RANGE[1]:
        return DateReading((EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))).isoformat())
    if match := YEAR_FIRST.match(text):
        year = int(match["y"])
        year = two_digit_year(year) if len(match["y"]) == 2 else year
        return _iso(text, year, int(match["m"]), int(match["d"]))
    if match := YEAR_LAST.match(text):
        first, second, year = int(match["a"]), int(match["b"]), int(match["y"])
        ambiguous = first <= 12 and second <= 12 and first != second
        if first > 12 or (day_first and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
        reading = _iso(text, year, month, day)
        reading.ambiguous = ambiguous
        return reading
    return DateReading(text)


def _iso(text: str, year: int, month: int, day: int) -> DateReading:
    try:
        return DateReading(datetime.date(year, month, day).isoformat())
    except ValueError:
        return DateReading(text)  # 31/02: the form refuses it as typed, on its column


# Reading a sheet's rows


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
            if key in CHOICE_COLUMNS:
                parts = split(text) if key in MULTIPLE else [text]
                read = []
                for part in parts:
                    code = choice_of(key, part, mappings)
                    # A formula is refused on its row, never offered for a mapping.
                    if code is None and not part.startswith(FORMULA_STARTS):
                        unknown.setdefault((key, fold(part)), part)
                    read.append(code or part)
                value = "; ".join(read)
            elif key in DATE_COLUMNS:
                reading = read_date(text, day_first=day_first)
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
