from .access import BreakGlassAccess
from .cases import Attachment, Case, CaseAssignment, CaseFlag, CaseMember, CaseNote, Task
from .corrections import Correctable, RecordRevision
from .people import (
    Entitlement,
    Incident,
    LegalStatusRecord,
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
    "Correctable",
    "Entitlement",
    "Incident",
    "LegalStatusRecord",
    "Person",
    "PersonAlias",
    "RecordRevision",
    "Relationship",
    "Task",
]
