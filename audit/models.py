from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .exceptions import AppendOnlyError
from .labels import target_type_label

# Audit knows no domain app by import; it names the model that makes an event part of a case's trail.
CASE_MODEL = "casework.Case"
APPEND_ONLY = "The audit trail is append-only: write events with audit.record(), never change them."


class AuditEventQuerySet(models.QuerySet):
    """Reads of the audit trail; writes that would change or bypass the chain are refused."""

    def for_case(self, case):
        """A case's trail, oldest first, in one indexed query."""
        return self.filter(case_id=case.pk).order_by("occurred_at", "sequence")

    def visible_to(self, user):
        """
        The events `user` may read. Who reads which events is a rule of the domain, not of the
        trail: the function named by `SHIMTEO_AUDIT_VISIBILITY` (casework's supervisor rule)
        decides, given these events and the user; with none configured, nobody reads any.
        """
        rule = getattr(settings, "SHIMTEO_AUDIT_VISIBILITY", "")
        return import_string(rule)(self, user) if rule else self.none()

    def update(self, **kwargs):
        raise AppendOnlyError(APPEND_ONLY)

    def delete(self):
        raise AppendOnlyError(APPEND_ONLY)

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY)


class AuditEvent(models.Model):
    """
    One thing that happened: who did what to which record, when and from where. Each event
    carries the hash of the one before it, so removing or altering an event breaks the chain.
    Targets are named by type, id and reference, never by their (decrypted) contents.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Locked out")
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        STATUS_CHANGE = "status_change", _("Changed status")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        DOWNLOAD = "download", _("Downloaded")
        DENIED = "denied", _("Denied access")
        BREAK_GLASS = "break_glass", _("Broke the glass")
        KEY_ROTATION = "key_rotation", _("Rotated keys")

    sequence = models.BigAutoField(_("sequence"), primary_key=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    # No database constraint and no cascade: deleting a user must never touch an audit row.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (actor, occurred_at) index serves lookups by actor
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_reference = models.CharField(_("target reference"), max_length=32, blank=True)
    case_id = models.UUIDField(_("case"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    # How `hash` was computed (audit.chain): 1 unkeyed SHA-256 (events before migration 0003),
    # 2 HMAC under SHIMTEO_AUDIT_KEY. Part of what is hashed, so it cannot be flipped unseen.
    hash_version = models.PositiveSmallIntegerField(_("hash version"))

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Every event has one successor at most, so even a writer that skipped the lock could
        # not fork the chain.
        constraints = [
            models.UniqueConstraint(fields=["prev_hash"], name="audit_one_successor_per_event"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["case_id", "occurred_at"], name="audit_case_time_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.target_reference or self.target_type}"

    def save(self, *args, **kwargs):
        # audit.services.record() inserts through Model.save() itself, after chaining the event.
        raise AppendOnlyError(APPEND_ONLY)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY)

    def target_type_display(self) -> str:
        """What kind of record the event is about, in the reader's language ("Note")."""
        return target_type_label(self.target_type) if self.target_type else ""
