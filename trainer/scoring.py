"""Scoring a shift at the duty desk: near misses caught or missed, as signal detection.

A case hides a near miss when the hidden truth about the family (the level its risk
warrants, from the model's own screening record) is above what the referral alone shows
(the team's thresholds applied to the referral's wording). That is read from the event
log, so it follows from the model's mechanism, not from a label.

- hit: a hidden risk uncovered (a check in hand when deciding shows enough to cross the
  threshold the truth warrants) and acted on (the case screened at or above that level)
  before any harm;
- miss: a hidden risk not caught;
- false alarm: a case with no hidden risk put under child protection that its truth does
  not warrant (the report's false positives);
- correct rejection: a case with no hidden risk and no such escalation.

d' and the criterion c use the log-linear correction (add 0.5 to each count and 1 to
each total), so a perfect or empty row still gives finite values; the raw counts are
always shown beside them. Triage compares the priority chosen with the priority the
truth warrants; under-triage counts double in the weighted error, since a child left
waiting is the more serious mistake.

Cases left undecided at the end of the shift are decided by the night team from the
handover the trainee wrote: they count towards detection (a dropped fact is a miss) but
not towards triage (the trainee set no priority).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, median
from typing import Any, TypeVar

from sim.config import Scenario
from sim.deciders import screening_level_for
from sim.entities import Level
from sim.events import LogRecord, record_fields
from sim.records import (
    BarrierTested,
    FamilyCreated,
    HandedOver,
    HarmOccurred,
    IncidentGraded,
    ReferralArrived,
    Screened,
)
from trainer.desk_records import NO_PRIORITY, PRIORITIES, DeskAction, Finding

_Z = NormalDist()
UNDER_TRIAGE_WEIGHT = 2.0
SCORE_KEYS = (
    "hits",
    "misses",
    "false_alarms",
    "correct_rejections",
    "d_prime",
    "criterion",
    "under_triage",
    "over_triage",
)
# Urgency order of priorities, most urgent first.
URGENCY = (*PRIORITIES, NO_PRIORITY)
IMMEDIATE_HARM = frozenset({"physical", "sexual"})


@dataclass(frozen=True, slots=True)
class Detection:
    """Signal detection with the log-linear correction (Hautus 1995)."""

    hits: int
    misses: int
    false_alarms: int
    correct_rejections: int

    @property
    def hit_rate(self) -> float:
        return (self.hits + 0.5) / (self.hits + self.misses + 1.0)

    @property
    def false_alarm_rate(self) -> float:
        return (self.false_alarms + 0.5) / (self.false_alarms + self.correct_rejections + 1.0)

    @property
    def d_prime(self) -> float:
        return _Z.inv_cdf(self.hit_rate) - _Z.inv_cdf(self.false_alarm_rate)

    @property
    def criterion(self) -> float:
        """c: positive is cautious about escalating, negative escalates readily."""
        return -0.5 * (_Z.inv_cdf(self.hit_rate) + _Z.inv_cdf(self.false_alarm_rate))


def level_of(label: str | None) -> Level | None:
    return None if label is None else Level[label.upper()]


def true_priority(truth: Level, harm_type: str) -> str:
    """The priority the hidden truth warrants: protection from injury or abuse at once,
    other protection within a day, a child in need within a week."""
    if truth == Level.CHILD_PROTECTION:
        return "immediate" if harm_type in IMMEDIATE_HARM else "within_24_hours"
    if truth == Level.CHILD_IN_NEED:
        return "within_7_days"
    return NO_PRIORITY


def risk_level(harm_type: str, risk: float, scenario: Scenario) -> Level:
    """The level the family's risk alone warrants (need aside)."""
    truth = scenario.truth
    if harm_type == "none":
        return Level.NO_FURTHER_ACTION
    if risk >= truth.significant_harm_risk:
        return Level.CHILD_PROTECTION
    if risk >= truth.in_need_risk:
        return Level.CHILD_IN_NEED
    return Level.NO_FURTHER_ACTION


@dataclass(frozen=True)
class CaseScore:
    case_id: int
    family_id: int
    ref: str | None
    source: str
    concern: str
    arrived_at: float
    decided_at: float | None
    decided_by: str  # trainee, night_team
    level: Level | None
    priority: str | None
    truth: Level
    truth_priority: str
    surface: Level  # what the referral alone showed
    harm_type: str
    hidden_risk: bool
    uncovered: bool
    revealing: tuple[str, ...]  # evidence in hand that showed the hidden risk
    evidence_in_hand: tuple[str, ...]
    checks_before: int
    harmed_before_decision: bool
    outcome: str  # hit, miss, false_alarm, correct_rejection
    under_triage: bool | None
    over_triage: bool | None
    within_timescale: bool | None
    hours_to_decision: float | None
    harm: tuple[tuple[float, str], ...]  # (time, severity) of harm to the family
    incidents: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class ShiftScore:
    detection: Detection
    under_triage: float
    over_triage: float
    weighted_triage_error: float
    decided_in_timescale: float | None
    median_hours_to_decision: float | None
    checks_per_case: float
    revealing_checked: float | None  # share of hidden risks whose revealing source was tried
    harm_in_shift: int
    harm_after_shift: int
    handed_over: int
    cases: tuple[CaseScore, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, float | int]:
        """The headline figures, with exactly the keys the command line prints."""
        d = self.detection
        return {
            "hits": d.hits,
            "misses": d.misses,
            "false_alarms": d.false_alarms,
            "correct_rejections": d.correct_rejections,
            "d_prime": round(d.d_prime, 4),
            "criterion": round(d.criterion, 4),
            "under_triage": round(self.under_triage, 4),
            "over_triage": round(self.over_triage, 4),
        }

    def details(self) -> dict[str, Any]:
        """Everything beside the headline, for the session store and the debrief."""
        return {
            "hit_rate": round(self.detection.hit_rate, 4),
            "false_alarm_rate": round(self.detection.false_alarm_rate, 4),
            "weighted_triage_error": round(self.weighted_triage_error, 4),
            "decided_in_timescale": self.decided_in_timescale,
            "median_hours_to_decision": self.median_hours_to_decision,
            "checks_per_case": round(self.checks_per_case, 3),
            "revealing_checked": self.revealing_checked,
            "harm_in_shift": self.harm_in_shift,
            "harm_after_shift": self.harm_after_shift,
            "handed_over": self.handed_over,
        }


# A record type: _first keeps the kind it is given.
_R = TypeVar("_R", bound=LogRecord)


def _first(records: Iterable[_R]) -> dict[int, _R]:
    out: dict[int, _R] = {}
    for r in records:
        out.setdefault(r.case, r)
    return out


def trainee_cases(records: Sequence[LogRecord], starts_at: float, ends_at: float) -> list[int]:
    """Cases on the trainee's desk: arrived before the shift ended and not screened before
    it began."""
    arrived = _first(r for r in records if isinstance(r, ReferralArrived))
    screened = _first(r for r in records if isinstance(r, Screened))
    return sorted(
        c
        for c, r in arrived.items()
        if r.time < ends_at and not (c in screened and screened[c].time < starts_at)
    )


def score_shift(
    records: Sequence[LogRecord],
    *,
    scenario: Scenario,
    starts_at: float,
    ends_at: float,
    actions: Sequence[DeskAction],
    findings: Sequence[Finding],
) -> ShiftScore:
    """Score one shift from its event log and the trainee's own actions and findings."""
    thresholds = scenario.thresholds
    families = {r.family: r for r in records if isinstance(r, FamilyCreated)}
    arrived = _first(r for r in records if isinstance(r, ReferralArrived))
    screened = _first(r for r in records if isinstance(r, Screened))
    judged = _first(
        r for r in records if isinstance(r, BarrierTested) and r.barrier == "screening"
    )
    lost_at_handover: dict[int, set[str]] = {}
    for r in records:
        if isinstance(r, HandedOver) and r.to == "emergency_duty_team":
            lost_at_handover.setdefault(r.case, set()).update(r.lost)
    # A night visit made on the trainee's handover that saw the child (its finding is
    # what the night team decided on): the handover uncovered the risk.
    seen_at_night = {
        r.case: r.time
        for r in records
        if isinstance(r, BarrierTested)
        and r.barrier == "seeing_child"
        and r.at == "out_of_hours"
        and r.held
        and r.time >= ends_at
    }
    harm_by_family: dict[int, list[tuple[float, str]]] = {}
    for r in records:
        if isinstance(r, HarmOccurred):
            harm_by_family.setdefault(r.family, []).append((r.time, str(r.severity)))
    incidents_by_family: dict[int, list[Mapping[str, Any]]] = {}
    for r in records:
        if isinstance(r, IncidentGraded):
            incidents_by_family.setdefault(r.family, []).append(dict(record_fields(r), time=r.time))
    decisions = {a.case_id: a for a in actions if a.kind == "decide"}

    cases: list[CaseScore] = []
    for case_id in trainee_cases(records, starts_at, ends_at):
        ref = arrived[case_id]
        family = families[ref.family]
        screen = screened.get(case_id)
        judge = judged.get(case_id)
        harm_type = str(family.harm_type)
        if judge is not None:
            truth = level_of(judge.truth) or Level.NO_FURTHER_ACTION
        else:
            truth = level_of(family.truth_level) or Level.NO_FURTHER_ACTION
        need_signal = float(ref.need_signal)
        surface = screening_level_for(float(ref.signal), need_signal, thresholds)
        decided_at = screen.time if screen is not None else None
        level = level_of(screen.level) if screen is not None else None
        action = decisions.get(case_id)
        decided_by = "trainee" if action is not None else "night_team"
        priority = str(action.payload["priority"]) if action is not None else None
        # Evidence in hand when the case was decided, less what a handover dropped.
        lost = lost_at_handover.get(case_id, set()) if action is None else set()
        in_hand = {
            f.evidence_key: float(f.value)
            for f in findings
            if f.case_id == case_id
            and f.evidence_key is not None
            and f.value is not None
            and f.returned_at is not None
            and decided_at is not None
            and f.returned_at <= decided_at
            and f.evidence_key not in lost
        }
        checks = sum(
            1
            for f in findings
            if f.case_id == case_id
            and f.returned_at is not None
            and decided_at is not None
            and f.returned_at <= decided_at
        )
        # A hidden risk is one the family's risk carries beyond what the referral showed;
        # a gap in need alone is not something a desk check can reveal.
        risk_truth = risk_level(harm_type, float(family.risk), scenario)
        hidden = truth > surface and risk_truth > surface
        revealing = tuple(
            sorted(
                k
                for k, v in in_hand.items()
                if hidden and screening_level_for(v, need_signal, thresholds) >= truth
            )
        )
        night_seen = seen_at_night.get(case_id)
        uncovered = bool(revealing) or (
            hidden
            and action is None
            and night_seen is not None
            and decided_at is not None
            and night_seen <= decided_at
        )
        harm = tuple(sorted(harm_by_family.get(ref.family, [])))
        harmed_before = decided_at is None or any(
            t < decided_at and sev != "low" for t, sev in harm if t >= ref.time
        )
        if hidden:
            acted = level is not None and level >= truth
            outcome = "hit" if (uncovered and acted and not harmed_before) else "miss"
        else:
            over = level == Level.CHILD_PROTECTION and truth < Level.CHILD_PROTECTION
            outcome = "false_alarm" if over else "correct_rejection"
        tp = true_priority(truth, harm_type)
        under = over_t = None
        if priority is not None:
            under = URGENCY.index(priority) > URGENCY.index(tp)
            over_t = URGENCY.index(priority) < URGENCY.index(tp)
        hours = None
        if decided_at is not None:
            hours = (decided_at - ref.time) * 24.0
        cases.append(
            CaseScore(
                case_id=case_id,
                family_id=ref.family,
                ref=ref.scripted,
                source=str(ref.source),
                concern=str(ref.concern),
                arrived_at=ref.time,
                decided_at=decided_at,
                decided_by=decided_by,
                level=level,
                priority=priority,
                truth=truth,
                truth_priority=tp,
                surface=surface,
                harm_type=harm_type,
                hidden_risk=hidden,
                uncovered=uncovered,
                revealing=revealing,
                evidence_in_hand=tuple(sorted(in_hand)),
                checks_before=checks,
                harmed_before_decision=bool(harmed_before and decided_at is not None),
                outcome=outcome,
                under_triage=under,
                over_triage=over_t,
                within_timescale=(bool(screen.within_timescale) if screen is not None else None),
                hours_to_decision=hours,
                harm=harm,
                incidents=tuple(incidents_by_family.get(ref.family, [])),
            )
        )
    return summarise(cases, ends_at=ends_at)


def summarise(cases: Sequence[CaseScore], *, ends_at: float) -> ShiftScore:
    count = {k: 0 for k in ("hit", "miss", "false_alarm", "correct_rejection")}
    for c in cases:
        count[c.outcome] += 1
    triaged = [c for c in cases if c.under_triage is not None]
    under = sum(1 for c in triaged if c.under_triage) / len(triaged) if triaged else 0.0
    over = sum(1 for c in triaged if c.over_triage) / len(triaged) if triaged else 0.0
    # A case left undecided at the desk (the night team took it, or nobody screened it)
    # was not decided within the timescale: it counts as late, not as missing.
    timed = [bool(c.within_timescale) and c.decided_by == "trainee" for c in cases]
    hours = [c.hours_to_decision for c in cases if c.hours_to_decision is not None]
    hidden = [c for c in cases if c.hidden_risk]
    return ShiftScore(
        detection=Detection(
            count["hit"], count["miss"], count["false_alarm"], count["correct_rejection"]
        ),
        under_triage=under,
        over_triage=over,
        weighted_triage_error=(UNDER_TRIAGE_WEIGHT * under + over) / (UNDER_TRIAGE_WEIGHT + 1),
        decided_in_timescale=(sum(timed) / len(timed)) if timed else None,
        median_hours_to_decision=round(median(hours), 3) if hours else None,
        checks_per_case=(sum(c.checks_before for c in cases) / len(cases)) if cases else 0.0,
        revealing_checked=(sum(1 for c in hidden if c.uncovered) / len(hidden) if hidden else None),
        harm_in_shift=sum(1 for c in cases for t, _ in c.harm if t < ends_at),
        harm_after_shift=sum(1 for c in cases for t, _ in c.harm if t >= ends_at),
        handed_over=sum(1 for c in cases if c.decided_by == "night_team"),
        cases=tuple(cases),
    )


__all__ = [
    "CaseScore",
    "Detection",
    "SCORE_KEYS",
    "ShiftScore",
    "UNDER_TRIAGE_WEIGHT",
    "level_of",
    "risk_level",
    "score_shift",
    "summarise",
    "trainee_cases",
    "true_priority",
]
