"""
The time zone a staff member's pages speak: their own choice, else their team's, else
SHIMTEO_DEFAULT_TIME_ZONE (Asia/Shanghai). Times are stored in UTC; they are shown, and "today"
is taken, in this zone (accounts.middleware.LocalTimeMiddleware activates it per request).
"""

import zoneinfo
from functools import cache

from django.conf import settings


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


def zone_choices() -> list[tuple[str, str]]:
    # A callable, so that migrations name it instead of copying six hundred zones. The labels are
    # the IANA names themselves, the same in every language.
    return [(name, name) for name in zone_names()]


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
    # Imported here: models import this module for their choices.
    from .models import TeamMembership

    team_zone = (
        TeamMembership.objects.filter(user=user)
        .order_by("pk")
        .values_list("team__time_zone", flat=True)
        .first()
    )
    return team_zone or default_zone_name()


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)
