"""Writes about staff accounts: two-factor enrolment, backup codes, ending sessions, unlocking."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record

from .signin import live_attempts, may_unlock, username_digest

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


def user_logout_everywhere(*, user) -> None:
    """End every session of the user on every device (a lost phone, a seized laptop)."""
    get_user_model().objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])


def user_set_language(*, user, language: str) -> bool:
    """Keep a language the user chose as their preferred one; False when it is unknown or kept."""
    if language not in dict(settings.LANGUAGES) or language == user.preferred_language:
        return False
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return True


@transaction.atomic
def user_unlock(*, actor, user, request=None) -> int:
    """
    Lift the sign-in lockout of `user` from every address, as a supervisor of their team or an
    administrator; return how many counted failures were cleared. Refused to anyone else. The
    unlock is a chained audit event of the actor, naming the account unlocked.
    """
    if not may_unlock(actor, user):
        raise PermissionDenied("You may not unlock this account.")
    cleared = live_attempts(user).aggregate(total=Sum("failures_since_start"))["total"] or 0
    # Expired attempts too: nothing of this user's lockout is left behind to count again.
    AccessAttempt.objects.filter(username=username_digest(user.get_username())).delete()
    record(actor, "update", user, request=request, change="sign_in_unlocked", failures=cleared)
    return cleared
