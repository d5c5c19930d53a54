"""Which defences a case went through with holes in them, read from the model's event log.

An exercise declares, for each referral that hides a risk, the barriers in play and the
latent conditions that hold each one open (`near_miss.barriers`). This module reads what
actually happened: every `barrier_tested` record of the case that did not hold, from the
referral's arrival up to and including its screening decision (the front door: the
checks the desk made or failed to make, a handover to the night team, the decision
itself). What happens after the front door (allocation, assessment, long-term reviews)
is the team's policy running on, not the trainee's shift, and is left out.

A test plays each exercise with the careless and the thorough bot and compares these
holes with the declaration, so a label that no mechanism produces cannot stand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sim.events import EventKind, LogRecord


def front_door_holes(records: Sequence[LogRecord], case_id: int) -> dict[str, tuple[str, ...]]:
    """Barrier name -> latent conditions logged with its holes, for one case's front door."""
    screened_at: float | None = None
    for r in records:
        if r.kind == EventKind.SCREENED and r.case == case_id:
            screened_at = r.time
            break
    holes: dict[str, set[str]] = {}
    for r in records:
        if r.kind != EventKind.BARRIER_TESTED or r.case != case_id:
            continue
        if screened_at is not None and r.time > screened_at:
            break
        if not r.held:
            holes.setdefault(str(r.barrier), set()).update(r.conditions)
    return {b: tuple(sorted(c)) for b, c in sorted(holes.items())}


def front_door_held(records: Sequence[LogRecord], case_id: int) -> set[str]:
    """Barriers tested on this case's front door that held at least once."""
    screened_at: float | None = None
    held: set[str] = set()
    for r in records:
        if r.kind == EventKind.SCREENED and r.case == case_id:
            screened_at = r.time
        if r.kind != EventKind.BARRIER_TESTED or r.case != case_id:
            continue
        if screened_at is not None and r.time > screened_at:
            break
        if r.held:
            held.add(str(r.barrier))
    return held


def holed_barriers(records: Sequence[LogRecord], case_ids: Iterable[int]) -> list[str]:
    """The names of the barriers holed at the front door of any of these cases, sorted."""
    names: set[str] = set()
    for case_id in case_ids:
        names.update(front_door_holes(records, case_id))
    return sorted(names)


def declared_holes(barriers: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """An exercise's declaration in the same shape as `front_door_holes`."""
    return {b: tuple(sorted(set(c))) for b, c in sorted(barriers.items())}


__all__ = ["declared_holes", "front_door_held", "front_door_holes", "holed_barriers"]
