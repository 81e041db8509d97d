"""
Read queries over the legal library, and the bridge from the restriction catalogue to casework.

The corpus itself is public law and published papers: anyone signed in may read it. Whatever
touches people (who is affected, what a person's records evidence) starts from casework's
visibility rule, `visible_to(user)`, and counts or matches coded fields only: nothing is decrypted.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.notifications import Target
from accounts.roles import supervised_teams
from casework.models import Entitlement, Incident, Person
from casework.querysets import count_kept

from .models import (
    AdvocacyDocument,
    Authority,
    Figure,
    Instrument,
    Provision,
    Restriction,
    RestrictionAuthority,
    SourceDocument,
)

# Enough for the whole corpus today; a bound all the same, since the query comes from a URL.
SEARCH_LIMIT = 50


def documents() -> QuerySet[SourceDocument]:
    """The source documents in their order, each with its number of provisions."""
    return SourceDocument.objects.annotate(provision_count=Count("provisions")).order_by(
        "position", "issued_on"
    )


def document_by_code(code: str) -> SourceDocument:
    """The document with this code; raises SourceDocument.DoesNotExist."""
    return SourceDocument.objects.get(code=code)


def document_provisions(document: SourceDocument) -> QuerySet[Provision]:
    """A document's provisions in order, with their figures."""
    return document.provisions.order_by("position").prefetch_related("figures")


def provision_by_label(label: str) -> Provision:
    """The provision cited as `label` (e.g. "YB-2003-2"); raises Provision.DoesNotExist."""
    return Provision.objects.select_related("document").prefetch_related("figures").get(label=label)


def authority_by_label(label: str) -> Authority:
    """The authority cited as `label` (e.g. "CRC-7"); raises Authority.DoesNotExist."""
    return Authority.objects.select_related("instrument").get(label=label)


def figure_by_key(key: str) -> Figure:
    """The figure with this key (e.g. "deported-by-2004"); raises Figure.DoesNotExist."""
    return Figure.objects.select_related("provision__document").get(key=key)


def instruments_with_authorities() -> QuerySet[Instrument]:
    """Every instrument with its authorities and their required companions."""
    return Instrument.objects.prefetch_related(
        Prefetch(
            "authorities",
            queryset=Authority.objects.select_related("instrument").prefetch_related(
                Prefetch("cite_with", queryset=Authority.objects.select_related("instrument"))
            ),
        )
    )


def search_provisions(query: str) -> list[Provision]:
    """
    Provisions matching `query`, best first. On PostgreSQL: full-text search (English stemming,
    so "deport" finds "deported") over the text, plus the label and the document's title; a word
    search with `icontains` elsewhere, every word required. A label typed in full always matches.
    """
    query = " ".join(query.split())
    if not query:
        return []
    provisions = Provision.objects.select_related("document")
    exact_label = Q(label__iexact=query)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # Computed per query, not stored: the corpus is a few dozen paragraphs.
        vector = (
            SearchVector("label", weight="A", config="simple")
            + SearchVector("document__title", weight="B", config="english")
            + SearchVector("text", weight="B", config="english")
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        found = (
            provisions.annotate(document_search=vector, rank=SearchRank(vector, search))
            .filter(Q(document_search=search) | exact_label)
            .order_by("-rank", "document__position", "position")
        )
    else:
        words = Q()
        for word in query.split():
            words &= (
                Q(text__icontains=word)
                | Q(label__icontains=word)
                | Q(document__title__icontains=word)
            )
        found = provisions.filter(words | exact_label).order_by("document__position", "position")
    return list(found[:SEARCH_LIMIT])


def restrictions_imposed_by(provision: Provision) -> QuerySet[Restriction]:
    """The restrictions of the catalogue this provision imposes, with their authorities in order."""
    return provision.restrictions.prefetch_related(
        Prefetch(
            "authority_links",
            queryset=RestrictionAuthority.objects.select_related("authority__instrument"),
        ),
        "evidence_rules",
    )


def restriction_catalogue() -> QuerySet[Restriction]:
    """The whole catalogue with what each restriction links to."""
    return Restriction.objects.prefetch_related(
        Prefetch(
            "authority_links",
            queryset=RestrictionAuthority.objects.select_related("authority__instrument"),
        ),
        "evidence_rules",
        Prefetch(
            "provisions", queryset=Provision.objects.order_by("document__position", "position")
        ),
    )


def _evidence_condition(restriction: Restriction, *, user) -> Q:
    """
    A condition on Person for "this person's records evidence the restriction": a record of an
    entitlement of the rule's kind and status (any in the person's history: a denial later
    reversed still shows the restriction applied), or an incident of the rule's kind that `user`
    may see (an incident belongs to a case, which may be one the user does not see).
    """
    conditions = []
    for rule in restriction.evidence_rules.all():
        if rule.entitlement_kind:
            records = Entitlement.objects.filter(
                kind=rule.entitlement_kind, status=rule.entitlement_status
            ).values("person")
        else:
            records = (
                Incident.objects.visible_to(user)
                .filter(kind=rule.incident_kind, people__isnull=False)
                .values("people")
            )
        condition = Q(pk__in=records)
        if rule.person_role:
            condition &= Q(role=rule.person_role)
        conditions.append(condition)
    # A restriction without rules is evidenced by nobody.
    return reduce(or_, conditions) if conditions else Q(pk__in=[])


def affected_people(restrictions, *, user) -> QuerySet[Person]:
    """The people `user` may see whose records evidence any of `restrictions`."""
    restrictions = list(restrictions)
    if not restrictions:
        return Person.objects.none()
    condition = reduce(or_, (_evidence_condition(r, user=user) for r in restrictions))
    return Person.objects.visible_to(user).filter(condition)


def affected_count(restrictions, *, user) -> int:
    """How many people `user` may see are affected by any of `restrictions` (a count only)."""
    return affected_people(restrictions, user=user).count()


def affected_counts(restrictions, *, user, among: QuerySet[Person]) -> list[int]:
    """
    For each of `restrictions`, how many people of `among` that `user` may see are affected:
    `affected_people([r], user=user).filter(pk__in=among.values("pk")).count()` for every `r`,
    in one pass over those people (COUNT ... FILTER per restriction) instead of one query each
    (a caseload report over 70,000 people: 15 queries of ~0.5 s each, against one).
    """
    restrictions = list(restrictions)
    if not restrictions:
        return []
    people = Person.objects.visible_to(user).filter(pk__in=among.values("pk")).order_by()
    totals = people.aggregate(
        **{
            f"r{index}": Count("pk", filter=_evidence_condition(restriction, user=user))
            for index, restriction in enumerate(restrictions)
        }
    )
    return [totals[f"r{index}"] for index in range(len(restrictions))]


@dataclass(frozen=True)
class EvidencedRestriction:
    restriction: Restriction
    entitlements: list = field(default_factory=list)
    incidents: list = field(default_factory=list)


def restrictions_evidenced_by(person: Person, *, user) -> list[EvidencedRestriction]:
    """
    The restrictions that `person`'s records evidence, each with the records that do: denied
    entitlements (or whatever status the rule names) and incidents `user` may see. The caller
    obtained `person` through `Person.objects.visible_to(user)`; incidents are scoped again
    because they belong to cases.
    """
    entitlements = list(Entitlement.objects.filter(person=person).order_by("kind", "as_of"))
    incidents = list(
        Incident.objects.visible_to(user).filter(people=person).order_by("occurred_on", "pk")
    )
    found = []
    for restriction in restriction_catalogue():
        matched_entitlements, matched_incidents = [], []
        for rule in restriction.evidence_rules.all():
            if rule.person_role and rule.person_role != person.role:
                continue
            if rule.entitlement_kind:
                matched_entitlements += [
                    e
                    for e in entitlements
                    if e.kind == rule.entitlement_kind and e.status == rule.entitlement_status
                ]
            else:
                matched_incidents += [i for i in incidents if i.kind == rule.incident_kind]
        if matched_entitlements or matched_incidents:
            found.append(
                EvidencedRestriction(
                    restriction=restriction,
                    entitlements=matched_entitlements,
                    incidents=matched_incidents,
                )
            )
    return found


def document_notification_targets(user, keys) -> dict[str, Target]:
    """What a notification about a document shows: its reference and version, while in sight."""
    documents = AdvocacyDocument.objects.visible_to(user).filter(pk__in=keys)
    return {
        str(d.pk): Target(label=f"{d.reference} v{d.version}", url=d.get_absolute_url())
        for d in documents
    }


def approvals_waiting(user) -> list[tuple[str, int, str]]:
    """For the dashboard (SHIMTEO_DASHBOARD_APPROVALS): documents this supervisor may approve."""
    # Counted from its SQL written once per supervisor (`count_kept`), read afresh each visit.
    waiting = count_kept(
        user,
        "documents awaiting approval",
        lambda: (
            AdvocacyDocument.objects.visible_to(user)
            .filter(
                status=AdvocacyDocument.Status.READY,
                names_people=True,
                approved_at__isnull=True,
                case__team__in=supervised_teams(user),
            )
            .exclude(requested_by=user)
        ),
    )
    if not waiting:
        return []
    return [
        (
            gettext("Advocacy documents waiting for your approval"),
            waiting,
            reverse("legal_aid:advocacy_list"),
        )
    ]
