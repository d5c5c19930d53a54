"""How the team reads a case, what a decision is judged against, and the barrier record.

A worker's reading of a case is the most worrying thing found so far, blurred by the
worker's judgement error (larger under a heavy caseload and when the team is behind).
Each decision is a barrier test: it holds when the level decided protects the child as
much as the hidden truth needs (and puts no family under child protection its truth,
read generously, does not warrant). Only this module and the harm clock read the truth.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.config import Staff, Thresholds, Truth
from sim.context import RunContext, clip01
from sim.deciders import CaseView, level_for, screening_level_for
from sim.entities import Case, Family, Level, Worker
from sim.events import EventKind
from sim.incidents import IncidentBook
from sim.internals import new_tuple
from sim.records import BarrierTested
from sim.workload import Workload

# After an assessment, these still speak; the referral's first picture does not.
SUPERSEDED_BY_ASSESSMENT = frozenset({"referral", "screening"})
FIRST_HAND = frozenset({"assessment", "visit", "edt_visit", "harm_seen"})
HEARSAY_WEIGHT = 0.85
# Decisions judged by the screening rule (is this worth assessing?), not the conclusion rule.
SCREENING_BARRIERS = frozenset({"screening", "team_leader_review"})


class Judgement:
    """Readings, views for deciders, the truth at a moment, and barrier records."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        staff: Staff,
        thresholds: Thresholds,
        truth: Truth,
        workload: Workload,
        incidents: IncidentBook,
        defensive_shift: float = 0.0,
    ) -> None:
        self._ctx = ctx
        # Defensive practice: `thresholds` are those practised, the child protection one
        # lowered by this much from the published one; the risk each case was last shown
        # at is kept to tell when the shift decided a case (a condition where it mattered).
        self._defensive_shift = defensive_shift
        self._shown_risk: dict[int, float] = {}
        self._staff = staff
        self._thresholds = thresholds
        self._truth = truth
        self._workload = workload
        self.incidents = incidents

    def worker_error_sd(self, worker: Worker | None) -> float:
        staff = self._staff
        if worker is None:
            return 0.0
        sd = worker.judgement_sd
        sd *= 1.0 + staff.workload_error_gain * max(0.0, worker.load - 0.8)
        if self._workload.behind(worker.team):
            sd *= 1.0 + staff.time_pressure_error_gain
        return sd

    def read(
        self,
        case: Case,
        worker: Worker | None,
        *,
        assessed: bool = False,
        error_sd: float | None = None,
    ) -> tuple[float, float, float, float]:
        """A worker's reading of a case: (believed, noiseless) risk and need.

        The reading is the most worrying thing found so far (one fact can matter); once
        the family has been assessed, the referral's first picture no longer counts.
        """
        rng = case.family.judgement_rng
        z_risk, z_need = rng.normal(), rng.normal()
        sd = self.worker_error_sd(worker) if error_sd is None else error_sd
        if assessed:
            # Seeing the family leads; records and other agencies still weigh, a little less.
            pool = [
                v if k in FIRST_HAND else HEARSAY_WEIGHT * v
                for k, v in case.evidence.items()
                if k not in SUPERSEDED_BY_ASSESSMENT
            ]
        else:
            pool = list(case.evidence.values())
        clean_risk = max(pool) if pool else 0.0
        clean_need = case.need_signal
        risk = clip01(clean_risk + sd * z_risk)
        need = clip01(clean_need + sd * z_need)
        return risk, need, clean_risk, clean_need

    def view(self, case: Case, believed_risk: float, believed_need: float) -> CaseView:
        family = case.family
        if self._defensive_shift:
            self._shown_risk[case.id] = believed_risk
        # Positional, in CaseView's field order: built for every decision, and a tuple
        # built directly skips the named constructor's keyword handling.
        return new_tuple(
            CaseView,
            (
                case.id,  # case_id
                family.id,  # family_id
                self._ctx.env.now,  # now
                case.source,  # source
                case.concern,  # concern
                case.arrived_at,  # arrived_at
                believed_risk,
                believed_need,
                case.record_found or "local_knowledge" in case.evidence,  # known_family
                case.re_referral,
                case.screening_level,
                tuple(case.evidence.items()),  # evidence, in the order it was found
            ),
        )

    def truth_level(self, family: Family, t: float | None = None) -> Level:
        return self.truth_at(family, self._ctx.env.now if t is None else t)[0]

    def truth_at(self, family: Family, t: float) -> tuple[Level, Level]:
        """The level the truth warrants at `t`, and its generous reading (the ceiling,
        never below it): child protection for a family within the margin of significant
        harm is cautious, not a false positive. One reading of the family's risk gives
        both, as every graded decision needs both."""
        truth = self._truth
        risk = family.risk_at(t)
        harmful = family.harm_type != "none"
        if harmful and risk >= truth.significant_harm_risk:
            level = Level.CHILD_PROTECTION
        elif (harmful and risk >= truth.in_need_risk) or family.need >= truth.in_need_need:
            level = Level.CHILD_IN_NEED
        else:
            level = Level.NO_FURTHER_ACTION
        if harmful and risk + truth.false_positive_margin >= truth.significant_harm_risk:
            return level, Level.CHILD_PROTECTION
        return level, Level.CHILD_IN_NEED

    def barrier(
        self,
        case: Case,
        name: str,
        held: bool,
        conditions: list[str],
        worker: Worker | None,
        *,
        active_failure: bool = False,
        role: str | None = None,
        decided: Level | None = None,
        truth: Level | None = None,
        agency: str | None = None,
        to: str | None = None,
        at: str | None = None,
        case_age_days: float | None = None,
    ) -> None:
        """Log one test of a barrier; a hole joins the case's story for later grading.

        The one builder of barrier records. `role` names whoever stood at the barrier when
        no worker did; `decided` and `truth` are the levels of a judgement; `agency`, `to`,
        `at` and `case_age_days` apply to some barriers only (see BarrierTested)."""
        if not held:
            case.holes.append((name, tuple(conditions)))
        log = self._ctx.log
        log.append(
            BarrierTested(
                self._ctx.env.now,
                log.next_seq,
                EventKind.BARRIER_TESTED,
                case.id,
                case.family.id,
                barrier=name,
                held=held,
                conditions=conditions,
                active_failure=active_failure,
                worker=None if worker is None else worker.id,
                role=role if worker is None else worker.role,
                decided=None if decided is None else decided.label,
                truth=None if truth is None else truth.label,
                agency=agency,
                to=to,
                at=at,
                case_age_days=case_age_days,
            )
        )

    def _escalated_defensively(self, case: Case, answer: Level) -> bool:
        """Child protection for a case shown below the published threshold but within the
        defensive shift of it: the culture, not the reading, escalated it."""
        shown = self._shown_risk.pop(case.id, None)
        if answer != Level.CHILD_PROTECTION or shown is None:
            return False
        practised = self._thresholds.child_protection_risk
        return practised <= shown < practised + self._defensive_shift

    def judge(
        self,
        case: Case,
        worker: Worker | None,
        barrier: str,
        answer: Level,
        clean_risk: float,
        clean_need: float,
        extra: Sequence[str] = (),
    ) -> None:
        """Record the barrier test of a decision and update the family's error episode.

        `extra` names conditions the caller found changed this decision (sim/first_view.py).
        """
        family = case.family
        now = self._ctx.env.now
        truth, ceiling = self.truth_at(family, now)
        rule = screening_level_for if barrier in SCREENING_BARRIERS else level_for
        clean = rule(clean_risk, clean_need, self._thresholds)
        held = self.incidents.level_holds(answer, truth, ceiling)
        active = (not held) and self.incidents.level_holds(clean, truth, ceiling)
        conditions = self._workload.conditions(case, worker) + list(extra)
        if not held and answer > truth:
            # A harm that is hard to see can hide a risk; it cannot make one up, so it is
            # not behind an over-response.
            conditions = [c for c in conditions if c != "low_visibility_harm"]
        if self._defensive_shift and self._escalated_defensively(case, answer):
            conditions.append("defensive_practice")
        self.barrier(
            case,
            barrier,
            held,
            conditions,
            worker,
            active_failure=active,
            decided=answer,
            truth=truth,
        )
        family.team_level = answer
        self.incidents.after_decision(
            family,
            case,
            answer,
            truth,
            barrier=barrier,
            role=None if worker is None else worker.role,
            conditions=tuple(conditions),
            active_failure=active,
            ceiling=ceiling,
        )
