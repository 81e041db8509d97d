"""
Structured logs: one JSON object per line, each carrying the id of the request (or Celery task)
it belongs to, so that one request's lines can be found across web and worker processes.

No query string reaches a log: a search term, a name typed into an address, would stay there for
as long as the logs are kept. Requests are logged by route (ops.middleware), a request object given
to a record is written as its method and path, and the development server's request lines lose
their query strings.

Imported by the LOGGING setting before the apps are ready: nothing here touches models.
"""

import contextvars
import datetime
import json
import logging
import re

from django.http import HttpRequest

# The id of the request or task being handled in this thread or coroutine; "-" outside one.
request_id = contextvars.ContextVar("shimteo_request_id", default="-")

# LogRecord attributes that are not extra fields given by the caller.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


# A query string inside free text (a request line, a URL in a message): up to the next space.
_QUERY_IN_TEXT = re.compile(r"\?\S*")


def without_query(url: str) -> str:
    """An address without its query string (and fragment)."""
    return url.split("?", 1)[0].split("#", 1)[0]


def strip_queries(text: str) -> str:
    """Free text without its query strings: `GET /cases/?q=x HTTP/1.1` -> `GET /cases/ HTTP/1.1`."""
    return _QUERY_IN_TEXT.sub("", text)


def _as_request(value) -> HttpRequest | None:
    # DRF's Request wraps Django's, and is not an HttpRequest itself.
    inner = getattr(value, "_request", value)
    return inner if isinstance(inner, HttpRequest) else None


def loggable(value):
    """
    An extra field as it may be written: a request as its method and path, never its query
    string (Django passes the request to its `django.request` records, and a request's repr is
    its full path).
    """
    request = _as_request(value)
    if request is not None:
        return {"method": request.method, "path": request.path}
    return value


class QueryStringFilter(logging.Filter):
    """
    Cuts query strings out of a record's arguments: for loggers that write request lines or
    addresses (the development server's `django.server`), which no formatter could rewrite.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                strip_queries(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: strip_queries(arg) if isinstance(arg, str) else arg
                for key, arg in record.args.items()
            }
        if isinstance(record.msg, str) and not record.args:
            record.msg = strip_queries(record.msg)
        return True


class TemplateContextFilter(logging.Filter):
    """
    Drops django.template's debug records. They are "Exception while resolving variable" notes
    whose exception text holds the repr of the whole template context: a form page's context
    holds the decrypted name in its heading, so at DEBUG they would write it to the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so both formatters can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """
    One JSON object per record: time, level, logger, message, request id, extra fields, and the
    exception's type and traceback when there is one. Non-ASCII is kept as is (Korean messages).
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = loggable(value)
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
