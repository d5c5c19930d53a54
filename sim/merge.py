"""Laying one file's settings over another's, keeping track of where each came from.

A scenario that `extends` another, and an exercise's `scenario:` changes over its team,
give only what they change. Mappings merge key by key; lists replace the list below,
except lists of keyed items (the staff groups, keyed by role), which merge item by item:
a group of a role the base has changes that group, a group of a new role is added, and
a group can be taken out by giving it `count: 0`. Each setting remembers the file and
position it was written at, so an error points at the file that holds it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sim.yamlsafe import KeyPath, PositionMap


class Origin(NamedTuple):
    """Where a setting was written: the file, its key's and its value's (line, column)."""

    path: str
    key: tuple[int, int]
    value: tuple[int, int]


Origins = dict[KeyPath, Origin]

# Lists whose items merge by a key, by where the list sits (numbers stand for any index).
KEYED_LISTS: dict[KeyPath, str] = {("staff", "groups"): "role"}


def origins_of(path: str, positions: PositionMap) -> Origins:
    """Every key path of one parsed file with its file and positions."""
    values = positions.value_positions
    return {key: Origin(path, pos, values.get(key, pos)) for key, pos in positions.items()}


def positions_from(origins: Origins) -> PositionMap:
    """A position map for validation (the file of each entry is kept in `origins`)."""
    positions = PositionMap()
    for key, origin in origins.items():
        positions[key] = origin.key
        positions.value_positions[key] = origin.value
    return positions


def _below(origins: Origins, key: str | int) -> Origins:
    """The origins under one child, re-rooted at that child."""
    return {k[1:]: v for k, v in origins.items() if k[:1] == (key,)}


def _graft(into: Origins, key: str | int, sub: Origins) -> None:
    for k in [k for k in into if k[:1] == (key,)]:
        del into[k]
    into.update({(key, *k): v for k, v in sub.items()})


def merge_settings(
    base: Any, base_origins: Origins, top: Any, top_origins: Origins, at: KeyPath = ()
) -> tuple[Any, Origins]:
    """`top` laid over `base`, with the origins of the result (paths relative to `at`)."""
    if isinstance(base, dict) and isinstance(top, dict):
        merged = dict(base)
        origins = dict(base_origins)
        if () in top_origins:
            origins[()] = top_origins[()]
        for key, value in top.items():
            if key in base:
                merged[key], sub = merge_settings(
                    base[key],
                    _below(base_origins, key),
                    value,
                    _below(top_origins, key),
                    (*at, key),
                )
            else:
                merged[key], sub = value, _below(top_origins, key)
            _graft(origins, key, sub)
        return merged, origins
    label = KEYED_LISTS.get(at)
    if label and isinstance(base, list) and isinstance(top, list):
        return _merge_keyed(base, base_origins, top, top_origins, at, label)
    return top, dict(top_origins)


def _merge_keyed(
    base: list[Any],
    base_origins: Origins,
    top: list[Any],
    top_origins: Origins,
    at: KeyPath,
    label: str,
) -> tuple[list[Any], Origins]:
    merged = list(base)
    origins = dict(base_origins)
    if () in top_origins:
        origins[()] = top_origins[()]
    index = {
        item[label]: i
        for i, item in enumerate(base)
        if isinstance(item, dict) and isinstance(item.get(label), str)
    }
    given: set[str] = set()  # a key given twice in `top` is added twice, for validation to refuse
    for j, item in enumerate(top):
        key = item.get(label) if isinstance(item, dict) else None
        if isinstance(key, str) and key in index and key not in given:
            i = index[key]
            merged[i], sub = merge_settings(
                base[i], _below(base_origins, i), item, _below(top_origins, j), (*at, i)
            )
        else:
            i, sub = len(merged), _below(top_origins, j)
            merged.append(item)
        if isinstance(key, str):
            given.add(key)
        _graft(origins, i, sub)
    return merged, origins


__all__ = ["KEYED_LISTS", "Origin", "Origins", "merge_settings", "origins_of", "positions_from"]
