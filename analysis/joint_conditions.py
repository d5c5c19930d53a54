"""Conditions that are needed together: minimal sets whose joint removal prevents harm.

Removing one latent condition at a time (`analysis.counterfactual`) finds conditions
that were each necessary. An incident can also need two or three conditions only
together: with either removed alone the harm still happens (the other is enough to open
the way), yet with both removed it does not. `explain_all` answers, for every harm
incident of the runs:

* how many there were, and how many had no single necessary condition;
* for those, the smallest sets of two (then three) removable conditions in the
  incident's story whose joint removal made the incident disappear on replay. A set of
  three is tried only when no pair did, so every set reported is minimal.

Each set is one replay of the whole run without those conditions (the same seed and
replication), so the search is capped by `max_replays`; the answer says when the cap
cut it short.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.counterfactual import (
    HARM_KINDS,
    IncidentRef,
    _found,
    _ranking,
    _single_replays,
    replay_incidents,
)
from analysis.execution import Backend, Task, execute, session
from sim.conditions import LATENT_CONDITIONS, remove_condition
from sim.config import Scenario

__all__ = ["ExplainAll", "explain_all"]

JOIN = " + "


@dataclass(frozen=True, kw_only=True)
class ExplainAll:
    """Every harm incident of the runs explained by single and joint removals."""

    ranking: pd.DataFrame  # single conditions: incidents, necessary, necessary_share
    harm_incidents: int
    with_single_necessary: int
    without_single_necessary: int
    joint: pd.DataFrame  # conditions, size, incidents_prevented
    explained_jointly: int  # incidents with no single necessary condition that a set prevented
    replays_run: int
    capped: bool
    # Every set tried on an incident: (replication, family, incident kind, conditions,
    # whether removing them together prevented it).
    trials: tuple[tuple[int, int, str, tuple[str, ...], bool], ...] = ()


def _without(scenario: Scenario, names: Sequence[str]) -> Scenario:
    return functools.reduce(remove_condition, names, scenario)


def _removable(x: IncidentRef) -> list[str]:
    return sorted({c for c in x.story_conditions if c in LATENT_CONDITIONS})


def explain_all(
    scenario: Scenario,
    seed: int,
    reps: int = 1,
    *,
    kinds: Sequence[str] = HARM_KINDS,
    max_size: int = 3,
    max_replays: int = 200,
    backend: Backend | None = None,
    progress: Any | None = None,
) -> ExplainAll:
    """Single necessary conditions, totals, and minimal jointly necessary sets (2..max_size)."""
    if not 1 <= max_size <= 3:
        raise ValueError("max_size must be 1, 2 or 3")
    backend = backend or Backend()
    with session(backend) as client:
        originals, replays = _single_replays(scenario, seed, reps, kinds, backend, client, progress)
        singles = {
            (i, k): any(not _found(replays[(i, c)], x.family, x.kind) for c in _removable(x))
            for i, refs in originals.items()
            for k, x in enumerate(refs)
        }
        pending = {key for key, ok in singles.items() if not ok}
        unexplained_total = len(pending)
        prevented: Counter[tuple[str, ...]] = Counter()
        trials: list[tuple[int, int, str, tuple[str, ...], bool]] = []
        budget = max_replays
        capped = False
        run = 0
        for size in range(2, max_size + 1):
            wanted = sorted(
                {
                    (i, combo)
                    for i, k in pending
                    for combo in itertools.combinations(_removable(originals[i][k]), size)
                }
            )
            if len(wanted) > budget:
                wanted, capped = wanted[:budget], True
            tasks = [
                Task(key=(i, combo), fn=replay_incidents, args=(_without(scenario, combo), seed, i))
                for i, combo in wanted
            ]
            if progress and tasks:
                progress(0, len(tasks))
            results: dict[Any, Any] = {}
            for n, (key, keys) in enumerate(execute(tasks, backend, client=client), start=1):
                results[key] = keys
                if progress:
                    progress(n, len(tasks))
            budget -= len(tasks)
            run += len(tasks)
            for i, k in sorted(pending):
                x = originals[i][k]
                hits = []
                for combo in itertools.combinations(_removable(x), size):
                    if (i, combo) not in results:
                        continue
                    gone = not _found(results[(i, combo)], x.family, x.kind)
                    trials.append((i, x.family, x.kind, combo, gone))
                    if gone:
                        hits.append(combo)
                        prevented[combo] += 1
                if hits:
                    pending.discard((i, k))
    joint = pd.DataFrame(
        [
            {"conditions": JOIN.join(combo), "size": len(combo), "incidents_prevented": n}
            for combo, n in prevented.items()
        ],
        columns=["conditions", "size", "incidents_prevented"],
    )
    joint = joint.sort_values(
        ["size", "incidents_prevented", "conditions"], ascending=[True, False, True]
    ).reset_index(drop=True)
    total = len(singles)
    return ExplainAll(
        ranking=_ranking(originals, replays),
        harm_incidents=total,
        with_single_necessary=total - unexplained_total,
        without_single_necessary=unexplained_total,
        joint=joint,
        explained_jointly=unexplained_total - len(pending),
        replays_run=len(replays) + run,
        capped=capped,
        trials=tuple(trials),
    )
