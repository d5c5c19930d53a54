"""The few SimPy and CPython internals the model relies on, in one place.

Each is here because the public interface has no equivalent, and each is pinned by
`tests/test_internals.py`, so a SimPy upgrade that changes one fails there first, not
as a silent change to every event log. SimPy is pinned below its next minor version in
pyproject.toml for the same reason.

- `event_outcome` and `defuse`: a light process (sim/tasks.py) resumes its generator
  with an event's outcome as SimPy's own `Process._resume` does, which reads the
  private `_ok` and `_value` and marks a failed event handled through `_defused`.
- `drop_pending_events`: releasing a finished run empties the event queue
  (`Environment._queue`), whose events would otherwise keep the run alive.
- `close_process`: closes a SimPy process's generator (`Process._generator`), whose
  frame holds the activity that runs it.
- `new_tuple`: builds a named tuple from a tuple of its fields without the named
  constructor's keyword handling (`tuple.__new__`), for views built at every decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


def event_outcome(event: simpy.Event) -> tuple[bool, Any]:
    """Whether a processed event succeeded, and its value (or exception)."""
    return event._ok, event._value


def defuse(event: simpy.Event) -> None:
    """Mark a failed event's exception as handled (it is thrown into a generator)."""
    event._defused = True


def drop_pending_events(env: simpy.Environment) -> None:
    """Forget every scheduled event: the environment can run no further."""
    env._queue.clear()  # type: ignore[attr-defined]


def close_process(process: simpy.Process) -> None:
    """Close a process's generator, so its frame lets go of what it refers to."""
    process._generator.close()


# `new_tuple(cls, fields)`: an instance of the named tuple `cls` from its fields in
# order, built directly. An alias rather than a function: a call more per decision
# would cost what the shortcut saves.
new_tuple: Callable[..., Any] = tuple.__new__
