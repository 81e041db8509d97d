"""
The sign-in lockout (django-axes) as this app counts it; who may lift it is
`accounts.permissions`.

A failure is counted against the pair of what was typed as the username and the client's
address. The address is the one the configured proxy hops saw (audit.services.client_ip), so
that behind the compose stack's proxy each client keeps its own counter instead of the whole
office sharing the proxy's, while a client that sends its own X-Forwarded-For to an app that
trusts no proxy gains nothing by it. The username typed is kept only as a keyed digest: a
password typed into the wrong field must not be stored, logged or audited as it was typed. The
key is derived from the vault's index key, which is not in the database, so a copy of the
database cannot test guesses against the digests.
"""

import datetime
import hashlib
import hmac
import unicodedata

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from audit.services import client_ip
from vault.blind_index import derive_index_key

from .permissions import unlockable_users

DIGEST_SCOPE = "sign-in-username"


def username_digest(username: str | None) -> str:
    """
    The keyed digest under which a typed username is counted and recorded. Case and Unicode
    forms are folded, so "Alice" and "alice" share one counter: a user whose name matches one
    of them is unlocked by the same digest.
    """
    typed = unicodedata.normalize("NFKC", username or "").strip().casefold()
    mac = hmac.new(derive_index_key(DIGEST_SCOPE), typed.encode(), hashlib.sha256)
    return mac.hexdigest()


def axes_username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: what axes counts, stores and signals in place of the username."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    return username_digest(typed if isinstance(typed, str) else None)


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address behind SHIMTEO_TRUSTED_PROXY_COUNT proxies."""
    return client_ip(request)


def _cool_off_threshold() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


def live_attempts(user) -> QuerySet:
    """Counted failures against `user`'s username, from any address, within the cool-off."""
    return AccessAttempt.objects.filter(
        username=username_digest(user.get_username()), attempt_time__gte=_cool_off_threshold()
    )


def locked_accounts(actor) -> list[dict]:
    """
    The accounts `actor` may unlock that are locked now, from at least one address: each with
    how many addresses locked it and when the last failure was. Failures against names that are
    no account are not listed; they lapse after the cool-off.
    """
    # Locked pairs as axes counts them: failures of one username from one address (any browser).
    pairs = (
        AccessAttempt.objects.filter(attempt_time__gte=_cool_off_threshold())
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    locked_digests: dict[str, dict] = {}
    for pair in pairs:
        row = locked_digests.setdefault(pair["username"], {"addresses": 0, "last": pair["last"]})
        row["addresses"] += 1
        row["last"] = max(row["last"], pair["last"])
    if not locked_digests:
        return []
    # Staff accounts are a few hundred at most: digesting each is cheaper than storing a digest.
    locked = []
    for user in unlockable_users(actor).order_by("username"):
        row = locked_digests.get(username_digest(user.get_username()))
        if row is not None:
            locked.append({"user": user, "addresses": row["addresses"], "last": row["last"]})
    return locked
