from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail, read-only: nobody adds, changes or deletes events here."""

    list_display = [
        "sequence",
        "occurred_at",
        "actor_username",
        "action",
        "target_type",
        "target_reference",
        "ip",
    ]
    list_filter = ["action", "target_type"]
    date_hierarchy = "occurred_at"
    search_fields = ["=actor_username", "=target_reference", "=target_id"]
    raw_id_fields = ["actor"]
    show_full_result_count = False

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
