"""
Finding people already on file, without decrypting anyone: every comparison is between blind
indexes (names and aliases in the "person-name" scope, contacts in "person-contact") and the
plain, coarse birth year. Only the rows whose index matches are read, and none is decrypted.

A name match counts when the birth years are within one year of each other or one is unknown;
the same name in another script or spelling (박숙희, Pak Suk Hui, 朴淑姬: the name keys of
`casework.names`) only when both birth years are known and within one year, since a spelling
folds more names together; a contact match counts alone. The exact name is proposed before
another spelling of it. Candidates are searched across the whole organisation — the
same woman met by two teams is the case that matters most — but the search must not become an
oracle: whoever typed the names learns who matched only among the people they may already see
by the visibility rule. For anyone else they learn one neutral sentence, and the details (who,
the reference, why) go to the supervisors of the team whose cases hold the person, in their
decision queue (see `intake.selectors`). Every lookup leaves an audit event of counts only, and
lookups per user are throttled, so that typing names one by one cannot map the caseload.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import record
from casework.models import NameKey, Person, PersonAlias
from casework.querysets import NAME_SCOPE
from casework.selectors.search import WHOLE_NAME_KINDS, whole_name_digests
from vault.blind_index import blind_index, blind_indexes

CONTACT_SCOPE = "person-contact"
# A common name can match many people; beyond this the list says so instead of growing.
MAX_CANDIDATES_PER_SUBJECT = 20


class Reason(models.TextChoices):
    NAME = "name", _("A name given is their recorded name")
    ALIAS = "alias", _("A name given is one of their other names")
    SPELLING = "spelling", _("A name given is one of their names in another spelling or script")
    BIRTH_YEAR = "birth_year", _("Born within a year of each other")
    CONTACT = "contact", _("The same contact")


@dataclass
class Subject:
    """One person of an intake or a spreadsheet row, as far as matching needs."""

    key: str
    names: list[str]
    birth_year: int | None = None
    contact: str = ""
    found: dict = field(default_factory=dict)


def _years_close(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= 1


# Reasons that are a name of the person, which the birth years must not contradict.
NAME_REASONS = {Reason.NAME.value, Reason.ALIAS.value, Reason.SPELLING.value}
EXACT_REASONS = {Reason.NAME.value, Reason.ALIAS.value}


def _digests(subject: Subject) -> tuple[set, set, set]:
    """
    Every name, contact and spelling digest of a subject (see `whole_name_digests`), under the
    current and old index keys.
    """
    names = {digest for name in subject.names for digest in blind_indexes(NAME_SCOPE, name)}
    contacts = set(blind_indexes(CONTACT_SCOPE, subject.contact)) if subject.contact else set()
    spellings = {digest for name in subject.names for digest in whole_name_digests(name)}
    return names, contacts, spellings


def _matches(names: set, contacts: set, spellings: set = frozenset()) -> list:
    """
    (pk, birth year, reason, digest matched) of every name, alias, contact and spelling match,
    in one round trip (UNION ALL of four indexed lookups), for one subject or a whole chunk.
    """
    lookups = []
    if names:
        lookups.append(
            Person.objects.filter(full_name_index__in=names)
            .order_by()
            .values_list("pk", "birth_year", Value(Reason.NAME.value), "full_name_index")
        )
        lookups.append(
            PersonAlias.objects.filter(name_index__in=names)
            .order_by()
            .values_list("person", "person__birth_year", Value(Reason.ALIAS.value), "name_index")
        )
    if contacts:
        lookups.append(
            Person.objects.filter(contact_index__in=contacts)
            .order_by()
            .values_list("pk", "birth_year", Value(Reason.CONTACT.value), "contact_index")
        )
    if spellings:
        lookups.append(
            NameKey.objects.filter(digest__in=spellings, kind__in=WHOLE_NAME_KINDS)
            .order_by()
            .values_list("person", "person__birth_year", Value(Reason.SPELLING.value), "digest")
        )
    return list(lookups[0].union(*lookups[1:], all=True)) if lookups else []


def _reasons(subject: Subject, found) -> dict:
    """{person pk: sorted reason codes} of one subject, from the matches of its digests."""
    reasons: dict = defaultdict(set)
    years: dict = {}
    for pk, year, reason, _digest in found:
        if reason in NAME_REASONS:
            reasons[pk].add(reason)
            years[pk] = year
    for pk, codes in list(reasons.items()):
        if codes & EXACT_REASONS:
            # The exact name says it; another spelling of it adds nothing.
            codes.discard(Reason.SPELLING.value)
        known = years[pk] is not None and subject.birth_year is not None
        if not _years_close(years[pk], subject.birth_year) or (
            codes == {Reason.SPELLING.value} and not known
        ):
            del reasons[pk]
        elif known:
            codes.add(Reason.BIRTH_YEAR.value)
    for pk, _year, reason, _digest in found:
        if reason == Reason.CONTACT.value:
            reasons[pk].add(reason)
    # The most reasons first; among as many, the exact name before another spelling of it.
    ranked = sorted(
        reasons.items(),
        key=lambda item: (-len(item[1]), not item[1] & EXACT_REASONS, str(item[0])),
    )
    return {pk: sorted(codes) for pk, codes in ranked[:MAX_CANDIDATES_PER_SUBJECT]}


def candidates_for(subject: Subject) -> dict:
    """{person pk: sorted reason codes} for one subject."""
    return _reasons(subject, _matches(*_digests(subject)))


def find(subjects: list[Subject]) -> list[tuple[str, object, list[str]]]:
    """(subject key, person pk, reasons) for every candidate of every subject."""
    return [
        (subject.key, pk, codes)
        for subject in subjects
        for pk, codes in candidates_for(subject).items()
    ]


def find_many(intakes: list[list[Subject]]) -> list[list[tuple[str, object, list[str]]]]:
    """
    `find` for many intakes at once (a chunk of an imported file): one lookup for all their
    digests, then each subject's matches picked out by its own digests.
    """
    digests = [[_digests(subject) for subject in subjects] for subjects in intakes]
    names, contacts, spellings = (
        {digest for triples in digests for triple in triples for digest in triple[part]}
        for part in range(3)
    )
    by_digest = defaultdict(list)
    for match in _matches(names, contacts, spellings):
        by_digest[match[3]].append(match)
    results = []
    for subjects, triples in zip(intakes, digests, strict=True):
        found = []
        for subject, triple in zip(subjects, triples, strict=True):
            matches = [m for digest in set().union(*triple) for m in by_digest.get(digest, ())]
            found.extend(
                (subject.key, pk, codes) for pk, codes in _reasons(subject, matches).items()
            )
        results.append(found)
    return results


class ChunkLookup:
    """
    The duplicates of a chunk's intakes as `find` would answer each in turn while the chunk is
    written one intake after the other: the people on file (one lookup for the whole chunk, as
    `find_many`), and the people of the chunk's intakes created before it (`add`), so that a
    person twice in one file is still caught although nothing of the chunk is written yet.
    """

    def __init__(self, intakes: list[list[Subject]]):
        self.intakes = intakes
        self.digests = [[_digests(subject) for subject in subjects] for subjects in intakes]
        names, contacts, spellings = (
            {digest for triples in self.digests for triple in triples for digest in triple[part]}
            for part in range(3)
        )
        self.by_digest = defaultdict(list)
        for match in _matches(names, contacts, spellings):
            self.by_digest[match[3]].append(match)

    def found(self, index: int) -> list[tuple[str, object, list[str]]]:
        """(subject key, person pk, reasons) of every candidate of the intake at `index`."""
        found = []
        for subject, triple in zip(self.intakes[index], self.digests[index], strict=True):
            matches = [m for digest in set().union(*triple) for m in self.by_digest.get(digest, ())]
            found.extend(
                (subject.key, pk, codes) for pk, codes in _reasons(subject, matches).items()
            )
        return found

    def add(self, people) -> None:
        """
        People about to be created (casework.services.bulk.NewPerson, checked: their aliases
        and name keys made): later intakes match them as `_matches` would once they are stored,
        by the digests that will be stored.
        """
        for new in people:
            person = new.person
            pk, year = person.pk, person.birth_year
            rows = [(Reason.NAME.value, blind_index(NAME_SCOPE, person.full_name))]
            rows += [(Reason.ALIAS.value, blind_index(NAME_SCOPE, a.name)) for a in new.alias_rows]
            if person.contact:
                rows.append((Reason.CONTACT.value, blind_index(CONTACT_SCOPE, person.contact)))
            rows += [
                (Reason.SPELLING.value, key.digest)
                for key in new.name_keys
                if key.kind in WHOLE_NAME_KINDS
            ]
            for reason, digest in rows:
                if digest is not None:
                    self.by_digest[digest].append((pk, year, reason, digest))


def subjects_of(cleaned: dict) -> list[Subject]:
    """The people of a validated intake (see intake.forms.STEPS), as subjects to match."""
    identity, family = cleaned["identity"], cleaned["family"]
    subjects = [
        Subject(
            key="principal",
            names=[identity["full_name"], *identity["aliases"]],
            birth_year=identity.get("birth_year"),
            contact=identity.get("contact") or "",
        )
    ]
    if family.get("partner_name"):
        subjects.append(
            Subject(
                key="partner",
                names=[family["partner_name"]],
                birth_year=family.get("partner_birth_year"),
            )
        )
    for number, child in enumerate(family.get("children", []), start=1):
        subjects.append(
            Subject(
                key=f"child-{number}", names=[child["full_name"]], birth_year=child["birth_year"]
            )
        )
    return subjects


def reason_labels(codes) -> list[str]:
    return [Reason(code).label for code in codes if code in Reason.values]


# The audit trail of lookups, which the throttle also counts: one place shared by every web and
# worker process, kept with the lookup it counts, and readable by whoever reviews the trail.
LOOKUP_MARK = "duplicates"
THROTTLE_WINDOW = timedelta(hours=1)
OUT_OF_SIGHT_MESSAGE = _("A possible duplicate is being checked by your supervisor.")


class LookupThrottled(Exception):
    """Too many duplicate lookups by one user within the window; `retry_after` is in seconds."""

    def __init__(self, retry_after: int, limit: int):
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(
            gettext(
                "You have checked %(limit)s intakes for people on file in the last hour, the "
                "most allowed. Try again in %(minutes)s minutes, or ask your supervisor."
            )
            % {"limit": limit, "minutes": max(1, math.ceil(retry_after / 60))}
        )


def lookups_per_hour() -> int:
    return getattr(settings, "SHIMTEO_DUPLICATE_LOOKUPS_PER_HOUR", 20)


def refuse_if_throttled(actor, target) -> None:
    """
    LookupThrottled (after a "denied" event) when `actor` has looked up duplicates
    `lookups_per_hour()` times in the last hour. Called before the lookup's own transaction, so
    the refusal's event stays when the caller answers the refusal instead of raising it on.
    """
    limit = lookups_per_hour()
    since = timezone.now() - THROTTLE_WINDOW
    # The lookups of intakes typed in, one name at a time; a spreadsheet's check (a supervisor's,
    # audited as one lookup of the batch) is bounded by the import's own limits instead.
    recent = AuditEvent.objects.filter(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        occurred_at__gte=since,
        target_type=target._meta.label_lower,
        detail__lookup=LOOKUP_MARK,
    )
    times = list(recent.order_by("-occurred_at").values_list("occurred_at", flat=True)[:limit])
    if len(times) < limit:
        return
    # The window reopens when the oldest of the last `limit` lookups leaves it.
    retry_after = int((times[-1] + THROTTLE_WINDOW - timezone.now()).total_seconds()) + 1
    record(actor, "denied", target, attempted="duplicate_lookup", limit=limit)
    raise LookupThrottled(max(retry_after, 1), limit)


def record_lookup(actor, target, found, *, request=None, **counts) -> None:
    """
    The audit event of one lookup: how many candidates and how many of them out of the actor's
    sight, never a name or a reference of anyone found.
    """
    pks = {pk for _key, pk, _codes in found}
    in_sight = Person.objects.visible_to(actor).filter(pk__in=pks).count() if pks else 0
    record(
        actor,
        "view",
        target,
        request=request,
        lookup=LOOKUP_MARK,
        candidates=len(pks),
        out_of_sight=len(pks) - in_sight,
        **counts,
    )
