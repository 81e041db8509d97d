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
from . import appeal, brief, casefacts, caseload, rules
from .citations import Citations
from .compose import DocumentError, refusal_message

__all__ = ["DocumentError", "gather", "plan_refusal"]

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
        refusal = _refusal(document.kind, facts)
        if refusal:
            raise DocumentError(refusal)
    with override(document.language):
        citations = Citations()
        redactor = None
        if is_report:
            body = caseload.caseload_report(document, citations)
            names = False
        else:
            redactor = Redactor(case, level=document.redaction)
            body = COMPOSERS[document.kind].compose(facts, rows, redactor, citations)
            names = redactor.named_any
        return {
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
            "disclosures": [asdict(d) for d in redactor.disclosures()] if redactor else [],
            "team": document.team.name if document.team_id else "",
            "redaction": document.redaction,
            "redaction_label": str(AdvocacyDocument.Redaction(document.redaction).label),
            "names_people": names,
            # Said in every language, English too: the papers were written in Chinese, and what
            # we quote is the English translation, not the original.
            "source_language_note": _(
                "Quoted provisions are given in the English translation that is our source."
            ),
            **body,
            "authorities": citations.table_of_authorities(),
            "annex": citations.annex(),
            "provenance": citations.provenance(),
        }


def _team_of(document: AdvocacyDocument):
    return document.case.team if document.case_id else document.team


def _today(document: AdvocacyDocument):
    # Rendered by a worker, outside any request: the day where the document's team works.
    return dates.today(team=_team_of(document))


def _refusal(kind: str, facts) -> str | None:
    plan = {
        AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF: rules.brief,
        AdvocacyDocument.Kind.DEPORTATION_APPEAL: rules.appeal,
    }[kind](facts)
    return refusal_message(plan.refusal) if plan.refusal else None


def plan_refusal(*, kind: str, case, subject, user) -> str | None:
    """Why no document of `kind` can be argued for `subject` today; None when one can."""
    facts, _rows = casefacts.read(case, subject, user=user, as_of=dates.today())
    return _refusal(kind, facts)


def _scoped_case_and_subject(document: AdvocacyDocument) -> tuple[Case, Person]:
    user = document.requested_by
    case = Case.objects.visible_to(user).filter(pk=document.case_id).first()
    if case is None:
        raise DocumentError(_("The requester can no longer see this case."))
    member = CaseMember.objects.filter(case=case, person_id=document.subject_id).first()
    if member is None:
        raise DocumentError(_("The person is no longer a member of this case."))
    return case, member.person


def _paragraph(text: str, notes: list | None = None) -> dict:
    return {"text": text, "notes": notes or []}
