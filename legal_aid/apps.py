from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_corpus(sender, apps=None, using="default", **kwargs):
    # The corpus is reference data loaded by a migration; a flush (transactional tests, or an
    # operator emptying the database) removes it while the migration stays applied. Load it back.
    from django.apps import apps as global_apps
    from django.db import transaction

    from .corpus import load

    apps = apps or global_apps
    if not apps.get_model("legal_aid", "Provision").objects.using(using).exists():
        # In one transaction, as a migration loads it: all or nothing, and one commit instead of
        # one per row (a flush is followed by this in every transactional test).
        with transaction.atomic(using=using):
            load(apps)


class LegalAidConfig(AppConfig):
    name = "legal_aid"
    verbose_name = _("Legal aid")

    def ready(self):
        from django.conf import settings

        post_migrate.connect(_restore_corpus, sender=self, dispatch_uid="legal_aid.restore_corpus")
        # Fail at start-up, not at the first rendered document, when production cannot sign.
        if settings.SHIMTEO_ENV == "production":
            from .documents.signing import check_configuration

            check_configuration()
