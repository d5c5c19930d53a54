"""One training session: a shift plan, a seed, a trainee, the desk and its record.

A session is created when the trainee begins the shift; from then on each action is
committed to the session store before it takes effect. `resume` rebuilds an interrupted
session from the store: the same plan (checked against the scenario's fingerprint), the
same seed, and the committed actions replayed at their simulated times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sim.loader import load_scenario, scenario_hash
from trainer.debrief import Debrief, build_debrief
from trainer.desk import DutyDesk
from trainer.exercise import DIFFICULTIES, ShiftPlan, free_play_plan, load_exercise
from trainer.scoring import ShiftScore
from trainer.store import SessionStore, StoreError

FREE_PREFIX = "free:"


def package_version() -> str:
    try:
        return version("frontdoor")
    except PackageNotFoundError:
        return "unknown"


def plan_source(plan: ShiftPlan) -> str:
    """How to find the plan again: the exercise file, or 'free:' and the scenario file."""
    source = str(Path(plan.source).resolve()) if plan.source else ""
    if not plan.free_play:
        return source
    # A free-play level below duty day is kept in the source: "free:pressure:/path".
    level = "" if plan.difficulty == "duty_day" else f"{plan.difficulty}:"
    return f"{FREE_PREFIX}{level}{source}"


def load_plan(source: str) -> ShiftPlan:
    if source.startswith(FREE_PREFIX):
        path, level = source[len(FREE_PREFIX) :], "duty_day"
        for rung in DIFFICULTIES:
            if path.startswith(f"{rung}:"):
                path, level = path[len(rung) + 1 :], rung
        return free_play_plan(load_scenario(path), source=path, level=level)
    return load_exercise(source)


@dataclass
class TrainingSession:
    plan: ShiftPlan
    seed: int
    trainee: str
    desk: DutyDesk
    store: SessionStore | None = None
    session_id: int | None = None
    debrief: Debrief | None = None

    @classmethod
    def prepare(
        cls,
        plan: ShiftPlan,
        *,
        seed: int,
        trainee: str,
        store: SessionStore | None,
        wall_clock: Callable[[], float] | None = None,
    ) -> TrainingSession:
        """The desk at the start of the shift (nothing recorded until `begin`)."""
        desk = DutyDesk(plan, seed=seed, wall_clock=wall_clock or time.time)
        return cls(plan=plan, seed=seed, trainee=trainee, desk=desk, store=store)

    def begin(self) -> None:
        if self.store is None or self.session_id is not None:
            return
        self.session_id = self.store.start_session(
            trainee=self.trainee,
            exercise=self.plan.key,
            exercise_source=plan_source(self.plan),
            scenario_hash=scenario_hash(self.plan.scenario),
            seed=self.seed,
            version=package_version(),
            wall_time=self.desk.wall_clock(),
        )
        self.attach_recorder()

    def attach_recorder(self) -> None:
        """Record each further desk action in the session store (when there is one)."""
        store, session_id = self.store, self.session_id
        if store is not None and session_id is not None:
            self.desk.recorder = lambda action: store.record_action(session_id, action)

    @classmethod
    def resume(
        cls,
        store: SessionStore,
        session_id: int,
        wall_clock: Callable[[], float] | None = None,
    ) -> TrainingSession:
        row = store.session(session_id)
        if row.status != "in_progress":
            raise StoreError(f"session {session_id} is already complete")
        plan = load_plan(row.exercise_source)
        if scenario_hash(plan.scenario) != row.scenario_hash:
            raise StoreError(
                f"session {session_id}: the exercise has changed since the session was "
                "recorded, so it cannot be replayed exactly"
            )
        session = cls.prepare(
            plan, seed=row.seed, trainee=row.trainee, store=store, wall_clock=wall_clock
        )
        session.session_id = session_id
        actions = store.actions(session_id)
        session.desk.replay([(a.sim_time, a.kind, a.case_id, a.payload) for a in actions])
        session.desk.actions = list(actions)
        session.attach_recorder()
        return session

    def finish(self) -> Debrief:
        """Run on past the shift, build the debrief and store the score."""
        if self.debrief is not None:
            return self.debrief
        records = self.desk.follow_up()
        self.debrief = build_debrief(records, self.plan, self.desk.actions, self.desk.findings)
        if self.store is not None and self.session_id is not None:
            score = self.debrief.score
            details = dict(
                score.details(),
                difficulty=self.plan.difficulty,
                near_misses=near_miss_outcomes(self.plan, score),
            )
            self.store.finish_session(
                self.session_id,
                score=score.summary(),
                details=details,
                wall_time=self.desk.wall_clock(),
            )
        return self.debrief


def near_miss_outcomes(plan: ShiftPlan, score: ShiftScore) -> list[dict[str, str]]:
    """Each near-miss case of the shift with its pattern and outcome (for the curriculum)."""
    out: list[dict[str, str]] = []
    for c in score.cases:
        spec = plan.referrals.get(c.ref or "")
        if spec is not None and spec.near_miss is not None:
            out.append({"ref": str(c.ref), "pattern": spec.near_miss.pattern, "outcome": c.outcome})
    return out


__all__ = [
    "TrainingSession",
    "load_plan",
    "near_miss_outcomes",
    "package_version",
    "plan_source",
]
