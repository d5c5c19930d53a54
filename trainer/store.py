"""Session records: every shift at the desk, every action in it, and its score, in SQLite.

One database file holds many sessions. It runs in WAL mode with `synchronous=FULL`, and
every action is its own transaction, committed before the action takes effect: a shift
killed at any moment (even by SIGKILL) loses nothing it had committed, and reopening it
replays the seed and the committed actions to bring the desk back to where it was.

The schema's version is the database's `PRAGMA user_version`. Opening a file for writing
brings an older schema forward (`MIGRATIONS`); a file made by a newer Front Door is
refused, never changed. Commands that only read (sessions, cohort) open the file
read-only (`mode=ro`): they never create, convert or switch its journal mode. A row that
cannot be read (a corrupt score, say) is named in `problems` and skipped, never fatal.
Exported CSV cells that a spreadsheet would run as a formula are neutralised.

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

from trainer.desk_records import DeskAction
from trainer.scoring import SCORE_KEYS

SCHEMA_VERSION = 1
# Steps that bring a database at version N up to N + 1, run in order in one transaction.
# Version 0 is a new, empty file, or one made before the version was recorded (whose
# tables already match version 1, so creating missing tables is all it needs).
MIGRATIONS: dict[int, tuple[str, ...]] = {0: ()}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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
        self.problems: list[str] = []  # rows that could not be read, in plain words

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False
    ) -> SessionStore:
        """Open (for writing: create or migrate) the database; read-only never changes it."""
        where = Path(path) if path is not None else default_db_path()
        if read_only:
            return cls(_open_read_only(where), where)
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(where, isolation_level=None, timeout=10.0)
            version = _schema_version(conn, where)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            with _transaction(conn):
                _migrate(conn, version)
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
        if not rows and self.problems:
            raise StoreError(self.problems[-1].removesuffix("; skipped"))
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
        actions = []
        for seq, sim_time, wall_time, kind, case_id, payload in cur:
            try:
                actions.append(
                    DeskAction(
                        seq=int(seq),
                        sim_time=float(sim_time),
                        wall_time=float(wall_time),
                        kind=str(kind),
                        case_id=None if case_id is None else int(case_id),
                        payload=json.loads(payload),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise StoreError(
                    f"{self.path}: session {session_id}, action {seq}: unreadable ({exc})"
                ) from None
        return actions

    def _rows(self, where: str, params: Sequence[Any]) -> list[SessionRow]:
        cur = self.conn.execute(
            "SELECT s.id, s.trainee, s.exercise, s.exercise_source, s.scenario_hash, s.seed, "
            "s.started_at, s.ended_at, s.status, s.score, s.details, s.version, "
            "(SELECT COUNT(*) FROM actions a WHERE a.session_id = s.id) "
            f"FROM sessions s {where} ORDER BY s.id",
            tuple(params),
        )
        rows = []
        for r in cur:
            try:
                rows.append(_session_row(r))
            except (TypeError, ValueError) as exc:
                problem = f"{self.path}: session {r[0]}: unreadable ({exc}); skipped"
                if problem not in self.problems:
                    self.problems.append(problem)
        return rows

    def export_csv(self, path: str | os.PathLike[str]) -> int:
        rows = self.sessions()
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                score = row.score or {}
                writer.writerow(
                    safe_cell(cell)
                    for cell in [
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
        os.replace(tmp, target)
        return len(rows)


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe (the OWASP advice); numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _session_row(r: Sequence[Any]) -> SessionRow:
    return SessionRow(
        id=int(r[0]),
        trainee=str(r[1]),
        exercise=str(r[2]),
        exercise_source=str(r[3]),
        scenario_hash=str(r[4]),
        seed=int(r[5]),
        started_at=float(r[6]),
        ended_at=None if r[7] is None else float(r[7]),
        status=str(r[8]),
        score=None if r[9] is None else _json_object(r[9], "score"),
        details=None if r[10] is None else _json_object(r[10], "details"),
        version=str(r[11]),
        actions=int(r[12]),
    )


def _json_object(text: Any, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"its {what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"its {what} is not a JSON object")
    return value


def _schema_version(conn: sqlite3.Connection, where: Path) -> int:
    """The file's schema version; a newer one than this Front Door knows is refused."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: made by a newer Front Door (session schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}); update frontdoor to use it. The file is unchanged."
        )
    return version


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring the schema from `version` to SCHEMA_VERSION (inside a transaction)."""
    if version == SCHEMA_VERSION:
        return
    for step in range(version, SCHEMA_VERSION):
        if step == 0:
            _create(conn)
        for statement in MIGRATIONS.get(step, ()):
            conn.execute(statement)
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
    )
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _open_read_only(where: Path) -> sqlite3.Connection:
    """A connection that cannot change the file: no creation, no migration, no WAL switch."""
    if not where.is_file():
        raise StoreError(f"no session database at {where}")
    uri = f"{where.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0)
        _schema_version(conn, where)
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{where}: not a session database ({exc})") from None
    if not {"sessions", "actions"} <= tables:
        conn.close()
        raise StoreError(f"{where}: not a session database (it has no sessions table)")
    return conn


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
