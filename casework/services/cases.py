"""Cases: opening, updating, members, assignments, sharing, hand-over, transfer and flags."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notifications_settle, notify
from audit.services import Entry, record_many
from consent.checks import refusing
from consent.models import Consent

from .. import dates, permissions
from ..choices import AssignmentRole, CaseStatus, ClosureReason
from ..models import (
    Case,
    CaseAssignment,
    CaseClosure,
    CaseFlag,
    CaseMember,
    CaseNote,
    CheckInSchedule,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Task,
)
from ..selectors.plans import other_open_items
from ._common import (
    CASE_FIELDS,
    SHARING_SCOPE,
    _audit,
    _bump_version,
    _check_fields,
    _filled,
    _require,
    _save,
    _update,
)
from .consents import _consent_save

# Cases


def _assign(
    *, case: Case, user, role: str, actor, tell: str = Notification.Kind.CASE_ASSIGNED
) -> CaseAssignment:
    """
    The one place an assignment is made. Who may be given a case is checked here, so that no
    path (opening, assigning, handing over, sharing) makes a legal advocate a caseworker. The
    user is notified (`tell`: assigned, or handed over), unless they assigned themselves.
    """
    _check_assignable(user, case, role)
    if CaseAssignment.objects.filter(case=case, user=user, role=role).exists():
        raise ValidationError(
            {
                "user": _("%(user)s is already assigned to case %(case)s.")
                % {"user": user.get_username(), "case": case.reference}
            }
        )
    assignment = _save(CaseAssignment(case=case, user=user, role=role, assigned_by=actor))
    _audit(actor, "create", assignment, case=case, role=role, user=user.pk)
    if actor is None or user.pk != actor.pk:
        notify(recipients=[user], kind=tell, target=case)
    return assignment


def _check_assignable(user, case: Case, role: str) -> None:
    """
    Whether `user` may be given `case` in `role` (its team is what counts, so the bulk writer of
    services.bulk asks it once for the new cases of a team).
    """
    if not user.is_active:
        raise ValidationError(
            {"user": _("%(user)s is not an active user.") % {"user": user.get_username()}}
        )
    if role == AssignmentRole.CASEWORKER and not permissions.may_work_case(user, case):
        raise ValidationError(
            {
                "user": _("%(user)s is not a caseworker of team %(team)s.")
                % {"user": user.get_username(), "team": case.team.name}
            }
        )
    # A share counts only while its advocate is one (see casework.querysets._worked_by).
    if role == AssignmentRole.LEGAL_ADVOCATE and not permissions.may_be_shared_with(user):
        raise ValidationError(
            {"user": _("%(user)s is not a legal advocate.") % {"user": user.get_username()}}
        )


def case_open(
    *,
    team,
    actor,
    risk_level: str,
    summary: str = "",
    members: Iterable[tuple[Person, str]] = (),
    caseworkers: Iterable = (),
) -> Case:
    """
    Open a case for a team with its people and the caseworkers who will work it. A caseworker
    of the team who opens it works it too; a supervisor sees it through the team anyway.
    """
    _require(
        permissions.can_open_case(actor, team),
        _("Only the team's caseworkers and supervisors open its cases."),
    )
    members, caseworkers = list(members), list(caseworkers)
    for person, _role in members:
        _require(
            permissions.can_bring_person(actor, person),
            _("You may add to a case only people of the cases you work."),
        )
    if roles.is_caseworker(actor, team) and actor.pk not in {user.pk for user in caseworkers}:
        caseworkers.insert(0, actor)
    with transaction.atomic():
        case = _save(Case(team=team, owner=actor, risk_level=risk_level, summary=summary))
        for person, role in members:
            _save(CaseMember(case=case, person=person, role=role))
        _audit(
            actor,
            "create",
            case,
            fields=_filled({"risk_level": risk_level, "summary": summary}),
            members=len(members),
        )
        for user in caseworkers:
            _assign(case=case, user=user, role=AssignmentRole.CASEWORKER, actor=actor)
    return case


def case_records_credit(*, case: Case, caseworker, actor) -> None:
    """
    The records `actor` has just written for `case` and its people (the case itself, its notes
    and incidents, their statuses, benefits and consents) name `caseworker` as their recorder and
    the case's owner instead: a supervisor approving an intake writes them through the services
    (intake.services.intake_approve), but the caseworker who took it met the family and typed
    what they say. Each record's creation stays the actor's in the audit trail; this adds one
    event on the case naming who was credited. Only someone who may change the case credits
    its records, and only to someone who may work it.
    """
    _require(permissions.can_edit_case(actor, case))
    if caseworker is None or caseworker.pk == actor.pk:
        return
    _check_assignable(caseworker, case, AssignmentRole.CASEWORKER)
    with transaction.atomic():
        people = case.people.all()
        Case.objects.filter(pk=case.pk, owner=actor).update(owner=caseworker)
        CaseNote.with_voided.filter(case=case, author=actor).update(author=caseworker)
        for model in (LegalStatusRecord, Entitlement):
            model.with_voided.filter(person__in=people, recorded_by=actor).update(
                recorded_by=caseworker
            )
        Incident.with_voided.filter(case=case, recorded_by=actor).update(recorded_by=caseworker)
        Consent.objects.filter(person__in=people, recorded_by=actor).update(recorded_by=caseworker)
        _audit(actor, "update", case, fields=["owner"], user=caseworker.pk)
    case.owner = caseworker


def case_update(*, case: Case, actor, expected_version: int | None = None, **fields) -> Case:
    """
    Change a case's risk level, status (open, on hold) or summary. Closing and reopening are
    `case_close` and `case_reopen`'s alone, so that every closing has its reason and its record:
    a change of status to or from closed, or of the closing date, is refused here.
    """
    _require(permissions.can_edit_case(actor, case))
    crossing = (fields.get("status", case.status) == CaseStatus.CLOSED) != (
        case.status == CaseStatus.CLOSED
    )
    if crossing or ("closed_on" in fields and fields["closed_on"] != case.closed_on):
        field = "status" if crossing else "closed_on"
        raise ValidationError(
            {
                field: _(
                    "A case is closed or reopened only with its closing, which asks for the "
                    "reason: the case's “Close the case” page, or /api/v1/closures/ in the API."
                )
            },
            code="closing_elsewhere",
        )
    return _case_update(case=case, actor=actor, expected_version=expected_version, **fields)


def _case_update(*, case: Case, actor, expected_version: int | None = None, **fields) -> Case:
    """
    `case_update` with closing and reopening, for `case_close` and `case_reopen`. Closing a case
    dates it (today unless `closed_on` is given); reopening it clears that date; only a closed
    case has one.
    """
    _require(permissions.can_edit_case(actor, case))
    _check_fields(fields, CASE_FIELDS, "case")
    status = fields.get("status", case.status)
    if status == CaseStatus.CLOSED:
        if fields.get("closed_on") is None:
            fields["closed_on"] = case.closed_on or dates.today()
    elif "status" in fields:
        if fields.get("closed_on"):
            raise ValidationError({"closed_on": _("Only a closed case has a closing date.")})
        fields["closed_on"] = None
    elif fields.get("closed_on"):
        raise ValidationError({"closed_on": _("Only a closed case has a closing date.")})
    if fields.get("closed_on") and fields["closed_on"] < case.opened_on:
        raise ValidationError(
            {
                "closed_on": _("A case cannot close before it opened (%(opened)s).")
                % {"opened": date_format(case.opened_on)}
            }
        )
    with transaction.atomic():
        was_closed = case.status == CaseStatus.CLOSED
        changed = _update(case, fields, expected_version)
        if changed:
            _audit(actor, "update", case, fields=changed)
        if was_closed and case.status != CaseStatus.CLOSED:
            # Reopened: the closure stays as history, marked as ended.
            CaseClosure.objects.filter(case=case, reopened_at__isnull=True).update(
                reopened_at=timezone.now(), reopened_by=actor
            )
    return case


def case_close(
    *,
    case: Case,
    actor,
    reason: str,
    other_reason: str = "",
    closed_on=None,
    resolve_tasks: Iterable[Task] = (),
    end_check_ins: Iterable[CheckInSchedule] = (),
    resolve_others: Iterable[str] = (),
    expected_version: int | None = None,
) -> CaseClosure:
    """
    Close a case for a reason from the list (words of one's own for "other"). Of its open
    follow-ups and check-in schedules, those given are resolved (marked done, ended); of what
    the apps above casework hold open (`selectors.plans.other_open_items`), those whose keys are
    in `resolve_others` are resolved through their own app's service (a referral is cancelled);
    the others are carried over and stay open. The closing date and its rules are `case_update`'s,
    as for every closing, so retention counts from it as before.
    """
    _require(permissions.can_close_case(actor, case))
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Case %(case)s is already closed.") % {"case": case.reference})
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Choose why the case is closed.")})
    other_reason = other_reason.strip()
    if reason == ClosureReason.OTHER and not other_reason:
        raise ValidationError({"other_reason": _("Say why the case is closed.")})
    if reason != ClosureReason.OTHER:
        other_reason = ""
    open_tasks = Task.objects.filter(case=case, completed_at__isnull=True)
    schedules = CheckInSchedule.objects.filter(case=case, active=True)
    resolve_tasks, end_check_ins = list(resolve_tasks), list(end_check_ins)
    if {task.pk for task in resolve_tasks} - set(open_tasks.values_list("pk", flat=True)):
        raise ValidationError({"resolve_tasks": _("Only the case's open follow-ups are resolved.")})
    if {s.pk for s in end_check_ins} - set(schedules.values_list("pk", flat=True)):
        raise ValidationError({"end_check_ins": _("Only the case's check-ins are ended.")})
    others = other_open_items(case)
    resolvable = {item.key: item for item in others if item.resolvable}
    resolve_others = set(resolve_others)
    if resolve_others - set(resolvable):
        raise ValidationError(
            {"resolve_others": _("Only what is still open on the case is resolved.")}
        )
    resolved = len(resolve_tasks) + len(end_check_ins) + len(resolve_others)
    carried = open_tasks.count() + schedules.count() + len(others) - resolved
    with transaction.atomic():
        now = timezone.now()
        for task in resolve_tasks:
            changed = _update(task, {"completed_at": now, "completed_by": actor}, None)
            _audit(actor, "update", task, fields=changed, on_closing=True)
        for schedule in end_check_ins:
            changed = _update(schedule, {"active": False}, None)
            _audit(actor, "update", schedule, case=case, fields=changed, on_closing=True)
        for key in sorted(resolve_others):
            resolvable[key].resolve(actor=actor)
        _case_update(
            case=case,
            actor=actor,
            expected_version=expected_version,
            status=CaseStatus.CLOSED,
            closed_on=closed_on,
        )
        closure = _save(
            CaseClosure(
                case=case,
                closed_on=case.closed_on,
                reason=reason,
                other_reason=other_reason,
                closed_by=actor,
                resolved=resolved,
                carried_over=carried,
            )
        )
        _audit(
            actor,
            "create",
            closure,
            case=case,
            # Not `reason`: the name of an encrypted field elsewhere, which audit refuses as a
            # key, and the event was then kept without any of its detail.
            closed_because=reason,
            resolved=closure.resolved,
            carried_over=carried,
        )
    return closure


def case_reopen(*, case: Case, actor, expected_version: int | None = None) -> Case:
    """Reopen a closed case; its closures, and everything recorded, stay as they were."""
    _require(permissions.can_close_case(actor, case))
    if case.status != CaseStatus.CLOSED:
        raise ValidationError(_("Case %(case)s is not closed.") % {"case": case.reference})
    return _case_update(
        case=case, actor=actor, expected_version=expected_version, status=CaseStatus.OPEN
    )


def case_add_member(
    *, case: Case, person: Person, role: str, actor, consent: dict | None = None
) -> CaseMember:
    """
    Add a person on file to a case, from a case of theirs the actor may change; with `consent`
    (see `person_create`), what they agree to now is recorded in the same transaction.
    """
    _require(
        permissions.can_add_person_to_case(actor, person, case),
        _("You may add to a case only people of the cases you work."),
    )
    with transaction.atomic():
        member = _save(CaseMember(case=case, person=person, role=role))
        _audit(actor, "create", member, case=case, person=person.reference, role=role)
        if consent is not None:
            _consent_save(person=person, actor=actor, case=case, consent=consent)
    return member


def _refuse_without_consent(case: Case, message: str) -> None:
    """Refuse to show a case beyond its team unless every member's consent in force allows it."""
    refused = refusing(case.people.order_by("reference"), SHARING_SCOPE)
    if refused:
        raise ValidationError(
            message
            % {
                "case": case.reference,
                "people": ", ".join(person.reference for person in refused),
            }
        )


def case_assign(*, case: Case, user, role: str, actor) -> CaseAssignment:
    """Assign a caseworker (of the case's team) or share the case with a legal advocate."""
    if role == AssignmentRole.LEGAL_ADVOCATE:
        return case_share(case=case, advocate=user, actor=actor)
    _refuse_unless_supervisor(actor, case.team, allowed=permissions.can_assign(actor, case))
    with transaction.atomic():
        return _assign(case=case, user=user, role=role, actor=actor)


def case_share(*, case: Case, advocate, actor) -> CaseAssignment:
    """
    Share a case with a legal advocate, who may then read it (and change nothing). Refused
    unless every member of the case consents to sharing with legal advocates. A supervisor of
    the case's team decides it.
    """
    _refuse_unless_supervisor(actor, case.team, allowed=permissions.can_share(actor, case))
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
        _refuse_without_consent(
            case,
            _(
                "Case %(case)s cannot be shared: the consent of %(people)s does not allow "
                "sharing with legal advocates. Record their consent first."
            ),
        )
        return _assign(case=case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE, actor=actor)


def _refuse_unless_supervisor(actor, team, *, allowed: bool) -> None:
    _require(allowed, _("Only a supervisor of team %(team)s can do this.") % {"team": team.name})


def _reassign(*, case: Case, from_user, to_user, actor) -> bool:
    """Move `from_user`'s caseworker assignment (and ownership) of `case` to `to_user`."""
    assignment = CaseAssignment.objects.filter(
        case=case, user=from_user, role=AssignmentRole.CASEWORKER
    ).first()
    owned = case.owner_id == from_user.pk
    if assignment is None and not owned:
        return False
    if not CaseAssignment.objects.filter(
        case=case, user=to_user, role=AssignmentRole.CASEWORKER
    ).exists():
        _assign(
            case=case,
            user=to_user,
            role=AssignmentRole.CASEWORKER,
            actor=actor,
            tell=Notification.Kind.CASE_HANDED_OVER,
        )
    if assignment is not None:
        _audit(actor, "delete", assignment, case=case, role=assignment.role, user=from_user.pk)
        assignment.delete()
    if owned:
        # Whoever leaves must not keep seeing the case as its owner.
        Case.objects.filter(pk=case.pk).update(owner=to_user)
        case.owner = to_user
    _hand_over_follow_ups(case=case, from_user=from_user, to_user=to_user, actor=actor)
    _bump_version(case)
    _audit(
        actor,
        "update",
        case,
        fields=["assignments", "owner"] if owned else ["assignments"],
        from_user=from_user.pk,
        to_user=to_user.pk,
    )
    return True


def _hand_over_follow_ups(*, case: Case, from_user, to_user, actor) -> None:
    """
    The case's open follow-ups go with it: left with `from_user`, who no longer sees the case,
    they would be reminders nobody can act on and work the new caseworker never hears of.
    The sweep reminds the new assignee afresh; the reminders `from_user` had are settled.
    With no `to_user` (a transfer, before the new team assigns anyone) they are left to no one:
    the sweep then reminds whoever is the case's caseworker on the day.
    """
    open_follow_ups = Task.objects.filter(
        case=case, assignee=from_user, completed_at__isnull=True
    ).order_by("pk")
    handed_over = {"assignee": to_user, "reminded_due_on": None, "reminded_overdue_on": None}
    for task in open_follow_ups:
        changed = _update(task, handed_over, expected_version=None)
        _audit(
            actor,
            "update",
            task,
            fields=changed,
            from_user=from_user.pk,
            to_user=to_user.pk if to_user else None,
        )
        notifications_settle(
            target=task,
            kinds=[Notification.Kind.FOLLOW_UP_DUE, Notification.Kind.FOLLOW_UP_OVERDUE],
        )


def case_reassign(*, case: Case, from_user, to_user, actor) -> Case:
    """
    A supervisor hands a case from one caseworker to another of the team: the assignment (and
    the ownership, if `from_user` owned it) moves, with the open follow-ups `from_user` was to
    do, in one step.
    """
    _refuse_unless_supervisor(actor, case.team, allowed=permissions.can_assign(actor, case))
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose another caseworker to hand the case to.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
        if not _reassign(case=case, from_user=from_user, to_user=to_user, actor=actor):
            raise ValidationError(
                {
                    "from_user": _("%(user)s is not a caseworker of case %(case)s.")
                    % {"user": from_user.get_username(), "case": case.reference}
                }
            )
    return case


def caseworker_reassign_all(*, from_user, to_user, team, actor) -> list[Case]:
    """
    When a caseworker leaves or changes post, a supervisor hands all their cases of the team to
    another caseworker at once. Each case is audited; the cases are returned.
    """
    _refuse_unless_supervisor(actor, team, allowed=permissions.can_hand_over_caseload(actor, team))
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose another caseworker to hand the cases to.")})
    if not (to_user.is_active and roles.works_in(to_user, team)):
        raise ValidationError(
            {
                "to_user": _("%(user)s is not an active caseworker of team %(team)s.")
                % {"user": to_user.get_username(), "team": team.name}
            }
        )
    assigned = CaseAssignment.objects.filter(user=from_user, role=AssignmentRole.CASEWORKER).values(
        "case"
    )
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(of=("self",))
            .filter(team=team)
            .filter(Q(pk__in=assigned) | Q(owner=from_user))
            .select_related("team")
            .order_by("reference")
        )
        for case in cases:
            _reassign(case=case, from_user=from_user, to_user=to_user, actor=actor)
    return cases


def case_transfer(*, case: Case, to_team, actor) -> Case:
    """
    Hand a case to another team, with the consent of every member. The old team's caseworkers
    and owner lose it, and their open follow-ups are left to no one; the new team's supervisors
    see it and assign their caseworkers. Legal advocates it is shared with keep it.
    """
    _refuse_unless_supervisor(actor, case.team, allowed=permissions.can_transfer(actor, case))
    if to_team.pk == case.team_id:
        raise ValidationError({"to_team": _("The case already belongs to this team.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
        _refuse_without_consent(
            case,
            _(
                "Case %(case)s cannot be transferred: the consent of %(people)s does not allow "
                "sharing. Record their consent first."
            ),
        )
        from_team = case.team
        # Only those who work the new team's cases keep working this one: a caseworker who is
        # a legal advocate of the new team must not stay its caseworker there.
        staying = roles.working_members(to_team).values("pk")
        leaving = CaseAssignment.objects.filter(case=case, role=AssignmentRole.CASEWORKER).exclude(
            user__in=staying
        )
        removed = 0
        for assignment in leaving:
            _audit(
                actor,
                "delete",
                assignment,
                case=case,
                role=assignment.role,
                user=assignment.user_id,
            )
            assignment.delete()
            removed += 1
        owner_stays = case.owner_id and roles.works_in(case.owner, to_team)
        # The follow-ups of everyone who loses the case (its caseworkers, its owner, whoever
        # else of the old team was given one) are left to no one rather than to someone who
        # can no longer open it; the new team's caseworker is reminded of them.
        leaving_assignees = (
            get_user_model()
            .objects.filter(tasks__case=case, tasks__completed_at__isnull=True)
            .exclude(pk__in=staying)
            .distinct()
            .order_by("pk")
        )
        for from_user in leaving_assignees:
            _hand_over_follow_ups(case=case, from_user=from_user, to_user=None, actor=actor)
        changed = _update(
            case,
            {"team": to_team, "owner": case.owner if owner_stays else None},
            expected_version=None,
        )
        _audit(
            actor,
            "update",
            case,
            fields=changed,
            from_team=from_team.pk,
            to_team=to_team.pk,
            assignments_removed=removed,
        )
        # The new team's supervisors assign it: they are told it has come to them.
        notify(
            recipients=roles.supervisors_of(to_team).filter(is_active=True),
            kind=Notification.Kind.CASE_HANDED_OVER,
            target=case,
        )
    return case


def case_flag_set(*, case: Case, kind: str, actor) -> CaseFlag:
    """Raise a warning on a case, shown on every page of it until cleared."""
    _require(permissions.can_edit_case(actor, case))
    with transaction.atomic():
        flag = _raise_flag(case=case, kind=kind, actor=actor)
        if flag is None:
            raise ValidationError({"kind": _("This flag is already raised on the case.")})
    return flag


def _raise_flag(*, case: Case, kind: str, actor) -> CaseFlag | None:
    """Raise a flag unless it is up already (None then), audited."""
    # The kind and fields checked as a form would; one flag up per kind is _raise_flags' to say.
    CaseFlag(case=case, kind=kind, set_by=actor).full_clean(validate_constraints=False)
    raised = _raise_flags(case_ids=[case.pk], kind=kind, actor=actor)
    return raised[0] if raised else None


def _raise_flags(*, case_ids, kind: str, actor) -> list[CaseFlag]:
    """
    Raise a flag of `kind` on each of the cases that has none up, audited; returns the flags
    raised. The check-in sweep raises many at once, acting for no one (`actor` None) and with no
    permission to ask. The cases are locked in one order, so two writers never wait on each other.
    """
    case_ids = sorted(set(case_ids), key=str)
    list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values("pk"))
    up = set(
        CaseFlag.objects.filter(case_id__in=case_ids, kind=kind, active=True).values_list(
            "case_id", flat=True
        )
    )
    flags = CaseFlag.objects.bulk_create(
        CaseFlag(case_id=case_id, kind=kind, set_by=actor)
        for case_id in case_ids
        if case_id not in up
    )
    record_many(
        actor, [Entry("create", flag, case=flag.case_id, detail={"kind": kind}) for flag in flags]
    )
    return flags


def case_flag_clear(*, case: Case, kind: str, actor) -> CaseFlag:
    """Lower a warning; it stays in the case's history."""
    _require(permissions.can_edit_case(actor, case))
    with transaction.atomic():
        flag = (
            CaseFlag.objects.select_for_update().filter(case=case, kind=kind, active=True).first()
        )
        if flag is None:
            raise ValidationError({"kind": _("This flag is not raised on the case.")})
        flag.active, flag.cleared_by, flag.cleared_at = False, actor, timezone.now()
        _save(flag)
        _audit(actor, "update", flag, case=case, kind=kind, fields=["active"])
    return flag


def cases_bulk_reassign(*, cases: Iterable[Case], from_user, to_user, actor) -> list[Case]:
    """
    A supervisor hands many cases of the case list from one caseworker to another at once, each
    through `case_reassign` (checked and audited per case); cases `from_user` does not work are
    left as they are. All or nothing.
    """
    cases = list(cases)
    _require(permissions.can_bulk_change(actor, cases))
    moved = []
    with transaction.atomic():
        for case in cases:
            if CaseAssignment.objects.filter(
                case=case, user=from_user, role=AssignmentRole.CASEWORKER
            ).exists():
                moved.append(
                    case_reassign(case=case, from_user=from_user, to_user=to_user, actor=actor)
                )
    return moved


def cases_bulk_close(
    *, cases: Iterable[Case], reason: str, actor, other_reason: str = ""
) -> list[CaseClosure]:
    """
    A supervisor closes many cases at once for one reason, each through `case_close` (checked and
    audited per case); their open follow-ups and check-ins are carried over. Closed ones are
    left as they are. All or nothing.
    """
    cases = list(cases)
    _require(permissions.can_bulk_change(actor, cases))
    with transaction.atomic():
        return [
            case_close(case=case, actor=actor, reason=reason, other_reason=other_reason)
            for case in cases
            if case.status != CaseStatus.CLOSED
        ]
