"""
Control characters are refused at the door, with a 400.

PostgreSQL cannot store a NUL in text, so a NUL reaching a query raises deep inside a view (a 500,
and a broken transaction for whatever runs after it); other control characters have no place in a
reference, a name or a search either, and some (ESC, BEL) would reach a terminal reading the logs.
`RefuseControlCharactersMiddleware` checks the path, the query string, cookies, headers and
form or JSON bodies before any view or database sees them. Tab, CR and LF stay allowed in body
values, where a note or a description has lines; nowhere else.

`refuse_control_characters` is the same rule as a validator, for a form or serializer field that
reaches the database by a way the middleware does not read (a file name inside a multipart PUT).
"""

import io
import json
import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found

# C0 controls and DEL; C1 controls (U+0080-U+009F) too: no language writes with them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, but tab, LF and CR, which a multi-line text value legitimately holds.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Headers may hold a tab between words (RFC 9110), nothing else.
CONTROL_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

MESSAGE = _("The request contains control characters, which are not accepted.")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    return bool((CONTROL_IN_TEXT if multiline else CONTROL).search(value))


def refuse_control_characters(value):
    """Validator: a text value may hold tab, CR and LF, but no other control character."""
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        raise ValidationError(MESSAGE, code="control_characters")


def refuse_control_characters_in_line(value):
    """Validator for one-line values (references, names, file names): no control character."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(MESSAGE, code="control_characters")


def _json_strings(value):
    """Every key and string value of a parsed JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _query_is_clean(query: QueryDict, *, multiline: bool) -> bool:
    return not any(
        has_control_characters(key) or has_control_characters(value, multiline=multiline)
        for key, values in query.lists()
        for value in values
    )


def _body_is_clean(request) -> bool:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return True  # not JSON at all: the parser answers 400 for it
        return not any(
            has_control_characters(text, multiline=True) for text in _json_strings(document)
        )
    if content_type == "application/x-www-form-urlencoded" and request.method != "POST":
        # Django parses form bodies of POST only; DRF parses PUT and PATCH ones itself.
        return _query_is_clean(QueryDict(request.body, encoding=request.encoding), multiline=True)
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return True
    if request.method == "POST":
        fields, files = request.POST, request.FILES
    else:
        # A multipart PUT or PATCH, which only DRF parses: parsed here from a copy of the body
        # when it is small enough to be held in memory. A larger one still meets the NUL check
        # of every DRF text field.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return True
        fields, files = MultiPartParser(
            request.META,
            io.BytesIO(request.body),
            [MemoryFileUploadHandler(request)],
            request.encoding,
        ).parse()
    if not _query_is_clean(fields, multiline=True):
        return False
    return not any(
        has_control_characters(upload.name or "")
        for _name, uploads in files.lists()
        for upload in uploads
    )


def request_is_clean(request) -> bool:
    if has_control_characters(request.path_info) or has_control_characters(request.path):
        return False
    if not _query_is_clean(request.GET, multiline=False):
        return False
    if any(
        has_control_characters(k) or has_control_characters(v) for k, v in request.COOKIES.items()
    ):
        return False
    if any(
        isinstance(value, str) and CONTROL_IN_HEADER.search(value)
        for name, value in request.META.items()
        if name.startswith("HTTP_")
    ):
        return False
    return _body_is_clean(request)


class RefuseControlCharactersMiddleware:
    """Answers 400 to a request carrying control characters, before anything else reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A body too large or unparsable raises here as it would in the view: Django answers 400.
        if request_is_clean(request):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(MESSAGE)}, status=400)
        return HttpResponseBadRequest(str(MESSAGE), content_type="text/plain; charset=utf-8")


class MissingObjectIsNotFoundMiddleware:
    """
    A lookup of a record that does not exist, escaping a view that did not expect it (the admin
    of TOTP devices, from django-otp, `get()`s the id in its address), answers 404 like every
    other address naming nothing, not 500. The request's transaction was already rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ObjectDoesNotExist):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(_("Not found."))}, status=404)
        return page_not_found(request, Http404())
