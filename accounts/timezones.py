"""
The time zone a staff member's pages speak: their own choice, else their team's, else
SHIMTEO_DEFAULT_TIME_ZONE (Asia/Shanghai). Times are stored in UTC; they are shown, and "today"
is taken, in this zone (accounts.middleware.LocalTimeMiddleware activates it per request).
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones a team or user may choose: "Area/City" names and UTC, not the legacy
    aliases (EST, PRC, ROK…) or the tz database's internal files."""
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if ("/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))) or name == "UTC"
        )
    )


# The zones of this work, offered first: where the people we help hide, pass through and arrive,
# and UTC. Each with the country it is the time of, so that nobody needs to know that Laos keeps
# "Asia/Vientiane".
ZONES_OF_OUR_WORK = {
    "Asia/Shanghai": _("China"),
    "Asia/Seoul": _("South Korea"),
    "Asia/Pyongyang": _("North Korea"),
    "Asia/Bangkok": _("Thailand"),
    "Asia/Ho_Chi_Minh": _("Vietnam"),
    "Asia/Vientiane": _("Laos"),
    "Asia/Ulaanbaatar": _("Mongolia"),
    "UTC": _("Coordinated Universal Time"),
}

REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Brazil": _("Brazil"),
    "Canada": _("Canada"),
    "Chile": _("Chile"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Mexico": _("Mexico"),
    "Pacific": _("Pacific Ocean"),
}


def zone_choices() -> list:
    """
    The zones grouped for a <select>: the zones of our work first, then every other zone under
    its region (an <optgroup> each, the region's name translated). A callable, so that
    migrations name it instead of copying six hundred zones; the values are the IANA names.
    """
    ours = [
        (name, format_lazy(_("{zone} ({country})"), zone=name, country=country))
        for name, country in ZONES_OF_OUR_WORK.items()
        if name in zone_names()
    ]
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in zone_names():
        if name in ZONES_OF_OUR_WORK or "/" not in name:
            continue
        region = name.split("/", 1)[0]
        regions.setdefault(region, []).append((name, name))
    return [
        (_("Zones of our work"), ours),
        *((REGIONS.get(region, region), places) for region, places in regions.items()),
    ]


def default_zone_name() -> str:
    return settings.SHIMTEO_DEFAULT_TIME_ZONE


def team_zone_name(team) -> str:
    return (team.time_zone if team is not None else "") or default_zone_name()


def zone_name_for(user) -> str:
    """The user's own zone, else that of the team they joined first, else the default."""
    if user is None or not user.is_authenticated:
        return default_zone_name()
    if user.time_zone:
        return user.time_zone
    try:
        # Read with the user when they were (accounts.api_auth reads it with the API token).
        team_zone = user.first_team_zone
    except AttributeError:
        team_zone = first_team_zone(user).first()
    return team_zone or default_zone_name()


def first_team_zone(user):
    """The zone of the team `user` (a user, or an OuterRef to one) joined first, as a query."""
    # Imported here: models import this module for their choices.
    from .models import TeamMembership

    return (
        TeamMembership.objects.filter(user=user)
        .order_by("pk")
        .values_list("team__time_zone", flat=True)[:1]
    )


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)
