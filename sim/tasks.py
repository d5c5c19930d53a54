"""Light processes: generator functions run on SimPy events, without a Process object.

A SimPy `Process` is itself an event, so that others can wait for it to end: starting
one schedules an initialisation event, and ending one schedules the process's own event.
The model starts a short process for every screening, assessment, plan and night
referral, and nothing ever waits for one to end, so those two events per process (about
13,000 a simulated year of the baseline) were pure cost.

`start` runs a generator that yields SimPy events exactly as `env.process` would,
resuming it when each event is processed (with the event's value, or its exception
thrown in), with two differences: the generator runs up to its first `yield` at once,
in the caller's turn, and its end is not an event. Use `env.process` for anything that
is waited on or interrupted.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.internals import defuse, event_outcome

TaskGenerator = Generator[simpy.Event, Any, Any]


def start(generator: TaskGenerator) -> None:
    """Run `generator` as a light process, starting now."""
    _LightProcess(generator).step(None, True)


class _LightProcess:
    __slots__ = ("_generator",)

    def __init__(self, generator: TaskGenerator) -> None:
        self._generator = generator

    def resume(self, event: simpy.Event) -> None:
        ok, value = event_outcome(event)
        if not ok:
            defuse(event)  # handed to the generator, as a Process does
        self.step(value, ok)

    def step(self, value: Any, ok: bool) -> None:
        generator = self._generator
        while True:
            try:
                event = generator.send(value) if ok else generator.throw(value)
            except StopIteration:
                return
            if event.callbacks is not None:
                event.callbacks.append(self.resume)
                return
            # Already processed: carry on at once with its outcome, as a Process does.
            ok, value = event_outcome(event)
            if not ok:
                defuse(event)
