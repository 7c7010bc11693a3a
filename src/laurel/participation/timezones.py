"""The time zone a participant reads and enters session times in.

Times are stored in UTC. A person picks their zone when they schedule a session or from
the sessions page; the choice is kept in their browser session and every page then shows
times in it (``laurel.middleware.UserTimezoneMiddleware``). Until they pick one, times
are in UTC, and the forms offer the browser's own zone (a small script fills it in; without
JavaScript the field stays at UTC).

A wall-clock time is read in the chosen zone. A time that does not exist there (skipped
when the clocks go forward) is refused with a message; a time that happens twice (when the
clocks go back) is the first of the two.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.http import HttpRequest

SESSION_KEY = "laurel_timezone"
DEFAULT_ZONE = "UTC"


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every zone a person may choose, by its IANA name."""
    names = {
        n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))
    }
    return (DEFAULT_ZONE, *sorted(names))


def zone_named(name: str) -> ZoneInfo | None:
    if name not in zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def chosen_zone_name(request: HttpRequest) -> str | None:
    """The zone this person chose, if they did."""
    name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return name if isinstance(name, str) and zone_named(name) is not None else None


def chosen_zone(request: HttpRequest) -> tzinfo:
    name = chosen_zone_name(request)
    return (zone_named(name) if name else None) or UTC


def remember_zone(request: HttpRequest, name: str) -> None:
    if zone_named(name) is not None:
        request.session[SESSION_KEY] = name


def wall_clock_to_utc(local: datetime, zone: tzinfo) -> datetime | None:
    """The instant a naive wall-clock time names in ``zone``; None if the zone skips it."""
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return instant
