from .access import BreakGlassAccess
from .cases import Attachment, Case, CaseAssignment, CaseFlag, CaseMember, CaseNote, Task
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
    "Entitlement",
    "Incident",
    "LegalStatusRecord",
    "Person",
    "PersonAlias",
    "Relationship",
    "Task",
]
