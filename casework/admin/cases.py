"""Cases and their running records (members, assignments, flags, notes, tasks, incidents, files)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseFlag,
    CaseMember,
    CaseNote,
    CheckIn,
    CheckInSchedule,
    Incident,
    Task,
)
from .base import CaseworkInline, CaseworkModelAdmin, YesNoNullFilter


class TaskDoneFilter(YesNoNullFilter):
    title = _("done")
    parameter_name = "done"
    field, yes_when_null = "completed_at", False
    options = (("no", _("To do")), ("yes", _("Done")))


class CaseMemberInline(CaseworkInline):
    model = CaseMember
    fields = ["person", "role", "added_at"]


class CaseAssignmentInline(CaseworkInline):
    """
    Who works or reads a case is given through casework.services (assign, hand over, share),
    which check who decides and who may be given the case: an administrator who could add a row
    here could make anyone, themself or a legal advocate included, a caseworker of the case.
    """

    model = CaseAssignment
    select_related = ("user", "assigned_by")
    fields = ["user", "role", "assigned_by", "assigned_at"]


class CaseNoteInline(CaseworkInline):
    model = CaseNote
    select_related = ("author",)
    fields = ["kind", "contacted_on", "body", "author", "created_at"]


class TaskInline(CaseworkInline):
    model = Task
    fields = ["title", "due_on", "assignee", "completed_at"]


class CaseFlagInline(CaseworkInline):
    """Flags are raised and cleared on the case's pages, through the services."""

    model = CaseFlag
    select_related = ("set_by", "cleared_by")
    fields = ["kind", "active", "set_by", "set_at", "cleared_by", "cleared_at"]


@admin.register(Case)
class CaseAdmin(CaseworkModelAdmin):
    list_display = [
        "reference",
        "team",
        "status",
        "risk_level",
        "opened_on",
        "closed_on",
        "owner",
    ]
    list_filter = ["status", "risk_level", "team"]
    list_select_related = ["team", "owner"]
    date_hierarchy = "opened_on"
    search_fields = ["reference"]
    fields = [
        "reference",
        "team",
        "owner",
        "status",
        "risk_level",
        "opened_on",
        "closed_on",
        "summary",
        "created_at",
        "updated_at",
    ]
    inlines = [
        CaseFlagInline,
        CaseMemberInline,
        CaseAssignmentInline,
        CaseNoteInline,
        TaskInline,
    ]


@admin.register(CaseNote)
class CaseNoteAdmin(CaseworkModelAdmin):
    list_display = ["case", "kind", "contacted_on", "author", "created_at"]
    list_filter = ["case__team", "kind"]
    list_select_related = ["case", "author"]
    search_fields = ["case__reference"]
    fields = ["case", "kind", "contacted_on", "body", "author", "created_at"]


@admin.register(Task)
class TaskAdmin(CaseworkModelAdmin):
    list_display = ["case", "due_on", "assignee", "is_done", "completed_at"]
    list_filter = [TaskDoneFilter, "case__team", "due_on"]
    list_select_related = ["case", "assignee"]
    search_fields = ["case__reference"]
    fields = [
        "case",
        "title",
        "due_on",
        "assignee",
        "completed_at",
        "completed_by",
        "created_by",
        "created_at",
    ]

    @admin.display(boolean=True, description=_("done"))
    def is_done(self, task):
        return task.is_done


@admin.register(Incident)
class IncidentAdmin(CaseworkModelAdmin):
    list_display = ["case", "kind", "occurred_on", "region", "recorded_by"]
    list_filter = ["kind", "region", "case__team"]
    list_select_related = ["case", "recorded_by"]
    date_hierarchy = "occurred_on"
    search_fields = ["case__reference"]
    fields = [
        "case",
        "kind",
        "occurred_on",
        "region",
        "description",
        "people",
        "recorded_by",
        "recorded_at",
    ]


@admin.register(Attachment)
class AttachmentAdmin(CaseworkModelAdmin):
    """
    File metadata only: the encrypted storage has no URL, and files are served by the audited
    download view. Uploads and removals go through the caseworker pages.
    """

    list_display = ["case", "person", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "case__team"]
    list_select_related = ["case", "person", "uploaded_by"]
    search_fields = ["case__reference", "person__reference"]
    fields = [
        "case",
        "person",
        "original_name",
        "description",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]


@admin.register(CheckInSchedule)
class CheckInScheduleAdmin(CaseworkModelAdmin):
    """A safety check-in schedule. The duress word is not shown here: only the case's supervisors
    see it, on the schedule's page."""

    list_display = ["case", "person", "every_days", "channel", "grace_days", "active"]
    list_filter = ["case__team", "channel", "active"]
    list_select_related = ["case", "person"]
    search_fields = ["case__reference"]
    fields = [
        "case",
        "person",
        "every_days",
        "on_dates",
        "starts_on",
        "channel",
        "grace_days",
        "active",
        "created_by",
        "created_at",
    ]


@admin.register(CheckIn)
class CheckInAdmin(CaseworkModelAdmin):
    """What a check-in found, as tapped; whether the duress word was used is not shown here."""

    list_display = ["case", "day", "outcome", "recorded_by", "recorded_at"]
    list_filter = ["case__team", "outcome"]
    list_select_related = ["case", "recorded_by"]
    search_fields = ["case__reference"]
    fields = ["case", "schedule", "day", "outcome", "note", "recorded_by", "recorded_at"]
