"""The business-hours clock of the Sales SLA: working days, opening hours, holidays, time zone.

Response times on this clock count only the seconds that fall inside opening hours of a
working, non-holiday local day, so a lead handed over on Friday evening and called on
Monday at 09:30 took 30 minutes, not 63.5 hours. The SQL (the clock macros of
``sql/macros.sql``, called by ``speed_*.sql``) evaluates a cumulative function F(t) =
business seconds from the start of the data up to instant t and takes differences; this
module turns the settings into the fields of its bound ``$clock`` struct.

Opening hours are local wall-clock times. On a day when the clocks change inside the
opening hours (a 24-hour team on the night of a DST change), the wall clock gains or
loses an hour that never passed or passed twice; ``dst_corrections`` lists those
instants so the count stays in real elapsed seconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TRANSITION_YEARS = (1970, 2100)  # the span scanned for clock changes: any CRM export falls inside
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def zone(tz: str) -> ZoneInfo:
    """The IANA zone, or a ValueError a user can act on."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)") from exc


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per working day in ``tz``; weekdays 0 = Monday … 6 = Sunday.

    The default is the one documented for ``--clock business``: Monday to Friday,
    09:00–17:00, no holidays. ``close`` must be after ``open`` on the same day.
    """

    tz: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    open: time = time(9, 0)
    close: time = time(17, 0)
    holidays: tuple[date, ...] = field(default=())
    # (region, its own hours) of the leads counted on another calendar (sla_core.sales.region_calendars); the
    # clock of a workspace or report, never saved with the hours themselves (to_dict leaves it out)
    regions: tuple[tuple[str, BusinessHours], ...] = ()

    def __post_init__(self) -> None:
        zone(self.tz)
        days = tuple(sorted(set(self.weekdays)))
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValueError("working days must be a non-empty set of weekdays (0 = Monday … 6 = Sunday)")
        if not (isinstance(self.open, time) and isinstance(self.close, time)) or self.open.tzinfo or self.close.tzinfo:
            raise ValueError("opening and closing times must be local times of day")
        if not self.open < self.close:
            raise ValueError(f"closing time {self.close:%H:%M} must be after opening time {self.open:%H:%M}")
        if any(not isinstance(h, date) or isinstance(h, datetime) for h in self.holidays):
            raise ValueError("holidays must be dates")
        object.__setattr__(self, "weekdays", days)
        object.__setattr__(self, "holidays", tuple(sorted(set(self.holidays))))
        if any(not isinstance(r, str) or not isinstance(h, BusinessHours) or h.regions for r, h in self.regions):
            raise ValueError("region calendars must be (region, BusinessHours) pairs without regions of their own")

    @property
    def open_seconds(self) -> int:
        """Business seconds in one full working day."""
        return _seconds(self.close) - _seconds(self.open)

    def in_zone(self, tz: str) -> "BusinessHours":
        """The same schedule in the workspace time zone."""
        return self if tz == self.tz else replace(self, tz=tz)

    def with_regions(self, calendars) -> BusinessHours:
        """The same clock with the leads of some regions counted on their own calendars (a ``RegionCalendars``)."""
        return replace(self, regions=calendars.pairs())

    def holidays_between(self, first: date, last: date) -> "BusinessHours":
        """The same schedule with only the holidays from ``first`` to ``last``: the clock's holiday lists span
        the days between the first and the last holiday, so a list reaching into year 1 or 9999 would
        make every count walk millions of days."""
        return replace(self, holidays=tuple(h for h in self.holidays if first <= h <= last),
                       regions=tuple((r, h.holidays_between(first, last)) for r, h in self.regions))

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def describe(self) -> str:
        """One line for captions and the report, e.g. "Mon–Fri 09:00–17:00 Europe/Berlin, 3 holidays"."""
        days = ", ".join(WEEKDAY_NAMES[d] for d in self.weekdays)
        if self.weekdays == tuple(range(self.weekdays[0], self.weekdays[-1] + 1)) and len(self.weekdays) > 2:
            days = f"{WEEKDAY_NAMES[self.weekdays[0]]}–{WEEKDAY_NAMES[self.weekdays[-1]]}"
        count = len(self.holidays)
        n = len(self.regions)
        regions = f"; {n} region calendar{'s' if n != 1 else ''}" if n else ""
        return (f"{days} {self.open:%H:%M}–{self.close:%H:%M} {self.tz}"
                f"{f', {count} holiday' + ('s' if count != 1 else '') if count else ', no holidays'}{regions}")

    def to_dict(self) -> dict:
        return {"tz": self.tz, "weekdays": list(self.weekdays), "open": f"{self.open:%H:%M}",
                "close": f"{self.close:%H:%M}", "holidays": [h.isoformat() for h in self.holidays]}

    @classmethod
    def from_dict(cls, raw: dict) -> "BusinessHours":
        """Build from ``to_dict`` output (missing keys take the defaults); ValueError on a bad value."""
        if not isinstance(raw, dict):
            raise ValueError("business hours must be a JSON object")
        unknown = set(raw) - {"tz", "weekdays", "open", "close", "holidays"}
        if unknown:
            raise ValueError(f"unknown business-hours keys: {', '.join(sorted(unknown))}")
        default = cls()
        weekdays = raw.get("weekdays", default.weekdays)
        if not isinstance(weekdays, (list, tuple)) or any(isinstance(d, bool) or not isinstance(d, int)
                                                          for d in weekdays):
            raise ValueError("weekdays must be a list of numbers 0 (Monday) … 6 (Sunday)")
        return cls(tz=str(raw.get("tz", default.tz)), weekdays=tuple(weekdays),
                   open=parse_time(raw.get("open", "09:00")), close=parse_time(raw.get("close", "17:00")),
                   holidays=parse_holidays(raw.get("holidays", [])))

    def sql_params(self) -> dict:
        """Fields of the ``$clock`` struct the clock macros read (day numbers count from 1900-01-01).

        Weekdays as a closed form (per-week count and a prefix count within the week),
        holidays and DST corrections as running counts over a dense span of days, so the
        SQL needs only arithmetic and list look-ups per row. Calendar 0 is this one, then one per region
        (``regions``), each list end to end on a span common to all (``clock_grid``).
        """
        from sla_core.sales.clock_grid import calendars_params  # it reads this module's zone tables

        return calendars_params(self)


DAY_ZERO = date(1900, 1, 1)  # a Monday: day number n has weekday n % 7


def day_number(day: date) -> int:
    return (day - DAY_ZERO).days


def parse_time(value) -> time:
    """"09:00" → time(9, 0); a ``time`` passes through."""
    if isinstance(value, time):
        return value
    match = _TIME_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day like 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_holidays(value) -> tuple[date, ...]:
    """Dates from a list or pasted text: every ISO date (2024-12-25) on each line counts.

    Lines may hold several dates ("2024-12-24, 2024-12-25") or a date and its name
    ("2024-12-25,Christmas Day"), so a pasted or uploaded "date,name" list works as it
    is; a header line starting with "date" and blank lines are skipped. A line without
    an ISO date is an error, not silently dropped.
    """
    entries = value if isinstance(value, (list, tuple)) else re.split(r"[\n;]+", str(value))
    days = []
    for entry in entries:
        if isinstance(entry, date) and not isinstance(entry, datetime):
            days.append(entry)
            continue
        text = str(entry).strip().strip('"')
        if not text or text.lower().startswith("date"):
            continue
        found = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)
        try:
            if not found:
                raise ValueError
            days.extend(date.fromisoformat(d) for d in found)
        except ValueError as exc:
            raise ValueError(f"holiday {text[:40]!r} is not a date like 2024-12-25") from exc
    return tuple(sorted(set(days)))


def public_holidays(country: str, years: range, subdivision: str | None = None) -> tuple[date, ...]:
    """A country's public holidays (the ``holidays`` package) to prefill the list."""
    import holidays as holiday_calendars  # loaded only when asked: it imports every country's rules

    try:
        calendar = holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(f"no public-holiday calendar for {country!r}") from exc
    return tuple(sorted(calendar.keys()))


def holiday_countries() -> dict[str, str]:
    """ISO country code → name, for the prefill selector."""
    from holidays.registry import COUNTRIES

    return dict(sorted((codes[1], f"{module.replace('_', ' ').title()} ({codes[1]})")
                       for module, codes in COUNTRIES.items()))


@cache
def transitions(tz: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Every UTC-offset change of ``tz`` in TRANSITION_YEARS: (instant in UTC, offset before, offset after).

    zoneinfo does not expose its transition table, so scan day by day and bisect to the
    second; cached per zone (about 0.1 s once per process).
    """
    info = zone(tz)
    start = int(datetime(TRANSITION_YEARS[0], 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(TRANSITION_YEARS[1] + 1, 1, 1, tzinfo=timezone.utc).timestamp())

    def offset(ts: int) -> timedelta:
        return datetime.fromtimestamp(ts, info).utcoffset()

    found = []
    previous = offset(start)
    for ts in range(start + 86400, end + 1, 86400):
        current = offset(ts)
        if current != previous:
            low, high = ts - 86400, ts  # offset(low) == previous, offset(high) == current
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == previous else (low, middle)
            found.append((datetime.fromtimestamp(high, timezone.utc), previous, current))
            previous = current
    return tuple(found)


def _fixed_offset_blocks(offset_us: int) -> tuple[int, int, tuple, tuple, tuple]:
    """The offset blocks of a zone that never changes its UTC offset: one block, no switch."""
    return 86400, 0, (None,), (offset_us,), (offset_us,)


def fixed_offset_us(tz: str) -> int:
    """The UTC offset of a zone that never changes it."""
    return int(datetime(2000, 1, 1, tzinfo=zone(tz)).utcoffset().total_seconds() * 1_000_000)


@cache
def _offset_blocks(tz: str) -> tuple[int, int, tuple, tuple, tuple]:
    """UTC offsets of ``tz`` per block of days, each block holding at most one change (see zone_params)."""
    changes = transitions(tz)
    if not changes:
        return _fixed_offset_blocks(fixed_offset_us(tz))
    seconds = [int(at.timestamp()) for at, _, _ in changes]
    for block_days in (28, 7, 1):
        block = block_days * 86400
        keys = [s // block for s in seconds]
        if len(set(keys)) == len(keys):
            break
    return block, keys[0], *offset_grid(tz, block, keys[0], keys[-1] - keys[0] + 1)


def offset_grid(tz: str, block: int, first: int, count: int) -> tuple[tuple, tuple, tuple]:
    """(switch instant or None, offset before, offset after) of ``tz`` for ``count`` blocks of ``block`` seconds
    from block ``first``; a block must hold at most one of its changes."""
    changes = transitions(tz)
    if not changes:
        return (None,) * count, (fixed_offset_us(tz),) * count, (fixed_offset_us(tz),) * count
    switch: list[int | None] = [None] * count
    before = [0] * count
    after = [0] * count
    current = int(changes[0][1].total_seconds() * 1_000_000)
    by_block = {int(at.timestamp()) // block - first: (int(at.timestamp()), int(o2.total_seconds() * 1_000_000))
                for at, _, o2 in changes}
    for k in range(count):
        before[k] = current
        if k in by_block:
            switch[k], current = by_block[k][0] * 1_000_000, by_block[k][1]
        after[k] = current
    return tuple(switch), tuple(before), tuple(after)


def zone_params(tz: str) -> dict:
    """Bound parameters to turn instants into local wall time without a time-zone library per row.

    DuckDB's ``timezone()`` costs about as much as the rest of the business clock, so
    the SQL adds the UTC offset instead: per block of days (28, 7 or 1, so that a block
    holds at most one change) the offset before and after the block's change, if any.
    Instants before the first or after the last change use the offset there.
    """
    return _zone_lists(_offset_blocks(tz))


def _zone_lists(blocks: tuple[int, int, tuple, tuple, tuple]) -> dict:
    block, first, switch, before, after = blocks
    return {"tz_block_us": block * 1_000_000, "tz_first": first, "tz_blocks": len(before),
            "tz_switch_us": list(switch), "tz_before_us": list(before), "tz_after_us": list(after)}


def calendar_params() -> dict:
    """The business-clock fields bound when counting calendar hours, which the SQL never reads.

    Every field of the bound ``$clock`` struct must be there, but scanning the zone's history for
    them (``transitions``, tens of milliseconds) would be wasted: the calendar clock gets
    an inert schedule instead, with no holidays, no zone changes and no DST corrections.
    """
    from sla_core.sales.clock_grid import inert_params  # it reads this module's zone tables

    return inert_params(_zone_lists(_fixed_offset_blocks(0)))


def dst_corrections(clock: BusinessHours) -> list[tuple[date, datetime, int]]:
    """(local day, instant, seconds) to add to the wall-clock count from that instant on.

    When clocks go forward inside opening hours, the skipped wall-clock stretch would be
    counted although no time passed (−); when they go back, the repeated stretch passed
    twice but is counted once (+). Only working, non-holiday days count.
    """
    out = []
    for at, before, after in transitions(clock.tz):
        wall = at.replace(tzinfo=None)
        if after > before:
            start, end, sign = wall + before, wall + after, -1  # the skipped wall-clock stretch
        else:
            start, end, sign = wall + after, wall + before, 1  # the repeated one
        overlap = 0
        day = start.date()
        while day <= end.date():
            if clock.is_open_day(day):
                window_start = datetime.combine(day, clock.open)
                window_end = datetime.combine(day, clock.close)
                overlap += max(0, int((min(end, window_end) - max(start, window_start)).total_seconds()))
            day += timedelta(days=1)
        if overlap:
            out.append(((wall + after).date(), at, sign * overlap))
    return out
