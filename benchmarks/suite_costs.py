"""
A pytest plugin that writes down where the test suite's time goes, by counts and CPU as well as
by wall time, since the machine is shared and wall time moves with its load (benchmarks/RESULTS.md,
"Session 14, branch suite15"). Each process (every xdist worker) appends JSON lines to
$SUITE_COSTS_OUT: one per test with each phase's wall and CPU seconds (this process's CPU: not the
database server's, nor chromium's) and queries (of the test thread's connection), the flushes that
ended it and how many of them sent `post_migrate` (the reference data written again); and one per
process with the test database's setup, the collection and the whole session.

    PYTHONPATH=. SUITE_COSTS_OUT=costs.jsonl .venv/bin/pytest -p benchmarks.suite_costs -n 2 ...
    .venv/bin/python -m benchmarks.suite_costs costs.jsonl      # the summary

Only observes: it changes no test, and costs a counter per query.
"""

import json
import os
import sys
import time
from collections import Counter, defaultdict

import pytest

PHASES = ("setup", "call", "teardown")


class _Costs:
    def __init__(self):
        self.queries = 0
        self.flushes = 0
        self.post_migrates = 0
        self.migrates = 0
        self.database_setup = None  # (wall, cpu) of pytest-django's django_db_setup
        self.started = (time.time(), time.process_time())
        self.collected = None
        self.test = None

    def count_query(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def snapshot(self):
        return (
            time.perf_counter(),
            time.process_time(),
            self.queries,
            self.flushes,
            self.post_migrates,
        )


_costs = _Costs()


def _out(record: dict) -> None:
    path = os.environ.get("SUITE_COSTS_OUT", "suite_costs.jsonl")
    with open(path, "a") as out:
        out.write(json.dumps(record) + "\n")


def _worker(config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


def pytest_configure(config):
    # pytest-django has set Django up by now (its pytest_load_initial_conftests).
    from django.core.management.commands import flush, migrate
    from django.db import connection
    from django.db.models.signals import post_migrate

    connection.execute_wrappers.append(_costs.count_query)

    def counted(original, attribute):
        def wrapper(*args, **kwargs):
            setattr(_costs, attribute, getattr(_costs, attribute) + 1)
            return original(*args, **kwargs)

        return wrapper

    flush.Command.handle = counted(flush.Command.handle, "flushes")
    migrate.Command.handle = counted(migrate.Command.handle, "migrates")

    def one_post_migrate(sender, **kwargs):
        # post_migrate is sent once per app; counted once per sending, on contenttypes' turn.
        if sender.label == "contenttypes":
            _costs.post_migrates += 1

    post_migrate.connect(one_post_migrate, weak=False, dispatch_uid="suite_costs")


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname != "django_db_setup":
        return (yield)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return (yield)
    finally:
        _costs.database_setup = (time.perf_counter() - wall, time.process_time() - cpu)


def pytest_collection_finish(session):
    _costs.collected = (time.time(), time.process_time(), len(session.items))


def _record(item, phase: str, before) -> None:
    """What one phase of a test spent, kept on the item for its line."""
    spent = [round(b - a, 4) for a, b in zip(before, _costs.snapshot(), strict=True)]
    item._suite_costs = getattr(item, "_suite_costs", {})
    item._suite_costs[phase] = dict(
        zip(("wall", "cpu", "queries", "flushes", "post_migrates"), spent, strict=True)
    )


# pluggy reads each hook's argument names, so one function per phase.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    before = _costs.snapshot()
    try:
        return (yield)
    finally:
        _record(item, "setup", before)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    before = _costs.snapshot()
    try:
        return (yield)
    finally:
        _record(item, "call", before)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    before = _costs.snapshot()
    try:
        return (yield)
    finally:
        _record(item, "teardown", before)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    result = yield
    phases = getattr(item, "_suite_costs", {})
    _out(
        {
            "kind": "test",
            "worker": _worker(item.config),
            "id": item.nodeid,
            "transactional": "transactional_db" in getattr(item, "fixturenames", ()),
            "ended": time.time(),
            **phases,
        }
    )
    return result


def pytest_sessionfinish(session):
    started_wall, started_cpu = _costs.started
    collected = _costs.collected or (None, None, 0)
    _out(
        {
            "kind": "process",
            "worker": _worker(session.config),
            "started": started_wall,
            "collected_at": collected[0],
            "collection_cpu": collected[1] - started_cpu if collected[1] else None,
            "tests": collected[2],
            "ended": time.time(),
            "cpu": time.process_time() - started_cpu,
            "database_setup": _costs.database_setup,
            "migrates": _costs.migrates,
            "flushes": _costs.flushes,
            "post_migrates": _costs.post_migrates,
        }
    )


def summary(path: str, top: int = 25) -> None:
    tests, processes = [], []
    with open(path) as lines:
        for line in lines:
            record = json.loads(line)
            (tests if record["kind"] == "test" else processes).append(record)

    def total(rows, phase, key):
        return sum(row.get(phase, {}).get(key, 0) for row in rows)

    print(f"{len(tests)} tests")
    for phase in PHASES:
        print(
            f"  {phase:8} wall {total(tests, phase, 'wall'):8.1f} s  cpu {total(tests, phase, 'cpu'):8.1f} s"
            f"  queries {total(tests, phase, 'queries'):8.0f}"
        )
    flushed = [row for row in tests if row.get("teardown", {}).get("flushes")]
    print(
        f"flushes {sum(row['teardown']['flushes'] for row in flushed)} in {len(flushed)} tests:"
        f" teardown wall {total(flushed, 'teardown', 'wall'):.1f} s, cpu"
        f" {total(flushed, 'teardown', 'cpu'):.1f} s, queries {total(flushed, 'teardown', 'queries'):.0f};"
        f" post_migrate sent {total(flushed, 'teardown', 'post_migrates'):.0f} times"
    )
    for process in processes:
        setup = process["database_setup"] or (0, 0)
        print(
            f"process {process['worker']}: {process['tests']} tests, cpu {process['cpu']:.1f} s,"
            f" collection cpu {process['collection_cpu'] or 0:.1f} s, span"
            f" {process['ended'] - process['started']:.1f} s, django_db_setup wall"
            f" {setup[0]:.1f} s cpu {setup[1]:.1f} s, migrates {process['migrates']},"
            f" flushes {process['flushes']}, post_migrate {process['post_migrates']}"
        )
    if tests:
        begun = min(process["started"] for process in processes) if processes else 0
        last = defaultdict(float)
        for row in tests:
            last[row["worker"]] = max(last[row["worker"]], row["ended"])
        print(
            "last test ended, seconds after the run began: "
            + ", ".join(f"{worker} {ended - begun:.1f}" for worker, ended in sorted(last.items()))
        )
    by_module = defaultdict(Counter)
    for row in tests:
        module = row["id"].split("::")[0]
        for phase in PHASES:
            by_module[module]["wall"] += row.get(phase, {}).get("wall", 0)
            by_module[module]["cpu"] += row.get(phase, {}).get("cpu", 0)
            by_module[module]["queries"] += row.get(phase, {}).get("queries", 0)
        by_module[module]["tests"] += 1
    print(f"\nmodules by wall (top {top}): wall s, cpu s, queries, tests")
    for module, counts in sorted(by_module.items(), key=lambda kv: -kv[1]["wall"])[:top]:
        print(
            f"  {counts['wall']:7.1f} {counts['cpu']:7.1f} {counts['queries']:7.0f}"
            f" {counts['tests']:5}  {module}"
        )
    for phase in PHASES:
        print(f"\nslowest {phase} (top {top}): wall s, cpu s, queries")
        rows = sorted(tests, key=lambda row: -row.get(phase, {}).get("wall", 0))[:top]
        for row in rows:
            spent = row.get(phase, {})
            print(
                f"  {spent.get('wall', 0):7.2f} {spent.get('cpu', 0):7.2f}"
                f" {spent.get('queries', 0):6.0f}  {row['id']}"
            )


if __name__ == "__main__":
    summary(sys.argv[1], *(int(arg) for arg in sys.argv[2:3]))
