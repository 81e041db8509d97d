"""Writes about staff accounts: two-factor enrolment, backup codes, ending access."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, TextChoices
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from audit.services import record

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator a user is enrolling, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """
    Confirm the authenticator with a code it shows; return fresh backup codes, or None when the
    code is wrong. Any earlier authenticator of the user is removed: one phone, one secret.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return backup_codes_regenerate(user=user)


@transaction.atomic
def backup_codes_regenerate(*, user) -> list[str]:
    """Replace the user's one-time backup codes, shown to them once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class AccessEnded(TextChoices):
    """Why every session and API token of a user was ended (kept in the audit trail)."""

    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
    DEACTIVATED = "deactivated"
    LEFT_TEAM = "left_team"


def user_access_end(*, user, because: str, actor=None, request=None, **detail) -> int:
    """
    End at once every browser session and every API token of `user`, on every device; return
    how many tokens were deleted. The one way access is ended, whatever the reason: signing out
    everywhere, a password set (by the user, an administrator or a command), a deactivation, a
    removal from a team. A token would otherwise outlive all of them by up to its 10 hours.
    Sessions carry a hash of `session_version` (accounts.User), so bumping it voids them all;
    whoever keeps the session of this request calls `update_session_auth_hash` afterwards.
    """
    because = AccessEnded(because).value
    with transaction.atomic():
        accounts = get_user_model().objects.filter(pk=user.pk)
        accounts.update(session_version=F("session_version") + 1)
        tokens, _ = AuthToken.objects.filter(user_id=user.pk).delete()
        # The account as stored is the audit target (`request.user` is a lazy stand-in for it).
        account = accounts.get()
        record(
            actor, "logout", account, request=request, ended=because, api_tokens=tokens, **detail
        )
    user.refresh_from_db(fields=["session_version"])
    return tokens


def user_logout_everywhere(*, user, request=None) -> None:
    """End every session and API token of the user on every device (a lost phone, a seized laptop)."""
    user_access_end(
        user=user, because=AccessEnded.SIGNED_OUT_EVERYWHERE, actor=user, request=request
    )


def user_set_language(*, user, language: str) -> bool:
    """Keep a language the user chose as their preferred one; False when it is unknown or kept."""
    if language not in dict(settings.LANGUAGES) or language == user.preferred_language:
        return False
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return True
