import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from vault.blind_index import blind_index, blind_indexes
from vault.fields import EncryptedCharField, EncryptedJSONField
from vault.models import UUIDModel

from .timezones import default_zone_name, zone_choices


class User(AbstractUser):
    """A staff member of a partner NGO: caseworker, supervisor, legal advocate or admin."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
    )
    # Empty: the zone of the user's team (accounts.timezones.zone_name_for).
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=zone_choices,
        blank=True,
        help_text=_("Leave empty to use your team's time zone."),
    )
    session_version = models.PositiveIntegerField(default=0, editable=False)
    # Off by default: an e-mail saying only how many new notifications wait, at most once per
    # quiet period (accounts.notifications.notification_emails_send).
    email_notifications = models.BooleanField(_("e-mail me about new notifications"), default=False)
    email_quiet_hours = models.PositiveSmallIntegerField(
        _("at most one e-mail every (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    email_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def _get_session_auth_hash(self, secret=None):
        # Sessions carry this hash; bumping session_version ("log out everywhere") voids them all,
        # as a password change does.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Team(models.Model):
    """A field team of an NGO; cases belong to one team at a time."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=zone_choices,
        default=default_zone_name,
        help_text=_(
            "Where the team works: its pages show times, and count today, in this zone unless "
            "a member chose their own."
        ),
    )
    # Printed on the cover of the documents the team sends (legal_aid): who submits them and
    # how a UN desk officer or a lawyer reaches the organisation in confidence.
    organisation = models.CharField(
        _("submitting organisation"),
        max_length=200,
        blank=True,
        help_text=_("The organisation's name as recipients of its documents should read it."),
    )
    confidential_contact = models.CharField(
        _("confidential contact"),
        max_length=300,
        blank=True,
        help_text=_(
            "How a recipient reaches the organisation in confidence (a role and a secure address, "
            "never a caseworker's personal account)."
        ),
    )
    # The same in Korean and in Chinese, for the documents written in those languages (a Korean
    # letter printing an English name reads as a foreign body's); left blank, the above is used.
    organisation_ko = models.CharField(
        _("submitting organisation in Korean"), max_length=200, blank=True
    )
    organisation_zh_hans = models.CharField(
        _("submitting organisation in Chinese"), max_length=200, blank=True
    )
    confidential_contact_ko = models.CharField(
        _("confidential contact in Korean"), max_length=300, blank=True
    )
    confidential_contact_zh_hans = models.CharField(
        _("confidential contact in Chinese"), max_length=300, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TeamMembership",
        related_name="teams",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    def cover_in(self, language: str) -> tuple[str, str]:
        """
        The submitting organisation and its confidential contact as a document in `language`
        prints them: that language's where the team set one, else the default (the name, else
        the team's name; the contact, else none).
        """
        suffix = {"ko": "_ko", "zh-hans": "_zh_hans"}.get((language or "").lower(), "")
        name = getattr(self, f"organisation{suffix}") if suffix else ""
        contact = getattr(self, f"confidential_contact{suffix}") if suffix else ""
        return (
            name.strip() or self.organisation or self.name,
            contact.strip() or self.confidential_contact,
        )


class TeamMembership(models.Model):
    """A user's place in a team; supervisors see every case of their team."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        SUPERVISOR = "supervisor", _("Supervisor")
        LEGAL_ADVOCATE = "legal_advocate", _("Legal advocate")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"], name="accounts_one_membership_per_team"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.team} ({self.get_role_display()})"


# Second factors. django-otp's own TOTP and static plugins keep the authenticator's secret and the
# backup codes in clear, so that a copy of the database alone signs anyone in; these keep the
# secret encrypted by the vault and only keyed digests of the backup codes.


def _random_totp_key() -> str:
    return random_hex(20)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """
    An authenticator app (RFC 6238), as django-otp's TOTP device, with its secret encrypted.
    django-otp names devices by an integer id, so the secret is sealed once the row has one.
    """

    key = EncryptedCharField(
        _("secret"), max_length=80, null=True, default=_random_totp_key, editable=False
    )
    step = models.PositiveSmallIntegerField(default=30, editable=False)
    t0 = models.BigIntegerField(default=0, editable=False)
    digits = models.PositiveSmallIntegerField(default=6, editable=False)
    tolerance = models.PositiveSmallIntegerField(default=1, editable=False)
    drift = models.SmallIntegerField(default=0, editable=False)
    # The time step of the last code accepted: a code is never accepted twice.
    last_t = models.BigIntegerField(default=-1, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            return super().save(*args, **kwargs)
        # The vault binds a ciphertext to its row's primary key: insert without the secret, then
        # seal it under the id the row received, in the caller's transaction.
        key = self.__dict__.get("key")
        self.key = None
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.key = key
            super().save(update_fields=["key"])

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        verify_allowed, _reason = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            token = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """The otpauth:// address an authenticator app reads from the QR code."""
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "").replace(":", "")
        label = self.user.get_username()
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


BACKUP_CODE_SCOPE = "backup-code"


def backup_code_digest(code: str) -> str:
    """A keyed digest of a backup code: the database holds these, never a usable code."""
    return blind_index(BACKUP_CODE_SCOPE, code) or ""


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time backup codes, each used once, kept as keyed digests."""

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def verify_token(self, token) -> bool:
        verify_allowed, _reason = self.verify_is_allowed()
        if not verify_allowed:
            return False
        # Codes made before an index-key rotation hold a digest under the old key, which
        # reindex_blind_indexes cannot recompute (no plaintext is kept): matched while it is set.
        digests = blind_indexes(BACKUP_CODE_SCOPE, str(token))
        match = self.codes.filter(digest__in=digests).first() if digests else None
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)


class BackupCode(models.Model):
    device = models.ForeignKey(
        BackupCodeDevice, on_delete=models.CASCADE, related_name="codes", editable=False
    )
    digest = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self):
        # Never the digest: nothing about a code is shown anywhere.
        return str(_("backup code"))


# django-otp's device fields are labelled in English only; ours speak the interface's language.
DEVICE_FIELD_LABELS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
}
for _device_model in (TOTPDevice, BackupCodeDevice):
    for _name, _label in DEVICE_FIELD_LABELS.items():
        _device_model._meta.get_field(_name).verbose_name = _label


class RoleChangeRequest(models.Model):
    """
    A change of someone's standing asked for by one administrator and applied only when a
    second one approves it (four eyes): a team role given, changed or taken away, or the
    superuser, staff or administrator flag set or cleared. accounts.services is its one writer.
    """

    class Kind(models.TextChoices):
        TEAM_ROLE = "team_role", _("Team role")
        SUPERUSER = "superuser", _("Superuser")
        STAFF = "staff", _("Staff (may open the admin)")
        ADMINISTRATOR = "administrator", _("Administrator group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_change_requests",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("team")
    )
    # For a team role: the new role, or empty to take the user out of the team.
    role = models.CharField(
        _("new team role"),
        max_length=20,
        choices=TeamMembership.Role.choices,
        blank=True,
        help_text=_("Leave empty to remove the user from the team."),
    )
    # For a flag: set (True) or clear (False).
    grant = models.BooleanField(
        _("grant"), default=True, help_text=_("For a flag: ticked sets it, unticked clears it.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("role change request")
        verbose_name_plural = _("role change requests")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} · {self.user} ({self.get_status_display()})"


class Draft(UUIDModel):
    """
    What a staff member typed in a form and has not saved yet, kept on the server so that nothing
    typed is lost: saved as they type (static/js/drafts.js), or kept from a post that came after
    their session ended or was too large to be read. One per user and form (the form's path);
    deleted when the form is saved, when discarded, and SHIMTEO_DRAFT_DAYS after its last change.
    The values are encrypted like the records they are about to become. accounts.drafts is its
    one writer; no audit event is written per keystroke, and nothing of the values is logged.
    """

    class Reason(models.TextChoices):
        TYPED = "typed", _("Saved while typing")
        SESSION_ENDED = "session_ended", _("Sent after the session had ended")
        TOO_LARGE = "too_large", _("Sent, but larger than the limit")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("user"),
    )
    # The path of the page whose form this is: one draft per form, and the page to return to.
    form_key = models.CharField(_("form"), max_length=300)
    # The form's fields as posted, {name: [values]}; never a file or a password.
    data = EncryptedJSONField(_("values"), default=dict)
    reason = models.CharField(
        _("kept because"), max_length=20, choices=Reason.choices, default=Reason.TYPED
    )
    updated_at = models.DateTimeField(_("updated at"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "form_key"], name="one_draft_per_user_and_form")
        ]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self):
        return f"{self.user} · {self.form_key}"


class Notification(UUIDModel):
    """
    Something a staff member must be told: a case handed to them, a decision on their intake, a
    document to approve, a missed check-in. It stores who, what kind and a target named
    generically (a content type and a key), never a sentence: what it says of the target is
    written when it is read, in the reader's language and only if the target is still in their
    sight then (`accounts.notifications`, which asks the target's app through
    `SHIMTEO_NOTIFICATION_TARGETS`). accounts.notifications is its one writer.
    """

    class Kind(models.TextChoices):
        CASE_ASSIGNED = "case_assigned", _("A case was assigned to you")
        CASE_HANDED_OVER = "case_handed_over", _("A case was handed over to you")
        INTAKE_APPROVED = "intake_approved", _("Your intake was approved")
        INTAKE_SENT_BACK = "intake_sent_back", _("Your intake was sent back")
        INTAKE_REJECTED = "intake_rejected", _("Your intake was rejected")
        DOCUMENT_AWAITING_APPROVAL = (
            "document_awaiting_approval",
            _("A document is waiting for your approval"),
        )
        DOCUMENT_APPROVED = "document_approved", _("A document was approved")
        DOCUMENT_REVOKED = "document_revoked", _("A document was revoked")
        BREAK_GLASS = "break_glass", _("An administrator broke the glass on a case")
        CHECK_IN_MISSED = "check_in_missed", _("Check-in missed")
        CHECK_IN_OVERDUE = "check_in_overdue", _("Check-in missed past the grace period")
        DISTRESS = "distress", _("Distress")
        CHECK_IN_NEEDS_HELP = "check_in_needs_help", _("Check-in: safe but needs help")
        FOLLOW_UP_DUE = "follow_up_due", _("A follow-up is due")
        FOLLOW_UP_OVERDUE = "follow_up_overdue", _("A follow-up is overdue")
        IMPORT_FINISHED = "import_finished", _("An import finished")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.CharField(_("target key"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="accounts_notification_list"),
            # The header's count on every page: only the unread rows are in it.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="accounts_notification_unread",
            ),
            # Settling what a done event asked (`notifications_settle`): the unread rows about
            # one target, whoever received them. Only rows with a target, so that the header's
            # count (which names none) never mistakes this index for the one above.
            models.Index(
                fields=["target_type", "target_id"],
                condition=Q(read_at__isnull=True, target_type__isnull=False),
                name="accounts_notification_target",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()
