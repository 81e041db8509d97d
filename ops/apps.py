from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        # Connect the receivers: task metrics (Celery signals), the database-outage flag.
        from . import metrics, middleware  # noqa: F401
