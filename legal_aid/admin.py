"""
Django admin for the legal library, read-only: the rows come from legal_aid/data/corpus.json
through migrations, so a correction is a reviewed change to that file plus a migration that calls
legal_aid.corpus.load again, never an edit here that the next load would silently undo.
"""

from django.contrib import admin

from accounts.admin_mixins import ReadOnlyAdminMixin

from .models import (
    Authority,
    Figure,
    Instrument,
    Provision,
    Restriction,
    RestrictionAuthority,
    RestrictionEvidence,
    SourceDocument,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class ProvisionInline(ReadOnlyInline):
    model = Provision
    fields = ["label", "kind", "number", "text"]
    show_change_link = True


class FigureInline(ReadOnlyInline):
    model = Figure
    fields = ["key", "qualifier", "value", "unit", "period", "quote"]


class AuthorityInline(ReadOnlyInline):
    model = Authority
    fields = ["label", "pinpoint", "heading", "verified"]
    show_change_link = True


class RestrictionAuthorityInline(ReadOnlyInline):
    model = RestrictionAuthority
    fields = ["position", "authority"]


class RestrictionEvidenceInline(ReadOnlyInline):
    model = RestrictionEvidence
    fields = ["entitlement_kind", "entitlement_status", "incident_kind", "person_role"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "issued_on", "document_type"]
    search_fields = ["code", "title", "issuing_body"]
    inlines = [ProvisionInline]


@admin.register(Provision)
class ProvisionAdmin(ReadOnlyAdmin):
    list_display = ["label", "document", "kind", "number"]
    list_filter = ["document", "kind"]
    search_fields = ["label", "text"]
    inlines = [FigureInline]


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin):
    list_display = ["key", "provision", "qualifier", "value", "unit", "period"]
    list_filter = ["unit"]
    search_fields = ["key", "description", "quote"]


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "short_title", "kind", "china_status", "status_verified"]
    list_filter = ["kind", "china_status", "status_verified"]
    search_fields = ["code", "title", "short_title"]
    inlines = [AuthorityInline]


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyAdmin):
    list_display = ["label", "instrument", "pinpoint", "heading", "verified"]
    list_filter = ["instrument", "verified"]
    search_fields = ["label", "heading", "summary"]


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title"]
    search_fields = ["slug", "title", "description"]
    inlines = [RestrictionAuthorityInline, RestrictionEvidenceInline]
