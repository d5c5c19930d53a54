"""`frontdoor schema`: the JSON Schema of scenario files, for editors, or a field table;
with --events, the schema of the event log (sim/log_schema.py)."""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Iterator

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.config import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files or event logs")
    p.add_argument(
        "--markdown",
        action="store_true",
        help="print a table of every field with its default and meaning instead",
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="the event log's schema (every kind of record, its fields, types and meaning)",
    )
    p.set_defaults(handler=handle)


def _without_required(node: object) -> object:
    """A copy of a schema fragment in which nothing is required."""
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


def json_schema() -> dict[str, object]:
    """The scenario schema. A file that `extends` another gives only what it changes, so
    it is checked against the same fields with nothing required."""
    full = Scenario.model_json_schema()
    defs = full.pop("$defs", {})
    partial = _without_required(full)
    assert isinstance(partial, dict)
    partial["required"] = ["extends"]
    partial_defs = {f"{name}Changes": _without_required(d) for name, d in defs.items()}
    text = json.dumps(partial)
    for name in defs:
        text = text.replace(f'"#/$defs/{name}"', f'"#/$defs/{name}Changes"')
    partial = json.loads(text)
    for name, d in list(partial_defs.items()):
        body = json.dumps(d)
        for original in defs:
            body = body.replace(f'"#/$defs/{original}"', f'"#/$defs/{original}Changes"')
        partial_defs[name] = json.loads(body)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Front Door scenario",
        "description": full.get("description", "A Front Door scenario file."),
        "anyOf": [full, partial],
        "$defs": {**defs, **partial_defs},
    }


def _nested_model(annotation: object) -> type[BaseModel] | None:
    """The model a field holds directly, in a list, or as mapping values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _bounds(metadata: typing.Iterable[object]) -> str:
    """A number's bounds as an interval, e.g. ' [0, 1]' or ' (0, 36500]'; '' if none."""
    low = high = "?"
    low_mark, high_mark = "[", "]"
    for item in metadata:
        for attr, is_low, mark in (("ge", True, "["), ("gt", True, "("), ("le", False, "]"),
                                   ("lt", False, ")")):  # fmt: skip
            value = getattr(item, attr, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                if is_low:
                    low, low_mark = f"{value:g}", mark
                else:
                    high, high_mark = f"{value:g}", mark
    if (low, high) == ("?", "?"):
        return ""
    return f" {low_mark}{low}, {high}{high_mark}"


def _type_name(annotation: object, metadata: typing.Iterable[object] = ()) -> str:
    """The type as written in the README table, numbers with their bounds."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        inner = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return _type_name(base, [*inner, *metadata])
    if origin in (dict, list, tuple) and typing.get_args(annotation):
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{origin.__name__}[{args}]{_bounds(metadata) if origin is list else ''}"
    if origin is typing.Union or isinstance(annotation, types.UnionType):
        return " | ".join(_type_name(a, metadata) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        # A class by its own name, wherever it is defined (the scenario's sections live
        # in several modules of sim/).
        text = "None" if annotation is type(None) else annotation.__name__
    else:
        text = str(annotation).replace("typing.", "")
    return text + (_bounds(metadata) if annotation in (int, float) else "")


def field_rows(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[tuple[str, ...]]:
    """(dotted path, type, default, description) for every field, depth first."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        nested = _nested_model(annotation)
        if info.default is not PydanticUndefined:
            default = json.dumps(info.default, default=str)
        elif info.default_factory is not None:
            value = info.default_factory()  # type: ignore[call-arg]
            default = (
                "(see below)"
                if isinstance(value, BaseModel)
                else json.dumps(
                    value
                    if not isinstance(value, dict)
                    else {
                        k: (v.model_dump() if isinstance(v, BaseModel) else v)
                        for k, v in value.items()
                    },
                    default=str,
                )
            )
        else:
            default = "required"
        if len(default) > 60:
            default = default[:57] + "..."
        yield (path, _type_name(annotation, info.metadata), default, info.description or "")
        if nested is not None:
            origin = typing.get_origin(annotation)
            sep = ".N." if origin is list else ".KEY." if origin is dict else "."
            yield from field_rows(nested, f"{path}{sep}")


def markdown_table() -> str:
    lines = ["| field | type | default | meaning |", "| --- | --- | --- | --- |"]
    for path, kind, default, text in field_rows():
        cells = [f"`{path}`", kind, f"`{default}`", text]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def handle(args: argparse.Namespace) -> int:
    if args.events:
        from sim.log_schema import events_markdown, events_schema_json

        sys.stdout.write(events_markdown() if args.markdown else events_schema_json())
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")
    return 0
