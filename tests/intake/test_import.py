import csv
import io
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from casework.models import Case, Person
from intake.import_columns import KEYS
from intake.models import ImportBatch, IntakeSubmission

from ..conftest import sign_in
from ..factories import CaseFactory, CaseMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db
# Two rounds of the fault pattern below (every tenth row, four kinds in turn): every fault twice,
# among enough good rows. How fast a big file goes is benchmarks/importing.py's question
# (10,000 rows, on demand), not the suite's.
ROWS = 100
SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]
GIVEN = ["순희", "영희", "미란", "정숙", "은주", "혜진", "선영", "경희", "명화", "옥순"]


def messy_rows(n=ROWS, seed=7):
    """
    A field spreadsheet as it comes: mostly good rows, and on purpose every tenth row has a
    mistake — a bad date, no name, a formula, an unknown code, no consent to keep data — and
    row 2 is someone already on file, typed in NFD.
    """
    rng = random.Random(seed)
    rows, faults = [], {}
    for i in range(n):
        name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{i}"
        row = {
            "full_name": name,
            "aliases": f"Alias {i}; 別名{i}",
            "sex": rng.choice(["female", "Female", "male", ""]),
            "date_of_birth": "",
            "birth_year": str(rng.randint(1960, 2005)),
            "nationality": rng.choice(["dprk", "DPRK", "prc", ""]),
            "place_of_origin": "Hoeryong",
            "contact": rng.choice(["", f"+86 139 {i:04d} 0000"]),
            "current_location": " Yanji ",
            "region": "cn-jilin",
            "legal_status": "",
            "status_since": "",
            "status_country": "",
            "benefits_refused": "",
            "consent_method": rng.choice(["verbal", "written", "Interpreter"]),
            "consent_given_on": "2024-01-15",
            "consent_scopes": "store_data; statistics",
            "consent_witness": "",
            "risk_level": rng.choice(["", "medium", "high"]),
            "needs": "",
        }
        fault = i % 10 == 9 and (i // 10) % 5
        if fault == 1:
            row["date_of_birth"] = "31/02/1990"
        elif fault == 2:
            row["full_name"] = ""
        elif fault == 3:
            row["needs"] = '=HYPERLINK("http://evil.example")'
        elif fault == 4:
            row["consent_scopes"] = "statistics"
        if fault:
            faults[i + 2] = fault
        rows.append(row)
    rows[0].update(full_name=unicodedata.normalize("NFD", "김순희"), birth_year="1984", aliases="")
    return rows, faults


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KEYS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(rows, korean_headers=True) -> bytes:
    from intake.import_columns import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.korean if korean_headers else c.key for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(key, "") for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def supervisor(client, sue):
    return sign_in(client, sue)


def upload(client, team, name, data):
    return client.post(
        reverse("intake:imports"),
        {"team": team.pk, "file": SimpleUploadedFile(name, data)},
    )


def batch_page(client, batch):
    return client.get(reverse("intake:import_detail", kwargs={"batch_ref": batch.reference}))


def _import_once_then_again(supervisor, team_north, file_format, n):
    """The dry run names each faulty row and column; import creates the rest; again, nothing."""
    on_file = PersonFactory(full_name="김순희", birth_year=1984, date_of_birth=None)
    # In a case of sue's team: she may see who the row matches.
    CaseMemberFactory(case=CaseFactory(team=team_north), person=on_file)
    rows, faults = messy_rows(n)
    data = as_csv(rows) if file_format == "csv" else as_xlsx(rows)
    response = upload(supervisor, team_north, f"caseload.{file_format}", data)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED, batch.failure
    assert batch.total_rows == n and batch.valid_rows == n - len(faults)
    assert b"caseload" not in batch.file.storage.read_raw(batch.file.name)  # encrypted at rest

    report = {row["row"]: row for row in batch.report["rows"]}
    columns = {1: "date_of_birth", 2: "full_name", 3: "needs", 4: "consent_scopes"}
    for number, fault in faults.items():
        assert [c for c, *_rest in report[number]["errors"]] == [columns[fault]], number
    assert report[2]["duplicates"][0][0] == on_file.reference
    page = batch_page(supervisor, batch).content.decode()
    assert "Formulas are not accepted" in page and on_file.reference in page
    assert Person.objects.count() == 1  # the dry run created nobody

    supervisor.post(reverse("intake:import_start", kwargs={"batch_ref": batch.reference}))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert (batch.created_count, batch.queued_count) == (n - len(faults) - 1, 1)
    assert Person.objects.count() == 1 + batch.created_count
    assert Case.objects.filter(team=team_north).count() == batch.created_count + 1
    assert IntakeSubmission.objects.get(status="submitted").duplicates.get().person == on_file
    assert not batch.file  # deleted after import
    people, cases = Person.objects.count(), Case.objects.count()

    upload(supervisor, team_north, f"again.{file_format}", data)
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert sum(1 for row in again.report["rows"] if row.get("already")) == batch.valid_rows
    supervisor.post(reverse("intake:import_start", kwargs={"batch_ref": again.reference}))
    again.refresh_from_db()
    assert (again.created_count, again.queued_count, again.skipped_count) == (
        0,
        0,
        batch.valid_rows,
    )
    assert (Person.objects.count(), Case.objects.count()) == (people, cases)


def test_a_messy_csv_is_reported_row_by_row_then_imported_once(supervisor, team_north):
    """A messy CSV: a per-row report, one import, and a second import that creates nothing."""
    _import_once_then_again(supervisor, team_north, "csv", ROWS)


def test_a_messy_xlsx_is_reported_like_the_csv_then_imported_once(supervisor, team_north):
    """
    The same rows as XLSX (with Korean headers) give the same per-row report as the CSV;
    import and re-import then run on its first 50 rows (the import path is the CSV's).
    """
    rows, _faults = messy_rows()
    upload(supervisor, team_north, "caseload.csv", as_csv(rows))
    upload(supervisor, team_north, "caseload.xlsx", as_xlsx(rows))
    from_csv, from_xlsx = (batch.report for batch in ImportBatch.objects.order_by("created_at"))
    assert len(from_xlsx["rows"]) == ROWS
    for key in ("rows", "preview", "unknown", "skipped", "questions"):
        assert from_xlsx[key] == from_csv[key], key
    ImportBatch.objects.all().delete()
    _import_once_then_again(supervisor, team_north, "xlsx", 50)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "latin1.csv",
            "full_name,consent_method\nJosé,verbal\n".encode("latin-1"),
            "in any of the encodings offered",
        ),
        ("missing.csv", b"full_name,sex\nKim,female\n", "Required columns are missing"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "could not be read as an Excel"),
        ("empty.csv", b"\n\n", "empty"),
        ("nul.csv", b"full_name\x00,x\n", "NUL"),
    ],
)
def test_a_malformed_file_gets_a_clear_message(supervisor, team_north, name, data, message):
    response = upload(supervisor, team_north, name, data)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.failure
    assert message in batch_page(supervisor, batch).content.decode()
    assert not batch.file


def test_too_many_rows_or_bytes_are_refused(supervisor, team_north, settings):
    settings.SHIMTEO_IMPORT_MAX_ROWS = 5
    rows, _faults = messy_rows(n=6)
    upload(supervisor, team_north, "big.csv", as_csv(rows))
    assert "more than 5 rows" in ImportBatch.objects.get().failure
    settings.SHIMTEO_IMPORT_MAX_BYTES = 100
    response = upload(supervisor, team_north, "bigger.csv", as_csv(rows))
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()


def test_the_import_limits_are_read_from_the_environment():
    """
    The README's `SHIMTEO_IMPORT_MAX_BYTES` / `SHIMTEO_IMPORT_MAX_ROWS` set the limits the import
    applies: they were documented and never read, so an office raising them saw nothing change.
    """
    script = (
        "import django; django.setup(); "
        "from intake.import_reading import max_rows; "
        "from intake.importing.batches import max_bytes; "
        "print(max_rows(), max_bytes())"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHIMTEO_IMPORT_MAX_ROWS": "40000",
        "SHIMTEO_IMPORT_MAX_BYTES": "12582912",
    }
    shown = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown[-2:] == ["40000", "12582912"]


def test_the_template_is_downloadable_and_documented_in_both_languages(supervisor):
    template = supervisor.get(reverse("intake:import_template"))
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(KEYS)
    page = supervisor.get(reverse("intake:imports")).content.decode()
    assert "생년월일" in page and "Date of birth" in page


def test_caseworkers_and_other_teams_cannot_import_or_see_imports(
    client, alice, charlie, sue, team_north
):
    """Caseworkers get 403 on the import pages; another team's people get 404 on a batch."""
    rows, _faults = messy_rows(n=3)
    upload(sign_in(Client(), sue), team_north, "a.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    for user in (alice, charlie):
        other = sign_in(Client(), user)
        assert other.get(reverse("intake:imports")).status_code == 403
        assert upload(other, team_north, "b.csv", as_csv(rows)).status_code == 403
        assert batch_page(other, batch).status_code == 404
        url = reverse("intake:import_start", kwargs={"batch_ref": batch.reference})
        assert other.post(url).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
