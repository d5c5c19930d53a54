"""The front-door model: one referral and assessment team as a SimPy simulation.

Referrals arrive from outside agencies and the public at any hour. The duty desk screens
each one against the thresholds, waiting cases queue for allocation in priority order,
case-holding workers assess them on the working-day calendar, and each case ends in no
further action, a child in need plan or a child protection plan. Families whose trouble
persists are referred again. Underneath it all every family carries a hidden truth, and
harm happens by that truth and by the protection actually in place.

This module only assembles the run: each activity lives in its own module (see
docs/model.md for the map) and is built with a `RunContext` and the scenario sections it
reads. Each decision is asked of a `Decider` (a policy, a test bot or a trainee). Every
state change goes into the `EventLog`; a person at the desk reads the run through the
views of `sim.desk_api`, never its live objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import simpy
from numpy.random import Generator

from sim import tasks
from sim.agency_decisions import AgencyDecisionMakers
from sim.allocation import Allocation
from sim.arrivals import ArrivalStream
from sim.assessment import Assessment
from sim.calendar import WorkingCalendar
from sim.config import Scenario, Thresholds
from sim.context import ProcessGen, RunContext
from sim.deciders import Decider, make_policy
from sim.entities import Case, Family, Level
from sim.events import NO_ID, EventKind, EventLog
from sim.first_view import FirstView
from sim.gathering import InformationActions
from sim.harm_clock import HarmClock
from sim.incidents import IncidentBook
from sim.information import InformationDesk
from sim.internals import close_process, drop_pending_events
from sim.judgement import Judgement
from sim.learning import LearningLoop
from sim.out_of_hours import EmergencyDutyTeam
from sim.plans import Plans
from sim.records import RunEnded, RunStarted
from sim.referrals import Referrals
from sim.review import LeaderReview
from sim.rng import RandomStreams
from sim.screening import ScreeningDesk
from sim.staffing import build_workers, turnover
from sim.support import SupportIntake
from sim.workload import Workload


class FrontDoorModel:
    """One run of one scenario with one seed; `run()` plays it to the end."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int,
        replication: int = 0,
        decider: Decider | None = None,
        env: simpy.Environment | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.replication = replication
        self.env = env if env is not None else simpy.Environment()
        self.streams = RandomStreams(seed, replication)
        self.log = EventLog()
        # The thresholds the team practises by: the published ones, lowered for child
        # protection where a blame culture makes workers escalate defensively.
        self.thresholds = practised_thresholds(scenario)
        self.decider: Decider = decider or make_policy(scenario.policy, thresholds=self.thresholds)
        self.end_time = scenario.run.warm_up_days + scenario.run.horizon_days
        self.patches = scenario.staffing.patches if scenario.staffing.design == "patch" else 1
        self.families: dict[int, Family] = {}
        self.cases: dict[int, Case] = {}
        staffing_rng = self.streams.stream("staffing")
        self.workers = build_workers(
            scenario.staff, scenario.agencies, patches=self.patches, rng=staffing_rng
        )
        self.ctx = RunContext(
            env=self.env,
            log=self.log,
            calendar=WorkingCalendar(
                open_hour=scenario.calendar.open_hour,
                close_hour=scenario.calendar.close_hour,
                always_open=scenario.calendar.always_open,
            ),
            streams=self.streams,
            end_time=self.end_time,
            patches=self.patches,
            families=self.families,
            cases=self.cases,
            workers=self.workers,
        )
        self._build_activities()
        self._finished = False
        self._log_start()
        # The run's standing processes (released with the model: see `release`).
        self._standing: list[simpy.Process] = []
        self._start_standing(staffing_rng)

    def _start_standing(self, staffing_rng: Generator) -> None:
        """Start the processes that run for the whole run: arrivals, scripted referrals,
        duty workers, the allocator, turnover and the learning reviews."""
        scenario = self.scenario
        self._stand(self.arrivals.outside())
        for index, referral in enumerate(scenario.scripted):
            self._stand(self.arrivals.scripted(index, referral))
        if scenario.screening.enabled:
            for worker in self.workers:
                if worker.duty:
                    self._stand(self.screening.duty_worker(worker))
        self._stand(self.allocation.allocator())
        if self.support.rationed:
            self._stand(self.support.intake())
        if scenario.staffing.turnover_per_year > 0:
            self._stand(turnover(self.ctx, scenario.staffing, scenario.agencies, staffing_rng))
        if self.learning is not None:
            self._stand(self.learning.sessions())
            if scenario.reporting.reporting_system:
                self._stand(self.learning.analyses())

    def _build_activities(self) -> None:
        """Build each activity from the context and the sections it reads, in an order
        where each finds the ones it calls already built, then close the two loops."""
        self._build_shared()
        self._build_case_path()
        self._build_desk()
        # The two ways back to the front door close the loop of a case's life: a new
        # case is routed onwards, and harm seen outside brings a family back.
        self.referrals.route = self._route
        self.harm_clock.refer_again = self.referrals.refer_again

    def _build_shared(self) -> None:
        """What several activities call on: workload, judgement, information, harm."""
        s, ctx = self.scenario, self.ctx
        self.workload = Workload(
            self.env,
            self.workers,
            patches=self.patches,
            behind_share=s.staff.behind_backlog_share,
        )
        self.incidents = IncidentBook(
            ctx, timescales=s.timescales, reporting=s.reporting, workload=self.workload
        )
        judgement = Judgement(
            ctx,
            staff=s.staff,
            thresholds=self.thresholds,
            truth=s.truth,
            workload=self.workload,
            incidents=self.incidents,
            defensive_shift=s.reporting.defensive_shift[s.reporting.culture],
        )
        self.judgement = judgement
        self.information = InformationDesk(
            ctx,
            database=s.database,
            case_files=s.case_files,
            agencies=s.agencies,
            staffing=s.staffing,
            workload=self.workload,
            judgement=judgement,
        )
        self.harm_clock = HarmClock(ctx, harm=s.harm, judgement=judgement, incidents=self.incidents)
        self.agencies_decide = AgencyDecisionMakers(
            ctx,
            decisions=s.agency_decisions,
            thresholds=s.thresholds,
            judgement=judgement,
            harm_clock=self.harm_clock,
            incidents=self.incidents,
        )
        self.learning: LearningLoop | None = None
        if s.learning.enabled:
            # Repairs re-point the activities (walked from the model) at repaired settings.
            self.learning = LearningLoop(
                ctx, scenario=s, workload=self.workload, holders=lambda: [self]
            )
            self.incidents.learn = self.learning.reported

    def _build_case_path(self) -> None:
        """A case's way from referral to its end: referrals, arrivals, plans, assessment."""
        s, ctx, judgement = self.scenario, self.ctx, self.judgement
        self.referrals = Referrals(
            ctx,
            arrivals=s.arrivals,
            families=s.families,
            concerns=s.concerns,
            presenting=s.presenting,
            harm_clock=self.harm_clock,
            information=self.information,
            incidents=self.incidents,
        )
        self.arrivals = ArrivalStream(
            ctx,
            arrivals=s.arrivals,
            families=s.families,
            max_referrals=s.run.max_referrals,
            information=self.information,
            judgement=judgement,
            harm_clock=self.harm_clock,
            referrals=self.referrals,
        )
        self.support = SupportIntake(
            ctx, spec=s.family_support, decider=self.decider, judgement=judgement
        )
        plans = Plans(
            ctx,
            services=s.services,
            long_term=s.long_term,
            families=s.families,
            thresholds=self.thresholds,
            judgement=judgement,
            incidents=self.incidents,
            harm_clock=self.harm_clock,
            referrals=self.referrals,
            support=self.support,
            agencies_decide=self.agencies_decide,
        )
        assessment = Assessment(
            ctx,
            assessment=s.assessment,
            visits=s.visits,
            families=s.families,
            thresholds=self.thresholds,
            timescales=s.timescales,
            decider=self.decider,
            judgement=judgement,
            workload=self.workload,
            harm_clock=self.harm_clock,
            referrals=self.referrals,
            plans=plans,
        )
        self.allocation = Allocation(
            ctx,
            decider=self.decider,
            judgement=judgement,
            workload=self.workload,
            assessment=assessment,
        )

    def _build_desk(self) -> None:
        """The duty desk, the night team that feeds it, and a trainee's own actions."""
        s, ctx, judgement = self.scenario, self.ctx, self.judgement
        self.screening = ScreeningDesk(
            ctx,
            screening=s.screening,
            timescales=s.timescales,
            agencies=s.agencies,
            staffing=s.staffing,
            decider=self.decider,
            information=self.information,
            judgement=judgement,
            review=LeaderReview(
                ctx, review=s.team_leader_review, thresholds=self.thresholds, judgement=judgement
            ),
            workload=self.workload,
            allocation=self.allocation,
            referrals=self.referrals,
            first_view=FirstView(
                decisions=s.decisions,
                thresholds=s.thresholds,
                judgement=judgement,
                workload=self.workload,
            ),
            agencies_decide=self.agencies_decide,
        )
        self.night_team = EmergencyDutyTeam(
            ctx,
            out_of_hours=s.out_of_hours,
            families=s.families,
            judgement=judgement,
            harm_clock=self.harm_clock,
            to_duty_desk=self.screening.receive,
            grade=s.decisions.grade_out_of_hours,
        )
        self.information_actions = InformationActions(
            ctx,
            visits=s.visits,
            families=s.families,
            thresholds=self.thresholds,
            information=self.information,
            judgement=judgement,
            harm_clock=self.harm_clock,
        )

    def _route(self, case: Case, out_of_hours: bool) -> None:
        """Where a new referral goes: the night team, the duty desk, or (with no
        screening at all) straight onto the waiting list as a child in need."""
        if not self.scenario.screening.enabled:
            case.screening_level = Level.CHILD_IN_NEED
            case.screened_at = self.env.now
            self.allocation.queue(case)
        elif out_of_hours and self.scenario.out_of_hours.enabled:
            tasks.start(self.night_team.take(case))
        else:
            self.screening.receive(case)

    def _log_start(self) -> None:
        scenario = self.scenario
        self.log.append(
            RunStarted(
                self.env.now,
                self.log.next_seq,
                EventKind.RUN_STARTED,
                NO_ID,
                NO_ID,
                scenario=scenario.name,
                seed=self.seed,
                replication=self.replication,
                policy=self.decider.name,
                measured_from=scenario.run.warm_up_days,
                ends_at=self.end_time,
                workers=[[w.id, w.role, w.caseload_cap, w.duty, w.team] for w in self.workers],
                design=scenario.staffing.design,
                patches=self.patches,
                reporting={
                    "culture": scenario.reporting.culture,
                    "reporting_system": scenario.reporting.reporting_system,
                },
            )
        )

    def _stand(self, generator: ProcessGen) -> None:
        self._standing.append(self.env.process(generator))

    # -- running ------------------------------------------------------------------

    def run(self) -> EventLog:
        """Play the whole run and return its event log.

        Python's cyclic garbage collector is paused meanwhile: a run makes no reference
        cycles worth collecting, yet each full collection walks every record kept so
        far, and measured (benchmarks/) it took about half of a baseline year while
        freeing nothing. Reference counting still frees everything as usual.
        """
        with collector_paused():
            self.env.run(until=self.end_time)
            self.finish()  # inside the pause: turning the collector back on may start one
        return self.log

    def release(self) -> None:
        """Break the finished run's reference cycles, so dropping the model frees it.

        With the collector paused during `run()`, a dropped model would otherwise wait
        for a full collection: its pending events resume generators that hold the
        activities, the front door's two loops (routing and re-referral) tie the
        activities to each other, and an open case and its family refer to each other.
        Measured, sequential replications grew by about 160 MB each until one came, and
        it took a second or two (benchmarks/README.md). After `release()` the model
        cannot go on running; its log stays whole.
        """
        self._finished = True
        drop_pending_events(self.env)
        for process in self._standing:
            close_process(process)  # its frame holds an activity
        self._standing.clear()
        self.screening.release()
        self.night_team.release()
        self.support.release()
        self.workload.wake = None
        self.referrals.disconnect()
        self.harm_clock.disconnect()
        self.incidents.learn = None
        self.learning = None
        for family in self.families.values():
            family.open_case = None

    def finish(self) -> None:
        """Grade what is still open at the end and write the closing record."""
        if self._finished:
            return
        self._finished = True
        self.incidents.close_all(self.env.now)
        open_cases = sum(1 for c in self.cases.values() if c.closed_at is None)
        self.log.append(
            RunEnded(
                self.env.now,
                self.log.next_seq,
                EventKind.RUN_ENDED,
                NO_ID,
                NO_ID,
                open_cases=open_cases,
                waiting_for_allocation=self.workload.waiting_count(),
                waiting_for_screening=self.screening.waiting_count(),
                assessments_open_past_timescale=self._assessments_past_timescale(),
                measured_from=self.scenario.run.warm_up_days,
            )
        )

    def _assessments_past_timescale(self) -> int:
        """Assessments still open at the end that have already run past the longer (core)
        timescale: censored, but certainly late."""
        limit = self.scenario.timescales.longest_assessment(self.scenario.assessment.framework)
        now = self.env.now
        calendar = self.ctx.calendar
        return sum(
            1
            for c in self.cases.values()
            if c.allocated_at is not None
            and c.outcome is None
            and c.closed_at is None
            and calendar.working_days_between(c.allocated_at, now) > limit
        )


def practised_thresholds(scenario: Scenario) -> Thresholds:
    """The thresholds workers decide by: the published ones, with the child protection
    threshold lowered by the culture's defensive shift (the same object when none)."""
    shift = scenario.reporting.defensive_shift[scenario.reporting.culture]
    published = scenario.thresholds
    if shift <= 0:
        return published
    return published.model_copy(
        update={"child_protection_risk": max(0.0, published.child_protection_risk - shift)}
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused meanwhile, then left as it was found."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def run_scenario(
    scenario: Scenario, seed: int, *, replication: int = 0, decider: Decider | None = None
) -> EventLog:
    """Run one replication and return its log (the model is released: only the log stays)."""
    model = FrontDoorModel(scenario, seed=seed, replication=replication, decider=decider)
    log = model.run()
    model.release()
    return log


__all__ = ["FrontDoorModel", "run_scenario", "collector_paused"]
