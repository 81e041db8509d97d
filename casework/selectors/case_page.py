"""
The case page's small reads of one case: its raised flags, and which of its small lists have rows.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.kept_sql import rows_of_shape

from ..models import (
    Attachment,
    Case,
    CaseClosure,
    CaseFlag,
    CheckInSchedule,
    Goal,
    PlanReview,
    Task,
)


def case_flags(case, *, raised_by: bool = False) -> list:
    """
    The flags raised on a case (unsafe to contact, medical emergency...), in the order of their
    kinds, gravest first: the warning shown on every page of the case. Who raised each is read
    with them only when asked (`raised_by`): the flags page says it, the headers do not.
    """
    kinds = list(case.flags.model.Kind.values)
    flags = case.flags.filter(active=True)
    if raised_by:
        flags = flags.select_related("set_by")
    return sorted(flags, key=lambda flag: kinds.index(flag.kind))


# The case page's small lists of one case, by name: the model each is read from, and the
# condition beyond the case that a row must meet to be listed (an empty Q: any row of the case).
_CASE_LISTS = {
    "closures": (CaseClosure, Q()),
    "attachments": (Attachment, Q()),
    "open tasks": (Task, Q(completed_at__isnull=True)),
    "check-ins": (CheckInSchedule, Q()),
    "goals": (Goal, Q()),
    "plan reviews": (PlanReview, Q()),
    "flags": (CaseFlag, Q(active=True)),
}


# Each list's column in a query of cases (`case_lists_columns`): "open tasks" → "has_open_tasks".
_LIST_COLUMNS = {name: "has_" + name.replace(" ", "_").replace("-", "_") for name in _CASE_LISTS}


def case_lists_columns() -> dict[str, Exists]:
    """
    `case_lists_present` as columns of a query of cases, each an `Exists` over the row's case:
    the case page reads them with the case itself, in the same query.
    """
    return {
        # Every row, a voided one too: the base manager, not one that leaves the voided out.
        _LIST_COLUMNS[name]: Exists(model._base_manager.filter(condition, case=OuterRef("pk")))
        for name, (model, condition) in _CASE_LISTS.items()
    }


def case_lists_present(case: Case) -> frozenset[str]:
    """
    Which of the case page's small lists of `case` (`_CASE_LISTS`: closings, files, open
    follow-ups, check-in schedules, the plan's goals and reviews, raised flags) may have rows.
    Most cases have none of most of them, and building and compiling each list's query cost
    2,500 to 6,000 Python calls to read nothing: the page reads only the lists named here. Any
    row of the case counts (a voided one too): a list not named has nothing to show to anyone,
    whatever their rights. Taken from the case's own row when it was read with
    `case_lists_columns()`, else from one query, its SQL compiled once per process.
    """
    columns = _LIST_COLUMNS
    if all(hasattr(case, column) for column in columns.values()):
        present = {column: getattr(case, column) for column in columns.values()}
    else:
        [present] = rows_of_shape(
            "case lists present",
            lambda case_id: Case.objects.filter(pk=case_id).values(**case_lists_columns()),
            case.pk,
        ) or [dict.fromkeys(columns.values(), False)]
    return frozenset(name for name, column in columns.items() if present[column])
