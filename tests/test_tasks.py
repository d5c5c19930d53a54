"""Light processes (sim/tasks.py) behave as SimPy processes do, less the start and end
events: values and failures of the events they wait on reach them, an event already
processed lets them go on at once, and they start in the caller's turn."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
import simpy

from sim import tasks


def test_a_light_process_waits_on_events_and_receives_their_values() -> None:
    env = simpy.Environment()
    seen: list[tuple[float, Any]] = []

    def worker() -> Generator[simpy.Event, Any, None]:
        seen.append((env.now, "started"))
        value = yield env.timeout(2.0, value="first")
        seen.append((env.now, value))
        value = yield env.timeout(3.0, value="second")
        seen.append((env.now, value))

    tasks.start(worker())
    # It ran up to its first yield at once, before any event was processed.
    assert seen == [(0.0, "started")]
    env.run()
    assert seen == [(0.0, "started"), (2.0, "first"), (5.0, "second")]


def test_it_schedules_no_start_or_end_event_of_its_own() -> None:
    """The same work as a SimPy process, with two events fewer."""

    def counted(start: Any) -> int:
        env = simpy.Environment()
        steps = 0

        def work() -> Generator[simpy.Event, Any, None]:
            yield env.timeout(1.0)

        start(env, work())
        while env.peek() < float("inf"):
            env.step()
            steps += 1
        return steps

    assert counted(lambda env, gen: env.process(gen)) == 3  # start, timeout, end
    assert counted(lambda env, gen: tasks.start(gen)) == 1  # the timeout alone


def test_an_event_already_processed_lets_it_go_on_at_once() -> None:
    env = simpy.Environment()
    done = env.event()
    done.succeed("ready")
    env.run()  # `done` is processed now
    seen: list[Any] = []

    def late() -> Generator[simpy.Event, Any, None]:
        seen.append((yield done))
        seen.append((yield env.timeout(1.0, value="later")))

    tasks.start(late())
    assert seen == ["ready"]
    env.run()
    assert seen == ["ready", "later"]


def test_a_failed_event_is_thrown_into_it_and_can_be_handled() -> None:
    env = simpy.Environment()
    trouble = env.event()
    caught: list[str] = []

    def careful() -> Generator[simpy.Event, Any, None]:
        try:
            yield trouble
        except ValueError as exc:
            caught.append(str(exc))

    tasks.start(careful())
    trouble.fail(ValueError("refused"))
    env.run()  # handled inside, so the environment does not crash
    assert caught == ["refused"]


def test_an_error_it_does_not_handle_stops_the_run() -> None:
    env = simpy.Environment()

    def broken() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)
        raise RuntimeError("a bug in a process")

    tasks.start(broken())
    with pytest.raises(RuntimeError, match="a bug in a process"):
        env.run()
