"""Admin for staff accounts and teams: the people who use Shimteo, never the people it protects."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Team, TeamMembership, User


class UserTeamsInline(admin.TabularInline):
    model = TeamMembership
    fields = ["team", "role"]
    extra = 0
    verbose_name = _("team")
    verbose_name_plural = _("teams")


class TeamMembersInline(admin.TabularInline):
    model = TeamMembership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ["preferred_language"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Preferences"), {"fields": ["preferred_language"]}),
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count"]
    search_fields = ["name"]
    inlines = [TeamMembersInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team):
        return team.member_count
