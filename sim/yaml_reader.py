"""The strict YAML reader: one document of plain settings, with every position kept.

Parses with PyYAML's safe loader only and is stricter than YAML itself: it refuses text
that is too large or empty, more than one document, a top level that is not a mapping,
tags of any kind, anchors, aliases and merge keys, the same key twice in one mapping, keys
that are not text, and nesting deeper than a fixed limit. Each refusal is one located
`ScenarioError`, raised while composing so that they come out in file order.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.yaml_errors import KeyPath, PositionMap, ScenarioError, dotted, one_line, short_repr

DEFAULT_MAX_BYTES = 1_000_000
_MAX_DEPTH = 100

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


def size_error(path: str, size: int | None, max_bytes: int) -> ScenarioError:
    """The refusal of a file over `max_bytes` (`size` None: not known exactly)."""
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
        field = dotted(self.key_path) if name_field else None
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
        message = f"invalid YAML: {one_line(problem)}"
        if exc.context and exc.problem and exc.context_mark is not None:
            message += f" ({one_line(exc.context)} on line {exc.context_mark.line + 1})"
        if mark is None:
            return ScenarioError(path, message)
        line, column = _position(mark)
        return ScenarioError(path, message, line, column)
    return ScenarioError(path, f"invalid YAML: {one_line(str(exc))}")


def _describe(value: object) -> str:
    """Plain words for the kind of a parsed value."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"a true/false value ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a piece of text ({short_repr(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({short_repr(value)})"


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
        return ScenarioError(self.path, message, line, column, dotted(key_path))

    def scalar(self, node: ScalarNode, key_path: KeyPath) -> object:
        if node.tag not in _CONSTRUCTIBLE_TAGS:
            # Only implicit resolution gets here (explicit tags are refused), e.g. '='.
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, TypeError, yaml.YAMLError) as exc:
            kind = _TAG_WORDS.get(node.tag, "value")
            reason = one_line(str(exc))
            raise self.error(
                node,
                f"{short_repr(node.value)} looks like a {kind} but is not a valid one "
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
    text: str, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[object, PositionMap]:
    """Parse one YAML document safely and strictly.

    Returns the plain data (dicts, lists, text, numbers, booleans, dates and
    None) and a :class:`PositionMap` from every key path to its 1-based
    (line, column). The top level is always a mapping. ``path`` is only used
    in error messages. Raises :class:`ScenarioError` for anything refused.
    """
    if len(text) > max_bytes or (len(text) * 4 > max_bytes and _utf8_size(text) > max_bytes):
        raise size_error(path, _utf8_size(text), max_bytes)

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
