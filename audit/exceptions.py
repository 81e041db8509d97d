class AuditError(Exception):
    """Base class of the audit trail's errors."""


class AppendOnlyError(AuditError):
    """Something tried to change or remove an audit event, or to add one around `record()`."""


class AuditDetailError(AuditError, ValueError):
    """An event's detail holds something the audit trail must not keep."""
