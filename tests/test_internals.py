"""Pins the SimPy and CPython internals the model relies on (all in sim/internals.py).

If a SimPy upgrade changes one of these, this file fails first and names it, rather
than every event log changing without a word.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pytest
import simpy

from sim.internals import close_process, defuse, drop_pending_events, event_outcome, new_tuple


def test_outcome_of_a_processed_event_is_its_success_and_value() -> None:
    env = simpy.Environment()
    ok = env.timeout(1.0, value="answer")
    failed = env.event()
    failed.fail(ValueError("no"))
    defuse(failed)
    env.run()
    assert event_outcome(ok) == (True, "answer")
    succeeded, error = event_outcome(failed)
    assert not succeeded and isinstance(error, ValueError)


def test_a_failed_event_not_defused_stops_the_run_and_a_defused_one_does_not() -> None:
    env = simpy.Environment()
    env.event().fail(RuntimeError("unhandled"))
    with pytest.raises(RuntimeError, match="unhandled"):
        env.run()
    env = simpy.Environment()
    event = env.event()
    event.fail(RuntimeError("handled"))
    defuse(event)
    env.run()  # nothing raised


def test_dropping_pending_events_leaves_nothing_scheduled() -> None:
    env = simpy.Environment()
    fired: list[float] = []
    env.timeout(2.0).callbacks.append(lambda _e: fired.append(env.now))
    assert env.peek() == 2.0
    drop_pending_events(env)
    assert env.peek() == math.inf
    env.run(until=5.0)
    assert fired == []


def test_closing_a_process_releases_its_generator_frame() -> None:
    env = simpy.Environment()
    finished: list[str] = []

    def waits() -> simpy.events.ProcessGenerator:
        try:
            yield env.event()  # never triggered
        finally:
            finished.append("closed")

    process = env.process(waits())
    env.run(until=1.0)
    assert process.is_alive
    close_process(process)
    assert finished == ["closed"]


class Pair(NamedTuple):
    first: int
    second: str


def test_new_tuple_builds_the_same_named_tuple_as_its_constructor() -> None:
    built = new_tuple(Pair, (1, "b"))
    assert type(built) is Pair
    assert built == Pair(first=1, second="b")
    assert built.second == "b"
