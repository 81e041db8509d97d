"""
Shared fixtures. Personas, as in the house style (defined in tests/scenarios.py's `PERSONAS`):
`alice` is a caseworker of team North, `bob` a caseworker of team North too, `charlie` a
caseworker of team South (an outsider to North's cases), `sue` supervises team North, `lena` is
a legal advocate of team North with whom alice's `north_case` is shared, `admin` is a superuser.
Households to work on are built by tests/scenarios.py.

Under CI=true a missing component (PostgreSQL, Redis, chromium) fails the run instead of skipping.
"""

import copy
import os
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import login
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.middleware import SlidingSessionMiddleware
from accounts.models import TOTPDevice
from casework import choices

from . import database_template
from .factories import AssignmentFactory, TeamFactory
from .reference_data import PostMigrateUnlessKept, kept_tables
from .scenarios import case_with_one_member, persona

IN_CI = os.environ.get("CI") == "true"


def require(condition: bool, reason: str):
    """Skip a test that needs a missing component, or fail it under CI."""
    if not condition:
        outcome = pytest.fail if IN_CI else pytest.skip  # under CI=true a missing part fails
        outcome(f"CI=true and {reason}" if IN_CI else reason)


def sign_in(client, user):
    """
    Sign `user` in on `client` with both factors, as the login and verify pages would: Django's
    `login()` (its signals: the audit event, the session's start, axes, `last_login`) on the
    client's session, then the second factor. The test client's `force_login` would first save an
    empty session, then the signed-in one, which this would read back and save a third time: 24
    queries where these take 13, in most tests of the suite.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(
        cookie.value if cookie else None
    )
    # The backend the login page's `authenticate()` ends on (axes' only refuses locked-out users).
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the verify page's response leaves it: the idle timeout counted from now.
    request.session[SlidingSessionMiddleware.REFRESHED_AT] = int(time.time())
    request.session.save()
    return with_session(client, request.session.session_key)


def with_session(client, session_key: str):
    """`client` sending the cookie of the session `session_key`, as its browser would."""
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update(
        {"path": "/", "domain": settings.SESSION_COOKIE_DOMAIN}
    )
    return client


def consent_answer(**answer) -> dict:
    """
    The consent part of a form that registers a person or adds one to a case, answered as most
    are: asked in person, agreeing to be kept on file and to have the case shared.
    """
    return {
        "consent": "given",
        "scopes": ["store_data", "share_with_advocates"],
        "method": "verbal",
        "given_on": timezone.localdate().isoformat(),
        **answer,
    }


# Deliberately slow password hashing is for attackers, not for the test suite.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def built_once_per_module(build, django_db_blocker, media_root):
    """
    Django's `setUpTestData` for pytest, for a module-scoped fixture to `yield from`: the rows
    `build()` writes stay for each test of the module and are rolled back after the last one.
    They are written in a transaction left open; each test's own transaction (the `db` fixture)
    nests in it as a savepoint, so whatever a test changes is undone for the next. The fixture
    must hand each test a `copy.deepcopy` of what `build()` returned (a test may change the
    objects in memory), and serves only modules without `transactional_db`. Files go to
    `media_root`, which the module's tests must use as their MEDIA_ROOT too (`module_media`).
    `built_once` below makes both fixtures of such a module.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=FAST_HASHERS):
                made = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    """A MEDIA_ROOT for the files of data built once per module (`built_once_per_module`)."""
    return tmp_path_factory.mktemp("media")


def built_once(build, *, name: str):
    """
    The two fixtures of a module whose tests share what `build()` writes, built once for the
    module (`built_once_per_module`): `name` hands each test a deep copy of it, with MEDIA_ROOT
    where its files were written. The module assigns both, so that pytest finds them:
    `_built_once, north_world = built_once(_build, name="north_world")`.
    """

    @pytest.fixture(scope="module", name="_built_once")
    def built(django_db_setup, django_db_blocker, module_media):
        yield from built_once_per_module(build, django_db_blocker, module_media)

    @pytest.fixture(name=name)
    def fresh(_built_once, db, settings, module_media):
        settings.MEDIA_ROOT = module_media
        return copy.deepcopy(_built_once)

    return built, fresh


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """
    Under `--dist loadgroup` (`make test`), the tests of a module that builds its data once (a
    module-scoped fixture: `built_once`, PDFs rendered once) run on one worker, so the data is
    built once instead of once on each worker (documents_facts' families took 18 s, twice).
    xdist hands out the largest groups first; every other test goes alone to whichever worker is
    free, and these fill the end of the run. Runs before xdist reads the marks (tryfirst).
    """
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures is None:
            continue
        defined = (d for defs in fixtures.name2fixturedefs.values() for d in defs)
        if any(d.scope == "module" for d in defined):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__.removeprefix("tests.")))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """
    On an xdist worker under `--dist loadgroup`, stop the run if the grouping above did not take:
    xdist sends a group to the scheduler as a suffix of each test's id (`test@group`), and with
    pytest 9.2 the suffix silently went missing (pytest-dev/pytest-xdist#1386), so every worker
    built each built-once module's data for the tests it happened to get, and nothing said so.
    """
    config = session.config
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    lost = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup does not group with this pytest and pytest-xdist: {lost[0]} has "
            "no @group in its id (see pyproject.toml's pin of pytest)"
        )


@pytest.fixture(autouse=True)
def _default_language():
    # A request through the test client leaves its language active in this thread (LocaleMiddleware
    # activates it and nothing resets it), so a test after a Chinese page would read its messages
    # in Chinese. Each test starts, and ends, in the default language.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _require_markers(request):
    if request.node.get_closest_marker("postgres"):
        require(connection.vendor == "postgresql", "this test needs DATABASE_URL on PostgreSQL")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request, django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    # The audit table refuses TRUNCATE on PostgreSQL unless the session allows it; transactional
    # tests flush the database with TRUNCATE (see audit/migrations/0002_append_only_trigger.py).
    # A commit need not wait for the disk in a test database, which a crash may lose whole
    # (synchronous_commit is a session setting: the server's own stays as it is). Every migration
    # of the test database's creation, and every commit of a transactional test, is one.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = (
            f"{options.get('options', '')} -c shimteo.audit_allow_truncate=on"
            " -c synchronous_commit=off"
        )
    # Under xdist, one worker migrates a template and each worker's database is a copy of it.
    worker_id = getattr(request.config, "workerinput", {}).get("workerid")
    if worker_id and database_template.applies(request.config):
        database_template.copy_worker_databases(
            run_folder=tmp_path_factory.getbasetemp().parent, worker_id=worker_id
        )


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the workers' template once they have all ended."""
    config = session.config
    if not hasattr(config, "workerinput") and database_template.applies(config):
        database_template.drop_template(config)


def _emptied_by_delete(original_sql_flush):
    """
    PostgreSQL's `sql_flush` for the flush that ends a transactional test: DELETE instead of one
    TRUNCATE of every table. A TRUNCATE makes new files for each of the ~70 tables and their
    indexes and takes 2 to 4 s on a shared 2-core machine; deleting the few rows a test wrote takes
    0.15 s. Django's foreign keys are DEFERRABLE INITIALLY DEFERRED and the flush runs in one
    transaction, so the order of the DELETEs does not matter. The audit table refuses DELETE (its
    append-only trigger) but lets the test suite TRUNCATE it alone: nothing references it.
    Sequences are not reset, as Django's own teardown flush does not reset them either.
    """

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        from audit.models import AuditEvent
        from casework.models import CaseloadCount

        if reset_sequences or allow_cascade or not tables:
            return original_sql_flush(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        audit = AuditEvent._meta.db_table
        # Reference data that no test changed stays (tests/reference_data.py).
        tables = [name for name in tables if name not in kept_tables(self.connection)]
        # Django's own table names, quoted: nothing typed by a user.
        # The caseload counts are emptied last: deleting cases and assignments fires the triggers
        # that keep them (casework migration 0021), which would otherwise write the deleted
        # cases back as negative counts into the emptied table for the next test to find.
        counts = CaseloadCount._meta.db_table
        tables = sorted(tables, key=lambda name: name == counts)
        deleted = [f"DELETE FROM {self.quote_name(name)}" for name in tables if name != audit]  # noqa: S608
        truncated = [f"TRUNCATE {self.quote_name(audit)}"] if audit in tables else []
        # One round trip: the statements joined, as the flush command runs each one it is given.
        return ["; ".join(deleted + truncated) + ";"]

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_flush_by_delete():
    """
    Only the teardown of transactional tests (`transactional_db`, `live_server`) flushes this
    way: `manage.py flush` called by a test (tests/test_flush.py) still TRUNCATEs, as an operator's
    would. What is emptied and what `post_migrate` puts back afterwards stay Django's, but the
    reference data `post_migrate` wrote is left in place while no test changed it
    (tests/reference_data.py).
    """
    from django.db.backends.postgresql.operations import DatabaseOperations
    from django.test import TransactionTestCase

    original_teardown = TransactionTestCase._fixture_teardown
    original_sql_flush = DatabaseOperations.sql_flush
    by_delete = _emptied_by_delete(original_sql_flush)

    def fixture_teardown(self):
        DatabaseOperations.sql_flush = by_delete
        try:
            with PostMigrateUnlessKept():
                original_teardown(self)
        finally:
            DatabaseOperations.sql_flush = original_sql_flush

    TransactionTestCase._fixture_teardown = fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original_teardown


@pytest.fixture
def team_north(db):
    return TeamFactory(name="North")


@pytest.fixture
def team_south(db):
    return TeamFactory(name="South")


@pytest.fixture
def alice(team_north):
    return persona("alice")


@pytest.fixture
def bob(team_north):
    return persona("bob")


@pytest.fixture
def charlie(team_south):
    return persona("charlie")


@pytest.fixture
def sue(team_north):
    return persona("sue")


@pytest.fixture
def lena(team_north, north_case):
    """A legal advocate of team North with whom `north_case` is shared: she reads, never writes."""
    user = persona("lena")
    AssignmentFactory(case=north_case, user=user, role=choices.AssignmentRole.LEGAL_ADVOCATE)
    return user


@pytest.fixture
def admin_user(db):
    return persona("admin")


@pytest.fixture
def north_case(team_north, alice):
    """A case of team North assigned to alice, with one member."""
    return case_with_one_member(team=team_north, caseworker=alice)


@pytest.fixture
def admin_client(client, admin_user):
    """A superuser's browser, signed in with both factors."""
    return sign_in(client, admin_user)


@pytest.fixture
def pipelines(db, monkeypatch):
    """
    The psycopg pipelines opened on the default connection while the test runs (a list that
    grows by one each): statements sent together, answered in one round trip. Empty on SQLite.
    """
    from django.db import connection

    opened = []
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        kind = type(connection.connection)
        real = kind.pipeline

        def counted(raw, *args, **kwargs):
            opened.append(raw)
            return real(raw, *args, **kwargs)

        monkeypatch.setattr(kind, "pipeline", counted)
    return opened
