"""The directory and the referrals in the admin: read-only, rows by visibility, opening audited."""

from django.contrib import admin

from casework.admin.base import CaseworkModelAdmin

from .models import Referral, ServiceProvider


@admin.register(ServiceProvider)
class ServiceProviderAdmin(CaseworkModelAdmin):
    list_display = ("kind", "region", "team", "shared", "active")
    list_filter = ("kind", "shared", "active")
    fields = ("team", "name", "kind", "languages", "region", "contact", "safety_notes", "shared")


@admin.register(Referral)
class ReferralAdmin(CaseworkModelAdmin):
    list_display = ("service", "status", "urgency", "referred_on")
    list_filter = ("service", "status", "urgency")
    fields = (
        "case",
        "person",
        "provider",
        "service",
        "referred_on",
        "urgency",
        "status",
        "outcome",
    )
