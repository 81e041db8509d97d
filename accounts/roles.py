"""
The four roles as Django groups, with the model permissions each needs. Team roles (caseworker,
supervisor, legal advocate) follow a user's team memberships; the administrator group is given by
hand. Which *cases* a user sees is not a permission: that is the visibility rule of
casework.querysets. Permissions say what a user may do to what they can see.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class RoleGroup(TextChoices):
    CASEWORKER = "Caseworker", _("Caseworker")
    SUPERVISOR = "Supervisor", _("Supervisor")
    LEGAL_ADVOCATE = "Legal advocate", _("Legal advocate")
    ADMINISTRATOR = "Administrator", _("Administrator")


CASE_RECORDS = (
    "casework.person",
    "casework.personalias",
    "casework.relationship",
    "casework.legalstatusrecord",
    "casework.entitlement",
    "casework.incident",
    "casework.case",
    "casework.casemember",
    "casework.casenote",
    "casework.task",
    "casework.attachment",
    "casework.caseflag",
    "consent.consent",
)


def _perms(actions, models):
    return {
        f"{model.split('.')[0]}.{action}_{model.split('.')[1]}"
        for action in actions
        for model in models
    }


_CASEWORKER = _perms(("add", "change", "view"), CASE_RECORDS) | {"casework.view_caseassignment"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    RoleGroup.CASEWORKER: _CASEWORKER,
    RoleGroup.SUPERVISOR: _CASEWORKER
    | _perms(("add", "change", "delete"), ("casework.caseassignment",))
    | {"audit.view_auditevent"},
    # Advocates read the cases shared with them; their own work (advocacy documents) is added
    # by the legal_aid app's permissions.
    RoleGroup.LEGAL_ADVOCATE: _perms(("view",), CASE_RECORDS)
    | _perms(("add", "view"), ("legal_aid.advocacydocument",)),
    # Administrators run accounts, teams and reference data, and read the audit trail. They see
    # case content only by breaking the glass on one case, with a reason.
    RoleGroup.ADMINISTRATOR: _perms(
        ("add", "change", "view"), ("accounts.user", "accounts.team", "accounts.teammembership")
    )
    | {"audit.view_auditevent"},
}

# A team role gives its group.
MEMBERSHIP_GROUPS = {
    "caseworker": RoleGroup.CASEWORKER,
    "supervisor": RoleGroup.SUPERVISOR,
    "legal_advocate": RoleGroup.LEGAL_ADVOCATE,
}


def install_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (those that exist yet)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(permissions)


def sync_role_groups(user) -> None:
    """Put the user in the groups of the team roles they hold, and in no other team-role group."""
    from django.contrib.auth.models import Group

    held = {
        MEMBERSHIP_GROUPS[role] for role in user.team_memberships.values_list("role", flat=True)
    }
    team_groups = Group.objects.filter(
        name__in=[group.value for group in MEMBERSHIP_GROUPS.values()]
    )
    for group in team_groups:
        if group.name in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
