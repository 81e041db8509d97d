"""
Sign-in events go to the audit trail from here, and from nowhere else; role groups follow team
memberships from here. Paths that are Django's own (the admin's user and team pages, the
`changepassword` command) end a user's access through `user_access_end` from here too: a
password set, a deactivation, a removal from a team.
"""

from axes.signals import user_locked_out
from django.apps import apps as global_apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from audit.services import record

from .middleware import AbsoluteSessionLifetimeMiddleware
from .models import TeamMembership, User
from .roles import install_role_groups, sync_role_groups
from .services import AccessEnded, user_access_end
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
    # groups' migration (a new app's) get their permissions into the groups. Django signals only
    # the apps that have models, so the last of those (an app without models, such as `demo`,
    # would never be signalled).
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if app_config.label == with_models[-1].label:
        install_role_groups(apps)


@receiver(pre_save, sender=User, dispatch_uid="accounts.note_access_changes")
def note_access_changes(sender, instance, raw=False, update_fields=None, **kwargs):
    """Whether this save sets a new password or switches the account off (read before it)."""
    instance._access_ends_because = None
    if raw or instance._state.adding:
        return
    saved = set(update_fields) if update_fields is not None else None
    # `set_password` leaves the raw password in `_password` until the save; a hash upgraded at
    # login (Django rehashes and saves with `_password` cleared) is no new password.
    if instance._password is not None and (saved is None or "password" in saved):
        instance._access_ends_because = AccessEnded.PASSWORD_CHANGED
    elif (
        not instance.is_active
        and (saved is None or "is_active" in saved)
        and User.objects.filter(pk=instance.pk, is_active=True).exists()
    ):
        instance._access_ends_because = AccessEnded.DEACTIVATED


@receiver(post_save, sender=User, dispatch_uid="accounts.end_access_on_save")
def end_access_on_save(sender, instance, created=False, raw=False, **kwargs):
    because = getattr(instance, "_access_ends_because", None)
    instance._access_ends_because = None
    if because is not None:
        user_access_end(user=instance, because=because)


@receiver(post_delete, sender=TeamMembership, dispatch_uid="accounts.end_access_on_leaving")
def end_access_on_leaving(sender, instance, origin=None, **kwargs):
    # Cases of the team stop being visible at once (the visibility rule asks for a current
    # membership); sessions and tokens go too, so nothing cached on a device outlives the change.
    # A user being deleted loses their memberships on the way: nothing left to end then.
    if isinstance(origin, User) and origin.pk == instance.user_id:
        return
    user_access_end(
        user=instance.user,
        because=AccessEnded.LEFT_TEAM,
        team=instance.team_id,
        role=instance.role,
    )


@receiver(pre_save, sender=TeamMembership, dispatch_uid="accounts.note_team_moves")
def note_team_moves(sender, instance, raw=False, **kwargs):
    """A membership moved to another team (the admin's inline allows it) left the old team."""
    instance._left_team = None
    if raw or instance._state.adding:
        return
    before = TeamMembership.objects.filter(pk=instance.pk).values("team", "role").first()
    if before is not None and before["team"] != instance.team_id:
        instance._left_team = before


@receiver(post_save, sender=TeamMembership, dispatch_uid="accounts.end_access_on_moving")
def end_access_on_moving(sender, instance, raw=False, **kwargs):
    left = getattr(instance, "_left_team", None)
    instance._left_team = None
    if left is not None:
        user_access_end(
            user=instance.user, because=AccessEnded.LEFT_TEAM, team=left["team"], role=left["role"]
        )
