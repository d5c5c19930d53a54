"""Rationed help: the family support team takes on children in need at a finite rate.

After an assessment decides that a child is in need, the family support team must find
a worker and start the work. It can start only so many families a working day
(`family_support.starts_per_working_day`); the rest wait on a list ordered by the same
decider that orders allocation, and while a child waits it has no more protection than a
child waiting for allocation: harm comes by the family's truth. A family that waits
longer than `family_support.max_wait_days` has its case closed unhelped (report 4.4:
what is not obviously urgent waits, and may be closed before anyone works with it).
Child protection plans are never rationed.

Starts come one at a time, spread evenly over the working day; a start nobody waits for
is banked, but never more than a day's worth (a quiet week does not store up workers).
"""

from __future__ import annotations

import heapq

import simpy

from sim.config_front import FamilySupport
from sim.context import ProcessGen, RunContext
from sim.deciders import Decider
from sim.entities import Case, Level
from sim.events import EventKind
from sim.judgement import Judgement
from sim.records import SupportQueued


class SupportIntake:
    """The family support team's starts and its waiting list (a heap by priority)."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        spec: FamilySupport,
        decider: Decider,
        judgement: Judgement,
    ) -> None:
        self._ctx = ctx
        self._spec = spec
        self._decider = decider
        self._judgement = judgement
        self.per_day = spec.starts_per_working_day
        self.rationed = self.per_day is not None
        self._bank = float(self.per_day or 0.0)
        self._waiting: list[tuple[float, int, simpy.Event]] = []
        self._count = 0  # children waiting now

    def waiting_count(self) -> int:
        return self._count

    def _priority(self, case: Case, risk: float) -> float:
        """The decider's priority for this child, as for allocation; a person at the desk
        is not asked again (their children then wait in order of joining)."""
        view = self._judgement.view(case, risk, case.need_signal)
        key = self._decider.prioritise(view._replace(screening_level=Level.CHILD_IN_NEED))
        if isinstance(key, simpy.Event):
            return self._ctx.env.now
        return float(key)

    def wait_for_start(self, case: Case, risk: float) -> ProcessGen:
        """Wait for the team to start work; the value is True when it did, False when the
        case waited past `max_wait_days` and must be closed unhelped."""
        if self._bank >= 1.0 and not self._count:
            self._bank -= 1.0
            return True
        # The event is not kept in this frame: a frame that held the event its own
        # process waits on would be a reference cycle outliving a released run.
        got = yield self._join(case, risk)
        return bool(got)

    def _join(self, case: Case, risk: float) -> simpy.Event:
        """Put the child on the waiting list; the event fires when its wait ends."""
        env = self._ctx.env
        key = self._priority(case, risk)
        started = env.event()
        heapq.heappush(self._waiting, (key, case.id, started))
        self._count += 1
        case.stage = "awaiting_support"
        self._ctx.log.append(
            SupportQueued(
                env.now,
                self._ctx.log.next_seq,
                EventKind.SUPPORT_QUEUED,
                case.id,
                case.family.id,
                priority=key,
                waiting=self._count,
            )
        )
        limit = self._spec.max_wait_days
        if limit is not None:
            # A plain callback, not a condition event, for the same reason.
            timer = env.timeout(limit)
            timer.callbacks.append(lambda _ev: self._give_up(started))
        return started

    def _give_up(self, started: simpy.Event) -> None:
        """The child has waited `max_wait_days`: its wait ends with no start."""
        if not started.triggered:
            self._count -= 1
            started.succeed(False)  # spent: the next start goes to the next child

    def intake(self) -> ProcessGen:
        """One start every 1/starts_per_working_day working days, to the top child."""
        env = self._ctx.env
        per_day = float(self.per_day or 1.0)
        calendar = self._ctx.calendar
        while True:
            due = calendar.add_working_days(env.now, 1.0 / per_day)
            yield env.timeout(max(due - env.now, 1e-9))
            if not self._start_top():
                self._bank = min(per_day, self._bank + 1.0)

    def _start_top(self) -> bool:
        while self._waiting:
            _, _, started = heapq.heappop(self._waiting)
            if not started.triggered:
                self._count -= 1
                started.succeed(True)
                return True
        return False

    def release(self) -> None:
        """Forget the children still waiting (their events hold the plans that wait)."""
        self._waiting.clear()
        self._count = 0
