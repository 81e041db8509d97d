import datetime

from django.contrib import admin
from django.utils import timezone

from .metrics import document_summary, task_summary
from .models import TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Celery task metrics for administrators: read-only, with a summary per task above the list."""

    change_list_template = "admin/ops/taskrun/change_list.html"
    list_display = ["name", "state", "attempts", "started_at", "duration_ms", "worker", "error"]
    list_filter = ["state", "name"]
    date_hierarchy = "started_at"
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        day = timezone.now() - datetime.timedelta(days=1)
        extra_context = {
            **(extra_context or {}),
            "summary_day": task_summary(since=day),
            "summary_all": task_summary(),
            "documents": document_summary(),
        }
        return super().changelist_view(request, extra_context=extra_context)
