"""Plans and long-term reviews: the family support team holds a case on a plan.

A child in need or child protection plan runs for a set time, reviewed periodically.
Each review is a barrier: it should notice a risk that has grown. The longer a case is
open, the more a reviewer anchors on the first view (complacency), and a familiar
family must show more before anyone escalates (the rule of optimism). A period of plan
works on the real trouble; at its end the case is renewed, escalated or closed.
"""

from __future__ import annotations

import math

from sim.agency_decisions import AgencyDecisionMakers
from sim.config import Families, LongTermCases, Services, Thresholds
from sim.context import ProcessGen, RunContext, clip01
from sim.entities import Case, Level
from sim.events import EventKind
from sim.harm_clock import HarmClock
from sim.incidents import IncidentBook
from sim.judgement import Judgement
from sim.out_of_hours import hand_over
from sim.records import PlanEnded, PlanStarted, TruthChanged
from sim.referrals import Referrals
from sim.support import SupportIntake
from sim.vocabulary import Protection

SHORTEST_PLAN_DAYS = 1.0 / (24 * 60)  # a plan shorter than a minute is no plan


class Plans:
    """Plans held by the family support team, their reviews, and their ends."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        services: Services,
        long_term: LongTermCases,
        families: Families,
        thresholds: Thresholds,
        judgement: Judgement,
        incidents: IncidentBook,
        harm_clock: HarmClock,
        referrals: Referrals,
        support: SupportIntake,
        agencies_decide: AgencyDecisionMakers | None = None,
    ) -> None:
        self._ctx = ctx
        self._agencies_decide = agencies_decide
        self._services = services
        self._long_term = long_term
        self._families = families
        self._thresholds = thresholds
        self._judgement = judgement
        self._incidents = incidents
        self._harm_clock = harm_clock
        self._referrals = referrals
        self._support = support

    def plan(self, case: Case, level: Level, believed: float) -> ProcessGen:
        """Hold the case on a plan, reviewing it periodically, until it closes.

        A child in need first waits for the family support team to start when its starts
        are rationed (sim/support.py); a case that waits too long is closed unhelped.
        """
        env = self._ctx.env
        family = case.family
        longterm = self._long_term
        waited: float | None = None
        if self._support.rationed and level == Level.CHILD_IN_NEED:
            asked = env.now
            self._harm_clock.set_protection(family, "waiting")
            started = yield from self._support.wait_for_start(case, believed)
            waited = env.now - asked
            if not started:
                self._referrals.close(case, "closed_waiting_for_support")
                return
        case.plan_started_at = env.now
        family.plan_anchor = believed
        hand_over(
            self._ctx,
            self._judgement,
            case,
            barrier="case_transfer",
            to="family_support_team",
            loss=longterm.transfer_fact_loss,
            why=["lossy_transfers"],
        )
        previous: Level | None = None
        while True:
            state, days = self._start_period(case, level, previous, waited)
            previous, waited = level, None
            ends = env.now + days
            if days < SHORTEST_PLAN_DAYS:
                # A plan of (next to) no length: its end review is its only decision, no
                # renewal, or the clock would crawl forward by specks.
                self._plan_works(case, level)
                self._review(case, level, ending=True)
                break
            while env.now + longterm.review_interval_days < ends:
                yield env.timeout(longterm.review_interval_days)
                if level == Level.CHILD_IN_NEED and self._review(case, level) > level:
                    level = Level.CHILD_PROTECTION
                    break
            else:
                yield env.timeout(max(0.0, ends - env.now))
                self._plan_works(case, level)
                next_level = self._review(case, level, ending=True)
                if next_level == Level.NO_FURTHER_ACTION:
                    break
                level = next_level
        self._referrals.close(case, f"{state}_plan_ended")

    def _start_period(
        self, case: Case, level: Level, previous: Level | None, waited: float | None
    ) -> tuple[Protection, float]:
        """Start (or renew) a plan at `level`: its state name and its length in days."""
        family = case.family
        services = self._services
        protection = level == Level.CHILD_PROTECTION
        state: Protection = "child_protection" if protection else "child_in_need"
        days = services.cp_plan_days if protection else services.cin_support_days
        case.stage = state
        self._ctx.log.append(
            PlanStarted(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.PLAN_STARTED,
                case.id,
                family.id,
                plan=state,
                days=days,
                waited_days=waited,
            )
        )
        if level != previous:  # a renewal of the same plan is not a new decision to grade
            self._incidents.plan_started(family, case, level)
        self._harm_clock.set_protection(family, state)
        if level != previous and self._agencies_decide is not None:
            self._agencies_decide.plan_started(case, state)  # agencies asked to act
        return state, days

    def _plan_works(self, case: Case, level: Level) -> None:
        """What a period of plan changed for good: services work on the real trouble."""
        family = case.family
        services = self._services
        now = self._ctx.env.now
        self._harm_clock.advance(family)
        before_risk, before_need = family.base_risk, family.need
        if family.harm_type != "none":
            cut = (
                services.cp_risk_reduction
                if level == Level.CHILD_PROTECTION
                else services.cin_risk_reduction
            )
            family.base_risk *= 1.0 - cut
        family.need *= 1.0 - services.cin_need_reduction
        self._ctx.log.append(
            PlanEnded(
                now,
                self._ctx.log.next_seq,
                EventKind.PLAN_ENDED,
                case.id,
                family.id,
                plan=level.label,
            )
        )
        self._ctx.log.append(
            TruthChanged(
                now,
                self._ctx.log.next_seq,
                EventKind.TRUTH_CHANGED,
                case.id,
                family.id,
                risk_before=before_risk,
                risk_after=family.base_risk,
                need_before=before_need,
                need_after=family.need,
                truth_level=self._judgement.truth_level(family).label,
            )
        )
        self._harm_clock.reschedule(family)

    def _review(self, case: Case, level: Level, *, ending: bool = False) -> Level:
        """A family support team review: escalate, continue, or (at a plan's end) close."""
        family = case.family
        longterm = self._long_term
        thresholds = self._thresholds
        rng = family.judgement_rng
        now = self._ctx.env.now
        age = now - (case.plan_started_at or now)
        clarity = self._families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
        fresh = clip01(
            clarity * family.risk_at(now) + longterm.review_judgement_error_sd * rng.normal()
        )
        sensitivity = math.exp(-age / longterm.complacency_days) if longterm.complacency else 1.0
        believed = family.plan_anchor + sensitivity * (fresh - family.plan_anchor)
        familiar = family.referrals > 1 or family.known_before_run
        bar = thresholds.child_protection_risk + (longterm.rule_of_optimism if familiar else 0.0)
        need = clip01(family.need + 0.05 * rng.normal())
        if believed >= bar:
            decided = Level.CHILD_PROTECTION
        elif (
            ending
            and believed < thresholds.child_in_need_risk
            and need < thresholds.child_in_need_need
        ):
            decided = Level.NO_FURTHER_ACTION
        else:
            decided = Level.CHILD_IN_NEED if ending or level == Level.CHILD_IN_NEED else level
        if decided == Level.CHILD_IN_NEED and level == Level.CHILD_PROTECTION and not ending:
            decided = level
        why: list[str] = []
        if longterm.complacency and sensitivity < 0.8:
            why.append("complacency")
        optimism = longterm.rule_of_optimism > 0 and believed >= thresholds.child_protection_risk
        if familiar and optimism:
            why.append("rule_of_optimism")
        self._record_review(case, decided, why, age)
        return decided

    def _record_review(self, case: Case, decided: Level, possible: list[str], age: float) -> None:
        """Log the review's barrier test; the conditions count only where it failed low."""
        family = case.family
        now = self._ctx.env.now
        truth, ceiling = self._judgement.truth_at(family, now)
        held = self._incidents.level_holds(decided, truth, ceiling)
        why = possible if (not held and decided < truth) else []
        self._judgement.barrier(
            case,
            "long_term_review",
            held,
            why,
            None,
            role="family_support_worker",
            decided=decided,
            truth=truth,
            case_age_days=age,
        )
        family.team_level = decided
        self._incidents.after_decision(
            family,
            case,
            decided,
            truth,
            barrier="long_term_review",
            role="family_support_worker",
            conditions=tuple(why),
            active_failure=False,
            ceiling=ceiling,
        )
