from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

KEY_SETTINGS = {
    "SHIMTEO_FIELD_KEYS",
    "SHIMTEO_INDEX_KEY",
    "SHIMTEO_OLD_INDEX_KEYS",
    "SHIMTEO_DEV_KEY_FILE",
    "SHIMTEO_ENV",
}


def _forget_keyring(*, setting, **kwargs):
    if setting in KEY_SETTINGS:
        from .keyring import reset_keyring

        reset_keyring()


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Vault")

    def ready(self):
        from django.conf import settings

        from .keyring import get_keyring, refuse_shared_keys

        setting_changed.connect(_forget_keyring, dispatch_uid="vault.forget_keyring")
        # Fail at start-up, not at the first request, when production has no keys or reuses one.
        if settings.SHIMTEO_ENV == "production":
            refuse_shared_keys(
                get_keyring(),
                backup_key=settings.SHIMTEO_BACKUP_KEY,
                secret_key=settings.SECRET_KEY,
            )
