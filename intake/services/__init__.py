"""
Every write of the intake: drafts, submission with duplicate detection, the supervisor's
decisions, and merging two records of one person. Approval creates the casework records only
through casework.services and consent.services, in one transaction with its audit events, so
a refusal half-way leaves nothing behind.

The package is split by sub-domain: `drafts` (taking an intake step by step and submitting it),
`households` (what an approved intake writes, also planned for the import), `decisions` (approve,
reject, send back), `verdicts` (another team's word on a possible duplicate), `merging` (an
intake merged into someone on file, and the merge hook); import from `intake.services`, which
names every service.
"""

from .decisions import (
    intake_approve,
    intake_reject,
    intake_return,
)
from .drafts import (
    IncompleteIntake,
    intake_discard,
    intake_save_step,
    intake_start,
    intake_submit,
    posted_answers,
    step_forms,
    validated,
)
from .households import (
    create_records,
    household_plan,
)
from .merging import (
    intake_merge,
    merge_targets,
    open_cases_of,
    person_merged,
)
from .verdicts import (
    duplicate_verdict,
)

__all__ = [
    "IncompleteIntake",
    "create_records",
    "duplicate_verdict",
    "household_plan",
    "intake_approve",
    "intake_discard",
    "intake_merge",
    "intake_reject",
    "intake_return",
    "intake_save_step",
    "intake_start",
    "intake_submit",
    "merge_targets",
    "open_cases_of",
    "person_merged",
    "posted_answers",
    "step_forms",
    "validated",
]
