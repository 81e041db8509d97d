from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash in order and report the first broken link. "
        "Exits non-zero when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Events read per database round trip."
        )

    def handle(self, *args, chunk_size, **options):
        report = verify_chain(chunk_size=chunk_size)
        if not report.intact:
            raise CommandError(
                f"Audit chain broken at event {report.broken_at}: {report.reason}. "
                f"{report.count} events before it are intact."
            )
        # Tail deletion leaves no broken link; the head hash, noted elsewhere, reveals it.
        events = "event" if report.count == 1 else "events"
        self.stdout.write(
            self.style.SUCCESS(f"{report.count} {events}, chain intact; head {report.head}")
        )
