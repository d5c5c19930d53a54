"""Allocation: waiting cases go to case-holding workers in priority order.

A screened-in case gets its priority from the decider and joins its team's waiting
list. Team leaders allocate the top waiting case whenever a worker in its team has room
(with one central team there is one waiting list; with patch teams each patch allocates
only to its own workers), and the allocated worker starts the assessment.
"""

from __future__ import annotations

import heapq

import simpy

from sim import tasks
from sim.assessment import Assessment
from sim.context import ProcessGen, RunContext
from sim.deciders import Decider
from sim.entities import Case
from sim.events import EventKind
from sim.judgement import Judgement
from sim.records import Queued
from sim.workload import Workload


class Allocation:
    """The waiting lists' front: priorities in, allocations out."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        decider: Decider,
        judgement: Judgement,
        workload: Workload,
        assessment: Assessment,
    ) -> None:
        self._ctx = ctx
        self._decider = decider
        self._judgement = judgement
        self._workload = workload
        self._assessment = assessment

    def queue(self, case: Case) -> None:
        """Ask the decider for the case's priority and put it on the waiting list."""
        risk = case.evidence.get("screening", case.referral_signal)
        view = self._judgement.view(case, risk, case.need_signal)
        key = self._decider.prioritise(view)
        if isinstance(key, simpy.Event):
            # A person setting priority: queue when they answer.
            key.callbacks.append(lambda ev: self.push(case, float(ev.value)))
            return
        self.push(case, float(key))

    def push(self, case: Case, key: float) -> None:
        now = self._ctx.env.now
        case.queued_at = now
        case.stage = "awaiting_allocation"
        self._workload.push(case, key)
        self._ctx.log.append(
            Queued(
                now,
                self._ctx.log.next_seq,
                EventKind.QUEUED,
                case.id,
                case.family.id,
                priority=key,
                level=case.screening_level.label if case.screening_level is not None else None,
                waiting=self._workload.waiting_count(),
            )
        )
        self._workload.wake_allocator()

    def allocator(self) -> ProcessGen:
        """Team leaders allocate the top waiting case whenever a worker in its team has room.

        With one central team there is one waiting list; with patch teams each patch
        allocates only to its own workers.
        """
        workload = self._workload
        workers = self._ctx.workers
        while True:
            progressed = True
            while progressed:
                progressed = False
                for patch, heap in enumerate(workload.waiting):
                    if not heap or workload.free_places[patch] <= 0:
                        continue
                    _, _, case = heapq.heappop(heap)
                    risk = case.evidence.get("screening", case.referral_signal)
                    view = self._judgement.view(case, risk, case.need_signal)
                    free = [
                        v
                        for v in workload.worker_views.values()
                        if v.caseload < v.caseload_cap and v.team == patch
                    ]
                    worker_id = self._decider.allocate(view, free)
                    if isinstance(worker_id, simpy.Event):
                        worker_id = yield worker_id
                    worker = workers[int(worker_id)]
                    if worker.caseload >= worker.caseload_cap:
                        raise ValueError(f"worker {worker.id} has no room for case {case.id}")
                    workload.change_caseload(worker, +1)
                    tasks.start(self._assessment.assess(case, worker, worker.caseload))
                    progressed = True
            workload.wake = self._ctx.env.event()
            yield workload.wake
