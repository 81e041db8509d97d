"""
Django admin for casework: a window on the records, never a way round the rules.

Every page, inline, choice list and autocomplete starts from `visible_to(request.user)`, the one
visibility rule (casework.querysets), so tightening that rule tightens the admin with it. Lists
show references and coarse plain fields only; decrypted values appear on a record's own page,
one record at a time. Search takes a reference only.

Every page of a record opened here and every list is a chained audit event of the record's case
(of each case of a person), which the case's supervisors read.

Case content is read-only here. It changes on the case's own pages and in the API, through
casework.services, which check who may change it (casework.permissions), apply the date and
family rules (casework.dates), keep the record's history and record the audit event. An admin
page that saved rows itself would skip all four. The one write offered is a new legal status,
and it goes through the same service as the case pages.
"""

# Importing the modules registers their pages.
from .base import CaseworkInline, CaseworkModelAdmin
from .cases import (
    AttachmentAdmin,
    CaseAdmin,
    CaseAssignmentInline,
    CaseNoteAdmin,
    CheckInAdmin,
    CheckInScheduleAdmin,
    IncidentAdmin,
    TaskAdmin,
)
from .people import (
    ConsentAdmin,
    EntitlementAdmin,
    LegalStatusRecordAdmin,
    PersonAdmin,
    RelationshipAdmin,
)
from .plans import CaseClosureAdmin, GoalAdmin, PlanReviewAdmin

__all__ = [
    "AttachmentAdmin",
    "CaseAdmin",
    "CaseAssignmentInline",
    "CaseClosureAdmin",
    "CaseNoteAdmin",
    "CaseworkInline",
    "CaseworkModelAdmin",
    "CheckInAdmin",
    "CheckInScheduleAdmin",
    "ConsentAdmin",
    "EntitlementAdmin",
    "GoalAdmin",
    "IncidentAdmin",
    "LegalStatusRecordAdmin",
    "PersonAdmin",
    "PlanReviewAdmin",
    "RelationshipAdmin",
    "TaskAdmin",
]
