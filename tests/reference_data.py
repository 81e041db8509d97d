"""
The reference data a flush leaves in place when no test changed it (tests/conftest.py
`_transactional_tests_flush_by_delete`).

After a flush, `post_migrate` writes the same rows back every time: content types, permissions,
the role groups and their permissions, the legal corpus. Deleting them after each transactional
test and writing them again cost about a second of CPU per test (one browser test in three of
its whole time). So the first flush of a database is Django's own, and what it leaves behind is
noted: which tables `post_migrate` filled, and a fingerprint of their rows. At each later flush,
when those tables hold exactly the rows noted, they are left alone and `post_migrate` is not sent:
the database ends as Django's flush would leave it. When a test changed any of their rows (a group
renamed, a provision added), the flush is Django's own again and the fingerprint is taken anew.
"""

from dataclasses import dataclass

from django.core.management.commands import flush
from django.db import connections


@dataclass(frozen=True)
class _Noted:
    tables: frozenset[str]
    fingerprint: str


# Per database alias, in this process (an xdist worker has its own test databases).
_noted: dict[str, _Noted] = {}


def _fingerprint(connection, tables) -> str:
    """One digest of every row of `tables` (each row's text, sorted, under its table's name)."""
    quote = connection.ops.quote_name
    # Django's own table names, quoted: nothing typed by a user.
    names = sorted(tables)
    rows = " UNION ALL ".join(
        f"SELECT %s || ':' || t::text AS row FROM {quote(name)} AS t"  # noqa: S608
        for name in names
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(row, '|' ORDER BY row), '')) FROM ({rows}) AS rows",  # noqa: S608
            names,
        )
        return cursor.fetchone()[0]


def _filled_tables(connection) -> frozenset[str]:
    """The tables of Django's models that hold rows (right after a flush: those of post_migrate)."""
    quote = connection.ops.quote_name
    names = sorted(connection.introspection.django_table_names(only_existing=True))
    probes = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(name)})"  # noqa: S608
        for name in names
    )
    with connection.cursor() as cursor:
        cursor.execute(probes, names)
        return frozenset(name for (name,) in cursor.fetchall())


def kept_tables(connection) -> frozenset[str]:
    """
    The tables the flush of `connection` leaves alone: the reference tables when they hold the
    rows noted after the last full flush, else none (Django's own flush, then post_migrate).
    """
    noted = _noted.get(connection.alias) if connection.vendor == "postgresql" else None
    if noted is not None and _fingerprint(connection, noted.tables) == noted.fingerprint:
        connection._reference_tables_kept = noted.tables
        return noted.tables
    connection._reference_tables_kept = frozenset()
    return frozenset()


def _post_migrate_unless_kept(original):
    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        connection = connections[db]
        if connection.vendor != "postgresql":
            # Noting and comparing the rows is written for PostgreSQL (its flush is the one
            # taught to keep tables); SQLite's transactional tests flush as Django does.
            return original(verbosity, interactive, db, **kwargs)
        if getattr(connection, "_reference_tables_kept", None):
            return  # the rows post_migrate would write are all there, untouched
        original(verbosity, interactive, db, **kwargs)
        # Django's own flush ran, then post_migrate: note what they left.
        tables = _filled_tables(connection)
        _noted[db] = _Noted(tables=tables, fingerprint=_fingerprint(connection, tables))

    return emit_post_migrate_signal


class PostMigrateUnlessKept:
    """
    While a transactional test's flush runs: `post_migrate` is sent only after a flush that
    emptied the reference tables, and what it writes is noted for the next flush.
    """

    def __enter__(self):
        self.original = flush.emit_post_migrate_signal
        flush.emit_post_migrate_signal = _post_migrate_unless_kept(self.original)

    def __exit__(self, *exc_info):
        flush.emit_post_migrate_signal = self.original
        for connection in connections.all(initialized_only=True):
            connection.__dict__.pop("_reference_tables_kept", None)
