"""Session records: every shift at the desk, every action in it, and its score, in SQLite.

One database file holds many sessions. It runs in WAL mode with `synchronous=FULL`, and
every action is its own transaction, committed before the action takes effect: a shift
killed at any moment (even by SIGKILL) loses nothing it had committed, and reopening it
replays the seed and the committed actions to bring the desk back to where it was.

Only a pseudonymous trainee id is stored (letters, digits, '-' and '_'), never a name.
The seed, the exercise (and a fingerprint of its scenario) and the action log are enough
to re-run a session exactly, which is what a later replay or cohort report needs.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from trainer.desk import DeskAction
from trainer.scoring import SCORE_KEYS

SCHEMA_VERSION = 1
TRAINEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trainee TEXT NOT NULL,
    exercise TEXT NOT NULL,
    exercise_source TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    seed INTEGER NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
    score TEXT,
    details TEXT,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    sim_time REAL NOT NULL,
    wall_time REAL NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER,
    payload TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
"""
CSV_COLUMNS = (
    "id",
    "trainee",
    "exercise",
    "seed",
    "status",
    "started_at",
    "ended_at",
    "actions",
    *SCORE_KEYS,
)


class StoreError(Exception):
    """A problem with the session database, in plain words."""


def default_db_path() -> Path:
    """The sessions file in the user's data folder (FRONTDOOR_DATA_DIR overrides it)."""
    base = os.environ.get("FRONTDOOR_DATA_DIR") or platformdirs.user_data_dir("frontdoor")
    return Path(base) / "sessions.sqlite3"


def check_trainee_id(trainee: str) -> str:
    trainee = trainee.strip()
    if not TRAINEE_ID.match(trainee):
        raise StoreError(
            "a trainee id is a pseudonym of 1-32 letters, digits, '-' or '_' "
            f"(not a name or an email address), got {trainee!r}"
        )
    return trainee


@dataclass(frozen=True)
class SessionRow:
    id: int
    trainee: str
    exercise: str
    exercise_source: str
    scenario_hash: str
    seed: int
    started_at: float
    ended_at: float | None
    status: str
    score: dict[str, Any] | None
    details: dict[str, Any] | None
    version: str
    actions: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trainee": self.trainee,
            "exercise": self.exercise,
            "seed": self.seed,
            "status": self.status,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "actions": self.actions,
            "score": self.score,
            "details": self.details,
        }


class SessionStore:
    """The session database; open it with `SessionStore.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> SessionStore:
        where = Path(path) if path is not None else default_db_path()
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(where, isolation_level=None, timeout=10.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            with _transaction(conn):
                _create(conn)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{where}: not a usable session database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{where}: cannot open ({exc.strerror or exc})") from None
        return cls(conn, where)

    def close(self) -> None:
        self.conn.close()

    # -- writing --------------------------------------------------------------------

    def start_session(
        self,
        *,
        trainee: str,
        exercise: str,
        exercise_source: str,
        scenario_hash: str,
        seed: int,
        version: str,
        wall_time: float | None = None,
    ) -> int:
        trainee = check_trainee_id(trainee)
        with _transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO sessions(trainee, exercise, exercise_source, scenario_hash, seed, "
                "started_at, status, version) VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?)",
                (
                    trainee,
                    exercise,
                    exercise_source,
                    scenario_hash,
                    int(seed),
                    time.time() if wall_time is None else wall_time,
                    version,
                ),
            )
        return int(cur.lastrowid or 0)

    def record_action(self, session_id: int, action: DeskAction) -> None:
        """One action, one transaction, durable before the action takes effect."""
        with _transaction(self.conn):
            self.conn.execute(
                "INSERT INTO actions(session_id, seq, sim_time, wall_time, kind, case_id, "
                "payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    action.seq,
                    action.sim_time,
                    action.wall_time,
                    action.kind,
                    action.case_id,
                    json.dumps(action.payload, sort_keys=True),
                ),
            )

    def finish_session(
        self,
        session_id: int,
        *,
        score: dict[str, Any],
        details: dict[str, Any],
        wall_time: float | None = None,
    ) -> None:
        with _transaction(self.conn):
            self.conn.execute(
                "UPDATE sessions SET status='completed', ended_at=?, score=?, details=? WHERE id=?",
                (
                    time.time() if wall_time is None else wall_time,
                    json.dumps(score, sort_keys=True),
                    json.dumps(details, sort_keys=True),
                    session_id,
                ),
            )

    # -- reading --------------------------------------------------------------------

    def session(self, session_id: int) -> SessionRow:
        rows = self._rows("WHERE s.id = ?", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id} in {self.path}")
        return rows[0]

    def sessions(self) -> list[SessionRow]:
        return self._rows("", ())

    def unfinished(self, trainee: str | None = None) -> list[SessionRow]:
        if trainee is None:
            return self._rows("WHERE s.status = 'in_progress'", ())
        return self._rows("WHERE s.status = 'in_progress' AND s.trainee = ?", (trainee,))

    def actions(self, session_id: int) -> list[DeskAction]:
        cur = self.conn.execute(
            "SELECT seq, sim_time, wall_time, kind, case_id, payload FROM actions "
            "WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [
            DeskAction(
                seq=int(seq),
                sim_time=float(sim_time),
                wall_time=float(wall_time),
                kind=str(kind),
                case_id=None if case_id is None else int(case_id),
                payload=json.loads(payload),
            )
            for seq, sim_time, wall_time, kind, case_id, payload in cur
        ]

    def _rows(self, where: str, params: Sequence[Any]) -> list[SessionRow]:
        cur = self.conn.execute(
            "SELECT s.id, s.trainee, s.exercise, s.exercise_source, s.scenario_hash, s.seed, "
            "s.started_at, s.ended_at, s.status, s.score, s.details, s.version, "
            "(SELECT COUNT(*) FROM actions a WHERE a.session_id = s.id) "
            f"FROM sessions s {where} ORDER BY s.id",
            tuple(params),
        )
        return [
            SessionRow(
                id=int(r[0]),
                trainee=str(r[1]),
                exercise=str(r[2]),
                exercise_source=str(r[3]),
                scenario_hash=str(r[4]),
                seed=int(r[5]),
                started_at=float(r[6]),
                ended_at=None if r[7] is None else float(r[7]),
                status=str(r[8]),
                score=None if r[9] is None else json.loads(r[9]),
                details=None if r[10] is None else json.loads(r[10]),
                version=str(r[11]),
                actions=int(r[12]),
            )
            for r in cur
        ]

    def export_csv(self, path: str | os.PathLike[str]) -> int:
        rows = self.sessions()
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                score = row.score or {}
                writer.writerow(
                    [
                        row.id,
                        row.trainee,
                        row.exercise,
                        row.seed,
                        row.status,
                        row.started_at,
                        row.ended_at if row.ended_at is not None else "",
                        row.actions,
                        *(score.get(k, "") for k in CSV_COLUMNS[8:]),
                    ]
                )
        return len(rows)


def _create(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


__all__ = [
    "SessionRow",
    "SessionStore",
    "StoreError",
    "check_trainee_id",
    "default_db_path",
]
