"""Reads of the directory and the referrals, each from `visible_to(user)`."""

from django.db.models import Count, QuerySet

from . import permissions
from .models import Referral, ServiceProvider


def providers_for(user) -> list[ServiceProvider]:
    """The directory `user` reads, by kind then name (names are decrypted, so sorted here)."""
    providers = ServiceProvider.objects.visible_to(user).select_related("team")
    return sorted(providers, key=lambda p: (p.kind, not p.active, p.name.casefold()))


def providers_to_refer_to(user) -> QuerySet[ServiceProvider]:
    """The providers `user` may choose for a new referral: in use, their team's or shared."""
    visible = ServiceProvider.objects.visible_to(user).filter(active=True)
    return visible.filter(pk__in=[p.pk for p in visible if permissions.can_refer_to(user, p)])


def case_referrals(case) -> list[Referral]:
    """The referrals of a case the caller sees, newest first, with their history."""
    return list(
        Referral.objects.filter(case=case)
        .select_related("person", "provider", "follow_up")
        .prefetch_related("changes")
    )


def referral_counts(referrals: QuerySet[Referral]) -> dict[str, list[tuple[str, int]]]:
    """How many of `referrals` per service, per kind of provider and per status (the outcome)."""
    return {
        "service": _counted(referrals, "service"),
        "provider_kind": _counted(referrals, "provider__kind"),
        "status": _counted(referrals, "status"),
    }


def _counted(referrals, field: str) -> list[tuple[str, int]]:
    rows = referrals.order_by().values(field).annotate(n=Count("pk")).order_by(field)
    return [(row[field], row["n"]) for row in rows]
