"""The bound ``$clock`` struct of several calendars at once: each list end to end on one span of days.

A lead's calendar (its region's, else the default) is a value of its row, so the clock macros
read calendar ``cal``'s stretch of each list at the fixed offset ``cal`` × span: per-calendar
spans would need per-row bounds. Zone offsets go on the finest block of days any of the zones
needs, holidays and DST corrections on the union of their days. With one calendar the lists are
exactly that calendar's.
"""
from __future__ import annotations

from datetime import date, datetime

from sla_core.sales.clock import (
    BusinessHours,
    _offset_blocks,
    _seconds,
    _zone_lists,
    day_number,
    dst_corrections,
    offset_grid,
    transitions,
)


def calendars_params(clock: BusinessHours) -> dict:
    """The ``$clock`` fields of ``clock`` (calendar 0) and of its region calendars (1, 2 … in order)."""
    calendars = [clock, *(hours for _, hours in clock.regions)]
    return {"regions": [region for region, _ in clock.regions], **_zone_grid([c.tz for c in calendars]),
            **_week_lists(calendars), **_holiday_lists(calendars),
            **_dst_lists([dst_corrections(c) for c in calendars])}


def inert_params(zone_lists: dict) -> dict:
    """Every field for the calendar clock, which reads none of them: one schedule, no holiday or correction."""
    return {"regions": [], **zone_lists, **_week_lists([BusinessHours()]), **_holiday_lists([]), **_dst_lists([[]])}


def _zone_grid(zones: list[str]) -> dict:
    """Offsets per block of days for every zone on one grid: the finest block any changing zone needs, from the
    first to the last block with a change (a fixed zone fits any grid)."""
    if len(zones) == 1:
        return _zone_lists(_offset_blocks(zones[0]))
    changing = [_offset_blocks(tz) for tz in zones if transitions(tz)]
    if not changing:
        block, first, count = 86400, 0, 1
    else:
        block = min(b[0] for b in changing)
        instants = [int(at.timestamp()) for tz in zones for at, _, _ in transitions(tz)]
        first = min(instants) // block
        count = max(instants) // block - first + 1
    grids = [offset_grid(tz, block, first, count) for tz in zones]
    return {"tz_block_us": block * 1_000_000, "tz_first": first, "tz_blocks": count,
            "tz_switch_us": [s for g in grids for s in g[0]], "tz_before_us": [b for g in grids for b in g[1]],
            "tz_after_us": [a for g in grids for a in g[2]]}


def _week_lists(calendars: list[BusinessHours]) -> dict:
    weeks = [[d in c.weekdays for d in range(7)] for c in calendars]
    return {"week_count": [len(c.weekdays) for c in calendars], "week_open": [o for w in weeks for o in w],
            "week_prefix": [sum(w[:r]) for w in weeks for r in range(8)],
            "open_us": [_seconds(c.open) * 1_000_000 for c in calendars],
            "open_len_us": [c.open_seconds * 1_000_000 for c in calendars]}


def _span(days: list[int]) -> tuple[int, int]:
    """(first day, number of days) covering ``days``; (0, 0) when there are none."""
    return (min(days), max(days) - min(days) + 1) if days else (0, 0)


def _holiday_lists(calendars: list[BusinessHours]) -> dict:
    """Per calendar a running count of its working-day holidays over the common span (``hol_days`` + 1 entries)."""
    per = [{day_number(h) for h in c.holidays if h.weekday() in c.weekdays} for c in calendars]
    first, count = _span([d for days in per for d in days])
    cum = []
    for days in per:
        run = [0]
        for k in range(count):
            run.append(run[-1] + (first + k in days))
        cum.extend(run)
    return {"hol_first": first, "hol_days": count, "hol_cum": cum or [0]}


def _dst_lists(per_calendar: list[list[tuple[date, datetime, int]]]) -> dict:
    """Per calendar its DST corrections over the common span: a running sum before each day (``dst_days`` + 1
    entries) and the instant and size of the day's own (``dst_days`` entries)."""
    first, count = _span([day_number(day) for corrections in per_calendar for day, _, _ in corrections])
    cum, at_list, us_list = [], [], []
    for corrections in per_calendar:
        at: list[datetime | None] = [None] * count
        us = [0] * count
        for day, instant, seconds in corrections:  # at most one clock change per local day in practice
            k = day_number(day) - first
            at[k] = at[k] or instant
            us[k] += seconds * 1_000_000
        run = [0]
        for k in range(count):
            run.append(run[-1] + us[k])
        cum.extend(run)
        at_list.extend(at)
        us_list.extend(us)
    return {"dst_first": first, "dst_days": count, "dst_cum": cum or [0], "dst_at": at_list or [None],
            "dst_us": us_list or [0]}
