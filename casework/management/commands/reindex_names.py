"""`manage.py reindex_names`: recompute every person's name keys (casework.names)."""

from django.core.management.base import BaseCommand, CommandError

from casework.services.names import DEFAULT_BATCH_SIZE, name_keys_reindex


class Command(BaseCommand):
    help = (
        "Recompute the name keys that forgiving name search matches (family name, romanised "
        "name, pinyin...) from every person's name and aliases: after rows were loaded without "
        "them (seed_demo, a restore from before they existed), when the kinds of key change, "
        "or with reindex_blind_indexes after an index-key change. Batched, safe while the "
        "application runs, and rewrites only the people whose keys differ, so it can be re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="People read, locked and rewritten per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the people whose keys differ."
        )

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = name_keys_reindex(batch_size=batch_size, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{report.stale} of {report.people} people have stale name keys.")
        else:
            self.stdout.write(
                f"Name keys recomputed for {report.rewritten} of {report.people} people."
            )
        if report.failures:
            for pk in report.failures:
                self.stderr.write(f"Person {pk}: a name or alias does not decrypt")
            raise CommandError(f"{len(report.failures)} people's names could not be decrypted.")
