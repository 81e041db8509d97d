"""
The case of a demo household and its records: members, staff, incidents, notes, follow-ups
and consents.
"""

import random

from casework.choices import (
    AssignmentRole,
    CaseStatus,
    EntitlementKind,
    IncidentKind,
    LegalStatus,
    MemberRole,
    NoteKind,
)
from casework.models import Case, CaseAssignment, CaseMember, CaseNote, Incident, Person, Task
from consent.models import Consent
from consent.models import Method as ConsentMethod

from .caseload import Household, IncidentPerson, Rows
from .paths import (
    FIRST_HOUSEHOLDS,
    LEFT_CHINA,
    PROSECUTION_NOTES,
    _aware,
    _days,
    _years,
    risk_level,
)


class CaseRecords:
    """The case of a household and its records, for CaseloadBuilder (whose random source it uses)."""

    def _case(self, rows: Rows, h: Household) -> Case:
        rng, today, current = self.rng, self.today, h.current
        # First contact within the last nine years, before she left hiding (if she did).
        last = min(h.left_hiding or today, today - _days(7))
        opened = self._between(min(max(h.arrival + _days(60), today - _years(9)), last), last)
        if current in (LegalStatus.RESETTLED_ROK, LegalStatus.RESETTLED_OTHER):
            status = CaseStatus.CLOSED
            closed = min(today, h.steps[-1][1] + _days(rng.randint(14, 90)))
        elif current in (LegalStatus.REPATRIATED, LegalStatus.UNKNOWN) and self._chance(0.6):
            status, closed = CaseStatus.ON_HOLD, None
        else:
            status, closed = CaseStatus.OPEN, None
        summary = f"{LegalStatus(current).label}; {h.size} in the household; {h.town}."
        case = rows.add(
            Case(
                reference=self._reference("C"),
                team_id=self.staff.teams[h.team_name].pk,
                owner_id=h.caseworker.pk,
                status=status,
                risk_level=risk_level(
                    current, recent_raid=h.recent_raid, registered=h.plan.registered
                ),
                summary=summary,
                opened_on=opened,
                closed_on=closed,
            )
        )
        rows.add(CaseMember(case_id=case.pk, person_id=h.principal.pk, role=MemberRole.PRINCIPAL))
        if h.partner:
            rows.add(CaseMember(case_id=case.pk, person_id=h.partner.pk, role=MemberRole.PARTNER))
        for child in h.children:
            rows.add(CaseMember(case_id=case.pk, person_id=child.person.pk, role=MemberRole.CHILD))
        rows.add(
            CaseAssignment(
                case_id=case.pk,
                user_id=h.caseworker.pk,
                role=AssignmentRole.CASEWORKER,
                assigned_by_id=h.supervisor.pk,
            )
        )
        needs_advocate = current == LegalStatus.DETAINED_CN or any(c.denied for c in h.children)
        if (
            self.staff.advocates
            and status != CaseStatus.CLOSED
            and needs_advocate
            and self._chance(0.5)
        ):
            h.advocate = rng.choice(self.staff.advocates)
            rows.add(
                CaseAssignment(
                    case_id=case.pk,
                    user_id=h.advocate.pk,
                    role=AssignmentRole.LEGAL_ADVOCATE,
                    assigned_by_id=h.supervisor.pk,
                )
            )
        return case

    def _incidents(self, rows: Rows, h: Household, case: Case):
        rng, today = self.rng, self.today
        mother, partner = h.principal, h.partner
        events = []
        if self._chance(0.2):
            events.append(
                (
                    IncidentKind.TRAFFICKING,
                    h.arrival + _days(rng.randint(1, 30)),
                    [mother],
                    f"Sold by brokers soon after crossing, for {rng.randint(5, 30) * 1000} yuan.",
                )
            )
        if h.raided and h.current == LegalStatus.UNDOCUMENTED_CN:
            events.append(
                (
                    IncidentKind.RAID,
                    h.raid_on,
                    [mother, partner],
                    "Police and border patrol searched the village at night; "
                    f"{mother.full_name} hid at a neighbour's.",
                )
            )
        if h.steps and h.steps[0][0] == LegalStatus.DETAINED_CN:
            taken = h.steps[0][1]
            if h.raided:
                events.append(
                    (
                        IncidentKind.RAID,
                        taken,
                        [mother, partner],
                        f"Night raid on the house in {h.town}.",
                    )
                )
            events.append((IncidentKind.ARREST, taken, [mother], "Arrested; no papers to show."))
            events.append(
                (
                    IncidentKind.DETENTION,
                    taken,
                    [mother],
                    f"Held at {h.china.detention_centre} awaiting deportation.",
                )
            )
            if len(h.steps) > 1:
                events.append(
                    (
                        IncidentKind.DEPORTATION,
                        h.steps[1][1],
                        [mother],
                        f"Handed over to North Korean border guards at {h.china.crossing}.",
                    )
                )
        prosecuted = self._chance(0.25 if h.current == LegalStatus.DETAINED_CN else 0.07)
        if partner and prosecuted:
            events.append(
                (
                    IncidentKind.PARTNER_PROSECUTED,
                    self._between(h.cohabiting + _days(365), today - _days(1)),
                    [partner],
                    rng.choice(PROSECUTION_NOTES).format(partner=partner.full_name),
                )
            )
        for child in h.children:
            for kind, on in child.denied:
                if kind == EntitlementKind.SCHOOL or self._chance(0.4):
                    events.append(
                        (
                            IncidentKind.BENEFIT_DENIED,
                            on,
                            [child.person, partner],
                            f"{EntitlementKind(kind).label} refused to {child.person.full_name}: "
                            "no household registration.",
                        )
                    )
        for kind, on, people, description in events:
            incident = rows.add(
                Incident(
                    case_id=case.pk,
                    kind=kind,
                    occurred_on=on,
                    region=h.china.region,
                    description=description,
                    recorded_by_id=h.caseworker.pk,
                )
            )
            for person in people:
                if person is not None:
                    rows.add(IncidentPerson(incident_id=incident.pk, person_id=person.pk))

    def _notes_and_tasks(self, rows: Rows, h: Household, case: Case):
        rng, today, current = self.rng, self.today, h.current
        child = h.children[0].person.full_name if h.children else ""
        names = {
            "mother": h.principal.full_name,
            "partner": h.partner.full_name if h.partner else "",
            "child": child,
            "town": h.town,
        }
        # Each note says how the contact took place; the first meeting opened the case.
        first = (
            NoteKind.VISIT,
            "First meeting with %(mother)s through the church network in %(town)s.",
        )
        notes = []
        if current == LegalStatus.UNDOCUMENTED_CN:
            notes.append(
                (
                    NoteKind.VISIT,
                    "Home visit: %(mother)s is well but afraid after police checks nearby.",
                )
            )
            notes.append(
                (NoteKind.MESSAGE, "Message from %(mother)s: the children are well, rent is due.")
            )
        if current == LegalStatus.DETAINED_CN and h.partner:
            notes.append(
                (NoteKind.CALL, "%(partner)s says %(mother)s is held pending deportation.")
            )
        if current in LEFT_CHINA:
            notes.append((NoteKind.CALL, "%(mother)s called from abroad; she is safe for now."))
        if child:
            notes.append(
                (NoteKind.OFFICE, "The school in %(town)s again refused %(child)s without a hukou.")
            )
        last = case.closed_on or today
        chosen = [(first, case.opened_on)] + [
            (note, self._between(case.opened_on, last))
            for note in rng.sample(notes, rng.randint(0, len(notes)))
        ]
        for (kind, text), day in chosen:
            rows.add(
                CaseNote(
                    case_id=case.pk,
                    author_id=h.caseworker.pk,
                    kind=kind,
                    contacted_on=day,
                    body=text % names,
                )
            )

        if case.status == CaseStatus.CLOSED:
            return
        tasks = ["Check on %(mother)s's safety and renew the consent form."]
        if child:
            tasks.append("Ask the school in %(town)s again about enrolling %(child)s.")
            tasks.append("Draft the advocacy letter on %(child)s's household registration.")
        if current == LegalStatus.DETAINED_CN:
            tasks.append("Find a lawyer willing to visit %(mother)s before deportation.")
        if current in LEFT_CHINA:
            tasks.append("Confirm %(mother)s's protection status with the partner organisation.")
        for i, text in enumerate(rng.sample(tasks, rng.randint(1, min(3, len(tasks))))):
            assignee = h.advocate if h.advocate and "advocacy" in text else h.caseworker
            due = today + _days(rng.randint(-45, 40))
            done = due < today and self._chance(0.4)
            if h.index == 0 and i == 0:
                # The first household always has an overdue task, so even a tiny demo shows one.
                due, done = today - _days(10), False
            rows.add(
                Task(
                    case_id=case.pk,
                    title=text % names,
                    due_on=due,
                    assignee_id=assignee.pk,
                    completed_at=_aware(due) if done else None,
                    completed_by_id=assignee.pk if done else None,
                    created_by_id=h.caseworker.pk,
                )
            )

    def _consents(self, rows: Rows, people: list[Person]):
        """
        What each person of the household agreed to. The first households consent to everything,
        so that a demo brief can name them; later ones vary as real answers do. A separate random
        source keeps the rest of the caseload the same for the same seed.
        """
        rng = random.Random(f"consent-{self.households}")
        everything = self.households <= len(FIRST_HOUSEHOLDS)
        named = everything or rng.random() < 0.3
        for person in people:
            rows.add(
                Consent(
                    person=person,
                    method=rng.choice(list(ConsentMethod)),
                    given_on=self.today - _days(rng.randint(0, 400)),
                    store_data=True,
                    share_with_advocates=everything or rng.random() < 0.7,
                    named_in_documents=named,
                    statistics=everything or rng.random() < 0.9,
                    # The first households agreed to be named to the UN and the State too.
                    identity_to_state=everything,
                )
            )
