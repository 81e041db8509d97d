"""
Sign-in events go to the audit trail from here, and from nowhere else; role groups follow team
memberships from here.
"""

from axes.signals import user_locked_out
from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from audit.services import record

from .middleware import AbsoluteSessionLifetimeMiddleware
from .models import TeamMembership
from .roles import install_role_groups, sync_role_groups
from .signin import username_digest


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    record(user, "login", request=request, step="password")


@receiver(user_logged_in, dispatch_uid="accounts.stamp_session_start")
def stamp_session_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        AbsoluteSessionLifetimeMiddleware.stamp(request)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", request=request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # What was typed as the login may be a password in the wrong field: only its keyed digest is
    # kept, which still tells repeated attempts at one name apart. The password never is kept.
    typed = credentials.get("username")
    record(
        None,
        "login_failed",
        request=request,
        login_digest=username_digest(typed if isinstance(typed, str) else None),
    )


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def audit_lockout(sender, request, username=None, **kwargs):
    # axes signals the digest it counts under (accounts.signin.axes_username), never the name.
    record(None, "lockout", request=request, login_digest=username or "")


@receiver([post_save, post_delete], sender=TeamMembership, dispatch_uid="accounts.sync_roles")
def follow_team_roles(sender, instance, **kwargs):
    sync_role_groups(instance.user)


@receiver(post_migrate, dispatch_uid="accounts.install_role_groups")
def keep_role_groups_complete(sender, app_config, apps=global_apps, **kwargs):
    # Once per migrate (or flush), after the last app's permissions exist: models added after the
    # groups' migration (a new app's) get their permissions into the groups.
    if app_config.label == list(global_apps.get_app_configs())[-1].label:
        install_role_groups(apps)
