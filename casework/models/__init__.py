from .access import BreakGlassAccess
from .cases import (
    Attachment,
    Case,
    CaseAssignment,
    CaseFlag,
    CaseloadCount,
    CaseMember,
    CaseNote,
    Task,
)
from .checkins import CheckIn, CheckInSchedule, Escalation
from .corrections import Correctable, RecordRevision
from .people import (
    CaseNameKey,
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
)
from .plans import CaseClosure, Goal, PlanReview

__all__ = [
    "Attachment",
    "BreakGlassAccess",
    "Case",
    "CaseAssignment",
    "CaseClosure",
    "CaseFlag",
    "CaseMember",
    "CaseNameKey",
    "CaseNote",
    "CaseloadCount",
    "CheckIn",
    "CheckInSchedule",
    "Correctable",
    "Entitlement",
    "Escalation",
    "Goal",
    "Incident",
    "LegalStatusRecord",
    "NameKey",
    "Person",
    "PersonAlias",
    "PlanReview",
    "RecordRevision",
    "Relationship",
    "Task",
]
