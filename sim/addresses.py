"""Addresses of settings: dotted names such as `arrivals.annual_referrals`.

`--vary`, sensitivity parameters and `scenario_with` name settings by address. Staff
groups are named by role (`staff.experienced.count`), never by their place in the list:
a place changes when a group is added and says nothing to a reader, so the positional
form (`staff.groups.4.count`) is refused with the role form it should have been.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.vocabulary import ROLES
from sim.yamlsafe import KeyPath, ScenarioError

CHANGES = "<changes>"  # the "file" named by errors in an address given on the command line


def _refuse(dotted: str, message: str) -> ScenarioError:
    return ScenarioError(CHANGES, message, field=dotted)


def _group_index(groups: Any, role: str, dotted: str) -> int:
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, dict) and group.get("role") == role:
            return index
    have = (
        [g.get("role") for g in groups if isinstance(g, dict)] if isinstance(groups, list) else []
    )
    raise _refuse(dotted, f"the team has no {role} group (its roles: {', '.join(map(str, have))})")


def address_path(data: Any, dotted: str) -> KeyPath:
    """The key path in `data` (a scenario as plain data) that an address names."""
    parts = [p for p in dotted.strip().split(".")]
    if not dotted.strip() or any(not p for p in parts):
        raise _refuse(dotted, "an address is setting names joined by dots")
    path: list[str | int] = []
    current = data
    i = 0
    while i < len(parts):
        part = parts[i]
        if path == ["staff"] and part == "groups" and i + 1 < len(parts):
            nxt = parts[i + 1]
            role = _role_at(current, nxt)
            rest = ".".join(parts[i + 2 :])
            hint = f"staff.{role}.{rest}" if role and rest else f"staff.{role or 'ROLE'}"
            raise _refuse(
                dotted,
                f"staff groups are named by role, not by place: write {hint} "
                f"(roles: {', '.join(ROLES)})",
            )
        if path == ["staff"] and part in ROLES and isinstance(current, dict):
            index = _group_index(current.get("groups"), part, dotted)
            path += ["groups", index]
            current = current["groups"][index]
        elif isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            path.append(int(part))
            current = current[int(part)]
        else:
            where = ".".join(parts[:i]) or "the scenario"
            raise _refuse(dotted, f"no setting {part!r} in {where}")
        i += 1
    return tuple(path)


def _role_at(staff: Any, index_text: str) -> str | None:
    """The role of the group at a written position, to suggest the right address."""
    groups = staff.get("groups") if isinstance(staff, dict) else None
    if index_text.isdigit() and isinstance(groups, list) and int(index_text) < len(groups):
        group = groups[int(index_text)]
        return str(group.get("role")) if isinstance(group, dict) else None
    return None


def readable_field(data: Any, field: str | None) -> str | None:
    """A dotted field with each staff group named by its role, as addresses are.

    `staff.groups.4.count` becomes `staff.experienced.count` when group 4 of `data` is the
    experienced group; a group whose role is not a known one keeps its position.
    """
    if not field:
        return field
    parts: list[str] = field.split(".")
    out: list[str] = []
    current = data
    i = 0
    while i < len(parts):
        part = parts[i]
        groups = current.get("groups") if isinstance(current, dict) else None
        if (
            out[-1:] == ["staff"]
            and part == "groups"
            and i + 1 < len(parts)
            and parts[i + 1].isdigit()
            and isinstance(groups, list)
            and int(parts[i + 1]) < len(groups)
        ):
            group = groups[int(parts[i + 1])]
            role = group.get("role") if isinstance(group, dict) else None
            if role in ROLES:
                out.append(str(role))
                current, i = group, i + 2
                continue
        out.append(part)
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            current = None
        i += 1
    return ".".join(out)


def read_address(data: Any, dotted: str) -> Any:
    """The value an address names in plain scenario data."""
    current = data
    for part in address_path(data, dotted):
        current = current[part]
    return current


def apply_changes(data: dict[str, Any], changes: Mapping[str, object]) -> dict[str, Any]:
    """Plain scenario data with each addressed setting replaced (changed in place)."""
    result = data
    for dotted, value in changes.items():
        path = address_path(result, dotted)
        if not path:
            raise _refuse(dotted, "an address must name a setting")
        target: Any = result
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = _plain(value)
    return result


def _plain(value: object) -> object:
    """A numpy scalar as the Python number it holds (the model's numbers are strict)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


__all__ = ["CHANGES", "address_path", "apply_changes", "read_address", "readable_field"]
