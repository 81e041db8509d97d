"""
Every write of the intake: drafts, submission with duplicate detection, the supervisor's
decisions, and merging two records of one person. Approval creates the casework records only
through casework.services and consent.services, in one transaction with its audit events, so
a refusal half-way leaves nothing behind.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notify
from audit.services import record
from casework import dates
from casework import services as casework
from casework.choices import (
    CaseStatus,
    EntitlementStatus,
    MemberRole,
    NoteKind,
    PersonRole,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
from casework.models import (
    Person,
)
from casework.permissions import editable_cases_of_person, editable_people
from casework.services.bulk import (
    NewBenefit,
    NewConsent,
    NewHousehold,
    NewIncident,
    NewNote,
    NewPerson,
    NewStatus,
    NewTie,
)
from consent.services import consent_record

from . import duplicates, permissions
from .forms import DECEASED, PARTNER, PRINCIPAL, STEPS
from .models import DuplicateCandidate, ImportedRow, IntakeDecision, IntakeSubmission

Status = IntakeSubmission.Status
Action = IntakeDecision.Action
# Form buttons and the CSRF token are not answers.
NOT_ANSWERS = frozenset({"csrfmiddlewaretoken", "action"})


class IncompleteIntake(ValidationError):
    """A step of the intake does not validate; `step` says which, to send the caseworker back."""

    def __init__(self, step: str):
        self.step = step
        super().__init__(
            _("The step “%(step)s” is incomplete.") % {"step": IntakeSubmission.Step(step).label}
        )


def _refuse_unless_deciding(actor, submission: IntakeSubmission) -> None:
    if not permissions.can_decide_intake(actor, submission):
        raise PermissionDenied(
            _("Only a supervisor of team %(team)s can decide on this intake.")
            % {"team": submission.team.name}
        )


def _lock(submission: IntakeSubmission, *statuses) -> IntakeSubmission:
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in statuses:
        raise ValidationError(
            _("This intake is %(status)s: it cannot be changed that way now.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _history(locked: IntakeSubmission, actor, action: str, reason: str = "") -> None:
    """One more step in the intake's history of decisions (intake.models.IntakeDecision)."""
    entry = IntakeDecision(submission=locked, actor=actor, action=action, reason=reason)
    entry.full_clean()
    entry.save()


def _tell_owner(locked: IntakeSubmission, actor, kind: str) -> None:
    """The caseworker who took the intake learns the decision (its reason is on the intake)."""
    if locked.owner_id != actor.pk:
        notify(recipients=[locked.owner], kind=kind, target=locked)


def _refresh(submission: IntakeSubmission, locked: IntakeSubmission) -> IntakeSubmission:
    if locked is not submission:
        submission.refresh_from_db()
    return submission


# Drafts


def intake_start(*, actor, team) -> IntakeSubmission:
    """A new draft intake for `team`, taken by `actor`, who must work in the team."""
    if not permissions.can_take_intake(actor, team):
        raise PermissionDenied(_("Only caseworkers and supervisors of the team take intakes."))
    with transaction.atomic():
        submission = IntakeSubmission(team=team, owner=actor)
        submission.full_clean()
        submission.save()
        record(actor, "create", submission)
    return submission


def posted_answers(data) -> dict:
    """What a step's form posted, kept as lists per key, as a QueryDict holds it."""
    return {key: values for key, values in data.lists() if key not in NOT_ANSWERS}


def intake_save_step(*, submission: IntakeSubmission, step: str, data: dict, actor, next_step=None):
    """
    Keep what was typed in `step` (valid or not) in the encrypted draft, and remember where the
    caseworker is, so that the intake can be resumed anywhere.
    """
    if step not in STEPS:
        raise ValueError(f"Unknown intake step {step!r}")
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can change it."))
        answers = dict(locked.answers or {})
        answers[step] = data
        locked.answers = answers
        locked.step = next_step or step
        locked.save(update_fields=["answers", "step", "updated_at"])
        record(actor, "update", locked, fields=["answers"], step=step)
    return _refresh(submission, locked)


def step_forms(submission: IntakeSubmission, step: str):
    """The step's forms bound to what the draft holds for it (unbound if never saved)."""
    data = (submission.answers or {}).get(step)
    return STEPS[step](data, answers=submission.answers)


def validated(submission: IntakeSubmission) -> dict:
    """Every step's cleaned data, or IncompleteIntake naming the first step that fails."""
    cleaned = {}
    for step in STEPS:
        forms = step_forms(submission, step)
        if not forms.is_bound or not forms.is_valid():
            raise IncompleteIntake(step)
        cleaned[step] = forms.cleaned()
    return cleaned


def _keep_candidates(locked: IntakeSubmission, found) -> None:
    """
    The duplicate candidates of the answers as they are now. Sent again after corrections, an
    intake keeps the candidates still found (with any verdict another team gave), drops those
    its corrected answers no longer match, and adds the new ones.
    """
    current = {(key, pk): codes for key, pk, codes in found}
    for candidate in locked.duplicates.all():
        codes = current.pop((candidate.subject, candidate.person_id), None)
        if codes is None:
            candidate.delete()
        elif codes != candidate.reasons:
            candidate.reasons = codes
            candidate.save(update_fields=["reasons"])
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(submission=locked, person_id=pk, subject=key, reasons=codes)
        for (key, pk), codes in current.items()
    )


def intake_submit(*, submission: IntakeSubmission, actor) -> IntakeSubmission:
    """
    Send a complete draft (or an intake sent back and corrected) to the team's supervisors,
    with the people on file it may duplicate. The lookup is throttled per user
    (duplicates.LookupThrottled) and audited with counts only.
    """
    if not permissions.can_change_intake(actor, submission):
        raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
    duplicates.refuse_if_throttled(actor, submission)
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
        cleaned = validated(locked)
        found = duplicates.find(duplicates.subjects_of(cleaned))
        _keep_candidates(locked, found)
        again = locked.status == Status.RETURNED
        _history(locked, actor, Action.RESUBMITTED if again else Action.SUBMITTED)
        locked.status = Status.SUBMITTED
        locked.step = IntakeSubmission.Step.REVIEW
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "step", "submitted_at", "updated_at"])
        duplicates.record_lookup(actor, locked, found)
        record(actor, "status_change", locked, status=locked.status, candidates=len(found))
    return _refresh(submission, locked)


def intake_discard(*, submission: IntakeSubmission, actor) -> None:
    """
    The caseworker drops a draft (or an intake sent back or rejected): its answers are gone for
    good.
    """
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.RETURNED, Status.REJECTED)
        if not permissions.can_change_intake(actor, locked):
            raise PermissionDenied(_("Only the caseworker who took this intake can discard it."))
        record(actor, "delete", locked, status=locked.status)
        locked.delete()


# Decisions


def _yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


def household_plan(cleaned: dict) -> NewHousehold:
    """
    What a validated intake writes: its people (the principal, the partner, the children), its
    case's risk and summary, and the ties, notes, consents, statuses, benefits and incidents in
    the order they are written (casework.services.bulk). One home for both writers:
    `create_records` through the single services, the import in bulk.
    """
    consent, identity = cleaned["consent"], cleaned["identity"]
    family, situation, needs = cleaned["family"], cleaned["situation"], cleaned["needs"]
    today = dates.today()
    region = situation["region"]
    principal = NewPerson(
        role=MemberRole.PRINCIPAL,
        aliases=identity["aliases"],
        fields={
            "full_name": identity["full_name"],
            "date_of_birth": identity.get("date_of_birth"),
            "birth_year": identity.get("birth_year"),
            "place_of_origin": identity.get("place_of_origin", ""),
            "current_location": situation.get("current_location", ""),
            "contact": identity.get("contact", ""),
            "sex": identity["sex"],
            "nationality": identity["nationality"],
            "role": PersonRole.REFUGEE,
            "region": region,
        },
    )
    people = [principal]
    partner = None
    if family.get("partner_name"):
        partner = NewPerson(
            role=MemberRole.PARTNER,
            fields={
                "full_name": family["partner_name"],
                "sex": family.get("partner_sex") or Sex.UNKNOWN,
                "birth_year": family.get("partner_birth_year"),
                "nationality": family["partner_nationality"],
                "role": PersonRole.PARTNER,
                "region": region,
            },
        )
        people.append(partner)
    children = []
    for child in family.get("children", []):
        new = NewPerson(
            role=MemberRole.CHILD,
            fields={
                "full_name": child["full_name"],
                "sex": child["sex"],
                "date_of_birth": child.get("date_of_birth"),
                "birth_year": child.get("birth_year"),
                "nationality": child["nationality"],
                "role": PersonRole.CHILD,
                "region": region,
            },
        )
        children.append((new, child))
        people.append(new)
    records = []
    if needs["final_risk"] != needs["suggested_risk"]:
        records.append(
            NewNote(
                kind=NoteKind.FILE_NOTE,
                body=_("Risk level set at intake instead of the suggested “%(level)s”: %(why)s")
                % {"level": needs["suggested_risk"], "why": needs["override_reason"]},
            )
        )
    if partner is not None:
        records.append(
            NewTie(
                from_person=principal,
                to_person=partner,
                kind=family.get("partner_tie") or RelationshipKind.PARTNER_OF,
                marriage_registered=_yes_no(family.get("marriage_registered", "")),
            )
        )
    # Each child's mother and father, as the Family step asked: the partner is a parent only
    # where the caseworker said so, never by default.
    parents = {PRINCIPAL: principal, PARTNER: partner}
    for new, child in children:
        for name in ("mother", "father"):
            parent = parents.get(child.get(name))
            if parent is not None:
                records.append(
                    NewTie(from_person=parent, to_person=new, kind=RelationshipKind.PARENT_OF)
                )
    # A parent who is no one of the intake and has died (a widow's children): said in a note,
    # as there is no one to tie the child to. The child's reference is the one given when the
    # child is registered, hence a note written then.
    for new, child in children:
        for name, label in (("mother", _("mother")), ("father", _("father"))):
            if child.get(name) == DECEASED:
                records.append(
                    NewNote(
                        kind=NoteKind.FILE_NOTE,
                        body=lambda label=label, new=new: (
                            _("As told at intake, the %(parent)s of %(child)s has died.")
                            % {"parent": label, "child": new.person.reference}
                        ),
                    )
                )
    # A parent's consent covers their children; the partner's only when they gave it too.
    terms = {
        "method": consent["method"],
        "given_on": consent["given_on"],
        "witnessed_by": consent.get("witnessed_by", ""),
        "scopes": consent["scopes"],
    }
    records.append(NewConsent(person=principal, terms=terms))
    # Their mother answered for them: the person page says so.
    records += [NewConsent(person=new, terms=terms, guardian=principal) for new, _c in children]
    if partner is not None and consent.get("covers_partner"):
        records.append(NewConsent(person=partner, terms=terms))
    if situation.get("legal_status"):
        records.append(
            NewStatus(
                person=principal,
                status=situation["legal_status"],
                effective_from=situation["status_since"],
                country=situation["status_country"],
                source=StatusSource.CASEWORKER,
            )
        )
    refused = [(principal, kind) for kind in situation.get("benefits_refused", [])]
    refused += [(new, kind) for new, child in children for kind in child["benefits_refused"]]
    records += [
        NewBenefit(person=new, kind=kind, status=EntitlementStatus.DENIED, as_of=today)
        for new, kind in refused
    ]
    records += [
        NewIncident(
            kind=incident["kind"],
            occurred_on=incident["occurred_on"],
            region=incident["region"],
            description=incident.get("description", ""),
            people=[principal],
        )
        for incident in situation.get("incidents", [])
    ]
    return NewHousehold(
        people=people,
        risk_level=needs["final_risk"],
        summary=needs.get("needs", ""),
        records=records,
    )


def create_records(*, cleaned: dict, team, caseworker, actor, into_case=None):
    """
    The people, ties, consents, statuses, benefits, incidents and case of a validated intake
    (`household_plan`), through the casework and consent services, one at a time. Returns
    (case, principal). The caller holds the transaction. (An import writes many at once:
    casework.services.households_create.)

    With `into_case` (an open case of someone on file the principal is), the people join that
    case instead of a new one: its risk level, flags and caseworkers stay as they are, and what
    the intake assessed is kept in a note on it.
    """
    plan = household_plan(cleaned)
    needs = cleaned["needs"]
    for new in plan.people:
        # The saved person stands in the plan from now on: the records below point at them.
        new.person = casework.person_create(actor=actor, aliases=new.aliases, **new.fields)
    members = [(new.person, new.role) for new in plan.people]
    if into_case is not None:
        for person, role in members:
            casework.case_add_member(case=into_case, person=person, role=role, actor=actor)
        case = into_case
        casework.case_note_add(
            case=case,
            actor=actor,
            body=_(
                "The people of an intake joined this case; its risk level stays as it is. "
                "Risk assessed at intake: “%(level)s”. Needs: %(needs)s"
            )
            % {
                "level": RiskLevel(needs["final_risk"]).label,
                "needs": needs.get("needs") or "—",
            },
        )
    else:
        case = casework.case_open(
            team=team,
            actor=actor,
            risk_level=plan.risk_level,
            summary=plan.summary,
            members=members,
            caseworkers=[caseworker],
        )
    for item in plan.records:
        _write_record(item, case=case, actor=actor)
    return case, plan.people[0].person


def _write_record(item, *, case, actor) -> None:
    """One record of a household's plan, through its single service."""
    if isinstance(item, NewNote):
        casework.case_note_add(case=case, actor=actor, kind=item.kind, body=item.text())
    elif isinstance(item, NewTie):
        casework.relationship_create(
            from_person=item.from_person.person,
            to_person=item.to_person.person,
            kind=item.kind,
            marriage_registered=item.marriage_registered,
            actor=actor,
            case=case,
        )
    elif isinstance(item, NewConsent):
        consent_record(
            person=item.person.person,
            actor=actor,
            guardian=item.guardian.person if item.guardian else None,
            case=case,
            **item.terms,
        )
    elif isinstance(item, NewStatus):
        casework.legal_status_change(
            person=item.person.person,
            status=item.status,
            effective_from=item.effective_from,
            country=item.country,
            source=item.source,
            actor=actor,
            case=case,
        )
    elif isinstance(item, NewBenefit):
        casework.entitlement_record(
            person=item.person.person,
            kind=item.kind,
            status=item.status,
            as_of=item.as_of,
            actor=actor,
            case=case,
        )
    elif isinstance(item, NewIncident):
        casework.incident_record(
            case=case,
            kind=item.kind,
            occurred_on=item.occurred_on,
            region=item.region,
            description=item.description,
            people=[new.person for new in item.people],
            actor=actor,
        )
    else:
        raise TypeError(f"Not a record of a household: {type(item).__name__}")


def _decide(locked: IntakeSubmission, actor, status: str, **fields) -> None:
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()


def _refuse_while_another_team_checks(submission: IntakeSubmission, actor) -> None:
    """
    A match out of the approver's sight is someone another team holds: only that team's
    supervisors can tell whether it is the same person, so the intake waits for their verdict.
    Until then approving would give a hunted person a second record, and a second trail.
    """
    unseen = submission.duplicates.exclude(
        person__in=Person.objects.visible_to(actor).values("pk")
    ).exclude(verdict=DuplicateCandidate.Verdict.DIFFERENT)
    verdicts = set(unseen.values_list("verdict", flat=True))
    if DuplicateCandidate.Verdict.SAME in verdicts:
        raise ValidationError(
            _(
                "The supervisors of the team that holds the record say someone in this intake is "
                "already on file. Reject the intake and agree with them how to bring the person's "
                "case together."
            )
        )
    if verdicts:
        raise ValidationError(
            _(
                "A possible duplicate is still being checked by the supervisors of the team that "
                "holds the record. The intake can be approved once they have answered."
            )
        )


def duplicate_verdict(*, candidate: DuplicateCandidate, verdict: str, actor) -> DuplicateCandidate:
    """
    A supervisor of a team holding the person says whether another team's intake is that person.
    Only they see both sides; the intake's team learns the verdict, never who the person is.
    """
    if not permissions.can_judge_duplicate(actor, candidate):
        raise PermissionDenied(_("Only the supervisors of the team that holds the record decide."))
    if verdict not in (DuplicateCandidate.Verdict.DIFFERENT, DuplicateCandidate.Verdict.SAME):
        raise ValidationError({"verdict": _("Say whether it is the same person.")})
    verdict = DuplicateCandidate.Verdict(verdict)
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        locked.verdict, locked.verdict_by, locked.verdict_at = verdict, actor, timezone.now()
        locked.save(update_fields=["verdict", "verdict_by", "verdict_at"])
        record(
            actor,
            "update",
            locked.submission,
            duplicate_checked=True,
            verdict=verdict.value,
            subject=locked.subject,
        )
    return locked


def intake_approve(*, submission: IntakeSubmission, actor):
    """
    A supervisor of the team takes the intake in: the people and their case are created, the
    caseworker who took it is assigned, and the draft's answers are cleared (the records now
    hold them, and a later withdrawal must find no other copy). Returns the case. It waits while
    another team checks a possible duplicate (`_refuse_while_another_team_checks`).
    """
    _refuse_unless_deciding(actor, submission)
    _refuse_while_another_team_checks(submission, actor)
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        case, _principal = create_records(
            cleaned=validated(locked), team=locked.team, caseworker=locked.owner, actor=actor
        )
        # They met the family and typed what the records say: the records are theirs.
        casework.case_records_credit(case=case, caseworker=locked.owner, actor=actor)
        _decide(locked, actor, Status.APPROVED, case=case, answers={})
        _history(locked, actor, Action.APPROVED)
        record(actor, "status_change", locked, case=case, status=locked.status)
        _tell_owner(locked, actor, Notification.Kind.INTAKE_APPROVED)
    _refresh(submission, locked)
    return case


def intake_reject(*, submission: IntakeSubmission, actor, reason: str) -> IntakeSubmission:
    """A supervisor turns the intake down, saying why; the caseworker sees the reason."""
    _refuse_unless_deciding(actor, submission)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the intake is rejected.")})
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        _decide(locked, actor, Status.REJECTED, rejection_reason=reason.strip())
        _history(locked, actor, Action.REJECTED, reason.strip())
        record(actor, "status_change", locked, status=locked.status, fields=["rejection_reason"])
        _tell_owner(locked, actor, Notification.Kind.INTAKE_REJECTED)
    return _refresh(submission, locked)


def intake_return(*, submission: IntakeSubmission, actor, reason: str) -> IntakeSubmission:
    """
    A supervisor of the team sends the intake back to its caseworker, saying what to correct
    (a wrong date, a missing child): the caseworker edits the steps and submits it again, with
    nothing retyped. Rejection stays for an intake the team will not take in.
    """
    _refuse_unless_deciding(actor, submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the caseworker should correct.")})
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        locked.status = Status.RETURNED
        locked.step = IntakeSubmission.Step.REVIEW
        locked.save(update_fields=["status", "step", "updated_at"])
        _history(locked, actor, Action.RETURNED, reason)
        # The reason is in the encrypted history, never in the audit trail.
        record(actor, "status_change", locked, status=locked.status)
        _tell_owner(locked, actor, Notification.Kind.INTAKE_SENT_BACK)
    return _refresh(submission, locked)


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
