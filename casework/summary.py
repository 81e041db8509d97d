"""
The printable summary of a case: what a caseworker hands to a lawyer, a shelter or their
supervisor on paper. A sheet of paper cannot be recalled, so its people appear as the advocacy
documents show them (`casework.redaction`, the one home of that rule): names only at the level
that allows names and only when every member of the case consents to be named (the family rule),
pseudonyms with age bands otherwise.

Free text (notes, descriptions, follow-up titles, places) is typed by people and often names
someone; a pseudonymised summary leaves it out rather than print a name beside a pseudonym.
"""

from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from . import dates
from .choices import MemberRole, Redaction, RelationshipKind
from .models import CaseNote, Incident, LegalStatusRecord, Relationship
from .redaction import Redactor, Shown
from .selectors.case_page import case_flags
from .selectors.people import case_people_with_status, current_entitlements

DEFAULT_LEVEL = Redaction.PSEUDONYMISED
RECENT_INCIDENTS = 10
RECENT_NOTES = 5
# A printed note is cut: the summary is a page or two, the full text stays on the screen.
NOTE_WORDS = 80


@dataclass
class SummaryPerson:
    shown: Shown
    member_role: str
    status: LegalStatusRecord | None
    statuses: list = field(default_factory=list)
    benefits: list = field(default_factory=list)


@dataclass(frozen=True)
class Tie:
    from_label: str
    kind: str
    to_label: str
    marriage_registered: bool | None

    @property
    def sentence(self) -> str:
        """The tie in words, each language in its own order (the child first, in Korean)."""
        if self.kind == RelationshipKind.PARENT_OF:
            text = _("%(parent)s is a parent of %(child)s")
            return text % {"parent": self.from_label, "child": self.to_label}
        if self.kind == RelationshipKind.SPOUSE_OF:
            text = _("%(one)s and %(other)s are married")
        else:
            text = _("%(one)s and %(other)s are partners")
        return text % {"one": self.from_label, "other": self.to_label}


@dataclass(frozen=True)
class SummaryIncident:
    incident: Incident
    people: list[str]


@dataclass(frozen=True)
class SummaryNote:
    """A note as the summary shows it: its kind and day of contact, and its text when free text is shown."""

    note: CaseNote
    text: str


@dataclass
class CaseSummary:
    case: object
    level: str
    level_label: str
    free_text: bool
    today: object
    people: list[SummaryPerson]
    ties: list[Tie]
    flags: list
    open_tasks: list
    incidents: list[SummaryIncident]
    incident_count: int
    notes: list[SummaryNote]
    note_count: int
    named: list = field(default_factory=list)

    @property
    def has_benefits(self) -> bool:
        return any(person.benefits for person in self.people)


def case_summary(case, *, level: str) -> CaseSummary:
    """
    The facts of a case the caller obtained through `visible_to(user)`, with its people labelled
    at `level` (one of `redaction.INDIVIDUAL_LEVELS`). Reads only: the view records the audit
    event.
    """
    redactor = Redactor(case, level=level)
    # Free text may name anyone of the family: printed only where everyone may be named.
    free_text = not redactor.pseudonymised
    members = case_people_with_status(case)
    member_ids = [m.person.pk for m in members]
    shown = {m.person.pk: redactor.show(m.person) for m in members}
    statuses = _grouped(
        LegalStatusRecord.objects.filter(person__in=member_ids).order_by("effective_from"),
    )
    benefits = {pk: list(current_entitlements(pk)) for pk in member_ids}
    people = [
        SummaryPerson(
            shown=shown[m.person.pk],
            member_role=MemberRole(m.role).label,
            status=m.status,
            statuses=statuses.get(m.person.pk, []),
            benefits=benefits.get(m.person.pk, []),
        )
        for m in members
    ]
    ties = [
        Tie(
            from_label=shown[tie.from_person_id].label,
            kind=tie.kind,
            to_label=shown[tie.to_person_id].label,
            marriage_registered=tie.marriage_registered,
        )
        for tie in Relationship.objects.filter(
            from_person__in=member_ids, to_person__in=member_ids
        ).order_by("kind", "created_at", "pk")
    ]
    incidents = case.incidents.prefetch_related("people").order_by("-occurred_on", "-recorded_at")
    notes = case.notes.select_related("author").order_by("-contacted_on", "-created_at")
    return CaseSummary(
        case=case,
        level=level,
        level_label=Redaction(level).label,
        free_text=free_text,
        today=dates.today(),
        people=people,
        ties=ties,
        flags=case_flags(case),
        open_tasks=list(
            case.tasks.filter(completed_at__isnull=True)
            .select_related("assignee")
            .order_by("due_on", "created_at")
        ),
        incidents=[
            SummaryIncident(
                incident=incident,
                people=[shown[p.pk].label for p in incident.people.all() if p.pk in shown],
            )
            for incident in incidents[:RECENT_INCIDENTS]
        ],
        incident_count=incidents.count(),
        notes=[
            SummaryNote(
                note=note,
                text=Truncator(note.body).words(NOTE_WORDS) if free_text else "",
            )
            for note in notes[:RECENT_NOTES]
        ],
        note_count=notes.count(),
        named=[person.shown.pk for person in people if person.shown.named],
    )


def _grouped(queryset) -> dict:
    grouped = {}
    for row in queryset:
        grouped.setdefault(row.person_id, []).append(row)
    return grouped
