"""`manage.py demo_code <username>`: the current sign-in code of a demo account, for trying the app."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import TOTPDevice
from demo.staff import STAFF, demo_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=[user.username for user in STAFF])

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts do not exist in production.")
        try:
            code, secret = demo_code(username)
        except TOTPDevice.DoesNotExist:
            raise CommandError(
                f"{username} has no demo authenticator: run `manage.py seed_demo` first."
            ) from None
        self.stdout.write(code)
        if options["verbosity"] >= 2:
            self.stdout.write(f"Secret for an authenticator app (base32): {secret}")
