from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vault.fields import EncryptedCharField, EncryptedQuerySet, EncryptedTextField
from vault.models import UUIDModel


class Scope(models.TextChoices):
    """What a person may agree to, each on its own."""

    STORE_DATA = "store_data", _("Keep my details on file")
    SHARE_WITH_ADVOCATES = "share_with_advocates", _("Share my case with legal advocates")
    NAMED_IN_DOCUMENTS = "named_in_documents", _("Name me in advocacy documents")
    STATISTICS = "statistics", _("Count me in anonymised statistics")
    # The UN special procedures forward a communication to the government concerned: a person
    # is named in one only with this consent, beside being named in documents at all
    # (casework.redaction).
    IDENTITY_TO_STATE = (
        "identity_to_state",
        _("Let the UN give my identity to the Chinese government (UN communications)"),
    )


class ErasureReason(models.TextChoices):
    """Why a person's identifying details were erased (kept in the audit trail)."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    RETENTION = "retention", _("Retention period over")


class Method(models.TextChoices):
    VERBAL = "verbal", _("Verbally")
    WRITTEN = "written", _("In writing")
    INTERPRETER = "interpreter", _("Through an interpreter")


class Kind(models.TextChoices):
    """What a consent record says happened: each change of mind is a record of its own."""

    GIVEN = "given", _("Consent given")
    RENEWED = "renewed", _("Consent renewed")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    NOT_ASKED = "not_asked", _("Consent could not be asked")


class NotAskedReason(models.TextChoices):
    """Why a person was registered without being asked; the record says when to ask again."""

    TOO_YOUNG = "too_young", _("A child too young to decide, with no parent or guardian to ask")
    UNSAFE = "unsafe", _("Unsafe to ask now")
    CANNOT_DECIDE = "cannot_decide", _("Cannot decide now (illness, distress)")
    UNREACHABLE = "unreachable", _("Not reachable (detained, moved, no safe contact)")
    OTHER = "other", _("Another reason, explained below")


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
        """
        Each person's consent in force: their latest record (by `recorded_at`, then id), the one
        no later record of theirs follows.
        """
        # "No later record" rather than "the record that is the first of theirs, latest first"
        # (`pk = (SELECT ... LIMIT 1)`): PostgreSQL cannot estimate the second, guessed it kept
        # one consent in 200, and started the reports' counts from every consent in force,
        # walking each to its person (0.8-1.5 s a table at 100,000 people, however few cases the
        # reader had). The first it plans as an anti-join: a probe of each person's records for
        # a few people, one pass over the consents for many.
        later = Consent.objects.filter(person=models.OuterRef("person")).filter(
            models.Q(recorded_at__gt=models.OuterRef("recorded_at"))
            | models.Q(recorded_at=models.OuterRef("recorded_at"), pk__gt=models.OuterRef("pk"))
        )
        return self.exclude(models.Exists(later))


class Consent(UUIDModel):
    """
    What a person agreed to, how and before whom. Records are never changed: a change of mind,
    a withdrawal included, is a new record, and the latest one is in force.
    """

    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("person"),
    )
    kind = models.CharField(
        _("what happened"), max_length=12, choices=Kind.choices, default=Kind.GIVEN
    )
    # Blank only when consent could not be asked.
    method = models.CharField(
        _("how it was given"), max_length=12, choices=Method.choices, blank=True
    )
    # Free text may name an interpreter or a relative: encrypted, like every name.
    witnessed_by = EncryptedCharField(_("witnessed by"), max_length=200, blank=True)
    witnessed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("witnessed by (staff)"),
    )
    # A child's consent is given by a parent or guardian on their behalf.
    guardian = models.ForeignKey(
        "casework.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given on their behalf by"),
    )
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    renew_by = models.DateField(
        _("renew by"),
        null=True,
        blank=True,
        help_text=_("When to ask the person again (for consent not asked: when to ask it)."),
    )
    not_asked_reason = models.CharField(
        _("why consent could not be asked"),
        max_length=16,
        choices=NotAskedReason.choices,
        blank=True,
    )
    # The documented reason may name people and places: encrypted. Null on the records from before
    # it existed (an encrypted column has no default to fill them with).
    explanation = EncryptedTextField(_("explanation"), blank=True, null=True)
    store_data = models.BooleanField(Scope.STORE_DATA.label, default=False)
    share_with_advocates = models.BooleanField(Scope.SHARE_WITH_ADVOCATES.label, default=False)
    named_in_documents = models.BooleanField(Scope.NAMED_IN_DOCUMENTS.label, default=False)
    statistics = models.BooleanField(Scope.STATISTICS.label, default=False)
    identity_to_state = models.BooleanField(Scope.IDENTITY_TO_STATE.label, default=False)
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

    def clean(self):
        errors = {}
        if self.kind == Kind.NOT_ASKED:
            if self.scopes:
                errors["kind"] = _("Consent that could not be asked agrees to nothing.")
            if not self.not_asked_reason:
                errors["not_asked_reason"] = _("Say why consent could not be asked.")
            if not (self.explanation or "").strip():
                errors["explanation"] = _("Document the reason consent could not be asked.")
            if self.guardian_id:
                errors["guardian"] = _("Consent given by a guardian was asked: record it as given.")
        else:
            if not self.method:
                errors["method"] = _("Say how consent was given.")
            if self.not_asked_reason:
                errors["not_asked_reason"] = _("Only consent that could not be asked has a reason.")
        if self.guardian_id and self.guardian_id == self.person_id:
            errors["guardian"] = _("A person is not their own guardian.")
        if self.renew_by and self.given_on and self.renew_by <= self.given_on:
            errors["renew_by"] = _("The renewal date must come after the date consent was given.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_asked(self) -> bool:
        return self.kind != Kind.NOT_ASKED

    def renewal_due(self, today=None) -> bool:
        """Whether the date to ask the person again has come."""
        return bool(self.renew_by) and self.renew_by <= (today or timezone.localdate())

    def allows(self, scope: str) -> bool:
        return bool(getattr(self, Scope(scope).value))

    @property
    def scopes(self) -> list[str]:
        return [scope.value for scope in Scope if self.allows(scope)]

    @property
    def scope_answers(self) -> list[tuple[str, bool]]:
        """Each scope's label and whether this record agrees to it, for the pages."""
        return [(scope.label, self.allows(scope)) for scope in Scope]

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(scope).label for scope in self.scopes]
