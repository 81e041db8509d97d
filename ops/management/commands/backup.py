from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ops.archive import ArchiveError
from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write an encrypted, authenticated backup of the PostgreSQL database and the (encrypted) "
        "media files, sealed with SHIMTEO_BACKUP_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The backup file to write (new).")

    def handle(self, *args, output, **options):
        try:
            report = backup_create(output=Path(output))
        except (BackupError, ArchiveError, ImproperlyConfigured, FileExistsError) as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {report.path} ({report.size} bytes): "
                f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
                f"{manifest['media']['files']} files, {manifest['audit']['count']} audit events "
                f"(head {manifest['audit']['head']})."
            )
        )
