"""
How the API knows its caller: knox's token, read in the caller's own time zone. A module of its
own, with nothing of DRF's views, because the API settings import it while DRF loads.
"""

from functools import cache
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from knox.signals import token_expired
from rest_framework import exceptions

from .timezones import first_team_zone, zone, zone_name_for


@cache
def _tokens_with_holder():
    """
    Tokens with their holder and the zone of the holder's first team, as a query built once per
    process: every API request filters a copy of it by the key presented, instead of building
    and resolving the join and the zone's subquery again (a third of the check's own work). It
    holds no row: the token, its expiry and its holder are read afresh on every request.
    """
    return (
        get_token_model()
        .objects.select_related("user")
        .annotate(holder_team_zone=Subquery(first_team_zone(OuterRef("user"))))
    )


# Stands for the key presented while the query is written once, and is then replaced by it.
_KEY_PRESENTED = "\x00key presented\x00"


@cache
def _token_check():
    """
    `_tokens_with_holder()` for one key as SQL written once per process, with what Django needs
    to make its rows into a token and its holder: compiling its join and subquery was most of the
    Python of the check (~1,500 calls on every API request), for the same text every time. The
    rows are read afresh by every check; only the SQL and where each column lands are kept.
    """
    tokens = _tokens_with_holder().filter(token_key=_KEY_PRESENTED)
    compiler = tokens.query.get_compiler(using=tokens.db)
    sql, params = compiler.as_sql()
    columns = [column for column, _sql, _alias in compiler.select]
    (holder,) = compiler.klass_info["related_klass_infos"]

    def fields(indexes):
        return [columns[i].target.attname for i in indexes], list(indexes)

    return {
        "sql": sql,
        "params": tuple(params),
        "key_at": params.index(_KEY_PRESENTED),
        "converters": compiler.get_converters(columns),
        "compiler": compiler,
        "token": fields(compiler.klass_info["select_fields"]),
        "holder": fields(holder["select_fields"]),
        "zone_at": compiler.annotation_col_map["holder_team_zone"],
    }


def _tokens_for_key(key: str) -> list:
    """
    The tokens stored under `key`, each with its holder and `holder_team_zone`, as
    `_tokens_with_holder().filter(token_key=key)` reads them, from the SQL written once.
    """
    check = _token_check()
    params = list(check["params"])
    params[check["key_at"]] = key
    Token, User = get_token_model(), get_user_model()
    # Asked each time, not kept with the SQL: the router may answer otherwise in another context.
    database = router.db_for_read(Token)
    with connections[database].cursor() as cursor:
        cursor.execute(check["sql"], params)
        rows = cursor.fetchall()
    if check["converters"]:
        rows = check["compiler"].apply_converters(rows, check["converters"])
    found = []
    for row in rows:
        token = Token.from_db(database, check["token"][0], [row[i] for i in check["token"][1]])
        holder = User.from_db(database, check["holder"][0], [row[i] for i in check["holder"][1]])
        Token.user.field.set_cached_value(token, holder)
        token.holder_team_zone = row[check["zone_at"]]
        found.append(token)
    return found


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
