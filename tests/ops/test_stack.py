"""The production stack: compose file, image recipe, environment template, health check, routing."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import app as celery_app
from ops.routing import route_task

from ..signing_keys import signing_environment
from .conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def test_the_compose_file_is_valid_against_the_compose_specification():
    """check-jsonschema accepts docker-compose.yml with the vendored Compose specification schema."""
    command = (
        str(CHECK_JSONSCHEMA) if CHECK_JSONSCHEMA.exists() else shutil.which("check-jsonschema")
    )
    assert command, "pip install check-jsonschema (dev extras)"
    result = subprocess.run(
        [command, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_stack_has_every_service_with_a_healthcheck():
    """postgres, redis, web, a default and a pdf worker, beat and the proxy; all with health checks."""
    from ruamel.yaml import YAML

    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("postgres", "redis", "web", "worker", "pdf-worker", "beat", "proxy"):
        assert name in services, name
        assert services[name].get("healthcheck"), name
    assert "--queues=pdf" in services["pdf-worker"]["command"]
    assert "--queues=celery" in services["worker"]["command"]
    assert services["web"]["env_file"] == ".env"
    assert {"pgdata", "redisdata", "media", "static", "beat"} <= set(compose["volumes"])
    # Only the proxy is reachable from outside.
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]


def test_the_app_connects_as_a_role_that_owns_no_table_and_only_migrate_as_the_owner():
    """
    Web, workers and beat use the `shimteo_app` role the postgres service's init script creates;
    only `migrate` uses the owner. Everything that verifies the audit trail sees its checkpoints.
    """
    from ruamel.yaml import YAML

    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("web", "worker", "pdf-worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://shimteo_app:"), name
        assert "audit:/data/audit" in services[name]["volumes"], name
        assert environment["SHIMTEO_AUDIT_CHECKPOINT_DIR"] == "/data/audit", name
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://shimteo:")
    assert "audit:/data/audit" in migrate["volumes"]
    init = "./ops/deploy/postgres/10-app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro"
    assert init in services["postgres"]["volumes"]
    assert "SHIMTEO_APP_DB_PASSWORD" in services["postgres"]["environment"]
    assert (ROOT / "ops" / "deploy" / "postgres" / "10-app-role.sh").stat().st_mode & 0o111


def test_the_image_is_multi_stage_slim_and_runs_as_a_user():
    """The final stage is python:3.11-slim with WeasyPrint's libraries, CJK fonts, no compiler."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) == 2
    final = stages[-1]
    assert final.startswith("python:3.11-slim")
    for package in ("libpango-1.0-0", "libharfbuzz0b", "fontconfig", "fonts-noto-cjk"):
        assert package in final, package
    for tool in ("build-essential", "gcc", "libpq-dev"):
        assert tool not in final, tool
    assert re.search(r"^USER shimteo$", final, flags=re.MULTILINE)
    assert "collectstatic" in final and "gunicorn" in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".shimteo-keys", ".venv", ".git"} <= set(ignored)


def test_the_env_template_documents_every_variable_the_settings_read():
    """Every env.*("NAME") in settings.py appears in .env.example, set or as a commented default."""
    read = set(ENV_READ.findall((ROOT / "config" / "settings.py").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "SHIMTEO_BACKUP_KEY"} <= read  # the pattern works
    template = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", template, flags=re.MULTILINE))
    assert read - documented == set()


def test_healthz_reports_each_check_and_no_secret(client, db, settings):
    """Without a broker the health check answers 200, each check by name, the broker as eager."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "eager", "keyring": "ok"},
    }
    text = response.content.decode()
    for secret in (settings.SECRET_KEY, settings.DATABASES["default"].get("PASSWORD") or "x" * 40):
        assert secret not in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_checks_a_configured_broker(client, db, own_redis, broker_at):
    """With a broker configured the check reaches it: ok when it answers."""
    broker_at(own_redis.url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_answers_503_when_the_broker_is_down(client, db, broker_at):
    """A broker that does not answer makes the app unhealthy, and the URL is not shown."""
    url = f"redis://:hunter2-broker-secret@127.0.0.1:{free_port()}/0"
    broker_at(url)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"] == {"database": "ok", "broker": "error", "keyring": "ok"}
    assert "hunter2" not in response.content.decode()


def test_healthz_answers_503_when_the_keyring_cannot_encrypt(client, db, settings):
    """A malformed field key fails the keyring check (503), without showing the key."""
    settings.SHIMTEO_FIELD_KEYS = "k1:bm90LWEta2V5"
    settings.SHIMTEO_INDEX_KEY = "aW5kZXg="
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["keyring"] == "error"
    assert "bm90LWEta2V5" not in response.content.decode()


@pytest.mark.parametrize("queue", ["pdf", "pdf-eu"])
def test_pdf_rendering_is_routed_to_its_own_queue(settings, queue):
    """The render task goes to SHIMTEO_PDF_QUEUE; other tasks keep the default queue."""
    settings.SHIMTEO_PDF_QUEUE = queue
    assert route_task("legal_aid.render_document", (), {}, {}) == {"queue": queue}
    assert route_task("ops.apply_retention", (), {}, {}) is None
    routed = celery_app.amqp.router.route({}, "legal_aid.render_document")
    assert routed["queue"].name == queue


@pytest.mark.postgres
def test_the_container_health_check_passes_against_production_settings(gunicorn_server, tmp_path):
    """In production mode (allowed hosts, HTTPS redirect) the container's health check says healthy."""
    import base64
    import secrets

    def key():
        return base64.b64encode(secrets.token_bytes(32)).decode()

    server = gunicorn_server(
        SHIMTEO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shimteo.example.org",
        SHIMTEO_FIELD_KEYS=f"k1:{key()}",
        SHIMTEO_INDEX_KEY=key(),
        SHIMTEO_BACKUP_KEY=key(),
        SHIMTEO_AUDIT_KEY=key(),
        **signing_environment(tmp_path),
    )
    script = ROOT / "ops" / "deploy" / "healthcheck.py"
    environment = {"ALLOWED_HOSTS": "shimteo.example.org", "PATH": "/usr/bin:/bin"}
    # The script's URL is fixed to port 8000 (the container's); aim it at this test's server.
    source = script.read_text().replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
    result = subprocess.run(
        [sys.executable, "-c", source], env=environment, capture_output=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    unhealthy = subprocess.run(
        [sys.executable, "-c", source.replace("/healthz", "/no-such-page")],
        env=environment,
        capture_output=True,
        timeout=30,
    )
    assert unhealthy.returncode == 1


def test_the_replica_profile_starts_a_standby_the_reports_can_read():
    """
    `--profile replica` adds a streaming standby of `postgres` (only then); the app reads the
    reports there once DATABASE_REPLICA_URL names it (tests/reports/test_replica_routing.py).
    """
    from ruamel.yaml import YAML

    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    replica = services["postgres-replica"]
    assert replica["profiles"] == ["replica"]
    assert replica["healthcheck"]["test"][-1].endswith("grep -q t")  # in recovery: a standby
    assert "pgreplica:/var/lib/postgresql/data" in replica["volumes"]
    assert [name for name, service in services.items() if service.get("profiles")] == [
        "postgres-replica"
    ]
    for name in ("web", "worker", "pdf-worker", "beat"):
        assert "DATABASE_REPLICA_URL" in services[name]["environment"], name
    init = (
        "./ops/deploy/postgres/20-replication.sh:/docker-entrypoint-initdb.d/20-replication.sh:ro"
    )
    assert init in services["postgres"]["volumes"]
    for script in ("20-replication.sh", "replica.sh"):
        assert (ROOT / "ops" / "deploy" / "postgres" / script).stat().st_mode & 0o111, script
