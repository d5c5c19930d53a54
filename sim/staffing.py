"""Staffing and turnover: who is in the team, and how it changes.

Workers are dealt round the patch teams like cards. Each brings years of service (by
role) and a rapport with each outside agency; both matter later, for what a worker
remembers of local families and whether an agency answers them. Workers leave at a
rate, and the newcomer in the post knows no families and has little rapport yet.
"""

from __future__ import annotations

import numpy as np

from sim.config import Agencies, Staff, Staffing
from sim.context import ProcessGen, RunContext
from sim.entities import Worker
from sim.events import NO_ID, EventKind
from sim.records import WorkerChanged
from sim.vocabulary import AGENCIES, Role

# Years of service new workers bring, by role (modelling judgement).
TENURE_YEARS: dict[Role, float] = {
    "student": 0.3,
    "newly_qualified": 1.0,
    "information_officer": 3.0,
    "family_support_worker": 3.0,
    "experienced": 4.0,
    "senior_practitioner": 8.0,
    "team_leader": 8.0,
    "team_manager": 10.0,
}


def build_workers(
    staff: Staff, agencies: Agencies, *, patches: int, rng: np.random.Generator
) -> list[Worker]:
    """The team at the start of the run, from the scenario's staff groups."""
    workers: list[Worker] = []
    seat = 0  # deal case holders and duty workers round the patches like cards
    for group in staff.groups:
        for _ in range(group.count):
            team = 0
            if group.caseload_cap > 0 or group.duty:
                team = seat % patches
                seat += 1
            worker = Worker(
                id=len(workers),
                role=group.role,
                caseload_cap=group.caseload_cap,
                duty=group.duty,
                judgement_sd=staff.judgement_error_sd[group.role],
                team=team,
            )
            rel = agencies.relationship
            worker.tenure_years = TENURE_YEARS[group.role] * (0.5 + float(rng.random()))
            draws = rng.beta(rel.a, rel.b, size=len(AGENCIES)).tolist()
            worker.relationships = dict(zip(AGENCIES, draws, strict=True))
            workers.append(worker)
    return workers


def turnover(
    ctx: RunContext, staffing: Staffing, agencies: Agencies, rng: np.random.Generator
) -> ProcessGen:
    """Workers leave at a rate; the newcomer in the post knows no families yet."""
    workers = ctx.workers
    rate = staffing.turnover_per_year * len(workers) / 365.0
    rel = agencies.relationship
    while True:
        yield ctx.env.timeout(float(rng.exponential(1.0 / rate)))
        worker = workers[int(rng.integers(len(workers)))]
        worker.tenure_years = 0.0
        worker.relationships = dict(
            zip(
                AGENCIES,
                (0.5 * rng.beta(rel.a, rel.b, size=len(AGENCIES))).tolist(),
                strict=True,
            )
        )
        ctx.log.append(
            WorkerChanged(
                ctx.env.now,
                ctx.log.next_seq,
                EventKind.WORKER_CHANGED,
                NO_ID,
                NO_ID,
                worker=worker.id,
                role=worker.role,
                change="replaced",
            )
        )
