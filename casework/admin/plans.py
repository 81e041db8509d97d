"""The case plan (goals, reviews) and the closings of cases in the admin: read-only, as the rest."""

from django.contrib import admin

from ..models import CaseClosure, Goal, PlanReview
from .base import CaseworkModelAdmin


@admin.register(Goal)
class GoalAdmin(CaseworkModelAdmin):
    list_display = ["case", "status", "target_on", "responsible", "created_at"]
    list_filter = ["case__team", "status"]
    list_select_related = ["case", "responsible"]
    search_fields = ["case__reference"]
    fields = [
        "case",
        "person",
        "title",
        "why",
        "target_on",
        "responsible",
        "status",
        "ended_on",
        "created_by",
        "created_at",
    ]


@admin.register(PlanReview)
class PlanReviewAdmin(CaseworkModelAdmin):
    list_display = ["case", "reviewed_on", "reviewed_by", "created_at"]
    list_filter = ["case__team"]
    list_select_related = ["case", "reviewed_by"]
    search_fields = ["case__reference"]
    fields = ["case", "reviewed_on", "note", "reviewed_by", "created_at"]


@admin.register(CaseClosure)
class CaseClosureAdmin(CaseworkModelAdmin):
    list_display = ["case", "closed_on", "reason", "closed_by", "reopened_at"]
    list_filter = ["case__team", "reason"]
    list_select_related = ["case", "closed_by"]
    search_fields = ["case__reference"]
    fields = [
        "case",
        "closed_on",
        "reason",
        "other_reason",
        "closed_by",
        "resolved",
        "carried_over",
        "reopened_at",
        "reopened_by",
    ]
