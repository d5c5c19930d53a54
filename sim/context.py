"""What every activity of a run shares, and nothing more.

Each activity (arrivals, the duty desk, allocation, assessment, plans, the harm clock
and the rest) is built with a `RunContext` and the scenario sections it reads, never the
whole model: the clock, the event log, the working calendar, the random streams and the
run's registries of families, cases and workers are all they have in common.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from sim.calendar import WorkingCalendar
from sim.entities import Case, Family, Worker
from sim.events import EventLog
from sim.rng import RandomStreams

ProcessGen = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True, slots=True)
class RunContext:
    """The clock, log, calendar and streams of one run, and its shared registries."""

    env: simpy.Environment
    log: EventLog
    calendar: WorkingCalendar
    streams: RandomStreams
    end_time: float
    patches: int  # patch teams (1: one central team)
    families: dict[int, Family]
    cases: dict[int, Case]
    workers: list[Worker]


def clip01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
