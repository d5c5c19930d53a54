"""The people and files of the front door: families, referrals (cases) and workers.

A `Family` carries the hidden truth: what kind of harm threatens the child, how great
the risk is and how it trends, and how much the family needs support. The team never
reads these fields directly; it sees a referral's indicators, what it manages to find
out, and its own (error-prone) reading of them. A `Case` is one referral of a family
and everything the team did with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from sim.vocabulary import HarmType, Ordeal, Protection, Role, Severity

if TYPE_CHECKING:  # annotations only: the trainer's title needs Level, not numpy
    from sim.rng import DrawBlock


class Level(IntEnum):
    """Threshold levels, ordered by how protective they are."""

    NO_FURTHER_ACTION = 0
    CHILD_IN_NEED = 1
    CHILD_PROTECTION = 2

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {level: level.name.lower() for level in Level}


ROLE_IS_FRONTLINE = {
    "information_officer": True,
    "family_support_worker": True,
    "student": True,
    "newly_qualified": True,
    "experienced": True,
    "senior_practitioner": True,
    "team_leader": True,
    "team_manager": True,
}


@dataclass(slots=True)
class Worker:
    id: int
    role: Role
    caseload_cap: int
    duty: bool
    judgement_sd: float
    caseload: int = 0
    team: int = 0  # patch team index (0 when there is one central team)
    tenure_years: float = 0.0  # years in post when joined_at came; long service brings memory
    joined_at: float = 0.0  # day of the run the worker took up the post (0: already there)
    relationships: dict[str, float] = field(default_factory=dict)  # rapport per agency

    def tenure_at(self, now: float) -> float:
        """Years in post at day `now`: tenure grows with time served."""
        return self.tenure_years + (now - self.joined_at) / 365.0

    @property
    def holds_cases(self) -> bool:
        return self.caseload_cap > 0

    @property
    def load(self) -> float:
        return self.caseload / self.caseload_cap if self.caseload_cap else 0.0


@dataclass(slots=True)
class Family:
    id: int
    harm_type: HarmType
    base_risk: float
    need: float
    trend: float  # yearly log-growth of risk
    origin_time: float
    rng: DrawBlock  # the family's own draws: referrals, harm clock, new concerns
    judgement_rng: DrawBlock  # how workers misread this family, and how long work takes
    known_before_run: bool = False
    last_referral_at: float | None = None
    referrals: int = 0
    alive: bool = True
    gone: bool = False  # left the team's population (children grew up, moved away)
    open_case: Case | None = None
    protection: Protection = "none"
    team_level: Level = Level.NO_FURTHER_ACTION
    # Harm clock: remaining unit-exponential hazard before the next harm event.
    hazard_left: float = 0.0
    hazard_since: float = 0.0
    clock_version: int = 0
    concern_version: int = 0
    episode: ErrorEpisode | None = None
    team_record: float | None = None  # the risk the team's own records last gave
    facts: Any = None  # FamilyFacts: what could be found out (sim.information)
    patch: int = 0
    plan_anchor: float = 0.0  # the view a long-term reviewer anchors on
    first_spelling: str = ""  # the spelling of the team's first contact

    def risk_at(self, t: float) -> float:
        if self.base_risk <= 0.0:
            return 0.0
        risk = self.base_risk * math.exp(self.trend * (t - self.origin_time) / 365.0)
        return risk if risk < 1.0 else 1.0


@dataclass(slots=True)
class Case:
    id: int
    family: Family
    source: str
    arrived_at: float
    concern: str  # the concern the referral names (sim/presenting.py), not the hidden harm
    referral_signal: float  # risk the referral appears to show
    need_signal: float
    re_referral: bool
    evidence: dict[str, float] = field(default_factory=dict)
    screened_at: float | None = None
    screening_level: Level | None = None
    queued_at: float | None = None
    allocated_at: float | None = None
    worker: Worker | None = None
    outcome: Level | None = None
    closed_at: float | None = None
    stage: str = "awaiting_screening"
    spelling: str = ""  # how this referral spells the family's name
    record_found: bool = False
    addendum_missed: bool = False
    adults_found: set[str] = field(default_factory=set)  # household adults' records found
    file_status: str = "not_requested"
    agency_status: dict[str, str] = field(default_factory=dict)
    # Notices agencies sent unasked: agency -> (when it reached the team, what it read).
    notices: dict[str, tuple[float, float]] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)  # checks cut short under pressure
    checked: set[str] = field(default_factory=set)  # checks the desk made
    holes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    plan_started_at: float | None = None
    scripted_ref: str | None = None
    expected: dict[str, float] = field(default_factory=dict)  # when each answer is due


@dataclass(slots=True)
class ErrorEpisode:
    """A stretch of time in which the team's level for a family differs from the truth."""

    direction: str  # "under" (child less protected than needed) or "over" (false positive)
    case_id: int
    started_at: float
    failed_barrier: str
    worst_harm: Severity | None = None  # worst harm suffered during the episode
    conditions: tuple[str, ...] = ()
    active_failure: bool = False
    holed_barriers: tuple[str, ...] = ()
    surfaced: bool = False  # someone outside saw the harm
    ordeal: Ordeal = "strategy_discussion"  # an over-response's furthest reach into the family

    @property
    def felt(self) -> bool:
        """Whether the child or family felt the error: the child came to some harm, or a
        wrongly suspected family met the team beyond professionals' own discussion."""
        return self.worst_harm is not None or (
            self.direction == "over" and self.ordeal != "strategy_discussion"
        )
