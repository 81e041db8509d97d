"""
Merging: an intake whose principal is someone already on file is approved into them
(`intake_merge`), and what the intake holds about a duplicate casework merges away now speaks
of the person kept (`person_merged`, a merge hook).
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from casework import services as casework
from casework.choices import CaseStatus
from casework.models import Person
from casework.permissions import editable_cases_of_person, editable_people

from ..models import DuplicateCandidate, ImportedRow, IntakeSubmission
from ._common import Action, Status, _decide, _history, _lock, _refresh, _refuse_unless_deciding
from .drafts import validated
from .households import create_records
from .verdicts import _refuse_while_another_team_checks


def merge_targets(submission: IntakeSubmission, actor):
    """
    Those the principal of the intake may be merged into: candidates found for the principal
    that the supervisor may change (casework.permissions.editable_people). Merging into someone
    out of sight would give the team a person of another team's caseload without that team's
    say; merging into someone seen only through a case shared read-only would write to them.
    """
    pks = submission.duplicates.filter(subject="principal").values("person")
    return editable_people(actor).filter(pk__in=pks).order_by("reference")


def open_cases_of(person: Person, actor):
    """
    The cases of `person` that are not closed and that `actor` may change: an intake merged
    into the person joins one of them rather than opening a second case beside it.
    """
    return (
        editable_cases_of_person(actor, person)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("team")
    )


def _case_to_join(target: Person, actor, case):
    """The open case the intake's people join (None: there is none, a new one is opened)."""
    open_cases = list(open_cases_of(target, actor))
    if case is None:
        if len(open_cases) > 1:
            raise ValidationError(
                {
                    "case": _(
                        "%(person)s is in several open cases: choose the one the intake's "
                        "people join."
                    )
                    % {"person": target.reference}
                }
            )
        return open_cases[0] if open_cases else None
    if case.pk not in {open_case.pk for open_case in open_cases}:
        raise ValidationError(
            {
                "case": _("Choose one of the open cases of %(person)s.")
                % {"person": target.reference}
            }
        )
    return case


def intake_merge(*, submission: IntakeSubmission, target: Person, actor, case=None):
    """
    The principal of the intake is someone already on file: the intake is approved, then the
    new record of the principal is merged into `target`, all in one transaction. Returns the
    case.

    When `target` is on an open case the actor may change, the intake's people join it (the one
    named by `case` when there are several) and no second case is opened: the case keeps its
    risk level and flags. Only when the person has no open case is a new one opened.
    """
    _refuse_unless_deciding(actor, submission)
    _refuse_while_another_team_checks(submission, actor)
    if not merge_targets(submission, actor).filter(pk=target.pk).exists():
        raise ValidationError(
            {"person": _("Merge only into a duplicate candidate of the principal you can see.")}
        )
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        into_case = _case_to_join(target, actor, case)
        case, principal = create_records(
            cleaned=validated(locked),
            team=locked.team,
            caseworker=locked.owner,
            actor=actor,
            into_case=into_case,
        )
        casework.person_merge(source=principal, target=target, actor=actor)
        _decide(locked, actor, Status.MERGED, case=case, merged_into=target, answers={})
        _history(locked, actor, Action.MERGED)
        record(
            actor,
            "status_change",
            locked,
            case=case,
            status=locked.status,
            joined_open_case=into_case is not None,
        )
    _refresh(submission, locked)
    return case


# Merging two records of one person: casework.services.person_merge moves the casework records,
# and asks this app (SHIMTEO_MERGE_HOOKS) to move what it holds about the duplicate.


def person_merged(*, source: Person, target: Person, actor) -> Counter:
    """
    What the intake holds about `source` now speaks of `target`: a duplicate candidate of the
    merged record says nothing more (it is dropped), an intake merged into it or a spreadsheet
    row that created it points at the person kept. Called inside the merge's transaction.
    """
    moved: Counter = Counter()
    moved["candidates_dropped"], _by_model = DuplicateCandidate.objects.filter(
        person=source
    ).delete()
    moved["intakes"] = IntakeSubmission.objects.filter(merged_into=source).update(
        merged_into=target
    )
    moved["imported_rows"] = ImportedRow.objects.filter(person=source).update(person=target)
    return moved
