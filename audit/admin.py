from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .labels import target_type_label
from .models import AuditEvent


class TargetTypeFilter(admin.SimpleListFilter):
    """The kinds of record in the trail, by their names in the reader's language."""

    title = _("kind of record")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        labels = (
            model_admin.get_queryset(request)
            .exclude(target_type="")
            .order_by()
            .values_list("target_type", flat=True)
            .distinct()
        )
        return sorted(((label, target_type_label(label)) for label in labels), key=lambda c: c[1])

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail, read-only: nobody adds, changes or deletes events here."""

    list_display = [
        "sequence",
        "occurred_at",
        "actor_username",
        "action",
        "kind_of_record",
        "target_reference",
        "ip",
    ]
    list_filter = ["action", TargetTypeFilter]
    date_hierarchy = "occurred_at"
    search_fields = ["=actor_username", "=target_reference", "=target_id"]
    raw_id_fields = ["actor"]
    show_full_result_count = False

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user)

    @admin.display(description=_("kind of record"), ordering="target_type")
    def kind_of_record(self, event):
        return event.target_type_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
