"""Print a fresh field key entry and index key, in the form the environment expects."""

import datetime
import secrets

from django.core.management.base import BaseCommand, CommandError

from vault.keyring import KEY_ID_PATTERN, generate_key


class Command(BaseCommand):
    help = (
        "Print a new `id:base64key` entry for SHIMTEO_FIELD_KEYS and a new SHIMTEO_INDEX_KEY. "
        "Nothing is stored: copy the lines into the secret store or environment file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--key-id",
            help="Id of the new field key (letters, digits, '-' or '_'); default: k<date>-<random>.",
        )

    def handle(self, *args, key_id=None, **options):
        if key_id is None:
            key_id = f"k{datetime.date.today():%Y%m%d}-{secrets.token_hex(3)}"
        if not KEY_ID_PATTERN.match(key_id):
            raise CommandError("A key id is 1 to 32 letters, digits, '-' or '_'.")
        self.stdout.write(
            "# Field key. To rotate: put this entry first in SHIMTEO_FIELD_KEYS, keep the old\n"
            "# entries after it, deploy, run `manage.py rotate_encryption_keys` until it reports\n"
            "# 0 remaining, then remove the old entries.\n"
            f"SHIMTEO_FIELD_KEYS={key_id}:{generate_key()}\n"
            "# Index key: for a new installation only. Changing it invalidates every blind index.\n"
            f"SHIMTEO_INDEX_KEY={generate_key()}"
        )
