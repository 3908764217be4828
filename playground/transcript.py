"""Turn a run's recorded steps (frozen dataclasses) into JSON and back, so runs can be stored."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin


def dump(value: Any) -> Any:
    """JSON-ready data for a dataclass, tuple, dict or scalar, tagging nothing: shapes are typed."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {str(key): dump(item) for key, item in value.items()}
    return value


def load[T](kind: type[T], data: Any) -> T:
    """Rebuild `kind` from `dump`'s output. Unions of dataclasses are told apart by `kind`."""
    return typing.cast(T, _load(kind, data))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(kind: Any, data: Any) -> Any:
    origin = get_origin(kind)
    if origin in {Union, types.UnionType}:
        return _load_union(get_args(kind), data)
    if origin is Literal or kind is Any:
        return data
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item) for item in data)
        return tuple(_load(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        _, value_kind = get_args(kind)
        return {key: _load(value_kind, item) for key, item in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{name: _load(hints[name], data[name]) for name in names if name in data})
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def _load_union(options: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in options:
        return None
    candidates = [o for o in options if o is not type(None)]
    if isinstance(data, dict) and "kind" in data:
        for option in candidates:
            if dataclasses.is_dataclass(option):
                default = {f.name: f.default for f in dataclasses.fields(option)}.get("kind")
                if default == data["kind"]:
                    return _load(option, data)
    return _load(candidates[0], data)
