"""What the duty desk records and names: the kinds of action a trainee takes, the
priorities and levels as the desk words them, and the records of an action, of a check
and its answer, and of a decision.

These are plain values shared by the desk, the session store, scoring and the debrief;
none of them holds a piece of the running model.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from sim.entities import Level
from sim.vocabulary import InformationAction

# What a trainee can do at the desk, as each action is recorded and replayed.
DeskActionKind = Literal[
    "database",
    "addendum",
    "file",
    "agency",
    "visit",
    "team_leader",
    "decide",
    "allocate",
    "handover",
    "end_shift",
]
DESK_ACTION_KINDS: tuple[DeskActionKind, ...] = typing.get_args(DeskActionKind)
PRIORITIES: tuple[str, ...] = ("immediate", "within_24_hours", "within_7_days")
NO_PRIORITY = "no_further_action"
PRIORITY_LABELS = {
    "immediate": "Immediate",
    "within_24_hours": "Within 24 hours",
    "within_7_days": "Within 7 days",
    NO_PRIORITY: "No further action",
}
LEVEL_LABELS = {
    Level.NO_FURTHER_ACTION: "No further action",
    Level.CHILD_IN_NEED: "Child in need",
    Level.CHILD_PROTECTION: "Child protection",
}


class DeskRefusal(Exception):
    """An action the desk cannot take now, with the reason in plain words."""


@dataclass(frozen=True, slots=True)
class DeskAction:
    """One trainee action as recorded: when (simulated and wall time), what and on what."""

    seq: int
    sim_time: float
    wall_time: float
    kind: str
    case_id: int | None
    payload: dict[str, Any]


@dataclass(slots=True)
class Finding:
    """An information action and, once it came back, its answer."""

    case_id: int
    action: InformationAction
    label: str  # "database 'Kowalczyk'", "agency:police", ...
    requested_at: float
    returned_at: float | None = None
    outcome: str = "pending"
    detail: str = ""
    evidence_key: str | None = None
    value: float | None = None

    @property
    def done(self) -> bool:
        return self.returned_at is not None


@dataclass(frozen=True, slots=True)
class Decision:
    level: Level
    priority: str


__all__ = [
    "DESK_ACTION_KINDS",
    "Decision",
    "DeskAction",
    "DeskActionKind",
    "DeskRefusal",
    "Finding",
    "LEVEL_LABELS",
    "NO_PRIORITY",
    "PRIORITIES",
    "PRIORITY_LABELS",
]
