import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedCharField, EncryptedQuerySet


class Scope(models.TextChoices):
    """What a person may agree to, each on its own."""

    STORE_DATA = "store_data", _("Keep my details on file")
    SHARE_WITH_ADVOCATES = "share_with_advocates", _("Share my case with legal advocates")
    NAMED_IN_DOCUMENTS = "named_in_documents", _("Name me in advocacy documents")
    STATISTICS = "statistics", _("Count me in anonymised statistics")


class ErasureReason(models.TextChoices):
    """Why a person's identifying details were erased (kept in the audit trail)."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    RETENTION = "retention", _("Retention period over")


class Method(models.TextChoices):
    VERBAL = "verbal", _("Verbally")
    WRITTEN = "written", _("In writing")
    INTERPRETER = "interpreter", _("Through an interpreter")


class ConsentQuerySet(EncryptedQuerySet):
    def visible_to(self, user):
        """
        A consent is seen through its person: the person model's own visibility rule decides.
        Consent sits below casework and imports none of it; the rule comes with the model the
        `person` key points to.
        """
        Person = self.model._meta.get_field("person").related_model
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))

    def current(self):
        """Each person's consent in force: their latest record."""
        latest = (
            Consent.objects.filter(person=models.OuterRef("person"))
            .order_by("-recorded_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(latest))


class Consent(models.Model):
    """
    What a person agreed to, how and before whom. Records are never changed: a change of mind,
    a withdrawal included, is a new record, and the latest one is in force.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("person"),
    )
    method = models.CharField(_("how it was given"), max_length=12, choices=Method.choices)
    witnessed_by = EncryptedCharField(_("witnessed by"), max_length=200, blank=True)
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    store_data = models.BooleanField(Scope.STORE_DATA.label, default=False)
    share_with_advocates = models.BooleanField(Scope.SHARE_WITH_ADVOCATES.label, default=False)
    named_in_documents = models.BooleanField(Scope.NAMED_IN_DOCUMENTS.label, default=False)
    statistics = models.BooleanField(Scope.STATISTICS.label, default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-recorded_at"]
        get_latest_by = "recorded_at"
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["person", "-recorded_at"])]

    def __str__(self):
        return f"{self.person} · {self.given_on}"

    def allows(self, scope: str) -> bool:
        return bool(getattr(self, Scope(scope).value))

    @property
    def scopes(self) -> list[str]:
        return [scope.value for scope in Scope if self.allows(scope)]
