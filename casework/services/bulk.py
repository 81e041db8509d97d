"""
Writing many new households at once (a spreadsheet import's chunk): the people, their case and
everything an intake records about them, in a few inserts instead of a few dozen queries a
person.

A household is described by a `NewHousehold` (its people, its case, and its records in the order
the single services would write them); `intake.services.household_plan` makes one from an
intake, and `intake.services.create_records` writes the same plan one service at a time (an
intake approved in the queue). Here it is written in bulk, through the same rules:

- the permissions are asked once for the lot, of the same named functions of
  casework.permissions that the single services ask (every case of a call is of one team,
  opened by one actor, worked by the same caseworkers, so one answer holds for all);
- each household is validated before anything is written, by the rule functions the single
  services and the models call (casework.dates, `Person.clean`, `Relationship.clean_own`,
  `LegalStatusRecord.clean_dates`, `Consent.clean`, the alias rule of services.people); the
  checks `full_clean()` would make against the database (foreign keys, unique references,
  overlaps with periods or ties on file) cannot fail for rows that do not exist yet, and the
  database's constraints still hold;
- a household that fails a rule is not written: its error is returned in its place and the
  others are written;
- the audit events are exactly those of the single services (same actions, targets, cases and
  detail, through the same `_audit`), appended together under one take of the chain's lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notify_many
from audit.services import appended_together
from consent.models import Consent
from consent.services import consent_built
from vault.blind_index import blind_index

from .. import dates, permissions
from ..choices import AssignmentRole, NoteKind, RelationshipKind
from ..models import (
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
)
from ..querysets import NAME_SCOPE
from ._common import _audit, _check_person_fields, _filled, _require
from .cases import _check_assignable
from .names import _wanted
from .people import _alias_check

BATCH_SIZE = 1000

# The household's plan


@dataclass(eq=False)
class NewPerson:
    """
    Someone to register, as `person_create` takes them (`fields`, `aliases`), and their role in
    the household's case. The unsaved `person` is made at once, so that its reference and id are
    known before it is written (a note naming the person, a duplicate found later in the file).
    """

    role: str
    fields: dict
    aliases: list[str] = field(default_factory=list)
    person: Person = field(init=False)
    # Made when the household is checked (`household_check`): the rows written beside the person.
    alias_rows: list[PersonAlias] = field(init=False, default_factory=list)
    name_keys: list[NameKey] = field(init=False, default_factory=list)

    def __post_init__(self):
        _check_person_fields(self.fields)
        self.aliases = [name for name in self.aliases if name]
        dob = self.fields.get("date_of_birth")
        if dob and self.fields.get("birth_year") is None:
            self.fields["birth_year"] = dob.year
        self.person = Person(**self.fields)


@dataclass(eq=False)
class NewNote:
    """A note on the case (`case_note_add`); `body` may be made when it is written."""

    body: str | Callable[[], str]
    kind: str = NoteKind.OTHER

    def text(self) -> str:
        return self.body() if callable(self.body) else self.body


@dataclass(eq=False)
class NewTie:
    """A family tie (`relationship_create`), read as `from_person` <kind> `to_person`."""

    from_person: NewPerson
    to_person: NewPerson
    kind: str
    marriage_registered: bool | None = None


@dataclass(eq=False)
class NewConsent:
    """What a person agreed to (the keyword arguments of `consent.services.consent_record`)."""

    person: NewPerson
    terms: dict
    guardian: NewPerson | None = None


@dataclass(eq=False)
class NewStatus:
    """The person's legal status from `effective_from` (`legal_status_change`)."""

    person: NewPerson
    status: str
    effective_from: datetime.date
    country: str
    source: str


@dataclass(eq=False)
class NewBenefit:
    """What happened when the person sought a benefit (`entitlement_record`)."""

    person: NewPerson
    kind: str
    status: str
    as_of: datetime.date


@dataclass(eq=False)
class NewIncident:
    """A dated event of the case involving some of its people (`incident_record`)."""

    kind: str
    occurred_on: datetime.date
    region: str
    description: str = ""
    people: list[NewPerson] = field(default_factory=list)


@dataclass(eq=False)
class NewHousehold:
    """
    The people of one new case (the principal first), the case's risk and summary, and its
    records in the order they are written: that order is the audit trail's.
    """

    people: list[NewPerson]
    risk_level: str
    summary: str = ""
    records: list = field(default_factory=list)
    # (team pk, actor pk, case, rows) once checked by `household_check`.
    checked: tuple | None = field(default=None, init=False)


# Checking a plan: the same rules as the single services, nothing read from the database


def _check_person(new: NewPerson) -> None:
    person = new.person
    dates.check_birth(date_of_birth=person.date_of_birth, birth_year=person.birth_year)
    # The foreign-key and uniqueness checks of full_clean() ask the database about rows that
    # cannot exist yet (a new random reference); the fields' own rules and clean() are kept.
    person.clean_fields(exclude=["id", "reference"])
    person.clean()
    known = {blind_index(NAME_SCOPE, person.full_name)}
    for name in new.aliases:
        digest = blind_index(NAME_SCOPE, name)
        _alias_check(name, digest, known=digest is not None and digest in known)
        known.add(digest)
    new.alias_rows = [PersonAlias(person=person, name=name) for name in new.aliases]
    # The keys `_name_keys_refresh` would write for the name and aliases (services.names).
    new.name_keys = [
        NameKey(
            person_id=person.pk,
            reference=person.reference,
            alias_id=alias_id,
            kind=kind,
            digest=digest,
        )
        for alias_id, kind, digest in _wanted(person, new.alias_rows)
    ]


def _own_fields(instance, exclude=()) -> None:
    """full_clean() without the foreign keys (rows of this plan or the actor) nor the pk."""
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    instance.clean_fields(exclude=["id", *relations, *exclude])
    instance.clean()


def _check(household: NewHousehold, case: Case) -> list:
    """
    Validate a household and build its rows (unsaved): [(kind, instance, extra)] in the order
    of its records. Raises ValidationError naming the field, as the single service would.
    """
    members = {id(new) for new in household.people}
    for new in household.people:
        _check_person(new)
    case.clean_fields(exclude=["id", "reference", "team", "owner"])
    rows = []
    for item in household.records:
        if isinstance(item, NewNote):
            note = CaseNote(case=case, kind=item.kind, contacted_on=dates.today(), body=item.text())
            dates.check_contact(note.contacted_on, case=case)
            _own_fields(note)
            rows.append(("note", note, item))
        elif isinstance(item, NewTie):
            tie = Relationship(
                from_person=item.from_person.person,
                to_person=item.to_person.person,
                kind=item.kind,
                marriage_registered=item.marriage_registered,
            )
            tie.clean_fields(exclude=["id", "from_person", "to_person"])
            # Relationship.clean without the reads of ties on file: new people have none.
            tie.clean_own()
            if item.kind == RelationshipKind.PARENT_OF:
                dates.check_parenthood(tie.from_person, tie.to_person, field=None)
            rows.append(("tie", tie, item))
        elif isinstance(item, NewConsent):
            consent, detail = consent_built(
                person=item.person.person,
                actor=None,
                guardian=item.guardian.person if item.guardian else None,
                **item.terms,
            )
            _own_fields(consent)
            rows.append(("consent", consent, detail))
        elif isinstance(item, NewStatus):
            person = item.person.person
            dates.check_period(
                person,
                start=item.effective_from,
                start_field="effective_from",
                end_field="effective_to",
            )
            status = LegalStatusRecord(
                person=person,
                status=item.status,
                effective_from=item.effective_from,
                country=item.country,
                source=item.source,
            )
            # What save() does before it writes, which bulk_create() skips.
            status.store_start_of_period(person.date_of_birth)
            status.clean_fields(exclude=["id", "person", "recorded_by"])
            status.clean_dates()  # a new person has no other period to overlap
            rows.append(("status", status, item))
        elif isinstance(item, NewBenefit):
            dates.check_event(item.as_of, field="as_of", people=[item.person.person])
            benefit = Entitlement(
                person=item.person.person, kind=item.kind, status=item.status, as_of=item.as_of
            )
            _own_fields(benefit)
            rows.append(("benefit", benefit, item))
        elif isinstance(item, NewIncident):
            outsiders = [new for new in item.people if id(new) not in members]
            if outsiders:
                raise ValidationError(
                    {
                        "people": _("Not members of case %(case)s: %(people)s.")
                        % {
                            "case": case.reference,
                            "people": ", ".join(sorted(n.person.reference for n in outsiders)),
                        }
                    }
                )
            people = [new.person for new in item.people]
            dates.check_event(item.occurred_on, field="occurred_on", people=people)
            incident = Incident(
                case=case,
                kind=item.kind,
                occurred_on=item.occurred_on,
                region=item.region,
                description=item.description,
            )
            _own_fields(incident)
            rows.append(("incident", incident, people))
        else:
            raise TypeError(f"Not a record of a household: {type(item).__name__}")
    return rows


def household_check(household: NewHousehold, *, team, actor) -> None:
    """
    Validate a household to be opened in `team` by `actor`, by the rules its single services
    apply; ValidationError names the field, as they would. Nothing is read from the database:
    call it for each household of a chunk, and write those that pass with `households_create`
    (the rows built here are kept on the household, not built again).
    """
    case = Case(team=team, owner=actor, risk_level=household.risk_level, summary=household.summary)
    household.checked = (team.pk, actor.pk, case, _check(household, case))


# Writing


def households_create(*, actor, team, caseworker, households: list[NewHousehold]) -> list[Case]:
    """
    Register the people of each household, open its case for `team` worked by `caseworker`, and
    write its records, all in bulk, with the audit events the single services write, appended
    together. Returns the cases, in the order of the households. Each household is checked
    (`household_check`) unless it was for this team and actor: a ValidationError refuses the
    lot, so check them first to write the others. PermissionDenied, as the single services
    raise it, refuses the lot too.
    """
    # person_create's, case_open's and _assign's questions, asked once: the answers are the
    # same for every household of the call. (A person in no case may be brought into a new one
    # by whoever may register people: `can_bring_person` of a new person is this same rule.)
    _require(permissions.can_register_person(actor, None))
    _require(
        permissions.can_open_case(actor, team),
        _("Only the team's caseworkers and supervisors open its cases."),
    )
    caseworkers = [caseworker]
    if roles.is_caseworker(actor, team) and actor.pk != caseworker.pk:
        caseworkers.insert(0, actor)
    for user in caseworkers:
        _check_assignable(user, Case(team=team), AssignmentRole.CASEWORKER)

    checked = []
    for household in households:
        if household.checked is None or household.checked[:2] != (team.pk, actor.pk):
            household_check(household, team=team, actor=actor)
        _team, _actor, case, rows = household.checked
        checked.append((household, case, rows))
    if not checked:
        return []
    with transaction.atomic(), appended_together():
        _write(checked, actor=actor, caseworkers=caseworkers)
        # Every later record of these cases is a change to a case of the actor's: asked of the
        # first (its team, owner and caseworkers are those of every other), once it exists.
        _require(permissions.can_edit_case(actor, checked[0][1]))
    return [case for _household, case, _rows in checked]


def _write(checked: list, *, actor, caseworkers: list) -> None:
    people, aliases, keys, cases, members, assignments = [], [], [], [], [], []
    notes, ties, consents, statuses, benefits, incidents, involved = [], [], [], [], [], [], []
    events = []  # (action, target, case, detail), in the single services' order
    for household, case, rows in checked:
        for new in household.people:
            people.append(new.person)
            aliases += new.alias_rows
            keys += new.name_keys
            detail = {"fields": _filled(new.fields), "aliases": len(new.alias_rows)}
            events.append(("create", new.person, None, detail))
        cases.append(case)
        members += [
            CaseMember(case=case, person=new.person, role=new.role) for new in household.people
        ]
        events.append(
            (
                "create",
                case,
                None,
                {
                    "fields": _filled({"risk_level": case.risk_level, "summary": case.summary}),
                    "members": len(household.people),
                },
            )
        )
        for user in caseworkers:
            assignment = CaseAssignment(
                case=case, user=user, role=AssignmentRole.CASEWORKER, assigned_by=actor
            )
            assignments.append(assignment)
            events.append(("create", assignment, case, {"role": assignment.role, "user": user.pk}))
        for kind, instance, extra in rows:
            if kind == "note":
                instance.author = actor
                notes.append(instance)
                detail = {"fields": ["body", "contacted_on", "kind"]}
                events.append(("create", instance, case, detail))
            elif kind == "tie":
                ties.append(instance)
                detail = {
                    "fields": _filled(
                        {"kind": instance.kind, "marriage_registered": instance.marriage_registered}
                    )
                }
                events.append(("create", instance, case, detail))
            elif kind == "consent":
                instance.recorded_by = actor
                consents.append(instance)
                events.append(("create", instance, case, extra))
            elif kind == "status":
                instance.recorded_by = actor
                statuses.append(instance)
                detail = {
                    "fields": _filled(
                        {
                            "status": extra.status,
                            "effective_from": extra.effective_from,
                            "country": extra.country,
                            "place": "",
                            "source": extra.source,
                            "note": "",
                        }
                    ),
                    "closed_previous": False,  # a new person has no status to close
                }
                events.append(("status_change", instance, case, detail))
            elif kind == "benefit":
                instance.recorded_by = actor
                benefits.append(instance)
                fields = {"kind": extra.kind, "status": extra.status, "as_of": extra.as_of}
                events.append(("create", instance, case, {"fields": _filled(fields)}))
            elif kind == "incident":
                instance.recorded_by = actor
                incidents.append(instance)
                involved += [
                    Incident.people.through(incident_id=instance.pk, person_id=person.pk)
                    for person in extra
                ]
                fields = {
                    "kind": instance.kind,
                    "occurred_on": instance.occurred_on,
                    "region": instance.region,
                    "description": instance.description,
                }
                # As incident_record files it: under the incident's own case.
                events.append(
                    ("create", instance, None, {"fields": _filled(fields), "people": len(extra)})
                )
    # Parents before the rows that point at them.
    for model, objects in (
        (Person, people),
        (PersonAlias, aliases),
        (NameKey, keys),
        (Case, cases),
        (CaseMember, members),
        (CaseAssignment, assignments),
        (CaseNote, notes),
        (Relationship, ties),
        (Consent, consents),
        (LegalStatusRecord, statuses),
        (Entitlement, benefits),
        (Incident, incidents),
        (Incident.people.through, involved),
    ):
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    for action, target, case, detail in events:
        _audit(actor, action, target, case=case, **detail)
    # `_assign` tells a caseworker given a case by someone else.
    told = [user for user in caseworkers if user.pk != actor.pk]
    if told:
        notify_many([(told, Notification.Kind.CASE_ASSIGNED, case) for case in cases])
