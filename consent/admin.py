from django.contrib import admin

from casework.admin import CaseworkModelAdmin

from .models import Consent


@admin.register(Consent)
class ConsentAdmin(CaseworkModelAdmin):
    """Consent is recorded by caseworkers with the person; the admin only shows the history."""

    list_display = [
        "person",
        "given_on",
        "method",
        "store_data",
        "share_with_advocates",
        "named_in_documents",
        "statistics",
    ]
    list_filter = ["method", "store_data", "share_with_advocates", "statistics"]
    readonly_fields = [field.name for field in Consent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
