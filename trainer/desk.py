"""The duty desk: one shift of the model with the trainee as its decider.

`DutyDesk` opens a run whose decider is a `TraineeDecider`, and reaches the model only
through `sim.desk_api.DeskActions` (frozen views and the desk's actions). The game loop
steps the SimPy clock with `advance(until)` every frame, in the main thread; a trainee's
decision is a SimPy event that the desk triggers. Every trainee action goes through one
method here, is checked, handed to the recorder (the session store commits it) and only
then applied, so a session replays exactly from its seed and its committed actions.

Actions cost the trainee's own time as well as the model's: a database search, a visit
and a word with the team leader keep the trainee busy until the answer comes; a phone
call or a request takes a few minutes; so does writing up a decision. While busy the
trainee can do nothing else, as at a real desk.

At the end of the shift the cases still undecided go to the out-of-hours team with the
handover the trainee wrote (or none), the night team decides them from what was passed
on, and the model's own policy takes every later decision: the debrief then runs the
model on to show what happened next.

The records the desk keeps (actions, findings, decisions) and its words for levels and
priorities are in `trainer.desk_records`; the decider it puts in the model is in
`trainer.trainee_decider`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import simpy

from sim.deciders import WorkerView, make_policy, screening_level_for
from sim.desk_api import CaseAsKnown, DeskActions, WorkerLoad, open_run
from sim.entities import Level
from sim.events import EventLog, LogRecord
from sim.information import InformationResult
from sim.vocabulary import AGENCIES, InformationAction
from trainer.desk_records import (
    NO_PRIORITY,
    PRIORITIES,
    Decision,
    DeskAction,
    DeskActionKind,
    DeskRefusal,
    Finding,
)
from trainer.exercise import ShiftPlan
from trainer.trainee_decider import PendingAllocation, PendingScreen, TraineeDecider

# Minutes of the trainee's own time (a call, a form); the model's delays come on top.
OWN_MINUTES: dict[DeskActionKind, float] = {
    "file": 5.0,
    "agency": 10.0,
    "decide": 10.0,
    "allocate": 5.0,
    "handover": 10.0,
}
# Information actions that keep the trainee busy until their answer arrives, and what
# the trainee is then busy with.
BUSY_ACTIONS: dict[InformationAction, str] = {
    InformationAction.DATABASE: "searching the database",
    InformationAction.ADDENDUM: "reading the addendum",
    InformationAction.VISIT: "on a home visit",
    InformationAction.TEAM_LEADER: "with the team leader",
}


Recorder = Callable[[DeskAction], None]


class DutyDesk:
    """One shift at the duty desk, stepped by the game loop."""

    def __init__(
        self,
        plan: ShiftPlan,
        *,
        seed: int,
        recorder: Recorder | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.recorder = recorder
        self.wall_clock = wall_clock
        scenario = plan.scenario
        env = simpy.Environment()
        self._env = env  # the desk's own clock, stepped by the game loop
        policy = make_policy(scenario.policy, thresholds=scenario.thresholds)
        self.decider = TraineeDecider(policy=policy, env=env)
        self.api: DeskActions = open_run(scenario, seed=seed, decider=self.decider, env=env)
        self.thresholds = scenario.thresholds
        self.shift = plan.shift
        self.actions: list[DeskAction] = []
        self.findings: list[Finding] = []
        self.handovers: dict[int, tuple[str, ...]] = {}  # written, applied at the shift's end
        self.tray: list[int] = []  # case ids on the desk, in arrival order
        self._on_desk: set[int] = set()
        self._looked_upto = 0
        self.busy_until: float | None = None
        self.busy_with: str = ""
        self._busy_event: simpy.Event | None = None
        self.ended = False
        self.followed_up = False
        duty = [w for w in self.api.workers() if w.duty]
        self.duty_worker_id = duty[0].worker_id if duty else None
        if self.shift.starts_at > env.now:
            env.run(until=self.shift.starts_at)
        self.decider.autopilot = False
        self._refresh_tray()

    # -- the clock ---------------------------------------------------------------------

    @property
    def now(self) -> float:
        return float(self._env.now)

    @property
    def log(self) -> EventLog:
        """The run's event log (read it; the model writes it)."""
        return self.api.log

    @property
    def waiting_on_answer(self) -> bool:
        """Busy until an answer comes (a search, a visit), not for a set time."""
        return self._busy_event is not None

    @property
    def shift_over(self) -> bool:
        return self.ended or self.now >= self.shift.ends_at

    def advance(self, until: float) -> None:
        """Run the model up to `until` (never past the shift's end)."""
        target = min(until, self.shift.ends_at)
        if target > self.now and not self.ended:
            self._env.run(until=target)
        self._refresh_tray()

    def busy(self) -> bool:
        if self._busy_event is not None and not self._busy_event.processed:
            return True
        return self.busy_until is not None and self.now < self.busy_until

    def skip_while_busy(self, until: float) -> None:
        """Run the clock while the trainee waits on a task, up to `until`, stopping the
        moment the task ends (its answer comes, or the minutes of own time are up)."""
        target = min(until, self.shift.ends_at)
        event = self._busy_event
        if event is not None and not event.processed:
            env = self._env
            # One event at a time, so the clock stops exactly when the answer comes.
            while not event.processed and env.peek() <= target:
                env.step()
            if not event.processed:
                self.advance(target)
            self._refresh_tray()
            return
        if self.busy_until is not None:
            target = min(target, self.busy_until)
        self.advance(target)

    def _refresh_tray(self) -> None:
        """Put new cases on the desk: every case the trainee must screen or allocate.

        Case ids count up, so only cases created since the last look need checking
        (plus a case screened before the shift that now waits for allocation).
        """
        api = self.api
        on_desk = self._on_desk
        count = api.case_count()
        for case_id in range(self._looked_upto, count):
            case = api.case(case_id)
            if case.screened_at is None and case.arrived_at < self.shift.ends_at:
                self.tray.append(case_id)
                on_desk.add(case_id)
        self._looked_upto = count
        pending = self.decider.pending_allocation
        if pending is not None and pending.case_id not in on_desk:
            self.tray.append(pending.case_id)
            on_desk.add(pending.case_id)

    # -- what the desk shows -------------------------------------------------------------

    def case(self, case_id: int) -> CaseAsKnown:
        return self.api.case(case_id)

    def spelling_suggestions(self, case_id: int) -> list[str]:
        """Other spellings of the case's family name and the surnames of the other adults
        the referral names, mixed in one order fixed by this shift's seed and the case (so
        a replay shows the same list, and the right name is not always first)."""
        from trainer.wording import spelling_suggestions

        case = self.api.case(case_id)
        return spelling_suggestions(
            case.spelling, order_key=f"{self.seed}:{case_id}", other_names=case.household
        )

    def cases(self) -> list[CaseAsKnown]:
        """Every case of the run so far, in arrival order."""
        return [self.api.case(case_id) for case_id in range(self.api.case_count())]

    def team(self) -> tuple[WorkerLoad, ...]:
        """Every worker on the team with their caseload now."""
        return self.api.workers()

    def findings_for(self, case_id: int) -> list[Finding]:
        return [f for f in self.findings if f.case_id == case_id]

    def decision(self, case_id: int) -> Decision | None:
        return self.decider.decisions.get(case_id)

    def awaiting_allocation(self) -> PendingAllocation | None:
        pending = self.decider.pending_allocation
        if pending is None or pending.event.triggered:
            return None
        return pending

    def undecided(self) -> list[int]:
        return [c for c in self.tray if c not in self.decider.decisions and self._screenable(c)]

    def _screenable(self, case_id: int) -> bool:
        case = self.api.case(case_id)
        return case.screened_at is None or case_id in self.decider.pending_screens

    def handover_open(self) -> bool:
        return self.now >= self.shift.handover_at and not self.ended

    def free_workers(self) -> list[WorkerView]:
        return [
            WorkerView(w.worker_id, w.role, w.caseload, w.caseload_cap, w.team)
            for w in self.api.workers()
            if w.caseload_cap > 0
        ]

    # -- recording -----------------------------------------------------------------------

    def _record(self, kind: DeskActionKind, case_id: int | None, **payload: Any) -> DeskAction:
        action = DeskAction(
            seq=len(self.actions),
            sim_time=self.now,
            wall_time=self.wall_clock(),
            kind=kind,
            case_id=case_id,
            payload=payload,
        )
        if self.recorder is not None:
            self.recorder(action)  # committed before it takes effect: nothing is lost
        self.actions.append(action)
        return action

    def _check_can_act(self, case_id: int | None) -> None:
        if self.ended:
            raise DeskRefusal("the shift has ended")
        if self.busy():
            raise DeskRefusal(f"you are busy ({self.busy_with}) until the answer comes")
        if case_id is not None and not self.api.has_case(case_id):
            raise DeskRefusal(f"there is no case {case_id}")

    def _own_time(self, kind: DeskActionKind, label: str) -> None:
        minutes = OWN_MINUTES.get(kind, 0.0)
        if minutes > 0:
            self.busy_until = self.now + minutes / (24 * 60)
            self.busy_with = label

    # -- information actions ---------------------------------------------------------

    def search_database(self, case_id: int, spelling: str) -> Finding:
        spelling = " ".join(spelling.split())
        self._check_can_act(case_id)
        if not spelling:
            raise DeskRefusal("type a spelling to search for")
        if len(spelling) > 40:
            raise DeskRefusal("a surname is at most 40 letters")
        self._record("database", case_id, spelling=spelling)
        return self._gather(
            case_id, InformationAction.DATABASE, f"database '{spelling}'", spelling=spelling
        )

    def read_addendum(self, case_id: int) -> Finding:
        """Open the addendum of the record found: a later note that the search's summary
        does not show, and that may correct the entry (report 4.5)."""
        self._check_can_act(case_id)
        if not self.api.case(case_id).addendum_waiting:
            raise DeskRefusal("there is no unread addendum on this family's record")
        self._record("addendum", case_id)
        return self._gather(case_id, InformationAction.ADDENDUM, "record addendum")

    def request_file(self, case_id: int) -> Finding:
        self._check_can_act(case_id)
        if not self.record_found(case_id):
            raise DeskRefusal("find the family's record first: the file is requested from it")
        if any(f.action == "file" for f in self.findings_for(case_id)):
            raise DeskRefusal("the file has already been requested")
        self._record("file", case_id)
        finding = self._gather(case_id, InformationAction.FILE, "paper file")
        self._own_time("file", "requesting the file")
        return finding

    def contact_agency(self, case_id: int, agency: str) -> Finding:
        self._check_can_act(case_id)
        if agency not in AGENCIES:
            raise DeskRefusal(f"unknown agency {agency!r}")
        label = f"agency:{agency}"
        if any(f.label == label for f in self.findings_for(case_id)):
            raise DeskRefusal(f"{agency} has already been asked")
        self._record("agency", case_id, agency=agency)
        finding = self._gather(case_id, InformationAction.AGENCY, label, agency=agency)
        self._own_time("agency", f"calling {agency}")
        return finding

    def visit(self, case_id: int) -> Finding:
        self._check_can_act(case_id)
        if any(f.action == "visit" for f in self.findings_for(case_id)):
            raise DeskRefusal("the family has already been visited")
        self._record("visit", case_id)
        return self._gather(case_id, InformationAction.VISIT, "home visit")

    def consult_team_leader(self, case_id: int) -> Finding:
        self._check_can_act(case_id)
        self._record("team_leader", case_id)
        return self._gather(case_id, InformationAction.TEAM_LEADER, "team leader")

    def entry_corrected(self, case_id: int) -> bool:
        """Whether an addendum opened on this case corrects the record's entry, so the
        entry no longer stands as read."""
        return any(
            f.action == "addendum" and f.outcome == "corrects" for f in self.findings_for(case_id)
        )

    def record_found(self, case_id: int) -> bool:
        return any(
            f.action == "database" and f.outcome == "found" for f in self.findings_for(case_id)
        )

    def _gather(
        self, case_id: int, action: InformationAction, label: str, **options: str
    ) -> Finding:
        finding = Finding(case_id=case_id, action=action, label=label, requested_at=self.now)
        self.findings.append(finding)
        event = self.api.gather(case_id, action, worker_id=self.duty_worker_id, **options)

        def returned(ev: simpy.Event) -> None:
            result = ev.value
            assert isinstance(result, InformationResult)
            finding.returned_at = self.now
            finding.outcome = result.outcome
            finding.detail = result.detail
            finding.evidence_key = result.evidence_key
            finding.value = result.value

        if event.triggered:  # answered at once (a file requested twice, no file at all)
            returned(event)
        else:
            event.callbacks.append(returned)
        busy_with = BUSY_ACTIONS.get(action)
        if busy_with is not None:
            self._busy_event = event
            self.busy_with = busy_with
        return finding

    # -- decisions ----------------------------------------------------------------------

    def decide(self, case_id: int, level: Level, priority: str | None) -> None:
        """Screening decision: the threshold and, unless no further action, the priority."""
        self._check_can_act(case_id)
        level = Level(level)
        if case_id in self.decider.decisions:
            raise DeskRefusal("this case has been decided")
        if not self._screenable(case_id):
            raise DeskRefusal("this case is not waiting for a screening decision")
        if level == Level.NO_FURTHER_ACTION:
            priority = NO_PRIORITY
        elif priority not in PRIORITIES:
            raise DeskRefusal("choose a priority: immediate, within 24 hours or within 7 days")
        self._record("decide", case_id, level=int(level), priority=priority)
        assert priority is not None
        self.decider.decisions[case_id] = Decision(level, priority)
        pending = self.decider.pending_screens.pop(case_id, None)
        if pending is not None:
            pending.event.succeed(level)
        self._own_time("decide", "writing up the decision")

    def allocate(self, case_id: int, worker_id: int) -> None:
        self._check_can_act(case_id)
        pending = self.awaiting_allocation()
        if pending is None or pending.case_id != case_id:
            raise DeskRefusal("this case is not waiting for allocation")
        if worker_id not in [w.worker_id for w in pending.workers]:
            raise DeskRefusal("that worker has no room for another case")
        self._record("allocate", case_id, worker=worker_id)
        self.decider.pending_allocation = None
        pending.event.succeed(worker_id)
        self._own_time("allocate", "allocating the case")

    def write_handover(self, case_id: int, keep: Sequence[str]) -> None:
        """The note to the out-of-hours team: only the facts kept go with the case."""
        self._check_can_act(case_id)
        if not self.handover_open():
            raise DeskRefusal("the handover tray opens in the last part of the shift")
        if case_id in self.decider.decisions:
            raise DeskRefusal("this case has been decided: nothing to hand over")
        known = set(self.handover_facts(case_id))
        unknown = [k for k in keep if k not in known]
        if unknown:
            raise DeskRefusal(f"no such fact on this case: {', '.join(unknown)}")
        chosen = tuple(sorted(set(keep)))
        self._record("handover", case_id, keep=list(chosen))
        self.handovers[case_id] = chosen
        self._own_time("handover", "writing the handover")

    def handover_facts(self, case_id: int) -> list[str]:
        """Facts on the case that a handover can pass on (everything but the referral)."""
        case = self.api.case(case_id)
        return sorted(k for k in case.evidence if k not in ("referral", "screening"))

    def end_shift(self) -> None:
        """Leave the desk: undecided cases go to the night team with their handovers."""
        if self.ended:
            return
        self._record("end_shift", None)
        self._close_shift()

    def _close_shift(self) -> None:
        self.ended = True
        self.busy_until = None
        self._busy_event = None
        api = self.api
        visits: dict[int, simpy.Event] = {}
        for case_id in self.undecided():
            visit = api.hand_over_to_night_team(case_id, self.handovers.get(case_id, ()))
            if visit is not None:
                visits[case_id] = visit
        self.decider.autopilot = True
        for case_id, pending in sorted(self.decider.pending_screens.items()):
            visit = visits.get(case_id)
            if visit is None:
                self._night_decision(case_id, pending)
            else:
                # The night team decides once its visit is over, on what the visit saw too.
                visit.callbacks.append(partial(self._after_visit, case_id, pending))
        self.decider.pending_screens.clear()
        alloc = self.decider.pending_allocation
        if alloc is not None and not alloc.event.triggered:
            alloc.event.succeed(int(self.decider.policy.allocate(alloc.view, alloc.workers)))
        self.decider.pending_allocation = None

    def _after_visit(self, case_id: int, pending: PendingScreen, _visit: simpy.Event) -> None:
        self._night_decision(case_id, pending)

    def _night_decision(self, case_id: int, pending: PendingScreen) -> None:
        """The night team decides a case left undecided, reading only what reached it."""
        case = self.api.case(case_id)
        kept = [v for k, v in case.evidence.items() if k != "screening"]
        view = pending.view._replace(believed_risk=max(kept, default=0.0))
        pending.event.succeed(
            screening_level_for(view.believed_risk, view.believed_need, self.thresholds)
        )

    def finish_shift_if_due(self) -> bool:
        """Called each frame: the shift ends by itself when the clock reaches its end."""
        if not self.ended and self.now >= self.shift.ends_at:
            self._close_shift()
            return True
        return False

    def follow_up(self) -> list[LogRecord]:
        """Run the model on past the shift to its end; the whole log for the debrief."""
        if not self.ended:
            self._close_shift()
        if not self.followed_up:
            self.followed_up = True
            api = self.api
            if api.end_time > self.now:
                self._env.run(until=api.end_time)
            api.finish()
        return list(self.api.log.records)

    # -- replay -------------------------------------------------------------------------

    def apply(self, kind: str, case_id: int | None, payload: dict[str, Any]) -> None:
        """Take one recorded action again (resuming a session, or replaying it)."""
        take = self._replayers().get(kind)  # type: ignore[call-overload]  # a stored str
        if take is None:
            raise ValueError(f"unknown desk action {kind!r}")
        take(int(case_id or 0), payload)

    def _replayers(self) -> dict[DeskActionKind, Callable[[int, dict[str, Any]], object]]:
        """Per recorded action kind, how to take it again from its case and payload."""
        return {
            "database": lambda c, p: self.search_database(c, str(p["spelling"])),
            "addendum": lambda c, p: self.read_addendum(c),
            "file": lambda c, p: self.request_file(c),
            "agency": lambda c, p: self.contact_agency(c, str(p["agency"])),
            "visit": lambda c, p: self.visit(c),
            "team_leader": lambda c, p: self.consult_team_leader(c),
            "decide": lambda c, p: self.decide(c, Level(int(p["level"])), p.get("priority")),
            "allocate": lambda c, p: self.allocate(c, int(p["worker"])),
            "handover": lambda c, p: self.write_handover(c, list(p["keep"])),
            "end_shift": lambda c, p: self.end_shift(),
        }

    def replay(self, actions: Sequence[tuple[float, str, int | None, dict[str, Any]]]) -> None:
        """Bring a fresh desk to where a recorded session was: each action at its time."""
        recorder, self.recorder = self.recorder, None  # already committed
        try:
            for sim_time, kind, case_id, payload in actions:
                if sim_time > self.now:
                    self.advance(sim_time)
                if self.busy():
                    # The action came the moment a task ended: `advance` stops short of
                    # events at exactly that time, as the game loop's skip does not.
                    self.skip_while_busy(sim_time)
                self.finish_shift_if_due()
                self.apply(kind, case_id, payload)
        finally:
            self.recorder = recorder


__all__ = ["BUSY_ACTIONS", "OWN_MINUTES", "DutyDesk", "Recorder"]
