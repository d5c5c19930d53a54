"""The decider the model asks while a trainee sits at the duty desk.

During the shift a screening or an allocation the model asks for becomes a SimPy event
that waits for the trainee; before and after the shift (and for assessments, which happen
away from the desk) the team's own policy answers at once. Decisions the trainee recorded
stand whenever the model asks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import simpy

from sim.deciders import CaseView, WorkerView
from sim.entities import Level
from trainer.desk_records import PRIORITIES, Decision


@dataclass(slots=True)
class PendingScreen:
    event: simpy.Event
    view: CaseView


@dataclass(slots=True)
class PendingAllocation:
    case_id: int
    event: simpy.Event
    view: CaseView
    workers: tuple[WorkerView, ...]


def priority_key(priority: str, now: float) -> float:
    """Smaller is allocated sooner: the band first, then arrival order within it."""
    band = PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)
    return band * 100_000.0 + now


class TraineeDecider:
    """The decider at the desk: the trainee during the shift, the policy otherwise.

    `manual_checks` tells the model that the trainee makes the checks, not the desk.
    """

    manual_checks = True
    name = "trainee"

    def __init__(self, *, policy: Any, env: simpy.Environment) -> None:
        self.policy = policy
        self.env = env
        self.autopilot = True
        self.decisions: dict[int, Decision] = {}
        self.pending_screens: dict[int, PendingScreen] = {}
        self.pending_allocation: PendingAllocation | None = None
        self.asked_to_screen: set[int] = set()

    def screen(self, view: CaseView) -> Level | simpy.Event:
        self.asked_to_screen.add(view.case_id)
        decided = self.decisions.get(view.case_id)
        if decided is not None:
            return decided.level
        if self.autopilot:
            return self.policy.screen(view)
        event = self.env.event()
        self.pending_screens[view.case_id] = PendingScreen(event, view)
        return event

    def prioritise(self, view: CaseView) -> float:
        decided = self.decisions.get(view.case_id)
        if decided is not None:
            return priority_key(decided.priority, view.now)
        return float(self.policy.prioritise(view))

    def allocate(self, view: CaseView, workers: Sequence[WorkerView]) -> int | simpy.Event:
        if self.autopilot:
            return int(self.policy.allocate(view, workers))
        event = self.env.event()
        self.pending_allocation = PendingAllocation(view.case_id, event, view, tuple(workers))
        return event

    def conclude(self, view: CaseView) -> Level:
        # Assessments happen away from the desk: the team's thresholds conclude them.
        return self.policy.conclude(view)


__all__ = ["PendingAllocation", "PendingScreen", "TraineeDecider", "priority_key"]
