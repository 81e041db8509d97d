"""
The snapshot of an advocacy document: a plain JSON structure that the PDF template lays out and
that is kept, encrypted, with the document.

A brief or an appeal is composed from the typed facts of its case as of the document's date
(`casefacts`), by explicit rules (`rules`) put into words by `brief` and `appeal`. Facts are read
through casework's selectors as the requester sees them (a document never shows what its
requester could not open), and people are shown through the Redactor. The caseload report counts
people who consented to be counted, through `reports.suppression`.
"""

from django.db.models import Count
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from casework import dates
from casework import selectors as casework
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    PersonRole,
)
from casework.models import Case, CaseMember, Incident, LegalStatusRecord, Person
from casework.redaction import Redactor
from consent.checks import people_allowing
from reports.suppression import small_count_threshold
from reports.suppression import suppress_counts as suppress

from .. import selectors
from ..models import AdvocacyDocument, Figure
from . import appeal, brief, casefacts, charts, rules
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
        if is_report:
            body = _caseload_report(document, citations)
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
            "requested_by": document.requested_by.get_username(),
            "generated_on": date_format(_today(document)),
            "as_of": date_format(as_of),
            "case_reference": document.case.reference if document.case_id else "",
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


def _today(document: AdvocacyDocument):
    # Rendered by a worker, outside any request: the day where the document's team works.
    team = document.team if document.team_id else document.case.team if document.case_id else None
    return dates.today(team=team)


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


# Caseload report.


def shown_count(count: int | None, threshold: int) -> str:
    if count is None:
        return _("fewer than %(n)s") % {"n": threshold}
    return number_format(count, force_grouping=True)


def _table(labels: list[str], counts: list[int], threshold: int, title: str) -> dict:
    hidden = suppress(counts, threshold)
    rows = [
        {"label": label, "count": count, "shown": shown_count(count, threshold)}
        for label, count in zip(labels, hidden, strict=True)
    ]
    return {"rows": rows, "chart": charts.bar_chart(rows, title=title)}


def _caseload_report(document, citations) -> dict:
    user = document.requested_by
    threshold = small_count_threshold()
    cases = Case.objects.visible_to(user)
    if document.team_id:
        cases = cases.filter(team_id=document.team_id)
    in_scope = CaseMember.objects.filter(case__in=cases.values("pk")).values("person")
    people = people_allowing(Person.objects.filter(pk__in=in_scope), STATISTICS_SCOPE)
    counted = people.count()
    case_count = cases.count()

    status_counts = dict(
        LegalStatusRecord.objects.filter(person__in=people.values("pk"), effective_to__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("person", distinct=True))
    )
    statuses = [s for s in LegalStatus if status_counts.get(s.value)]
    status_table = _table(
        [str(s.label) for s in statuses],
        [status_counts[s.value] for s in statuses],
        threshold,
        _("People by present legal status"),
    )

    children = people.filter(role=PersonRole.CHILD)
    denied = dict(
        casework.latest_entitlements()
        .filter(person__in=children.values("pk"), status=EntitlementStatus.DENIED)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("person", distinct=True))
    )
    kinds = [k for k in EntitlementKind if denied.get(k.value)]
    denied_table = _table(
        [str(k.label) for k in kinds],
        [denied[k.value] for k in kinds],
        threshold,
        _("Children refused a benefit, by benefit"),
    )

    incident_counts = dict(
        Incident.objects.filter(case__in=cases.values("pk"), people__in=people.values("pk"))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("people", distinct=True))
    )
    incident_kinds = [k for k in IncidentKind if incident_counts.get(k.value)]
    incident_table = _table(
        [str(k.label) for k in incident_kinds],
        [incident_counts[k.value] for k in incident_kinds],
        threshold,
        _("People involved in incidents, by kind"),
    )

    catalogue = list(selectors.restriction_catalogue())
    counts = selectors.affected_counts(catalogue, user=user, among=people)
    restriction_rows = [(r, n) for r, n in zip(catalogue, counts, strict=True) if n]
    hidden = suppress([n for _r, n in restriction_rows], threshold)
    restriction_paragraphs = [
        _paragraph(
            _("%(restriction)s: %(count)s.")
            % {"restriction": r.title, "count": shown_count(n, threshold)},
            citations.cite(*[p.label for p in r.provisions.all()]),
        )
        for (r, _n), n in zip(restriction_rows, hidden, strict=True)
    ]

    figures = [citations.figure(f.key) for f in Figure.objects.all()]
    scope_text = (
        _("the cases of team %(team)s that %(user)s can see")
        % {"team": document.team.name, "user": user.get_username()}
        if document.team_id
        else _("the cases %(user)s can see") % {"user": user.get_username()}
    )
    sections = [
        {
            "heading": _("Scope"),
            "paragraphs": [
                _paragraph(
                    _(
                        "This report counts the people of %(scope)s (%(cases)s cases) who "
                        "consented to be counted in statistics: %(people)s people. Counts below "
                        "%(threshold)s are not shown, nor is one more count where a single "
                        "hidden count could be worked out."
                    )
                    % {
                        "scope": scope_text,
                        "cases": number_format(case_count, force_grouping=True),
                        "people": shown_count(suppress([counted], threshold)[0], threshold),
                        "threshold": threshold,
                    }
                )
            ],
        },
        {
            "heading": _("People by present legal status"),
            "paragraphs": [],
            "counts": status_table,
        },
        {
            "heading": _("Children refused a benefit"),
            "paragraphs": [
                _paragraph(
                    _(
                        "The benefits the Yanbian notice withholds from children born outside marriage."
                    ),
                    citations.cite("YB-2003-2", "YB-2003-3"),
                )
            ],
            "counts": denied_table,
        },
        {
            "heading": _("Incidents"),
            "paragraphs": [],
            "counts": incident_table,
        },
        {
            "heading": _("People affected by the papers' restrictions"),
            "paragraphs": restriction_paragraphs
            or [_paragraph(_("No person counted here has records showing a restriction."))],
        },
        {
            "heading": _("The papers' own figures"),
            "paragraphs": [
                _paragraph(
                    _("%(description)s: %(figure)s.")
                    % {"description": f["description"], "figure": f["text"]},
                    [{"label": f["provision"], "kind": "figure", "note": f["note"]}],
                )
                for f in figures
            ],
        },
    ]
    return {
        "title": _("Caseload report"),
        "subject": None,
        "people": [],
        "sections": sections,
        "threshold": threshold,
    }
