"""Validation against a pydantic model, with the first problem put in plain words and
pointed at the place in the file where it was written.

pydantic's error location is followed through the parsed data (skipping its own extra
steps such as union member names), a missing field is pointed at the mapping that should
hold it, an unknown field gets the list of allowed ones, a number over its limit gets the
reason for the limit (``x-limit-reason``), and a cross-setting check can name the setting
it belongs to (an error with a ``where``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
from pydantic.fields import FieldInfo

from sim.yaml_errors import KeyPath, ScenarioError, dotted, one_line, short_repr


def _data_path(data: object, loc: Sequence[str | int]) -> tuple[KeyPath, bool]:
    """Follow ``loc`` through ``data`` as far as it goes.

    Returns the parts of ``loc`` that name real places in the data, skipping
    pydantic's extra steps such as union member names or ``[key]``, and
    whether every part was found.
    """
    found: list[str | int] = []
    current = data
    complete = True
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            found.append(part)
        elif (
            isinstance(current, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(current)
        ):
            current = current[part]
            found.append(part)
        else:
            complete = False
    return tuple(found), complete


def _nearest_position(
    positions: Mapping[KeyPath, tuple[int, int]], key_path: KeyPath
) -> tuple[int, int] | None:
    """Position of ``key_path``, or of its nearest ancestor that has one."""
    for length in range(len(key_path), -1, -1):
        position = positions.get(key_path[:length])
        if position is not None:
            return position
    return None


def _strip_annotation(annotation: object) -> object:
    """Remove ``Annotated[...]`` and ``X | None`` wrappers from a type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin is typing.Union or origin is types.UnionType:
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _field_key(name: str, info: FieldInfo) -> str:
    """The key a field is written under in the data (its alias if it has one)."""
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return alias if isinstance(alias, str) else name


def _allowed_fields(model: type[pydantic.BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """Field names allowed by the model at ``loc``, or None if they cannot be found."""
    current: object = model
    for part in loc:
        current = _strip_annotation(current)
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            for name, info in current.model_fields.items():
                if part in (name, _field_key(name, info)):
                    current = info.annotation
                    break
            else:
                return None
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is typing.Union or origin is types.UnionType:
            # pydantic names the union member it tried; follow that one.
            matches = [arg for arg in args if getattr(arg, "__name__", None) == part]
            if len(matches) != 1:
                return None
            current = matches[0]
            continue
        if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
            current = args[1]
            continue
        if isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset):
            if origin is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):
                if not isinstance(part, int) or not 0 <= part < len(args):
                    return None
                current = args[part]
            elif args:
                current = args[0]
            else:
                return None
            continue
        return None
    current = _strip_annotation(current)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return [_field_key(name, info) for name, info in current.model_fields.items()]
    return None


def _is_scalar(value: object) -> bool:
    return (
        value is None or isinstance(value, str | int | float | bool) or hasattr(value, "isoformat")
    )


def _reads_as_number(value: object) -> bool:
    """Text that Python would read as a number (a quoted number, or YAML's 1e6)."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like an acronym."""
    if len(text) >= 2 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _error_message(
    model: type[pydantic.BaseModel], error: Mapping[str, Any], field_path: KeyPath
) -> str:
    """Plain words for one pydantic error entry."""
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    if kind == "missing" and field_path:
        return f"missing required field {str(field_path[-1])!r}"
    if kind == "extra_forbidden" and loc:
        name = loc[-1]
        allowed = _allowed_fields(model, loc[:-1])
        if allowed:
            return f"unknown field {str(name)!r} (allowed: {', '.join(allowed)})"
        return f"unknown field {str(name)!r}"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
            break
    message = _lower_first(one_line(message))
    if "input" in error and _is_scalar(error["input"]):
        message += f" (got {short_repr(error['input'])})"
    if kind in ("float_type", "int_type") and _reads_as_number(error.get("input")):
        message += (
            "; it is read as text: write a number without quotes, and an exponent with a "
            "decimal point and a sign (1.0e+6, not 1e6)"
        )
    if kind in ("less_than_equal", "less_than"):
        reason = _limit_reason(model, loc)
        if reason:
            message += f"; {reason}"
    return message


def _error_where(error: Mapping[str, Any]) -> tuple[str | int, ...]:
    """Extra key path a cross-setting check named (an exception with a ``where``)."""
    raised = (error.get("ctx") or {}).get("error")
    where = getattr(raised, "where", ())
    return tuple(where) if isinstance(where, tuple) else ()


def _limit_reason(model: type[pydantic.BaseModel], loc: Sequence[str | int]) -> str | None:
    """Why a field has its upper limit, when its schema says (``x-limit-reason``)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    owner = _model_at(model, loc[:-1])
    info = owner.model_fields.get(loc[-1]) if owner is not None else None
    extra = info.json_schema_extra if info is not None else None
    reason = extra.get("x-limit-reason") if isinstance(extra, dict) else None
    return reason if isinstance(reason, str) else None


def _model_at(
    model: type[pydantic.BaseModel], loc: Sequence[str | int]
) -> type[pydantic.BaseModel] | None:
    """The model class that holds the fields at ``loc``, if it can be found."""
    current: object = model
    for part in loc:
        current = _strip_annotation(current)
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
            continue
        args = typing.get_args(current)
        if not args:
            return None
        current = args[-1] if isinstance(part, str) else args[0]
    current = _strip_annotation(current)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return current
    return None


def validate_document(
    model: type[pydantic.BaseModel],
    data: object,
    positions: Mapping[KeyPath, tuple[int, int]],
    path: str,
) -> pydantic.BaseModel:
    """Validate parsed data against ``model``, reporting problems by position.

    ``positions`` is the map returned by :func:`load_yaml_document` (any
    mapping of key paths to 1-based (line, column) will do). On failure the
    first problem pydantic found becomes a :class:`ScenarioError`, with a note
    of how many more there were.
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        if not errors:  # pragma: no cover - pydantic always reports at least one
            raise ScenarioError(path, one_line(str(exc))) from None
        first = errors[0]
        loc = (*first.get("loc", ()), *_error_where(first))
        kind = first.get("type", "")
        found, complete = _data_path(data, loc)

        value_positions = getattr(positions, "value_positions", None)
        if kind == "missing" and loc and not complete:
            # Point at the parent that should have held the missing field.
            field_path: KeyPath = (*found, loc[-1])
            position = _nearest_position(positions, found)
        elif loc and loc[-1] == "[key]":
            # A mapping key that is not allowed: point at the key as written.
            field_path = found
            position = _nearest_position(positions, found)
        elif kind != "extra_forbidden" and isinstance(value_positions, Mapping):
            field_path = found
            position = value_positions.get(found) or _nearest_position(positions, found)
        else:
            field_path = found
            position = _nearest_position(positions, found)

        message = _error_message(model, first, field_path)
        more = len(errors) - 1
        if more:
            message += f" (and {more} more problem{'s' if more != 1 else ''})"
        line, column = position if position is not None else (None, None)
        raise ScenarioError(path, message, line, column, dotted(field_path)) from None
