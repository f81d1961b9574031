"""The per-session result cache: found again by the same call on the same data, bounded, never stale."""
from __future__ import annotations

import threading

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


def _slow(started: threading.Event, release: threading.Event, ran: list) -> str:
    """A long query: says it started, then waits to be let go."""
    ran.append(1)
    started.set()
    assert release.wait(10)
    return "slow"


def test_a_kept_result_is_served_while_another_caller_computes_and_the_same_call_is_computed_once():
    """A share link's viewers share one cache: one viewer's new figure holds up neither the others' kept
    figures nor makes a second viewer asking for the same figure compute it again."""
    cache, query = ResultCache(), Calls()
    assert cache.get("v1", query, "monthly") == 1
    started, release, ran, got = threading.Event(), threading.Event(), [], []
    callers = [threading.Thread(target=lambda: got.append(cache.get("v1", _slow, started, release, ran)))
               for _ in range(3)]
    callers[0].start()
    assert started.wait(10)  # the first caller holds the turn, computing
    for caller in callers[1:]:
        caller.start()
    assert cache.get("v1", query, "monthly") == 1  # a kept result, found while the turn is taken
    release.set()
    for caller in callers:
        caller.join(10)
    assert got == ["slow"] * 3 and ran == [1]  # the callers who waited were served the one result
    assert len(query.ran) == 1


def test_a_result_computed_on_data_that_changed_meanwhile_is_not_kept():
    cache = ResultCache()

    def old_query() -> str:
        assert cache.get("v2", len, "ab") == 2  # new data arrives while the old data's call still runs
        return "old"

    assert cache.get("v1", old_query) == "old"
    assert len(cache) == 1 and cache.get("v2", len, "ab") == 2  # only the new data's result is kept
