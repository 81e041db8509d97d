"""The project's settings and entry points behave as a new operator expects."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_python(arguments: list[str], *, timeout=60, **env: str) -> subprocess.CompletedProcess:
    """Python with `arguments`, in an environment of none of our settings but `env`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHIMTEO_", "DJANGO_")) and key != "SECRET_KEY"
    }
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_healthz_answers(client, db):
    """The health check answers 200 without a login."""
    response = client.get("/healthz")
    assert response.status_code == 200


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


# Settings that production refuses, each as an operator would set it. One process tries them all
# (a Django start-up each cost more than the checks): for each, it sets the environment and runs
# django.setup() again, which imports the settings module again after a failed import, and prints
# the refusal it met as a JSON line. The settings module refuses all but the last, whose refusal
# comes as the apps load: after that django.setup() cannot run again, so it must stay last.
REFUSED_SETTINGS = {
    "missing secret key": {"SHIMTEO_ENV": "production"},
    "debug": {"SHIMTEO_ENV": "production", "DJANGO_DEBUG": "true", "SECRET_KEY": "x" * 60},
    "unknown environment": {"SHIMTEO_ENV": "prod"},
    "no signing key": {
        "SHIMTEO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "shimteo.example.org",
        "SHIMTEO_FIELD_KEYS": "k1:" + random_key(),
        "SHIMTEO_INDEX_KEY": random_key(),
        "SHIMTEO_AUDIT_KEY": random_key(),
    },
}
TRY_EACH_SETTING = """
import json, os, sys
import django

base = dict(os.environ)
for name, environment in json.loads(sys.argv[1]).items():
    os.environ.clear()
    os.environ.update({**base, **environment})
    try:
        django.setup()
    except Exception as error:  # noqa: BLE001 - reported, and the test reads which
        print(json.dumps({name: [type(error).__name__, str(error)]}))
    else:
        print(json.dumps({name: None}))
"""


@pytest.fixture(scope="module")
def refusals():
    """{name of REFUSED_SETTINGS: [exception class name, message] or None if it started}."""
    result = run_python(["-c", TRY_EACH_SETTING, json.dumps(REFUSED_SETTINGS)])
    assert result.returncode == 0, result.stderr
    answers = {}
    for line in result.stdout.splitlines():
        answers.update(json.loads(line))
    assert answers.keys() == REFUSED_SETTINGS.keys(), result.stdout + result.stderr
    return answers


def test_production_refuses_a_missing_secret_key(refusals):
    """Production does not start without a real SECRET_KEY, and says which setting to fix."""
    assert refusals["missing secret key"] is not None
    assert "SECRET_KEY" in refusals["missing secret key"][1]


def test_production_refuses_debug(refusals):
    """Production does not start with debug pages on."""
    assert refusals["debug"] is not None
    assert "DJANGO_DEBUG" in refusals["debug"][1]


def test_production_refuses_to_start_without_a_signing_key(refusals):
    """Production with every other key but no document-signing key does not start."""
    assert refusals["no signing key"] is not None
    assert "SHIMTEO_SIGNING_KEY" in refusals["no signing key"][1]


def test_unknown_environment_is_refused(refusals):
    """A typo in SHIMTEO_ENV is an error, not a silent development mode."""
    assert refusals["unknown environment"] is not None
    assert "SHIMTEO_ENV" in refusals["unknown environment"][1]


@pytest.mark.parametrize("url", ["/admin/", "/admin/casework/person/"])
def test_admin_requires_login(client, db, url):
    """The admin sends anonymous visitors to the login page."""
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    """`manage.py check --deploy` has nothing to say about production settings."""
    from legal_aid.documents.signing import write_pair

    signing_key, signing_cert = write_pair(tmp_path, organisation="Example NGO")
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        timeout=120,
        SHIMTEO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shimteo.example.org",
        SHIMTEO_FIELD_KEYS="k1:" + random_key(),
        SHIMTEO_INDEX_KEY=random_key(),
        SHIMTEO_AUDIT_KEY=random_key(),
        SHIMTEO_SIGNING_KEY=str(signing_key),
        SHIMTEO_SIGNING_CERT=str(signing_cert),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
