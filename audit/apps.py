from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

KEY_SETTINGS = {
    "SHIMTEO_AUDIT_KEY",
    "SHIMTEO_FIELD_KEYS",
    "SHIMTEO_INDEX_KEY",
    "SHIMTEO_BACKUP_KEY",
    "SHIMTEO_DEV_KEY_FILE",
    "SHIMTEO_ENV",
    "SECRET_KEY",
}


def _forget_audit_key(*, setting, **kwargs):
    if setting in KEY_SETTINGS:
        from .keys import reset_audit_key

        reset_audit_key()


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.conf import settings

        from .keys import get_audit_key

        setting_changed.connect(_forget_audit_key, dispatch_uid="audit.forget_audit_key")
        # Fail at start-up, not at the first audited request, when production has no audit key.
        if settings.SHIMTEO_ENV == "production":
            get_audit_key()
