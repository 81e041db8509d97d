"""
Shimteo's benchmarks, in one command, against a database seeded with 100,000 people:

    createdb -h 127.0.0.1 -U postgres shimteo_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/shimteo_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --people 100000 --reset
    .venv/bin/python -m benchmarks            # everything (about 10 minutes on 2 cores)
    .venv/bin/python -m benchmarks --only pages search

Prints figures; asserts nothing. Not part of the test suite or of CI.
"""

import argparse
import datetime
import os
import platform
import subprocess
import time

from . import common

SECTIONS = (
    "pages",
    "workload",
    "checkins",
    "gunicorn",
    "search",
    "encryption",
    "pdf",
    "import",
    "api",
    "reports",
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def caseload() -> str:
    from django.db import connection

    from casework.models import Case, Person

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    return f"{Person.objects.count():,} people, {Case.objects.count():,} cases; {version}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[1]
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--skip", nargs="+", choices=SECTIONS, default=[], help="skip these")
    parser.add_argument(
        "--import-rows",
        type=int,
        nargs="+",
        default=[10_000],
        help="rows of the import spreadsheet (several sizes: one run each)",
    )
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per URL")
    options = parser.parse_args(argv)
    common.setup_django()
    sections = [s for s in (options.only or SECTIONS) if s not in options.skip]

    started = time.monotonic()
    print(f"Shimteo benchmarks, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}")
    print(f"Database: {caseload()}")
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print(f"Code: {revision or 'unknown'} (plus uncommitted changes, if any)")
    except OSError:
        pass

    # Imported here, after django.setup().
    from . import api, checkins, encryption, importing, pages, pdf, reports, search, workload

    for section in sections:
        if section == "pages":
            pages.in_process()
        elif section == "workload":
            workload.in_process()
        elif section == "checkins":
            checkins.run()
        elif section == "gunicorn":
            pages.through_gunicorn(seconds=options.seconds)
        elif section == "search":
            search.run()
        elif section == "encryption":
            encryption.run()
        elif section == "pdf":
            pdf.render_times()
            pdf.throughput()
        elif section == "import":
            for rows in options.import_rows:
                importing.run(rows)
        elif section == "api":
            api.run(seconds=options.seconds)
        elif section == "reports":
            reports.run()
    print(f"\nDone in {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
