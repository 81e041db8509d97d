"""
The checks behind /healthz: can the app reach its database and its broker, and can it encrypt?

Each check answers a short status word and never the error's text, which may hold a host name,
a user or a password from a connection URL.
"""

import logging
import secrets

from celery import current_app
from django.conf import settings
from django.db import connection

from vault import crypto

logger = logging.getLogger(__name__)

OK, ERROR, EAGER = "ok", "error", "eager"
# How long the broker may take to answer before it counts as down.
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("Health check: database unreachable (%s)", type(error).__name__)
        return ERROR
    return OK


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker: tasks run in the web process, there is nothing to reach.
        return EAGER
    # The app config/celery.py made (the current one): ops sits below config and imports none of
    # it, so the layers contract holds config → ops one way.
    app = current_app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        logger.warning("Health check: broker unreachable (%s)", type(error).__name__)
        return ERROR
    return OK


def check_keyring() -> str:
    """Encrypt and decrypt a random probe with the primary field key."""
    probe = secrets.token_bytes(16)
    try:
        token = crypto.encrypt(probe, b"ops.healthz")
        if crypto.decrypt(token, b"ops.healthz") != probe:
            raise ValueError("probe mismatch")
    except Exception as error:
        logger.warning("Health check: keyring unusable (%s)", type(error).__name__)
        return ERROR
    return OK


CHECKS = {"database": check_database, "broker": check_broker, "keyring": check_keyring}


def run_checks() -> tuple[bool, dict[str, str]]:
    """Every check's status, and whether the whole app is healthy (no check in error)."""
    results = {name: check() for name, check in CHECKS.items()}
    return all(status != ERROR for status in results.values()), results
