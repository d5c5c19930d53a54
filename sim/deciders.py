"""Decision points and the policies that answer them.

The model asks a `Decider` at every decision point: screen a referral against the
thresholds, give a waiting case its priority, allocate it to a worker, and conclude an
assessment. A built-in policy answers at once with a value; a trainee at the duty desk
answers with a SimPy event that the user interface triggers later, and the model waits
for it. Both go through the same seam, so the model runs the same way under either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import simpy

from sim.config import Thresholds
from sim.entities import Level

# Stated concerns that look like immediate harm: an injury or a disclosure.
IMMEDIATE_HARM = frozenset({"physical", "sexual"})


class CaseView(NamedTuple):
    """What the worker deciding a case can see: never the hidden truth.

    Immutable, and a tuple rather than a frozen dataclass because the model builds one
    for every decision and a frozen dataclass costs several times as much to build.
    """

    case_id: int
    family_id: int
    now: float
    source: str
    concern: str  # the concern the referral names (sim/presenting.py), never the truth
    arrived_at: float
    believed_risk: float  # the worker's reading of everything found so far
    believed_need: float
    known_family: bool  # history found on record
    re_referral: bool
    screening_level: Level | None
    evidence: tuple[tuple[str, float], ...]  # what was found, by where it came from


class WorkerView(NamedTuple):
    worker_id: int
    role: str
    caseload: int
    caseload_cap: int
    team: int


Answer = object  # a value, or a simpy.Event whose value is the answer


class Decider(Protocol):
    """Answers the model's decision points; may return a value or a SimPy event.

    `name` goes on the run's first record. `manual_checks` is True for a decider that
    makes the duty desk's checks itself (a trainee); it is read at each screening, so a
    decider may hand the checks back.
    """

    name: str
    manual_checks: bool

    def screen(self, view: CaseView) -> Level | simpy.Event: ...

    def prioritise(self, view: CaseView) -> float | simpy.Event: ...

    def allocate(self, view: CaseView, workers: Sequence[WorkerView]) -> int | simpy.Event: ...

    def conclude(self, view: CaseView) -> Level | simpy.Event: ...


def level_for(risk: float, need: float, thresholds: Thresholds) -> Level:
    """Which threshold a believed risk and need cross."""
    if risk >= thresholds.child_protection_risk:
        return Level.CHILD_PROTECTION
    if risk >= thresholds.child_in_need_risk or need >= thresholds.child_in_need_need:
        return Level.CHILD_IN_NEED
    return Level.NO_FURTHER_ACTION


def screening_level_for(risk: float, need: float, thresholds: Thresholds) -> Level:
    """Screening asks a wider question than a conclusion: is this worth assessing?"""
    if risk >= thresholds.child_protection_risk:
        return Level.CHILD_PROTECTION
    if risk >= thresholds.screen_in_risk or need >= thresholds.screen_in_need:
        return Level.CHILD_IN_NEED
    return Level.NO_FURTHER_ACTION


class ThresholdPolicy:
    """Screens and concludes by the scenario's thresholds; subclasses set priorities.

    A smaller priority key is allocated first.
    """

    name = "threshold"
    manual_checks = False

    def __init__(self, *, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    def screen(self, view: CaseView) -> Level:
        if not self.thresholds.enabled:
            return Level.CHILD_IN_NEED
        return screening_level_for(view.believed_risk, view.believed_need, self.thresholds)

    def conclude(self, view: CaseView) -> Level:
        if not self.thresholds.enabled:
            return Level.NO_FURTHER_ACTION
        return level_for(view.believed_risk, view.believed_need, self.thresholds)

    def prioritise(self, view: CaseView) -> float:
        return view.now

    def allocate(self, view: CaseView, workers: Sequence[WorkerView]) -> int:
        # Most spare capacity first; child protection work to the most experienced free
        # worker, as team leaders told the study they try to do.
        free = [w for w in workers if w.caseload < w.caseload_cap]
        if view.screening_level == Level.CHILD_PROTECTION:
            seasoned = [w for w in free if w.role in ("experienced", "senior_practitioner")]
            free = seasoned or free
        best = min(free, key=lambda w: (w.caseload / w.caseload_cap, w.worker_id))
        return best.worker_id


class FifoPolicy(ThresholdPolicy):
    """First come, first allocated, whatever the concern."""

    name = "fifo"


class ImmediateHarmFirstPolicy(ThresholdPolicy):
    """The status quo the report describes: protection cases, then referrals that name an
    injury or a disclosure, and only then everything else (where neglect and emotional
    harm mostly arrive, under another name)."""

    name = "immediate-harm-first"

    def prioritise(self, view: CaseView) -> float:
        if view.screening_level == Level.CHILD_PROTECTION:
            band = 0
        elif view.concern in IMMEDIATE_HARM:
            band = 1
        else:
            band = 2
        return band * 100_000.0 + view.now


class NeedWeightedPolicy(ThresholdPolicy):
    """Protection cases first; the rest by waiting time less a credit for believed risk
    and need, so a neglected child with high need does not wait behind every bruise."""

    name = "need-weighted"
    credit_days = 30.0

    def prioritise(self, view: CaseView) -> float:
        if view.screening_level == Level.CHILD_PROTECTION:
            return view.now - 100_000.0
        return view.now - self.credit_days * (view.believed_risk + view.believed_need)


POLICIES: dict[str, type[ThresholdPolicy]] = {
    p.name: p for p in (FifoPolicy, ImmediateHarmFirstPolicy, NeedWeightedPolicy)
}


def make_policy(name: str, *, thresholds: Thresholds) -> ThresholdPolicy:
    try:
        return POLICIES[name](thresholds=thresholds)
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; choose from {', '.join(POLICIES)}") from None
