"""
`manage.py seed_demo`: demo staff, teams and an invented caseload for development and demos.

Safe to run on every start (`make run`): staff are topped up, and an existing caseload is left
alone unless `--reset` is given. Refuses to run in production, where a published password and
invented people have no place.
"""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from demo.builder import DEFAULT_BATCH_SIZE, DEFAULT_PEOPLE, DEFAULT_SEED, CaseloadBuilder
from demo.caseload import (
    caseload_exists,
    reset_caseload,
    restore_search_indexes,
    search_indexes_built_after,
)
from demo.staff import DEMO_PASSWORD, STAFF, ensure_staff
from referrals.demo import seed_referrals


class Command(BaseCommand):
    help = (
        "Create demo users and teams and a realistic, invented caseload of about --people "
        "people, the same for the same --seed. Never for real data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed: the same seed gives the same names, counts and structure "
            f"(default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"Approximate number of people to create (default {DEFAULT_PEOPLE}).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every existing case and person first. Users and teams are kept.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="People per transaction and rows per INSERT (default %(default)s).",
        )

    def handle(self, *args, seed, people, reset, batch_size, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with a published password and invented people; "
                "it refuses to run with SHIMTEO_ENV=production."
            )
        if people < 1 or batch_size < 1:
            raise CommandError("--people and --batch-size must be at least 1.")
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        if reset:
            deleted = reset_caseload()
            self.stdout.write(
                f"Deleted the existing caseload ({deleted.total()} rows) "
                f"in {time.monotonic() - started:.1f} s."
            )
        staff = ensure_staff()
        self.stdout.write(
            f"Staff: {staff.created_teams} team(s) and {staff.created_users} user(s) created, "
            "the rest already there."
        )
        if not reset and caseload_exists():
            self.stdout.write(
                self.style.WARNING(
                    "Casework data already exists: left as it is (run with --reset to replace "
                    "it with a fresh demo caseload)."
                )
            )
        else:
            started = time.monotonic()
            builder = CaseloadBuilder(
                rng=random.Random(seed), staff=staff, today=timezone.localdate()
            )
            # A seed stopped hard (killed) before it built them again leaves the digest
            # indexes missing: built first, as the models declare them.
            for name in restore_search_indexes():
                self.stdout.write(self.style.WARNING(f"Built the missing index {name}."))
            with search_indexes_built_after(people):
                counts = builder.build(
                    people=people, batch_size=batch_size, progress=self._progress
                )
            counts.update(seed_referrals(rng=random.Random(seed), staff=staff, today=builder.today))
            if connection.vendor == "postgresql":
                # Fresh statistics: without them the first queries on a freshly loaded caseload
                # are planned for empty tables, until autovacuum gets round to them. VACUUM too
                # (outside a transaction, where it can run): it marks the new pages all-visible,
                # as autovacuum would on a deployment, so index-only scans read the index alone;
                # without it the benchmarks' counts over an index also read every table page
                # (the name keys' capped count: ~50 buffers after, 3,400-6,900 before).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
            self._summary(counts, builder.households, seed, time.monotonic() - started)
        self._logins()

    def _progress(self, made: int):
        if self.verbosity >= 2:
            self.stdout.write(f"  {made} people written")

    def _summary(self, counts, households: int, seed: int, elapsed: float):
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a demo caseload of {households} households (seed {seed}) "
                f"in {elapsed:.1f} s:"
            )
        )
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>8}")

    def _logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins, all with the password {DEMO_PASSWORD!r}:")
        width = max(len(user.username) for user in STAFF)
        self.stdout.write(f"  {'username':<{width}}  role")
        for user in STAFF:
            self.stdout.write(f"  {user.username:<{width}}  {user.role_label}")
        self.stdout.write(
            "The second sign-in step asks for a code: print the current one with\n"
            "  .venv/bin/python manage.py demo_code yanbian.caseworker1\n"
            "(add -v 2 for the secret, to put the account in an authenticator app)."
        )
