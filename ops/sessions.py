"""
Sessions in the database, as Django keeps them, with one difference: a save that fails because
the database cannot be reached says so.

Django's store reports any failed update as UpdateError ("the session was deleted meanwhile"),
which SessionMiddleware answers with a 400 page. Sessions are saved after the view (when they
change, and once a minute to slide the idle timeout), so a database outage between the view and
that save told the user their request was bad. Raised as what it is, the outage reaches
RequestIdMiddleware's 503 page like any other.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError

from .middleware import DATABASE_DOWN


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, DATABASE_DOWN):
                raise error.__context__ from None
            raise
