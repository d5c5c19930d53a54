"""Information gathering asked for by a person at the duty desk (a trainee).

The duty desk's own checks run inside screening (sim/screening.py). A trainee instead
chooses what to find out, one action at a time: search the database under a spelling,
open a found record's addendum, request the paper file, ask an agency, visit the family,
or ask a team leader's view.
Each costs simulated time and answers with an `InformationResult` as a SimPy event.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.config import Families, Thresholds, Visits
from sim.context import RunContext, clip01
from sim.deciders import screening_level_for
from sim.entities import Case, Worker
from sim.events import EventKind
from sim.harm_clock import HarmClock
from sim.information import InformationDesk, InformationResult
from sim.judgement import Judgement
from sim.records import InformationRequested, InformationReturned
from sim.vocabulary import AGENCIES, InformationAction


class InformationActions:
    """Runs a person's information actions on a case, in simulated time."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        visits: Visits,
        families: Families,
        thresholds: Thresholds,
        information: InformationDesk,
        judgement: Judgement,
        harm_clock: HarmClock,
    ) -> None:
        self._ctx = ctx
        self._visits = visits
        self._families = families
        self._thresholds = thresholds
        self._information = information
        self._judgement = judgement
        self._harm_clock = harm_clock
        self._leaders = [w for w in ctx.workers if w.role == "team_leader"]

    def gather(
        self,
        case_id: int,
        action: InformationAction,
        *,
        spelling: str | None = None,
        agency: str | None = None,
        worker_id: int | None = None,
    ) -> simpy.Event:
        """Run one information action on a case; the event's value is an InformationResult.

        `spelling` is the database search's; `agency` the agency asked; `worker_id` the
        worker asking (an agency answers some workers more readily than others).
        """
        case = self._ctx.cases[case_id]
        worker = self._ctx.workers[worker_id] if worker_id is not None else None
        info = self._information
        match action:
            case InformationAction.DATABASE:
                searched = spelling or case.spelling
                self._requested(case, "database", spelling=searched)
                return self._after(
                    case,
                    0.25,
                    lambda: info.search_database(case, searched, reader_opens_addenda=True),
                )
            case InformationAction.ADDENDUM:
                self._requested(case, "addendum")
                return self._after(case, 0.1, lambda: info.read_addendum(case))
            case InformationAction.FILE:
                event = info.request_file(case)
            case InformationAction.AGENCY:
                if agency not in AGENCIES:
                    raise ValueError(f"unknown agency {agency!r}")
                event = info.contact_agency(case, agency, worker)
            case InformationAction.VISIT:
                self._requested(case, "visit")
                return self._after(case, 3.0, lambda: self._visit(case))
            case InformationAction.TEAM_LEADER:
                self._requested(case, "team_leader")
                return self._after(case, 0.5, lambda: self._consult_leader(case))
        assert event is not None  # asked with notify=True: there is an event
        return event

    def _requested(self, case: Case, what: str, spelling: str | None = None) -> None:
        log = self._ctx.log
        log.append(
            InformationRequested(
                self._ctx.env.now,
                log.next_seq,
                EventKind.INFORMATION_REQUESTED,
                case.id,
                case.family.id,
                what=what,
                spelling=spelling,
            )
        )

    def _after(self, case: Case, hours: float, act: Callable[[], InformationResult]) -> simpy.Event:
        """An event that fires with `act()` once `hours` of working time have passed; the
        answer is logged."""
        ctx = self._ctx
        done = ctx.env.event()

        def finish(_event: simpy.Event) -> None:
            answer = act()
            ctx.log.append(
                InformationReturned(
                    ctx.env.now,
                    ctx.log.next_seq,
                    EventKind.INFORMATION_RETURNED,
                    case.id,
                    case.family.id,
                    what=answer.action,
                    outcome=answer.outcome,
                    evidence_key=answer.evidence_key,
                )
            )
            done.succeed(answer)

        end = ctx.calendar.add_working_hours(ctx.env.now, hours)
        ctx.env.timeout(end - ctx.env.now).callbacks.append(finish)
        return done

    def _visit(self, case: Case) -> InformationResult:
        family = case.family
        seen = family.judgement_rng.random() < self._visits.see_child_probability
        if not seen:
            return InformationResult("visit", "not_seen", "nobody answered; the child was not seen")
        clarity = self._families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
        noise = family.judgement_rng.normal(0, 0.05)
        value = clip01(clarity * family.risk_at(self._ctx.env.now) + noise)
        case.evidence["visit"] = value
        self._harm_clock.set_protection(family, "assessing")
        return InformationResult("visit", "seen", "the child was seen at home", "visit", value)

    def _consult_leader(self, case: Case) -> InformationResult:
        leader: Worker | None = self._leaders[0] if self._leaders else None
        sd = leader.judgement_sd if leader else 0.05
        risk, need, _, _ = self._judgement.read(case, leader, error_sd=sd)
        advice = screening_level_for(risk, need, self._thresholds)
        words = advice.label.replace("_", " ")
        return InformationResult("team_leader", advice.label, f"the team leader would say {words}")
