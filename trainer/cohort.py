"""A class of trainees read from their session stores, for the instructor's seminar.

Every completed session is re-run from its seed and action log (trainer.reconstruct), so
each case's outcome comes from the mechanism, exactly as the trainee's own debrief had
it; the stored headline score is checked against the re-run. Trainees appear only under
their pseudonymous ids, and the report can replace even those with "trainee 1, 2...".

Tables returned:
- sessions: one row per session (trainee, exercise, difficulty, d', c, hits, misses,
  false alarms, under- and over-triage, and whether the re-run matched the stored score);
- cases: one row per case on a trainee's desk (pattern, outcome, decided by whom);
- skipped: for every missed hidden risk, each check that would have shown it and was
  not asked for before the decision (for free play, where no file says what would have
  shown it, the desk's standard checks that were not asked for).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from trainer.desk import DutyDesk
from trainer.reconstruct import recorded_session
from trainer.store import SessionStore, StoreError

STANDARD_CHECKS = ("database", "file", "agency:police", "agency:health", "agency:school", "visit")


@dataclass(frozen=True)
class Cohort:
    sessions: pd.DataFrame
    cases: pd.DataFrame
    skipped: pd.DataFrame
    sources: tuple[str, ...]
    problems: tuple[str, ...]  # sessions that could not be re-run, in plain words


def _asked_before(desk: DutyDesk, case_id: int, decided_at: float | None) -> set[str]:
    asked: set[str] = set()
    for f in desk.findings:
        if f.case_id != case_id or (decided_at is not None and f.requested_at > decided_at):
            continue
        if f.action == "database":
            # Searched under a spelling that found nothing: not the check that reveals.
            asked.add("database" if f.outcome == "found" else "database_searched")
        else:
            asked.add(f.label if f.action == "agency" else f.action)
    return asked


def gather(paths: Sequence[str | os.PathLike[str]], *, pseudonymise: bool = False) -> Cohort:
    """Read every completed session in the given stores."""
    session_rows: list[dict[str, object]] = []
    case_rows: list[dict[str, object]] = []
    skipped_rows: list[dict[str, object]] = []
    problems: list[str] = []
    names: dict[str, str] = {}
    for path in paths:
        try:
            store = SessionStore.open(path, read_only=True)
        except StoreError as exc:
            problems.append(f"{exc}; this database was skipped")
            continue
        try:
            rows = store.sessions()
            problems.extend(store.problems)
            for row in rows:
                if row.status != "completed":
                    continue
                try:
                    recorded = recorded_session(store, row.id)
                    desk, debrief = recorded.replayed()
                except (StoreError, ValueError, KeyError, TypeError) as exc:
                    problems.append(f"{path}: {exc}")
                    continue
                trainee = names.setdefault(
                    row.trainee, f"trainee {len(names) + 1}" if pseudonymise else row.trainee
                )
                score = debrief.score
                summary = score.summary()
                session_rows.append(
                    {
                        "store": str(path),
                        "session": row.id,
                        "trainee": trainee,
                        "exercise": row.exercise,
                        "difficulty": recorded.plan.difficulty,
                        **summary,
                        "weighted_triage_error": round(score.weighted_triage_error, 4),
                        "rerun_matches": summary == row.score,
                    }
                )
                for c in score.cases:
                    spec = recorded.plan.referrals.get(c.ref or "")
                    near_miss = spec.near_miss if spec is not None else None
                    pattern: str
                    if near_miss is not None:
                        pattern = near_miss.pattern
                    elif c.hidden_risk:
                        pattern = "free_play_hidden_risk"
                    else:
                        pattern = "none"
                    case_rows.append(
                        {
                            "trainee": trainee,
                            "exercise": row.exercise,
                            "session": row.id,
                            "case": c.ref or str(c.case_id),
                            "pattern": pattern,
                            "hidden_risk": c.hidden_risk,
                            "outcome": c.outcome,
                            "decided_by": c.decided_by,
                            "under_triage": c.under_triage,
                            "over_triage": c.over_triage,
                        }
                    )
                    if c.outcome != "miss":
                        continue
                    asked = _asked_before(desk, c.case_id, c.decided_at)
                    would_show: Iterable[str] = (
                        near_miss.caught_by if near_miss is not None else STANDARD_CHECKS
                    )
                    for check in would_show:
                        if check == "database" and "database_searched" in asked:
                            check = "database under another spelling"
                        if check not in asked:
                            skipped_rows.append(
                                {
                                    "trainee": trainee,
                                    "exercise": row.exercise,
                                    "case": c.ref or str(c.case_id),
                                    "pattern": pattern,
                                    "check": check,
                                }
                            )
        finally:
            store.close()
    return Cohort(
        sessions=pd.DataFrame(session_rows),
        cases=pd.DataFrame(case_rows),
        skipped=pd.DataFrame(
            skipped_rows, columns=["trainee", "exercise", "case", "pattern", "check"]
        ),
        sources=tuple(str(p) for p in paths),
        problems=tuple(problems),
    )


__all__ = ["Cohort", "STANDARD_CHECKS", "gather"]
