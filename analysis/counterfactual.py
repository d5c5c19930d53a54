"""Counterfactual replay: which latent conditions were necessary for an incident.

A case's story is the barrier tests on its family from the first failure to the
grading of its incident, and the incident itself; the latent conditions named there
are the candidates. The same run (same seed, replication and random streams) is played
again with each candidate removed in turn (`sim.conditions`), and the incident is
looked for again by family and kind: families are numbered in the order they are first
referred from outside and each draws from its own streams, so family ids line up
across replays. A condition whose removal makes the incident disappear was necessary
for it. Over many incidents, `necessary_conditions` ranks latent failures by how often
they were necessary.

Removing a condition changes the whole run, not just one family (a team that is not
rushed allocates other cases sooner too), so a replay answers "would this incident have
happened in a team without this condition?", which is the question a manager asks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.execution import Backend, Task, execute, session
from analysis.kpis import run_frame
from sim.conditions import LATENT_CONDITIONS, remove_condition
from sim.config import Scenario
from sim.events import EventKind, LogRecord
from sim.model import run_scenario
from sim.records import IncidentGraded

GRADE_ORDER = {"no_harm": 0, "harm": 1, "life_threatening_or_death": 2}
HARM_KINDS: tuple[str, ...] = ("harm_false_negative", "harm_false_positive")
_EPS = 1e-9


class CaseNotFound(LookupError):
    """The case id names no case in the run, or a case with no incident."""


@dataclass(frozen=True, kw_only=True)
class IncidentRef:
    family: int
    case: int
    kind: str
    grade: str
    time: float
    story_conditions: tuple[str, ...]
    failed_barrier: str


def story_conditions(records: Sequence[LogRecord], incident: IncidentGraded) -> tuple[str, ...]:
    """Latent conditions named in the incident and in the barrier tests on its family
    between its first failure and its grading, in order of first appearance."""
    names: list[str] = []
    started = float(incident.started_at)
    for r in records:
        if r.time > incident.time + _EPS:
            break
        if (
            r.kind is EventKind.BARRIER_TESTED
            and r.family == incident.family
            and r.time >= started - _EPS
        ):
            for name in r.conditions or ():
                if name not in names:
                    names.append(str(name))
    for name in incident.conditions or ():
        if name not in names:
            names.append(str(name))
    return tuple(names)


def _ref(records: Sequence[LogRecord], r: IncidentGraded) -> IncidentRef:
    return IncidentRef(
        family=r.family,
        case=r.case,
        kind=str(r.incident),
        grade=str(r.grade),
        time=r.time,
        story_conditions=story_conditions(records, r),
        failed_barrier=str(r.failed_barrier),
    )


def case_incident(records: Sequence[LogRecord], case_id: int) -> IncidentRef:
    """The most serious incident of a case (graded on it, or begun on it); the first
    of equal grade."""
    found = [
        r
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED and (r.case == case_id or r.origin_case == case_id)
    ]
    if not found:
        known = any(r.case == case_id for r in records if r.kind is EventKind.REFERRAL_ARRIVED)
        if not known:
            raise CaseNotFound(f"there is no case {case_id} in this run")
        raise CaseNotFound(f"case {case_id} has no safeguarding incident to explain")
    worst = max(found, key=lambda r: (GRADE_ORDER.get(str(r.grade), 0), -r.time))
    return _ref(records, worst)


def incident_keys(records: Sequence[LogRecord]) -> list[tuple[int, str, str, float]]:
    """(family, kind, grade, time) of every graded incident: what a replay is searched for."""
    return [
        (r.family, str(r.incident), str(r.grade), r.time)
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED
    ]


def replay_incidents(
    scenario: Scenario, seed: int, replication: int
) -> list[tuple[int, str, str, float]]:
    """Run once and return its incident keys (the unit of work of a replay)."""
    log = run_scenario(scenario, seed, replication=replication)
    return incident_keys(log.records)


def _found(keys: Sequence[tuple[int, str, str, float]], family: int, kind: str) -> list[Any]:
    return [k for k in keys if k[0] == family and k[1] == kind]


def explain_case(
    scenario: Scenario,
    seed: int,
    case_id: int,
    *,
    replication: int = 0,
    backend: Backend | None = None,
) -> tuple[IncidentRef, pd.DataFrame]:
    """Replay the run without each latent condition in the case's story.

    Returns the incident explained and one row per condition in the story: whether it
    can be removed (the model knows how), whether the incident still happened without
    it, and so whether it was necessary.
    """
    log = run_scenario(scenario, seed, replication=replication)
    incident = case_incident(log.records, case_id)
    removable = [c for c in incident.story_conditions if c in LATENT_CONDITIONS]
    tasks = [
        Task(key=c, fn=replay_incidents, args=(remove_condition(scenario, c), seed, replication))
        for c in removable
    ]
    replays = dict(execute(tasks, backend or Backend()))
    rows = []
    for name in incident.story_conditions:
        row: dict[str, Any] = {
            "condition": name,
            "meaning": LATENT_CONDITIONS[name].meaning if name in LATENT_CONDITIONS else "",
            "removable": name in LATENT_CONDITIONS,
            "incident_without_it": None,
            "necessary": None,
            "grade_without_it": None,
        }
        if name in replays:
            again = _found(replays[name], incident.family, incident.kind)
            row["incident_without_it"] = bool(again)
            row["necessary"] = not again
            if again:
                row["grade_without_it"] = max(
                    (k[2] for k in again), key=lambda g: GRADE_ORDER.get(g, 0)
                )
        rows.append(row)
    return incident, pd.DataFrame(
        rows,
        columns=[
            "condition",
            "meaning",
            "removable",
            "incident_without_it",
            "necessary",
            "grade_without_it",
        ],
    )


def _original(scenario: Scenario, seed: int, replication: int) -> list[IncidentRef]:
    log = run_scenario(scenario, seed, replication=replication)
    start = run_frame(log.records).measured_from
    return [
        _ref(log.records, r)
        for r in log.records
        if r.kind is EventKind.INCIDENT_GRADED and r.time >= start
    ]


def necessary_conditions(
    scenario: Scenario,
    seed: int,
    reps: int = 1,
    *,
    kinds: Sequence[str] = HARM_KINDS,
    backend: Backend | None = None,
    progress: Any | None = None,
) -> pd.DataFrame:
    """Rank latent conditions by how often they were necessary for incidents of `kinds`.

    For every replication, one replay per removable condition covers every incident
    whose story names it. Columns: condition, meaning, incidents (in whose story it
    was), necessary (how many disappeared without it), necessary_share.
    """
    backend = backend or Backend()
    with session(backend) as client:
        return _necessary_conditions(scenario, seed, reps, kinds, backend, client, progress)


def _single_replays(
    scenario: Scenario,
    seed: int,
    reps: int,
    kinds: Sequence[str],
    backend: Backend,
    client: Any,
    progress: Any,
) -> tuple[dict[int, list[IncidentRef]], dict[tuple[int, str], list[Any]]]:
    """The incidents of `kinds` in each replication, and one replay per (replication,
    removable condition named in any of their stories)."""
    tasks = [Task(key=i, fn=_original, args=(scenario, seed, i)) for i in range(reps)]
    first = list(execute(tasks, backend, client=client))
    originals = {i: [x for x in refs if x.kind in kinds] for i, refs in first}  # type: ignore[misc]
    wanted = sorted(
        {
            (i, c)
            for i, refs in originals.items()
            for x in refs
            for c in x.story_conditions
            if c in LATENT_CONDITIONS
        }
    )
    tasks = [
        Task(key=(i, c), fn=replay_incidents, args=(remove_condition(scenario, c), seed, i))
        for i, c in wanted
    ]
    if progress:
        progress(0, len(tasks))
    replays: dict[tuple[int, str], list[Any]] = {}
    for n, (key, keys) in enumerate(execute(tasks, backend, client=client), start=1):
        replays[key] = keys  # type: ignore[index]
        if progress:
            progress(n, len(tasks))
    return originals, replays  # type: ignore[return-value]


def _ranking(
    originals: dict[int, list[IncidentRef]], replays: dict[tuple[int, str], list[Any]]
) -> pd.DataFrame:
    seen: dict[str, int] = defaultdict(int)
    necessary: dict[str, int] = defaultdict(int)
    for i, refs in originals.items():
        for x in refs:
            for c in x.story_conditions:
                if (i, c) not in replays:
                    continue
                seen[c] += 1
                if not _found(replays[(i, c)], x.family, x.kind):
                    necessary[c] += 1
    rows = [
        {
            "condition": c,
            "meaning": LATENT_CONDITIONS[c].meaning,
            "incidents": seen[c],
            "necessary": necessary[c],
            "necessary_share": necessary[c] / seen[c] if seen[c] else float("nan"),
        }
        for c in seen
    ]
    frame = pd.DataFrame(
        rows, columns=["condition", "meaning", "incidents", "necessary", "necessary_share"]
    )
    return frame.sort_values(["necessary", "condition"], ascending=[False, True]).reset_index(
        drop=True
    )


def _necessary_conditions(
    scenario: Scenario,
    seed: int,
    reps: int,
    kinds: Sequence[str],
    backend: Backend,
    client: Any,
    progress: Any,
) -> pd.DataFrame:
    originals, replays = _single_replays(scenario, seed, reps, kinds, backend, client, progress)
    return _ranking(originals, replays)
