"""
How the API knows its caller: knox's token, read in the caller's own time zone. A module of its
own, with nothing of DRF's views, because the API settings import it while DRF loads.
"""

from django.utils import timezone
from knox.auth import TokenAuthentication

from .timezones import zone, zone_name_for


class LocalTimeTokenAuthentication(TokenAuthentication):
    """
    A token's holder reads times in their own zone, as on their pages: the API authenticates
    inside the view, after `LocalTimeMiddleware` saw an anonymous request, so the zone of the
    user the token names is activated here (the middleware deactivates it after the response).
    """

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            timezone.activate(zone(zone_name_for(found[0])))
        return found
