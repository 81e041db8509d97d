from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legal_aid.documents.signing import SignatureInvalid, verify_pdf


class Command(BaseCommand):
    help = (
        "Check the organisation's signature on an advocacy PDF: that it is intact, covers the "
        "whole file and was made with our key (the current certificate or one listed in "
        "SHIMTEO_SIGNING_OLD_CERTS, or the --cert given). Exits non-zero when it does not hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The PDF to check.")
        parser.add_argument(
            "--cert",
            type=Path,
            action="append",
            help="A certificate (PEM) to trust instead of ours; repeat for several.",
        )

    def handle(self, *args, file, cert, **options):
        try:
            pdf = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            result = verify_pdf(pdf, trusted_certs=cert)
        except SignatureInvalid as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Signed by: {result.signed_by}")
        if result.signed_at:
            self.stdout.write(f"Signed at: {result.signed_at.isoformat()}")
        self.stdout.write(f"Unaltered since signing: {'yes' if result.intact else 'NO'}")
        self.stdout.write(f"Covers the whole file: {'yes' if result.covers_whole_file else 'NO'}")
        self.stdout.write(f"Made with our key: {'yes' if result.trusted else 'NO'}")
        if not result.ok:
            raise CommandError("The signature does not hold: do not rely on this file.")
        self.stdout.write(self.style.SUCCESS("The signature holds."))
