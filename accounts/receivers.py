"""Sign-in events go to the audit trail from here, and from nowhere else."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import record


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    record(user, "login", request=request, step="password")


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", request=request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The login typed is a staff account, not a person we protect; the password never is kept.
    record(None, "login_failed", request=request, attempted_login=credentials.get("username", ""))


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def audit_lockout(sender, request, username=None, **kwargs):
    record(None, "lockout", request=request, attempted_login=username or "")
