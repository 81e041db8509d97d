"""
Request ids, one log line per request, and a clean 503 when the database is away.

`RequestIdMiddleware` goes first in MIDDLEWARE, so it wraps everything: it takes the caller's
X-Request-ID when it looks like one (a proxy's), or makes one, keeps it in a context variable that
every log record picks up, and answers it in the response.
"""

import logging
import re
import sys
import time
import uuid

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string

from .logging import request_id

logger = logging.getLogger("shimteo.request")

HEADER = "X-Request-ID"
# Only short, plain ids are taken from outside: an id ends up in every log line.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Errors that mean the database cannot be reached at all, not that a query was wrong.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


@receiver(got_request_exception)
def _note_database_outage(sender, request=None, **kwargs):
    # Django turns an exception into a 500 response deep inside the middleware chain; the exception
    # itself is visible only here, while it is being handled.
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        request.shimteo_database_down = True


def unavailable_response():
    """A plain page (no base template: it would need the signed-in user from the database)."""
    response = HttpResponse(render_to_string("ops/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        current = offered if ACCEPTED_ID.match(offered) else uuid.uuid4().hex
        request.request_id = current
        token = request_id.set(current)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            if response.status_code == 500 and getattr(request, "shimteo_database_down", False):
                logger.warning("Database unavailable: answered 503")
                response = unavailable_response()
            response[HEADER] = current
            self._log(request, response, started)
            return response
        finally:
            request_id.reset(token)

    @staticmethod
    def _log(request, response, started):
        # The route pattern, not the path: paths carry references, query strings may carry more.
        match = getattr(request, "resolver_match", None)
        logger.info(
            "%s %s %s",
            request.method,
            match.view_name if match else "-",
            response.status_code,
            extra={
                "method": request.method,
                "view": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
