"""The event log: the contract between the model and everything that reads it.

Every state change in a run is one record: the simulated time (days), a running sequence
number, the kind of change, the case and family it concerns (the common header), and the
fields of that kind, by name. There is one record type per kind (sim/records.py), each a
named tuple with typed, documented fields, so a reader writes `r.wait_days`, not a string
look-up, and `frontdoor schema --events` prints the same types and words.

Records are kept in the order they happen; with the same scenario and seed the written
log is byte-identical, because every float is written at fixed precision (sim/log_files.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sim.records import (
    HEADER,
    NO_ID,
    RECORD_TYPES,
    EventKind,
    LogRecord,
    record_fields,
)

__all__ = [
    "HEADER",
    "NO_ID",
    "RECORD_TYPES",
    "EventKind",
    "EventLog",
    "LogRecord",
    "record_fields",
]

class EventLog:
    """An append-only list of typed records for one run.

    `listeners` are called with every record as it is appended: reducers that keep a
    running figure (a count, a sum of waits) subscribe here instead of reading the
    stored records again when the run has ended.
    """

    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self.listeners: list[Callable[[LogRecord], None]] = []
        self._count = 0  # records made while not kept (see stop_keeping)
        self._keep = True

    @property
    def next_seq(self) -> int:
        """The sequence number the next appended record must carry."""
        return self._count + len(self.records)

    def append(self, record: LogRecord) -> LogRecord:
        """Append a record built by its own type, carrying `next_seq`.

        Every kind has one record type (sim/records.py), and the model builds each record
        by name, `log.append(Closed(now, log.next_seq, EventKind.CLOSED, case, family,
        reason=..., days_open=...))`, so the type checker sees every field.
        """
        if record.seq != self._count + len(self.records):
            raise ValueError(f"record seq {record.seq} is not the next seq {self.next_seq}")
        if self._keep:
            self.records.append(record)
        else:
            self._count += 1
        for listener in self.listeners:
            listener(record)
        return record

    def subscribe(self, listener: Callable[[LogRecord], None]) -> None:
        """Call `listener` with every record: those already kept, then each new one."""
        for record in self.records:
            listener(record)
        self.listeners.append(listener)

    def stop_keeping(self) -> None:
        """Keep no more records (nor those kept so far): listeners still get every one.

        For a replication whose log is reduced as it goes and never written: its records
        are freed as soon as the listeners have seen them. Sequence numbers run on.
        """
        self._count += len(self.records)
        self.records = []
        self._keep = False

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[LogRecord]:
        return iter(self.records)

    def of_kind(self, *kinds: EventKind) -> Iterator[LogRecord]:
        wanted = set(kinds)
        return (r for r in self.records if r.kind in wanted)

    def to_csv_text(self) -> str:
        """The whole log as one CSV text, one table per kind in kind order (for tests)."""
        from sim.log_files import log_csv_text

        return log_csv_text(self.records)

    def write(self, folder: str, stem: str, log_format: str = "parquet") -> list[str]:
        """Write one table per kind into `folder` (see sim/log_files.py); the paths."""
        from sim.log_files import write_log

        return [str(p) for p in write_log(self.records, folder, stem, log_format)]
