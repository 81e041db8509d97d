"""The API's exception handler: DRF's, safe to run inside a failed transaction."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """
    DRF's handler, which marks the request's transaction for rollback. It runs no query: after a
    database error the transaction is aborted on PostgreSQL, and any query here would turn the
    refusal into a 500. The "denied" event of a signed-in user's 403 or 404 is written by
    `audit.middleware.RefusalAuditMiddleware` once the transaction has ended.
    """
    return drf_exception_handler(exc, context)
