"""
Admin for staff accounts and teams: the people who use Shimteo, never the people it protects.

Administrators run accounts and teams, but nobody changes a role here directly: team roles, the
superuser, staff and administrator flags, groups and permissions are read-only on every page,
and change through a role change request that a second administrator approves (four eyes,
accounts.services). Every write made here is a chained audit event, once for each team it
concerns, so that the team's supervisors read it. An account is switched off, never deleted.
Second-factor devices have no admin page.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from audit.services import record

from . import permissions, services
from .admin_mixins import ReadOnlyAdminMixin
from .models import RoleChangeRequest, Team, TeamMembership, User

# Everything that gives a role: shown, never edited on the user's page. `is_active` stays
# editable (audited): switching off a leaving colleague's account at once must not wait.
STANDING_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


def _changed_fields(form) -> list[str]:
    names = {field.name for field in form._meta.model._meta.get_fields()}
    return [name for name in form.changed_data if name in names]


class ReadOnlyMembershipsMixin(ReadOnlyAdminMixin):
    """Team roles are listed, and changed only through a role change request."""

    extra = 0
    can_delete = False


class UserTeamsInline(ReadOnlyMembershipsMixin, admin.TabularInline):
    model = TeamMembership
    fields = ["team", "role"]
    readonly_fields = fields
    verbose_name = _("team")
    verbose_name_plural = _("teams")


class TeamMembersInline(ReadOnlyMembershipsMixin, admin.TabularInline):
    model = TeamMembership
    fields = ["user", "role"]
    readonly_fields = fields


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ["preferred_language", "time_zone"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Preferences"), {"fields": ["preferred_language", "time_zone"]}),
    ]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "preferred_language",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "teams", "preferred_language"]
    inlines = [UserTeamsInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if obj is not None:
            readonly += ["role_changes", *STANDING_FIELDS]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Roles"), {"fields": ["role_changes"]})]

    @admin.display(description=_("change of roles"))
    def role_changes(self, user):
        url = reverse("admin:accounts_rolechangerequest_add")
        return format_html(
            '<a href="{}?user={}">{}</a>',
            url,
            user.pk,
            _("Ask for a change of team role or flag (a second administrator approves it)"),
        )

    def user_change_password(self, request, id, form_url=""):
        # Setting someone else's password hands over their account: only a superuser may, for
        # an account that is not a superuser's, and the audit trail says so.
        user = self.get_object(request, id)
        if user is not None and not (request.user.is_superuser and not user.is_superuser):
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and user is not None:
            services.record_for_teams(
                request.user,
                "update",
                user,
                teams=services.user_team_ids(user),
                request=request,
                fields=["password"],
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_for_teams(
            request.user,
            "update" if change else "create",
            obj,
            teams=services.user_team_ids(obj),
            request=request,
            fields=_changed_fields(form),
        )

    def has_delete_permission(self, request, obj=None):
        # An account is switched off (`is_active`, audited, its sessions and tokens ended at
        # once), never deleted, not even by a superuser: its deletion took away its team roles
        # without a second administrator, its case assignments and break-glass grants without
        # the events that record them, and its name from every note, status, consent, follow-up
        # and closing it wrote, while the audit trail still named it. Without the permission
        # the admin offers no delete button nor bulk action, and its delete page answers 403.
        return False

    def delete_view(self, request, object_id, extra_context=None):
        """403, as without the permission, but saying how to switch the account off: Django's
        page sent an administrator to "ask your supervisor"."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            return super().delete_view(request, object_id, extra_context)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": _("An account is never deleted"),
        }
        return TemplateResponse(
            request, "admin/accounts/user/delete_refused.html", context, status=403
        )


admin.site.unregister(Group)

# An API token is issued only by the token endpoint, to its own user, after both factors. One
# made here would let an administrator act as any caseworker through the API, past the second
# factor, break-glass and the audit trail's actor; knox's admin page is not offered at all.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdminMixin, DjangoGroupAdmin):
    """
    The role groups and their permissions, read-only: they are installed by migration and kept
    exact by accounts.roles, and widening a role is a change of code, reviewed, not a tick here.
    """


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "member_count"]
    search_fields = ["name"]
    inlines = [TeamMembersInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team):
        return team.member_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(
            request.user,
            "update" if change else "create",
            obj,
            request=request,
            team=obj.pk,
            fields=_changed_fields(form),
        )

    def has_delete_permission(self, request, obj=None):
        # A team with members is not deleted (`can_delete_team`): its members are moved or
        # removed by four-eyes requests first.
        if obj is not None and not permissions.can_delete_team(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk deletion asks no question of each team: one team at a time, from its page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        record(request.user, "delete", obj, request=request, team=obj.pk)
        super().delete_model(request, obj)


@admin.register(RoleChangeRequest)
class RoleChangeRequestAdmin(admin.ModelAdmin):
    """
    Four eyes: one administrator asks (the add page), another approves or rejects (the actions
    of the list). Requests are kept as they were decided: nobody edits or deletes one.
    """

    list_display = [
        "id",
        "user",
        "kind",
        "team",
        "role",
        "grant",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["user", "team", "requested_by", "decided_by"]
    fields = ["user", "kind", "team", "role", "grant"]
    autocomplete_fields = ["user"]
    actions = ["approve", "reject"]

    def has_module_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)

    def has_add_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return permissions.is_administrator(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.fields, "status", "requested_by", "requested_at", "decided_by", "decided_at"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or self.fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        actor = request.user

        class RequestForm(form):
            def _post_clean(self):
                # The service's own rules, checked here so that a refusal is a form error.
                super()._post_clean()
                if self.errors:
                    return
                data = self.cleaned_data
                if data["user"].pk == actor.pk:
                    self.add_error(
                        "user", _("You cannot ask for a change of your own roles or flags.")
                    )
                if data["kind"] == RoleChangeRequest.Kind.TEAM_ROLE and data.get("team") is None:
                    self.add_error("team", _("Choose the team whose role changes."))
                if data["kind"] != RoleChangeRequest.Kind.TEAM_ROLE and (
                    data.get("team") or data.get("role")
                ):
                    self.add_error(
                        "team", _("A flag is not a team role: leave team and role empty.")
                    )

        return RequestForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.role_change_request(
            actor=request.user,
            user=data["user"],
            kind=data["kind"],
            team=data.get("team"),
            role=data.get("role", ""),
            grant=data.get("grant", True),
            request=request,
        )
        # The admin logs and redirects to `obj`: make it stand for the row the service saved.
        obj.pk = saved.pk
        obj._state.adding = False

    @admin.action(description=_("Approve and apply the selected requests"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, services.role_change_approve, _("Approved"))

    @admin.action(description=_("Reject the selected requests"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(request, queryset, services.role_change_reject, _("Rejected"))

    def _decide(self, request, queryset, decide, done):
        for change in queryset:
            try:
                decide(actor=request.user, change=change, request=request)
            except (PermissionDenied, ValidationError) as error:
                reason = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"#{change.pk}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"#{change.pk}: {done}", messages.SUCCESS)
