"""
Structured logs: one JSON object per line, each carrying the id of the request (or Celery task)
it belongs to, so that one request's lines can be found across web and worker processes.

Imported by the LOGGING setting before the apps are ready: nothing here touches models.
"""

import contextvars
import datetime
import json
import logging

# The id of the request or task being handled in this thread or coroutine; "-" outside one.
request_id = contextvars.ContextVar("shimteo_request_id", default="-")

# LogRecord attributes that are not extra fields given by the caller.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


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
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
