"""The what-if settings of a workspace or scenario as JSON (never pickle), and back.

Settings are the frozen dataclasses the pages keep (assumptions, business hours, tier rules
…); reading tolerates JSON written by an older or newer version of the app.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing


def _plain(value):
    """JSON form of one setting: to_dict() when the class has one, else its dataclass fields."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"not a JSON setting: {type(value).__name__}")


def settings_to_json(settings: dict[str, object]) -> str:
    """The what-if settings of a workspace as JSON (never pickle); values that are not settings are left out."""
    out = {}
    for name, value in settings.items():
        try:
            out[name] = _plain(value)
        except TypeError:
            continue
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def _target_class(hint) -> tuple[type | None, bool]:
    """(class to rebuild, is a tuple of them) from a field's type hint such as ``X | None`` or ``tuple[X, ...]``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _target_class(args[0]) if len(args) == 1 else (None, False)
    if origin is tuple:
        inner, _ = _target_class(typing.get_args(hint)[0])
        return inner, True
    return (hint, False) if isinstance(hint, type) else (None, False)


def _rebuild(cls: type, raw):
    if hasattr(cls, "from_dict"):
        return cls.from_dict(raw)
    if dataclasses.is_dataclass(cls):
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
    if cls in (str, int, float, bool) and isinstance(raw, cls):
        return raw
    raise TypeError(f"cannot rebuild {cls.__name__}")


def settings_from_json(text: str, hints: dict[str, object]) -> dict[str, object]:
    """Settings saved by ``settings_to_json``, rebuilt by the type hints of the fields that exist now.

    A setting saved by an older or newer version (unknown field, or one that no longer
    validates) is skipped, so the field keeps its default instead of breaking the view.
    """
    out = {}
    for name, raw in json.loads(text).items():
        if name not in hints:
            continue
        if raw is None:
            out[name] = None
            continue
        cls, many = _target_class(hints[name])
        if cls is None:
            continue
        try:
            out[name] = tuple(_rebuild(cls, r) for r in raw) if many else _rebuild(cls, raw)
        except (TypeError, ValueError, KeyError):
            continue
    return out
