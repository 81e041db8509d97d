"""
Who may change what: every "may this user do X to this object" of casework is a named function
here. Visibility is decided by `visible_to(user)` (casework.querysets) alone; these checks come
after it and only narrow it: a user who can see a case may still be refused a change.

The services (casework.services) call them and raise PermissionDenied, whoever calls the
service; pages, the API and the admin ask them only to decide what to offer (a button, a
choice list) and to answer a refusal before the form is filled in. They take no request.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import roles
from accounts.kept_sql import of_user, rows_of_shape

from .choices import AssignmentRole
from .models import (
    Case,
    CaseAssignment,
    CaseMember,
    LegalStatusRecord,
    Person,
    Relationship,
    Task,
)
from .querysets import subquery_kept, visible_case_ids


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# Answers kept while one page is read

# The answers of the checks marked `@_kept`, by (check, user, object), while `answers_kept()` runs;
# None outside it, where every call asks the database.
_kept_answers: ContextVar[dict | None] = ContextVar("kept_permission_answers", default=None)


@contextmanager
def answers_kept():
    """
    Within this block each kept check (`can_edit_case`, `can_edit_person`, `can_supervise`) asks
    the database once per user and object, however many times the page and its sections ask it:
    the case page asked `can_edit_case` three times (the view, the referrals section's
    `can_refer`, each follow-up's `can_complete_task`), each time compiling the visibility rule
    anew. For reading pages only: a write changes the answers, so the services, which check
    before they write, run outside such a block and are asked afresh every time.
    """
    token = _kept_answers.set({})
    try:
        yield
    finally:
        _kept_answers.reset(token)


def _answer_key(name: str, user, obj) -> tuple:
    return (name, getattr(user, "pk", None), type(obj), obj.pk)


def _kept(check):
    """Keeps `check(user, obj)`'s answer while `answers_kept()` runs (see there)."""

    @functools.wraps(check)
    def kept(user, obj):
        answers = _kept_answers.get()
        if answers is None or getattr(obj, "pk", None) is None:
            return check(user, obj)
        key = _answer_key(check.__name__, user, obj)
        if key not in answers:
            answers[key] = check(user, obj)
        return answers[key]

    return kept


def case_answers(user) -> dict:
    """
    `can_edit_case(user, case)` and `can_supervise(user, case.team)` as columns of a query of
    cases, each over the row's own case: the case page reads them with its case, in the same
    query (two round trips fewer), then `keep_case_answers` keeps them as the checks' answers.
    The rules are those of the checks below, written here once more as conditions on a row.
    """
    editable = subquery_kept(user, "editable cases", lambda: editable_cases(user).values("pk"))
    return {
        "answer_can_edit_case": Exists(Case.objects.filter(pk=OuterRef("pk"), pk__in=editable)),
        "answer_can_supervise": roles.supervises_column(user, OuterRef("team")),
    }


def keep_case_answers(user, case: Case) -> None:
    """
    Keeps what `case_answers(user)` read with `case` as `can_edit_case(user, case)` and
    `can_supervise(user, case.team)` answered, while `answers_kept()` runs (else nothing).
    """
    answers = _kept_answers.get()
    if answers is None:
        return
    answers[_answer_key("can_edit_case", user, case)] = case.answer_can_edit_case
    answers[_answer_key("can_supervise", user, case.team)] = case.answer_can_supervise


# Editing a case and its people


def editable_cases(user) -> QuerySet[Case]:
    """
    The cases `user` may change: assigned to them as caseworker or owned by them while they work
    the case's team (caseworker or supervisor), or of a team they supervise. Legal advocates read
    the cases shared with them but change none, nor those they were assigned to before they became
    the team's advocate; a superuser is not included by right (reaching case content is the
    audited break-glass action).
    """
    return Case.objects.worked_now_by(user, assignment_role=AssignmentRole.CASEWORKER)


@_kept
def can_edit_case(user, case: Case) -> bool:
    """Whether `user` may change the records of `case` (see `editable_cases`)."""
    # The case probed against the editable cases' ids, whose SQL is written once per user (as
    # `can_edit_person`): the rule is not compiled again into each check.
    editable = subquery_kept(user, "editable cases", lambda: editable_cases(user).values("pk"))
    # The probe itself kept too (`_any_kept`): building it cost ~800 Python calls a page.
    return _any_kept(
        user, "case editable", lambda pk: Case.objects.filter(pk=pk, pk__in=editable), case.pk
    )


def editable_cases_of_person(user, person: Person) -> QuerySet[Case]:
    """The cases of `person` that `user` may change; a person is editable through any of them."""
    return editable_cases(user).filter(members__person=person).order_by("-opened_on", "reference")


@_kept
def can_edit_person(user, person: Person) -> bool:
    # The person's few memberships probed against the editable cases' ids, whose SQL is written
    # once per user in the process: as `editable_cases_of_person(user, person).exists()`, without
    # compiling the rule again for each person asked about.
    editable = subquery_kept(user, "editable cases", lambda: editable_cases(user).values("pk"))
    return CaseMember.objects.filter(person=person, case__in=editable).exists()


def editable_people(user) -> QuerySet[Person]:
    """
    The people `user` may change, and so may add to another case or tie to someone: those of a
    case they may change. Someone seen only through a case shared read-only is not among them.
    """
    members = CaseMember.objects.filter(case__in=editable_cases(user).values("pk"))
    return Person.objects.filter(pk__in=members.values("person"))


def can_record_tie(user, from_person: Person, to_person: Person) -> bool:
    """A family tie speaks about both people, so both must be the user's to change."""
    return can_edit_person(user, from_person) and can_edit_person(user, to_person)


def can_edit_record(user, record) -> bool:
    """Edit rights on any casework record follow its case, or the people it is about."""
    if isinstance(record, Case):
        return can_edit_case(user, record)
    if isinstance(record, Person):
        return can_edit_person(user, record)
    if isinstance(record, Relationship):
        return can_record_tie(user, record.from_person, record.to_person)
    if hasattr(record, "case"):
        return can_edit_case(user, record.case)
    if hasattr(record, "person"):
        return can_edit_person(user, record.person)
    raise TypeError(f"No edit rule for {type(record).__name__}")


def can_record_consent(user, person: Person) -> bool:
    """
    What a person agreed to is recorded, renewed or withdrawn by whoever may change the person:
    the caseworkers of their cases and their supervisors. A legal advocate reads it only.
    """
    return can_edit_person(user, person)


def consent_witnesses(cases) -> QuerySet:
    """
    Staff who may witness a consent given in `cases`: the active caseworkers and supervisors of
    their teams. A legal advocate is shown cases, she does not work them: she witnesses nothing.
    """
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            team_memberships__team__in=cases.values("team"),
            team_memberships__role__in=roles.WORKING_ROLES,
        )
        .distinct()
        .order_by("username")
    )


def can_witness_consent(user, cases) -> bool:
    """Whether `user` may be named as the staff witness of a consent given in `cases`."""
    return consent_witnesses(cases).filter(pk=user.pk).exists()


def can_withdraw_consent(user, person: Person) -> bool:
    """A withdrawal may erase the person's details: the same people as `can_record_consent`."""
    return can_record_consent(user, person)


def can_merge_people(user, source: Person, target: Person) -> bool:
    """
    Merging two records of one person rewrites both (the duplicate's history moves, then it is
    deleted): only someone who may change each of them may say they are one.
    """
    return can_edit_person(user, source) and can_edit_person(user, target)


def can_correct_record(user, record) -> bool:
    """
    Correcting or voiding a note, follow-up, file, incident, alias, tie, status period or benefit
    is for whoever may change it: its case's caseworkers and supervisors, or the people's (a
    status period also for an administrator through break-glass, as `can_record_legal_status`).
    """
    if not _is_active(user):
        return False
    if isinstance(record, LegalStatusRecord):
        return can_record_legal_status(user, record.person)
    return can_edit_record(user, record)


def can_see_record_history(user, record) -> bool:
    """
    A record's earlier values and voided records are shown to those who may correct it, not to
    everyone who reads the case: a correction often removes what should not have been written
    (a wrong name), which a legal advocate reading a shared case has no need to see.
    """
    return can_correct_record(user, record)


def can_register_person(user, case: Case | None) -> bool:
    """
    Registering someone puts them in `case`, which the user must be able to change. Without a
    case (an intake registers its people, then opens their case in the same transaction) only
    staff who work a team's cases may.
    """
    if case is not None:
        return can_edit_case(user, case)
    return roles.working_teams(user).exists()


def may_register_people(user) -> bool:
    """Whether "Register a person" leads anywhere: there is a case the user may register into."""
    # `editable_cases(user).exists()` narrowed from the user's side, each through its index and
    # stopped at the first case: asked whole, PostgreSQL hashed every assignment of the user
    # (7,600 for a caseworker at 100,000 people) to find one case. Each narrowing is still the
    # rule of `editable_cases`: a case of a team the user supervises, one they own, one they are
    # assigned to.
    # The supervised teams are read first, as ids: `team IN (subquery)` left PostgreSQL to scan
    # every case for someone who supervises none.
    supervised = supervised_team_ids(user)
    return (
        (
            bool(supervised)
            and _any_kept(
                user,
                "editable in supervised teams",
                lambda *teams: editable_cases(user).filter(team__in=teams),
                *supervised,
            )
        )
        or _any_kept(user, "editable owned", lambda: editable_cases(user).filter(owner=user))
        or _any_kept(
            user,
            "editable assigned",
            lambda: editable_cases(user).filter(
                pk__in=CaseAssignment.objects.filter(
                    user=user, role=AssignmentRole.CASEWORKER
                ).values("case")
            ),
        )
    )


def supervised_team_ids(user) -> list[int]:
    """
    The ids of `roles.supervised_teams(user)`, its SQL kept per user (kept_sql) as the other
    questions the start page asks of the user's roles: each built and compiled afresh cost
    ~1,000 Python calls, the dashboard asked five.
    """
    teams = rows_of_shape(
        of_user("supervised teams", user), lambda: roles.supervised_teams(user).values("pk")
    )
    return [team["pk"] for team in teams]


def _any_kept(user, name: str, build, *keys) -> bool:
    """`build(*keys).exists()`, its SQL kept per user and `name` (kept_sql)."""
    # Unordered, as `exists()` asks: a case's default ordering (newest first) made PostgreSQL
    # sort every case a user owns or supervises (7,600 and 22,900 at 100,000 people, ten times
    # as many at a million) to answer whether there is one.
    return bool(
        rows_of_shape(
            of_user(name, user), lambda *keys: build(*keys).order_by().values("pk")[:1], *keys
        )
    )


def can_bring_person(user, person: Person) -> bool:
    """
    Whether `user` may put a person on file into a case of theirs (a new one, or one they may
    change): that shows the person to everyone who sees that case, so the user must be able to
    change a case the person is already in. Nobody copies a person out of a case shared with
    them to read. A person in no case yet is one just registered (an intake's, before its case
    is opened in the same transaction).
    """
    if not CaseMember.objects.filter(person=person).exists():
        return roles.working_teams(user).exists()
    return can_edit_person(user, person)


def can_add_person_to_case(user, person: Person, case: Case) -> bool:
    """Adding a person on file to `case` needs edit rights on both sides (see `can_bring_person`)."""
    return can_edit_case(user, case) and can_bring_person(user, person)


def can_open_case(user, team) -> bool:
    """The team's caseworkers and supervisors open its cases; legal advocates open none."""
    return roles.works_in(user, team)


def teams_to_open_cases_in(user):
    """The teams in which `user` may open a case (see `can_open_case`)."""
    return roles.working_teams(user)


def can_close_case(user, case: Case) -> bool:
    """Closing or reopening a case is for those who may change it: its caseworkers, supervisors."""
    return can_edit_case(user, case)


def can_plan(user, case: Case) -> bool:
    """
    The case plan (goals, their steps, reviews and their schedule) is kept by those who may
    change the case; a legal advocate it is shared with reads it.
    """
    return can_edit_case(user, case)


def may_open_cases(user) -> bool:
    """Whether "Open a case" leads anywhere for `user`: not for a legal advocate."""
    return _any_kept(user, "teams to open cases in", lambda: teams_to_open_cases_in(user))


def can_complete_task(user, task: Task) -> bool:
    """
    A follow-up is marked done by whoever it was given to, while they can see its case (a legal
    advocate included), or by anyone who may change the case.
    """
    if not _is_active(user):
        return False
    if (
        task.assignee_id == user.pk
        and Case.objects.filter(pk=task.case_id, pk__in=visible_case_ids(user)).exists()
    ):
        return True
    return can_edit_case(user, task.case)


# Supervisors' actions: who works a case, and who else sees it


@_kept
@_kept
def can_supervise(user, team) -> bool:
    """Whether `user` supervises `team`: assigns its caseworkers and moves its cases."""
    return roles.is_supervisor(user, team)


def can_assign(user, case: Case) -> bool:
    """Giving a case to a caseworker, or handing it from one to another, is a supervisor's."""
    return can_supervise(user, case.team)


def can_share(user, case: Case) -> bool:
    """
    Sharing shows a case beyond its team: a supervisor decides it (a caseworker of the case
    may not hand it to any advocate she likes), and every member's consent must allow it.
    """
    return can_supervise(user, case.team)


def can_transfer(user, case: Case) -> bool:
    return can_supervise(user, case.team)


def can_hand_over_caseload(user, team) -> bool:
    """Handing all a leaving caseworker's cases of `team` to another at once."""
    return can_supervise(user, team)


def teams_to_hand_over_in(user):
    """The teams whose caseworkers' cases `user` may hand over (see `can_hand_over_caseload`)."""
    return roles.supervised_teams(user)


def can_bulk_change(user, cases) -> bool:
    """Reassigning or closing many cases at once is a supervisor's, for every case of the lot."""
    return all(can_supervise(user, case.team) for case in cases)


def teams_to_bulk_change_in(user):
    """The teams whose cases `user` may reassign or close many at once (see `can_bulk_change`)."""
    return roles.supervised_teams(user)


def team_ids_to_bulk_change_in(user) -> list[int]:
    """The ids of `teams_to_bulk_change_in(user)`, by SQL kept per user, for the case list."""
    return supervised_team_ids(user)


def can_see_workload(user) -> bool:
    """The workload of a team's caseworkers is for its supervisors."""
    return _is_active(user) and roles.supervised_teams(user).exists()


def may_work_case(user, case: Case) -> bool:
    """
    Whom a case may be assigned to (when opened, assigned or handed over): active staff who
    work the cases of its team. A legal advocate never becomes a caseworker of a case: she
    would then change what she was only shown.
    """
    return _is_active(user) and roles.works_in(user, case.team)


def may_be_shared_with(user) -> bool:
    """Whom a case may be shared with: an active legal advocate."""
    return roles.is_legal_advocate(user)


def assignable_caseworkers(case: Case) -> QuerySet:
    """The caseworkers of the case's team, offered when a supervisor assigns one."""
    return roles.caseworkers_of(case.team)


# Who sees what about a case


def can_see_case_viewers(user, case: Case) -> bool:
    """Who viewed a case is shown to its caseworkers and owner and to its team's supervisors."""
    if not _is_active(user):
        return False
    if user.is_superuser or case.owner_id == user.pk:
        return True
    return can_supervise(user, case.team) or _any_kept(
        user,
        "case worked as caseworker",
        lambda pk: CaseAssignment.objects.filter(
            case=pk, user=user, role=AssignmentRole.CASEWORKER
        ),
        case.pk,
    )


def staff_who_can_see(case: Case):
    """
    Active staff who can see `case` by the visibility rule without breaking the glass: its
    assigned staff and its owner while they are members of its team, the supervisors of its team,
    and the advocates it is shared with while they are advocates (casework.querysets._worked_by).
    A follow-up goes to one of them.
    """
    # A member in any role, as the visibility rule counts it (casework.querysets._worked_by).
    members = get_user_model().objects.filter(team_memberships__team=case.team_id).values("pk")
    supervisors = roles.supervisors_of(case.team_id).values("pk")
    assigned = CaseAssignment.objects.filter(case=case)
    shared = assigned.filter(role=AssignmentRole.LEGAL_ADVOCATE).values("user")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            (Q(pk__in=assigned.values("user")) | Q(pk=case.owner_id)) & Q(pk__in=members)
            | Q(pk__in=supervisors)
            | Q(pk__in=shared) & Q(pk__in=roles.legal_advocates().values("pk"))
        )
        .order_by("username")
    )


def can_break_glass(user) -> bool:
    """Administrators (and superusers) may ask to see one case's content, with a reason."""
    if not _is_active(user):
        return False
    return user.is_superuser or user.groups.filter(name=roles.RoleGroup.ADMINISTRATOR).exists()


def can_record_legal_status(user, person: Person) -> bool:
    """
    A person's legal-status timeline is changed by whoever may change the person, and by an
    administrator while a break-glass grant lets them see the person: the admin's status page
    goes through the same service, which keeps the timeline whole.
    """
    if can_edit_person(user, person):
        return True
    return can_break_glass(user) and Person.objects.visible_to(user).filter(pk=person.pk).exists()


# Safety check-ins


def can_keep_check_ins(user, person: Person, case: Case) -> bool:
    """Who sets a person's check-in schedule and duress word: whoever may change the person
    and the case the schedule is kept through."""
    return can_edit_person(user, person) and can_edit_case(user, case)


def can_record_check_in(user, case: Case) -> bool:
    """Recording what a check-in found follows the right to change the case."""
    return can_edit_case(user, case)


def can_see_duress_word(user, case: Case) -> bool:
    """A duress word, once entered, is shown to the supervisors of the case's team alone: the
    caseworker's phone is the one most likely to be seized or looked over."""
    return _is_active(user) and roles.is_supervisor(user, case.team)
