"""The event log's schema, read from the record types themselves (sim/records.py).

Each record type's fields carry their type and meaning as `Annotated[type, "meaning"]`;
this module turns them into the JSON that `frontdoor schema --events` prints and writes
beside a run's log tables, and into docs/event-log.md. The same descriptions decide how a
field is stored in a table (sim/log_files.py): a number, a flag, a text, a list of texts
(a Parquet list column; in CSV the items joined by `LIST_SEPARATOR`), or a JSON text for
the two nested values of run_started.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from typing import Any

from sim.records import HEADER_DOCS, RECORD_TYPES, EventKind

LIST_SEPARATOR = ";"
"""How a list of texts is written in a CSV cell: its items joined by this character."""

STORAGE = ("float", "int", "bool", "str", "list[str]", "json")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a record type: name, type as written, storage, meaning."""

    name: str
    type: str  # as written in Python, e.g. "str | None"
    storage: str  # one of STORAGE: how a table holds it
    optional: bool  # None where it does not apply (has a default)
    doc: str


def _type_text(tp: Any) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__name__
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_text(a) for a in args)
    name = getattr(origin, "__name__", str(origin))
    if tp is Any:
        return "Any"
    return f"{name}[{', '.join(_type_text(a) for a in args)}]"


def _storage(tp: Any) -> str:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return _storage(args[0])
    if tp is float or tp is int or tp is bool or tp is str:
        return tp.__name__
    if isinstance(tp, type) and issubclass(tp, str):  # EventKind
        return "str"
    if typing.get_origin(tp) is list and typing.get_args(tp) == (str,):
        return "list[str]"
    return "json"


def field_specs(record_type: Any) -> list[FieldSpec]:
    """Every field of a record type, header first, in order."""
    hints = typing.get_type_hints(record_type, include_extras=True)
    defaults = record_type._field_defaults
    out: list[FieldSpec] = []
    for name in record_type._fields:
        hint = EventKind if name == "kind" else hints[name]  # each kind's own literal
        doc = HEADER_DOCS.get(name, "")
        if typing.get_origin(hint) is typing.Annotated:
            hint, *meta = typing.get_args(hint)
            doc = str(meta[0])
        storage = _storage(hint)
        kind_text = "EventKind" if hint is EventKind else _type_text(hint)
        out.append(FieldSpec(name, kind_text, storage, name in defaults, doc))
    return out


SPECS: dict[EventKind, list[FieldSpec]] = {k: field_specs(t) for k, t in RECORD_TYPES.items()}


def _doc_of(record_type: Any) -> str:
    return " ".join((record_type.__doc__ or "").split())


def events_schema() -> dict[str, Any]:
    """{kind: {"doc", "fields": {name: {"type", "storage", "optional", "doc"}}}}."""
    return {
        kind.value: {
            "doc": _doc_of(RECORD_TYPES[kind]),
            "fields": {
                s.name: {"type": s.type, "storage": s.storage, "optional": s.optional, "doc": s.doc}
                for s in SPECS[kind]
            },
        }
        for kind in EventKind
    }


def events_schema_json() -> str:
    return json.dumps(events_schema(), indent=2) + "\n"


_STORED_AS = {
    "float": "number",
    "int": "integer",
    "bool": "true/false",
    "str": "text",
    "list[str]": f"list of texts (CSV: joined by `{LIST_SEPARATOR}`)",
    "json": "JSON text",
}


def events_markdown() -> str:
    """docs/event-log.md: what every table of a run's event log holds."""
    lines = [
        "# The event log",
        "",
        "<!-- Made by `frontdoor schema --events --markdown`; do not edit by hand. -->",
        "",
        "Every change in a run is one record. `frontdoor run --out DIR` writes one table per",
        "kind of record for each replication, `DIR/events-repNNN/KIND.parquet` (or `.csv`",
        "with `--log-format csv`), and beside them this schema as `schema.json`.",
        "Every table begins with the same five columns (time, seq, kind, case, family);",
        "`seq` orders the records of all tables of a replication. A field marked optional",
        "is empty where it does not apply. In CSV, true/false are written `true`/`false`,",
        f"an empty cell is a missing value, and a list of texts is joined by `{LIST_SEPARATOR}`.",
        "",
    ]
    for kind in EventKind:
        lines += [f"## {kind.value}", "", _doc_of(RECORD_TYPES[kind]), ""]
        lines += ["| field | type | stored as | meaning |", "| --- | --- | --- | --- |"]
        for s in SPECS[kind]:
            typ = s.type + (" (optional)" if s.optional else "")
            cells = [f"`{s.name}`", f"`{typ}`", _STORED_AS[s.storage], s.doc]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
