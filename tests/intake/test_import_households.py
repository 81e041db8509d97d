"""
Households in an imported spreadsheet (issue 19, point 5): the rows sharing a household number
become one case with its members and their ties, checked by the family rules before anything is
written, and each person checked for duplicates on file.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from casework.choices import MemberRole, RelationshipKind
from casework.models import Case, Person, Relationship
from intake.models import DuplicateCandidate, ImportBatch, IntakeSubmission

from ..conftest import sign_in
from ..factories import CaseFactory, CaseMemberFactory, PersonFactory
from .test_import import batch_page, upload
from .test_import_files import person, start_import

pytestmark = pytest.mark.django_db

# As a Korean office keeps them (Excel's CSV on Korean Windows: CP949): a mother, her Chinese
# partner (his name in Hangul, as they write it), marked the child's father, and their child; a
# widow with her daughter and son.
KOREAN_HOUSEHOLDS = (
    "가구,관계,이름,성별,출생 연도,생년월일,국적,지역,동의 방법,동의 날짜,동의 범위\n"
    "1,모,김순희,여,1985,,북한,길림성,구두,2024.3.8,보관\n"
    "1,부,왕건국,남,1978,,중국,,구두,2024.3.8,보관\n"
    "1,자녀,왕소명,남,,2012.4.3,무국적,,,,\n"
    "2,세대주,박정숙,여,1970,,북한,요녕성,서면,2024.3.9,보관; 통계\n"
    "2,딸,최은주,여,,1999.1.5,무국적,,,,\n"
    "2,아들,최철,남,,2003.7.9,무국적,,,,\n"
)
CHINESE_HEADERS = ["户", "关系", "姓名", "性别", "出生年份", "出生日期", "国籍", "省份或地区"]
CHINESE_HEADERS += ["同意方式", "同意日期", "同意范围"]


def chinese_workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(CHINESE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def supervisor(client, sue):
    return sign_in(client, sue)


def ties() -> set:
    """Every tie in force, as (from name, kind, to name)."""
    return {
        (tie.from_person.full_name, tie.kind, tie.to_person.full_name)
        for tie in Relationship.objects.select_related("from_person", "to_person")
    }


def members(case) -> dict:
    return {member.person.full_name: member.role for member in case.members.all()}


def test_households_of_a_korean_csv_become_one_case_each_with_their_ties(supervisor, team_north):
    upload(supervisor, team_north, "가구.csv", KOREAN_HOUSEHOLDS.encode("cp949"))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    assert batch.report["encoding"]["used"] == "cp949"
    assert (batch.total_rows, batch.valid_rows) == (6, 6)
    assert [row["errors"] for row in batch.report["rows"]] == [[]] * 6

    batch = start_import(supervisor, batch)
    assert batch.status == ImportBatch.Status.IMPORTED
    assert (batch.created_count, batch.queued_count) == (6, 0)
    assert Case.objects.count() == 2
    mother, widow = person("김순희"), person("박정숙")
    (family,) = Case.objects.filter(people=mother)
    assert members(family) == {
        "김순희": MemberRole.PRINCIPAL,
        "왕건국": MemberRole.PARTNER,
        "왕소명": MemberRole.CHILD,
    }
    (widows,) = Case.objects.filter(people=widow)
    assert set(members(widows)) == {"박정숙", "최은주", "최철"}
    assert ties() == {
        ("김순희", RelationshipKind.PARTNER_OF, "왕건국"),
        ("김순희", RelationshipKind.PARENT_OF, "왕소명"),
        ("왕건국", RelationshipKind.PARENT_OF, "왕소명"),
        ("박정숙", RelationshipKind.PARENT_OF, "최은주"),
        ("박정숙", RelationshipKind.PARENT_OF, "최철"),
    }
    assert person("왕소명").date_of_birth.isoformat() == "2012-04-03"

    # The same file again creates nothing twice.
    upload(supervisor, team_north, "가구.csv", KOREAN_HOUSEHOLDS.encode("cp949"))
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert all(row.get("already") for row in again.report["rows"] if row["row"] in (2, 5)), (
        again.report["rows"]
    )
    again = start_import(supervisor, again)
    assert (again.created_count, again.skipped_count) == (0, 6)
    assert Person.objects.count() == 6


def test_a_chinese_workbook_with_a_spouse_records_no_tie_the_file_does_not_state(
    supervisor, team_north
):
    """
    户主 with 女儿 and 儿子: the head is their mother. 本人 with 配偶 and 子女: the spouse is her
    husband, and not taken for the child's father, as the wizard never assumes it.
    """
    data = chinese_workbook(
        [
            [
                "A1",
                "户主",
                "李明花",
                "女",
                1975,
                None,
                "朝鲜",
                "吉林",
                "口头",
                "2024-03-08",
                "保存",
            ],
            ["A1", "女儿", "李小花", "女", None, "2001-05-06", "无国籍", None, None, None, None],
            ["A1", "儿子", "李小龙", "男", None, "2004-09-10", "无国籍", None, None, None, None],
            ["B2", "本人", "金英", "女", 1990, None, "朝鲜", "吉林", "书面", "2024-03-08", "保存"],
            ["B2", "配偶", "张伟", "男", 1985, None, "中国", None, None, None, None],
            ["B2", "子女", "张丽", "女", None, "2015-02-03", "无国籍", None, None, None, None],
        ]
    )
    upload(supervisor, team_north, "户.xlsx", data)
    batch = ImportBatch.objects.get()
    assert batch.valid_rows == 6, batch.report["rows"]
    start_import(supervisor, batch)
    assert ties() == {
        ("李明花", RelationshipKind.PARENT_OF, "李小花"),
        ("李明花", RelationshipKind.PARENT_OF, "李小龙"),
        ("金英", RelationshipKind.SPOUSE_OF, "张伟"),
        ("金英", RelationshipKind.PARENT_OF, "张丽"),
    }
    assert Case.objects.count() == 2


def test_a_household_breaking_the_family_rules_is_reported_and_not_half_written(
    supervisor, team_north
):
    """
    A mother born six years before her child: her row and the child's name the dates, the
    father's row says why it waits, and nobody of that household is created; the other is.
    """
    data = KOREAN_HOUSEHOLDS.replace("1,모,김순희,여,1985", "1,모,김순희,여,2006").encode("cp949")
    upload(supervisor, team_north, "가구.csv", data)
    batch = ImportBatch.objects.get()
    rows = {row["row"]: row["errors"] for row in batch.report["rows"]}
    assert [column for column, *_rest in rows[2]] == ["birth_year"]
    assert [column for column, *_rest in rows[4]] == ["date_of_birth"]
    assert "would have been 6" in rows[4][0][1]
    assert rows[3] == [["household", "Not imported with its household: see row 2, 4.", "1"]]
    assert rows[5] == rows[6] == rows[7] == []
    assert batch.valid_rows == 3
    page = batch_page(supervisor, batch).content.decode()
    assert "Not imported with its household" in page

    batch = start_import(supervisor, batch)
    assert batch.created_count == 3
    assert {someone.full_name for someone in Person.objects.all()} == {"박정숙", "최은주", "최철"}


def test_a_household_without_a_head_or_with_two_partners_is_refused_on_the_row(
    supervisor, team_north
):
    data = chinese_workbook(
        [
            ["C3", "子女", "张丽", "女", None, "2015-02-03", "无国籍", None, None, None, None],
            ["C3", "子女", "张明", "男", None, "2016-02-03", "无国籍", None, None, None, None],
            ["D4", "户主", "金英", "女", 1990, None, "朝鲜", "吉林", "书面", "2024-03-08", "保存"],
            ["D4", "配偶", "张伟", "男", 1985, None, "中国", None, None, None, None],
            ["D4", "母亲", "朴顺", "女", 1960, None, "朝鲜", None, None, None, None],
            ["D4", None, "张丽", "女", None, "2015-02-03", "无国籍", None, None, None, None],
            ["E5", "户主", "金英", "女", 1990, None, "朝鲜", "吉林", "书面", "2024-03-08", "保存"],
            ["E5", "侄子", "金明", "男", None, "2015-02-03", "无国籍", None, None, None, None],
        ]
    )
    upload(supervisor, team_north, "户.xlsx", data)
    batch = ImportBatch.objects.get()
    rows = {row["row"]: row["errors"] for row in batch.report["rows"]}
    assert rows[2][0][0] == "relation"
    assert [column for column, *_rest in rows[7]] == ["relation"]
    # A nephew is no relation the import records: asked once for the file, refused until then.
    assert [column for column, *_rest in rows[9]] == ["relation"]
    assert ["relation", "侄子", "侄子"] in batch.report["unknown"]
    assert batch.valid_rows == 0


def test_each_person_of_a_household_is_checked_for_duplicates(supervisor, team_north, sue):
    """The child is already on file in the team: the household waits in the queue, whole."""
    on_file = PersonFactory(full_name="왕소명", birth_year=2012, date_of_birth=None)
    CaseMemberFactory(case=CaseFactory(team=team_north), person=on_file)
    upload(supervisor, team_north, "가구.csv", KOREAN_HOUSEHOLDS.encode("cp949"))
    batch = ImportBatch.objects.get()
    head = next(row for row in batch.report["rows"] if row["row"] == 2)
    assert head["duplicates"] and head["duplicates"][0][0] == on_file.reference
    batch = start_import(supervisor, batch)
    assert (batch.created_count, batch.queued_count) == (3, 1)
    (submission,) = IntakeSubmission.objects.all()
    assert DuplicateCandidate.objects.get(submission=submission).subject == "child-1"
    assert submission.answers["family"]["partner_name"] == ["왕건국"]


def test_the_template_carries_an_example_household_the_import_skips(supervisor, team_north):
    template = supervisor.get(reverse("intake:import_template")).content
    lines = template.decode("utf-8-sig").splitlines()
    assert "household" in lines[0] and "relation" in lines[0]
    assert len(lines) == 4 and all(
        line.startswith("example,") or "example" in line for line in lines[1:]
    )
    upload(supervisor, team_north, "template.csv", template)
    batch = ImportBatch.objects.get()
    assert batch.report["skipped"] == [[2, "example"], [3, "example"], [4, "example"]]
    assert batch.total_rows == 0
