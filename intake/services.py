"""
Every write of the intake: drafts, submission with duplicate detection, the supervisor's
decisions, and merging two records of one person. Approval creates the casework records only
through casework.services and consent.services, in one transaction with its audit events, so
a refusal half-way leaves nothing behind.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.services import record
from casework import dates
from casework import services as casework
from casework.choices import (
    EntitlementStatus,
    MemberRole,
    NoteKind,
    PersonRole,
    RelationshipKind,
    Sex,
    StatusSource,
)
from casework.models import (
    Attachment,
    CaseMember,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
)
from casework.permissions import can_supervise, editable_people
from consent.models import Consent
from consent.services import consent_record

from . import duplicates, selectors
from .forms import STEPS
from .models import DuplicateCandidate, ImportedRow, IntakeSubmission

Status = IntakeSubmission.Status
# Form buttons and the CSRF token are not answers.
NOT_ANSWERS = frozenset({"csrfmiddlewaretoken", "action"})


class IncompleteIntake(ValidationError):
    """A step of the intake does not validate; `step` says which, to send the caseworker back."""

    def __init__(self, step: str):
        self.step = step
        super().__init__(
            _("The step “%(step)s” is incomplete.") % {"step": IntakeSubmission.Step(step).label}
        )


def _refuse_unless_supervisor(actor, team) -> None:
    if not can_supervise(actor, team):
        raise PermissionDenied(
            _("Only a supervisor of team %(team)s can decide on this intake.") % {"team": team.name}
        )


def _lock(submission: IntakeSubmission, *statuses) -> IntakeSubmission:
    locked = IntakeSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status not in statuses:
        raise ValidationError(
            _("This intake is %(status)s: it cannot be changed that way now.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _refresh(submission: IntakeSubmission, locked: IntakeSubmission) -> IntakeSubmission:
    if locked is not submission:
        submission.refresh_from_db()
    return submission


# Drafts


def intake_start(*, actor, team) -> IntakeSubmission:
    """A new draft intake for `team`, taken by `actor`, who must work in the team."""
    if not roles.works_in(actor, team):
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
        locked = _lock(submission, Status.DRAFT)
        if locked.owner_id != actor.pk:
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
    return STEPS[step](data)


def validated(submission: IntakeSubmission) -> dict:
    """Every step's cleaned data, or IncompleteIntake naming the first step that fails."""
    cleaned = {}
    for step in STEPS:
        forms = step_forms(submission, step)
        if not forms.is_bound or not forms.is_valid():
            raise IncompleteIntake(step)
        cleaned[step] = forms.cleaned()
    return cleaned


def intake_submit(*, submission: IntakeSubmission, actor) -> IntakeSubmission:
    """
    Send a complete draft to the team's supervisors, with the people on file it may duplicate.
    The lookup is throttled per user (duplicates.LookupThrottled) and audited with counts only.
    """
    if submission.owner_id != actor.pk:
        raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
    duplicates.refuse_if_throttled(actor, submission)
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT)
        if locked.owner_id != actor.pk:
            raise PermissionDenied(_("Only the caseworker who took this intake can submit it."))
        cleaned = validated(locked)
        found = duplicates.find(duplicates.subjects_of(cleaned))
        DuplicateCandidate.objects.bulk_create(
            DuplicateCandidate(submission=locked, person_id=pk, subject=key, reasons=codes)
            for key, pk, codes in found
        )
        locked.status = Status.SUBMITTED
        locked.step = IntakeSubmission.Step.REVIEW
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "step", "submitted_at", "updated_at"])
        duplicates.record_lookup(actor, locked, found)
        record(actor, "status_change", locked, status=locked.status, candidates=len(found))
    return _refresh(submission, locked)


def intake_discard(*, submission: IntakeSubmission, actor) -> None:
    """The caseworker drops a draft (or a rejected intake): its answers are gone for good."""
    with transaction.atomic():
        locked = _lock(submission, Status.DRAFT, Status.REJECTED)
        if locked.owner_id != actor.pk:
            raise PermissionDenied(_("Only the caseworker who took this intake can discard it."))
        record(actor, "delete", locked, status=locked.status)
        locked.delete()


# Decisions


def _yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


def create_records(*, cleaned: dict, team, caseworker, actor):
    """
    The people, ties, consents, statuses, benefits, incidents and case of a validated intake,
    through the casework and consent services. Returns (case, principal). The caller holds the
    transaction.
    """
    consent, identity = cleaned["consent"], cleaned["identity"]
    family, situation, needs = cleaned["family"], cleaned["situation"], cleaned["needs"]
    today = dates.today()
    region = situation["region"]
    principal = casework.person_create(
        actor=actor,
        aliases=identity["aliases"],
        full_name=identity["full_name"],
        date_of_birth=identity.get("date_of_birth"),
        birth_year=identity.get("birth_year"),
        place_of_origin=identity.get("place_of_origin", ""),
        current_location=situation.get("current_location", ""),
        contact=identity.get("contact", ""),
        sex=identity["sex"],
        nationality=identity["nationality"],
        role=PersonRole.REFUGEE,
        region=region,
    )
    members = [(principal, MemberRole.PRINCIPAL)]
    partner = None
    if family.get("partner_name"):
        partner = casework.person_create(
            actor=actor,
            full_name=family["partner_name"],
            sex=family.get("partner_sex") or Sex.UNKNOWN,
            birth_year=family.get("partner_birth_year"),
            nationality=family["partner_nationality"],
            role=PersonRole.PARTNER,
            region=region,
        )
        members.append((partner, MemberRole.PARTNER))
    children = []
    for child in family.get("children", []):
        person = casework.person_create(
            actor=actor,
            full_name=child["full_name"],
            sex=child["sex"],
            date_of_birth=child.get("date_of_birth"),
            birth_year=child.get("birth_year"),
            nationality=child["nationality"],
            role=PersonRole.CHILD,
            region=region,
        )
        children.append((person, child))
        members.append((person, MemberRole.CHILD))
    case = casework.case_open(
        team=team,
        actor=actor,
        risk_level=needs["final_risk"],
        summary=needs.get("needs", ""),
        members=members,
        caseworkers=[caseworker],
    )
    if needs["final_risk"] != needs["suggested_risk"]:
        casework.case_note_add(
            case=case,
            actor=actor,
            kind=NoteKind.FILE_NOTE,
            body=_("Risk level set at intake instead of the suggested “%(level)s”: %(why)s")
            % {"level": needs["suggested_risk"], "why": needs["override_reason"]},
        )
    if partner is not None:
        kind = family.get("partner_tie") or RelationshipKind.PARTNER_OF
        casework.relationship_create(
            from_person=principal,
            to_person=partner,
            kind=kind,
            marriage_registered=_yes_no(family.get("marriage_registered", "")),
            actor=actor,
            case=case,
        )
    for person, _child in children:
        casework.relationship_create(
            from_person=principal,
            to_person=person,
            kind=RelationshipKind.PARENT_OF,
            actor=actor,
            case=case,
        )
    # A parent's consent covers their children; the partner's only when they gave it too.
    consenting = [principal, *(person for person, _child in children)]
    if partner is not None and consent.get("covers_partner"):
        consenting.append(partner)
    for person in consenting:
        consent_record(
            person=person,
            actor=actor,
            method=consent["method"],
            given_on=consent["given_on"],
            witnessed_by=consent.get("witnessed_by", ""),
            scopes=consent["scopes"],
        )
    if situation.get("legal_status"):
        casework.legal_status_change(
            person=principal,
            status=situation["legal_status"],
            effective_from=situation["status_since"],
            country=situation["status_country"],
            source=StatusSource.CASEWORKER,
            actor=actor,
            case=case,
        )
    refused = [(principal, kind) for kind in situation.get("benefits_refused", [])]
    refused += [(person, kind) for person, child in children for kind in child["benefits_refused"]]
    for person, kind in refused:
        casework.entitlement_record(
            person=person,
            kind=kind,
            status=EntitlementStatus.DENIED,
            as_of=today,
            actor=actor,
            case=case,
        )
    for incident in situation.get("incidents", []):
        casework.incident_record(
            case=case,
            kind=incident["kind"],
            occurred_on=incident["occurred_on"],
            region=incident["region"],
            description=incident.get("description", ""),
            people=[principal],
            actor=actor,
        )
    return case, principal


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
    if not selectors.held_by_my_teams(actor).filter(pk=candidate.pk).exists():
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
    _refuse_unless_supervisor(actor, submission.team)
    _refuse_while_another_team_checks(submission, actor)
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        case, _principal = create_records(
            cleaned=validated(locked), team=locked.team, caseworker=locked.owner, actor=actor
        )
        _decide(locked, actor, Status.APPROVED, case=case, answers={})
        record(actor, "status_change", locked, case=case, status=locked.status)
    _refresh(submission, locked)
    return case


def intake_reject(*, submission: IntakeSubmission, actor, reason: str) -> IntakeSubmission:
    """A supervisor turns the intake down, saying why; the caseworker sees the reason."""
    _refuse_unless_supervisor(actor, submission.team)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the intake is rejected.")})
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        _decide(locked, actor, Status.REJECTED, rejection_reason=reason.strip())
        record(actor, "status_change", locked, status=locked.status, fields=["rejection_reason"])
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


def intake_merge(*, submission: IntakeSubmission, target: Person, actor):
    """
    The principal of the intake is someone already on file: the intake is approved, then the
    new record of the principal is merged into `target`, all in one transaction. Returns the
    case.
    """
    _refuse_unless_supervisor(actor, submission.team)
    _refuse_while_another_team_checks(submission, actor)
    if not merge_targets(submission, actor).filter(pk=target.pk).exists():
        raise ValidationError(
            {"person": _("Merge only into a duplicate candidate of the principal you can see.")}
        )
    with transaction.atomic():
        locked = _lock(submission, Status.SUBMITTED)
        case, principal = create_records(
            cleaned=validated(locked), team=locked.team, caseworker=locked.owner, actor=actor
        )
        person_merge(source=principal, target=target, actor=actor)
        _decide(locked, actor, Status.MERGED, case=case, merged_into=target, answers={})
        record(actor, "status_change", locked, case=case, status=locked.status)
    _refresh(submission, locked)
    return case


# Merging two records of one person

MERGED_FIELDS = ("date_of_birth", "place_of_origin", "current_location", "contact")
COARSE_UNKNOWN = {"sex": "unknown", "nationality": "unknown", "region": "unknown"}


def _lock_people(*people) -> None:
    for pk in sorted(str(person.pk) for person in people):
        Person.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()


def _merge_details(source: Person, target: Person) -> list[str]:
    """
    Fill the target's blank details from the source; a detail both have and that differs is
    kept in the target's notes, so that nothing the source held is lost.
    """
    filled, kept = [], []
    for name in MERGED_FIELDS:
        value, current = getattr(source, name), getattr(target, name)
        if value in (None, "") or value == current:
            continue
        clash = name == "date_of_birth" and target.birth_year not in (None, value.year)
        if current in (None, "") and not clash:
            setattr(target, name, value)
            filled.append(name)
        else:
            label = Person._meta.get_field(name).verbose_name
            shown = value.isoformat() if hasattr(value, "isoformat") else value
            kept.append(f"{label}: {shown}")
    if target.birth_year is None and source.birth_year is not None:
        target.birth_year = source.birth_year
        filled.append("birth_year")
    for name, unknown in COARSE_UNKNOWN.items():
        if getattr(target, name) == unknown and getattr(source, name) != unknown:
            setattr(target, name, getattr(source, name))
            filled.append(name)
    if source.notes:
        kept.append(source.notes)
    if kept:
        heading = _("From the merged record %(reference)s:") % {"reference": source.reference}
        target.notes = "\n\n".join(part for part in [target.notes, heading, *kept] if part)
        filled.append("notes")
    return filled


def _merge_aliases(source: Person, target: Person, moved: Counter) -> None:
    known = {target.full_name_index, *target.aliases.values_list("name_index", flat=True)}
    for alias in PersonAlias.objects.filter(person=source):
        if alias.name_index in known:
            alias.delete()
            moved["aliases_already_known"] += 1
        else:
            PersonAlias.objects.filter(pk=alias.pk).update(person=target)
            known.add(alias.name_index)
            moved["aliases"] += 1
    if source.full_name_index not in known:
        alias = PersonAlias(person=target, name=source.full_name)
        alias.full_clean()
        alias.save()
        moved["names_kept_as_alias"] += 1
    else:
        moved["names_already_known"] += 1


def _merge_ties(source: Person, target: Person, moved: Counter) -> None:
    ties = Relationship.objects.filter(Q(from_person=source) | Q(to_person=source))
    for tie in ties.select_related("from_person", "to_person"):
        from_pk = target.pk if tie.from_person_id == source.pk else tie.from_person_id
        to_pk = target.pk if tie.to_person_id == source.pk else tie.to_person_id
        if from_pk == to_pk:
            # A tie between the two records of one person says nothing once they are one.
            tie.delete()
            moved["ties_between_the_records"] += 1
            continue
        same = Relationship.objects.filter(kind=tie.kind).filter(
            Q(from_person=from_pk, to_person=to_pk)
            | Q(from_person=to_pk, to_person=from_pk, kind__in=["partner_of", "spouse_of"])
        )
        if same.exclude(pk=tie.pk).exists():
            tie.delete()
            moved["ties_already_known"] += 1
            continue
        tie.from_person_id, tie.to_person_id = from_pk, to_pk
        tie.from_person = Person.objects.get(pk=from_pk)
        tie.to_person = Person.objects.get(pk=to_pk)
        tie.full_clean()
        tie.version = F("version") + 1
        tie.save()
        moved["relationships"] += 1


def _merge_statuses(source: Person, target: Person, moved: Counter) -> None:
    """
    Both timelines become one. When both records have a current status, the one that began
    later stays current and the other ends the day it began, as a status change would do; any
    other overlap is refused, to be corrected by a person who knows which is right.
    """
    source_open = LegalStatusRecord.objects.filter(person=source, effective_to__isnull=True).first()
    target_open = LegalStatusRecord.objects.filter(person=target, effective_to__isnull=True).first()
    if source_open and target_open:
        if source_open.effective_from == target_open.effective_from:
            if (source_open.status, source_open.country) != (
                target_open.status,
                target_open.country,
            ):
                raise ValidationError(
                    _(
                        "%(source)s and %(target)s have different current statuses that began "
                        "on the same day (%(day)s). Correct one of them before merging."
                    )
                    % {
                        "source": source.reference,
                        "target": target.reference,
                        "day": source_open.effective_from.isoformat(),
                    }
                )
            source_open.delete()
            moved["statuses_already_known"] += 1
        else:
            earlier, later = sorted([source_open, target_open], key=lambda r: r.effective_from)
            earlier.effective_to = later.effective_from
            earlier.save(update_fields=["effective_to"])
            moved["statuses_closed"] += 1
    for status in LegalStatusRecord.objects.filter(person=source).order_by("effective_from"):
        status.person = target
        try:
            status.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _(
                    "The status histories of %(source)s and %(target)s overlap around "
                    "%(day)s: %(detail)s"
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "day": status.effective_from.isoformat(),
                    "detail": " ".join(error.messages),
                }
            ) from None
        status.save()
        moved["statuses"] += 1


def _unaccounted(source: Person) -> list[str]:
    """Every kind of row still pointing at `source`: a merge must have moved them all."""
    left = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        if model._default_manager.filter(**{relation.field.name: source.pk}).exists():
            left.append(model._meta.label)
    return left


def person_merge(*, source: Person, target: Person, actor) -> Counter:
    """
    `source` and `target` are one person: everything recorded about `source` — names (its
    name becomes an alias), details, family ties, status history, benefits, incidents, case
    memberships, files and consents — moves to `target`, and `source` is deleted. In one
    transaction, audited; refused if any row would be left behind. Returns what moved.
    """
    if source.pk == target.pk:
        raise ValidationError(_("A person cannot be merged into themselves."))
    moved: Counter = Counter()
    with transaction.atomic():
        _lock_people(source, target)
        source = Person.objects.get(pk=source.pk)
        target = Person.objects.get(pk=target.pk)
        filled = _merge_details(source, target)
        if filled:
            target.full_clean()
            target.version = F("version") + 1
            target.save()
            target.refresh_from_db(fields=["version"])
        _merge_aliases(source, target, moved)
        _merge_ties(source, target, moved)
        _merge_statuses(source, target, moved)
        moved["entitlements"] = source.entitlements.update(person=target)
        for incident in Incident.objects.filter(people=source):
            incident.people.remove(source)
            incident.people.add(target)
            moved["incidents"] += 1
        for member in CaseMember.objects.filter(person=source):
            if CaseMember.objects.filter(case=member.case_id, person=target).exists():
                member.delete()
                moved["memberships_already_known"] += 1
            else:
                CaseMember.objects.filter(pk=member.pk).update(person=target)
                moved["memberships"] += 1
        moved["attachments"] = Attachment.objects.filter(person=source).update(person=target)
        moved["consents"] = Consent.objects.filter(person=source).update(person=target)
        DuplicateCandidate.objects.filter(person=source).delete()
        IntakeSubmission.objects.filter(merged_into=source).update(merged_into=target)
        ImportedRow.objects.filter(person=source).update(person=target)
        left = _unaccounted(source)
        if left:
            raise ValidationError(
                _("Cannot merge: records of these kinds would be lost: %(kinds)s.")
                % {"kinds": ", ".join(left)}
            )
        counts = {key: value for key, value in sorted(moved.items()) if value}
        record(
            actor,
            "update",
            target,
            fields=sorted({*filled, "aliases"}),
            merged_from=source.reference,
            moved=counts,
        )
        record(actor, "delete", source, merged_into=target.reference)
        source.delete()
    return moved
