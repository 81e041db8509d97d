"""
The caseload report: figures only, about the people of the requester's cases who consented to be
counted, built so that it discloses nothing by accident.

- Every category is printed, whether empty or not: a list of only the non-empty categories tells
  a reader that "fewer than 5" means someone is there.
- Each count below the threshold, zero included, is hidden (`reports.suppression.suppress_list`).
  The one total printed (the people counted) is the sum of the status table, which has a row
  for "no status recorded" so that the sum is exact, and that table is suppressed with its
  total: no hidden count can be narrowed from the total. The other tables count people who may
  appear in several rows (a child refused school and care), print no total, and hide only
  the small counts, so equal counts in two tables are hidden alike.
- A method paragraph says the date, whose caseload, what is counted and the threshold; the
  requester is named by role, never by username.
"""

from collections import Counter

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from accounts.roles import role_label
from casework import dates
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    PersonRole,
)
from casework.models import Case, CaseMember, Incident, LegalStatusRecord, Person
from casework.selectors.case_list import latest_entitlements
from consent.checks import people_allowing
from reports.suppression import SuppressedList, small_count_threshold, suppress_list

from .. import selectors
from ..models import Figure
from . import charts
from .citations import corpus_text

STATISTICS_SCOPE = "statistics"


def shown_count(suppressed: SuppressedList, index: int, threshold: int) -> str:
    count = suppressed.counts[index]
    if count is not None:
        return number_format(count, force_grouping=True)
    if suppressed.is_small(index):
        return _("fewer than %(n)s") % {"n": threshold}
    # A complement: at least the threshold, hidden so that no small count can be worked out.
    return _("not shown")


def _table(labels: list[str], counts: list[int], threshold: int, title: str, *, total=False):
    suppressed = suppress_list(counts, threshold, with_total=total)
    rows = [
        {
            "label": label,
            "count": suppressed.counts[i],
            "shown": shown_count(suppressed, i, threshold),
        }
        for i, label in enumerate(labels)
    ]
    return {"rows": rows, "chart": charts.bar_chart(rows, title=title)}, suppressed


def _paragraph(text: str, notes: list | None = None) -> dict:
    return {"text": text, "notes": notes or []}


def _present_statuses(people) -> Counter:
    """Each person's present status (their open period; the latest if several are open)."""
    seen, counts = set(), Counter()
    rows = (
        LegalStatusRecord.objects.filter(person__in=people.values("pk"), effective_to__isnull=True)
        .order_by("person", "-effective_from", "-pk")
        .values_list("person", "status")
    )
    for person, status in rows:
        if person not in seen:
            seen.add(person)
            counts[status] += 1
    return counts


def caseload_report(document, citations) -> dict:
    user = document.requested_by
    threshold = small_count_threshold()
    as_of = dates.today()
    cases = Case.objects.visible_to(user)
    if document.team_id:
        cases = cases.filter(team_id=document.team_id)
    in_scope = CaseMember.objects.filter(case__in=cases.values("pk")).values("person")
    people = people_allowing(Person.objects.filter(pk__in=in_scope), STATISTICS_SCOPE)
    counted = people.count()

    statuses = _present_statuses(people)
    status_labels = [str(s.label) for s in LegalStatus] + [_("No legal status recorded")]
    status_counts = [statuses.get(s.value, 0) for s in LegalStatus]
    status_counts.append(counted - sum(status_counts))
    status_table, status_list = _table(
        status_labels, status_counts, threshold, _("People by present legal status"), total=True
    )

    children = people.filter(role=PersonRole.CHILD)
    denied = dict(
        latest_entitlements()
        .filter(person__in=children.values("pk"), status=EntitlementStatus.DENIED)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("person", distinct=True))
    )
    denied_table, _denied = _table(
        [str(k.label) for k in EntitlementKind],
        [denied.get(k.value, 0) for k in EntitlementKind],
        threshold,
        _("Children refused a benefit, by benefit"),
    )

    incident_counts = dict(
        Incident.objects.filter(
            case__in=cases.values("pk"), people__in=people.values("pk"), occurred_on__lte=as_of
        )
        .order_by()
        .values_list("kind")
        .annotate(n=Count("people", distinct=True))
    )
    incident_table, _incidents = _table(
        [str(k.label) for k in IncidentKind],
        [incident_counts.get(k.value, 0) for k in IncidentKind],
        threshold,
        _("People involved in incidents, by kind"),
    )

    catalogue = list(selectors.restriction_catalogue())
    affected = suppress_list(
        selectors.affected_counts(catalogue, user=user, among=people), threshold, with_total=False
    )
    restriction_paragraphs = [
        _paragraph(
            _("%(restriction)s: %(count)s.")
            % {"restriction": corpus_text(r.title), "count": shown_count(affected, i, threshold)},
            citations.cite(*[p.label for p in r.provisions.all()]),
        )
        for i, r in enumerate(catalogue)
    ]

    figures = [citations.figure(f.key) for f in Figure.objects.all()]
    role = role_label(user, document.team)
    scope = (
        _("the cases of team %(team)s that its %(role)s who asked for this report can see")
        % {"team": document.team.name, "role": role.lower()}
        if document.team_id
        else _("all the cases that the %(role)s who asked for this report can see")
        % {"role": role.lower()}
    )
    total = (
        number_format(status_list.total, force_grouping=True)
        if status_list.total is not None
        else _("fewer than %(n)s") % {"n": threshold}
    )
    method = _(
        "Counted on %(day)s: the people of %(scope)s (cases: %(cases)s) who consented to be "
        "counted in statistics, %(people)s people. Each table counts people, not events: a "
        "person's present legal status is their open status period; a child (a person recorded "
        "as a child) is counted as refused a benefit when the latest record of that benefit is "
        "a refusal; incidents are all those recorded up to that day, each person once per kind, "
        "so a person may appear in several rows and those tables have no total. Every category "
        "is listed, empty or not. A count below %(threshold)s, zero included, is shown as "
        "“fewer than %(threshold)s”; where a total would let a hidden count be worked out or "
        "narrowed, one more count is hidden and shown as “not shown” (it is %(threshold)s or "
        "more)."
    ) % {
        # The day printed as "Prepared on" above, so the two agree.
        "day": date_format(timezone.localdate(), "DATE_FORMAT"),
        "scope": scope,
        "cases": number_format(cases.count(), force_grouping=True),
        "people": total,
        "threshold": threshold,
    }
    sections = [
        {"heading": _("Method"), "paragraphs": [_paragraph(method)]},
        {"heading": _("People by present legal status"), "paragraphs": [], "counts": status_table},
        {
            "heading": _("Children refused a benefit"),
            "paragraphs": [
                _paragraph(
                    _(
                        "The benefits the Yanbian notice withholds from children born outside "
                        "marriage."
                    ),
                    citations.cite("YB-2003-2", "YB-2003-3"),
                )
            ],
            "counts": denied_table,
        },
        {"heading": _("Incidents"), "paragraphs": [], "counts": incident_table},
        {
            "heading": _("People affected by the papers' restrictions"),
            "paragraphs": restriction_paragraphs,
        },
        {
            "heading": _("The papers' own figures"),
            "paragraphs": [
                _paragraph(
                    _("%(description)s: %(figure)s.")
                    % {"description": f["description"], "figure": f["text"]},
                    [f["note"]],
                )
                for f in figures
            ],
        },
    ]
    summary = _(
        "Figures on %(people)s people of %(cases)s cases who consented to be counted, on "
        "%(day)s: their present legal status, the benefits refused to their children and the "
        "incidents recorded, with the restrictions of the papers that affect them. Counts below "
        "%(threshold)s are not shown, so that no one can be recognised."
    ) % {
        "people": total,
        "cases": number_format(cases.count(), force_grouping=True),
        "day": date_format(timezone.localdate(), "DATE_FORMAT"),
        "threshold": threshold,
    }
    requests = []
    if any(denied.values()):
        requests.append(
            {
                "ask": "register_and_admit",
                "who": _("Local governments, public security bureaus and education bureaus"),
                "what": _(
                    "Register the children of North Korean mothers and Chinese fathers, and admit "
                    "them to school and medical care on the same terms as other children."
                ),
            }
        )
    if any(incident_counts.get(k, 0) for k in ("arrest", "detention", "deportation")):
        requests.append(
            {
                "ask": "stop_returns",
                "who": _("The Ministry of Public Security"),
                "what": _("Stop arresting North Koreans and returning them to the DPRK."),
            }
        )
    requests.append(
        {
            "ask": "unhcr_access",
            "who": _("The Government of the People's Republic of China"),
            "what": _("Give UNHCR access to North Koreans in China and to the border area."),
        }
    )
    return {
        "title": _("Caseload report"),
        "summary": summary,
        "requests": requests,
        "subject": None,
        "people": [],
        "sections": sections,
        "threshold": threshold,
        "counted_total": status_list.total,
    }
