"""The team's workload: what waits for allocation, who has room, and how far behind it is.

Waiting cases sit in one heap per team (a heap keeps each insertion O(log n) however
long the backlog grows; SimPy's PriorityResource inserts linearly). A team is behind when
more cases wait than a share of its case places, and being behind is itself a latent
condition of every decision taken meanwhile (time pressure), as are a decision on a harm
that is hard to see, an inexperienced worker and a full caseload.
"""

from __future__ import annotations

import heapq

import simpy

from sim.deciders import WorkerView
from sim.entities import Case, Worker
from sim.vocabulary import CONCERNS

# Concerns that present a harm hard to see: ambiguous, cumulative and slow (report 4.2,
# 4.4), whether named (neglect, emotional harm) or behind a presenting problem. Every
# concern word but the plain ones: an injury, a disclosure, or no harm named.
LOW_VISIBILITY_CONCERNS = frozenset(CONCERNS) - {"physical", "sexual", "none"}
INEXPERIENCED = frozenset({"student", "newly_qualified"})


class Workload:
    """Waiting lists, free case places and worker snapshots, per team."""

    def __init__(
        self, env: simpy.Environment, workers: list[Worker], *, patches: int, behind_share: float
    ) -> None:
        self._env = env
        self.waiting: list[list[tuple[float, int, Case]]] = [[] for _ in range(patches)]
        self.free_places = [0] * patches
        for w in workers:
            if w.holds_cases:
                self.free_places[w.team] += w.caseload_cap
        self.case_places = sum(self.free_places)
        # Snapshots handed to deciders, replaced whenever a caseload changes.
        self.worker_views = {w.id: snapshot(w) for w in workers if w.holds_cases}
        # Backlog beyond which each team counts as behind (fixed: caps do not change).
        self._behind_at = [behind_share * places for places in self.free_places]
        self.wake: simpy.Event | None = None  # the allocator's, while it waits for work

    def behind(self, patch: int = 0) -> bool:
        """A team is behind when more cases wait than a share of its case places.

        With patch teams each team feels its own backlog, not its neighbours'.
        """
        return len(self.waiting[patch]) > self._behind_at[patch]

    def waiting_count(self) -> int:
        return sum(len(w) for w in self.waiting)

    def push(self, case: Case, key: float) -> None:
        heapq.heappush(self.waiting[case.family.patch], (key, case.id, case))

    def change_caseload(self, worker: Worker, delta: int) -> None:
        worker.caseload += delta
        self.free_places[worker.team] -= delta
        self.worker_views[worker.id] = snapshot(worker)

    def wake_allocator(self) -> None:
        if self.wake is not None and not self.wake.triggered:
            self.wake.succeed()

    def conditions(self, case: Case, worker: Worker | None) -> list[str]:
        """Latent conditions present when a decision is taken on this case.

        A harm is hard to see when the referral presents it as something hard to see:
        neglect, emotional harm, or a presenting problem that names no harm at all.
        """
        present: list[str] = []
        if case.concern in LOW_VISIBILITY_CONCERNS:
            present.append("low_visibility_harm")
        if self.behind(case.family.patch):
            present.append("time_pressure")
        if worker is not None and worker.role in INEXPERIENCED:
            present.append("inexperienced_staff")
        if worker is not None and worker.holds_cases and worker.load > 0.8:
            present.append("high_caseload")
        return present


def snapshot(worker: Worker) -> WorkerView:
    return WorkerView(worker.id, worker.role, worker.caseload, worker.caseload_cap, worker.team)
