"""Recompute every stored blind-index digest with the current index key (SHIMTEO_INDEX_KEY)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from vault.reindex import DEFAULT_BATCH_SIZE, indexed_models, reindex


class Command(BaseCommand):
    help = (
        "Recompute every blind-index digest with the current SHIMTEO_INDEX_KEY. Deploy the new "
        "key with the old one in SHIMTEO_OLD_INDEX_KEYS to every process first (searches match "
        "both meanwhile). Safe while the application runs; resumable: re-running rewrites only "
        "digests still under an old key. Remove the old key when 0 remain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Rows read, locked and rewritten per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count stale digests, and write nothing."
        )

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = reindex(models_to_reindex=indexed_models(), batch_size=batch_size, dry_run=dry_run)
        counts = report.stale if dry_run else report.rewritten
        verb = "stale" if dry_run else "recomputed"
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count} {verb}")
        if not dry_run:
            # Counted afresh: saves during the run may have fixed, or needed, more than it saw.
            report.stale = reindex(batch_size=batch_size, dry_run=True).stale
        # Digests made from more than one value (casework's name keys), recomputed by their app.
        for hook in settings.SHIMTEO_REINDEX_HOOKS:
            reindex_hook = import_string(hook)
            done = reindex_hook(batch_size=batch_size, dry_run=dry_run)
            self.stdout.write(f"{hook}: {done.stale if dry_run else done.rewritten} {verb}")
            report.failures += [(hook, pk) for pk in done.failures]
            if not dry_run:
                done = reindex_hook(batch_size=batch_size, dry_run=True)
            report.stale[hook] = done.stale
        remaining = sum(report.stale.values())
        self.stdout.write(f"Remaining under an old index key: {remaining}")
        if report.failures:
            for label, pk in report.failures:
                self.stderr.write(f"{label} of {pk}: its source value does not decrypt")
            raise CommandError(
                f"{len(report.failures)} values could not be decrypted, so their digests were "
                "not recomputed. Keep the old index key until they are resolved."
            )
        if remaining == 0:
            self.stdout.write(self.style.SUCCESS("Every digest is under the current index key."))
