from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from legal_aid.documents.signing import write_pair


class Command(BaseCommand):
    help = (
        "Make a document-signing key and a self-signed certificate for the organisation in "
        "DIRECTORY (signing-key.pem, readable by its owner only, and signing-cert.pem); then point "
        "SHIMTEO_SIGNING_KEY and SHIMTEO_SIGNING_CERT at them. Never overwrites a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--organisation", required=True, help="The name recipients see as the signer."
        )

    def handle(self, *args, directory, organisation, **options):
        try:
            key, cert = write_pair(directory, organisation=organisation)
        except FileExistsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"SHIMTEO_SIGNING_KEY={key.resolve()}")
        self.stdout.write(f"SHIMTEO_SIGNING_CERT={cert.resolve()}")
        self.stdout.write(
            "Send signing-cert.pem (never the key) to the offices you write to, so they can "
            "verify; keep a copy of the key off this server."
        )
