"""The per-session result cache: found again by the same call on the same data, bounded, never stale."""
from __future__ import annotations

import pandas as pd

from sla_core.cache import ResultCache


class Calls:
    """A function that counts how often it really ran."""

    def __init__(self) -> None:
        self.ran: list[tuple] = []

    def __call__(self, *args, **kwargs):
        self.ran.append((args, kwargs))
        return len(self.ran)


def test_the_same_call_on_the_same_data_runs_once():
    cache, query = ResultCache(), Calls()
    assert cache.get("v1", query, "month", goal=1.0) == cache.get("v1", query, "month", goal=1.0) == 1
    assert cache.get("v1", query, "month", goal=2.0) == 2  # another argument: another result
    assert cache.get("v1", query, "week", goal=1.0) == 3
    assert len(query.ran) == 3


def test_new_data_forgets_every_result():
    cache, query = ResultCache(), Calls()
    cache.get("v1", query, "month")
    assert cache.get("v2", query, "month") == 2  # a new upload: the old result would be stale
    assert cache.get("v2", query, "month") == 2
    assert len(cache) == 1


def test_a_frame_argument_counts_by_identity():
    cache, derived = ResultCache(), Calls()
    frame = pd.DataFrame({"leads": [1, 2]})
    assert cache.get("v1", derived, frame) == cache.get("v1", derived, frame) == 1
    assert cache.get("v1", derived, frame.copy()) == 2  # equal content, another object: never mistaken for it


def test_past_its_limit_the_least_recently_used_result_goes_and_the_one_used_on_every_rerun_stays():
    cache, query, what_if = ResultCache(limit=4), Calls(), Calls()
    for value in range(20):  # each rerun reads the queried data, then computes for a new slider value
        cache.get("v1", query, "monthly")
        cache.get("v1", what_if, value)
    assert len(query.ran) == 1  # the data was queried once, however many slider values came and went
    assert len(cache) == 4
    assert cache.get("v1", what_if, 19) == 20  # the latest value is kept
    assert cache.get("v1", what_if, 0) == 21  # the oldest one was dropped and is computed again
