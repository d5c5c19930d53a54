"""The duty desk: duty workers screen each referral against the thresholds.

Each duty worker takes referrals in arrival order in working hours, spends the reading
time, starts the checks (the database, the paper file, the agencies the concern calls
for, and what colleagues remember) and moves on; each case's decision waits for its
answers up to the decision timescale. Under time pressure a check may be skipped. The
decision is asked of the decider; below child protection a team leader may review it.
A case screened out is closed; the rest join the waiting list for allocation.
"""

from __future__ import annotations

from collections import deque

import simpy

from sim import tasks
from sim.agency_decisions import AgencyDecisionMakers
from sim.allocation import Allocation
from sim.config import Agencies, Screening, Staffing, Timescales
from sim.context import ProcessGen, RunContext
from sim.deciders import Decider
from sim.entities import Case, Level, Worker
from sim.events import EventKind
from sim.first_view import FirstView
from sim.information import InformationDesk
from sim.judgement import Judgement
from sim.records import Screened
from sim.referrals import Referrals
from sim.review import LeaderReview
from sim.workload import Workload


class ScreeningDesk:
    """Referrals waiting for a duty worker, the duty workers, and their screening."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        screening: Screening,
        timescales: Timescales,
        agencies: Agencies,
        staffing: Staffing,
        decider: Decider,
        information: InformationDesk,
        judgement: Judgement,
        review: LeaderReview,
        workload: Workload,
        allocation: Allocation,
        referrals: Referrals,
        first_view: FirstView,
        agencies_decide: AgencyDecisionMakers | None = None,
    ) -> None:
        self._ctx = ctx
        self._agencies_decide = agencies_decide
        self._screening = screening
        self._timescales = timescales
        self._agencies = agencies
        self._staffing = staffing
        self._decider = decider
        self._information = information
        self._judgement = judgement
        self._review = review
        self._workload = workload
        self._allocation = allocation
        self._referrals = referrals
        self._first_view = first_view
        patches = ctx.patches
        # Referrals waiting for a duty worker, per team, and the duty workers of each team
        # waiting for a referral. A plain queue handed straight to an idle worker does what
        # a simpy.Store does here with one event per referral instead of two.
        self.queues: list[deque[Case]] = [deque() for _ in range(patches)]
        self.idle: list[deque[simpy.Event]] = [deque() for _ in range(patches)]
        # A patch with nobody on duty is screened by the first duty worker's team.
        duty_teams = {w.team for w in ctx.workers if w.duty}
        self._team_for_patch = {
            p: (p if p in duty_teams else min(duty_teams, default=0)) for p in range(patches)
        }

    def release(self) -> None:
        """Forget the duty workers waiting for referrals (their events hold them)."""
        self.idle.clear()

    def waiting_count(self) -> int:
        return sum(len(q) for q in self.queues)

    def receive(self, case: Case) -> None:
        """A referral reaches the desk: an idle duty worker takes it, or it queues."""
        team = self._team_for_patch[case.family.patch]
        idle = self.idle[team]
        if idle:
            idle.popleft().succeed(case)  # the worker who has waited longest takes it
        else:
            self.queues[team].append(case)

    def duty_worker(self, worker: Worker) -> ProcessGen:
        """One duty worker reading referrals in arrival order, in working hours.

        The worker spends the reading time, starts the checks, and moves on; each case's
        decision waits for its answers up to the decision timescale.
        """
        env = self._ctx.env
        queue = self.queues[worker.team]
        idle = self.idle[worker.team]
        work_hours = self._screening.work_hours
        while True:
            if queue:
                case = queue.popleft()
            else:
                ready = env.event()
                idle.append(ready)
                case = yield ready
            done = self._ctx.calendar.add_working_hours(env.now, work_hours)
            yield env.timeout(done - env.now)
            tasks.start(self._screen(case, worker))

    def _cut_corner(self, case: Case, check: str) -> bool:
        """Under time pressure a check may be skipped; the skip is remembered."""
        if not self._workload.behind(case.family.patch):
            return False
        if case.family.judgement_rng.random() < self._staffing.corner_cutting:
            case.skipped.add(check)
            return True
        return False

    def _duty_checks(self, case: Case, worker: Worker) -> bool:
        """The checks a duty worker makes: database, file, the agencies the concern calls
        for. True when answers are awaited (their times are in `case.expected`)."""
        info = self._information
        pending = False
        if not self._cut_corner(case, "database"):
            info.search_database(case, case.spelling)  # under the referral's own spelling
        facts = case.family.facts
        case.checked.add("local_knowledge")
        info.local_knowledge(case, worker)
        if case.record_found and facts.file_location != "none":
            if not self._cut_corner(case, "file"):
                info.request_file(case, notify=False)
                pending = True
        agencies = self._agencies.checks_by_concern.get(case.concern, [])  # type: ignore[call-overload]
        for agency in agencies:
            if self._cut_corner(case, agency):
                continue
            info.contact_agency(case, agency, worker, notify=False)
            pending = True
        return pending

    def _screen(self, case: Case, worker: Worker) -> ProcessGen:
        env = self._ctx.env
        # A decider that makes the desk's checks itself (a trainee) says so; it is read
        # at each screening, so a decider may hand the checks back.
        manual = self._decider.manual_checks
        first_keys = set(case.evidence)  # what the worker read before any check came back
        pending = False if manual else self._duty_checks(case, worker)
        if pending:
            # Wait for the answers, but not past the decision timescale.
            deadline = self._ctx.calendar.add_working_days(
                case.arrived_at, self._timescales.decision_working_days
            )
            until = min(deadline, max(case.expected.values()))
            if until > env.now:
                yield env.timeout(until - env.now)
        if self._agencies_decide is not None:
            self._agencies_decide.notices(case, worker)  # what agencies tell unasked
        bent: list[str] = []
        if manual:  # a person at the desk brings their own first impressions
            risk, need, clean_risk, clean_need = self._judgement.read(case, worker)
        else:
            risk, need, clean_risk, clean_need, bent = self._first_view.read(
                case, worker, first_keys
            )
        answer = self._decider.screen(self._judgement.view(case, risk, need))
        if isinstance(answer, simpy.Event):  # a person deciding: wait for them
            answer = yield answer
        level = Level(answer)
        if manual:
            # A person may have gathered more while deciding: judge what they then had.
            clean_risk = max(case.evidence.values()) if case.evidence else 0.0
            clean_need = case.need_signal
        self._record_screening(case, worker, level, risk, need)
        self._information.record_checks(case, worker)
        self._judgement.judge(
            case, worker, "screening", level, clean_risk, clean_need, extra=bent
        )
        if level < Level.CHILD_PROTECTION and not manual:
            level = self._review.review(case, level, clean_risk, clean_need)
            case.screening_level = level
        case.evidence["screening"] = risk  # what the record now says
        if level == Level.NO_FURTHER_ACTION:
            self._referrals.close(case, "no_further_action_at_referral")
        else:
            if self._agencies_decide is not None:
                # A person at the desk asks for protection on what they had in hand when
                # deciding, not on their first reading of the referral.
                believed = clean_risk if manual else risk
                self._agencies_decide.screened(case, level, believed, worker)
            self._allocation.queue(case)

    def _record_screening(
        self, case: Case, worker: Worker, level: Level, risk: float, need: float
    ) -> None:
        now = self._ctx.env.now
        case.screened_at = now
        case.screening_level = level
        within = self._ctx.calendar.working_days_between(case.arrived_at, now) <= (
            self._timescales.decision_working_days
        )
        log = self._ctx.log
        log.append(
            Screened(
                now,
                log.next_seq,
                EventKind.SCREENED,
                case.id,
                case.family.id,
                level=level.label,
                believed_risk=risk,
                believed_need=need,
                worker=worker.id,
                role=worker.role,
                within_timescale=within,
                evidence=sorted(case.evidence),
            )
        )
