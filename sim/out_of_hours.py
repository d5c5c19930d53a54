"""The out-of-hours team (EDT) and handovers of a case from one team to another.

A referral that comes when the office is shut is read by the emergency duty team; if it
looks urgent someone visits that night, and the case is handed to the day team in the
morning. Every handover passes a case's facts on, and each fact may be lost on the way
(more often in an unstructured handover); a trainee's written handover passes on only
the facts chosen. A handover is a barrier: it holds when the most worrying fact survives.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim import tasks
from sim.config import Families, OutOfHours
from sim.context import ProcessGen, RunContext, clip01
from sim.entities import Case, Level
from sim.events import EventKind
from sim.harm_clock import HarmClock
from sim.judgement import Judgement
from sim.records import HandedOver, OutOfHoursTriaged


def hand_over(
    ctx: RunContext,
    judgement: Judgement,
    case: Case,
    *,
    barrier: str,
    to: str,
    loss: float,
    why: list[str],
    keep: list[str] | None = None,
) -> bool:
    """Pass a case's facts on; each may be lost (or, from a trainee, left out). True when
    the most worrying fact got through (False too when there was no fact to pass on)."""
    rng = case.family.judgement_rng
    facts = sorted(k for k in case.evidence if k != "referral")
    lost: list[str] = []
    for key in facts:
        dropped = key not in keep if keep is not None else rng.random() < loss
        if dropped:
            lost.append(key)
    key_fact = max(facts, key=lambda k: case.evidence[k], default=None)
    for key in lost:
        del case.evidence[key]
    ctx.log.append(
        HandedOver(
            ctx.env.now,
            ctx.log.next_seq,
            EventKind.HANDED_OVER,
            case.id,
            case.family.id,
            to=to,
            facts=facts,
            lost=lost,
        )
    )
    if not facts:
        return False
    held = key_fact not in lost
    judgement.barrier(case, barrier, held, [] if held else why, None, to=to)
    return held


class EmergencyDutyTeam:
    """The night team: reads out-of-hours referrals, visits the urgent ones, hands over."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        out_of_hours: OutOfHours,
        families: Families,
        judgement: Judgement,
        harm_clock: HarmClock,
        to_duty_desk: Callable[[Case], None],
        grade: bool = True,
    ) -> None:
        self._ctx = ctx
        self._ooh = out_of_hours
        self._families = families
        self._judgement = judgement
        self._harm_clock = harm_clock
        self._to_duty_desk = to_duty_desk
        self._grade = grade
        self.staff = simpy.Resource(ctx.env, capacity=max(1, out_of_hours.edt_staff))

    def take(self, case: Case) -> ProcessGen:
        """The EDT reads an out-of-hours referral; if it looks urgent, someone visits that
        night, and the case is handed to the day team in the morning."""
        ooh = self._ooh
        env = self._ctx.env
        family = case.family
        rng = family.judgement_rng
        with self.staff.request() as req:
            yield req
            yield env.timeout(0.5 / 24.0)  # reading and a call or two
            believed = clip01(case.referral_signal + ooh.edt_judgement_error_sd * rng.normal())
            urgent = believed >= ooh.urgent_risk
            self._ctx.log.append(
                OutOfHoursTriaged(
                    env.now,
                    self._ctx.log.next_seq,
                    EventKind.OUT_OF_HOURS_TRIAGED,
                    case.id,
                    family.id,
                    urgent=urgent,
                    believed_risk=believed,
                )
            )
            if self._grade:
                self._judge_triage(case, urgent)
            if urgent:
                yield env.timeout(3.0 / 24.0)  # travel and a visit
                seen = rng.random() < ooh.see_child_probability
                self._visit(case, seen, "out_of_hours_cover")
        if urgent:
            opening = self._ctx.calendar.next_open(env.now)
            yield env.timeout(opening - env.now)
            hand_over(
                self._ctx,
                self._judgement,
                case,
                barrier="out_of_hours_handover",
                to="day_team",
                loss=ooh.fact_loss[ooh.handover],
                why=["unstructured_handover"]
                if ooh.handover == "unstructured"
                else ["handover_slips"],
            )
        self._to_duty_desk(case)

    def _judge_triage(self, case: Case, urgent: bool) -> None:
        """The night team's decision graded like the day team's: acting tonight stands for
        child protection, leaving it to the day team for anything less, so "no action
        tonight" fails only a child at risk of significant harm."""
        level = Level.CHILD_PROTECTION if urgent else Level.CHILD_IN_NEED
        self._judgement.judge(
            case,
            None,
            "out_of_hours_triage",
            level,
            case.referral_signal,
            case.need_signal,
            extra=["out_of_hours_cover"],
        )

    def release(self) -> None:
        """Forget requests still waiting for the night team (their events hold it)."""
        self.staff.put_queue.clear()

    def written_handover(self, case: Case, keep: list[str]) -> simpy.Event | None:
        """A trainee's written handover: only the facts chosen go to the night team. With
        `visit_handed_over` the night team visits that evening; the event returned is
        triggered when the visit is over (the night team decides the case after it)."""
        kept = hand_over(
            self._ctx,
            self._judgement,
            case,
            barrier="out_of_hours_handover",
            to="emergency_duty_team",
            loss=0.0,
            why=["handover_omission"],
            keep=keep,
        )
        if not self._ooh.visit_handed_over:
            return None
        done = self._ctx.env.event()
        tasks.start(self._night_visit(case, kept, done))
        return done

    def _night_visit(self, case: Case, kept: bool, done: simpy.Event) -> ProcessGen:
        """The night worker visits a case the day desk handed over. The child is seen only
        when the note carried the day's most worrying fact: without it the worker speaks to
        the parent at the door and leaves (report 4.7). A note with no fact at all counts
        as one that left it out."""
        env = self._ctx.env
        with self.staff.request() as req:
            yield req
            yield env.timeout(3.0 / 24.0)  # travel and a visit
            self._visit(case, kept, "handover_omission")
        done.succeed()

    def _visit(self, case: Case, seen: bool, why: str) -> None:
        """A night worker at the door: seeing the child shows much of the truth and gives
        a night's safety plan; not seeing it is a hole, for the reason `why`."""
        family = case.family
        self._judgement.incidents.intruded(family, case, "enquiry")
        if seen:
            clarity = self._families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
            case.evidence["edt_visit"] = clip01(
                clarity * family.risk_at(self._ctx.env.now)
                + family.judgement_rng.normal(0.0, 0.05)
            )
            self._harm_clock.set_protection(family, "assessing")  # a night's safety plan
        self._judgement.barrier(
            case, "seeing_child", seen, [] if seen else [why], None, at="out_of_hours"
        )
