"""
Report reads on a read replica, when one is configured (`DATABASE_REPLICA_URL`, alias `replica`).

The reports count over every case a supervisor sees: long scans that are better kept off the
primary, which serves the caseworkers' pages and takes every write. A replica lags the primary by
a moment, which a count over months can afford and a page that has just saved cannot: so only
what runs inside `reading_replica()` (the report tables, `reports.tables.build`) reads there.
Everything else, every write, and every read of the audit chain (whose head must be the latest
under its lock) stay on `default`. Without a `replica` alias, everything reads `default`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"

# Apps never read from the replica, even inside a report: the audit chain.
PRIMARY_ONLY_APPS = frozenset({"audit"})

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reading_replica() -> Iterator[None]:
    """Reads inside this block go to the replica (if there is one); writes never do."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReportsReplicaRouter:
    """`DATABASE_ROUTERS`: the replica for report reads, the primary for everything else."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: a report's object may point at one
        # read on the primary.
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica follows the primary's schema through streaming replication.
        return db != REPLICA
