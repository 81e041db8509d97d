"""
Settings for processes the operations tests start (gunicorn): the project's settings, with the
request-id middleware first even before config/settings.py lists it.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

OPS_MIDDLEWARE = "ops.middleware.RequestIdMiddleware"
if OPS_MIDDLEWARE not in MIDDLEWARE:
    MIDDLEWARE = [OPS_MIDDLEWARE, *MIDDLEWARE]
