"""
Spreadsheet import at scale: a 10,000-row CSV checked (dry run with duplicate detection) and then
imported, against the seeded caseload. One row in ten names someone already on file (same name,
close birth year), so it goes to the supervisor's queue instead of creating a person.

Everything happens in a transaction that is rolled back: the seeded database is left as it was.
"""

import csv
import io
import random
import time

from .common import SUPERVISOR, heading, line, user

ROWS = 10_000
SURNAMES = "김리박최정강조윤장림한오서신권황안송류전홍고문량손백허남심로차주지엄"
SYLLABLES = "순영희옥금미화숙정은혜련향명선춘경단복애월설실철성남혁광일룡호진국수학천만석"


def spreadsheet(rows: int, seed: int = 10) -> bytes:
    from casework.models import Person
    from intake.import_columns import KEYS

    rng = random.Random(seed)  # noqa: S311 - invented test data
    on_file = list(
        Person.objects.order_by("reference").only("pk", "full_name", "birth_year")[: rows // 10]
    )
    records = []
    for i in range(rows):
        if i % 10 == 3 and on_file:
            known = on_file[i // 10 % len(on_file)]
            name, year = known.full_name, known.birth_year or 1980
        else:
            # Four syllables and a number: new people, as far as the caseload is concerned.
            name = rng.choice(SURNAMES) + "".join(rng.sample(SYLLABLES, 3)) + str(i)
            year = rng.randint(1960, 2005)
        records.append(
            {
                "full_name": name,
                "aliases": f"Alias {i}" if i % 3 == 0 else "",
                "sex": rng.choice(["female", "male"]),
                "birth_year": str(year),
                "nationality": "dprk",
                "place_of_origin": "함경북도 회령시",
                "contact": f"+86 139 {i:04d} {rng.randint(0, 9999):04d}" if i % 2 else "",
                "current_location": "吉林省延吉市",
                "region": "cn-jilin",
                "legal_status": rng.choice(["undocumented_cn", "in_transit", ""]),
                "status_since": "2024-03-01",
                "status_country": "CN",
                "benefits_refused": "medical_care" if i % 4 == 0 else "",
                "consent_method": "verbal",
                "consent_given_on": "2024-01-15",
                "consent_scopes": "store_data; statistics",
                "risk_level": rng.choice(["", "medium", "high"]),
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KEYS)
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8-sig")


class QueryCounter:
    """Counts queries without keeping them (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class _Rollback(Exception):
    pass


def run(rows: int = ROWS) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from intake.importing.batches import import_upload
    from intake.importing.dry_run import import_check
    from intake.importing.writing import import_run

    heading(f"Import: a {rows:,}-row spreadsheet with duplicate detection (rolled back)")
    supervisor = user(SUPERVISOR)
    team = supervisor.team_memberships.get(role="supervisor").team
    data = spreadsheet(rows)
    figures = {}
    try:
        with (
            override_settings(SHIMTEO_IMPORT_MAX_ROWS=rows, SHIMTEO_IMPORT_MAX_BYTES=len(data) + 1),
            transaction.atomic(),
        ):
            batch = import_upload(
                team=team,
                uploaded_file=SimpleUploadedFile("bench.csv", data, content_type="text/csv"),
                actor=supervisor,
            )
            with connection.execute_wrapper(counter := QueryCounter()):
                started, cpu = time.perf_counter(), time.process_time()
                batch = import_check(batch=batch)
                figures["check_s"] = time.perf_counter() - started
                figures["check_cpu_s"] = time.process_time() - cpu
            figures["check_queries"] = counter.count
            with connection.execute_wrapper(counter := QueryCounter()):
                started, cpu = time.perf_counter(), time.process_time()
                batch = import_run(batch=batch, actor=supervisor)
                figures["run_s"] = time.perf_counter() - started
                figures["run_cpu_s"] = time.process_time() - cpu
            figures["run_queries"] = counter.count
            figures["created"], figures["queued"] = batch.created_count, batch.queued_count
            raise _Rollback
    except _Rollback:
        pass
    line(
        f"check (dry run)  {figures['check_s']:7.1f} s  {rows / figures['check_s']:7.0f} rows/s  "
        f"{figures['check_queries'] / rows:5.1f} queries/row  "
        f"{rows / figures['check_cpu_s']:7.0f} rows per CPU-second"
    )
    line(
        f"import           {figures['run_s']:7.1f} s  {rows / figures['run_s']:7.0f} rows/s  "
        f"{figures['run_queries'] / rows:5.1f} queries/row  "
        f"{rows / figures['run_cpu_s']:7.0f} rows per CPU-second  "
        f"({figures['created']} created, {figures['queued']} queued as possible duplicates)"
    )
    figures["check_rows_per_s"] = rows / figures["check_s"]
    figures["run_rows_per_s"] = rows / figures["run_s"]
    return figures
