"""The duty desk's window on a run: immutable views, and the actions a desk may take.

A person at the duty desk (a trainee, through `trainer/`) plugs in as the run's
`Decider` and reaches the run only through `DeskActions`: it reads cases, families and
workers' loads as the team knows them (frozen views, copied when asked for, never the
live objects and never the hidden truth), asks for information, writes the handover to
the night team, and finishes the run. Nothing else of the model crosses to `trainer/`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple, Protocol

import simpy

from sim.config import Scenario
from sim.deciders import Decider
from sim.entities import Case, Family, Level
from sim.events import EventLog
from sim.model import FrontDoorModel
from sim.vocabulary import InformationAction


class NoticeAsKnown(NamedTuple):
    """A notice another agency sent the team unasked: who, when, and what it read."""

    agency: str
    at: float
    reading: float


@dataclass(frozen=True, slots=True)
class CaseAsKnown:
    """A referral as the team knows it: what was said, found and decided so far."""

    case_id: int
    family_id: int
    source: str
    concern: str
    arrived_at: float
    referral_signal: float
    need_signal: float
    re_referral: bool
    spelling: str
    scripted_ref: str | None
    screened_at: float | None
    screening_level: Level | None
    evidence: Mapping[str, float]  # what was found, by where it came from (read-only)
    notices: tuple[NoticeAsKnown, ...] = ()  # what agencies told the team unasked, in order
    household: tuple[str, ...] = ()  # the surnames of adults the referral names (exercises)
    addendum_waiting: bool = False  # the record found has an addendum nobody has read


@dataclass(frozen=True, slots=True)
class FamilyAsKnown:
    """A family as the team knows it: its contact with the team, not its truth."""

    family_id: int
    referrals: int
    last_referral_at: float | None
    team_level: Level
    open_case_id: int | None


class WorkerLoad(NamedTuple):
    """One worker's place in the team and current caseload."""

    worker_id: int
    role: str
    duty: bool
    caseload: int
    caseload_cap: int
    team: int


class DeskActions(Protocol):
    """Everything the duty desk may read from, or ask of, the run it sits in."""

    @property
    def end_time(self) -> float: ...

    def case_count(self) -> int: ...

    def has_case(self, case_id: int) -> bool: ...

    def case(self, case_id: int) -> CaseAsKnown: ...

    def family(self, family_id: int) -> FamilyAsKnown: ...

    def workers(self) -> tuple[WorkerLoad, ...]: ...

    def gather(
        self,
        case_id: int,
        action: InformationAction,
        *,
        spelling: str | None = None,
        agency: str | None = None,
        worker_id: int | None = None,
    ) -> simpy.Event: ...

    def hand_over_to_night_team(self, case_id: int, keep: Sequence[str]) -> simpy.Event | None: ...

    def finish(self) -> None: ...

    @property
    def log(self) -> EventLog: ...


def case_as_known(case: Case) -> CaseAsKnown:
    return CaseAsKnown(
        case_id=case.id,
        family_id=case.family.id,
        source=case.source,
        concern=case.concern,
        arrived_at=case.arrived_at,
        referral_signal=case.referral_signal,
        need_signal=case.need_signal,
        re_referral=case.re_referral,
        spelling=case.spelling,
        scripted_ref=case.scripted_ref,
        screened_at=case.screened_at,
        screening_level=case.screening_level,
        evidence=MappingProxyType(dict(case.evidence)),
        notices=tuple(
            NoticeAsKnown(agency, at, reading)
            for agency, (at, reading) in sorted(case.notices.items(), key=lambda n: n[1])
        ),
        household=tuple(a.surname for a in case.family.facts.adults),
        addendum_waiting=(
            case.record_found
            and case.family.facts.record_addendum is not None
            and case.addendum_missed
        ),
    )


def family_as_known(family: Family) -> FamilyAsKnown:
    case = family.open_case
    return FamilyAsKnown(
        family_id=family.id,
        referrals=family.referrals,
        last_referral_at=family.last_referral_at,
        team_level=family.team_level,
        open_case_id=None if case is None else case.id,
    )


class ModelDesk:
    """`DeskActions` on a `FrontDoorModel`."""

    def __init__(self, model: FrontDoorModel) -> None:
        self._model = model

    @property
    def end_time(self) -> float:
        return self._model.end_time

    def case_count(self) -> int:
        return len(self._model.cases)

    def has_case(self, case_id: int) -> bool:
        return case_id in self._model.cases

    def case(self, case_id: int) -> CaseAsKnown:
        return case_as_known(self._model.cases[case_id])

    def family(self, family_id: int) -> FamilyAsKnown:
        return family_as_known(self._model.families[family_id])

    def workers(self) -> tuple[WorkerLoad, ...]:
        return tuple(
            WorkerLoad(w.id, w.role, w.duty, w.caseload, w.caseload_cap, w.team)
            for w in self._model.workers
        )

    def gather(
        self,
        case_id: int,
        action: InformationAction,
        *,
        spelling: str | None = None,
        agency: str | None = None,
        worker_id: int | None = None,
    ) -> simpy.Event:
        return self._model.information_actions.gather(
            case_id, action, spelling=spelling, agency=agency, worker_id=worker_id
        )

    def hand_over_to_night_team(self, case_id: int, keep: Sequence[str]) -> simpy.Event | None:
        """The handover note; an event for the night team's visit, when it makes one."""
        case = self._model.cases[case_id]
        return self._model.night_team.written_handover(case, list(keep))

    def finish(self) -> None:
        self._model.finish()

    @property
    def log(self) -> EventLog:
        return self._model.log


def open_run(
    scenario: Scenario, *, seed: int, decider: Decider, env: simpy.Environment
) -> DeskActions:
    """A run of `scenario` with `decider` at the desk, on the desk's own clock `env`."""
    return ModelDesk(FrontDoorModel(scenario, seed=seed, decider=decider, env=env))


__all__ = [
    "CaseAsKnown",
    "DeskActions",
    "FamilyAsKnown",
    "ModelDesk",
    "NoticeAsKnown",
    "WorkerLoad",
    "case_as_known",
    "family_as_known",
    "open_run",
]
