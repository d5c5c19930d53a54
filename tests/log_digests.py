"""Digests of the event logs of every bundled scenario and training exercise.

Recorded at the commit where the model's restructuring began (1902759), so that a change
of structure can show it changed no behaviour: the same scenario and seed must give the
same records, field for field. The digest is taken over a canonical text of each record
(time, sequence, kind, case, family and its fields in sorted order, floats rounded as the
written log rounds them), not over the file format, so a new way of writing the log keeps
the digests as long as the content is unchanged.

`python tests/log_digests.py` prints the digests as JSON (to record them again, only in a
commit that says why the content changed).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXERCISES = sorted((ROOT / "scenarios" / "training").glob("*.yaml"))
RECORDED = Path(__file__).resolve().parent / "reference" / "log_digests.json"
SEED = 1
BOTS = ("thorough", "careless")


def record_fields(record: Any) -> dict[str, Any]:
    """The fields of one record beyond its header that apply to it, by name."""
    from sim.records import record_fields as fields_of

    return fields_of(record)


def canonical_line(record: Any) -> str:
    from sim.log_files import rounded  # the written log's rounding, so digests match it

    kind = getattr(record.kind, "value", record.kind)
    fields = json.dumps(rounded(record_fields(record)), sort_keys=True, separators=(",", ":"))
    return f"{record.time:.6f}|{record.seq}|{kind}|{record.case}|{record.family}|{fields}"


def digest(records: Iterable[Any]) -> str:
    h = hashlib.sha256()
    count = 0
    for record in records:
        h.update(canonical_line(record).encode("utf-8"))
        h.update(b"\n")
        count += 1
    return f"{count}:{h.hexdigest()}"


def scenario_digest(path: Path) -> str:
    from sim.loader import load_scenario
    from sim.model import run_scenario

    return digest(run_scenario(load_scenario(str(path)), SEED).records)


def exercise_policy_digest(path: Path) -> str:
    """The exercise's scenario run by its policy alone (no trainee)."""
    from sim.model import run_scenario
    from trainer.exercise import load_exercise

    return digest(run_scenario(load_exercise(path).scenario, SEED).records)


def exercise_bot_digest(path: Path, bot: str) -> str:
    """The exercise played headless by a scripted bot through the real interface."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from trainer_support import play_app

    _app, game = play_app(path.stem, bot, SEED)
    session = game.last_session or game.session
    assert session is not None
    return digest(session.desk.log.records)


def all_digests() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in SCENARIOS:
        out[f"scenario/{path.stem}"] = scenario_digest(path)
    for path in EXERCISES:
        out[f"exercise/{path.stem}/policy"] = exercise_policy_digest(path)
        for bot in BOTS:
            out[f"exercise/{path.stem}/{bot}"] = exercise_bot_digest(path, bot)
    return out


if __name__ == "__main__":
    print(json.dumps(all_digests(), indent=1, sort_keys=True))
