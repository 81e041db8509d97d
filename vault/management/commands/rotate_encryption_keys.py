"""Re-encrypt every encrypted value and file still under an old key with the primary key."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from vault.keyring import get_keyring
from vault.rotation import (
    DEFAULT_BATCH_SIZE,
    remaining_under_old_keys,
    rotatable_models,
    rotate,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt with the primary key (the first of SHIMTEO_FIELD_KEYS) every encrypted "
        "column value and encrypted file still under another key. Deploy the new key ring to "
        "every process first. Safe while the application runs; resumable: re-running only touches "
        "what is still under old keys. Old keys can be removed when 0 remain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Rows read, locked and rewritten per transaction (default %(default)s).",
        )
        parser.add_argument(
            "--model",
            metavar="APP_LABEL.MODEL",
            help="Rotate only this model (the remaining count still covers every model).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted, and write nothing.",
        )

    def handle(self, *args, batch_size, model, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        models = rotatable_models()
        if model:
            try:
                chosen = apps.get_model(model)
            except (LookupError, ValueError) as exc:
                raise CommandError(f"No model {model!r}: give it as app_label.Model.") from exc
            if chosen not in models:
                raise CommandError(f"{chosen._meta.label} has no encrypted fields or files.")
            models = [chosen]

        verb = "would rotate" if dry_run else "rotated"
        self.stdout.write(f"Primary key: {get_keyring().primary_key_id}")
        rotated = 0
        failures = []
        for each in models:
            report = rotate(models_to_rotate=[each], batch_size=batch_size, dry_run=dry_run)
            for label, count in report.columns.items():
                self.stdout.write(f"{label}: {count} {verb}")
            for label, count in report.files.items():
                self.stdout.write(f"{label} (files): {count} {verb}")
            rotated += report.rotated
            failures.extend(report.failures)
        for failure in failures:
            self.stderr.write(f"{failure.where} of {failure.pk}: {failure.message}")

        remaining = remaining_under_old_keys(batch_size=batch_size)
        for label, count in sorted(remaining.items()):
            self.stdout.write(f"{label}: {count} still under a non-primary key")
        total = sum(remaining.values())
        self.stdout.write(f"Total {verb}: {rotated}")
        self.stdout.write(f"Remaining under non-primary keys: {total}")
        if failures:
            raise CommandError(
                f"{len(failures)} values or files could not be decrypted, so they were not "
                "re-encrypted; they are listed above. Keep the old keys until they are resolved."
            )
        if total == 0:
            self.stdout.write(self.style.SUCCESS("Every value is under the primary key."))
