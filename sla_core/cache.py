"""A small per-session result cache: what a view computed, kept until the data changes.

A what-if rerun must not query DuckDB again, so the views run every query and every costly
derived result through one of these, owned by the visitor's session (never shared between
sessions). An entry is keyed by the dataset version and the call itself (the function and
its arguments), so no caller builds a key by hand. An argument that cannot be hashed (a
DataFrame) counts by identity: pass only results of the same cache or hashable values, so a
result cached from another cached result is found again on the next rerun. The cache is
bounded: past ``limit`` entries the least recently used goes, and the queried data, used on
every rerun, stays while results of old slider positions drop out.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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

    def get(self, version: object, compute: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``compute(*args, **kwargs)``, run only when this call on this data version has no kept result.

        ``compute`` must be a module-level function (a lambda made on each rerun is never found again).
        """
        if version != self._version:
            self.clear()
            self._version = version
        key = (compute, tuple(map(_key_part, args)), tuple((name, _key_part(v)) for name, v in sorted(kwargs.items())))
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        result = compute(*args, **kwargs)
        self._entries[key] = result
        if len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        """Forget every result (a new upload or a reopened workspace: the session's data changed)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
