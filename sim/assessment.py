"""Assessment: the allocated worker sees the family and concludes what it needs.

An initial assessment takes a number of working days (longer when the worker's
caseload is heavy); if it points to child protection or high need, a core assessment
follows. Seeing the child shows far more of the truth than a referral; an assessment
that never sees the child (corner-cutting under pressure) shows less. The conclusion is
asked of the decider: no further action closes the case, anything else starts a plan.
"""

from __future__ import annotations

import math

import simpy

from sim import tasks
from sim.config import Assessment as AssessmentSpec
from sim.config import Families, Thresholds, Timescales, Visits
from sim.context import ProcessGen, RunContext, clip01
from sim.deciders import Decider
from sim.entities import Case, Family, Level, Worker
from sim.events import EventKind
from sim.harm_clock import HarmClock
from sim.judgement import Judgement
from sim.plans import Plans
from sim.records import Allocated, AssessmentStageEnded, Concluded
from sim.referrals import Referrals
from sim.workload import Workload


class Assessment:
    """Initial and core assessments, and the conclusion that ends them."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        assessment: AssessmentSpec,
        visits: Visits,
        families: Families,
        thresholds: Thresholds,
        timescales: Timescales,
        decider: Decider,
        judgement: Judgement,
        workload: Workload,
        harm_clock: HarmClock,
        referrals: Referrals,
        plans: Plans,
    ) -> None:
        self._ctx = ctx
        self._spec = assessment
        self._visits = visits
        self._families = families
        self._thresholds_on = thresholds.enabled
        self._timescales = timescales
        self._decider = decider
        self._judgement = judgement
        self._workload = workload
        self._harm_clock = harm_clock
        self._referrals = referrals
        self._plans = plans

    def _duration(self, family: Family, median_wd: float, worker: Worker) -> float:
        spec = self._spec
        rng = family.judgement_rng
        if spec.distribution == "exponential":
            days = rng.exponential(spec.exponential_mean_days)
        else:
            days = median_wd * math.exp(spec.sigma * rng.normal())
        return days * (1.0 + spec.workload_slowdown * max(0.0, worker.load - 0.8))

    def _wait(self, family: Family, median_wd: float, worker: Worker) -> simpy.Event:
        """The working days one stage of assessment takes, from now."""
        # add_working_days starts at the next opening itself when the team is closed.
        now = self._ctx.env.now
        end = self._ctx.calendar.add_working_days(now, self._duration(family, median_wd, worker))
        return self._ctx.env.timeout(end - now)

    def assess(self, case: Case, worker: Worker, caseload: int) -> ProcessGen:
        """One case's assessment by `worker`, from allocation to its conclusion."""
        family = case.family
        self._record_allocation(case, worker, caseload)
        self._harm_clock.set_protection(family, "assessing")
        single = self._spec.framework == "single"
        median = (
            self._spec.single_median_working_days
            if single
            else self._spec.initial_median_working_days
        )
        yield self._wait(family, median, worker)
        self._evidence(case, worker)
        if single:  # one assessment, one conclusion
            yield from self._conclude(case, worker, "single")
            return
        risk, need, _, _ = self._judgement.read(case, worker, assessed=True)
        answer = self._decider.conclude(self._judgement.view(case, risk, need))
        if isinstance(answer, simpy.Event):
            answer = yield answer
        first = Level(answer)
        self._ctx.log.append(
            AssessmentStageEnded(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.ASSESSMENT_STAGE_ENDED,
                case.id,
                family.id,
                stage="initial",
                level=first.label,
            )
        )
        stage = "initial"
        if self._thresholds_on and (
            first == Level.CHILD_PROTECTION or need >= self._spec.core_need
        ):
            stage = "core"
            yield self._wait(family, self._spec.core_median_working_days, worker)
            self._evidence(case, worker)
        yield from self._conclude(case, worker, stage)

    def _conclude(self, case: Case, worker: Worker, stage: str) -> ProcessGen:
        """The assessment's conclusion: no further action, or a plan."""
        risk, need, clean_risk, clean_need = self._judgement.read(case, worker, assessed=True)
        answer = self._decider.conclude(self._judgement.view(case, risk, need))
        if isinstance(answer, simpy.Event):
            answer = yield answer
        outcome = Level(answer)
        self._record_conclusion(case, worker, outcome, stage, risk, need)
        self._judgement.judge(case, worker, "assessment", outcome, clean_risk, clean_need)
        self._workload.wake_allocator()
        if outcome == Level.NO_FURTHER_ACTION:
            self._referrals.close(case, "no_further_action_after_assessment")
        else:
            tasks.start(self._plans.plan(case, outcome, risk))

    def _record_allocation(self, case: Case, worker: Worker, caseload: int) -> None:
        now = self._ctx.env.now
        case.allocated_at = now
        case.worker = worker
        case.stage = "assessing"
        queued = case.queued_at if case.queued_at is not None else now
        wait_wd = self._ctx.calendar.working_days_between(queued, now)
        self._ctx.log.append(
            Allocated(
                now,
                self._ctx.log.next_seq,
                EventKind.ALLOCATED,
                case.id,
                case.family.id,
                worker=worker.id,
                role=worker.role,
                wait_days=now - queued,
                wait_working_days=wait_wd,
                concern=case.concern,
                caseload=caseload,
            )
        )
        if self._thresholds_on:
            late = wait_wd > self._timescales.allocation_working_days
            self._judgement.barrier(
                case, "allocation", not late, ["understaffing"] if late else [], worker
            )

    def _record_conclusion(
        self, case: Case, worker: Worker, outcome: Level, stage: str, risk: float, need: float
    ) -> None:
        now = self._ctx.env.now
        limit = self._timescales.assessment_limit(stage)
        allocated_at = case.allocated_at
        assert allocated_at is not None  # set when the case was allocated
        length_wd = self._ctx.calendar.working_days_between(allocated_at, now)
        case.outcome = outcome
        case.family.team_record = risk
        self._workload.change_caseload(worker, -1)
        self._ctx.log.append(
            Concluded(
                now,
                self._ctx.log.next_seq,
                EventKind.CONCLUDED,
                case.id,
                case.family.id,
                outcome=outcome.label,
                stage=stage,
                believed_risk=risk,
                believed_need=need,
                length_days=now - allocated_at,
                length_working_days=length_wd,
                within_timescale=length_wd <= limit,
                worker=worker.id,
            )
        )

    def _evidence(self, case: Case, worker: Worker) -> None:
        """Seeing the child shows far more of the truth than a referral; an assessment
        that never sees the child (corner-cutting under pressure) shows less."""
        family = case.family
        rng = family.judgement_rng
        visits = self._visits
        behind = self._workload.behind(family.patch)
        chance = visits.rushed_see_child_probability if behind else visits.see_child_probability
        seen = rng.random() < chance
        # Seen or not, a worker came to the door asking questions.
        self._judgement.incidents.intruded(family, case, "enquiry")
        clarity = self._families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
        if not seen:
            clarity = min(clarity, visits.unseen_clarity)
        if self._thresholds_on:
            why = [] if seen else (["time_pressure"] if behind else ["no_access_to_child"])
            self._judgement.barrier(case, "seeing_child", seen, why, worker, at="assessment")
        noise = rng.normal(0.0, 0.05)
        case.evidence["assessment"] = clip01(clarity * family.risk_at(self._ctx.env.now) + noise)
        case.need_signal = clip01(family.need + rng.normal(0.0, 0.05))
