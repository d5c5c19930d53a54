"""The typed event log: one record type per kind, its schema and doc, its tables on disk.

Real runs of a short baseline are written as one table per kind (Parquet and CSV), read
back, and written again: the bytes must not move, and the records read back must give
the digest and the KPIs of the run itself. The schema printed by `frontdoor schema
--events` and docs/event-log.md are made from the record types, and must stay in step.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from log_digests import digest

from analysis.kpis import compute_kpis
from frontdoor.cli import COMMAND_HELP, COMMAND_MODULES, build_parser
from sim.events import EventKind, EventLog
from sim.loader import load_scenario, scenario_with, scenarios_dir
from sim.log_files import read_log, write_log
from sim.log_schema import SPECS, events_markdown, events_schema
from sim.model import FrontDoorModel
from sim.records import (
    RECORD_TYPES,
    BarrierTested,
    Closed,
    InformationReturned,
    record_fields,
)

ROOT = Path(__file__).resolve().parent.parent
FRONTDOOR = Path(sys.executable).with_name("frontdoor")


@pytest.fixture(scope="module")
def short_log() -> EventLog:
    scenario = load_scenario(str(scenarios_dir() / "baseline.yaml"))
    short = scenario_with(scenario, {"run.warm_up_days": 30.0, "run.horizon_days": 90.0})
    return FrontDoorModel(short, seed=11).run()


def test_every_kind_has_a_documented_record_type() -> None:
    assert set(RECORD_TYPES) == set(EventKind)
    schema = events_schema()
    assert list(schema) == [k.value for k in EventKind]
    for kind, entry in schema.items():
        assert entry["doc"], kind
        names = list(entry["fields"])
        assert names[:5] == ["time", "seq", "kind", "case", "family"], kind
        for name, field in entry["fields"].items():
            assert field["type"] and field["doc"], (kind, name)


def test_append_keeps_typed_records_in_sequence_and_refuses_unknown_fields() -> None:
    log = EventLog()
    seen: list[object] = []
    log.listeners.append(seen.append)
    fields: dict[str, Any] = {"barrier": "screening", "held": False}
    fields |= {"conditions": ["time_pressure"], "active_failure": True, "worker": 3}
    fields |= {"role": "student"}
    record = log.append(BarrierTested(2.5, log.next_seq, EventKind.BARRIER_TESTED, 7, 9, **fields))
    assert isinstance(record, BarrierTested) and seen == [record]
    assert (record.seq, record.barrier, record.held, record.worker) == (0, "screening", False, 3)
    assert record.decided is None and record.at is None
    assert record_fields(record) == fields  # optional fields that do not apply are left out
    with pytest.raises(TypeError):
        Closed(3.0, 1, EventKind.CLOSED, 7, 9, reason="x", days_open=1.0, colour=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        log.append(record)  # its seq is taken
    # A log that stops keeping records still numbers them and tells its listeners.
    log.stop_keeping()
    closed = log.append(
        Closed(4.0, log.next_seq, EventKind.CLOSED, 7, 9, reason="x", days_open=1.5)
    )
    built = BarrierTested(5.0, log.next_seq, EventKind.BARRIER_TESTED, 7, 9, **fields)
    assert log.append(built) is built
    assert (closed.seq, built.seq, log.next_seq, log.records) == (1, 2, 3, [])
    assert seen == [record, closed, built]
    with pytest.raises(ValueError):
        log.append(closed)  # numbering runs on even when nothing is kept


def test_information_answers_keep_only_the_fields_of_their_kind() -> None:
    agency = InformationReturned(
        1.0,
        0,
        EventKind.INFORMATION_RETURNED,
        1,
        1,
        what="agency",
        agency="police",
        outcome="answered",
        answered_by=None,
    )
    assert record_fields(agency) == {
        "what": "agency",
        "agency": "police",
        "outcome": "answered",
        "answered_by": None,
    }
    database = agency._replace(what="database", agency=None, evidence_key=None)
    assert record_fields(database) == {
        "what": "database",
        "outcome": "answered",
        "evidence_key": None,
    }


@pytest.mark.parametrize("log_format", ["parquet", "csv"])
def test_tables_round_trip_byte_for_byte(
    short_log: EventLog, tmp_path: Path, log_format: str
) -> None:
    written = write_log(short_log.records, tmp_path, "first", log_format)
    assert len(written) == len(EventKind) + 1
    back = read_log(tmp_path / "first")
    assert [r.seq for r in back] == list(range(len(short_log)))
    assert digest(back) == digest(short_log.records)
    write_log(back, tmp_path, "again", log_format)
    for path in written:
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path
    kpis, again = compute_kpis(short_log.records), compute_kpis(back)
    for name, value in kpis.items():
        if math.isnan(value):
            assert math.isnan(again[name]), name
        else:  # the tables hold six decimals
            assert again[name] == pytest.approx(value, rel=1e-5, abs=1e-5), name


def test_same_seed_same_table_bytes(short_log: EventLog, tmp_path: Path) -> None:
    scenario = load_scenario(str(scenarios_dir() / "baseline.yaml"))
    short = scenario_with(scenario, {"run.warm_up_days": 30.0, "run.horizon_days": 90.0})
    again = FrontDoorModel(short, seed=11).run()
    first = write_log(short_log.records, tmp_path, "a", "parquet")
    second = write_log(again.records, tmp_path, "b", "parquet")
    assert [p.name for p in first] == [p.name for p in second]
    for one, other in zip(first, second, strict=True):
        assert one.read_bytes() == other.read_bytes(), one


def test_list_fields_are_list_columns(short_log: EventLog, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_log(short_log.records, tmp_path, "log", "parquet")
    for kind, specs in SPECS.items():
        table = pq.read_table(tmp_path / "log" / f"{kind.value}.parquet")
        for spec in specs:
            kind_of_column = str(table.schema.field(spec.name).type)
            if spec.storage == "list[str]":
                assert kind_of_column.startswith("list<"), (kind, spec.name)
            else:
                assert not kind_of_column.startswith("list<"), (kind, spec.name)


def test_docs_match_the_schema() -> None:
    written = (ROOT / "docs" / "event-log.md").read_text(encoding="utf-8")
    assert written == events_markdown(), "run: frontdoor schema --events --markdown"


def test_schema_command_prints_the_event_schema() -> None:
    out = subprocess.run(
        [str(FRONTDOOR), "schema", "--events"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == events_schema()


def test_command_list_matches_each_commands_own_help() -> None:
    assert set(COMMAND_HELP) <= set(COMMAND_MODULES)
    for name, text in COMMAND_HELP.items():
        parser = build_parser(only=name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {a.dest: a.help for a in sub._choices_actions}  # type: ignore[attr-defined]
        assert helps[name] == text, name


HEAVY = ("scipy", "pandas", "matplotlib", "pyarrow")
PROBE = """
import io, contextlib, json, sys
from frontdoor.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


@pytest.mark.parametrize(
    "argv", [["--help"], ["validate", str(ROOT / "scenarios" / "baseline.yaml")]]
)
def test_quick_commands_import_no_scientific_stack(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, None)
    assert result["loaded"] == []
