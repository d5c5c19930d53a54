"""Writing a run's event log as one table per kind, and reading it back.

A replication's log goes into a folder, `events-repNNN/`, holding `KIND.parquet` (or
`KIND.csv`) for every kind of record, empty tables included, and `schema.json` (the
schema of docs/event-log.md), so the tables open as they are in pandas, DuckDB or R.
Columns follow the record type's fields in order, header first. Floats are rounded to
six decimals, so one seed gives byte-identical files. How each field is stored is set by
its type (sim/log_schema.py): a list of texts is a Parquet list column and, in CSV, the
items joined by `LIST_SEPARATOR`; run_started's team and reporting set-up are JSON text.

Only `pyarrow` is needed for Parquet, and it is imported when a Parquet table is written
or read, never for a CSV log.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.log_schema import LIST_SEPARATOR, SPECS, FieldSpec, events_schema_json
from sim.records import RECORD_TYPES, EventKind, LogRecord

LOG_FORMATS = ("parquet", "csv")
SCHEMA_FILE = "schema.json"


def rounded(value: Any) -> Any:
    """`value` with floats rounded as the written log rounds them (6 decimals)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {str(k): rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def _json_text(value: Any) -> str:
    return json.dumps(rounded(value), sort_keys=True, separators=(",", ":"))


def by_kind(records: Iterable[LogRecord]) -> dict[EventKind, list[LogRecord]]:
    """The records split by kind, every kind present (in EventKind order)."""
    out: dict[EventKind, list[LogRecord]] = {kind: [] for kind in EventKind}
    for r in records:
        out[r.kind].append(r)
    return out


# -- CSV ----------------------------------------------------------------------------------


def _csv_cell(value: Any, storage: str) -> str:
    if value is None:
        return ""
    if storage == "float":
        return repr(round(float(value), 6)) if isinstance(value, float) else str(value)
    if storage == "bool":
        return "true" if value else "false"
    if storage == "list[str]":
        items = [str(v) for v in value]
        if any(LIST_SEPARATOR in item for item in items):
            raise ValueError(f"a list item holds {LIST_SEPARATOR!r}: {items}")
        return LIST_SEPARATOR.join(items)
    if storage == "json":
        return _json_text(value)
    if storage == "str":
        return str(getattr(value, "value", value))
    return str(value)


def _from_csv(text: str, spec: FieldSpec) -> Any:
    nullable = spec.optional or "None" in spec.type
    if text == "" and spec.storage != "list[str]" and (nullable or spec.storage != "str"):
        return None
    storage = spec.storage
    if storage == "float":
        number = float(text)
        return int(number) if "." not in text and "e" not in text and "n" not in text else number
    if storage == "int":
        return int(text)
    if storage == "bool":
        return text == "true"
    if storage == "list[str]":
        return text.split(LIST_SEPARATOR) if text else []
    if storage == "json":
        return json.loads(text)
    return text


def csv_table_text(kind: EventKind, records: Sequence[LogRecord]) -> str:
    specs = SPECS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([s.name for s in specs])
    for r in records:
        writer.writerow([_csv_cell(v, s.storage) for v, s in zip(r, specs, strict=True)])
    return buffer.getvalue()


def log_csv_text(records: Iterable[LogRecord]) -> str:
    """Every kind's CSV table in one text, each after a `## kind` line (for comparisons)."""
    parts = []
    for kind, rows in by_kind(records).items():
        parts.append(f"## {kind.value}\n")
        parts.append(csv_table_text(kind, rows))
    return "".join(parts)


def _read_csv_table(path: Path, kind: EventKind) -> list[LogRecord]:
    specs = SPECS[kind]
    make = RECORD_TYPES[kind]
    out: list[LogRecord] = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != [s.name for s in specs]:
            raise ValueError(f"{path}: columns {header} are not those of {kind.value}")
        for row in reader:
            values = [_from_csv(text, s) for text, s in zip(row, specs, strict=True)]
            values[2] = kind
            out.append(make(*values))
    return out


# -- Parquet ------------------------------------------------------------------------------


def _arrow_type(pa: Any, storage: str) -> Any:
    return {
        "float": pa.float64(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "str": pa.string(),
        "list[str]": pa.list_(pa.string()),
        "json": pa.string(),
    }[storage]


def _arrow_value(value: Any, storage: str) -> Any:
    if value is None:
        return None
    if storage == "float":
        return round(float(value), 6)
    if storage == "json":
        return _json_text(value)
    if storage == "str":
        return str(getattr(value, "value", value))
    return value


def write_parquet_table(path: Path, kind: EventKind, records: Sequence[LogRecord]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    specs = SPECS[kind]
    columns = {
        s.name: pa.array(
            [_arrow_value(r[i], s.storage) for r in records], _arrow_type(pa, s.storage)
        )
        for i, s in enumerate(specs)
    }
    pq.write_table(pa.table(columns), path)


def _from_arrow(value: Any, spec: FieldSpec) -> Any:
    if value is None:
        return None
    if spec.storage == "json":
        return json.loads(value)
    if spec.storage == "float" and value == int(value) and "int" in spec.type:
        return int(value)
    return value


def _read_parquet_table(path: Path, kind: EventKind) -> list[LogRecord]:
    import pyarrow.parquet as pq

    specs = SPECS[kind]
    make = RECORD_TYPES[kind]
    table = pq.read_table(path)
    if table.column_names != [s.name for s in specs]:
        raise ValueError(f"{path}: columns {table.column_names} are not those of {kind.value}")
    columns = [table.column(s.name).to_pylist() for s in specs]
    out: list[LogRecord] = []
    for values in zip(*columns, strict=True):
        fields = [_from_arrow(v, s) for v, s in zip(values, specs, strict=True)]
        fields[2] = kind
        out.append(make(*fields))
    return out


# -- folders ------------------------------------------------------------------------------


def write_log(
    records: Iterable[LogRecord], parent: str | Path, stem: str, log_format: str = "parquet"
) -> list[Path]:
    """Write `parent/stem/KIND.<format>` for every kind and `parent/stem/schema.json`."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {LOG_FORMATS}, not {log_format!r}")
    folder = Path(parent) / stem
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, rows in by_kind(records).items():
        path = folder / f"{kind.value}.{log_format}"
        if log_format == "parquet":
            write_parquet_table(path, kind, rows)
        else:
            path.write_text(csv_table_text(kind, rows), encoding="utf-8", newline="")
        written.append(path)
    schema = folder / SCHEMA_FILE
    schema.write_text(events_schema_json(), encoding="utf-8")
    written.append(schema)
    return written


def is_log_folder(folder: str | Path) -> bool:
    path = Path(folder)
    return path.is_dir() and (path / SCHEMA_FILE).is_file()


def read_log(folder: str | Path) -> list[LogRecord]:
    """A replication's records from its folder of tables (either format), in seq order."""
    path = Path(folder)
    records: list[LogRecord] = []
    for kind in EventKind:
        parquet = path / f"{kind.value}.parquet"
        text = path / f"{kind.value}.csv"
        if parquet.is_file():
            records.extend(_read_parquet_table(parquet, kind))
        elif text.is_file():
            records.extend(_read_csv_table(text, kind))
        else:
            raise FileNotFoundError(f"{path}: no table of {kind.value} (.parquet or .csv)")
    records.sort(key=lambda r: r.seq)
    return records
