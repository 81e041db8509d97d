from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain
from audit.checkpoint import CheckpointError, checkpoint_path, missing_since, read_checkpoint


class Command(BaseCommand):
    help = (
        "Recompute every audit event's link in order, report the first broken one, and check "
        "that the trail still holds the head of the last signed checkpoint (a removed tail). "
        "Exits non-zero when the chain is broken, its tail is missing or the checkpoint is forged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Events read per database round trip."
        )
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="A checkpoint file to check against (e.g. one kept from the logs or a backup); "
            "by default the one beat writes.",
        )
        parser.add_argument(
            "--require-checkpoint",
            action="store_true",
            help="Fail when there is no checkpoint (once beat has run: a deleted checkpoint "
            "file must not pass as a new installation).",
        )

    def handle(self, *args, chunk_size, checkpoint, require_checkpoint, **options):
        path = checkpoint or checkpoint_path()
        problems = []
        try:
            signed = read_checkpoint(path)
        except CheckpointError as error:
            signed = None
            problems.append(str(error))
        if signed is None and (checkpoint or require_checkpoint) and not problems:
            problems.append(f"There is no audit checkpoint at {path}.")

        report = verify_chain(chunk_size=chunk_size)
        if not report.intact:
            problems.insert(
                0,
                f"Audit chain broken at event {report.broken_at}: {report.reason}. "
                f"{report.count} events before it are intact.",
            )
        elif signed is not None and (missing := missing_since(signed)):
            problems.append(f"Audit trail lost its tail: {missing}.")
        if problems:
            raise CommandError(" ".join(problems))

        events = "event" if report.count == 1 else "events"
        self.stdout.write(
            self.style.SUCCESS(f"{report.count} {events}, chain intact; head {report.head}")
        )
        if report.legacy:
            self.stdout.write(
                f"{report.legacy} of them are unkeyed legacy events, written before the audit "
                "key; every later one is keyed."
            )
        if signed is None:
            self.stderr.write(
                f"No audit checkpoint at {path} yet: a removed tail cannot be detected until "
                "beat signs one."
            )
        else:
            self.stdout.write(
                f"Holds the head of the checkpoint of {signed.created_at} (event "
                f"#{signed.sequence}, {signed.count} events)."
            )
