"""The event log: the contract between the model and everything that reads it.

Every state change in a run is one `LogRecord`: the simulated time (days), a running
sequence number, the kind of change, the case and family it concerns, and the fields
that changed. analysis/ and the trainer's debrief read only this log, never the model's
internals. Records are written in the order they happen; with the same scenario and
seed the written log is byte-identical, because every float is written at fixed
precision and every field in sorted order.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple


class EventKind(StrEnum):
    RUN_STARTED = "run_started"  # the scenario, seed and team of the run
    FAMILY_CREATED = "family_created"  # the hidden truth of a family (for analysis only)
    REFERRAL_ARRIVED = "referral_arrived"
    OUT_OF_HOURS_TRIAGED = "out_of_hours_triaged"  # the EDT's reading of a night referral
    SCREENED = "screened"
    QUEUED = "queued"  # waiting for allocation, with its priority
    ALLOCATED = "allocated"
    ASSESSMENT_STAGE_ENDED = "assessment_stage_ended"
    CONCLUDED = "concluded"  # outcome of assessment
    PLAN_STARTED = "plan_started"
    PLAN_ENDED = "plan_ended"
    CLOSED = "closed"
    INFORMATION_REQUESTED = "information_requested"
    INFORMATION_RETURNED = "information_returned"
    BARRIER_TESTED = "barrier_tested"
    HARM_OCCURRED = "harm_occurred"
    HANDED_OVER = "handed_over"
    INCIDENT_GRADED = "incident_graded"
    INCIDENT_REPORTED = "incident_reported"
    ERROR_CENSORED = "error_censored"  # open at the end or when the family left: never graded
    FAMILY_LEFT = "family_left"  # out of the team's population for good
    TRUTH_CHANGED = "truth_changed"
    WORKER_CHANGED = "worker_changed"
    RUN_ENDED = "run_ended"


NO_ID = -1  # case or family field of a record that concerns neither


class LogRecord(NamedTuple):
    """One state change. Immutable; a tuple, because a run writes a hundred thousand."""

    time: float
    seq: int
    kind: EventKind
    case: int
    family: int
    data: Mapping[str, Any]

    def data_json(self) -> str:
        return json.dumps(_rounded(self.data), sort_keys=True, separators=(",", ":"))


def _rounded(value: Any) -> Any:
    # Fixed precision keeps the written log identical across platforms and processes.
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Mapping):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


_new_record = tuple.__new__

CSV_COLUMNS = ("time", "seq", "kind", "case", "family", "data")


class EventLog:
    """An append-only list of records for one run."""

    def __init__(self) -> None:
        self.records: list[LogRecord] = []

    def emit(
        self, time: float, kind: EventKind, case: int, family: int, data: dict[str, Any]
    ) -> LogRecord:
        """Append one record; `case` or `family` is NO_ID when the record concerns none.

        The fields come as a dict built by the caller, not as keyword arguments, and the
        record is built with tuple.__new__, skipping the named tuple's constructor: emit
        is the model's most frequent call, and these halve its cost (benchmarks/).
        """
        records = self.records
        record = _new_record(LogRecord, (time, len(records), kind, case, family, data))
        records.append(record)
        return record

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[LogRecord]:
        return iter(self.records)

    def of_kind(self, *kinds: EventKind) -> Iterator[LogRecord]:
        wanted = set(kinds)
        return (r for r in self.records if r.kind in wanted)

    def rows(self) -> Iterator[tuple[str, int, str, int, int, str]]:
        for r in self.records:
            yield (f"{r.time:.6f}", r.seq, r.kind.value, r.case, r.family, r.data_json())

    def to_csv_text(self) -> str:
        buffer = io.StringIO()
        write_csv_rows(buffer, self.rows())
        return buffer.getvalue()

    def write_csv(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            write_csv_rows(handle, self.rows())

    def write_parquet(self, path: str | Path) -> None:
        """Write the log as Parquet (needs the optional `parquet` extra: pyarrow)."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise RuntimeError(
                "writing Parquet needs pyarrow: pip install 'frontdoor[parquet]'"
            ) from exc
        columns = list(zip(*self.rows(), strict=True)) or [[] for _ in CSV_COLUMNS]
        table = pa.table(
            {
                "time": pa.array([float(t) for t in columns[0]], pa.float64()),
                "seq": pa.array(columns[1], pa.int64()),
                "kind": pa.array(columns[2], pa.string()),
                "case": pa.array(columns[3], pa.int64()),
                "family": pa.array(columns[4], pa.int64()),
                "data": pa.array(columns[5], pa.string()),
            }
        )
        pq.write_table(table, path)


def write_csv_rows(handle: Any, rows: Iterable[tuple[Any, ...]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)


def read_csv(path: str | Path) -> list[LogRecord]:
    """Read a log written by `EventLog.write_csv` back into records."""
    records: list[LogRecord] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            records.append(
                LogRecord(
                    float(row["time"]),
                    int(row["seq"]),
                    EventKind(row["kind"]),
                    int(row["case"]),
                    int(row["family"]),
                    json.loads(row["data"]),
                )
            )
    return records
