"""
Every refusal of a signed-in user goes to the audit trail: each 403, and each 404 of a route that
names an object (a probe for a case, a person or a record the user may not see).

A view that records its own "denied" event (with the record and case it refused, see
`casework.views.common.refusal`) marks the request, and nothing more is written for it. Otherwise
the event is written here, after the view's transaction has ended: a refusal raised out of a view
rolls the request's transaction back, and a database error before it may have aborted it, so the
only safe place for the event is outside it.
"""

import logging

from django.db import DatabaseError

from .services import record

logger = logging.getLogger(__name__)

# Set on the request by `audit.services.record()` when it writes a "denied" event.
RECORDED_ATTR = "shimteo_refusal_recorded"
AUDITED_STATUSES = {403, 404}


def _is_audited_refusal(request, response) -> bool:
    if response.status_code not in AUDITED_STATUSES or getattr(request, RECORDED_ATTR, False):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if response.status_code == 404:
        # A 404 of a route that names no object is a mistyped address, not a probe for a record.
        match = getattr(request, "resolver_match", None)
        return bool(match and match.kwargs)
    return True


class RefusalAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_audited_refusal(request, response):
            match = request.resolver_match
            # The view's own name (an API view's class), as the pages' refusals name theirs.
            attempted = getattr(match.func, "__name__", "") if match else ""
            try:
                record(
                    request.user,
                    "denied",
                    request=request,
                    attempted=attempted,
                    method=request.method,
                    status=response.status_code,
                )
            except DatabaseError:
                # The refusal stands; the missing event is logged (without the path: it holds
                # references) for an operator to see.
                logger.exception("Could not record a refusal in the audit trail")
        return response
