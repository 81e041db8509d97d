"""
What an approved intake writes: one plan of its household (`household_plan`, also the import's),
written one service at a time through casework's and consent's services (`create_records`).
"""

from django.utils.translation import gettext as _

from casework import dates
from casework import services as casework
from casework.choices import (
    EntitlementStatus,
    MemberRole,
    NoteKind,
    PersonRole,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
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

from ..forms import DECEASED, PARTNER, PRINCIPAL


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
