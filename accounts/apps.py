from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and teams")

    def ready(self):
        from . import (  # noqa: F401
            api_schema,  # registers the schema of the token authentication
            receivers,  # connects the sign-in audit receivers
        )
