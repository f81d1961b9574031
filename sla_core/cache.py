"""A small per-session result cache: what a view computed, kept until the data changes.

A what-if rerun must not query DuckDB again, so the views run every query and every costly
derived result through one of these, owned by the visitor's session (never shared between
sessions). An entry is keyed by the dataset version and the call itself (the function and
its arguments), so no caller builds a key by hand. An argument that cannot be hashed (a
DataFrame) counts by identity: pass only results of the same cache or hashable values, so a
result cached from another cached result is found again on the next rerun. The cache is
bounded: past ``limit`` entries the least recently used goes, and the queried data, used on
every rerun, stays while results of old slider positions drop out.

The cache also takes turns on the session's connection, which refuses a second call while one
runs (DuckDB's ResourceInUseException): a rerun can start while a query of the run it
interrupted is still running, and a download is built on a thread of its own. Each call runs
alone (a re-entrant lock per cache, so per session); ``using`` holds the turn for other work on
the connection (a load, a save). A kept result is found without waiting for the turn: a share
link's viewers share one cache, and one viewer's new figure must not hold up another's kept ones.
A caller that waited for the turn looks again first, so a result is computed once however many ask.
"""
from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()  # no kept result (None is a result)


class _Same:
    """An unhashable argument in a key: equal only to itself, and kept alive by the key so its id is not reused."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


def _key_part(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return _Same(value)
    return value


class ResultCache:
    """Results of calls on one session's data, keyed by the data's version and the call's own arguments."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._version: object = None
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._turn = threading.RLock()  # the connection's: one call on it at a time
        self._kept = threading.Lock()  # the entries': held only to look one up or keep one

    def get(self, version: object, compute: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``compute(*args, **kwargs)``, run only when this call on this data version has no kept result.

        ``compute`` must be a module-level function (a lambda made on each rerun is never found again).
        """
        key = (compute, tuple(map(_key_part, args)), tuple((name, _key_part(v)) for name, v in sorted(kwargs.items())))
        found = self._find(version, key)
        if found is not _MISSING:
            return found
        with self._turn:
            found = self._find(version, key)  # kept by another caller while this one waited for the turn
            if found is not _MISSING:
                return found
            result = compute(*args, **kwargs)
            self._keep(version, key, result)
            return result

    def _find(self, version: object, key: tuple) -> Any:
        with self._kept:
            if version != self._version:
                self._entries.clear()
                self._version = version
            if key not in self._entries:
                return _MISSING
            self._entries.move_to_end(key)
            return self._entries[key]

    def _keep(self, version: object, key: tuple, result: object) -> None:
        with self._kept:
            if version != self._version:  # the data changed while it was computed: the result is stale
                return
            self._entries[key] = result
            if len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def alone(self, compute: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``compute(*args, **kwargs)`` in the session's turn, its result not kept (a whole list for a download)."""
        with self._turn:
            return compute(*args, **kwargs)

    @contextlib.contextmanager
    def using(self) -> Iterator[None]:
        """Hold the session's turn on its connection for work that is not a cached call (a load, a save)."""
        with self._turn:
            yield

    def runner(self, version: object) -> Runner:
        """``get`` bound to one data version, with ``alone`` beside it: what a view keeps as its ``run``."""
        return Runner(self, version)

    def clear(self) -> None:
        """Forget every result (a new upload or a reopened workspace: the session's data changed)."""
        with self._turn, self._kept:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class Runner:
    """A cache's ``get`` for one data version (call it), and its ``alone`` for a result not to keep."""

    __slots__ = ("alone", "cache", "version")

    def __init__(self, cache: ResultCache, version: object) -> None:
        self.cache, self.version, self.alone = cache, version, cache.alone

    def __call__(self, compute: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.cache.get(self.version, compute, *args, **kwargs)
