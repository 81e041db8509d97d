"""
The snapshot of an advocacy document: a plain JSON structure that the PDF template lays out and
that is kept, encrypted, with the document.

A brief or an appeal is composed from the typed facts of its case as of the document's date
(`casefacts`), by explicit rules (`rules`) put into words by `brief` and `appeal`. Facts are read
through casework's selectors as the requester sees them (a document never shows what its
requester could not open), and people are shown through the Redactor. The caseload report counts
people who consented to be counted, through `reports.suppression`.
"""

from dataclasses import asdict

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.roles import role_label
from casework import dates
from casework.models import Case, CaseMember, Person
from casework.redaction import Redactor

from ..models import AdvocacyDocument
from . import appeal, brief, casefacts, caseload, chinese, korean, rules
from .citations import Citations
from .compose import DocumentError, refusal_message
from .formats.identifiers import identifiers_printed
from .formats.layout import assemble
from .formats.recipients import reaches_state

__all__ = ["DocumentError", "gather", "plan_refusal", "redactor_for"]

STATISTICS_SCOPE = "statistics"
COMPOSERS = {
    AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF: brief,
    AdvocacyDocument.Kind.DEPORTATION_APPEAL: appeal,
}


def gather(document: AdvocacyDocument) -> dict:
    """The snapshot of `document`: its facts, argument and citations, in its language."""
    is_report = document.kind == AdvocacyDocument.Kind.CASELOAD_REPORT
    as_of = dates.today()
    facts = rows = None
    if not is_report:
        # Checked before switching language: the reason for a failure is read by staff.
        case, subject = _scoped_case_and_subject(document)
        facts, rows = casefacts.read(case, subject, user=document.requested_by, as_of=as_of)
        refusal = _refusal(document.kind, facts, document.recipient_format)
        if refusal:
            raise DocumentError(refusal)
    with override(document.language):
        citations = Citations()
        redactor = None
        shown = {}
        if is_report:
            body = caseload.caseload_report(document, citations)
            names = False
        else:
            redactor = redactor_for(document, case=case)
            body = COMPOSERS[document.kind].compose(facts, rows, redactor, citations)
            shown = {pk: asdict(redactor.show(rows[pk])) for pk in facts.people}
            names = redactor.named_any
        shaped = assemble(document, body, facts, rows, shown, _team_of(document), citations)
        disclosures = _disclosures(redactor, shaped["sections"]) if redactor else []
        snapshot = {
            "kind": document.kind,
            "kind_label": str(AdvocacyDocument.Kind(document.kind).label),
            "language": document.language,
            "reference": document.reference,
            "version": document.version,
            # By role, never by username: the PDF leaves the team (casework.redaction).
            "requested_by": role_label(document.requested_by, _team_of(document)),
            "generated_on": date_format(_today(document)),
            "as_of": date_format(as_of),
            "case_reference": redactor.case_reference() if redactor else "",
            "pseudonymised": bool(redactor and redactor.pseudonymised),
            "disclosures": disclosures,
            "team": document.team.name if document.team_id else "",
            "redaction": document.redaction,
            "names_people": names,
            # Said in every language, English too: the papers were written in Chinese, and what
            # we quote is the English translation, not the original.
            "source_language_note": _(
                "Quoted provisions are given in the English translation that is our source."
            ),
            "subject": body.get("subject"),
            "people": body.get("people", []),
            "threshold": body.get("threshold"),
            "counted_total": body.get("counted_total"),
            "plan": body.get("plan"),
            **shaped,
            "authorities": citations.table_of_authorities(),
            # The labels of what was cited: kept with the document, never printed.
            "cited": citations.cited(),
        }
    if document.language == AdvocacyDocument.Language.KO:
        snapshot = _each_text(snapshot, korean.particles)
    elif document.language == AdvocacyDocument.Language.ZH_HANS:
        snapshot = _each_text(snapshot, chinese.closed_up)
    return snapshot


def redactor_for(document: AdvocacyDocument, *, case=None) -> Redactor:
    """How `document` shows people: at its redaction level, and, for a recipient that passes it
    on to the State, only with everyone's consent to transmit their identity."""
    return Redactor(
        case or document.case,
        level=document.redaction,
        to_state=reaches_state(document.recipient_format),
    )


def _disclosures(redactor: Redactor, sections: list[dict]) -> list[dict]:
    """Who the document shows and how, with every identifier it prints, for the approver."""
    printed = identifiers_printed(sections)
    listed = []
    for disclosure in redactor.disclosures():
        entry = asdict(disclosure)
        entry["facts"] += printed.get(entry.pop("pk"), [])
        listed.append(entry)
    return listed


def _each_text(value, polish):
    """Every text of a snapshot polished for its language (Korean particles resolved, Chinese
    sentences closed up); quoted English, a part marked with its language, left alone."""
    if isinstance(value, str):
        return polish(value)
    if isinstance(value, list):
        return [_each_text(item, polish) for item in value]
    if isinstance(value, dict):
        if value.get("lang"):
            return value
        return {key: _each_text(item, polish) for key, item in value.items()}
    return value


def _team_of(document: AdvocacyDocument):
    return document.case.team if document.case_id else document.team


def _today(document: AdvocacyDocument):
    # Rendered by a worker, outside any request: the day where the document's team works.
    return dates.today(team=_team_of(document))


PLAN_BY_FORMAT = {
    AdvocacyDocument.RecipientFormat.UN_COMMUNICATION: rules.un_communication,
    AdvocacyDocument.RecipientFormat.UN_ALLEGATION_LETTER: rules.allegation_letter,
}


def _refusal(kind: str, facts, recipient_format: str = "") -> str | None:
    if recipient_format in PLAN_BY_FORMAT:
        plan = PLAN_BY_FORMAT[recipient_format](facts)
    else:
        plan = {
            AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF: rules.brief,
            AdvocacyDocument.Kind.DEPORTATION_APPEAL: rules.appeal,
        }[kind](facts)
    return refusal_message(plan.refusal) if plan.refusal else None


def plan_refusal(*, kind: str, case, subject, user, recipient_format: str = "") -> str | None:
    """Why no document of `kind` in that format can be argued for `subject` today; None if one can."""
    facts, _rows = casefacts.read(case, subject, user=user, as_of=dates.today())
    return _refusal(kind, facts, recipient_format)


def formats_supported(*, kind: str, case, subject, user) -> list[str]:
    """The recipient formats of `kind` the facts of `subject` support today, the kind's usual
    first; [] when they support none. The facts are read once for all the formats."""
    facts, _rows = casefacts.read(case, subject, user=user, as_of=dates.today())
    return [
        recipient_format
        for recipient_format in AdvocacyDocument.formats_for(kind)
        if not _refusal(kind, facts, recipient_format)
    ]


def known_to_authority(*, case, subject, user) -> bool:
    """Whether the authorities know of `subject` already (`rules.known_to_authority`)."""
    facts, _rows = casefacts.read(case, subject, user=user, as_of=dates.today())
    return rules.known_to_authority(facts.person)


def _scoped_case_and_subject(document: AdvocacyDocument) -> tuple[Case, Person]:
    user = document.requested_by
    case = Case.objects.visible_to(user).filter(pk=document.case_id).first()
    if case is None:
        raise DocumentError(_("The requester can no longer see this case."))
    member = CaseMember.objects.filter(case=case, person_id=document.subject_id).first()
    if member is None:
        raise DocumentError(_("The person is no longer a member of this case."))
    return case, member.person
