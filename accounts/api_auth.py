"""
How the API knows its caller: knox's token, read in the caller's own time zone. A module of its
own, with nothing of DRF's views, because the API settings import it while DRF loads.
"""

from hmac import compare_digest

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from knox.signals import token_expired
from rest_framework import exceptions

from .kept_sql import rows_of_shape
from .timezones import first_team_zone, zone, zone_name_for


def _tokens_with_holder(key: str):
    """
    The tokens stored under `key`, with their holder and the zone of the holder's first team
    (`holder_team_zone`), as one query.
    """
    return (
        get_token_model()
        .objects.filter(token_key=key)
        .select_related("user")
        .annotate(holder_team_zone=Subquery(first_team_zone(OuterRef("user"))))
    )


def _tokens_for_key(key: str) -> list:
    """
    `_tokens_with_holder(key)`, its SQL compiled once per process (`kept_sql.rows_of_shape`):
    compiling its join and subquery was most of the Python of the check (~1,500 calls on every
    API request), for the same text every time. The rows are read afresh by every check.
    """
    return rows_of_shape("knox tokens with their holder", _tokens_with_holder, key)


class LocalTimeTokenAuthentication(TokenAuthentication):
    """
    A token's holder reads times in their own zone, as on their pages: the API authenticates
    inside the view, after `LocalTimeMiddleware` saw an anonymous request, so the zone of the
    user the token names is activated here (the middleware deactivates it after the response).

    knox's check, in one query instead of three: the token with its holder and the zone of the
    holder's first team (read with it rather than asked for afterwards). knox also read every
    other token of the holder on every request, to delete those that had expired; an expired
    token is refused all the same (the one presented is deleted when it has expired, as knox
    does), and the holder's others are deleted when they are next issued one
    (`accounts.api.TokenCreateView`), not on every request.
    """

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            timezone.activate(zone(zone_name_for(found[0])))
        return found

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        candidates = _tokens_for_key(token[: CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(token)
            except (TypeError, ValueError):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                # What zone_name_for would ask the database for, already read.
                auth_token.user.first_team_zone = auth_token.holder_team_zone
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)
