"""
Every write to the casework records. Each service takes keyword arguments only, names the `actor`
who acts, validates with `full_clean()`, saves and appends the audit event inside one
transaction, so that a refused write leaves nothing behind, not even its audit event.

Each service first asks casework.permissions whether `actor` may do it, and raises
PermissionDenied when not, whichever page, API view, admin page or import called it.

Updates take `expected_version`, the version the caller read: a save based on an older reading
is refused with StaleEditError instead of silently overwriting someone else's change. Audit
events name the fields that changed, never their values.
"""

import datetime
import hashlib
import io
import os
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import roles
from audit.exceptions import AuditDetailError
from audit.services import record
from consent.checks import refusing
from vault.blind_index import blind_index

from . import dates, permissions
from .choices import AssignmentRole, CaseStatus, MemberRole
from .exceptions import StaleEditError
from .models import (
    Attachment,
    BreakGlassAccess,
    Case,
    CaseAssignment,
    CaseFlag,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from .querysets import NAME_SCOPE

PERSON_FIELDS = frozenset(
    {
        "full_name",
        "date_of_birth",
        "place_of_origin",
        "current_location",
        "contact",
        "notes",
        "sex",
        "birth_year",
        "nationality",
        "role",
        "region",
    }
)
CASE_FIELDS = frozenset({"risk_level", "status", "summary", "closed_on"})
INCIDENT_FIELDS = frozenset({"kind", "occurred_on", "region", "description"})
RELATIONSHIP_FIELDS = frozenset({"kind", "marriage_registered"})
# Sharing a case shows its people to someone outside the team; every member must agree to it.
SHARING_SCOPE = "share_with_advocates"


def _require(allowed: bool, message: str | None = None) -> None:
    """Refuse a write the actor may not make (casework.permissions decided `allowed`)."""
    if not allowed:
        raise PermissionDenied(message or _("You may not change this record."))


def _check_fields(fields: dict, allowed: frozenset, what: str) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")


def _check_person_fields(fields: dict) -> None:
    _check_fields(fields, PERSON_FIELDS, "person")


def _lock_person(person: Person) -> None:
    """Serialise writes to one person's history (a no-op on SQLite, which locks the database)."""
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).get()


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _audit(actor, action: str, target, *, case=None, **detail):
    """
    Append the event of a write, in the write's transaction. Detail holds field names, counts
    and references; should one of them happen to contain a value the record holds (a contact
    "no" inside "notes"), audit refuses it, and the event is kept without its detail.
    """
    try:
        return record(actor, action, target, case=case, **detail)
    except AuditDetailError:
        return record(actor, action, target, case=case, detail_withheld=True)


def _filled(fields: dict) -> list[str]:
    """The names of the fields given a value, for a create event (never the values)."""
    return sorted(name for name, value in fields.items() if value not in (None, "", [], ()))


def _person_case(person: Person, case: Case | None) -> Case | None:
    """
    The case an event about a person belongs to in the audit trail: the one the caller acted
    through, or the person's only case; None when they are in several and none was named.
    """
    if case is not None:
        return case
    cases = list(CaseMember.objects.filter(person=person).values_list("case", flat=True)[:2])
    return Case(pk=cases[0]) if len(cases) == 1 else None


def _update(instance, fields: dict, expected_version: int | None) -> list[str]:
    """
    Apply `fields` to the stored row of `instance` under a row lock and return the names of those
    that changed. The row is read afresh, so fields the caller did not name keep what is stored
    now; `instance` is brought up to date with it. Refused with StaleEditError when the stored
    version is not `expected_version` (None skips the check: last writer wins).
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError()
    changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
    for name in changed:
        setattr(current, name, fields[name])
    if changed:
        current.full_clean()
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db(fields=["version"])
    _copy_state(current, instance)
    return changed


def _bump_version(instance) -> None:
    """Count a change made outside the row's own fields (its people, its team's staff)."""
    type(instance)._default_manager.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])


def _copy_state(source, target) -> None:
    if source is target:
        return
    # Through the descriptors, so that a changed foreign key drops its cached object.
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, source.__dict__[field.attname])


# People


def person_create(
    *,
    actor,
    aliases: Iterable[str] = (),
    case: Case | None = None,
    role_in_case: str = MemberRole.OTHER,
    **fields,
) -> Person:
    """
    Register a person with any other names they are known by, and with `case`, as a member of
    it: someone in no case is in no one's sight.
    """
    _require(permissions.can_register_person(actor, case))
    _check_person_fields(fields)
    aliases = [name for name in aliases if name]
    dob = fields.get("date_of_birth")
    if dob and fields.get("birth_year") is None:
        fields["birth_year"] = dob.year
    dates.check_birth(date_of_birth=dob, birth_year=fields.get("birth_year"))
    with transaction.atomic():
        person = _save(Person(**fields))
        for name in aliases:
            _alias_save(person=person, name=name)
        if case is not None:
            _save(CaseMember(case=case, person=person, role=role_in_case))
        _audit(
            actor,
            "create",
            person,
            case=case,
            fields=_filled(fields),
            aliases=len(aliases),
        )
    return person


def person_update(
    *,
    person: Person,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
    **fields,
) -> Person:
    """Change a person's details; the coarse birth year follows a changed date of birth."""
    _require(permissions.can_edit_person(actor, person))
    _check_person_fields(fields)
    dob = fields.get("date_of_birth")
    if dob and "birth_year" not in fields:
        fields["birth_year"] = dob.year
    dates.check_birth(date_of_birth=dob, birth_year=fields.get("birth_year"))
    with transaction.atomic():
        if dob or fields.get("birth_year"):
            dates.check_person_facts(person, date_of_birth=dob, birth_year=fields.get("birth_year"))
        changed = _update(person, fields, expected_version)
        if changed:
            _audit(actor, "update", person, case=_person_case(person, case), fields=changed)
    return person


def _alias_save(*, person: Person, name: str) -> PersonAlias:
    digest = blind_index(NAME_SCOPE, name)
    if name and digest is None:
        raise ValidationError({"name": _("An alias must contain letters or digits.")})
    if digest is not None and Person.objects.filter(pk=person.pk).matching_name(name).exists():
        raise ValidationError({"name": _("This person is already known by that name.")})
    return _save(PersonAlias(person=person, name=name))


def person_alias_add(*, person: Person, name: str, actor, case: Case | None = None) -> PersonAlias:
    """Record another name a person is known by."""
    _require(permissions.can_edit_person(actor, person))
    with transaction.atomic():
        alias = _alias_save(person=person, name=name)
        _audit(actor, "create", alias, case=_person_case(person, case), fields=["name"])
    return alias


def _lock_people(*people: Person) -> None:
    # In a fixed order, so two clerks entering a tie and its reverse at once cannot both pass
    # validation, nor deadlock.
    for pk in sorted({str(person.pk) for person in people}):
        Person.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()


def relationship_create(
    *,
    from_person: Person,
    to_person: Person,
    kind: str,
    marriage_registered=None,
    actor,
    case: Case | None = None,
) -> Relationship:
    """Record a family tie, read as `from_person` <kind> `to_person`."""
    _require(permissions.can_record_tie(actor, from_person, to_person))
    with transaction.atomic():
        _lock_people(from_person, to_person)
        tie = _save(
            Relationship(
                from_person=from_person,
                to_person=to_person,
                kind=kind,
                marriage_registered=marriage_registered,
            )
        )
        _audit(
            actor,
            "create",
            tie,
            case=_person_case(from_person, case),
            fields=_filled({"kind": kind, "marriage_registered": marriage_registered}),
        )
    return tie


def relationship_update(
    *,
    relationship: Relationship,
    actor,
    expected_version: int | None = None,
    case: Case | None = None,
    **fields,
) -> Relationship:
    """
    Correct a tie: whether a couple is married or partners, whether the marriage is registered.
    Who the tie joins does not change; record another tie instead.
    """
    _require(permissions.can_record_tie(actor, relationship.from_person, relationship.to_person))
    _check_fields(fields, RELATIONSHIP_FIELDS, "relationship")
    with transaction.atomic():
        _lock_people(relationship.from_person, relationship.to_person)
        changed = _update(relationship, fields, expected_version)
        if changed:
            _audit(
                actor,
                "update",
                relationship,
                case=_person_case(relationship.from_person, case),
                fields=changed,
            )
    return relationship


# Legal status history: the only place that opens and closes status records.


def legal_status_change(
    *,
    person: Person,
    status: str,
    effective_from,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
    case: Case | None = None,
) -> LegalStatusRecord:
    """
    The person's legal situation changed on `effective_from`: the current status ends that day
    and the new one becomes current.
    """
    _require(permissions.can_record_legal_status(actor, person))
    dates.check_period(
        person, start=effective_from, start_field="effective_from", end_field="effective_to"
    )
    with transaction.atomic():
        _lock_person(person)
        current = LegalStatusRecord.objects.filter(person=person, effective_to__isnull=True).first()
        if current is not None:
            if effective_from <= current.effective_from:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "The new status must begin after the current status “%(status)s”, "
                            "which began on %(start)s."
                        )
                        % {
                            "status": current.get_status_display(),
                            "start": _("birth")
                            if current.since_birth
                            else date_format(current.effective_from),
                        }
                    }
                )
            current.effective_to = effective_from
            _save(current)
        new = _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )
        _audit(
            actor,
            "status_change",
            new,
            case=_person_case(person, case),
            fields=_filled(
                {
                    "status": status,
                    "effective_from": effective_from,
                    "country": country,
                    "place": place,
                    "source": source,
                    "note": note,
                }
            ),
            closed_previous=current is not None,
        )
    return new


def legal_status_record_add(
    *,
    person: Person,
    status: str,
    effective_from,
    effective_to,
    actor,
    country: str,
    place: str = "",
    source: str,
    note: str = "",
    case: Case | None = None,
) -> LegalStatusRecord:
    """Fill in a past period of the timeline; it may not overlap any other record."""
    _require(permissions.can_record_legal_status(actor, person))
    if effective_to is None:
        raise ValidationError(
            {
                "effective_to": _(
                    "A past period needs the day it ended; record a current status as a change."
                )
            }
        )
    dates.check_period(
        person,
        start=effective_from,
        end=effective_to,
        start_field="effective_from",
        end_field="effective_to",
    )
    with transaction.atomic():
        _lock_person(person)
        period = _save(
            LegalStatusRecord(
                person=person,
                status=status,
                effective_from=effective_from,
                effective_to=effective_to,
                country=country,
                place=place,
                source=source,
                note=note,
                recorded_by=actor,
            )
        )
        _audit(
            actor,
            "create",
            period,
            case=_person_case(person, case),
            fields=_filled(
                {
                    "status": status,
                    "effective_from": effective_from,
                    "effective_to": effective_to,
                    "country": country,
                    "place": place,
                    "source": source,
                    "note": note,
                }
            ),
        )
    return period


def entitlement_record(
    *,
    person: Person,
    kind: str,
    status: str,
    as_of,
    note: str = "",
    actor,
    case: Case | None = None,
) -> Entitlement:
    """Record what happened when the person sought a benefit; earlier records stay as history."""
    _require(permissions.can_edit_person(actor, person))
    dates.check_event(as_of, field="as_of", people=[person])
    with transaction.atomic():
        entitlement = _save(
            Entitlement(
                person=person, kind=kind, status=status, as_of=as_of, note=note, recorded_by=actor
            )
        )
        _audit(
            actor,
            "create",
            entitlement,
            case=_person_case(person, case),
            fields=_filled({"kind": kind, "status": status, "as_of": as_of, "note": note}),
        )
    return entitlement


# Cases


def _assign(*, case: Case, user, role: str, actor) -> CaseAssignment:
    """
    The one place an assignment is made. Who may be given a case is checked here, so that no
    path (opening, assigning, handing over, sharing) makes a legal advocate a caseworker.
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
    if CaseAssignment.objects.filter(case=case, user=user, role=role).exists():
        raise ValidationError(
            {
                "user": _("%(user)s is already assigned to case %(case)s.")
                % {"user": user.get_username(), "case": case.reference}
            }
        )
    assignment = _save(CaseAssignment(case=case, user=user, role=role, assigned_by=actor))
    _audit(actor, "create", assignment, case=case, role=role, user=user.pk)
    return assignment


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


def case_update(*, case: Case, actor, expected_version: int | None = None, **fields) -> Case:
    """
    Change a case's risk level, status or summary. Closing a case dates it (today unless
    `closed_on` is given); reopening it clears that date; only a closed case has one.
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
        changed = _update(case, fields, expected_version)
        if changed:
            _audit(actor, "update", case, fields=changed)
    return case


def case_add_member(*, case: Case, person: Person, role: str, actor) -> CaseMember:
    """Add a person on file to a case, from a case of theirs the actor may change."""
    _require(
        permissions.can_add_person_to_case(actor, person, case),
        _("You may add to a case only people of the cases you work."),
    )
    with transaction.atomic():
        member = _save(CaseMember(case=case, person=person, role=role))
        _audit(actor, "create", member, case=case, person=person.reference, role=role)
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
        _assign(case=case, user=to_user, role=AssignmentRole.CASEWORKER, actor=actor)
    if assignment is not None:
        _audit(actor, "delete", assignment, case=case, role=assignment.role, user=from_user.pk)
        assignment.delete()
    if owned:
        # Whoever leaves must not keep seeing the case as its owner.
        Case.objects.filter(pk=case.pk).update(owner=to_user)
        case.owner = to_user
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


def case_reassign(*, case: Case, from_user, to_user, actor) -> Case:
    """
    A supervisor hands a case from one caseworker to another of the team: the assignment (and
    the ownership, if `from_user` owned it) moves, in one step.
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
    and owner lose it; the new team's supervisors see it and assign their caseworkers. Legal
    advocates it is shared with keep it.
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
        leaving = CaseAssignment.objects.filter(case=case, role=AssignmentRole.CASEWORKER).exclude(
            user__in=roles.working_members(to_team).values("pk")
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
    return case


def case_flag_set(*, case: Case, kind: str, actor) -> CaseFlag:
    """Raise a warning on a case, shown on every page of it until cleared."""
    _require(permissions.can_edit_case(actor, case))
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
        if CaseFlag.objects.filter(case=case, kind=kind, active=True).exists():
            raise ValidationError({"kind": _("This flag is already raised on the case.")})
        flag = _save(CaseFlag(case=case, kind=kind, set_by=actor))
        _audit(actor, "create", flag, case=case, kind=kind)
    return flag


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


def case_note_add(*, case: Case, body: str, actor) -> CaseNote:
    _require(permissions.can_edit_case(actor, case))
    with transaction.atomic():
        note = _save(CaseNote(case=case, author=actor, body=body))
        _audit(actor, "create", note, case=case, fields=["body"])
    return note


def _refuse_non_members(case: Case, people: Iterable[Person], field: str) -> None:
    pks = {person.pk for person in people}
    members = set(
        CaseMember.objects.filter(case=case, person__in=pks).values_list("person", flat=True)
    )
    outsiders = [person for person in people if person.pk not in members]
    if outsiders:
        raise ValidationError(
            {
                field: _("Not members of case %(case)s: %(people)s.")
                % {
                    "case": case.reference,
                    "people": ", ".join(sorted(person.reference for person in outsiders)),
                }
            }
        )


def incident_record(
    *,
    case: Case,
    kind: str,
    occurred_on,
    region: str,
    description: str = "",
    people: Iterable[Person] = (),
    actor,
) -> Incident:
    """Record a dated event in a case and the case's people it involved."""
    _require(permissions.can_edit_case(actor, case))
    people = list(people)
    _refuse_non_members(case, people, "people")
    dates.check_event(occurred_on, field="occurred_on", people=people)
    with transaction.atomic():
        incident = _save(
            Incident(
                case=case,
                kind=kind,
                occurred_on=occurred_on,
                region=region,
                description=description,
                recorded_by=actor,
            )
        )
        incident.people.set(people)
        _audit(
            actor,
            "create",
            incident,
            fields=_filled(
                {
                    "kind": kind,
                    "occurred_on": occurred_on,
                    "region": region,
                    "description": description,
                }
            ),
            people=len(people),
        )
    return incident


def incident_update(
    *,
    incident: Incident,
    actor,
    expected_version: int | None = None,
    people: Iterable[Person] | None = None,
    **fields,
) -> Incident:
    """Correct an incident; `people` (when given) replaces the case members it involved."""
    _require(permissions.can_edit_case(actor, incident.case))
    _check_fields(fields, INCIDENT_FIELDS, "incident")
    if people is not None:
        people = list(people)
        _refuse_non_members(incident.case, people, "people")
    dates.check_event(
        fields.get("occurred_on", incident.occurred_on),
        field="occurred_on",
        people=incident.people.all() if people is None else people,
    )
    with transaction.atomic():
        changed = _update(incident, fields, expected_version)
        if people is not None:
            before = set(incident.people.values_list("pk", flat=True))
            if before != {person.pk for person in people}:
                incident.people.set(people)
                if not changed:
                    _bump_version(incident)
                changed = sorted([*changed, "people"])
        if changed:
            _audit(actor, "update", incident, fields=changed)
    return incident


def task_create(*, case: Case, title: str, actor, due_on=None, assignee=None) -> Task:
    """
    A follow-up for a case; whoever is to do it must be able to see the case. Given to nobody, it
    is the creator's: a follow-up that is no one's is one nobody does (pages, API and import alike).
    """
    _require(permissions.can_edit_case(actor, case))
    assignee = assignee or actor
    if assignee is not None and not Case.objects.visible_to(assignee).filter(pk=case.pk).exists():
        raise ValidationError(
            {
                "assignee": _("%(user)s cannot see case %(case)s.")
                % {"user": assignee.get_username(), "case": case.reference}
            }
        )
    with transaction.atomic():
        task = _save(
            Task(case=case, title=title, due_on=due_on, assignee=assignee, created_by=actor)
        )
        _audit(
            actor,
            "create",
            task,
            fields=_filled({"title": title, "due_on": due_on, "assignee": assignee}),
        )
    return task


def task_complete(*, task: Task, actor, expected_version: int | None = None) -> Task:
    """Mark a follow-up done, once, by its assignee or by anyone who may change its case."""
    _require(permissions.can_complete_task(actor, task))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.is_done:
            raise ValidationError(_("This task was already completed."))
        changed = _update(
            task,
            {"completed_at": timezone.now(), "completed_by": actor},
            expected_version,
        )
        _audit(actor, "update", task, fields=changed)
    return task


# Attachments

SNIFF_BYTES = 64
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def _sniff_zip(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                if member.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                    return "application/vnd.oasis.opendocument.text"
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any((ch < " " and ch not in TEXT_CONTROLS_ALLOWED) or ch == "\x7f" for ch in text)


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes themselves show, among those we accept; None for anything else."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _looks_like_text(data):
        return "text/plain"
    return None


def _read_upload(uploaded_file, limit: int) -> bytes:
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": _too_large(limit)})
    chunks, total = [], 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": _too_large(limit)})
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def attachment_add(
    *, case: Case, uploaded_file, actor, person: Person | None = None, description: str = ""
) -> Attachment:
    """
    Keep a file with a case, encrypted at rest. Its type is read from its first bytes, never
    taken from the browser, and only documents and photos are accepted.
    """
    _require(permissions.can_edit_case(actor, case))
    data = _read_upload(uploaded_file, settings.SHIMTEO_ATTACHMENT_MAX_BYTES)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted. Upload a PDF, a photo (JPEG, PNG, WebP, "
                    "HEIC), a plain text file, or a Word or OpenDocument text document."
                )
            }
        )
    if person is not None:
        _refuse_non_members(case, [person], "person")
    original_name = os.path.basename((uploaded_file.name or "").replace("\\", "/"))[:255]
    attachment = Attachment(
        case=case,
        person=person,
        original_name=original_name or _("unnamed"),
        description=description,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    # The stored name is random; the neutral name given here only keeps the upload_to folder.
    attachment.full_clean(exclude=["file"])
    attachment.file.save("upload", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            _save(attachment)
            _audit(
                actor,
                "create",
                attachment,
                fields=_filled({"file": True, "person": person, "description": description}),
                content_type=content_type,
                size=len(data),
            )
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


# Break-glass: the one way an administrator reaches case content.

BREAK_GLASS_MIN_REASON = 20


def case_break_glass(*, case: Case, actor, reason: str, request=None) -> BreakGlassAccess:
    """
    Let an administrator see one case for SHIMTEO_BREAK_GLASS_MINUTES, on a written reason. The
    grant is in the audit trail (the reason stays in the grant, encrypted), where the case's
    supervisors see it.
    """
    _require(permissions.can_break_glass(actor), _("Only administrators can break the glass."))
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "Say why you need to see this case, in at least %(count)d characters: "
                    "the case's supervisors will read it."
                )
                % {"count": BREAK_GLASS_MIN_REASON}
            }
        )
    minutes = settings.SHIMTEO_BREAK_GLASS_MINUTES
    now = timezone.now()
    with transaction.atomic():
        access = _save(
            BreakGlassAccess(
                case=case,
                user=actor,
                reason=reason,
                granted_at=now,
                expires_at=now + datetime.timedelta(minutes=minutes),
            )
        )
        record(actor, "break_glass", case, request=request, minutes=minutes)
    return access
