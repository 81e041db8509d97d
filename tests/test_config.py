"""The project's settings and entry points behave as a new operator expects."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHIMTEO_", "DJANGO_")) and key != "SECRET_KEY"
    }
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_healthz_answers(client, db):
    """The health check answers 200 without a login."""
    response = client.get("/healthz")
    assert response.status_code == 200


def test_production_refuses_a_missing_secret_key():
    """Production does not start without a real SECRET_KEY, and says which setting to fix."""
    result = run_django("pass", SHIMTEO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    """Production does not start with debug pages on."""
    result = run_django("pass", SHIMTEO_ENV="production", DJANGO_DEBUG="true", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    """Production with every other key but no document-signing key does not start."""
    import base64
    import secrets

    result = run_django(
        "pass",
        SHIMTEO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shimteo.example.org",
        SHIMTEO_FIELD_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        SHIMTEO_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        SHIMTEO_AUDIT_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    assert result.returncode != 0
    assert "SHIMTEO_SIGNING_KEY" in result.stderr


def test_unknown_environment_is_refused():
    """A typo in SHIMTEO_ENV is an error, not a silent development mode."""
    result = run_django("pass", SHIMTEO_ENV="prod")
    assert result.returncode != 0
    assert "SHIMTEO_ENV" in result.stderr


@pytest.mark.parametrize("url", ["/admin/", "/admin/casework/person/"])
def test_admin_requires_login(client, db, url):
    """The admin sends anonymous visitors to the login page."""
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    """`manage.py check --deploy` has nothing to say about production settings."""
    import base64
    import secrets

    from legal_aid.documents.signing import write_pair

    signing_key, signing_cert = write_pair(tmp_path, organisation="Example NGO")

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHIMTEO_", "DJANGO_")) and key != "SECRET_KEY"
    }
    environment.update(
        SHIMTEO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shimteo.example.org",
        SHIMTEO_FIELD_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        SHIMTEO_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        SHIMTEO_AUDIT_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        SHIMTEO_SIGNING_KEY=str(signing_key),
        SHIMTEO_SIGNING_CERT=str(signing_cert),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
