"""Safe loading of scenario YAML files, with error messages people can act on.

Scenario files are written by hand, so mistakes in them should be reported the
way a compiler reports mistakes in source code: the file name, the line and
column, the setting that is wrong and what is wrong with it, in one plain line.

This module parses YAML with PyYAML's safe loader only, and is stricter than
YAML itself. It refuses:

* files that are too large, empty, or hold only comments;
* more than one document in a file, or a top level that is not a mapping;
* tags of any kind (``!!python/object``, ``!custom``, even ``!!str``);
* anchors, aliases and merge keys (``&name``, ``*name``, ``<<``);
* the same key twice in one mapping, and keys that are not text;
* nesting deeper than a fixed limit.

Every refusal is a single :class:`ScenarioError`. The parsed data is then
checked against a pydantic model, and the first validation problem is turned
into a :class:`ScenarioError` that points at the right place in the file.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
import yaml
from pydantic.fields import FieldInfo
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = (
    "KeyPath",
    "PositionMap",
    "ScenarioError",
    "load_model_file",
    "load_yaml_document",
    "validate_document",
)

KeyPath = tuple[str | int, ...]
"""A path into parsed data: mapping keys and list indices, outermost first."""

_DEFAULT_MAX_BYTES = 1_000_000
_MAX_DEPTH = 100
_MAX_REPR = 60

_MERGE_TAG = "tag:yaml.org,2002:merge"
_CONSTRUCTIBLE_TAGS = frozenset(
    {
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:str",
    }
)
_TAG_WORDS = types.MappingProxyType(
    {
        "tag:yaml.org,2002:int": "whole number",
        "tag:yaml.org,2002:float": "number",
        "tag:yaml.org,2002:timestamp": "date",
    }
)
# The line breaks YAML counts when it numbers lines.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class ScenarioError(Exception):
    """A problem with a scenario file, located as precisely as possible.

    ``line`` and ``column`` are 1-based; ``field`` is a dotted path such as
    ``staff.workers.2.role``. Any of the three may be ``None`` when unknown.
    """

    path: str
    line: int | None
    column: int | None
    field: str | None
    message: str

    def __init__(
        self,
        path: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(path, message, line, column, field)
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        parts = [location]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class PositionMap(dict[KeyPath, tuple[int, int]]):
    """Maps each key path to the 1-based (line, column) where it appears.

    For a mapping entry the position is that of its key, so that an unknown
    setting is reported where its name is written. ``value_positions`` holds
    the position of the value itself under the same key paths, which is the
    better place to point at when the value is wrong. For list items and the
    top level both positions are the same.
    """

    __slots__ = ("value_positions",)

    def __init__(self) -> None:
        super().__init__()
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}


# ---------------------------------------------------------------------------
# YAML parsing
# ---------------------------------------------------------------------------


def _dotted(key_path: Sequence[str | int]) -> str | None:
    """Join a key path with dots, or return None for the top level."""
    return ".".join(str(part) for part in key_path) if key_path else None


def _short_repr(value: object) -> str:
    """``repr`` of a value, cut down so an error message stays one short line."""
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def _one_line(text: str) -> str:
    """Collapse all whitespace runs (including newlines) to single spaces."""
    return " ".join(text.split())


def _position(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a PyYAML mark (whose numbers are 0-based).

    Typed loosely because PyYAML has two mark classes (pure and C) and events from the
    composer always carry one; a missing mark is reported at the top of the file.
    """
    if mark is None:
        return 1, 1
    return int(mark.line) + 1, int(mark.column) + 1


def _position_of_offset(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset, counting breaks like YAML."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line += 1
        line_start = match.end()
    return line, offset - line_start + 1


def _utf8_size(text: str) -> int:
    """Size of ``text`` in bytes once encoded as UTF-8."""
    return len(text.encode("utf-8", "surrogatepass"))


def _size_error(path: str, size: int | None, max_bytes: int) -> ScenarioError:
    size_words = f"{size:,} bytes" if size is not None else "more than that"
    return ScenarioError(
        path, f"the file is too large ({size_words}; the limit is {max_bytes:,} bytes)"
    )


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses tags, anchors, aliases, merge keys and deep nesting.

    Refusals are raised while composing, so they come out in file order.
    """

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self.scenario_path = path
        self.depth = 0
        self.key_path: list[str | int] = []  # where in the document the composer is

    def refuse(self, mark: Any, message: str, *, name_field: bool = True) -> ScenarioError:
        line, column = _position(mark)
        field = _dotted(self.key_path) if name_field else None
        return ScenarioError(self.scenario_path, message, line, column, field)

    def compose_node(self, parent: Node | None, index: object) -> Node:
        # PyYAML composes a mapping value with its key node as `index`, a list item with
        # its position; keep the key path so refusals can name the field.
        if isinstance(index, ScalarNode):
            self.key_path.append(str(index.value))
        elif isinstance(index, int) and not isinstance(index, bool):
            self.key_path.append(index)
        else:
            return self._compose(parent, index)
        try:
            return self._compose(parent, index)
        finally:
            self.key_path.pop()

    def _compose(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise self.refuse(
                event.start_mark,
                f"aliases are not allowed (found '*{event.anchor}'); write the value out in full",
            )
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise self.refuse(
                event.start_mark,
                f"anchors are not allowed (found '&{event.anchor}'); write the value out in full",
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
            raise self.refuse(
                event.start_mark,
                f"tags are not allowed (found {_tag_as_written(event.tag)!r}); "
                "write plain values only",
            )
        if self.depth >= _MAX_DEPTH:
            raise self.refuse(
                event.start_mark,
                f"the document is nested more than {_MAX_DEPTH} levels deep",
                name_field=False,  # a path a hundred levels long helps nobody
            )
        self.depth += 1
        try:
            # PyYAML's stubs allow None, but composing a node that the parser announced
            # always yields one; `index` is whatever the parent passed down.
            node = typing.cast(Node, super().compose_node(parent, index))  # type: ignore[arg-type]
        finally:
            self.depth -= 1
        if isinstance(node, ScalarNode) and node.tag == _MERGE_TAG:
            raise self.refuse(
                node.start_mark,
                "merge keys ('<<') are not allowed; write the settings out in full",
            )
        return node


def _tag_as_written(tag: str) -> str:
    """Show a resolved tag roughly the way it was written in the file."""
    prefix = "tag:yaml.org,2002:"
    if tag.startswith(prefix):
        return "!!" + tag[len(prefix) :]
    return tag


def _yaml_error(path: str, text: str, exc: yaml.YAMLError) -> ScenarioError:
    """Turn a PyYAML error into a one-line ScenarioError."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = _position_of_offset(text, exc.position)
        return ScenarioError(
            path,
            f"invalid YAML: the character {chr(exc.character)!r} "
            f"(U+{exc.character:04X}) is not allowed in YAML",
            line,
            column,
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "could not parse the file"
        message = f"invalid YAML: {_one_line(problem)}"
        if exc.context and exc.problem and exc.context_mark is not None:
            message += f" ({_one_line(exc.context)} on line {exc.context_mark.line + 1})"
        if mark is None:
            return ScenarioError(path, message)
        line, column = _position(mark)
        return ScenarioError(path, message, line, column)
    return ScenarioError(path, f"invalid YAML: {_one_line(str(exc))}")


def _describe(value: object) -> str:
    """Plain words for the kind of a parsed value."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"a true/false value ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a piece of text ({_short_repr(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({_short_repr(value)})"


def _kind(value: object) -> str:
    """Plain words for the kind of a parsed value, without quoting it."""
    if isinstance(value, str):
        return "a piece of text"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    return _describe(value) if value is None or isinstance(value, list | dict) else "a value"


class _Builder:
    """Turns a composed node tree into plain Python data, recording positions."""

    def __init__(self, loader: _StrictLoader, path: str) -> None:
        self.loader = loader
        self.path = path
        self.positions = PositionMap()

    def error(self, node: Node, message: str, key_path: KeyPath) -> ScenarioError:
        line, column = _position(node.start_mark)
        return ScenarioError(self.path, message, line, column, _dotted(key_path))

    def scalar(self, node: ScalarNode, key_path: KeyPath) -> object:
        if node.tag not in _CONSTRUCTIBLE_TAGS:
            # Only implicit resolution gets here (explicit tags are refused), e.g. '='.
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, TypeError, yaml.YAMLError) as exc:
            kind = _TAG_WORDS.get(node.tag, "value")
            reason = _one_line(str(exc))
            raise self.error(
                node,
                f"{_short_repr(node.value)} looks like a {kind} but is not a valid one "
                f"({reason}); quote it if you meant text",
                key_path,
            ) from None

    def build(self, node: Node, key_path: KeyPath) -> object:
        if isinstance(node, ScalarNode):
            return self.scalar(node, key_path)
        if isinstance(node, SequenceNode):
            items: list[object] = []
            for index, item in enumerate(node.value):
                item_path = (*key_path, index)
                position = _position(item.start_mark)
                self.positions[item_path] = position
                self.positions.value_positions[item_path] = position
                items.append(self.build(item, item_path))
            return items
        if isinstance(node, MappingNode):
            return self.mapping(node, key_path)
        raise self.error(node, "unsupported YAML node", key_path)  # pragma: no cover

    def mapping(self, node: MappingNode, key_path: KeyPath) -> dict[str, object]:
        result: dict[str, object] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, key_path) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key_node, ScalarNode) or not isinstance(key, str):
                if isinstance(key_node, ScalarNode):
                    advice = f"this key is {_describe(key)}; put it in quotes if you meant text"
                else:
                    kind = "a list" if isinstance(key_node, SequenceNode) else "a mapping"
                    advice = f"this key is {kind}"
                raise self.error(key_node, f"setting names must be text, but {advice}", key_path)
            entry_path = (*key_path, key)
            key_line = key_node.start_mark.line + 1
            if key in first_seen:
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} (first on line {first_seen[key]}, "
                    f"again on line {key_line})",
                    entry_path,
                )
            first_seen[key] = key_line
            self.positions[entry_path] = _position(key_node.start_mark)
            self.positions.value_positions[entry_path] = _position(value_node.start_mark)
            result[key] = self.build(value_node, entry_path)
        return result


def load_yaml_document(
    text: str, path: str, *, max_bytes: int = _DEFAULT_MAX_BYTES
) -> tuple[object, PositionMap]:
    """Parse one YAML document safely and strictly.

    Returns the plain data (dicts, lists, text, numbers, booleans, dates and
    None) and a :class:`PositionMap` from every key path to its 1-based
    (line, column). The top level is always a mapping. ``path`` is only used
    in error messages. Raises :class:`ScenarioError` for anything refused.
    """
    if len(text) > max_bytes or (len(text) * 4 > max_bytes and _utf8_size(text) > max_bytes):
        raise _size_error(path, _utf8_size(text), max_bytes)

    try:
        loader = _StrictLoader(text, path)
    except yaml.YAMLError as exc:  # the reader checks every character up front
        raise _yaml_error(path, text, exc) from None
    try:
        try:
            loader.get_event()  # stream start
            if loader.check_event(StreamEndEvent):
                raise ScenarioError(path, "the file is empty (it holds no settings)", 1, 1)
            # Not None: the stream-end check above means a document follows.
            root = typing.cast(Node, loader.compose_document())
            if not loader.check_event(StreamEndEvent):
                event = loader.get_event()
                line, column = _position(event.start_mark)
                raise ScenarioError(
                    path,
                    f"the file holds more than one YAML document (another starts on line {line}); "
                    "put all the settings in one document",
                    line,
                    column,
                )
        except yaml.YAMLError as exc:
            raise _yaml_error(path, text, exc) from None

        if isinstance(root, ScalarNode) and root.value == "" and root.style is None:
            raise ScenarioError(path, "the file is empty (it holds no settings)", 1, 1)

        builder = _Builder(loader, path)
        data = builder.build(root, ())
        root_position = _position(root.start_mark)
        builder.positions[()] = root_position
        builder.positions.value_positions[()] = root_position
        if not isinstance(data, dict):
            raise ScenarioError(
                path,
                "the top level of the file must be a mapping of 'name: value' settings, "
                f"but it is {_kind(data)}",  # the kind only: never echo a stray file's text
                *root_position,
            )
        return data, builder.positions
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------
# Validation against a pydantic model
# ---------------------------------------------------------------------------


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
    message = _lower_first(_one_line(message))
    if "input" in error and _is_scalar(error["input"]):
        message += f" (got {_short_repr(error['input'])})"
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
            raise ScenarioError(path, _one_line(str(exc))) from None
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
        raise ScenarioError(path, message, line, column, _dotted(field_path)) from None


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def load_model_file(
    model: type[pydantic.BaseModel],
    path: str | os.PathLike[str],
    *,
    max_bytes: int = _DEFAULT_MAX_BYTES,
) -> pydantic.BaseModel:
    """Read a YAML file, parse it strictly and validate it against ``model``.

    Raises :class:`ScenarioError` if the file is missing, is a directory, is
    too large, is not UTF-8 text, is not acceptable YAML, or does not match
    the model.
    """
    name = os.fsdecode(path)
    data, positions = read_document(path, max_bytes=max_bytes)
    return validate_document(model, data, positions, name)


def read_document(
    path: str | os.PathLike[str], *, max_bytes: int = _DEFAULT_MAX_BYTES
) -> tuple[object, PositionMap]:
    """Read and parse a YAML file strictly, without validating it against a model."""
    name = os.fsdecode(path)
    if os.path.isdir(name):
        raise ScenarioError(name, "this is a directory, not a file")
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ScenarioError(name, "the file does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(name, "this is a directory, not a file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(name, f"the file could not be read ({reason.lower()})") from None
    if len(raw) > max_bytes:
        raise _size_error(name, max(size, len(raw)), max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            name,
            f"the file is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start} "
            "cannot be decoded); save it as UTF-8",
        ) from None
    return load_yaml_document(text, name, max_bytes=max_bytes)
