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

import gc
import heapq
import math
from collections import deque
from collections.abc import Generator as PyGenerator
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import simpy

from sim import tasks
from sim.calendar import WorkingCalendar
from sim.config import AGENCIES, HARM_TYPES, SOURCES, Scenario, ScriptedReferral
from sim.deciders import (
    CaseView,
    Decider,
    WorkerView,
    level_for,
    make_policy,
    screening_level_for,
)
from sim.entities import Case, ErrorEpisode, Family, Level, Worker
from sim.events import NO_ID, EventKind, EventLog
from sim.harm import hazard_integral, time_to_hazard
from sim.incidents import IncidentBook
from sim.information import InformationDesk, InformationResult, draw_facts, scripted_facts
from sim.rng import BatchedDraws, DrawBlock, RandomStreams, cumulative, pick

ProcessGen = PyGenerator[simpy.Event, Any, Any]

# Harm types a referral makes plain enough to be acted on at once (report 4.2, 4.4).
LOW_VISIBILITY = frozenset({"neglect", "emotional"})
INEXPERIENCED = frozenset({"student", "newly_qualified"})
# After an assessment, these still speak; the referral's first picture does not.
SUPERSEDED_BY_ASSESSMENT = frozenset({"referral", "screening"})
FIRST_HAND = frozenset({"assessment", "visit", "edt_visit", "harm_seen"})
HEARSAY_WEIGHT = 0.85
# Years of service new workers bring, by role (modelling judgement).
TENURE_YEARS = {
    "student": 0.3,
    "newly_qualified": 1.0,
    "information_officer": 3.0,
    "family_support_worker": 3.0,
    "experienced": 4.0,
    "senior_practitioner": 8.0,
    "team_leader": 8.0,
    "team_manager": 10.0,
}
SCRIPTED_FAMILY_BASE = 1_000_000
# Draws made for each family when it is first referred, as (stream, uniforms, normals):
# its own story (referrals, harm clock, concerns) and workers' readings of it. Sized
# from the baseline: 99% of families use fewer (10 uniforms and 4 normals; 10 and 36)
# over a two-year run; the rest go on in their own substream.
FAMILY_BLOCKS = (("family", 16, 8), ("judgement", 16, 48))
SHORTEST_PLAN_DAYS = 1.0 / (24 * 60)  # a plan shorter than a minute is no plan
# Decisions judged by the screening rule (is this worth assessing?), not the conclusion rule.
SCREENING_BARRIERS = frozenset(
    {"screening", "team_leader_review"}
)  # scripted families never take an outside family's id
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
        self.patches = scenario.staffing.patches if scenario.staffing.design == "patch" else 1
        self._staffing_rng = self.streams.stream("staffing")
        self._review_rng = self.streams.stream("review")
        self._family_draws = BatchedDraws(self.streams.stream("family"))
        self.workers = self._build_workers()
        self.case_holders = [w for w in self.workers if w.holds_cases]
        self.team_leaders = [w for w in self.workers if w.role == "team_leader"]
        self.free_places = [0] * self.patches
        for w in self.case_holders:
            self.free_places[w.team] += w.caseload_cap
        # Snapshots handed to deciders, replaced whenever a caseload changes.
        self._worker_views = {w.id: self._snapshot(w) for w in self.case_holders}
        self.case_places = sum(self.free_places)
        # Backlog beyond which each team counts as behind (fixed: caps do not change).
        self._behind_at = [
            self.scenario.staff.behind_backlog_share * places for places in self.free_places
        ]
        self.families: dict[int, Family] = {}
        self.cases: dict[int, Case] = {}
        self.incidents = IncidentBook(self)
        self.information = InformationDesk(self)
        # Referrals waiting for a duty worker, per team, and the duty workers of each team
        # waiting for a referral. A plain queue handed straight to an idle worker does what
        # a simpy.Store does here with one event per referral instead of two.
        self.screening_queues: list[deque[Case]] = [deque() for _ in range(self.patches)]
        self._idle_duty: list[deque[simpy.Event]] = [deque() for _ in range(self.patches)]
        # Waiting lists for allocation: a heap keeps each insertion O(log n) however long
        # the backlog grows (SimPy's PriorityResource inserts linearly).
        self._waiting: list[list[tuple[float, int, Case]]] = [[] for _ in range(self.patches)]
        self._allocator_wake: simpy.Event | None = None
        self._reviews_done: dict[int, int] = {}  # team-leader reviews per working day
        self.edt = simpy.Resource(self.env, capacity=max(1, scenario.out_of_hours.edt_staff))
        # A decider with `manual_checks` makes the desk's checks itself (a trainee); it
        # is read at each screening, so a decider may hand the checks back.
        self._arrivals_rng = self.streams.stream("arrivals")
        self._source_names = [s for s in SOURCES if s in scenario.arrivals.sources]
        shares = np.array([scenario.arrivals.sources[s].share for s in self._source_names])
        self._source_cdf = cumulative(shares.tolist())
        mix = scenario.families.harm_mix
        self._harm_names = [h for h in HARM_TYPES if mix.get(h, 0.0) > 0]
        weights = np.array([mix[h] for h in self._harm_names])
        self._harm_cdf = cumulative(weights.tolist())
        concern_names = [h for h in self._harm_names if h != "none"] or ["neglect"]
        cw = np.array([mix.get(h, 1.0) for h in concern_names])
        self._concern_names = concern_names
        self._concern_cdf = cumulative(cw.tolist())
        self._finished = False
        self._outside_families = 0
        # Harm rate per day at full risk, by the protection in place (0 with harm off).
        harm = scenario.harm
        full = harm.rate_per_year_at_full_risk / 365.0 if harm.enabled else 0.0
        self._hazard_unprotected = full
        self._hazard_by_protection = {
            state: full * multiplier for state, multiplier in harm.protection.items()
        }
        self.log.emit(
            self.env.now,
            EventKind.RUN_STARTED,
            NO_ID,
            NO_ID,
            {
                "scenario": scenario.name,
                "seed": seed,
                "replication": replication,
                "policy": getattr(self.decider, "name", type(self.decider).__name__),
                "measured_from": scenario.run.warm_up_days,
                "ends_at": self.end_time,
                "workers": [[w.id, w.role, w.caseload_cap, w.duty, w.team] for w in self.workers],
                "design": scenario.staffing.design,
                "patches": self.patches,
                "reporting": {
                    "culture": scenario.reporting.culture,
                    "reporting_system": scenario.reporting.reporting_system,
                },
            },
        )
        # The run's standing processes (released with the model: see `release`).
        self._standing: list[simpy.Process] = []
        self._stand(self._arrivals())
        for index, referral in enumerate(scenario.scripted):
            self._stand(self._scripted_referral(index, referral))
        if scenario.screening.enabled:
            duty_teams = {w.team for w in self.workers if w.duty}
            for worker in self.workers:
                if worker.duty:
                    self._stand(self._duty_desk(worker))
            # A patch with nobody on duty is screened by the first duty worker's team.
            self._screening_team = {
                p: (p if p in duty_teams else min(duty_teams, default=0))
                for p in range(self.patches)
            }
        self._stand(self._allocator())
        if scenario.staffing.turnover_per_year > 0:
            self._stand(self._turnover())

    def _stand(self, generator: ProcessGen) -> None:
        self._standing.append(self.env.process(generator))

    # -- construction -------------------------------------------------------------

    def _build_workers(self) -> list[Worker]:
        staff = self.scenario.staff
        workers: list[Worker] = []
        seat = 0  # deal case holders and duty workers round the patches like cards
        for group in staff.groups:
            for _ in range(group.count):
                team = 0
                if group.caseload_cap > 0 or group.duty:
                    team = seat % self.patches
                    seat += 1
                worker = Worker(
                    id=len(workers),
                    role=group.role,
                    caseload_cap=group.caseload_cap,
                    duty=group.duty,
                    judgement_sd=staff.judgement_error_sd[group.role],
                    team=team,
                )
                self._fresh_memory(worker, TENURE_YEARS.get(group.role, 2.0))
                workers.append(worker)
        return workers

    def _fresh_memory(self, worker: Worker, typical_tenure: float) -> None:
        """Tenure and rapport with agencies, drawn for a worker who joins the team."""
        rng = self._staffing_rng
        rel = self.scenario.agencies.relationship
        worker.tenure_years = typical_tenure * (0.5 + float(rng.random()))
        draws = rng.beta(rel.a, rel.b, size=len(AGENCIES)).tolist()
        worker.relationships = dict(zip(AGENCIES, draws, strict=True))

    def _turnover(self) -> ProcessGen:
        """Workers leave at a rate; the newcomer in the post knows no families yet."""
        rng = self._staffing_rng
        rate = self.scenario.staffing.turnover_per_year * len(self.workers) / 365.0
        while True:
            yield self.env.timeout(float(rng.exponential(1.0 / rate)))
            worker = self.workers[int(rng.integers(len(self.workers)))]
            worker.tenure_years = 0.0
            rel = self.scenario.agencies.relationship
            worker.relationships = dict(
                zip(
                    AGENCIES,
                    (0.5 * rng.beta(rel.a, rel.b, size=len(AGENCIES))).tolist(),
                    strict=True,
                )
            )
            self.log.emit(
                self.env.now,
                EventKind.WORKER_CHANGED,
                NO_ID,
                NO_ID,
                {"worker": worker.id, "role": worker.role, "change": "replaced"},
            )

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
        for a full collection: its pending events resume generators that refer to it,
        the incident book and information desk refer back to it, and an open case and
        its family refer to each other. Measured, sequential replications grew by about
        160 MB each until one came, and it took a second or two (benchmarks/README.md). After
        `release()` the model cannot go on running; its log stays whole.
        """
        self._finished = True
        self.env._queue.clear()  # SimPy keeps no public way to drop pending events
        for process in self._standing:
            process._generator.close()  # its frame holds the model
        self._standing.clear()
        self._idle_duty.clear()
        self._allocator_wake = None
        for family in self.families.values():
            family.open_case = None
        self.incidents.model = None  # type: ignore[assignment]
        self.information.model = None  # type: ignore[assignment]

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
            NO_ID,
            NO_ID,
            {
                "open_cases": open_cases,
                "waiting_for_allocation": sum(len(w) for w in self._waiting),
                "waiting_for_screening": sum(len(q) for q in self.screening_queues),
                "assessments_open_past_timescale": self._assessments_past_timescale(),
                "measured_from": self.scenario.run.warm_up_days,
            },
        )

    def _assessments_past_timescale(self) -> int:
        """Assessments still open at the end that have already run past the longer (core)
        timescale: censored, but certainly late."""
        timescales = self.scenario.timescales
        limit = max(
            timescales.initial_assessment_working_days, timescales.core_assessment_working_days
        )
        now = self.env.now
        return sum(
            1
            for c in self.cases.values()
            if c.allocated_at is not None
            and c.outcome is None
            and c.closed_at is None
            and self.calendar.working_days_between(c.allocated_at, now) > limit
        )

    # -- arrivals -----------------------------------------------------------------

    def _source_profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """Per source, the relative rate in each hour of the week (mean 1 over the week)."""
        arr = self.scenario.arrivals
        profiles = []
        shares = []
        for name in self._source_names:
            spec = arr.sources[name]  # type: ignore[index]
            week = np.array(spec.weekday_weights or arr.weekday_weights, dtype=float)
            hours = np.array(spec.hour_weights or arr.hour_weights, dtype=float)
            grid = np.outer(week / week.mean(), hours / hours.mean())  # 7 x 24
            profiles.append(grid)
            shares.append(spec.share)
        share = np.array(shares) / sum(shares)
        return np.array(profiles), share

    def _arrivals(self) -> ProcessGen:
        """Outside referrals: a non-stationary Poisson process, by thinning.

        The rate in each hour of the week is the sum over sources of share x profile, so
        a source with its own profile (a hospital late on Fridays) shifts when referrals
        come without changing how many.
        """
        arr = self.scenario.arrivals
        rng = self._arrivals_rng
        profiles, share = self._source_profiles()
        by_source = profiles * share[:, None, None]  # source x weekday x hour
        total = by_source.sum(axis=0)
        base = arr.annual_referrals / 365.0
        surge_max = max([1.0] + [s.factor for s in arr.surges])
        peak_rate = base * float(total.max()) * surge_max
        # Per hour of the week: the rate, and which source a referral then comes from.
        rates = (base * total).tolist()
        source_cdfs = [
            [cumulative(by_source[:, d, h].tolist()) for h in range(24)] for d in range(7)
        ]
        limit = self.scenario.run.max_referrals
        draws = BatchedDraws(rng, batch=512)
        end = self.end_time
        made = 0
        t = self.env.now
        while limit is None or made < limit:
            # A candidate at the peak rate, kept with probability rate / peak. Rejected
            # candidates cost no SimPy event: the process sleeps only until a kept one
            # (or, past the end of the run, until each candidate, should anyone go on).
            t += -math.log1p(-draws.uniform()) / peak_rate
            u = draws.uniform()
            day, hour = int(t % 7.0), int((t % 1.0) * 24.0)
            rate = rates[day][hour]
            for surge in arr.surges:
                if surge.start_day <= t < surge.end_day:
                    rate *= surge.factor
            kept = u * peak_rate <= rate
            if not kept and t < end:
                continue
            yield self.env.timeout(t - self.env.now)
            if not kept:
                continue  # thinned out: no referral at this instant
            source = self._source_names[pick(source_cdfs[day][hour], draws.uniform())]
            made += 1
            family = self._new_family(source)
            self._open_case(family, source, re_referral=False)

    def _draw_truth(self, draws: BatchedDraws) -> tuple[str, float, float]:
        fam = self.scenario.families
        harm_type = self._harm_names[pick(self._harm_cdf, draws.uniform())]
        risk = 0.0
        if harm_type != "none":
            dist = fam.risk[harm_type]  # type: ignore[index]
            risk = draws.beta(dist.a, dist.b)
        need = draws.beta(fam.need.a, fam.need.b)
        return harm_type, risk, need

    def _new_family(self, source: str) -> Family:
        """A family newly referred from outside, drawn so that the source would refer it.

        Its truth and facts come from the run-wide family stream, in the order families
        are first referred (the same under any staffing or policy, as arrivals are);
        everything drawn later in its story comes from blocks drawn for it here, then
        from its own substream. Building a generator per family cost more than drawing
        the whole family (benchmarks/bench_model.py).
        """
        fam = self.scenario.families
        family_id = self._outside_families
        self._outside_families += 1
        draws = self._family_draws
        bar = self.scenario.arrivals.sources[source].referral_bar  # type: ignore[index]
        for _ in range(1000):
            harm_type, risk, need = self._draw_truth(draws)
            seen = max(fam.clarity_at_referral[harm_type] * risk, 0.8 * need)  # type: ignore[index]
            if seen + draws.normal(0.0, 0.1) >= bar:
                break
        trend = min(1.0, max(-1.0, draws.normal(0.0, fam.trend_sd_per_year)))
        known = draws.uniform() < fam.known_share
        last = None
        if known:
            last = self.env.now - draws.exponential(fam.known_last_referral_mean_days)
        story, judgement = self.streams.blocks_for_entity(FAMILY_BLOCKS, family_id, draws)
        family = Family(
            id=family_id,
            harm_type=harm_type,
            base_risk=risk,
            need=need,
            trend=trend,
            origin_time=self.env.now,
            rng=story,
            judgement_rng=judgement,
            known_before_run=known,
            last_referral_at=last,
            hazard_left=draws.exponential(),
            hazard_since=self.env.now,
            patch=family_id % self.patches,
        )
        family.facts = draw_facts(self, family, draws, known)
        return self._register_family(family)

    def _register_family(self, family: Family) -> Family:
        self.families[family.id] = family
        facts = family.facts
        self.log.emit(
            self.env.now,
            EventKind.FAMILY_CREATED,
            NO_ID,
            family.id,
            {
                "harm_type": family.harm_type,
                "risk": family.base_risk,
                "need": family.need,
                "trend": family.trend,
                "known_before_run": family.known_before_run,
                "truth_level": self.truth_level(family).label,
                "surname": facts.surname,
                "name_origin": facts.name_origin,
                "recorded_surname": facts.recorded_surname,
                "file_location": facts.file_location,
                "agencies_knowing": sorted(facts.agency_information),
                "patch": family.patch,
            },
        )
        self._reschedule_harm(family)
        return family

    def _scripted_referral(self, index: int, spec: ScriptedReferral) -> ProcessGen:
        """A training exercise's referral: a family with a set truth, at a set moment."""
        yield self.env.timeout(max(0.0, spec.day + spec.hour / 24.0 - self.env.now))
        fam = spec.family
        family_id = SCRIPTED_FAMILY_BASE + index
        rng = self.streams.for_entity("family", family_id)
        # The family's own generator: its block, then the same generator onwards.
        story = DrawBlock(self.streams, "family", family_id, [], fallback=rng)
        family = Family(
            id=family_id,
            harm_type=fam.harm_type,
            base_risk=fam.risk,
            need=fam.need,
            trend=fam.trend,
            origin_time=self.env.now,
            rng=story,
            judgement_rng=self.streams.blocks_for_entity(
                FAMILY_BLOCKS[1:], family_id, BatchedDraws(rng, batch=64)
            )[0],
            known_before_run=fam.recorded_surname is not None,
            last_referral_at=None,
            hazard_left=float(rng.exponential()),
            hazard_since=self.env.now,
            patch=index % self.patches,
        )
        family.facts = scripted_facts(fam)
        self._register_family(family)
        self._open_case(
            family,
            spec.source,
            re_referral=False,
            scripted=(spec.ref, spec.concern, spec.signal, spec.need_signal, fam.surname),
        )

    def _open_case(
        self,
        family: Family,
        source: str,
        *,
        re_referral: bool,
        scripted: tuple[str, str, float, float, str] | None = None,
    ) -> Case:
        fam = self.scenario.families
        rng = family.rng
        now = self.env.now
        risk = family.risk_at(now)
        if scripted is not None:
            ref, concern, signal, need_signal, spelling = scripted
        else:
            signal = clip01(
                fam.clarity_at_referral[family.harm_type] * risk  # type: ignore[index]
                + float(rng.normal(0.0, fam.referral_noise_sd))
            )
            need_signal = clip01(family.need + float(rng.normal(0.0, 0.1)))
            if family.harm_type != "none":
                concern = family.harm_type
            else:
                concern = self._concern_names[pick(self._concern_cdf, rng.random())]
            ref = None
            spelling = ""
        case = Case(
            id=len(self.cases),
            family=family,
            source=source,
            arrived_at=now,
            concern=concern,
            referral_signal=signal,
            need_signal=need_signal,
            re_referral=re_referral,
            scripted_ref=ref,
        )
        case.spelling = spelling or self.information.referral_spelling(case)
        if family.facts.recorded_surname is None and family.referrals >= 1:
            # The team's own earlier contact put the family on record, as then spelt.
            family.facts.recorded_surname = family.first_spelling
        if family.referrals == 0:
            family.first_spelling = case.spelling
        case.evidence["referral"] = signal
        since_last = None if family.last_referral_at is None else now - family.last_referral_at
        self.cases[case.id] = case
        family.referrals += 1
        family.last_referral_at = now
        family.open_case = case
        family.concern_version += 1  # an open case stops the clock of new concerns
        out_of_hours = not self.calendar.is_open(now)
        self.log.emit(
            now,
            EventKind.REFERRAL_ARRIVED,
            case.id,
            family.id,
            {
                "source": source,
                "concern": concern,
                "out_of_hours": out_of_hours,
                "re_referral": re_referral,
                "known_family": family.known_before_run or family.referrals > 1,
                "days_since_last_referral": since_last,
                "signal": signal,
                "need_signal": need_signal,
                "spelling": case.spelling,
                "scripted": ref,
            },
        )
        self._set_protection(family, "waiting")
        if not self.scenario.screening.enabled:
            case.screening_level = Level.CHILD_IN_NEED
            case.screened_at = now
            self._queue_for_allocation(case, Level.CHILD_IN_NEED)
        elif out_of_hours and self.scenario.out_of_hours.enabled:
            tasks.start(self._emergency_duty(case))
        else:
            self._to_duty_desk(case)
        return case

    def _to_duty_desk(self, case: Case) -> None:
        team = self._screening_team[case.family.patch]
        idle = self._idle_duty[team]
        if idle:
            idle.popleft().succeed(case)  # the worker who has waited longest takes it
        else:
            self.screening_queues[team].append(case)

    # -- out of hours -------------------------------------------------------------------

    def _emergency_duty(self, case: Case) -> ProcessGen:
        """The EDT reads an out-of-hours referral; if it looks urgent, someone visits that
        night, and the case is handed to the day team in the morning."""
        ooh = self.scenario.out_of_hours
        family = case.family
        rng = family.judgement_rng
        with self.edt.request() as req:
            yield req
            yield self.env.timeout(0.5 / 24.0)  # reading and a call or two
            believed = clip01(case.referral_signal + ooh.edt_judgement_error_sd * rng.normal())
            urgent = believed >= ooh.urgent_risk
            self.log.emit(
                self.env.now,
                EventKind.OUT_OF_HOURS_TRIAGED,
                case.id,
                family.id,
                {"urgent": urgent, "believed_risk": believed},
            )
            if urgent:
                yield self.env.timeout(3.0 / 24.0)  # travel and a visit
                seen = rng.random() < ooh.see_child_probability
                case.child_seen = seen
                if seen:
                    clarity = self.scenario.families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
                    case.evidence["edt_visit"] = clip01(
                        clarity * family.risk_at(self.env.now) + rng.normal(0.0, 0.05)
                    )
                    self._set_protection(family, "assessing")  # a safety plan for the night
                self.barrier(
                    case,
                    "seeing_child",
                    seen,
                    [] if seen else ["out_of_hours_cover"],
                    None,
                    at="out_of_hours",
                )
        if urgent:
            opening = self.calendar.next_open(self.env.now)
            yield self.env.timeout(opening - self.env.now)
            self._handover(
                case,
                barrier="out_of_hours_handover",
                to="day_team",
                loss=ooh.fact_loss[ooh.handover],
                why=["unstructured_handover"]
                if ooh.handover == "unstructured"
                else ["handover_slips"],
            )
        self._to_duty_desk(case)

    def _handover(
        self,
        case: Case,
        *,
        barrier: str,
        to: str,
        loss: float,
        why: list[str],
        keep: list[str] | None = None,
    ) -> None:
        """Pass a case's facts on; each may be lost (or, from a trainee, left out)."""
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
        case.handed_over = True
        self.log.emit(
            self.env.now,
            EventKind.HANDED_OVER,
            case.id,
            case.family.id,
            {"to": to, "facts": facts, "lost": lost},
        )
        if facts:
            held = key_fact not in lost
            self.barrier(case, barrier, held, [] if held else why, None, to=to)

    def hand_over_to_edt(self, case_id: int, keep: list[str]) -> None:
        """A trainee's written handover: only the facts chosen go to the night team."""
        case = self.cases[case_id]
        self._handover(
            case,
            barrier="out_of_hours_handover",
            to="emergency_duty_team",
            loss=0.0,
            why=["handover_omission"],
            keep=keep,
        )

    # -- what the team sees ---------------------------------------------------------

    def behind(self, patch: int = 0) -> bool:
        """A team is behind when more cases wait than a share of its case places.

        With patch teams each team feels its own backlog, not its neighbours'.
        """
        return len(self._waiting[patch]) > self._behind_at[patch]

    def worker_error_sd(self, worker: Worker | None) -> float:
        staff = self.scenario.staff
        if worker is None:
            return 0.0
        sd = worker.judgement_sd
        sd *= 1.0 + staff.workload_error_gain * max(0.0, worker.load - 0.8)
        if self.behind(worker.team):
            sd *= 1.0 + staff.time_pressure_error_gain
        return sd

    def _read(
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
        # Positional, in CaseView's field order: built for every decision, and a tuple
        # built directly skips the named constructor's keyword handling.
        return _new_view(
            CaseView,
            (
                case.id,  # case_id
                family.id,  # family_id
                self.env.now,  # now
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
        return self._truth_at(family, self.env.now if t is None else t)[0]

    def _truth_at(self, family: Family, t: float) -> tuple[Level, Level]:
        """The level the truth warrants at `t`, and its generous reading (the ceiling,
        never below it): child protection for a family within the margin of significant
        harm is cautious, not a false positive. One reading of the family's risk gives
        both, as every graded decision needs both."""
        truth = self.scenario.truth
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

    def conditions(self, case: Case, worker: Worker | None) -> list[str]:
        """Latent conditions present when a decision is taken on this case."""
        present: list[str] = []
        if case.concern in LOW_VISIBILITY:
            present.append("low_visibility_harm")
        if self.behind(case.family.patch):
            present.append("time_pressure")
        if worker is not None and worker.role in INEXPERIENCED:
            present.append("inexperienced_staff")
        if worker is not None and worker.holds_cases and worker.load > 0.8:
            present.append("high_caseload")
        return present

    def barrier(
        self,
        case: Case,
        name: str,
        held: bool,
        conditions: list[str],
        worker: Worker | None,
        **extra: Any,
    ) -> None:
        """Log one test of a barrier; a hole joins the case's story for later grading."""
        if not held:
            case.holes.append((name, tuple(conditions)))
        self.log.emit(
            self.env.now,
            EventKind.BARRIER_TESTED,
            case.id,
            case.family.id,
            {
                "barrier": name,
                "held": held,
                "conditions": conditions,
                "active_failure": False,
                "worker": None if worker is None else worker.id,
                "role": None if worker is None else worker.role,
                **extra,
            },
        )

    def _judge(
        self,
        case: Case,
        worker: Worker | None,
        barrier: str,
        answer: Level,
        clean_risk: float,
        clean_need: float,
        *,
        role: str | None = None,
    ) -> None:
        """Record the barrier test of a decision and update the family's error episode."""
        family = case.family
        truth, ceiling = self._truth_at(family, self.env.now)
        rule = screening_level_for if barrier in SCREENING_BARRIERS else level_for
        clean = rule(clean_risk, clean_need, self.scenario.thresholds)
        held = self.incidents.level_holds(answer, truth, ceiling)
        active = (not held) and self.incidents.level_holds(clean, truth, ceiling)
        conditions = self.conditions(case, worker)
        who = role or (None if worker is None else worker.role)
        self.log.emit(
            self.env.now,
            EventKind.BARRIER_TESTED,
            case.id,
            family.id,
            {
                "barrier": barrier,
                "held": held,
                "conditions": conditions,
                "active_failure": active,
                "decided": answer.label,
                "truth": truth.label,
                "worker": None if worker is None else worker.id,
                "role": who,
            },
        )
        if not held:
            case.holes.append((barrier, tuple(conditions)))
        family.team_level = answer
        self.incidents.after_decision(
            family,
            case,
            answer,
            truth,
            barrier=barrier,
            role=who,
            conditions=tuple(conditions),
            active_failure=active,
            ceiling=ceiling,
        )

    # -- the duty desk ----------------------------------------------------------------

    def _duty_desk(self, worker: Worker) -> ProcessGen:
        """One duty worker reading referrals in arrival order, in working hours.

        The worker spends the reading time, starts the checks, and moves on; each case's
        decision waits for its answers up to the decision timescale.
        """
        queue = self.screening_queues[worker.team]
        idle = self._idle_duty[worker.team]
        work_hours = self.scenario.screening.work_hours
        while True:
            if queue:
                case = queue.popleft()
            else:
                ready = self.env.event()
                idle.append(ready)
                case = yield ready
            done = self.calendar.add_working_hours(self.env.now, work_hours)
            yield self.env.timeout(done - self.env.now)
            tasks.start(self._screen(case, worker))

    def _cut_corner(self, case: Case, check: str) -> bool:
        """Under time pressure a check may be skipped; the skip is remembered."""
        if not self.behind(case.family.patch):
            return False
        if case.family.judgement_rng.random() < self.scenario.staffing.corner_cutting:
            case.skipped.add(check)
            return True
        return False

    def _duty_checks(self, case: Case, worker: Worker) -> bool:
        """The checks a duty worker makes: database, file, the agencies the concern calls
        for. True when answers are awaited (their times are in `case.expected`)."""
        info = self.information
        pending = False
        if not self._cut_corner(case, "database"):
            info.duty_database_check(case, worker)
        facts = case.family.facts
        case.checked.add("local_knowledge")
        info.local_knowledge(case, worker)
        if case.record_found and facts.file_location != "none":
            if not self._cut_corner(case, "file"):
                info.request_file(case, notify=False)
                pending = True
        agencies = self.scenario.agencies.checks_by_concern.get(case.concern, [])  # type: ignore[call-overload]
        for agency in agencies:
            if self._cut_corner(case, agency):
                continue
            info.contact_agency(case, agency, worker, notify=False)
            pending = True
        return pending

    @property
    def manual_checks(self) -> bool:
        return bool(getattr(self.decider, "manual_checks", False))

    def _clean_reading(self, case: Case) -> tuple[float, float]:
        """The noiseless reading of what is in hand now (for judging a decision)."""
        return (max(case.evidence.values()) if case.evidence else 0.0), case.need_signal

    def _screen(self, case: Case, worker: Worker) -> ProcessGen:
        family = case.family
        manual = self.manual_checks
        pending = False if manual else self._duty_checks(case, worker)
        if pending:
            # Wait for the answers, but not past the decision timescale.
            deadline = self.calendar.add_working_days(
                case.arrived_at, self.scenario.timescales.decision_working_days
            )
            until = min(deadline, max(case.expected.values()))
            if until > self.env.now:
                yield self.env.timeout(until - self.env.now)
        risk, need, clean_risk, clean_need = self._read(case, worker)
        view = self.view(case, risk, need)
        answer = self.decider.screen(view)
        if isinstance(answer, simpy.Event):  # a person deciding: wait for them
            answer = yield answer
        level = Level(answer)
        if manual:
            # A person may have gathered more while deciding: judge what they then had.
            clean_risk, clean_need = self._clean_reading(case)
        now = self.env.now
        case.screened_at = now
        case.screening_level = level
        within = self.calendar.working_days_between(case.arrived_at, now) <= (
            self.scenario.timescales.decision_working_days
        )
        self.log.emit(
            now,
            EventKind.SCREENED,
            case.id,
            family.id,
            {
                "level": level.label,
                "believed_risk": risk,
                "believed_need": need,
                "worker": worker.id,
                "role": worker.role,
                "within_timescale": within,
                "evidence": sorted(case.evidence),
            },
        )
        self.information.record_checks(case, worker)
        self._judge(case, worker, "screening", level, clean_risk, clean_need)
        if level < Level.CHILD_PROTECTION and not manual:
            level = self._team_leader_review(case, level, clean_risk, clean_need)
            case.screening_level = level
        case.evidence["screening"] = risk  # what the record now says
        if level == Level.NO_FURTHER_ACTION:
            self._close(case, "no_further_action_at_referral")
        else:
            self._queue_for_allocation(case, level)

    def _team_leader_review(
        self, case: Case, level: Level, clean_risk: float, clean_need: float
    ) -> Level:
        """A team leader looks again at a share of decisions below child protection,
        as long as there is time left in the day for it."""
        review = self.scenario.team_leader_review
        if not review.enabled or not self.team_leaders:
            return level
        if self._review_rng.random() >= review.share_reviewed:
            return level
        day = int(self.env.now)
        capacity = review.reviews_per_leader_per_day * len(self.team_leaders)
        if self._reviews_done.get(day, 0) >= capacity:
            self.barrier(case, "team_leader_review", False, ["supervision_capacity"], None)
            return level
        self._reviews_done[day] = self._reviews_done.get(day, 0) + 1
        leader = self.team_leaders[day % len(self.team_leaders)]
        return self.team_leader_reading(case, leader, level, clean_risk, clean_need)

    def team_leader_reading(
        self, case: Case, leader: Worker, level: Level, clean_risk: float, clean_need: float
    ) -> Level:
        """The leader's own reading of the same evidence; it can only raise the level."""
        z = case.family.judgement_rng.normal()
        risk = clip01(clean_risk + leader.judgement_sd * z)
        theirs = screening_level_for(risk, clean_need, self.scenario.thresholds)
        final = max(level, theirs)
        self._judge(case, leader, "team_leader_review", final, clean_risk, clean_need)
        return final

    # -- information actions a trainee takes -------------------------------------------

    def gather(
        self,
        case_id: int,
        action: str,
        *,
        spelling: str | None = None,
        agency: str | None = None,
        worker_id: int | None = None,
    ) -> simpy.Event:
        """Run one information action on a case; the event's value is an InformationResult.

        Actions: database (search under `spelling`), file, agency (`agency`), visit
        (see the child), team_leader (ask a leader's view). Each costs simulated time.
        """
        case = self.cases[case_id]
        worker = self.workers[worker_id] if worker_id is not None else None
        info = self.information
        if action == "database":
            searched = spelling or case.spelling
            self._requested(case, "database", spelling=searched)
            return self._after(case, 0.25, lambda: info.search_database(case, searched))
        if action == "file":
            event = info.request_file(case)
            assert event is not None
            return event
        if action == "agency":
            if agency not in AGENCIES:
                raise ValueError(f"unknown agency {agency!r}")
            event = info.contact_agency(case, agency, worker)
            assert event is not None
            return event
        if action == "visit":
            self._requested(case, "visit")
            return self._after(case, 3.0, lambda: self._duty_visit(case))
        if action == "team_leader":
            self._requested(case, "team_leader")
            return self._after(case, 0.5, lambda: self._consult_leader(case))
        raise ValueError(f"unknown information action {action!r}")

    def _requested(self, case: Case, what: str, **fields: Any) -> None:
        self.log.emit(
            self.env.now,
            EventKind.INFORMATION_REQUESTED,
            case.id,
            case.family.id,
            {"what": what, **fields},
        )

    def _after(self, case: Case, hours: float, act: Any) -> simpy.Event:
        """An event that fires with `act()` once `hours` of working time have passed; the
        answer is logged."""
        done = self.env.event()

        def finish(_event: simpy.Event) -> None:
            answer: InformationResult = act()
            self.log.emit(
                self.env.now,
                EventKind.INFORMATION_RETURNED,
                case.id,
                case.family.id,
                {
                    "what": answer.action,
                    "outcome": answer.outcome,
                    "evidence_key": answer.evidence_key,
                },
            )
            done.succeed(answer)

        end = self.calendar.add_working_hours(self.env.now, hours)
        self.env.timeout(end - self.env.now).callbacks.append(finish)
        return done

    def _duty_visit(self, case: Case) -> InformationResult:
        family = case.family
        seen = family.judgement_rng.random() < self.scenario.visits.see_child_probability
        case.child_seen = seen
        if not seen:
            return InformationResult("visit", "not_seen", "nobody answered; the child was not seen")
        clarity = self.scenario.families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
        noise = family.judgement_rng.normal(0, 0.05)
        value = clip01(clarity * family.risk_at(self.env.now) + noise)
        case.evidence["visit"] = value
        self._set_protection(family, "assessing")
        return InformationResult("visit", "seen", "the child was seen at home", "visit", value)

    def _consult_leader(self, case: Case) -> InformationResult:
        leader = self.team_leaders[0] if self.team_leaders else None
        sd = leader.judgement_sd if leader else 0.05
        risk, need, _, _ = self._read(case, leader, error_sd=sd)
        advice = screening_level_for(risk, need, self.scenario.thresholds)
        words = advice.label.replace("_", " ")
        return InformationResult("team_leader", advice.label, f"the team leader would say {words}")

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
        heap = self._waiting[case.family.patch]
        heapq.heappush(heap, (key, case.id, case))
        self.log.emit(
            self.env.now,
            EventKind.QUEUED,
            case.id,
            case.family.id,
            {
                "priority": key,
                "level": case.screening_level.label if case.screening_level is not None else None,
                "waiting": sum(len(w) for w in self._waiting),
            },
        )
        self._wake_allocator()

    @staticmethod
    def _snapshot(worker: Worker) -> WorkerView:
        return WorkerView(worker.id, worker.role, worker.caseload, worker.caseload_cap, worker.team)

    def _change_caseload(self, worker: Worker, delta: int) -> None:
        worker.caseload += delta
        self.free_places[worker.team] -= delta
        self._worker_views[worker.id] = self._snapshot(worker)

    def _wake_allocator(self) -> None:
        if self._allocator_wake is not None and not self._allocator_wake.triggered:
            self._allocator_wake.succeed()

    def _allocator(self) -> ProcessGen:
        """Team leaders allocate the top waiting case whenever a worker in its team has room.

        With one central team there is one waiting list; with patch teams each patch
        allocates only to its own workers.
        """
        while True:
            progressed = True
            while progressed:
                progressed = False
                for patch, heap in enumerate(self._waiting):
                    if not heap or self.free_places[patch] <= 0:
                        continue
                    _, _, case = heapq.heappop(heap)
                    risk = case.evidence.get("screening", case.referral_signal)
                    view = self.view(case, risk, case.need_signal)
                    free = [
                        v
                        for v in self._worker_views.values()
                        if v.caseload < v.caseload_cap and v.team == patch
                    ]
                    worker_id = self.decider.allocate(view, free)
                    if isinstance(worker_id, simpy.Event):
                        worker_id = yield worker_id
                    worker = self.workers[int(worker_id)]
                    if worker.caseload >= worker.caseload_cap:
                        raise ValueError(f"worker {worker.id} has no room for case {case.id}")
                    self._change_caseload(worker, +1)
                    tasks.start(self._assess(case, worker, worker.caseload))
                    progressed = True
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

    def _assess(self, case: Case, worker: Worker, caseload: int) -> ProcessGen:
        family = case.family
        spec = self.scenario
        now = self.env.now
        case.allocated_at = now
        case.worker = worker
        case.stage = "assessing"
        queued = case.queued_at if case.queued_at is not None else now
        wait_wd = self.calendar.working_days_between(queued, now)
        self.log.emit(
            now,
            EventKind.ALLOCATED,
            case.id,
            family.id,
            {
                "worker": worker.id,
                "role": worker.role,
                "wait_days": now - queued,
                "wait_working_days": wait_wd,
                "concern": case.concern,
                "caseload": caseload,  # this worker's caseload with this case, as allocated
            },
        )
        if self.scenario.thresholds.enabled:
            late = wait_wd > spec.timescales.allocation_working_days
            self.barrier(case, "allocation", not late, ["understaffing"] if late else [], worker)
        self._set_protection(family, "assessing")
        # add_working_days starts at the next opening itself when the team is closed.
        end = self.calendar.add_working_days(
            now, self._duration(family, spec.assessment.initial_median_working_days, worker)
        )
        yield self.env.timeout(end - now)
        self._assessment_evidence(case, worker)
        risk, need, _, _ = self._read(case, worker, assessed=True)
        answer = self.decider.conclude(self.view(case, risk, need))
        if isinstance(answer, simpy.Event):
            answer = yield answer
        first = Level(answer)
        self.log.emit(
            self.env.now,
            EventKind.ASSESSMENT_STAGE_ENDED,
            case.id,
            family.id,
            {"stage": "initial", "level": first.label},
        )
        stage = "initial"
        if spec.thresholds.enabled and (
            first == Level.CHILD_PROTECTION or need >= spec.assessment.core_need
        ):
            stage = "core"
            later = self.env.now
            end = self.calendar.add_working_days(
                later, self._duration(family, spec.assessment.core_median_working_days, worker)
            )
            yield self.env.timeout(end - later)
            self._assessment_evidence(case, worker)
        risk, need, clean_risk, clean_need = self._read(case, worker, assessed=True)
        answer = self.decider.conclude(self.view(case, risk, need))
        if isinstance(answer, simpy.Event):
            answer = yield answer
        outcome = Level(answer)
        now = self.env.now
        limit = (
            spec.timescales.core_assessment_working_days
            if stage == "core"
            else spec.timescales.initial_assessment_working_days
        )
        length_wd = self.calendar.working_days_between(case.allocated_at, now)
        case.outcome = outcome
        family.team_record = risk
        self._change_caseload(worker, -1)
        self.log.emit(
            now,
            EventKind.CONCLUDED,
            case.id,
            family.id,
            {
                "outcome": outcome.label,
                "stage": stage,
                "believed_risk": risk,
                "believed_need": need,
                "length_days": now - case.allocated_at,
                "length_working_days": length_wd,
                "within_timescale": length_wd <= limit,
                "worker": worker.id,
            },
        )
        self._judge(case, worker, "assessment", outcome, clean_risk, clean_need)
        self._wake_allocator()
        if outcome == Level.NO_FURTHER_ACTION:
            self._close(case, "no_further_action_after_assessment")
        else:
            tasks.start(self._plan(case, outcome, risk))

    def _assessment_evidence(self, case: Case, worker: Worker) -> None:
        """Seeing the child shows far more of the truth than a referral; an assessment
        that never sees the child (corner-cutting under pressure) shows less."""
        family = case.family
        rng = family.judgement_rng
        visits = self.scenario.visits
        behind = self.behind(family.patch)
        chance = visits.rushed_see_child_probability if behind else visits.see_child_probability
        seen = rng.random() < chance
        case.child_seen = seen
        clarity = self.scenario.families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
        if not seen:
            clarity = min(clarity, visits.unseen_clarity)
        if self.scenario.thresholds.enabled:
            why = [] if seen else (["time_pressure"] if behind else ["no_access_to_child"])
            self.barrier(case, "seeing_child", seen, why, worker, at="assessment")
        noise = rng.normal(0.0, 0.05)
        case.evidence["assessment"] = clip01(clarity * family.risk_at(self.env.now) + noise)
        case.need_signal = clip01(family.need + rng.normal(0.0, 0.05))

    # -- plans, long-term reviews, closure and new concerns -----------------------------

    def _plan(self, case: Case, level: Level, believed: float) -> ProcessGen:
        """The family support team holds the case on a plan, reviewing it periodically.

        Each review is a barrier: it should notice a risk that has grown. The longer a
        case is open, the more a reviewer anchors on the first view (complacency), and a
        familiar family must show more before anyone escalates (the rule of optimism).
        """
        family = case.family
        services = self.scenario.services
        longterm = self.scenario.long_term
        case.plan_started_at = self.env.now
        family.plan_anchor = believed
        self._handover(
            case,
            barrier="case_transfer",
            to="family_support_team",
            loss=longterm.transfer_fact_loss,
            why=["lossy_transfers"],
        )
        previous: Level | None = None
        while True:
            state = "child_protection" if level == Level.CHILD_PROTECTION else "child_in_need"
            days = (
                services.cp_plan_days
                if level == Level.CHILD_PROTECTION
                else services.cin_support_days
            )
            case.stage = state
            self.log.emit(
                self.env.now,
                EventKind.PLAN_STARTED,
                case.id,
                family.id,
                {"plan": state, "days": days},
            )
            if level != previous:  # a renewal of the same plan is not a new decision to grade
                self.incidents.plan_started(family, case, level)
            previous = level
            self._set_protection(family, state)
            ends = self.env.now + days
            if days < SHORTEST_PLAN_DAYS:
                # A plan of (next to) no length: its end review is its only decision, no
                # renewal, or the clock would crawl forward by specks.
                self._plan_works(case, level)
                self._long_term_review(case, level, ending=True)
                break
            while self.env.now + longterm.review_interval_days < ends:
                yield self.env.timeout(longterm.review_interval_days)
                if level == Level.CHILD_IN_NEED and self._long_term_review(case, level) > level:
                    level = Level.CHILD_PROTECTION
                    break
            else:
                yield self.env.timeout(max(0.0, ends - self.env.now))
                self._plan_works(case, level)
                next_level = self._long_term_review(case, level, ending=True)
                if next_level == Level.NO_FURTHER_ACTION:
                    break
                level = next_level
        self._close(case, f"{state}_plan_ended")

    def _plan_works(self, case: Case, level: Level) -> None:
        """What a period of plan changed for good: services work on the real trouble."""
        family = case.family
        services = self.scenario.services
        self._advance_hazard(family)
        before_risk, before_need = family.base_risk, family.need
        if family.harm_type != "none":
            cut = (
                services.cp_risk_reduction
                if level == Level.CHILD_PROTECTION
                else services.cin_risk_reduction
            )
            family.base_risk *= 1.0 - cut
        family.need *= 1.0 - services.cin_need_reduction
        self.log.emit(self.env.now, EventKind.PLAN_ENDED, case.id, family.id, {"plan": level.label})
        self.log.emit(
            self.env.now,
            EventKind.TRUTH_CHANGED,
            case.id,
            family.id,
            {
                "risk_before": before_risk,
                "risk_after": family.base_risk,
                "need_before": before_need,
                "need_after": family.need,
                "truth_level": self.truth_level(family).label,
            },
        )
        self._reschedule_harm(family)

    def _long_term_review(self, case: Case, level: Level, *, ending: bool = False) -> Level:
        """A family support team review: escalate, continue, or (at a plan's end) close."""
        family = case.family
        longterm = self.scenario.long_term
        thresholds = self.scenario.thresholds
        rng = family.judgement_rng
        now = self.env.now
        age = now - (case.plan_started_at or now)
        clarity = self.scenario.families.clarity_at_assessment[family.harm_type]  # type: ignore[index]
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
            and need < (thresholds.child_in_need_need)
        ):
            decided = Level.NO_FURTHER_ACTION
        else:
            decided = Level.CHILD_IN_NEED if ending or level == Level.CHILD_IN_NEED else level
        if decided == Level.CHILD_IN_NEED and level == Level.CHILD_PROTECTION and not ending:
            decided = level
        truth, ceiling = self._truth_at(family, now)
        held = self.incidents.level_holds(decided, truth, ceiling)
        why: list[str] = []
        if not held and decided < truth:
            if longterm.complacency and sensitivity < 0.8:
                why.append("complacency")
            if (
                familiar
                and longterm.rule_of_optimism > 0
                and believed >= (thresholds.child_protection_risk)
            ):
                why.append("rule_of_optimism")
        self.log.emit(
            now,
            EventKind.BARRIER_TESTED,
            case.id,
            family.id,
            {
                "barrier": "long_term_review",
                "held": held,
                "conditions": why,
                "active_failure": False,
                "decided": decided.label,
                "truth": truth.label,
                "worker": None,
                "role": "family_support_worker",
                "case_age_days": age,
            },
        )
        if not held:
            case.holes.append(("long_term_review", tuple(why)))
        family.team_level = decided
        self.incidents.after_decision(
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
        return decided

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
            case.id,
            family.id,
            {"reason": reason, "days_open": now - case.arrived_at},
        )
        self._set_protection(family, "none")
        self._schedule_concern(family)

    def _schedule_concern(self, family: Family) -> None:
        """Persisting risk or need is noticed again by someone outside, at a rate.

        The rate fades with time since the case closed (`fade_days`), and the family may
        leave the team's population first (`leave_rate_per_year`), so each family is
        re-referred a finite number of times and the re-referring population stays level.
        """
        concerns = self.scenario.concerns
        if not concerns.enabled or not family.alive:
            return
        level = max(family.risk_at(self.env.now), family.need)
        rate = concerns.rate_per_year / 365.0 * level
        if rate <= 0:
            return
        family.concern_version += 1
        version = family.concern_version
        delay = concern_delay(family.rng, rate, concerns.fade_days)
        if concerns.leave_rate_per_year > 0:
            leave = float(family.rng.exponential(365.0 / concerns.leave_rate_per_year))
            if self.env.now + leave < self.end_time:
                timer = self.env.timeout(leave)
                timer.callbacks.append(lambda _ev: self._family_leaves(family, version))
            if leave <= delay:
                return  # the family leaves before anyone raises a new concern
        if self.env.now + delay >= self.end_time:
            return
        source = self._source_names[pick(self._source_cdf, family.rng.random())]
        timer = self.env.timeout(delay)
        timer.callbacks.append(lambda _ev: self._concern_due(family, version, source))

    def _family_leaves(self, family: Family, version: int) -> None:
        """A closed family leaves the team's population for good (children grow up, the
        family moves away): no new concern and no harm reaches this team again."""
        if version != family.concern_version or family.open_case is not None or not family.alive:
            return
        self._advance_hazard(family)
        family.gone = True
        family.clock_version += 1
        family.concern_version += 1
        self.log.emit(self.env.now, EventKind.FAMILY_LEFT, NO_ID, family.id, {})
        self.incidents.censor(family, self.env.now, "family_left")

    def _concern_due(self, family: Family, version: int, source: str) -> None:
        if version != family.concern_version or family.open_case is not None or not family.alive:
            return
        self._open_case(family, source, re_referral=True)

    # -- the harm clock ---------------------------------------------------------------

    def _hazard_rate(self, family: Family) -> float:
        if family.harm_type == "none" or not family.alive or family.gone:
            return 0.0
        return self._hazard_by_protection.get(family.protection, self._hazard_unprotected)

    def _advance_hazard(self, family: Family) -> None:
        now = self.env.now
        rate = self._hazard_rate(family)
        if rate > 0.0:  # no hazard, nothing used up (most families most of the time)
            used = hazard_integral(
                family, family.hazard_since, now, rate, self.scenario.harm.risk_exponent
            )
            left = family.hazard_left - used
            family.hazard_left = left if left > 0.0 else 0.0
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
        seen_level = "severe" if severity in ("severe", "death") else severity
        surfaced = bool(rng.random() < harm.surfaces[seen_level])  # type: ignore[index]
        self.log.emit(
            now,
            EventKind.HARM_OCCURRED,
            case.id if case is not None else -1,
            family.id,
            {
                "harm_type": family.harm_type,
                "severity": severity,
                "protection": family.protection,
                "team_level": family.team_level.label,
                "truth_level": self.truth_level(family).label,
                "seen_by_outside_agency": surfaced,
            },
        )
        self.incidents.harm(family, severity, surfaced=surfaced)
        if severity == "death":
            family.alive = False
            family.clock_version += 1
            family.concern_version += 1
            return
        if surfaced:
            if case is None:
                self._open_case(family, SURFACING_SOURCE[family.harm_type], re_referral=True)
                return
            # Someone outside saw the harm while the case is open: it joins the file.
            case.evidence["harm_seen"] = min(1.0, risk + 0.2)
            self.log.emit(
                now,
                EventKind.INFORMATION_RETURNED,
                case.id,
                family.id,
                {"what": "harm_seen", "source": SURFACING_SOURCE[family.harm_type]},
            )
        self._reschedule_harm(family)


_new_view = tuple.__new__


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


def concern_delay(rng: DrawBlock, rate: float, fade_days: float | None) -> float:
    """Days to the next outside concern at `rate` a day, fading by e every `fade_days`
    (inf: none ever comes). With a fade the hazard rate*exp(-t/fade) integrates to at most
    rate*fade, so a unit exponential beyond that means no concern at all."""
    e = float(rng.exponential())
    if fade_days is None:
        return e * (1.0 / rate)
    total = rate * fade_days
    if e >= total:
        return math.inf
    return -fade_days * math.log1p(-e / total)


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def run_scenario(
    scenario: Scenario, seed: int, *, replication: int = 0, decider: Decider | None = None
) -> EventLog:
    """Run one replication and return its log (the model is released: only the log stays)."""
    model = FrontDoorModel(scenario, seed=seed, replication=replication, decider=decider)
    log = model.run()
    model.release()
    return log


__all__ = ["FrontDoorModel", "run_scenario", "collector_paused", "ErrorEpisode"]
