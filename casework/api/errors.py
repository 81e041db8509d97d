"""
The API's one exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every viewset of every app
raises what the services raise, and this turns it into the same answer everywhere.

- a service's ValidationError: 400, its messages as field errors ("__all__" as non_field_errors);
- a service's PermissionDenied (casework.permissions said no): 403, with its message;
- a stale version (StaleEditError): 409, nothing saved;
- Http404 and DRF's own exceptions: as DRF answers them.

The messages are the services' own translated sentences; no posted value is echoed. The handler
runs no query: after a database error the transaction is aborted on PostgreSQL, and any query here
would turn the refusal into a 500. DRF's handler marks the request's transaction for rollback;
the "denied" event of a signed-in user's 403 or 404 is written by
audit.middleware.RefusalAuditMiddleware once the transaction has ended.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import StaleEditError


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else changed this record since you read it.")
    default_code = "stale"


def field_errors(exc: DjangoValidationError) -> dict:
    """A service's ValidationError as DRF field errors; full_clean's "__all__" is non_field_errors."""
    errors = as_serializer_error(exc)
    general = errors.pop(NON_FIELD_ERRORS, [])
    if general:
        key = api_settings.NON_FIELD_ERRORS_KEY
        errors[key] = [*errors.get(key, []), *general]
    return errors


def as_api_exception(exc: Exception) -> Exception:
    """What a service raised, as the API exception that answers it."""
    if isinstance(exc, StaleEditError):
        return Conflict(exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        return ValidationError(field_errors(exc))
    if isinstance(exc, DjangoPermissionDenied):
        # As DRF's own refusal, so that its "denied" event is recorded as the pages record theirs.
        return PermissionDenied(str(exc) or None)
    return exc


def exception_handler(exc, context):
    return drf_exception_handler(as_api_exception(exc), context)
