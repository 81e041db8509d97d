"""
Every write to the casework records. Each service takes keyword arguments only, names the `actor`
who acts, validates with `full_clean()`, saves and appends the audit event inside one
transaction, so that a refused write leaves nothing behind, not even its audit event.

Each service first asks casework.permissions whether `actor` may do it, and raises
PermissionDenied when not, whichever page, API view, admin page or import called it.

Updates take `expected_version`, the version the caller read: a save based on an older reading
is refused with StaleEditError instead of silently overwriting someone else's change. Audit
events name the fields that changed, never their values.

The package is split by sub-domain; import from `casework.services`, which names every service.
"""

from .attachments import (
    attachment_add,
    sniff_content_type,
)
from .break_glass import (
    case_break_glass,
)
from .bulk import (
    households_create,
)
from .cases import (
    case_add_member,
    case_assign,
    case_close,
    case_flag_clear,
    case_flag_set,
    case_open,
    case_reassign,
    case_records_credit,
    case_reopen,
    case_share,
    case_transfer,
    case_update,
    cases_bulk_close,
    cases_bulk_reassign,
    caseworker_reassign_all,
)
from .checkins import (
    check_in_record,
    check_in_schedule_set,
    check_ins_escalate,
)
from .consents import (
    person_consent_record,
    person_consent_renew,
)
from .corrections import (
    record_correct,
    record_void,
)
from .merge import (
    person_merge,
)
from .people import (
    person_alias_add,
    person_create,
    person_update,
    relationship_create,
    relationship_update,
)
from .plans import (
    goal_add,
    goal_end,
    goal_step_add,
    plan_review_record,
    plan_review_schedule_set,
)
from .records import (
    Detention,
    case_note_add,
    detention_record,
    incident_record,
    incident_update,
    task_complete,
    task_create,
)
from .statuses import (
    entitlement_record,
    legal_status_change,
    legal_status_record_add,
)

__all__ = [
    "Detention",
    "attachment_add",
    "case_add_member",
    "case_assign",
    "case_break_glass",
    "case_close",
    "case_flag_clear",
    "case_flag_set",
    "case_note_add",
    "case_open",
    "case_reassign",
    "case_records_credit",
    "case_reopen",
    "case_share",
    "case_transfer",
    "case_update",
    "cases_bulk_close",
    "cases_bulk_reassign",
    "caseworker_reassign_all",
    "check_in_record",
    "check_in_schedule_set",
    "check_ins_escalate",
    "detention_record",
    "entitlement_record",
    "goal_add",
    "goal_end",
    "goal_step_add",
    "households_create",
    "incident_record",
    "incident_update",
    "legal_status_change",
    "legal_status_record_add",
    "person_alias_add",
    "person_consent_record",
    "person_consent_renew",
    "person_create",
    "person_merge",
    "person_update",
    "plan_review_record",
    "plan_review_schedule_set",
    "record_correct",
    "record_void",
    "relationship_create",
    "relationship_update",
    "sniff_content_type",
    "task_complete",
    "task_create",
]
