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

What is kept is SQL text and how to read its columns, never a row or an answer: every call runs
the query and reads the rows afresh. A query that depends on a user (the visibility rule) names
the user's id in its shape (`seen_by`), as `casework.querysets.subquery_kept` does.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.utils import timezone


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
        self.annotation_col_map = compiler.annotation_col_map
        self.col_count = compiler.col_count
        self.prefetch = queryset._prefetch_related_lookups
        # How the columns are converted (decrypting sealed fields, for one), worked out once as
        # the SQL is: Django's results_iter asked every column's field again on each call.
        self.fields = [column[0] for column in self.select[: self.col_count]]
        self.converters = compiler.get_converters(self.fields)
        self.composite = compiler.has_composite_fields(self.fields)
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
        # Where each stand-in is among the parameters: (position, which stand-in, as hex).
        self.places = []
        for position, param in enumerate(params):
            for which, stand_in in enumerate(stand_ins):
                if param == stand_in:
                    self.places.append((position, which, False))
                elif isinstance(stand_in, uuid.UUID) and param == stand_in.hex:
                    # SQLite is given a UUID as its 32 hex digits.
                    self.places.append((position, which, True))
        if {which for _position, which, _hex in self.places} != set(range(len(stand_ins))):
            # A value the ORM changed on its way (a pattern, a lower-cased text) is not
            # found as it was given, and would be left as the stand-in: refused when compiled.
            raise ValueError(f"every stand-in must be a parameter as given: {self.sql}")
        self.params = list(params)

    def params_for(self, values: Sequence) -> list:
        params = list(self.params)
        for position, which, as_hex in self.places:
            params[position] = values[which].hex if as_hex else values[which]
        return params

    def rows(self, values: Sequence) -> list:
        """The model instances the queryset would give, from the kept SQL given `values`."""
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params_for(values))
            fetched = cursor.fetchall()
        if len(self.select) > self.col_count:
            fetched = [row[: self.col_count] for row in fetched]
        # A compiler of this thread's connection converts the columns as Django's own does.
        compiler = self.query.get_compiler(using=self.db)
        rows = fetched
        if self.converters:
            rows = compiler.apply_converters(rows, self.converters)
        if self.composite:
            rows = compiler.composite_fields_to_tuples(rows, self.fields)
        if self.values_names is not None:
            names = self.values_names
            return [dict(zip(names, row, strict=False)) for row in rows]
        model, first, last, names = self.model, self.first, self.last, self.names
        objects = []
        for row in rows:
            obj = model.from_db(self.db, names, row[first:last])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotation_col_map.items():
                setattr(obj, name, row[position])
            objects.append(obj if self.ready is None else self.ready(obj))
        if self.prefetch and objects:
            prefetch_related_objects(objects, *self.prefetch)
        return objects


# By (name, number of keys, time zone): a page's shapes, a few hundred in a process. The database
# is the one the router gave the first build; `name` stands for a query that reads one database.
_SHAPES = KeptInProcess(limit=1024)


def _stand_in(value, position: int):
    if isinstance(value, uuid.UUID):
        # Not a key any table holds: version 4 with a fixed, recognisable tail.
        return uuid.UUID(f"5eedcafe-0000-4000-8000-{position:012x}")
    if isinstance(value, str):
        return f"\x00stand-in {position}"
    raise TypeError(f"a kept query's keys are UUIDs or texts, not {type(value).__name__}")


def seen_by(user) -> str:
    """
    What a shape that asks the visibility rule adds to its name: what the rule depends on of the
    user (their id, and whether they are signed in and active), as `querysets._built_once` keys it.
    """
    return f"{user.pk}:{user.is_authenticated}:{user.is_active}"


def rows_of_shape(name: str, build: Callable[..., QuerySet], *values) -> list:
    """
    `list(build(*values))`, the queryset's SQL compiled once per process for `name` and the
    number of values (`build` is called with stand-ins of the values' types, then each call's
    values are given as the SQL's parameters). `name` stands for one `build` everywhere and
    for anything else its SQL depends on: a user's id, the voided records shown or not.
    `build` must give its values to the ORM as they are (`pk=`, `case=`, `pk__in=`) and use no
    clock or language of the moment; the time zone is part of the key (a day's bounds).
    Rows joined by `select_related`, annotations and `prefetch_related` (those queries
    compiled as usual) come as from the queryset; a relation's known objects (a related
    manager's) do not: the caller sets them.
    """
    if not values:
        raise ValueError("a kept query is asked about at least one value")
    stand_ins = [_stand_in(value, position) for position, value in enumerate(values)]
    key = (name, len(values), timezone.get_current_timezone_name())
    try:
        shape = _SHAPES.get(key, lambda: _Shape(build(*stand_ins), stand_ins))
    except EmptyResultSet:
        # A query the ORM knows to find nothing (`pk__in=[]`, a user who sees no case): no SQL
        # to keep, and no row, as the queryset would give.
        return []
    return shape.rows(values)
