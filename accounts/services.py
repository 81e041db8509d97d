"""
Writes about staff accounts: two-factor enrolment and replacement, backup codes, a user's own
password change, ending sessions and access, unlocking, and changes of a user's roles, which take two administrators (four eyes).
"""

import secrets

import django_otp
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum, TextChoices
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _
from knox.models import AuthToken

from audit.services import record

from .models import (
    BackupCode,
    BackupCodeDevice,
    RoleChangeRequest,
    TeamMembership,
    TOTPDevice,
    backup_code_digest,
)
from .permissions import (
    can_decide_role_change,
    can_request_role_change,
    is_administrator,
    may_unlock,
)
from .roles import RoleGroup
from .signin import live_attempts, username_digest

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"
# Eight base32 characters (40 bits), as django-otp's static tokens are.
BACKUP_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
BACKUP_CODE_LENGTH = 8


def _account(user):
    # request.user is a lazy proxy (twice: auth, then django-otp); the audit trail names the user
    # model instance behind it.
    while isinstance(user, LazyObject):
        user.pk  # noqa: B018 - evaluates the proxy
        user = user._wrapped
    return user


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator a user is enrolling, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def password_reconfirmed(*, user, password: str, request=None) -> bool:
    """Whether the signed-in user just typed their own current password."""
    if request is not None:
        # Through the authentication backends, so that guesses count towards the lockout
        # (django-axes) and are audited as failed sign-ins, as on the login page.
        checked = authenticate(request, username=user.get_username(), password=password or "")
        return checked is not None and checked.pk == user.pk
    return user.check_password(password or "")


def second_factor_reconfirmed(*, user, password: str, code: str, request=None) -> bool:
    """
    Whether the user just typed their password and a current code of a device they already
    have. A signed-in session alone is not enough to change the second factor: a browser left
    open must not let someone else move the account to their own phone.
    """
    if not password_reconfirmed(user=user, password=password, request=request):
        return False
    return django_otp.match_token(user, (code or "").replace(" ", "")) is not None


@transaction.atomic
def totp_enrolment_confirm(
    *,
    user,
    device: TOTPDevice,
    token: str,
    password: str = "",
    current_code: str = "",
    request=None,
) -> list[str] | None:
    """
    Confirm the authenticator with a code it shows; return fresh backup codes, or None when a
    code or the password is wrong. Any earlier authenticator of the user is removed (one phone,
    one secret), which a user who has one may do only with their password and a current code.
    """
    if device.user_id != user.pk or device.confirmed:
        return None
    replacing = has_authenticator(user)
    if replacing and not second_factor_reconfirmed(
        user=user, password=password, code=current_code, request=request
    ):
        return None
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(
        user,
        "update" if replacing else "create",
        _account(user),
        request=request,
        second_factor="authenticator_replaced" if replacing else "authenticator_enrolled",
    )
    return backup_codes_issue(user=user)


def _random_backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


@transaction.atomic
def backup_codes_issue(*, user) -> list[str]:
    """
    Replace the user's one-time backup codes, shown to them once and kept only as keyed digests.
    Callers have checked who asks: enrolment just confirmed, or `backup_codes_regenerate`.
    """
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [_random_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=backup_code_digest(code)) for code in codes
    )
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user, password: str, code: str, request=None) -> list[str] | None:
    """New backup codes for a user who re-typed their password and a current code, else None."""
    if not second_factor_reconfirmed(user=user, password=password, code=code, request=request):
        record(user, "denied", _account(user), request=request, second_factor="backup_codes")
        return None
    codes = backup_codes_issue(user=user)
    record(
        user, "update", _account(user), request=request, second_factor="backup_codes_regenerated"
    )
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


def backup_codes_remaining(user) -> int:
    """How many unused backup codes the user holds (the codes themselves exist only as digests)."""
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def password_change(*, user, current_password: str, new_password: str, request=None) -> bool:
    """
    Set the user's own new password after they re-typed the current one; False (and an audited
    refusal) when it is wrong. Raises ValidationError when the new one fails the password
    validators. Saving a new password ends every session and API token of the user
    (accounts.receivers); the caller keeps its own session with `update_session_auth_hash`.
    """
    account = _account(user)
    if not password_reconfirmed(user=account, password=current_password, request=request):
        record(account, "denied", account, request=request, credential="password_change_refused")
        return False
    validate_password(new_password, account)
    account.set_password(new_password)
    account.save(update_fields=["password"])
    record(account, "update", account, request=request, credential="password_changed")
    return True


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


def user_set_time_zone(*, user, time_zone: str, request=None) -> bool:
    """
    The user's own time zone ("" for their team's); False when it is already theirs. Raises
    ValidationError for a name that is not one of the zones offered.
    """
    account = _account(user)
    if time_zone == account.time_zone:
        return False
    account.time_zone = time_zone
    account.clean_fields(exclude=[f.name for f in account._meta.fields if f.name != "time_zone"])
    account.save(update_fields=["time_zone"])
    record(account, "update", account, request=request, fields=["time_zone"])
    return True


def user_set_email_notifications(*, user, enabled: bool, quiet_hours: int, request=None) -> bool:
    """
    The user's own choice of a notification e-mail (off by default) and its quiet period; False
    when nothing changed. Turning it on needs an e-mail address on the account.
    """
    account = _account(user)
    if (account.email_notifications, account.email_quiet_hours) == (enabled, quiet_hours):
        return False
    if enabled and not account.email:
        raise ValidationError(
            {"email_notifications": _("Your account has no e-mail address: ask an administrator.")}
        )
    account.email_notifications, account.email_quiet_hours = enabled, quiet_hours
    names = ("email_notifications", "email_quiet_hours")
    account.clean_fields(exclude=[f.name for f in account._meta.fields if f.name not in names])
    account.save(update_fields=list(names))
    record(account, "update", account, request=request, fields=list(names))
    return True


# Administrators and four eyes.


def user_team_ids(user) -> list[int]:
    return list(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))


def record_for_teams(actor, action, target, *, teams, request=None, **detail) -> None:
    """
    Record an account event once for each team it concerns (`team` in the detail), so that the
    supervisors of each see it in their audit trail; once without a team when there is none.
    """
    for team_id in sorted(set(teams)) or [None]:
        extra = {"team": team_id} if team_id is not None else {}
        record(actor, action, target, request=request, **detail, **extra)


def _request_teams(change: RoleChangeRequest) -> list[int]:
    return [*user_team_ids(change.user), *([change.team_id] if change.team_id else [])]


@transaction.atomic
def role_change_request(
    *, actor, user, kind: str, team=None, role: str = "", grant: bool = True, request=None
) -> RoleChangeRequest:
    """
    Ask for a change of `user`'s standing; nothing changes until a second administrator
    approves it. Nobody asks for a change of their own standing.
    """
    if not can_request_role_change(actor, user):
        if is_administrator(actor):
            raise PermissionDenied(_("You cannot ask for a change of your own roles or flags."))
        raise PermissionDenied(_("Only administrators ask for role changes."))
    change = RoleChangeRequest(
        user=user, kind=kind, team=team, role=role or "", grant=grant, requested_by=actor
    )
    if kind == RoleChangeRequest.Kind.TEAM_ROLE:
        if team is None:
            raise ValidationError({"team": _("Choose the team whose role changes.")})
        change.grant = bool(role)
    elif team is not None or role:
        raise ValidationError({"team": _("A flag is not a team role: leave team and role empty.")})
    change.full_clean()
    change.save()
    record_for_teams(
        actor,
        "create",
        change,
        teams=_request_teams(change),
        request=request,
        four_eyes="requested",
        kind=change.kind,
        subject=user.pk,
        role=change.role,
        grant=change.grant,
    )
    return change


def _decide(*, actor, change: RoleChangeRequest, status: str, request=None) -> RoleChangeRequest:
    """
    Decide a pending request as a second administrator: lock it, apply it when approved, mark it
    decided and record the decision for the teams it concerned. The callers hold the transaction.
    """
    if not is_administrator(actor):
        raise PermissionDenied(_("Only administrators decide role changes."))
    # Locked, so that two administrators deciding at once do not both apply it.
    change = RoleChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != RoleChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not can_decide_role_change(actor, change):
        raise PermissionDenied(
            _("A second administrator, neither the one who asked nor the one it concerns, decides.")
        )
    approved = status == RoleChangeRequest.Status.APPROVED
    # The teams before the change, so that a team the user leaves still sees it.
    teams_before = _request_teams(change)
    if approved:
        _apply(change)
    change.status = status
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    record_for_teams(
        actor,
        "update",
        change,
        teams=teams_before,
        request=request,
        four_eyes=str(change.status),
        kind=change.kind,
        subject=change.user_id,
        # An approval also records what it applied.
        **({"role": change.role, "grant": change.grant} if approved else {}),
    )
    return change


@transaction.atomic
def role_change_approve(*, actor, change: RoleChangeRequest, request=None) -> RoleChangeRequest:
    """Approve a pending request of another administrator and apply it, in one transaction."""
    return _decide(
        actor=actor, change=change, status=RoleChangeRequest.Status.APPROVED, request=request
    )


@transaction.atomic
def role_change_reject(*, actor, change: RoleChangeRequest, request=None) -> RoleChangeRequest:
    """Reject a pending request: nothing of it is applied."""
    return _decide(
        actor=actor, change=change, status=RoleChangeRequest.Status.REJECTED, request=request
    )


def _apply(change: RoleChangeRequest) -> None:
    user = change.user
    Kind = RoleChangeRequest.Kind
    if change.kind == Kind.TEAM_ROLE:
        if change.role:
            TeamMembership.objects.update_or_create(
                user=user, team=change.team, defaults={"role": change.role}
            )
        else:
            # Deleted one by one, so the role groups follow (accounts.receivers).
            for membership in TeamMembership.objects.filter(user=user, team=change.team):
                membership.delete()
    elif change.kind == Kind.SUPERUSER:
        user.is_superuser = change.grant
        user.save(update_fields=["is_superuser"])
    elif change.kind == Kind.STAFF:
        user.is_staff = change.grant
        user.save(update_fields=["is_staff"])
    elif change.kind == Kind.ADMINISTRATOR:
        group, _created = Group.objects.get_or_create(name=RoleGroup.ADMINISTRATOR.value)
        if change.grant:
            user.groups.add(group)
        else:
            user.groups.remove(group)


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
