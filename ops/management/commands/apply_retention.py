from django.core.management.base import BaseCommand

from ops.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Erase the identifying details of people whose every case closed more than "
        "SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE years ago, keeping anonymised facts. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count who would be erased; change nothing."
        )
        parser.add_argument(
            "--years", type=int, default=None, help="Override the retention period (years)."
        )

    def handle(self, *args, dry_run, years, **options):
        report = retention_apply(dry_run=dry_run, years=years)
        if dry_run:
            self.stdout.write(
                f"Dry run: {report.eligible} people and {report.attachments} attachments would be "
                f"erased (every case closed before {report.cutoff}, {report.years} years). "
                "Nothing was changed."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased the identifying details of {report.erased} people and "
                f"{report.attachments} attachments (every case closed before {report.cutoff})."
            )
        )
