from .access import BreakGlassAccess
from .cases import Attachment, Case, CaseAssignment, CaseFlag, CaseMember, CaseNote, Task
from .checkins import CheckIn, CheckInSchedule, Escalation, Notification
from .corrections import Correctable, RecordRevision
from .people import (
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
)

__all__ = [
    "Attachment",
    "BreakGlassAccess",
    "Case",
    "CaseAssignment",
    "CaseFlag",
    "CaseMember",
    "CaseNote",
    "CheckIn",
    "CheckInSchedule",
    "Correctable",
    "Entitlement",
    "Escalation",
    "Incident",
    "LegalStatusRecord",
    "NameKey",
    "Notification",
    "Person",
    "PersonAlias",
    "RecordRevision",
    "Relationship",
    "Task",
]
