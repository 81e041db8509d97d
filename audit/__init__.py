"""
The append-only, hash-chained audit trail. `audit.record()` is the one way to write an event.

`record` is resolved lazily so that importing this package while apps load never imports models.
"""


def __getattr__(name):
    if name == "record":
        from .services import record

        return record
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
