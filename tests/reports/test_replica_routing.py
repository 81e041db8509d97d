"""
The reports read from the replica when one is configured (`DATABASE_REPLICA_URL`), and nothing
else does: the pages' reads, every write and the audit chain stay on the primary.

The replica here is a second connection to the test database (as `TEST: {"MIRROR": "default"}`
makes it in settings): the test is transactional, so what it writes on the primary is committed
and the replica connection reads it, as a streaming replica would a moment later.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from casework.models import Case
from reports.routing import PRIMARY, REPLICA, ReportsReplicaRouter, reading_replica
from tests.factories import TeamFactory
from tests.scenarios import known_caseload, persona

from ..conftest import sign_in
from .conftest import PERIOD

QUERY = {"date_from": PERIOD.date_from.isoformat(), "date_to": PERIOD.date_to.isoformat()}


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup):
    """
    The `replica` alias for this module's tests, pointing at the test database as its mirror
    would (made before the tests' database fixtures, which check the aliases they name).
    """
    connections.settings[REPLICA] = {
        **connections["default"].settings_dict,
        "ATOMIC_REQUESTS": False,  # as settings.py configures a replica
    }
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def north_supervisor(transactional_db):
    alice, charlie = persona("alice"), persona("charlie")
    sue = persona("sue")  # supervises North: her report counts alice's four cases
    known_caseload(
        team_north=TeamFactory(name="North"),
        team_south=TeamFactory(name="South"),
        alice=alice,
        charlie=charlie,
    )
    return sue


def _tables(sql: list[dict]) -> str:
    return " ".join(query["sql"] for query in sql)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_supervisors_report_counts_on_the_replica_and_audits_on_the_primary(
    client, north_supervisor, settings
):
    """The counts come from the replica; the export's audit event is written on the primary."""
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    client = sign_in(client, north_supervisor)
    events_before = AuditEvent.objects.count()
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(reverse("reports:export_csv"), {**QUERY, "table": "detentions"})
    assert response.status_code == 200
    # The detentions of North's people (alice's cases) were counted on the replica...
    assert "casework_legalstatusrecord" in _tables(replica.captured_queries)
    assert "casework_case" in _tables(replica.captured_queries)
    # ...and nothing was written there, nor the audit chain read there.
    for query in replica.captured_queries:
        sql = query["sql"].lstrip().upper()
        assert sql.startswith("SELECT"), sql
        assert "AUDIT_" not in sql, sql
    # The primary counted nothing: it served the session, the sign-in and the audit event.
    assert "casework_legalstatusrecord" not in _tables(primary.captured_queries)
    assert 'INSERT INTO "audit_auditevent"' in _tables(primary.captured_queries)
    assert AuditEvent.objects.count() == events_before + 1
    assert AuditEvent.objects.latest("pk").action == "export"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_case_list_and_dashboard_stay_on_the_primary(client, north_supervisor):
    """A caseworker's pages must read what they have just saved: never the replica."""
    client = sign_in(client, north_supervisor)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        assert client.get(reverse("casework:case_list")).status_code == 200
        assert client.get(reverse("casework:dashboard")).status_code == 200
    assert replica.captured_queries == []


def test_writes_and_the_audit_chain_never_go_to_the_replica():
    """Even inside a report's block: a write, or a read of the audit chain, is on the primary."""
    router = ReportsReplicaRouter()
    with reading_replica():
        assert router.db_for_read(Case) == REPLICA
        assert router.db_for_write(Case) == PRIMARY
        assert router.db_for_read(AuditEvent) == PRIMARY
        assert router.db_for_write(AuditEvent) == PRIMARY
    assert router.db_for_read(Case) == PRIMARY
    assert not router.allow_migrate(REPLICA, "casework")


def test_without_a_replica_reports_read_the_primary(monkeypatch):
    """One server, no `DATABASE_REPLICA_URL`: the reports read `default` as before."""
    monkeypatch.delitem(connections.settings, REPLICA)
    with reading_replica():
        assert ReportsReplicaRouter().db_for_read(Case) == PRIMARY
