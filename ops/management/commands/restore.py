from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ops.archive import ArchiveError
from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into an EMPTY PostgreSQL database (DATABASE_URL) and media folder, "
        "then check the row counts and the audit chain against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file written by `manage.py backup`.")

    def handle(self, *args, file, **options):
        try:
            report = backup_restore(path=Path(file))
        except (BackupError, ArchiveError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error
        if report.problems:
            raise CommandError(
                "Restored, but it does not match the backup:\n  " + "\n  ".join(report.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.tables} tables ({report.rows} rows) and "
                f"{report.media_files} files; counts match the backup; audit chain intact "
                f"({report.audit_events} events, head {report.manifest['audit']['head']})."
            )
        )
        if report.audit_checkpoint is not None:
            self.stdout.write(
                f"The backup's signed audit checkpoint (event #{report.audit_checkpoint.sequence}) "
                "verifies and is now this server's checkpoint."
            )
