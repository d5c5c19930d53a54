"""The front-door model: one referral and assessment team as a SimPy simulation.

Referrals arrive from outside agencies and the public at any hour. The duty desk screens
each one against the thresholds, waiting cases queue for allocation in priority order,
case-holding workers assess them on the working-day calendar, and each case ends in no
further action, a child in need plan or a child protection plan. Families whose trouble
persists are referred again. Underneath it all every family carries a hidden truth, and
harm happens by that truth and by the protection actually in place.

Each decision is asked of a `Decider` (a policy, a test bot or a trainee). Every state
change goes into the `EventLog`; nothing outside `sim/` reads the model's internals.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Generator as PyGenerator
from typing import Any

import numpy as np
import simpy

from sim.calendar import WorkingCalendar
from sim.config import HARM_TYPES, SOURCES, Scenario
from sim.deciders import (
    CaseView,
    Decider,
    WorkerView,
    level_for,
    make_policy,
    screening_level_for,
)
from sim.entities import Case, ErrorEpisode, Family, Level, Worker
from sim.events import EventKind, EventLog
from sim.harm import hazard_integral, time_to_hazard
from sim.incidents import IncidentBook
from sim.rng import RandomStreams

ProcessGen = PyGenerator[simpy.Event, Any, Any]

# Harm types a referral makes plain enough to be acted on at once (report 4.2, 4.4).
LOW_VISIBILITY = frozenset({"neglect", "emotional"})
INEXPERIENCED = frozenset({"student", "newly_qualified"})
ASSESSED_EVIDENCE = frozenset({"assessment", "harm_seen"})
# Who refers a family when harm is seen by someone outside the team.
SURFACING_SOURCE = {
    "physical": "hospital",
    "sexual": "police",
    "neglect": "school",
    "emotional": "school",
}


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
        self.calendar = WorkingCalendar(
            open_hour=scenario.calendar.open_hour,
            close_hour=scenario.calendar.close_hour,
            always_open=scenario.calendar.always_open,
        )
        self.decider: Decider = decider or make_policy(
            scenario.policy, thresholds=scenario.thresholds
        )
        self.end_time = scenario.run.warm_up_days + scenario.run.horizon_days
        self.workers = self._build_workers()
        self.case_holders = [w for w in self.workers if w.holds_cases]
        self.free_places = sum(w.caseload_cap for w in self.case_holders)
        # Snapshots handed to deciders, replaced whenever a caseload changes.
        self._worker_views = {w.id: self._snapshot(w) for w in self.case_holders}
        self.case_places = self.free_places
        self.families: dict[int, Family] = {}
        self.cases: dict[int, Case] = {}
        self.incidents = IncidentBook(self)
        self.screening_queue: simpy.Store = simpy.Store(self.env)
        # Waiting list for allocation: a heap keeps each insertion O(log n) however long
        # the backlog grows (SimPy's PriorityResource inserts linearly).
        self._waiting: list[tuple[float, int, Case]] = []
        self._allocator_wake: simpy.Event | None = None
        self._arrivals_rng = self.streams.stream("arrivals")
        self._source_names = [s for s in SOURCES if s in scenario.arrivals.sources]
        shares = np.array([scenario.arrivals.sources[s].share for s in self._source_names])
        self._source_cdf = np.cumsum(shares / shares.sum())
        mix = scenario.families.harm_mix
        self._harm_names = [h for h in HARM_TYPES if mix.get(h, 0.0) > 0]
        weights = np.array([mix[h] for h in self._harm_names])
        self._harm_cdf = np.cumsum(weights / weights.sum())
        concern_names = [h for h in self._harm_names if h != "none"] or ["neglect"]
        cw = np.array([mix.get(h, 1.0) for h in concern_names])
        self._concern_names = concern_names
        self._concern_cdf = np.cumsum(cw / cw.sum())
        self._finished = False
        self.log.emit(
            self.env.now,
            EventKind.RUN_STARTED,
            scenario=scenario.name,
            seed=seed,
            replication=replication,
            policy=getattr(self.decider, "name", type(self.decider).__name__),
            measured_from=scenario.run.warm_up_days,
            ends_at=self.end_time,
            workers=[[w.id, w.role, w.caseload_cap, w.duty, w.team] for w in self.workers],
        )
        self.env.process(self._arrivals())
        if scenario.screening.enabled:
            for worker in self.workers:
                if worker.duty:
                    self.env.process(self._duty_desk(worker))
        self.env.process(self._allocator())

    # -- construction -------------------------------------------------------------

    def _build_workers(self) -> list[Worker]:
        staff = self.scenario.staff
        workers: list[Worker] = []
        for group in staff.groups:
            for _ in range(group.count):
                workers.append(
                    Worker(
                        id=len(workers),
                        role=group.role,
                        caseload_cap=group.caseload_cap,
                        duty=group.duty,
                        judgement_sd=staff.judgement_error_sd[group.role],
                    )
                )
        return workers

    # -- running ------------------------------------------------------------------

    def run(self) -> EventLog:
        """Play the whole run and return its event log."""
        self.env.run(until=self.end_time)
        self.finish()
        return self.log

    def finish(self) -> None:
        """Grade what is still open at the end and write the closing record."""
        if self._finished:
            return
        self._finished = True
        self.incidents.close_all(self.env.now)
        open_cases = sum(1 for c in self.cases.values() if c.closed_at is None)
        self.log.emit(
            self.env.now,
            EventKind.RUN_ENDED,
            open_cases=open_cases,
            waiting_for_allocation=len(self._waiting),
            waiting_for_screening=len(self.screening_queue.items),
            measured_from=self.scenario.run.warm_up_days,
        )

    def _ask(self, answer: Any) -> ProcessGen:
        """Wait for a decider's answer when it is an event (a person deciding)."""
        if isinstance(answer, simpy.Event):
            value = yield answer
            return value
        return answer

    # -- arrivals -----------------------------------------------------------------

    def _rate_profile(self) -> tuple[np.ndarray, np.ndarray, float]:
        arr = self.scenario.arrivals
        week = np.array(arr.weekday_weights, dtype=float)
        hours = np.array(arr.hour_weights, dtype=float)
        week = week / week.mean()
        hours = hours / hours.mean()
        surge_max = max([1.0] + [s.factor for s in arr.surges])
        peak = float(week.max() * hours.max() * surge_max)
        return week, hours, peak

    def _arrivals(self) -> ProcessGen:
        """Outside referrals: a non-stationary Poisson process, by thinning."""
        arr = self.scenario.arrivals
        rng = self._arrivals_rng
        week, hours, peak = self._rate_profile()
        base = arr.annual_referrals / 365.0
        peak_rate = base * peak
        limit = self.scenario.run.max_referrals
        made = 0
        while limit is None or made < limit:
            gap = rng.exponential(1.0 / peak_rate)
            u = rng.random()
            yield self.env.timeout(gap)
            t = self.env.now
            rate = base * week[int(t % 7.0)] * hours[int((t % 1.0) * 24.0)]
            for surge in arr.surges:
                if surge.start_day <= t < surge.end_day:
                    rate *= surge.factor
            if u * peak_rate > rate:
                continue  # thinned out: no referral at this instant
            source = self._source_names[int(np.searchsorted(self._source_cdf, rng.random()))]
            made += 1
            family = self._new_family(source)
            self._open_case(family, source, re_referral=False)

    def _draw_truth(self, rng: np.random.Generator) -> tuple[str, float, float]:
        fam = self.scenario.families
        harm_type = self._harm_names[int(np.searchsorted(self._harm_cdf, rng.random()))]
        risk = 0.0
        if harm_type != "none":
            dist = fam.risk[harm_type]
            risk = float(rng.beta(dist.a, dist.b))
        need = float(rng.beta(fam.need.a, fam.need.b))
        return harm_type, risk, need

    def _new_family(self, source: str) -> Family:
        """A family newly referred from outside, drawn so that the source would refer it."""
        fam = self.scenario.families
        family_id = len(self.families)
        rng = self.streams.for_entity("family", family_id)
        bar = self.scenario.arrivals.sources[source].referral_bar
        for _ in range(1000):
            harm_type, risk, need = self._draw_truth(rng)
            seen = max(fam.clarity_at_referral[harm_type] * risk, 0.8 * need)
            if seen + rng.normal(0.0, 0.1) >= bar:
                break
        trend = min(1.0, max(-1.0, float(rng.normal(0.0, fam.trend_sd_per_year))))
        known = bool(rng.random() < fam.known_share)
        last = None
        if known:
            last = self.env.now - float(rng.exponential(fam.known_last_referral_mean_days))
        family = Family(
            id=family_id,
            harm_type=harm_type,
            base_risk=risk,
            need=need,
            trend=trend,
            origin_time=self.env.now,
            rng=rng,
            judgement_rng=self.streams.block_for_entity("judgement", family_id, rng, 32),
            known_before_run=known,
            last_referral_at=last,
            hazard_left=float(rng.exponential()),
            hazard_since=self.env.now,
        )
        self.families[family_id] = family
        self.log.emit(
            self.env.now,
            EventKind.FAMILY_CREATED,
            family=family_id,
            harm_type=harm_type,
            risk=risk,
            need=need,
            trend=trend,
            known_before_run=known,
            truth_level=self.truth_level(family).label,
        )
        self._reschedule_harm(family)
        return family

    def _open_case(self, family: Family, source: str, *, re_referral: bool) -> Case:
        fam = self.scenario.families
        rng = family.rng
        now = self.env.now
        risk = family.risk_at(now)
        signal = clip01(
            fam.clarity_at_referral[family.harm_type] * risk
            + float(rng.normal(0.0, fam.referral_noise_sd))
        )
        need_signal = clip01(family.need + float(rng.normal(0.0, 0.1)))
        if family.harm_type != "none":
            concern = family.harm_type
        else:
            concern = self._concern_names[int(np.searchsorted(self._concern_cdf, rng.random()))]
        case = Case(
            id=len(self.cases),
            family=family,
            source=source,
            arrived_at=now,
            concern=concern,
            referral_signal=signal,
            need_signal=need_signal,
            re_referral=re_referral,
        )
        case.evidence["referral"] = signal
        since_last = None if family.last_referral_at is None else now - family.last_referral_at
        self.cases[case.id] = case
        family.referrals += 1
        family.last_referral_at = now
        family.open_case = case
        family.concern_version += 1  # an open case stops the clock of new concerns
        self.log.emit(
            now,
            EventKind.REFERRAL_ARRIVED,
            case=case.id,
            family=family.id,
            source=source,
            concern=concern,
            out_of_hours=not self.calendar.is_open(now),
            re_referral=re_referral,
            known_family=family.known_before_run or family.referrals > 1,
            days_since_last_referral=since_last,
            signal=signal,
            need_signal=need_signal,
        )
        self._set_protection(family, "waiting")
        if self.scenario.screening.enabled:
            self.screening_queue.put(case)
        else:
            case.screening_level = Level.CHILD_IN_NEED
            case.screened_at = now
            self._queue_for_allocation(case, Level.CHILD_IN_NEED)
        return case

    # -- what the team sees ---------------------------------------------------------

    def behind(self) -> bool:
        """The team is behind when more cases wait than a share of its case places."""
        return len(self._waiting) > self.scenario.staff.behind_backlog_share * self.case_places

    def worker_error_sd(self, worker: Worker | None) -> float:
        staff = self.scenario.staff
        if worker is None:
            return 0.0
        sd = worker.judgement_sd
        sd *= 1.0 + staff.workload_error_gain * max(0.0, worker.load - 0.8)
        if self.behind():
            sd *= 1.0 + staff.time_pressure_error_gain
        return sd

    def _read(
        self, case: Case, worker: Worker | None, *, assessed: bool = False
    ) -> tuple[float, float, float, float]:
        """A worker's reading of a case: (believed, noiseless) risk and need.

        Before assessment the reading is the most worrying thing found so far (one fact
        can matter); after it, seeing the family supersedes the referral's picture.
        """
        rng = case.family.judgement_rng
        z_risk, z_need = rng.normal(), rng.normal()
        sd = self.worker_error_sd(worker)
        pool = (
            [v for k, v in case.evidence.items() if k in ASSESSED_EVIDENCE]
            if assessed
            else list(case.evidence.values())
        )
        clean_risk = max(pool) if pool else 0.0
        clean_need = case.need_signal
        risk = min(1.0, max(0.0, clean_risk + sd * z_risk))
        need = min(1.0, max(0.0, clean_need + sd * z_need))
        return risk, need, clean_risk, clean_need

    def view(self, case: Case, believed_risk: float, believed_need: float) -> CaseView:
        family = case.family
        return CaseView(
            case_id=case.id,
            family_id=family.id,
            now=self.env.now,
            source=case.source,
            concern=case.concern,
            arrived_at=case.arrived_at,
            believed_risk=believed_risk,
            believed_need=believed_need,
            known_family="history" in case.evidence,
            re_referral=case.re_referral,
            screening_level=case.screening_level,
            evidence=tuple(sorted(case.evidence.items())),
        )

    def truth_level(self, family: Family, t: float | None = None) -> Level:
        truth = self.scenario.truth
        risk = family.risk_at(self.env.now if t is None else t)
        if family.harm_type != "none" and risk >= truth.significant_harm_risk:
            return Level.CHILD_PROTECTION
        if (family.harm_type != "none" and risk >= truth.in_need_risk) or (
            family.need >= truth.in_need_need
        ):
            return Level.CHILD_IN_NEED
        return Level.NO_FURTHER_ACTION

    def conditions(self, case: Case, worker: Worker | None) -> list[str]:
        """Latent conditions present when a barrier is tested on this case."""
        present: list[str] = []
        if case.concern in LOW_VISIBILITY:
            present.append("low_visibility_harm")
        if self.behind():
            present.append("time_pressure")
        if worker is not None and worker.role in INEXPERIENCED:
            present.append("inexperienced_staff")
        if worker is not None and worker.holds_cases and worker.load > 0.8:
            present.append("high_caseload")
        return present

    def _judge(
        self,
        case: Case,
        worker: Worker | None,
        barrier: str,
        answer: Level,
        clean_risk: float,
        clean_need: float,
    ) -> None:
        """Record the barrier test of a decision and update the family's error episode."""
        family = case.family
        truth = self.truth_level(family)
        rule = screening_level_for if barrier == "screening" else level_for
        clean = rule(clean_risk, clean_need, self.scenario.thresholds)
        held = self.incidents.level_holds(answer, truth)
        active = (not held) and self.incidents.level_holds(clean, truth)
        conditions = self.conditions(case, worker)
        self.log.emit(
            self.env.now,
            EventKind.BARRIER_TESTED,
            case=case.id,
            family=family.id,
            barrier=barrier,
            held=held,
            conditions=conditions,
            active_failure=active,
            decided=answer.label,
            truth=truth.label,
            worker=None if worker is None else worker.id,
            role=None if worker is None else worker.role,
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
        )

    # -- the duty desk ----------------------------------------------------------------

    def _duty_desk(self, worker: Worker) -> ProcessGen:
        """One duty worker screening referrals in arrival order, in working hours."""
        queue = self.screening_queue
        work_hours = self.scenario.screening.work_hours
        while True:
            case: Case = yield queue.get()
            done = self.calendar.add_working_hours(self.env.now, work_hours)
            yield self.env.timeout(done - self.env.now)
            yield from self._screen(case, worker)

    def _screen(self, case: Case, worker: Worker) -> ProcessGen:
        family = case.family
        self._add_history(case)
        risk, need, clean_risk, clean_need = self._read(case, worker)
        view = self.view(case, risk, need)
        level = yield from self._ask(self.decider.screen(view))
        level = Level(level)
        now = self.env.now
        case.screened_at = now
        case.screening_level = level
        within = self.calendar.working_days_between(case.arrived_at, now) <= (
            self.scenario.timescales.decision_working_days
        )
        self.log.emit(
            now,
            EventKind.SCREENED,
            case=case.id,
            family=family.id,
            level=level.label,
            believed_risk=risk,
            believed_need=need,
            worker=worker.id,
            role=worker.role,
            within_timescale=within,
        )
        case.evidence["screening"] = risk  # what the record now says
        self._judge(case, worker, "screening", level, clean_risk, clean_need)
        if level == Level.NO_FURTHER_ACTION:
            self._close(case, "no_further_action_at_referral")
        else:
            self._queue_for_allocation(case, level)

    def _add_history(self, case: Case) -> None:
        """What the records say about a family the team has met before."""
        family = case.family
        if family.referrals > 1:
            previous = family.team_record
            if previous is not None:
                case.evidence["history"] = previous
        elif family.known_before_run:
            # An earlier episode before the run: the record shows a fainter picture.
            noise = float(family.rng.normal(0.0, 0.1))
            case.evidence["history"] = clip01(0.8 * family.risk_at(self.env.now) + noise)
            family.team_record = case.evidence["history"]

    # -- allocation -----------------------------------------------------------------

    def _queue_for_allocation(self, case: Case, level: Level) -> None:
        risk = case.evidence.get("screening", case.referral_signal)
        view = self.view(case, risk, case.need_signal)
        key = self.decider.prioritise(view)
        if isinstance(key, simpy.Event):
            # A person setting priority: queue when they answer.
            key.callbacks.append(lambda ev: self._push_waiting(case, float(ev.value)))
            return
        self._push_waiting(case, float(key))

    def _push_waiting(self, case: Case, key: float) -> None:
        case.priority = key
        case.queued_at = self.env.now
        case.stage = "awaiting_allocation"
        heapq.heappush(self._waiting, (key, case.id, case))
        self.log.emit(
            self.env.now,
            EventKind.QUEUED,
            case=case.id,
            family=case.family.id,
            priority=key,
            level=case.screening_level.label if case.screening_level is not None else None,
            waiting=len(self._waiting),
        )
        self._wake_allocator()

    @staticmethod
    def _snapshot(worker: Worker) -> WorkerView:
        return WorkerView(worker.id, worker.role, worker.caseload, worker.caseload_cap, worker.team)

    def _change_caseload(self, worker: Worker, delta: int) -> None:
        worker.caseload += delta
        self.free_places -= delta
        self._worker_views[worker.id] = self._snapshot(worker)

    def _wake_allocator(self) -> None:
        if self._allocator_wake is not None and not self._allocator_wake.triggered:
            self._allocator_wake.succeed()

    def _allocator(self) -> ProcessGen:
        """The team leader allocates the top waiting case whenever a worker has room."""
        while True:
            while self._waiting and self.free_places > 0:
                _, _, case = heapq.heappop(self._waiting)
                risk = case.evidence.get("screening", case.referral_signal)
                view = self.view(case, risk, case.need_signal)
                free = [v for v in self._worker_views.values() if v.caseload < v.caseload_cap]
                worker_id = yield from self._ask(self.decider.allocate(view, free))
                worker = self.workers[int(worker_id)]
                if worker.caseload >= worker.caseload_cap:
                    raise ValueError(f"worker {worker.id} has no room for case {case.id}")
                self._change_caseload(worker, +1)
                self.env.process(self._assess(case, worker))
            self._allocator_wake = self.env.event()
            yield self._allocator_wake

    # -- assessment -----------------------------------------------------------------

    def _duration(self, family: Family, median_wd: float, worker: Worker) -> float:
        spec = self.scenario.assessment
        rng = family.judgement_rng
        if spec.distribution == "exponential":
            days = rng.exponential(spec.exponential_mean_days)
        else:
            days = median_wd * math.exp(spec.sigma * rng.normal())
        return days * (1.0 + spec.workload_slowdown * max(0.0, worker.load - 0.8))

    def _assess(self, case: Case, worker: Worker) -> ProcessGen:
        family = case.family
        spec = self.scenario
        now = self.env.now
        case.allocated_at = now
        case.worker = worker
        case.stage = "assessing"
        wait_wd = self.calendar.working_days_between(case.queued_at or now, now)
        self.log.emit(
            now,
            EventKind.ALLOCATED,
            case=case.id,
            family=family.id,
            worker=worker.id,
            role=worker.role,
            wait_days=now - (case.queued_at if case.queued_at is not None else now),
            wait_working_days=wait_wd,
            concern=case.concern,
            caseload=worker.caseload,
        )
        self._set_protection(family, "assessing")
        start = self.calendar.next_open(now)
        end = self.calendar.add_working_days(
            start, self._duration(family, spec.assessment.initial_median_working_days, worker)
        )
        yield self.env.timeout(end - now)
        self._assessment_evidence(case)
        risk, need, _, _ = self._read(case, worker, assessed=True)
        first = Level((yield from self._ask(self.decider.conclude(self.view(case, risk, need)))))
        self.log.emit(
            self.env.now,
            EventKind.ASSESSMENT_STAGE_ENDED,
            case=case.id,
            family=family.id,
            stage="initial",
            level=first.label,
        )
        stage = "initial"
        if spec.thresholds.enabled and (
            first == Level.CHILD_PROTECTION or need >= spec.assessment.core_need
        ):
            stage = "core"
            later = self.env.now
            end = self.calendar.add_working_days(
                self.calendar.next_open(later),
                self._duration(family, spec.assessment.core_median_working_days, worker),
            )
            yield self.env.timeout(end - later)
            self._assessment_evidence(case)
        risk, need, clean_risk, clean_need = self._read(case, worker, assessed=True)
        outcome = Level((yield from self._ask(self.decider.conclude(self.view(case, risk, need)))))
        now = self.env.now
        limit = (
            spec.timescales.core_assessment_working_days
            if stage == "core"
            else spec.timescales.initial_assessment_working_days
        )
        length_wd = self.calendar.working_days_between(case.allocated_at, now)
        case.outcome = outcome
        case.evidence["assessment_record"] = risk
        family.team_record = risk
        self._change_caseload(worker, -1)
        self.log.emit(
            now,
            EventKind.CONCLUDED,
            case=case.id,
            family=family.id,
            outcome=outcome.label,
            stage=stage,
            believed_risk=risk,
            believed_need=need,
            length_days=now - case.allocated_at,
            length_working_days=length_wd,
            within_timescale=length_wd <= limit,
            worker=worker.id,
        )
        self._judge(case, worker, "assessment", outcome, clean_risk, clean_need)
        self._wake_allocator()
        if outcome == Level.NO_FURTHER_ACTION:
            self._close(case, "no_further_action_after_assessment")
        else:
            self.env.process(self._plan(case, outcome))

    def _assessment_evidence(self, case: Case) -> None:
        """Seeing the child and the family shows more of the truth than a referral."""
        family = case.family
        clarity = self.scenario.families.clarity_at_assessment[family.harm_type]
        noise = family.judgement_rng.normal(0.0, 0.05)
        case.evidence["assessment"] = clip01(clarity * family.risk_at(self.env.now) + noise)
        need_noise = family.judgement_rng.normal(0.0, 0.05)
        case.need_signal = clip01(family.need + need_noise)

    # -- plans, closure and new concerns --------------------------------------------

    def _plan(self, case: Case, level: Level) -> ProcessGen:
        family = case.family
        services = self.scenario.services
        state = "child_protection" if level == Level.CHILD_PROTECTION else "child_in_need"
        days = (
            services.cp_plan_days if level == Level.CHILD_PROTECTION else services.cin_support_days
        )
        case.stage = state
        self.log.emit(
            self.env.now,
            EventKind.PLAN_STARTED,
            case=case.id,
            family=family.id,
            plan=state,
            days=days,
        )
        self.incidents.plan_started(family, case, level)
        self._set_protection(family, state)
        yield self.env.timeout(days)
        # What the plan changed for good: services work on the real trouble, if any.
        self._advance_hazard(family)
        before_risk, before_need = family.base_risk, family.need
        if family.harm_type != "none":
            cut = (
                services.cp_risk_reduction
                if level == Level.CHILD_PROTECTION
                else (services.cin_risk_reduction)
            )
            family.base_risk *= 1.0 - cut
        family.need *= 1.0 - services.cin_need_reduction
        self.log.emit(
            self.env.now,
            EventKind.PLAN_ENDED,
            case=case.id,
            family=family.id,
            plan=state,
        )
        self.log.emit(
            self.env.now,
            EventKind.TRUTH_CHANGED,
            case=case.id,
            family=family.id,
            risk_before=before_risk,
            risk_after=family.base_risk,
            need_before=before_need,
            need_after=family.need,
            truth_level=self.truth_level(family).label,
        )
        self._judge_closure(case)
        self._close(case, f"{state}_plan_ended")

    def _judge_closure(self, case: Case) -> None:
        """Ending a plan is a decision too: the review that should spot a persisting risk."""
        family = case.family
        truth = self.truth_level(family)
        self.incidents.after_decision(
            family,
            case,
            Level.NO_FURTHER_ACTION,
            truth,
            barrier="plan_review",
            role=case.worker.role if case.worker else None,
            conditions=(),
            active_failure=False,
        )
        self.log.emit(
            self.env.now,
            EventKind.BARRIER_TESTED,
            case=case.id,
            family=family.id,
            barrier="plan_review",
            held=self.incidents.level_holds(Level.NO_FURTHER_ACTION, truth),
            conditions=[],
            active_failure=False,
            decided=Level.NO_FURTHER_ACTION.label,
            truth=truth.label,
            worker=None,
            role=None,
        )

    def _close(self, case: Case, reason: str) -> None:
        family = case.family
        now = self.env.now
        case.closed_at = now
        case.stage = "closed"
        family.open_case = None
        family.team_level = Level.NO_FURTHER_ACTION
        self.log.emit(
            now,
            EventKind.CLOSED,
            case=case.id,
            family=family.id,
            reason=reason,
            days_open=now - case.arrived_at,
        )
        self._set_protection(family, "none")
        self._schedule_concern(family)

    def _schedule_concern(self, family: Family) -> None:
        """Persisting risk or need is noticed again by someone outside, at a rate."""
        concerns = self.scenario.concerns
        if not concerns.enabled or not family.alive:
            return
        level = max(family.risk_at(self.env.now), family.need)
        rate = concerns.rate_per_year / 365.0 * level
        if rate <= 0:
            return
        family.concern_version += 1
        version = family.concern_version
        delay = float(family.rng.exponential(1.0 / rate))
        if self.env.now + delay >= self.end_time:
            return
        source = self._source_names[int(np.searchsorted(self._source_cdf, family.rng.random()))]
        timer = self.env.timeout(delay)
        timer.callbacks.append(lambda _ev: self._concern_due(family, version, source))

    def _concern_due(self, family: Family, version: int, source: str) -> None:
        if version != family.concern_version or family.open_case is not None or not family.alive:
            return
        self._open_case(family, source, re_referral=True)

    # -- the harm clock ---------------------------------------------------------------

    def _hazard_rate(self, family: Family) -> float:
        harm = self.scenario.harm
        if not harm.enabled or family.harm_type == "none" or not family.alive:
            return 0.0
        multiplier = harm.protection.get(family.protection, 1.0)  # type: ignore[call-overload]
        return harm.rate_per_year_at_full_risk / 365.0 * multiplier

    def _advance_hazard(self, family: Family) -> None:
        now = self.env.now
        used = hazard_integral(
            family,
            family.hazard_since,
            now,
            self._hazard_rate(family),
            self.scenario.harm.risk_exponent,
        )
        family.hazard_left = max(0.0, family.hazard_left - used)
        family.hazard_since = now

    def _set_protection(self, family: Family, state: str) -> None:
        if family.protection == state:
            return
        self._advance_hazard(family)
        family.protection = state
        self._reschedule_harm(family)

    def _reschedule_harm(self, family: Family) -> None:
        family.clock_version += 1
        rate = self._hazard_rate(family)
        if rate <= 0:
            return
        now = self.env.now
        when = time_to_hazard(
            family, now, family.hazard_left, rate, self.scenario.harm.risk_exponent
        )
        if when >= self.end_time:
            return
        version = family.clock_version
        # A plain callback rather than a process: cheaper, and a stale clock (the
        # protection changed first) simply finds its version out of date.
        timer = self.env.timeout(when - now)
        timer.callbacks.append(lambda _ev: self._harm_due(family, version))

    def _harm_due(self, family: Family, version: int) -> None:
        if version != family.clock_version or not family.alive:
            return
        harm = self.scenario.harm
        rng = family.rng
        now = self.env.now
        risk = family.risk_at(now)
        if rng.random() < harm.severe_share_at_full_risk * risk:
            severity = "death" if rng.random() < harm.fatal_share_of_severe else "severe"
        else:
            severity = "moderate" if rng.random() < 0.3 + 0.5 * risk else "low"
        family.hazard_left = float(rng.exponential())
        family.hazard_since = now
        case = family.open_case
        self.log.emit(
            now,
            EventKind.HARM_OCCURRED,
            case=case.id if case is not None else -1,
            family=family.id,
            harm_type=family.harm_type,
            severity=severity,
            protection=family.protection,
            team_level=family.team_level.label,
            truth_level=self.truth_level(family).label,
        )
        self.incidents.harm(family, severity)
        if severity == "death":
            family.alive = False
            family.clock_version += 1
            family.concern_version += 1
            return
        seen_level = "severe" if severity == "severe" else severity
        if rng.random() < harm.surfaces[seen_level]:  # type: ignore[index]
            if case is None:
                self._open_case(family, SURFACING_SOURCE[family.harm_type], re_referral=True)
                return
            # Someone outside saw the harm while the case is open: it joins the file.
            case.evidence["harm_seen"] = min(1.0, risk + 0.2)
            self.log.emit(
                now,
                EventKind.INFORMATION_RETURNED,
                case=case.id,
                family=family.id,
                source=SURFACING_SOURCE[family.harm_type],
                what="harm_seen",
            )
        self._reschedule_harm(family)


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def run_scenario(
    scenario: Scenario, seed: int, *, replication: int = 0, decider: Decider | None = None
) -> EventLog:
    """Run one replication and return its log."""
    return FrontDoorModel(scenario, seed=seed, replication=replication, decider=decider).run()


__all__ = ["FrontDoorModel", "run_scenario", "ErrorEpisode"]
