"""Business calendars per region (SPEC 5b): a region's leads counted on its own zone, days, hours and holidays.

On the business clock each lead is measured on its region's calendar, else on the workspace's
business hours (the default calendar), and the figures pool the leads as they are. The calendars
travel inside ``Assumptions`` (``region_calendars``) beside the goal rules, so a saved workspace or
scenario, a deep link and ``--assumptions`` carry them; ``BusinessHours.with_regions`` puts them
on a clock, whose ``$clock`` struct then holds every calendar (``clock_grid``). A region is
matched as the goal rules match it: trimmed, exact.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from datetime import date, timedelta
from urllib.parse import unquote
from zoneinfo import available_timezones

from sla_core.sales.clock import BusinessHours, parse_time

MAX_CALENDARS = 20
MAX_REGION = 200  # characters of a region's value
HOLIDAY_SPAN = (date(1970, 1, 1), date(2100, 12, 31))  # the clock's holiday lists are dense over their days
LINK_CALENDARS, LINK_PARTS, LINK_DAYS = ";", ":", "."  # calendars by ';', parts by ':', holidays by '.'


def _region(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a region calendar needs a region")
    text = value.strip()
    if len(text) > MAX_REGION:
        raise ValueError(f"a region is at most {MAX_REGION} characters")
    return text


@dataclass(frozen=True)
class RegionCalendar:
    """One region's business hours (``hours.tz`` its own zone); ``region`` in its compared (trimmed) form."""

    region: str
    hours: BusinessHours

    def __post_init__(self) -> None:
        object.__setattr__(self, "region", _region(self.region))
        if not isinstance(self.hours, BusinessHours) or self.hours.regions:
            raise ValueError(f"the calendar of {self.region} must be business hours of its own")
        first, last = HOLIDAY_SPAN
        outside = [h for h in self.hours.holidays if not first <= h <= last]
        if outside:
            raise ValueError(f"holiday {outside[0]} of {self.region} is outside {first.year}–{last.year}")

    def describe(self) -> str:
        return f"{self.region}: {self.hours.describe()}"

    def to_dict(self) -> dict:
        return {"region": self.region, **self.hours.to_dict()}

    @classmethod
    def from_dict(cls, raw) -> RegionCalendar:
        if not isinstance(raw, dict):
            raise ValueError(f"a region calendar must be an object, got {raw!r}")
        rest = {k: v for k, v in raw.items() if k != "region"}
        return cls(raw.get("region"), BusinessHours.from_dict(rest))

    def to_link(self) -> str:
        h = self.hours
        return LINK_PARTS.join((_escape(self.region), h.tz, "".join(str(d) for d in h.weekdays),
                                f"{h.open:%H%M}-{h.close:%H%M}", _holidays_link(h.holidays)))

    @classmethod
    def from_link(cls, text: str) -> RegionCalendar:
        parts = text.split(LINK_PARTS)
        if len(parts) != 5:
            raise ValueError(f'"{text[:40]}" is not region:zone:days:hours:holidays')
        region, tz, days, hours, holidays = parts
        opens, _, closes = hours.partition("-")
        if not (days.isdigit() and len(opens) == len(closes) == 4 and (opens + closes).isdigit()):
            raise ValueError(f'"{text[:40]}" has days or hours that are not like 01234 and 0900-1700')
        hours = BusinessHours(tz, tuple(int(d) for d in days), parse_time(f"{opens[:2]}:{opens[2:]}"),
                              parse_time(f"{closes[:2]}:{closes[2:]}"), _holidays_from_link(holidays))
        return cls(unquote(region), hours)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace(LINK_PARTS, "%3A").replace(LINK_CALENDARS, "%3B")


def _holidays_link(holidays: tuple[date, ...]) -> str:
    """The first holiday as 20241225, each next one as its distance in days in base 36: a year of a country's
    holidays in about 40 characters."""
    if not holidays:
        return ""
    steps = [_base36((b - a).days) for a, b in zip(holidays, holidays[1:], strict=False)]
    return LINK_DAYS.join([f"{holidays[0]:%Y%m%d}", *steps])


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _holidays_from_link(text: str) -> tuple[date, ...]:
    if not text:
        return ()
    first, *steps = text.split(LINK_DAYS)
    try:
        day = date(int(first[:4]), int(first[4:6]), int(first[6:8])) if len(first) == 8 else None
        if day is None:
            raise ValueError
        days = [day]
        for step in steps:
            day += timedelta(days=int(step, 36))
            days.append(day)
    except (ValueError, OverflowError):
        raise ValueError(f'holidays "{text[:40]}" are not a date like 20241225 and steps in days') from None
    return tuple(days)


@dataclass(frozen=True)
class RegionCalendars:
    """The regions on a calendar of their own, at most one calendar per region; empty: one calendar for all."""

    calendars: tuple[RegionCalendar, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "calendars", tuple(self.calendars))
        if not all(isinstance(c, RegionCalendar) for c in self.calendars):
            raise ValueError("region calendars must be RegionCalendar values")
        if len(self.calendars) > MAX_CALENDARS:
            raise ValueError(f"at most {MAX_CALENDARS} region calendars, got {len(self.calendars)}")
        regions = [c.region for c in self.calendars]
        twice = sorted({r for r in regions if regions.count(r) > 1})
        if twice:
            raise ValueError(f"one calendar per region: {', '.join(twice)} has more")

    def __bool__(self) -> bool:
        return bool(self.calendars)

    def __len__(self) -> int:
        return len(self.calendars)

    def __iter__(self):
        return iter(self.calendars)

    def with_calendar(self, calendar: RegionCalendar) -> RegionCalendars:
        """These calendars with ``calendar`` added, or in place of its region's."""
        kept = [calendar if c.region == calendar.region else c for c in self.calendars]
        return replace(self, calendars=tuple(kept if calendar in kept else [*kept, calendar]))

    def without(self, region: str) -> RegionCalendars:
        return replace(self, calendars=tuple(c for c in self.calendars if c.region != region))

    def pairs(self) -> tuple[tuple[str, BusinessHours], ...]:
        """(region, hours) in order: what ``BusinessHours.regions`` holds."""
        return tuple((c.region, c.hours) for c in self.calendars)

    def to_list(self) -> list[dict]:
        return [c.to_dict() for c in self.calendars]

    @classmethod
    def from_list(cls, raw) -> RegionCalendars:
        """From ASSUMPTIONS.json's ``region_calendars`` (a list of objects), refused in words when malformed."""
        if not isinstance(raw, (list, tuple)):
            raise ValueError(f"region_calendars must be a list of calendars, got {raw!r}")
        calendars = []
        for number, item in enumerate(raw, start=1):
            try:
                calendars.append(RegionCalendar.from_dict(item))
            except ValueError as exc:
                raise ValueError(f"region calendar {number}: {exc}") from None
        return cls(tuple(calendars))

    def to_link(self) -> str:
        """Compact text for a deep link: ``Germany:Europe/Berlin:01234:0900-1800:20241003.1y.1``."""
        return LINK_CALENDARS.join(c.to_link() for c in self.calendars)

    @classmethod
    def from_link(cls, text: str) -> RegionCalendars:
        if not text.strip():
            return cls()
        calendars = []
        for number, part in enumerate(text.split(LINK_CALENDARS), start=1):
            try:
                calendars.append(RegionCalendar.from_link(part))
            except ValueError as exc:
                raise ValueError(f"calendar {number}: {exc}") from None
        return cls(tuple(calendars))


@cache
def time_zones() -> list[str]:
    """The IANA zone names a region calendar can be in, for the editor (read once per process)."""
    return sorted(available_timezones())


NO_REGION_CALENDARS = RegionCalendars()
