"""
Queries of one fixed shape, their SQL compiled once per process (`rows_of_shape`), and what a
process keeps of such work (`KeptInProcess`). Here, below casework, so that the API's token check
(`accounts.api_auth`) runs its query the way casework's pages run theirs.

A page such as the case page reads a dozen small lists, each a query whose SQL is the same on
every request but for a key or two (the case's, its principal's). Building the queryset and
compiling its SQL (the select_related columns, the joins, the conditions) cost Django 2,000 to
5,000 Python calls each, more than PostgreSQL took to answer: a third of the page's Python.
Here the SQL is compiled once with stand-ins for the keys, then given each request's keys as
parameters, and the rows are built into model instances as Django's own iterable builds them.
PostgreSQL then plans it once per connection too (`_PreparedCursor`): planning those queries
cost it ten times what running them did.

What is kept is SQL text and how to read its columns, never a row or an answer: every call runs
the query and reads the rows afresh. A query that depends on a user (the visibility rule) names
the user's id in its shape (`of_user`), as `casework.querysets.subquery_kept` does.
"""

import datetime
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence

import psycopg
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.backends.postgresql.base import CursorDebugWrapper
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.constants import LOOKUP_SEP
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.utils import timezone
from psycopg import pq


class KeptInProcess:
    """
    What this process keeps (SQL, casework's built visibility rule), by key, up to `limit` entries
    (the least recently used is dropped first); a thread that finds nothing makes it outside the lock, so two threads may both
    make it, and either result is the same.
    """

    def __init__(self, limit: int):
        self._limit = limit
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def get(self, key: tuple, make):
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is None:
            kept = make()
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > self._limit:
                    self._kept.popitem(last=False)
        return kept


class EachMadeReady(ModelIterable):
    """
    Model instances each finished by `ready(obj)` as they are built: what a query read beside a
    row (an annotation holding its related rows as an array) put where the callers read it.
    `rows_of_shape` finishes its instances the same way, so such a query may be kept too.
    """

    @staticmethod
    def ready(obj):
        return obj

    def __iter__(self):
        for obj in super().__iter__():
            yield self.ready(obj)


class _Shape:
    """A queryset's SQL and its parameters with stand-ins, and how its columns become objects."""

    def __init__(self, queryset: QuerySet, stand_ins: Sequence):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.query = queryset.query
        self.db = queryset.db
        self.select = compiler.select
        self.klass_info = compiler.klass_info
        self.annotation_col_map = compiler.annotation_col_map
        self.col_count = compiler.col_count
        fields = [column[0] for column in self.select[: self.col_count]]
        # A composite key's columns are read as Django's results_iter reads them (not here).
        self.composite = compiler.has_composite_fields(fields)
        # The columns' converters by connection (a thread's): asked of every column's field and
        # of the backend on each call, they cost a kept query some 300 Python calls.
        self.converters = weakref.WeakKeyDictionary()
        # A plain many-to-many of the model is read by a kept query of its own; any other
        # lookup by Django's prefetch, its SQL compiled on each call.
        self.kept_relations, self.prefetch = [], []
        for lookup in queryset._prefetch_related_lookups:
            field = _kept_many_to_many(queryset.model, lookup)
            if field is None:
                self.prefetch.append(lookup)
            else:
                self.kept_relations.append(field)
        # A values() query gives dicts of these names (as Django's ValuesIterable), else objects.
        self.values_names = None
        iterable = queryset._iterable_class
        self.ready = iterable.ready if issubclass(iterable, EachMadeReady) else None
        if iterable is ValuesIterable:
            query = queryset.query
            self.values_names = [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        elif iterable is not ModelIterable and self.ready is None:
            raise ValueError("a kept query gives model instances or values() dicts")
        else:
            # Where the model's own columns are, and how the joined rows are built, once too.
            klass_info = compiler.klass_info
            self.model = klass_info["model"]
            self.first = klass_info["select_fields"][0]
            self.last = klass_info["select_fields"][-1] + 1
            self.names = [
                column[0].target.attname for column in self.select[self.first : self.last]
            ]
            self.populators = get_related_populators(klass_info, self.select, self.db)
        # Where each stand-in is among the parameters: (position, which stand-in, as text).
        self.places = []
        as_texts = [_as_text(stand_in) for stand_in in stand_ins]
        for position, param in enumerate(params):
            for which, stand_in in enumerate(stand_ins):
                if param == stand_in:
                    self.places.append((position, which, False))
                elif as_texts[which] is not None and param == as_texts[which]:
                    # SQLite is given a UUID as its 32 hex digits, a day as ISO text.
                    self.places.append((position, which, True))
        if {which for _position, which, _text in self.places} != set(range(len(stand_ins))):
            # A value the ORM changed on its way (a pattern, a lower-cased text) is not
            # found as it was given, and would be left as the stand-in: refused when compiled.
            raise ValueError(f"every stand-in must be a parameter as given: {self.sql}")
        self.params = list(params)

    def params_for(self, values: Sequence) -> list:
        params = list(self.params)
        for position, which, as_text in self.places:
            params[position] = _as_text(values[which]) if as_text else values[which]
        return params

    def rows(self, values: Sequence) -> list:
        """The model instances the queryset would give, from the kept SQL given `values`."""
        with _cursor(connections[self.db]) as cursor:
            cursor.execute(self.sql, self.params_for(values))
            return self.built(cursor.fetchall())

    def built(self, fetched: list) -> list:
        """The model instances (or dicts) the queryset would give of the rows `fetched`."""
        connection = connections[self.db]
        # A compiler of this thread's connection, given what the first compile found: it
        # converts the columns (decrypting sealed fields, for one) as Django's own does.
        compiler = self.query.get_compiler(using=self.db)
        compiler.select = self.select
        compiler.klass_info = self.klass_info
        compiler.annotation_col_map = self.annotation_col_map
        compiler.col_count = self.col_count
        if len(self.select) > self.col_count:
            fetched = [row[: self.col_count] for row in fetched]
        converted = self._converted(compiler, connection, fetched)
        if self.values_names is not None:
            names = self.values_names
            return [dict(zip(names, row, strict=False)) for row in converted]
        model, first, last, names = self.model, self.first, self.last, self.names
        objects = []
        for row in converted:
            obj = model.from_db(self.db, names, row[first:last])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj if self.ready is None else self.ready(obj))
        if objects:
            for field in self.kept_relations:
                _many_to_many_read(objects, field)
            if self.prefetch:
                prefetch_related_objects(objects, *self.prefetch)
        return objects

    def _converted(self, compiler, connection, fetched: list):
        """The rows as `compiler.results_iter` gives them, with the converters found once."""
        if self.composite:
            return compiler.results_iter([fetched])
        converters = self.converters.get(connection)
        if converters is None:
            fields = [column[0] for column in self.select[: self.col_count]]
            converters = self.converters[connection] = compiler.get_converters(fields)
        return compiler.apply_converters(fetched, converters) if converters else fetched


def _kept_many_to_many(model, lookup):
    """
    The many-to-many field `lookup` names on `model` when Django's prefetch of it is a plain
    read of the links and their rows (the related model's manager filters nothing, its order is
    by named fields): the incidents' people on the case page. Else None.
    """
    if not isinstance(lookup, str) or LOOKUP_SEP in lookup:
        return None
    try:
        field = model._meta.get_field(lookup)
    except FieldDoesNotExist:
        return None
    if not (field.many_to_many and field.concrete):
        return None
    query = field.related_model._default_manager.get_queryset().query
    if query.where or query.distinct or query.extra or query.annotations or query.select_related:
        return None
    if not all(isinstance(order, str) for order in field.related_model._meta.ordering):
        return None
    return field


def _many_to_many_read(objects: list, field) -> None:
    """
    `prefetch_related_objects(objects, field.name)`, the links and their rows read by a kept
    query (by the padded number of objects): what each object's manager then gives, as after
    Django's prefetch, in the related model's order.
    """
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    through = field.remote_field.through
    order = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in field.related_model._meta.ordering
    ]
    links = rows_of_shape(
        f"many to many:{field.model._meta.label}.{field.name}",
        lambda *keys: (
            through._base_manager.filter(**{f"{source}__in": keys})
            .select_related(target)
            .order_by(*order)
        ),
        *keys_padded([obj.pk for obj in objects]),
    )
    related = {}
    for link in links:
        related.setdefault(getattr(link, f"{source}_id"), []).append(getattr(link, target))
    for obj in objects:
        # As prefetch_related_objects leaves it: the manager's queryset, its rows known.
        rows = getattr(obj, field.name).get_queryset()
        rows._result_cache = related.get(obj.pk, [])
        rows._prefetch_done = True
        if not hasattr(obj, "_prefetched_objects_cache"):
            obj._prefetched_objects_cache = {}
        obj._prefetched_objects_cache[field.name] = rows


def keys_padded(keys: Sequence) -> list:
    """
    `keys`, the last repeated up to the next of 1, 2, 4, 8... keys, for a kept query that takes
    them as a list (`pk__in=`): its SQL is compiled once per number of keys, and a case page's
    lists of 1 to 25 records would otherwise keep (and first compile) a shape for each number.
    The same rows: a key twice in an IN list finds its row once.
    """
    keys = list(keys)
    size = 1
    while size < len(keys):
        size *= 2
    return keys + keys[-1:] * (size - len(keys))


# By (name, number of keys, time zone): a page's shapes, a few hundred in a process. The database
# is the one the router gave the first build; `name` stands for a query that reads one database.
_SHAPES = KeptInProcess(limit=1024)

_TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
_ONLY_WHEN_ASKED = 2**31 - 1


def _as_text(value):
    """A key as a backend without its type is given it (SQLite): a UUID's hex, a day's ISO."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def _stand_in(value, position: int):
    if isinstance(value, uuid.UUID):
        # Not a key any table holds: version 4 with a fixed, recognisable tail.
        return uuid.UUID(f"5eedcafe-0000-4000-8000-{position:012x}")
    if isinstance(value, str):
        return f"\x00stand-in {position}"
    if isinstance(value, int) and not isinstance(value, bool):
        # Not a key any table holds: automatic keys count up from 1.
        return -(0x5EEDCAFE + position)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        # A day no record is of (the first days of year 1), for a bound such as "due by".
        return datetime.date(1, 1, 1) + datetime.timedelta(days=position)
    raise TypeError(
        f"a kept query's keys are UUIDs, integers, texts or days, not {type(value).__name__}"
    )


def rows_of_shape(name: str, build: Callable[..., QuerySet], *values) -> list:
    """
    `list(build(*values))`, the queryset's SQL compiled once per process for `name` and the
    number of values (`build` is called with stand-ins of the values' types, then each call's
    values are given as the SQL's parameters). `name` stands for one `build` everywhere and
    for anything else its SQL depends on: a user's id, the voided records shown or not.
    `build` must give its values to the ORM as they are (`pk=`, `case=`, `team__in=`, a day to
    `due_on__lte=`, never a day computed from it) and use no clock or language of the moment;
    the time zone is part of the key (a day's bounds). A query of no key (a user's own list,
    the user named in `name` by `of_user`) is compiled once and run as it is.
    Rows joined by `select_related`, annotations and `prefetch_related` (those queries
    compiled as usual) come as from the queryset; a relation's known objects (a related
    manager's) do not: the caller sets them.
    """
    stand_ins = [_stand_in(value, position) for position, value in enumerate(values)]
    key = (name, len(values), timezone.get_current_timezone_name())
    try:
        shape = _SHAPES.get(key, lambda: _Shape(build(*stand_ins), stand_ins))
    except EmptyResultSet:
        # A query the ORM knows to find nothing (`pk__in=[]`, a user who sees no case): no SQL
        # to keep, and no row, as the queryset would give.
        return []
    return shape.rows(values)


def rows_of_shapes(*asked: tuple[str, Callable[..., QuerySet], Sequence]) -> list[list]:
    """
    `[rows_of_shape(name, build, *values) for name, build, values in asked]`, the queries sent
    to PostgreSQL together, in one round trip (the simple protocol runs them in order and
    answers each): for queries of one page that do not wait on each other's rows, such as the
    case timeline's records of each kind. Elsewhere, or across databases, one after the other.
    """
    shapes = []
    for name, build, values in asked:
        stand_ins = [_stand_in(value, position) for position, value in enumerate(values)]
        key = (name, len(values), timezone.get_current_timezone_name())
        try:
            shape = _SHAPES.get(key, lambda build=build, s=stand_ins: _Shape(build(*s), s))
        except EmptyResultSet:
            shape = None  # nothing to ask: no rows, as in rows_of_shape
        shapes.append((shape, values))
    sent = [(shape, values) for shape, values in shapes if shape is not None]
    connection = connections[sent[0][0].db] if sent else None
    if len(sent) < 2 or len({shape.db for shape, _values in sent}) != 1:
        fetched = None
    elif _prepares(connection):
        fetched = _fetched_in_a_pipeline(connection, sent)
    elif connection.vendor == "postgresql" and not _binds_on_the_server(connection):
        fetched = _fetched_as_one_text(connection, sent)
    else:
        fetched = None
    if fetched is None:
        return [shape.rows(values) if shape else [] for shape, values in shapes]
    answers = iter(fetched)
    return [shape.built(next(answers)) if shape else [] for shape, _values in shapes]


def _fetched_in_a_pipeline(connection, sent) -> list[list]:
    """
    Each statement prepared (`_cursor`), all sent before the first answer is read: one round
    trip, as `_fetched_as_one_text` makes, which cannot prepare.
    """
    cursors = []
    with connection.connection.pipeline():
        for shape, values in sent:
            cursor = _cursor(connection)
            cursor.execute(shape.sql, shape.params_for(values))
            cursors.append(cursor)
    fetched = []
    for cursor in cursors:
        with cursor:
            fetched.append(cursor.fetchall())
    return fetched


def _binds_on_the_server(connection) -> bool:
    """Django's cursors bound on the server (`server_side_binding`): one statement per execute."""
    return bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))


def _fetched_as_one_text(connection, sent) -> list[list]:
    """
    The statements as one text, which PostgreSQL runs in order and answers each (bound on the
    client, Django's default): Django's own SQL of each query, its parameters still apart.
    """
    sql = ";\n".join(shape.sql for shape, _values in sent)
    params = [param for shape, values in sent for param in shape.params_for(values)]
    fetched = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched.append(cursor.fetchall())
        while cursor.nextset():
            fetched.append(cursor.fetchall())
    return fetched


class _PreparedCursor(psycopg.Cursor):
    """
    Statements bound and prepared by PostgreSQL on their first run on a connection, then run by
    name: a kept shape's plan is made once per connection, not on every request. The case
    page's queries took PostgreSQL 1 ms to plan for 0.1 ms to run; its dozen and a half cost
    2 ms of planning a request. Django's own cursors bind on the client and prepare nothing
    (`prepare_threshold` None), which a pooler in transaction mode needs.
    """

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _prepares(connection) -> bool:
    """
    Whether kept shapes are prepared on `connection`: PostgreSQL, unless behind a pooler in
    transaction mode (`SHIMTEO_DB_BEHIND_POOLER`), which hands a connection to another client
    between transactions, and with it the statements prepared on it.
    """
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )


def _cursor(connection):
    """A cursor of `connection` for a kept shape: Django's, wrapping a prepared cursor (above)."""
    if not _prepares(connection):
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None), which refuses even a cursor that asks;
        # a threshold no statement reaches leaves Django's own statements unprepared.
        connection.connection.prepare_threshold = _ONLY_WHEN_ASKED
    raw = _PreparedCursor(connection.connection)
    # As Django's create_cursor: a time zone other than the connection's is the cursor's own.
    loader = connection.connection.adapters.get_loader(_TIMESTAMPTZ_OID, pq.Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, raw)
    # Django's wrapper: the connection's execute wrappers applied, the query timed and logged.
    connection.validate_thread_sharing()
    return (
        _LoggedAsSent(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    )


class _LoggedAsSent(CursorDebugWrapper):
    """
    Django's debug wrapper (tests, DEBUG) for a prepared cursor: the query logged with its
    parameters in place, as for Django's own cursors. Django reads it back from a cursor that
    binds on the client, and a prepared one has no such text.
    """

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def of_user(name: str, user) -> str:
    """
    `name` for a query whose SQL names `user` (the visibility rule, a probe of the cases they
    work): kept per user id and whether they are signed in and active, as the rule itself is
    built once per user (`querysets._built_once`).
    """
    return f"{name}:{user.pk}:{user.is_authenticated}:{user.is_active}"
