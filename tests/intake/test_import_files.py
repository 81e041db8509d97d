"""
Importing the spreadsheets NGOs actually keep (issue 19, points 1-4): a CSV saved by Excel on
Korean or Chinese Windows, labels typed in Korean or Chinese, dates as people write them, a
title line above the header, a totals line below the data, a workbook with a notes sheet first.
Each file is built here, small, the way such an office would have saved it.
"""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from casework.models import Person
from intake.import_reading import read_rows
from intake.import_values import interpret, read_date, two_digit_year
from intake.models import ImportBatch

from ..conftest import sign_in
from .test_import import batch_page, upload

pytestmark = pytest.mark.django_db

KOREAN_OFFICE = (
    "연길 사무소 2024년 3월 명단,,,,,,,,\n"
    "이름,성별,생년월일,국적,지역,동의 방법,동의 날짜,동의 범위,위험도\n"
    "김순희,여,1979.7.3,북한,길림성,구두,2011년 3월 8일,보관; 통계,높음\n"
    "박정숙,여,88-12-1,조선,吉林,서면,2012년 1월 9일,store_data,보통\n"
    "리철민,남,1960/2/15,북한,요녕성,통역,2013.5.20,보관,낮음\n"
    "합계: 3명,,,,,,,,\n"
)
CHINESE_OFFICE = (
    "姓名,性别,出生日期,国籍,省份或地区,同意方式,同意日期,同意范围,风险等级\n"
    "李明花,女,04/03/1995,朝鲜,吉林省,口头,2011年3月8日,保存,高\n"
    "崔英男,男,1982年10月2日,无国籍,辽宁,书面,2015年6月1日,保存\uff1b统计,中\n"  # a full-width ;
)


@pytest.fixture
def supervisor(client, sue):
    return sign_in(client, sue)


def read_again(client, batch, **answers):
    return client.post(
        reverse("intake:import_reading", kwargs={"batch_ref": batch.reference}), answers
    )


def start_import(client, batch):
    client.post(reverse("intake:import_start", kwargs={"batch_ref": batch.reference}))
    batch.refresh_from_db()
    return batch


def person(full_name: str) -> Person:
    """The one person of that name (names are encrypted: compared here, not in SQL)."""
    (found,) = [someone for someone in Person.objects.all() if someone.full_name == full_name]
    return found


def preview_of(batch) -> dict:
    """Row number -> {column: (as typed, as read)} of the preview the page shows."""
    return {
        row["row"]: {key: (typed, read) for key, typed, read in row["cells"]}
        for row in batch.report["preview"]
    }


def test_a_korean_office_csv_in_cp949_is_read_and_imported(supervisor, team_north):
    """
    The Yanji office's list as Excel on Korean Windows saves it: CP949, a title line, Korean
    labels, dates as 1979.7.3, 88-12-1 and 2011년 3월 8일, a totals line. It is read as meant,
    shown as read, and imported without anyone retyping it.
    """
    upload(supervisor, team_north, "연길 명단.csv", KOREAN_OFFICE.encode("cp949"))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    report = batch.report
    assert report["encoding"]["used"] == "cp949" and report["encoding"]["certain"]
    assert report["header_row"] == 2
    assert report["skipped"] == [[1, "title"], [6, "total"]]
    assert report["questions"] == [] and report["unknown"] == []
    assert (batch.total_rows, batch.valid_rows) == (3, 3)

    preview = preview_of(batch)
    assert preview[3]["consent_given_on"] == ("2011년 3월 8일", "2011-03-08")
    assert preview[3]["sex"] == ("여", "female")
    assert preview[3]["region"] == ("길림성", "cn-jilin")
    assert preview[4]["date_of_birth"] == ("88-12-1", "1988-12-01")
    assert preview[4]["region"] == ("吉林", "cn-jilin")
    page = batch_page(supervisor, batch).content.decode()
    assert "Korean (CP949 / EUC-KR)" in page
    assert "Row 1, above the column names, was skipped (a title)." in page
    assert "Row 6 was skipped: it is a totals line." in page
    assert "2011년 3월 8일" in page and "2011-03-08" in page
    assert "<strong>Female</strong>" in page  # a choice is shown by its label, not its code

    assert start_import(supervisor, batch).created_count == 3
    kim = person("김순희")
    assert (kim.sex, kim.nationality, kim.date_of_birth) == (
        "female",
        "dprk",
        datetime.date(1979, 7, 3),
    )
    consent = kim.consents.get()
    assert consent.method == "verbal" and consent.given_on == datetime.date(2011, 3, 8)
    assert consent.store_data and consent.statistics
    ri = person("리철민")
    assert ri.date_of_birth == datetime.date(1960, 2, 15)
    assert ri.consents.get().method == "interpreter"


def test_a_chinese_csv_asks_the_day_month_order_once_then_imports(supervisor, team_north):
    """
    A GB18030 file with Chinese labels and one 04/03/1995: read day first by default (Chinese
    staff mean 4 March), but asked once, for the whole file, before anything is imported.
    """
    upload(supervisor, team_north, "名单.csv", CHINESE_OFFICE.encode("gb18030"))
    batch = ImportBatch.objects.get()
    assert batch.report["encoding"]["used"] == "gb18030"
    assert batch.report["questions"] == ["day_order"]
    assert preview_of(batch)[2]["date_of_birth"] == ("04/03/1995", "1995-03-04")
    assert preview_of(batch)[3]["nationality"] == ("无国籍", "stateless")
    page = batch_page(supervisor, batch).content.decode()
    assert "In this file, a date such as 04/03/1995 is" in page
    assert "Import 2 rows" not in page  # nothing to import before the answer

    # The import waits for the answer, whatever is posted.
    assert start_import(supervisor, batch).status == ImportBatch.Status.CHECKED
    assert Person.objects.count() == 0

    assert read_again(supervisor, batch, day_order="month").status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.report["questions"] == []
    assert preview_of(batch)[2]["date_of_birth"] == ("04/03/1995", "1995-04-03")
    assert ["04/03/1995", "1995-04-03"] in batch.report["dates_read"]
    assert "04/03/1995" in batch_page(supervisor, batch).content.decode()
    assert start_import(supervisor, batch).created_count == 2
    li = person("李明花")
    assert (li.sex, li.date_of_birth, li.nationality) == (
        "female",
        datetime.date(1995, 4, 3),
        "dprk",
    )
    assert person("崔英男").date_of_birth == datetime.date(1982, 10, 2)


def test_an_encoding_the_file_cannot_tell_is_asked_not_guessed(supervisor, team_north):
    """
    English headers over Korean names in CP949: the bytes read as Chinese too, and nothing in the
    header tells which. The supervisor is shown the names as read and asked; the import waits.
    """
    data = (
        "full_name,consent_method,consent_given_on,consent_scopes\n"
        "김순희,verbal,2020-01-15,store_data\n"
        "박정숙,written,2020-02-03,store_data\n"
    ).encode("cp949")
    upload(supervisor, team_north, "list.csv", data)
    batch = ImportBatch.objects.get()
    assert batch.report["questions"] == ["encoding"]
    assert set(batch.report["encoding"]["candidates"]) == {"cp949", "gb18030"}
    page = batch_page(supervisor, batch).content.decode()
    assert "the file reads in more than one encoding" in page
    assert start_import(supervisor, batch).status == ImportBatch.Status.CHECKED

    read_again(supervisor, batch, encoding="gb18030")  # the wrong one, on purpose
    batch.refresh_from_db()
    assert preview_of(batch)[2]["full_name"][1] != "김순희"
    read_again(supervisor, batch, encoding="cp949")
    batch.refresh_from_db()
    assert batch.report["questions"] == []
    assert preview_of(batch)[2]["full_name"] == ("김순희", "김순희")
    assert start_import(supervisor, batch).created_count == 2
    assert person("김순희")

    # An encoding the file does not read in is refused, not stored.
    upload(supervisor, team_north, "again.csv", data)
    other = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert read_again(supervisor, other, encoding="latin-1").status_code == 400


def test_values_no_catalogue_knows_are_mapped_once_for_the_file(supervisor, team_north):
    """
    "탈북민" (a defector) is no nationality of the list: the rows with it are refused until the
    supervisor says once what it means; the choice is kept with the batch.
    """
    data = (
        "이름,국적,동의 방법,동의 날짜,동의 범위\n"
        "김순희,탈북민,구두,2020-01-15,보관\n"
        "박정숙,탈북민,구두,2020-01-16,보관\n"
        "리영희,북한,구두,2020-01-17,보관\n"
    ).encode()
    upload(supervisor, team_north, "list.csv", data)
    batch = ImportBatch.objects.get()
    assert batch.report["unknown"] == [["nationality", "탈북민", "탈북민"]]
    assert batch.valid_rows == 1
    page = batch_page(supervisor, batch).content.decode()
    assert "nationality: “탈북민”" in page

    read_again(supervisor, batch, **{"map-0": "dprk"})
    batch.refresh_from_db()
    assert batch.options["mappings"] == {"nationality": {"탈북민": "dprk"}}
    assert batch.valid_rows == 3 and batch.report["unknown"] == []
    assert start_import(supervisor, batch).created_count == 3
    assert set(Person.objects.values_list("nationality", flat=True)) == {"dprk"}
    # A value of another catalogue is refused.
    upload(supervisor, team_north, "again.csv", data.replace(b"2020-01", b"2021-01"))
    other = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert read_again(supervisor, other, **{"map-0": "cn-jilin"}).status_code == 400


def xlsx_with_notes_title_and_totals() -> bytes:
    """
    A workbook as an office keeps it: a notes sheet first, then the list under a merged title,
    with real date cells and a date typed as a number (Excel's serial), and a totals line.
    """
    workbook = Workbook()
    notes = workbook.active
    notes.title = "메모"
    notes.append(["이 파일은 2024년 3월 기준입니다."])
    notes.append(["담당: 사무국"])
    sheet = workbook.create_sheet("명단")
    sheet.append(["심양 사무소 명단"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["이름", "성별", "생년월일", "동의 방법", "동의 날짜", "동의 범위"])
    sheet.append(["김옥순", "여", datetime.datetime(1985, 4, 12), "구두", 43831, "보관"])
    sheet.append(["정미란", "여", "1992.11.30", "서면", datetime.date(2021, 6, 1), "보관"])
    sheet.append(["합계", 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_a_notes_sheet_a_title_and_totals_is_read(supervisor, team_north):
    upload(supervisor, team_north, "명단.xlsx", xlsx_with_notes_title_and_totals())
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    report = batch.report
    assert (report["sheets"], report["sheet"]) == (["메모", "명단"], "명단")
    assert report["header_row"] == 3
    assert report["skipped"] == [[1, "title"], [6, "total"]]
    preview = preview_of(batch)
    assert preview[4]["date_of_birth"] == ("1985-04-12", "1985-04-12")
    assert preview[4]["consent_given_on"] == ("43831", "2020-01-01")
    page = batch_page(supervisor, batch).content.decode()
    assert "Sheet of the workbook" in page and "메모" in page
    assert start_import(supervisor, batch).created_count == 2
    assert person("정미란").date_of_birth == datetime.date(1992, 11, 30)


@pytest.mark.parametrize(
    ("text", "encoding", "found"),
    [
        (KOREAN_OFFICE, "utf-8", "utf-8"),
        (KOREAN_OFFICE, "utf-8-sig", "utf-8"),  # "CSV UTF-8" of Excel: with a BOM
        (KOREAN_OFFICE, "utf-16", "utf-16"),  # "Unicode text" of Excel
        (KOREAN_OFFICE, "cp949", "cp949"),
        (KOREAN_OFFICE, "euc-kr", "cp949"),
        (CHINESE_OFFICE, "gb18030", "gb18030"),
        (CHINESE_OFFICE, "gbk", "gb18030"),
        ("姓名,同意方式,同意日期,consent_scopes\n李明花,口頭,2011年3月8日,保存\n", "big5", "big5"),
    ],
)
def test_each_encoding_excel_saves_is_detected(text, encoding, found):
    sheet = read_rows(text.encode(encoding), "csv")
    reading = interpret(sheet, {})
    assert reading["encoding"]["used"] == found and reading["encoding"]["certain"]
    assert sheet.rows[0].values["full_name"] in ("김순희", "李明花")


@pytest.mark.parametrize(
    ("typed", "day_first", "read", "ambiguous"),
    [
        ("2011-03-08", True, "2011-03-08", False),
        ("1990.7.3", True, "1990-07-03", False),
        ("1988/12/1", False, "1988-12-01", False),
        ("2011년 3월 8일", True, "2011-03-08", False),
        ("2011年3月8日", False, "2011-03-08", False),
        ("２０１１年３月８日", True, "2011-03-08", False),  # full-width digits (NFKC)
        ("04/03/1995", True, "1995-03-04", True),
        ("04/03/1995", False, "1995-04-03", True),
        ("25/03/1995", False, "1995-03-25", False),  # 25 is no month: never ambiguous
        ("05/05/1995", False, "1995-05-05", False),
        ("31/02/1990", True, "31/02/1990", False),  # no such day: left for the form to refuse
        ("43831", True, "2020-01-01", False),  # an Excel serial
        ("1984", True, "1984", False),  # a year is no serial
    ],
)
def test_dates_in_the_forms_people_write_them(typed, day_first, read, ambiguous):
    reading = read_date(typed, day_first=day_first)
    assert (reading.text, reading.ambiguous) == (read, ambiguous)


def test_two_digit_years_pivot_on_this_year():
    today = datetime.date(2026, 5, 1)
    assert two_digit_year(26, today=today) == 2026
    assert two_digit_year(27, today=today) == 1927
    assert two_digit_year(88, today=today) == 1988
    assert two_digit_year(5, today=today) == 2005


def test_a_header_over_two_rows_of_merged_cells_is_read(supervisor, team_north):
    """
    Group titles merged across their sub-headers (동의 over 방법, 날짜, 범위) and names merged
    down over both rows (이름, 성별): each column is read under its group's name.
    """
    book = Workbook()
    sheet = book.active
    sheet.append(["이름", "성별", "동의", None, None])
    sheet.append([None, None, "방법", "날짜", "범위"])
    sheet.append(["김순희", "여", "구두", "2024-03-08", "보관"])
    for cells in ("A1:A2", "B1:B2", "C1:E1"):
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    upload(supervisor, team_north, "명단.xlsx", buffer.getvalue())
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    assert batch.report["header_row"] == 2
    assert batch.report["skipped"] == [[1, "group"]]
    assert batch.valid_rows == 1
    page = batch_page(supervisor, batch).content.decode()
    assert "holds titles over groups of columns" in page


def test_a_chinese_csv_header_over_two_rows_is_read():
    data = "姓名,同意,,\n,方式,日期,范围\n李明花,口头,2011年3月8日,保存\n".encode("gb18030")
    sheet = read_rows(data, "csv")
    assert sheet.header_row == 2
    assert sheet.rows[0].values == {
        "full_name": "李明花",
        "consent_method": "口头",
        "consent_given_on": "2011年3月8日",
        "consent_scopes": "保存",
    }
