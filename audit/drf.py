"""The API's refusals go to the audit trail, as the web pages' do."""

from django.db import connections
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .services import record


def exception_handler(exc, context):
    """
    DRF's handler, plus a "denied" event when a signed-in user is refused. DRF marks the request's
    transaction for rollback, which would take the event with it; a refusal comes before any
    write, so the mark is lifted for it.
    """
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        response is not None
        and isinstance(exc, exceptions.PermissionDenied)
        and user is not None
        and user.is_authenticated
    ):
        for connection in connections.all(initialized_only=True):
            if connection.settings_dict["ATOMIC_REQUESTS"] and connection.in_atomic_block:
                connection.set_rollback(False)
        view = context.get("view")
        record(
            user,
            "denied",
            request=request._request,
            attempted=type(view).__name__ if view is not None else "",
            method=request.method,
        )
    return response
