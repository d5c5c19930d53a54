"""Performance harness for the model core: speed, backlog cost and memory, in one run.

Four measurements, each repeated and reported as a median:

1. Event rate. The production model reduced to an M/M/c queue (sim.verification) against
   a bare SimPy M/M/c written below (simpy.Resource, exponential gaps and services from a
   numpy Generator), with the same arrival rate, service rate, servers and customers, run
   in turns in this one process; and, as a second reference, the same bare queue also
   writing the eight typed records per customer that the model's log holds, to show what
   the log alone costs. Events are counted in a separate, untimed run of the same seed,
   so the timed runs carry no counting overhead; every side runs with the cyclic garbage
   collector paused, as the model pauses it for its own runs.
2. One simulated baseline year: the baseline scenario with no warm-up and a 365-day
   horizon, built and run; and the full baseline replication (warm-up year plus measured
   year) for reference, with each of its two years timed on its own. Then (2b) the same
   year with each latent-failure mechanism switched off in turn: what each one costs.
3. Cost of one referral in the allocation waiting list as the backlog grows (10 to
   10,000 waiting): a real FrontDoorModel whose one case place is taken for good, so the
   referrals pile up in its heap; then one dequeue (the allocator's heappop) plus one
   enqueue (the model's own method) at that backlog. Beside it, simpy.PriorityResource
   with the same backlog: one request plus one release that grants the top request.
4. Peak traced memory (tracemalloc) of one simulated baseline year, and the resident
   memory after each of a few full replications run one after another in this process.

Run `python benchmarks/bench_model.py [--quick] [--json OUT] [--profile]`. Timings are
only measured and printed here, never asserted; benchmarks/README.md records the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import heapq
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from rich.console import Console
from rich.table import Table

import sim
from analysis.stats import erlang_c_wait
from sim.config import Scenario
from sim.entities import Level
from sim.events import NO_ID, EventKind, EventLog
from sim.loader import load_scenario, scenario_with
from sim.model import FrontDoorModel, collector_paused, run_scenario
from sim.records import (
    Allocated,
    AssessmentStageEnded,
    BarrierTested,
    Closed,
    Concluded,
    FamilyCreated,
    Queued,
    ReferralArrived,
)
from sim.verification import mmc_scenario

# Targets from the model-core issue.
TARGET_RATIO = 0.5
AIM_RATIO = 0.7
TARGET_YEAR_SECONDS = 1.0


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How much work each measurement does; `--quick` shrinks all of it."""

    arrival_rate: float  # referrals (customers) a day
    service_rate: float  # assessments a day per worker
    servers: int
    customers: int
    rate_repeats: int
    year_repeats: int
    full_repeats: int
    backlogs: tuple[int, ...]
    backlog_repeats: int
    backlog_ops_budget: int  # about this many waiting-list entries touched per batch
    mechanism_repeats: int
    seed: int
    memory_full_run: bool


FULL = Settings(
    arrival_rate=9.0,
    service_rate=1.0,
    servers=10,
    customers=20_000,
    rate_repeats=5,
    year_repeats=7,
    full_repeats=3,
    backlogs=(10, 100, 1_000, 10_000),
    backlog_repeats=7,
    backlog_ops_budget=2_000_000,
    mechanism_repeats=5,
    seed=20260526,
    memory_full_run=True,
)
QUICK = replace(
    FULL,
    customers=2_000,
    rate_repeats=3,
    year_repeats=3,
    full_repeats=1,
    backlog_repeats=3,
    backlog_ops_budget=200_000,
    mechanism_repeats=2,
    memory_full_run=False,
)


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes (for untimed runs only)."""

    def __init__(self) -> None:
        super().__init__()
        self.processed = 0

    def step(self) -> None:
        super().step()
        # Counted after the step, so the end of the schedule is not counted as an event.
        self.processed += 1


def _clocks() -> tuple[float, float]:
    """Wall time and this process's CPU time: other work on the machine inflates only the
    first, so both are kept."""
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - start[0], cpu - start[1]


def _fresh() -> None:
    """Collect garbage left by the previous run so it is not charged to the next one."""
    gc.collect()


# -- 1. event rate: the model's M/M/c against a bare SimPy M/M/c -----------------------


def bare_mmc(
    env: simpy.Environment,
    *,
    arrival_rate: float,
    service_rate: float,
    servers: int,
    customers: int,
    seed: int,
) -> list[float]:
    """Set up a plain SimPy M/M/c on `env`; waiting times fill the returned list as it runs."""
    rng = np.random.default_rng(seed)
    desk = simpy.Resource(env, capacity=servers)
    waits: list[float] = []
    mean_gap = 1.0 / arrival_rate
    mean_service = 1.0 / service_rate

    def customer(arrived: float) -> Generator[simpy.Event, Any, None]:
        with desk.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(mean_service))

    def source() -> Generator[simpy.Event, Any, None]:
        for _ in range(customers):
            yield env.timeout(rng.exponential(mean_gap))
            env.process(customer(env.now))

    env.process(source())
    return waits


def bare_mmc_logged(
    env: simpy.Environment,
    *,
    arrival_rate: float,
    service_rate: float,
    servers: int,
    customers: int,
    seed: int,
) -> list[float]:
    """The bare M/M/c above, also writing the records the model writes per customer.

    Per customer the model's M/M/c writes eight typed records (family created, referral
    arrived, queued, allocated, assessment stage ended, concluded, barrier tested,
    closed); this writes the same kinds with the same fields into a `sim.events.EventLog`
    and does nothing else, so it shows what the log alone costs a queue.
    """
    rng = np.random.default_rng(seed)
    desk = simpy.Resource(env, capacity=servers)
    log = EventLog()
    records = log.records
    append = log.append
    waits: list[float] = []
    mean_gap = 1.0 / arrival_rate
    mean_service = 1.0 / service_rate
    nfa = Level.NO_FURTHER_ACTION.label

    def customer(case: int, arrived: float) -> Generator[simpy.Event, Any, None]:
        append(
            FamilyCreated(
                arrived,
                len(records),
                EventKind.FAMILY_CREATED,
                NO_ID,
                case,
                harm_type="none",
                risk=0.0,
                need=0.5,
                trend=0.0,
                known_before_run=False,
                truth_level=nfa,
                surname="Nuttall",
                name_origin="british",
                recorded_surname=None,
                file_location="none",
                agencies_knowing=[],
                patch=0,
            )
        )
        append(
            ReferralArrived(
                arrived,
                len(records),
                EventKind.REFERRAL_ARRIVED,
                case,
                case,
                source="other",
                concern="neglect",
                out_of_hours=False,
                re_referral=False,
                known_family=False,
                days_since_last_referral=None,
                signal=0.0,
                need_signal=0.5,
                spelling="Nuttall",
                scripted=None,
            )
        )
        append(
            Queued(
                arrived,
                len(records),
                EventKind.QUEUED,
                case,
                case,
                priority=arrived,
                level="child_in_need",
                waiting=len(desk.queue),
            )
        )
        with desk.request() as request:
            yield request
            now = env.now
            waits.append(now - arrived)
            append(
                Allocated(
                    now,
                    len(records),
                    EventKind.ALLOCATED,
                    case,
                    case,
                    worker=0,
                    role="experienced",
                    wait_days=now - arrived,
                    wait_working_days=now - arrived,
                    concern="neglect",
                    caseload=1,
                )
            )
            yield env.timeout(rng.exponential(mean_service))
            done = env.now
            append(
                AssessmentStageEnded(
                    done,
                    len(records),
                    EventKind.ASSESSMENT_STAGE_ENDED,
                    case,
                    case,
                    stage="initial",
                    level=nfa,
                )
            )
            append(
                Concluded(
                    done,
                    len(records),
                    EventKind.CONCLUDED,
                    case,
                    case,
                    outcome=nfa,
                    stage="initial",
                    believed_risk=0.0,
                    believed_need=0.5,
                    length_days=done - now,
                    length_working_days=done - now,
                    within_timescale=True,
                    worker=0,
                )
            )
            append(
                BarrierTested(
                    done,
                    len(records),
                    EventKind.BARRIER_TESTED,
                    case,
                    case,
                    barrier="assessment",
                    held=True,
                    conditions=[],
                    active_failure=False,
                    decided=nfa,
                    truth=nfa,
                    worker=0,
                    role="experienced",
                )
            )
            append(
                Closed(
                    done,
                    len(records),
                    EventKind.CLOSED,
                    case,
                    case,
                    reason="no_further_action_after_assessment",
                    days_open=done - arrived,
                )
            )

    def source() -> Generator[simpy.Event, Any, None]:
        for case in range(customers):
            yield env.timeout(rng.exponential(mean_gap))
            env.process(customer(case, env.now))

    env.process(source())
    return waits


def _mmc(settings: Settings) -> Scenario:
    return mmc_scenario(
        arrival_rate=settings.arrival_rate,
        service_rate=settings.service_rate,
        servers=settings.servers,
        customers=settings.customers,
    )


def model_mean_wait(model: FrontDoorModel) -> float:
    waits = [r.wait_days for r in model.log.of_kind(EventKind.ALLOCATED)]
    return float(np.mean(waits)) if waits else float("nan")


def measure_event_rate(settings: Settings, console: Console) -> dict[str, Any]:
    scenario = _mmc(settings)
    kwargs = {
        "arrival_rate": settings.arrival_rate,
        "service_rate": settings.service_rate,
        "servers": settings.servers,
        "customers": settings.customers,
        "seed": settings.seed,
    }
    bare_sides = {"bare": bare_mmc, "bare_logged": bare_mmc_logged}
    sides: dict[str, dict[str, Any]] = {}
    # Untimed counting runs: the same seed gives the same events in the timed runs.
    counted = CountingEnvironment()
    model = FrontDoorModel(scenario, seed=settings.seed, env=counted)
    model.run()
    sides["model"] = {
        "events": counted.processed,
        "mean_wait_days": model_mean_wait(model),
        "served": sum(1 for _ in model.log.of_kind(EventKind.ALLOCATED)),
        "log_records": len(model.log),
    }
    del model
    for key, build in bare_sides.items():
        counted = CountingEnvironment()
        waits = build(counted, **kwargs)
        counted.run()
        sides[key] = {
            "events": counted.processed,
            "mean_wait_days": float(np.mean(waits)),
            "served": len(waits),
        }
    for side in sides.values():
        side["seconds"], side["cpu_seconds"] = [], []

    for repeat in range(settings.rate_repeats):
        # In turns, so drift in the machine's speed falls on all alike.
        for key, build in bare_sides.items():
            env = simpy.Environment()
            build(env, **kwargs)
            _fresh()
            start = _clocks()
            with collector_paused():  # as the model pauses it for its own runs
                env.run()
            wall, cpu = _since(start)
            sides[key]["seconds"].append(wall)
            sides[key]["cpu_seconds"].append(cpu)
            del env
        model = FrontDoorModel(scenario, seed=settings.seed)
        _fresh()
        start = _clocks()
        model.run()  # pauses the collector itself
        wall, cpu = _since(start)
        sides["model"]["seconds"].append(wall)
        sides["model"]["cpu_seconds"].append(cpu)
        del model
        console.log(
            f"event rate {repeat + 1}/{settings.rate_repeats}: "
            + ", ".join(f"{key} {side['seconds'][-1]:.3f} s" for key, side in sides.items())
        )

    for side in sides.values():
        side["median_seconds"] = statistics.median(side["seconds"])
        side["median_cpu_seconds"] = statistics.median(side["cpu_seconds"])
        side["events_per_second"] = side["events"] / side["median_seconds"]
        side["microseconds_per_customer"] = side["median_seconds"] / settings.customers * 1e6
    bare, logged, model_side = sides["bare"], sides["bare_logged"], sides["model"]
    return {
        "arrival_rate_per_day": settings.arrival_rate,
        "service_rate_per_day": settings.service_rate,
        "servers": settings.servers,
        "customers": settings.customers,
        "erlang_c_mean_wait_days": erlang_c_wait(
            settings.arrival_rate, settings.service_rate, settings.servers
        ),
        "bare": bare,
        "bare_logged": logged,
        "model": model_side,
        "event_rate_ratio": model_side["events_per_second"] / bare["events_per_second"],
        "event_rate_ratio_cpu": (model_side["events"] / model_side["median_cpu_seconds"])
        / (bare["events"] / bare["median_cpu_seconds"]),
        "time_per_customer_ratio": bare["median_seconds"] / model_side["median_seconds"],
        "time_per_customer_ratio_logged": logged["median_seconds"] / model_side["median_seconds"],
        "bare_logged_time_per_customer_ratio": bare["median_seconds"] / logged["median_seconds"],
    }


# -- 2. one simulated baseline year -----------------------------------------------------


def baseline_year(baseline: Scenario) -> Scenario:
    return scenario_with(baseline, {"run.warm_up_days": 0, "run.horizon_days": 365})


def measure_year(settings: Settings, console: Console) -> dict[str, Any]:
    baseline = load_scenario("baseline")
    year = baseline_year(baseline)

    counted = CountingEnvironment()
    model = FrontDoorModel(year, seed=settings.seed, env=counted)
    model.run()
    year_events = counted.processed
    year_records = len(model.log)
    year_referrals = len(model.cases)
    del model

    # The same seed every repeat: repeats differ only by timing noise, and the counted
    # events above are exactly the events of each timed run.
    year_times: list[float] = []
    year_cpu: list[float] = []
    for repeat in range(settings.year_repeats):
        _fresh()
        start = _clocks()
        FrontDoorModel(year, seed=settings.seed).run()
        wall, cpu = _since(start)
        year_times.append(wall)
        year_cpu.append(cpu)
        console.log(
            f"baseline year {repeat + 1}/{settings.year_repeats}: {wall:.3f} s (CPU {cpu:.3f} s)"
        )

    warm = baseline.run.warm_up_days
    full_times: list[float] = []
    warm_times: list[float] = []
    measured_times: list[float] = []
    full_cpu: list[float] = []
    full_records = full_referrals = 0
    for repeat in range(settings.full_repeats):
        _fresh()
        start = _clocks()
        model = FrontDoorModel(baseline, seed=settings.seed)
        # The warm-up as run() plays it, with the cyclic collector paused: a collector
        # left on here costs the warm-up about 40% and, measured, slows the year after
        # it by about 30% too, so a split timed otherwise is not the model's own cost.
        with collector_paused():
            model.env.run(until=warm)
        split = _clocks()
        model.run()  # carries on from the end of the warm-up to the end of the horizon
        wall, cpu = _since(start)
        full_times.append(wall)
        full_cpu.append(cpu)
        warm_times.append(split[0] - start[0])
        measured_times.append(wall - warm_times[-1])
        full_records, full_referrals = len(model.log), len(model.cases)
        del model
        console.log(
            f"full baseline {repeat + 1}/{settings.full_repeats}: {full_times[-1]:.3f} s "
            f"(warm-up year {warm_times[-1]:.3f} s, measured year {measured_times[-1]:.3f} s)"
        )

    year_s = statistics.median(year_times)
    return {
        "year": {
            "warm_up_days": 0,
            "horizon_days": 365,
            "seconds": year_times,
            "median_seconds": year_s,
            "cpu_seconds": year_cpu,
            "median_cpu_seconds": statistics.median(year_cpu),
            "events": year_events,
            "events_per_second": year_events / year_s,
            "log_records": year_records,
            "referrals": year_referrals,
        },
        "full_baseline": {
            "warm_up_days": warm,
            "horizon_days": baseline.run.horizon_days,
            "seconds": full_times,
            "median_seconds": statistics.median(full_times),
            "cpu_seconds": full_cpu,
            "median_cpu_seconds": statistics.median(full_cpu),
            "warm_up_year_median_seconds": statistics.median(warm_times),
            "measured_year_median_seconds": statistics.median(measured_times),
            "log_records": full_records,
            "referrals": full_referrals,
        },
    }


# -- 2b. what the mechanisms cost ---------------------------------------------------------

# Each latent-failure mechanism switched off by its own scenario switch, one at a time.
# Switching one off also changes the work that follows from it (no harm: no referrals
# from harm seen by others), so a difference is what the mechanism costs with all it
# leads to, not its code alone.
MECHANISMS: tuple[tuple[str, dict[str, object]], ...] = (
    ("all on (the baseline)", {}),
    ("night referrals to the EDT off", {"out_of_hours.enabled": False}),
    ("team-leader review off", {"team_leader_review.enabled": False}),
    ("agency checks off", {"agencies.checks_by_concern": {}}),
    ("re-referrals of closed cases off", {"concerns.enabled": False}),
    ("harm off", {"harm.enabled": False}),
    ("staff turnover off", {"staffing.turnover_per_year": 0.0}),
)


def measure_mechanisms(settings: Settings, console: Console) -> dict[str, Any]:
    year = baseline_year(load_scenario("baseline"))
    variants = [(label, scenario_with(year, changes)) for label, changes in MECHANISMS]
    times: dict[str, list[float]] = {label: [] for label, _ in variants}
    counts: dict[str, tuple[int, int]] = {}
    for repeat in range(settings.mechanism_repeats):
        for label, scenario in variants:  # in turns, so drift falls on all alike
            _fresh()
            start = _clocks()
            model = FrontDoorModel(scenario, seed=settings.seed)
            model.run()
            wall, _ = _since(start)
            times[label].append(wall)
            counts[label] = (len(model.log), len(model.cases))
            del model
        console.log(f"mechanisms {repeat + 1}/{settings.mechanism_repeats} done")
    base = statistics.median(times[MECHANISMS[0][0]])
    return {
        label: {
            "seconds": times[label],
            "median_seconds": statistics.median(times[label]),
            "saved_seconds": base - statistics.median(times[label]),
            "saved_share": (base - statistics.median(times[label])) / base,
            "log_records": counts[label][0],
            "referrals": counts[label][1],
        }
        for label, _ in variants
    }


# -- 3. the waiting list as the backlog grows -------------------------------------------


def waiting_heap(model: FrontDoorModel) -> list[tuple[float, int, Any]]:
    """The model's allocation heap (one central team: the only patch's list)."""
    heaps = model.workload.waiting
    if heaps and all(isinstance(heap, list) for heap in heaps):
        if len(heaps) != 1:
            raise RuntimeError(f"expected one central waiting list, found {len(heaps)}")
        return heaps[0]
    return heaps  # a single heap, as the model kept before patch teams


def free_places(model: FrontDoorModel) -> int:
    places = model.workload.free_places
    return sum(places) if isinstance(places, list) else int(places)


def model_with_backlog(waiting: int, seed: int) -> FrontDoorModel:
    """A real model with `waiting` referrals queued for allocation and no place free.

    The M/M/c configuration with one worker whose first case lasts, on average, a million
    days: every later referral waits. The need-weighted policy gives the referrals mixed
    priorities, so the heap really has to sift (first come, first served only appends).
    """
    base = mmc_scenario(arrival_rate=1000.0, service_rate=1e-6, servers=1, customers=waiting + 1)
    scenario = scenario_with(base, {"policy": "need-weighted"})
    model = FrontDoorModel(scenario, seed=seed)
    while len(model.cases) < waiting + 1:
        model.env.step()
    queued, free = len(waiting_heap(model)), free_places(model)
    if queued != waiting or free != 0:
        raise RuntimeError(
            f"backlog setup gave {queued} waiting and {free} free places, expected {waiting} and 0"
        )
    return model


def _ops_for(waiting: int, budget: int, *, floor: int, cap: int) -> int:
    return max(floor, min(cap, budget // max(waiting, 1)))


def _time_batches(
    batch: Callable[[], int], repeats: int, reset: Callable[[], None] | None = None
) -> list[float]:
    """Seconds per operation of `repeats` batches; `batch` returns how many it did.

    `reset` runs after each batch, outside the timing.
    """
    per_op: list[float] = []
    for _ in range(repeats):
        _fresh()
        start = time.perf_counter()
        done = batch()
        per_op.append((time.perf_counter() - start) / done)
        if reset is not None:
            reset()
    return per_op


def measure_model_waiting(waiting: int, settings: Settings) -> dict[str, Any]:
    """Dequeue (heappop, as the allocator does) then enqueue one referral, at `waiting`."""
    model = model_with_backlog(waiting, settings.seed)
    heap = waiting_heap(model)
    ops = _ops_for(waiting, settings.backlog_ops_budget * 10, floor=2_000, cap=20_000)
    rng = np.random.default_rng(settings.seed)
    low = min(k for k, _, _ in heap)
    high = max(k for k, _, _ in heap)
    push = model.allocation.push
    queue_for_allocation = model.allocation.queue

    def heap_batch() -> int:
        # The structure alone: a key drawn across the backlog's own range of priorities.
        keys = rng.uniform(low, high, ops).tolist()
        pop = heapq.heappop
        for key in keys:
            _, _, case = pop(heap)
            push(case, key)
        return ops

    def path_batch() -> int:
        # The model's full enqueue path: the case's view, the policy's key, then the heap.
        pop = heapq.heappop
        for _ in range(ops):
            _, _, case = pop(heap)
            queue_for_allocation(case)
        return ops

    # Each enqueue writes a QUEUED record; dropping the batch's records afterwards keeps
    # the log (and the collector's work over it) the same size for every batch.
    records = model.log.records
    kept = len(records)

    def trim_log() -> None:
        del records[kept:]

    heap_times = _time_batches(heap_batch, settings.backlog_repeats, trim_log)
    path_times = _time_batches(path_batch, settings.backlog_repeats, trim_log)
    if len(heap) != waiting:
        raise RuntimeError(f"backlog drifted to {len(heap)} from {waiting}")
    return {
        "ops_per_batch": ops,
        "push_pop_us": [t * 1e6 for t in heap_times],
        "push_pop_median_us": statistics.median(heap_times) * 1e6,
        "enqueue_path_pop_us": [t * 1e6 for t in path_times],
        "enqueue_path_pop_median_us": statistics.median(path_times) * 1e6,
    }


def measure_priority_resource(waiting: int, settings: Settings) -> dict[str, Any]:
    """simpy.PriorityResource with `waiting` requests queued behind one holder."""
    env = simpy.Environment()
    resource = simpy.PriorityResource(env, capacity=1)
    rng = np.random.default_rng(settings.seed)
    holder = resource.request(priority=-1.0)
    for priority in rng.uniform(0.0, 1.0, waiting).tolist():
        resource.request(priority=priority)
    env.run()  # the holder's grant, so that only the timed cycle's events are scheduled
    if len(resource.put_queue) != waiting or resource.users != [holder]:
        raise RuntimeError("PriorityResource backlog setup failed")
    ops = _ops_for(waiting, settings.backlog_ops_budget, floor=20, cap=20_000)
    step = env.step

    def batch() -> int:
        nonlocal holder
        priorities = rng.uniform(0.0, 1.0, ops).tolist()
        for priority in priorities:
            resource.request(priority=priority)  # enqueue: appended, then the list re-sorted
            resource.release(holder)
            step()  # the release: its callback grants the top request (popped from the list)
            step()  # the granted request
            holder = resource.users[0]
        return ops

    per_op = _time_batches(batch, settings.backlog_repeats)
    if len(resource.put_queue) != waiting or len(env._queue) != 0:
        raise RuntimeError(f"PriorityResource backlog drifted to {len(resource.put_queue)}")
    return {
        "ops_per_batch": ops,
        "request_release_us": [t * 1e6 for t in per_op],
        "request_release_median_us": statistics.median(per_op) * 1e6,
    }


def measure_backlog(settings: Settings, console: Console) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for waiting in settings.backlogs:
        model = measure_model_waiting(waiting, settings)
        resource = measure_priority_resource(waiting, settings)
        rows[str(waiting)] = {"model": model, "priority_resource": resource}
        console.log(
            f"backlog {waiting:>6}: model heap {model['push_pop_median_us']:.2f} us, "
            f"model path {model['enqueue_path_pop_median_us']:.2f} us, "
            f"PriorityResource {resource['request_release_median_us']:.2f} us"
        )
    first, last = str(settings.backlogs[0]), str(settings.backlogs[-1])

    def growth(side: str, key: str) -> float:
        return float(rows[last][side][key] / rows[first][side][key])

    return {
        "by_waiting": rows,
        "growth_heap": growth("model", "push_pop_median_us"),
        "growth_enqueue_path": growth("model", "enqueue_path_pop_median_us"),
        "growth_priority_resource": growth("priority_resource", "request_release_median_us"),
    }


# -- 4. memory ------------------------------------------------------------------------


def traced_peak(scenario: Scenario, seed: int) -> tuple[int, int]:
    """Peak traced bytes while building and running, and bytes still held by the model."""
    _fresh()
    tracemalloc.start()
    try:
        model = FrontDoorModel(scenario, seed=seed)
        model.run()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del model
    return peak, held


def measure_memory(settings: Settings, console: Console) -> dict[str, Any]:
    baseline = load_scenario("baseline")
    peak, held = traced_peak(baseline_year(baseline), settings.seed)
    console.log(f"memory, baseline year: peak {peak / 2**20:.1f} MiB")
    result: dict[str, Any] = {
        "year_peak_mib": peak / 2**20,
        "year_held_at_end_mib": held / 2**20,
    }
    if settings.memory_full_run:
        peak, held = traced_peak(baseline, settings.seed)
        console.log(f"memory, full baseline: peak {peak / 2**20:.1f} MiB")
        result["full_baseline_peak_mib"] = peak / 2**20
        result["full_baseline_held_at_end_mib"] = held / 2**20
    # Resident memory after each of a few full replications run one after another, as
    # an experiment runs them in one process: flat when each finished model is freed.
    rss: list[float] = []
    for replication in range(4 if settings.memory_full_run else 2):
        run_scenario(baseline, settings.seed, replication=replication)
        rss.append(_resident_mib())
    console.log(f"memory, sequential replications: {', '.join(f'{r:.0f}' for r in rss)} MiB")
    result["sequential_replications_resident_mib"] = rss
    return result


def _resident_mib() -> float:
    """This process's resident memory (Linux /proc; NaN where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- profiling (on request) -------------------------------------------------------------


def _run_seconds(build: Callable[[], FrontDoorModel], *, collect: bool) -> float:
    """One run as run() plays it (collector paused), or with the collector left on
    throughout: the difference is what pausing it saves."""
    model = build()
    _fresh()
    start = time.perf_counter()
    if collect:
        model.env.run(until=model.end_time)
        model.finish()
    else:
        model.run()
    return time.perf_counter() - start


def profile(settings: Settings, console: Console, top: int = 25) -> dict[str, Any]:
    """Where the time goes, for one baseline year and for the M/M/c run.

    cProfile's top functions by own time (with the cyclic garbage collector off while
    profiling, as its pauses are otherwise charged to whichever function allocates), and
    the wall time with the collector on and off (median of 3), which is its share.
    """
    reports: dict[str, Any] = {}
    workloads: dict[str, Callable[[], FrontDoorModel]] = {
        "baseline_year": lambda: FrontDoorModel(
            baseline_year(load_scenario("baseline")), seed=settings.seed
        ),
        "mmc": lambda: FrontDoorModel(_mmc(settings), seed=settings.seed),
    }
    for name, build in workloads.items():
        model = build()
        profiler = cProfile.Profile()
        _fresh()
        with collector_paused():
            profiler.enable()
            model.run()
            profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
        with_gc = statistics.median(_run_seconds(build, collect=True) for _ in range(3))
        without_gc = statistics.median(_run_seconds(build, collect=False) for _ in range(3))
        reports[name] = {
            "top_by_own_time": text.getvalue(),
            "seconds_gc_on": with_gc,
            "seconds_gc_off": without_gc,
        }
        console.rule(f"cProfile: {name} (top {top} by own time)")
        console.print(text.getvalue(), markup=False, highlight=False)
        console.print(
            f"{name}: {with_gc:.3f} s with the garbage collector, {without_gc:.3f} s without "
            f"({1 - without_gc / with_gc:.0%} of the run is collection)"
        )
    return reports


# -- report -----------------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> str | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine() -> dict[str, Any]:
    """Where and on what the figures were measured, including which `sim` was imported."""
    code = Path(sim.__file__).resolve().parent.parent
    changed = _git("status", "--porcelain", "--", "sim", "scenarios", cwd=code)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "code": str(code),
        "commit": _git("rev-parse", "--short", "HEAD", cwd=code),
        # Uncommitted edits to the model would make the commit alone misleading.
        "sim_uncommitted_changes": None if changed is None else bool(changed),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _verdict(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"


def print_tables(results: dict[str, Any], console: Console) -> None:
    rate = results["event_rate"]
    table = Table(
        title=(
            f"1. Event rate, M/M/{rate['servers']} (lambda {rate['arrival_rate_per_day']}/day, "
            f"mu {rate['service_rate_per_day']}/day, {rate['customers']:,} customers)"
        )
    )
    columns = ("", "events", "median s", "CPU s", "events/s", "us/customer", "mean wait (d)")
    for column in columns:
        table.add_column(column, justify="right" if column else "left")
    for label, key in (
        ("bare SimPy M/M/c", "bare"),
        ("bare, writing the model's records", "bare_logged"),
        ("FrontDoorModel", "model"),
    ):
        side = rate[key]
        table.add_row(
            label,
            f"{side['events']:,}",
            f"{side['median_seconds']:.3f}",
            f"{side['median_cpu_seconds']:.3f}",
            f"{side['events_per_second']:,.0f}",
            f"{side['microseconds_per_customer']:.1f}",
            f"{side['mean_wait_days']:.3f}",
        )
    table.add_row("Erlang C", "", "", "", "", "", f"{rate['erlang_c_mean_wait_days']:.3f}")
    console.print(table)
    console.print(
        f"model / bare event rate: [bold]{rate['event_rate_ratio']:.2f}x[/bold] "
        f"(target >= {TARGET_RATIO}x, aim {AIM_RATIO}x: "
        f"{_verdict(rate['event_rate_ratio'] >= TARGET_RATIO)}); "
        f"by CPU time {rate['event_rate_ratio_cpu']:.2f}x. Per customer the model takes "
        f"{1 / rate['time_per_customer_ratio']:.2f}x the bare time; the bare queue writing "
        f"the model's records alone takes {1 / rate['bare_logged_time_per_customer_ratio']:.2f}x"
        f" (so the model's rate against it is {rate['time_per_customer_ratio_logged']:.2f}x)"
    )

    year = results["year"]
    table = Table(title="2. Wall time of the baseline (CPU time of this process beside it)")
    for column in ("run", "median s", "CPU s", "runs", "events/s", "log records", "referrals"):
        table.add_column(column, justify="left" if column == "run" else "right")
    y, f = year["year"], year["full_baseline"]
    table.add_row(
        "one year (warm-up 0, horizon 365)",
        f"{y['median_seconds']:.3f}",
        f"{y['median_cpu_seconds']:.3f}",
        str(len(y["seconds"])),
        f"{y['events_per_second']:,.0f}",
        f"{y['log_records']:,}",
        f"{y['referrals']:,}",
    )
    table.add_row(
        f"full baseline (warm-up {f['warm_up_days']:g} + {f['horizon_days']:g} days)",
        f"{f['median_seconds']:.3f}",
        f"{f['median_cpu_seconds']:.3f}",
        str(len(f["seconds"])),
        "",
        f"{f['log_records']:,}",
        f"{f['referrals']:,}",
    )
    table.add_row(
        "  of which the warm-up year", f"{f['warm_up_year_median_seconds']:.3f}", *[""] * 5
    )
    table.add_row(
        "  of which the measured year", f"{f['measured_year_median_seconds']:.3f}", *[""] * 5
    )
    console.print(table)
    console.print(
        f"one baseline year: [bold]{y['median_seconds']:.3f} s[/bold] "
        f"(target <= {TARGET_YEAR_SECONDS} s: {_verdict(y['median_seconds'] <= 1.0)}); "
        f"the measured year after warm-up: {f['measured_year_median_seconds']:.3f} s "
        f"({_verdict(f['measured_year_median_seconds'] <= 1.0)}); the full replication: "
        f"{f['median_seconds'] / 2:.3f} s per simulated year"
    )

    mechanisms = results["mechanisms"]
    table = Table(title="2b. What the mechanisms cost: one baseline year, each switched off")
    for column in ("run", "median s", "saved s", "saved", "log records", "referrals"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label, side in mechanisms.items():
        table.add_row(
            label,
            f"{side['median_seconds']:.3f}",
            f"{side['saved_seconds']:+.3f}" if side["saved_seconds"] else "",
            f"{side['saved_share']:+.0%}" if side["saved_seconds"] else "",
            f"{side['log_records']:,}",
            f"{side['referrals']:,}",
        )
    console.print(table)

    backlog = results["backlog"]
    table = Table(title="3. One referral in and one out of the waiting list (median us)")
    for column in (
        "waiting",
        "model heap: heappop + _push_waiting",
        "model path: heappop + _queue_for_allocation",
        "simpy.PriorityResource: request + release",
    ):
        table.add_column(column, justify="right")
    for waiting, row in backlog["by_waiting"].items():
        table.add_row(
            f"{int(waiting):,}",
            f"{row['model']['push_pop_median_us']:.2f}",
            f"{row['model']['enqueue_path_pop_median_us']:.2f}",
            f"{row['priority_resource']['request_release_median_us']:.2f}",
        )
    table.add_row(
        "growth, largest / smallest",
        f"{backlog['growth_heap']:.2f}x",
        f"{backlog['growth_enqueue_path']:.2f}x",
        f"{backlog['growth_priority_resource']:.1f}x",
    )
    console.print(table)

    memory = results["memory"]
    table = Table(title="4. Peak traced memory (tracemalloc)")
    table.add_column("run")
    table.add_column("peak MiB", justify="right")
    table.add_column("held at end MiB", justify="right")
    table.add_row(
        "one baseline year",
        f"{memory['year_peak_mib']:.1f}",
        f"{memory['year_held_at_end_mib']:.1f}",
    )
    if "full_baseline_peak_mib" in memory:
        table.add_row(
            "full baseline (two years)",
            f"{memory['full_baseline_peak_mib']:.1f}",
            f"{memory['full_baseline_held_at_end_mib']:.1f}",
        )
    console.print(table)
    console.print(
        "resident memory after each full replication, one after another: "
        + ", ".join(f"{r:.0f}" for r in memory["sequential_replications_resident_mib"])
        + " MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less work, for a smoke run")
    parser.add_argument("--json", metavar="OUT", type=Path, help="also write results as JSON")
    parser.add_argument(
        "--profile", action="store_true", help="also print cProfile hotspots of both workloads"
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    # Wide enough for the tables when the output goes to a file or a pipe.
    console = Console(width=None if sys.stdout.isatty() else 120)
    results: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "settings": asdict(settings),
    }
    results["event_rate"] = measure_event_rate(settings, console)
    results["year"] = measure_year(settings, console)
    results["mechanisms"] = measure_mechanisms(settings, console)
    results["backlog"] = measure_backlog(settings, console)
    results["memory"] = measure_memory(settings, console)
    if args.profile:
        results["profile"] = profile(settings, console)
    m = results["machine"]
    console.rule(
        f"{results['mode']} run, {m['date']}, commit {m['commit']}"
        f"{' + uncommitted sim/ changes' if m['sim_uncommitted_changes'] else ''}, "
        f"Python {m['python']}, "
        f"SimPy {m['simpy']}, {m['cpu_count']} CPUs"
    )
    if hasattr(os, "getloadavg"):
        results["machine"]["load_average_at_end"] = os.getloadavg()
    print_tables(results, console)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
