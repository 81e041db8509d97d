"""
A case's timeline: every kind of record of the case and its people as entries in time, read a
page at a time.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Q, QuerySet, TextChoices, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.kept_sql import keys_padded, rows_of_shape, rows_of_shapes

from .. import dates
from ..choices import NoteKind
from ..models import (
    Attachment,
    Case,
    CaseMember,
    CaseNote,
    CheckIn,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Task,
)
from .corrections import records


class TimelineKind(TextChoices):
    STATUS = "status", _("Legal status")
    ENTITLEMENT = "entitlement", _("Benefit")
    INCIDENT = "incident", _("Incident")
    NOTE = "note", _("Note")
    TASK = "task", _("Follow-up set")
    TASK_DONE = "task_done", _("Follow-up done")
    FILE = "file", _("File added")
    CHECK_IN = "check_in", _("Check-in")


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date  # the day it happened (the day of contact for notes, written for tasks)
    at: datetime.datetime  # when it was written down: orders the entries of one day
    kind: str
    record: object
    person: Person | None = None

    @property
    def label(self) -> str:
        return TimelineKind(self.kind).label


# What the case page's timeline can be narrowed to: a kind of record, or the notes of one kind
# of contact ("note:call"). The value is what the page's address carries.
NOTE_OF_KIND = "note:"
TIMELINE_FILTERS = [
    ("", _("Everything")),
    (TimelineKind.NOTE.value, _("All notes")),
    (
        _("Notes of one kind"),
        [(f"{NOTE_OF_KIND}{value}", label) for value, label in NoteKind.choices],
    ),
    (TimelineKind.INCIDENT.value, _("Incidents")),
    (TimelineKind.STATUS.value, _("Legal status")),
    (TimelineKind.ENTITLEMENT.value, _("Benefits")),
    (TimelineKind.TASK.value, _("Follow-ups")),
    (TimelineKind.FILE.value, _("Files")),
    (TimelineKind.CHECK_IN.value, _("Check-ins")),
]


@dataclass(frozen=True)
class _Moment:
    """Where one kind of entry is in time, in SQL: its day and the moment that orders a day."""

    kind: str
    on: object  # a field name or an expression giving a date
    at: str
    only: Q = field(default_factory=Q)  # the records that have this entry (a follow-up done)


@dataclass(frozen=True)
class _TimelineSource:
    """
    One model's records in a case's timeline: which of them belong to the case, the entries
    each gives (a follow-up gives two, set and done), where those are in time (for the query
    that places them, `moments`), and what their rows show (`related`, `prefetch`).
    """

    model: type[models.Model]
    rows: Callable  # (case, include_voided, note_kind) -> QuerySet of the case's records
    moments: tuple[_Moment, ...]
    entries: Callable  # record -> its TimelineEntry objects
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    # Who wrote the record down (its foot): the page's staff are read together, in one query.
    staff: tuple[str, ...] = ()

    def records(self, *keys) -> QuerySet:
        """The records of these keys, with what their rows show, in the order they are listed."""
        # Only the joins a row shows: select_related() with no names joins every required
        # foreign key (a note's case and its team).
        rows = self.model._base_manager.filter(pk__in=keys)
        if self.related:
            rows = rows.select_related(*self.related)
        if self.prefetch:
            rows = rows.prefetch_related(*self.prefetch)
        # The model's order, made total by the key: among entries of one moment, as listed.
        return rows.order_by(*rows.model._meta.ordering, "pk")


def _members_records(model):
    def rows(case, include_voided, note_kind=None):
        people = CaseMember.objects.filter(case=case).values("person")
        return records(model, include_voided=include_voided).filter(person__in=people)

    return rows


def _case_records(model):
    def rows(case, include_voided, note_kind=None):
        return records(model, include_voided=include_voided).filter(case=case)

    return rows


def _note_records(case, include_voided, note_kind=None):
    notes = records(CaseNote, include_voided=include_voided).filter(case=case)
    return notes.filter(kind=note_kind) if note_kind else notes


def _check_in_records(case, include_voided, note_kind=None):
    # What each check-in found, as tapped: a duress call reads as its outcome (the supervisors
    # learn of it from their alert, never from the case's pages). Check-ins are never voided.
    return CheckIn.objects.filter(case=case)


def _task_entries(task):
    yield TimelineEntry(
        on=dates.local_day(task.created_at), at=task.created_at, kind=TimelineKind.TASK, record=task
    )
    if task.completed_at is not None:
        yield TimelineEntry(
            on=dates.local_day(task.completed_at),
            at=task.completed_at,
            kind=TimelineKind.TASK_DONE,
            record=task,
        )


def _entry_at(kind: str, on: str, at: str, *, person: str | None = None):
    """A source's `entries`: each record one entry of `kind`, on its day `on` and moment `at`."""

    def entries(record) -> list[TimelineEntry]:
        return [
            TimelineEntry(
                on=getattr(record, on),
                at=getattr(record, at),
                kind=kind,
                record=record,
                person=getattr(record, person) if person else None,
            )
        ]

    return entries


# In this order, each kind's records in their model's order: so are entries of the same moment
# listed (the timeline sorts by moment only, keeping that order among equals).
TIMELINE_SOURCES = {
    TimelineKind.STATUS: _TimelineSource(
        model=LegalStatusRecord,
        rows=_members_records(LegalStatusRecord),
        moments=(_Moment(TimelineKind.STATUS, "effective_from", "recorded_at"),),
        entries=_entry_at(TimelineKind.STATUS, "effective_from", "recorded_at", person="person"),
        related=("person",),
        staff=("recorded_by",),
    ),
    TimelineKind.ENTITLEMENT: _TimelineSource(
        model=Entitlement,
        rows=_members_records(Entitlement),
        moments=(_Moment(TimelineKind.ENTITLEMENT, "as_of", "recorded_at"),),
        entries=_entry_at(TimelineKind.ENTITLEMENT, "as_of", "recorded_at", person="person"),
        related=("person",),
        staff=("recorded_by",),
    ),
    TimelineKind.INCIDENT: _TimelineSource(
        model=Incident,
        rows=_case_records(Incident),
        moments=(_Moment(TimelineKind.INCIDENT, "occurred_on", "recorded_at"),),
        entries=_entry_at(TimelineKind.INCIDENT, "occurred_on", "recorded_at"),
        prefetch=("people",),
        staff=("recorded_by",),
    ),
    TimelineKind.NOTE: _TimelineSource(
        model=CaseNote,
        rows=_note_records,
        moments=(_Moment(TimelineKind.NOTE, "contacted_on", "created_at"),),
        entries=_entry_at(TimelineKind.NOTE, "contacted_on", "created_at"),
        staff=("author",),
    ),
    TimelineKind.TASK: _TimelineSource(
        model=Task,
        rows=_case_records(Task),
        # The day a follow-up was set or done is the reader's (dates.local_day): TruncDate
        # takes the active time zone, as localtime() does.
        moments=(
            _Moment(TimelineKind.TASK, TruncDate("created_at"), "created_at"),
            _Moment(
                TimelineKind.TASK_DONE,
                TruncDate("completed_at"),
                "completed_at",
                Q(completed_at__isnull=False),
            ),
        ),
        entries=_task_entries,
        staff=("assignee", "created_by", "completed_by"),
    ),
    TimelineKind.FILE: _TimelineSource(
        model=Attachment,
        rows=_case_records(Attachment),
        moments=(_Moment(TimelineKind.FILE, TruncDate("uploaded_at"), "uploaded_at"),),
        entries=lambda attachment: [
            TimelineEntry(
                on=dates.local_day(attachment.uploaded_at),
                at=attachment.uploaded_at,
                kind=TimelineKind.FILE,
                record=attachment,
                person=attachment.person,
            )
        ],
        related=("person",),
        staff=("uploaded_by",),
    ),
    TimelineKind.CHECK_IN: _TimelineSource(
        model=CheckIn,
        rows=_check_in_records,
        moments=(_Moment(TimelineKind.CHECK_IN, "day", "recorded_at"),),
        entries=lambda check_in: [
            TimelineEntry(
                on=check_in.day,
                at=check_in.recorded_at,
                kind=TimelineKind.CHECK_IN,
                record=check_in,
                person=check_in.schedule.person,
            )
        ],
        related=("schedule__person",),
        staff=("recorded_by",),
    ),
}
SOURCE_OF_KIND = {
    moment.kind: source for source in TIMELINE_SOURCES.values() for moment in source.moments
}

# The timeline's entries placed newest first by their moment. `first_place` and `last_place`
# are the places (from 1) of the first and last entry of the same moment as this one (rank() and
# a count up to its last peer): a page takes every entry of the moments it touches, and the
# selector orders entries of one moment as the sources list them. `total` counts them all.
_PLACED_ENTRIES = """
SELECT kind, key, first_place, total FROM (
    SELECT entry_kind AS kind, entry_key AS key, rank() OVER moment AS first_place,
        count(*) OVER moment AS last_place, count(*) OVER () AS total
    FROM ({entries}) AS entries
    WINDOW moment AS (ORDER BY entry_on DESC, entry_at DESC)
) AS placed
WHERE last_place > %s{before_stop}
"""
_COUNTED_ENTRIES = "SELECT count(*) FROM ({entries}) AS entries"


# Stand-ins for the case and the kind of note in the keys' SQL compiled once (Timeline._keys_sql).
_STAND_IN_CASE = uuid.UUID(int=0)
_STAND_IN_NOTE_KIND = "\x00 a kind of note"
_KEYS_SQL = {}


class Timeline:
    """
    A case's timeline, read a page at a time: a slice asks the database which entries hold its
    places (one query over every kind's keys and moments), then reads those entries' records
    (one query per kind on the page), so that a page costs the same however long the case.
    Counts, slices, indexes and iterates like the list it was; a Paginator pages it.
    """

    def __init__(self, case: Case, *, show: str = "", include_voided: bool = False):
        self.case = case
        self.include_voided = include_voided
        self.note_kind = None
        if show.startswith(NOTE_OF_KIND):
            self.note_kind = show.removeprefix(NOTE_OF_KIND)
            self.sources = [TIMELINE_SOURCES[TimelineKind.NOTE]]
        elif show:
            self.sources = [TIMELINE_SOURCES[TimelineKind(show)]]
        else:
            self.sources = list(TIMELINE_SOURCES.values())
        self._count = None
        self._read_ahead = None  # (start, stop, the places of that slice) once read

    def expecting(self, start: int, stop: int) -> "Timeline":
        """
        Reads the slice a paginator is about to ask for with the count it asks first, in one
        query (the count is a column of the page's places). Only saves a query: any other slice
        is read when asked, and an empty one (past the end) leaves the count to its own query.
        """
        self._read_ahead = (start, stop, None)
        return self

    def _keys(self, case: Case, note_kind: str | None) -> QuerySet:
        """Each entry's kind, record key, day and moment, of every kind shown (UNION ALL)."""
        parts = [
            source.rows(case, self.include_voided, note_kind)
            .filter(moment.only)
            .order_by()
            .annotate(
                entry_kind=Value(str(moment.kind), output_field=models.CharField()),
                entry_key=models.F("pk"),
                entry_on=moment.on if not isinstance(moment.on, str) else models.F(moment.on),
                entry_at=models.F(moment.at),
            )
            .values_list("entry_kind", "entry_key", "entry_on", "entry_at")
            for source in self.sources
            for moment in source.moments
        ]
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    def _keys_sql(self) -> tuple[str, tuple]:
        """
        The keys' SQL and this case's parameters. Building and compiling the union of eight
        querysets cost more than the query (≈ 4,000 Python calls a page); its SQL depends only
        on the kinds shown, the voided choice, whether one kind of note is asked and the reader's
        time zone (the day a follow-up falls on), so it is compiled once per process for each,
        with stand-ins for the case and the kind of note that are then given their values.
        """
        shape = (
            connection.vendor,
            tuple(id(source) for source in self.sources),
            self.include_voided,
            self.note_kind is not None,
            timezone.get_current_timezone_name(),
        )
        if shape not in _KEYS_SQL:
            stand_in_kind = _STAND_IN_NOTE_KIND if self.note_kind is not None else None
            query = self._keys(Case(pk=_STAND_IN_CASE), stand_in_kind).query
            _KEYS_SQL[shape] = query.sql_with_params()
        sql, params = _KEYS_SQL[shape]
        # The case's key as the database is given it: a UUID on PostgreSQL, its 32 hex digits on
        # SQLite (where a stand-in looked for as a UUID was never found: every timeline was empty).
        key = Case._meta.pk.get_db_prep_value
        given = {
            key(_STAND_IN_CASE, connection): key(self.case.pk, connection),
            _STAND_IN_NOTE_KIND: self.note_kind,
        }
        return sql, tuple(
            given.get(param, param) if isinstance(param, str | uuid.UUID) else param
            for param in params
        )

    def count(self) -> int:
        if self._count is None and self._read_ahead and self._read_ahead[2] is None:
            start, stop, _placed = self._read_ahead
            self._read_ahead = (start, stop, self._placed(start, stop))
        if self._count is None:
            sql, params = self._keys_sql()
            with connection.cursor() as cursor:
                cursor.execute(_COUNTED_ENTRIES.format(entries=sql), params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self._entries(0, None))

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop or 0) < 0:
                return list(self)[index]
            return self._entries(index.start or 0, index.stop)
        if index < 0:
            index += self.count()
        entries = self._entries(index, index + 1) if index >= 0 else []
        if not entries:
            raise IndexError("timeline index out of range")
        return entries[0]

    def _placed(self, start: int, stop: int | None) -> list[tuple]:
        """(kind, key, first place of its moment) of the entries of the moments in the slice."""
        sql, params = self._keys_sql()
        query = _PLACED_ENTRIES.format(
            entries=sql, before_stop=" AND first_place <= %s" if stop is not None else ""
        )
        bounds = (start, stop) if stop is not None else (start,)
        with connection.cursor() as cursor:
            cursor.execute(query, (*params, *bounds))
            rows = cursor.fetchall()
        if rows:
            self._count = rows[0][3]
        # Keys as the records' own (a UUID), not as this database returns raw ones (SQLite: text).
        return [
            (kind, SOURCE_OF_KIND[kind].model._meta.pk.to_python(key), first)
            for kind, key, first, _total in rows
        ]

    def _entries(self, start: int, stop: int | None) -> list[TimelineEntry]:
        if stop is not None and stop <= start:
            return []
        read = self._read_ahead
        if read and read[2] is not None and read[0] == start and stop is not None:
            # The slice read with the count, or its head (the last page stops at the count).
            placed = read[2] if stop <= read[1] else self._placed(start, stop)
        else:
            placed = self._placed(start, stop)
        if not placed:
            return []
        shown = {(kind, key) for kind, key, _first in placed}
        keys_by_source = {}
        for kind, key, _first in placed:
            keys_by_source.setdefault(id(SOURCE_OF_KIND[kind]), set()).add(key)
        records_read = []
        sources = [source for source in self.sources if keys_by_source.get(id(source))]
        # By key alone: the keys were just read from the case's records of this kind. Its SQL
        # is compiled once per kind and number of keys (kept_sql): building and compiling it
        # cost ≈ 2,000 Python calls a kind. A page of 25 entries reads 3 to 6 kinds, asked of
        # the database together (one round trip, not one a kind).
        read = rows_of_shapes(
            *(
                (
                    f"timeline records:{source.model._meta.label}",
                    source.records,
                    keys_padded(keys_by_source[id(source)]),
                )
                for source in sources
            )
        )
        for source, rows in zip(sources, read, strict=True):
            for record in rows:
                if getattr(record, "case_id", None) == self.case.pk:
                    # The case of the page, not read again should a row ask for it.
                    record.case = self.case
                records_read.append((source, record))
        _with_staff(records_read)
        entries = [
            entry
            for source, record in records_read
            for entry in source.entries(record)
            if (entry.kind, record.pk) in shown
        ]
        entries.sort(key=lambda entry: (entry.on, entry.at), reverse=True)
        skip = start + 1 - min(first for _kind, _key, first in placed)
        return entries[skip : skip + (stop - start)] if stop is not None else entries[skip:]


def _with_staff(records_read: list) -> None:
    """
    Gives each record the staff its entry names (who wrote it down, who a follow-up is for),
    read in one query for the page: a join per user in each kind's query cost more to build
    than the query took (a follow-up's three, ≈ 4,500 Python calls).
    """
    wanted = {
        getattr(record, f"{name}_id")
        for source, record in records_read
        for name in source.staff
        if getattr(record, f"{name}_id") is not None
    }
    staff = staff_by_key(wanted)
    for source, record in records_read:
        for name in source.staff:
            key = getattr(record, f"{name}_id")
            if key in staff:
                setattr(record, name, staff[key])


def staff_by_key(keys) -> dict:
    """
    `User.objects.in_bulk(keys)`, its SQL kept (kept_sql) by the padded number of keys: the
    timeline's staff, built and compiled anew, cost ≈ 1,000 calls a page.
    """
    keys = list(keys)
    if not keys:
        return {}
    users = rows_of_shape("staff by key", _staff_of, *keys_padded(keys))
    return {user.pk: user for user in users}


def _staff_of(*keys) -> QuerySet:
    return get_user_model().objects.filter(pk__in=keys)


def case_timeline(case: Case, *, show: str = "", include_voided: bool = False) -> Timeline:
    """
    Everything that happened in a case, newest first: its people's legal-status periods and
    benefit records, its incidents, notes, follow-ups (set and done), files and check-ins (with
    what each found); or only what `show` (a value of TIMELINE_FILTERS) names. Read a page at a
    time (Timeline): a page takes the same queries whatever the case's size. Voided records
    only when `include_voided` (to whoever may see a record's history).
    """
    return Timeline(case, show=show, include_voided=include_voided)
