"""Learning from reported incidents: reviews that find and repair latent conditions.

A reported incident (sim.incidents) carries the latent conditions of its story. Reports
wait for a review:

- a report that stops with a line manager is brought to the team's next learning session
  by chance; one made through a reporting system always is, and the system also keeps it
  for its own analysis, which looks for a condition named again and again over time;
- a serious incident that reaches senior managers goes to the local safeguarding board,
  whose review reports months later.

A review looks either at the system or for someone to blame (a chance set by the
culture). Looking at the system, it picks the repairable condition its reports name most
often, and after a delay that condition is repaired: the scenario's setting behind that
hole changes for the rest of the run (a data-entry check, phonetic matching, chronologies
added to files, structured handovers, an information-sharing protocol). Each review holds
case places for its staff time, so the team allocates fewer cases meanwhile.

Repairs of a condition a family carries from its creation (a keying slip in its record,
a lost file, a file without a chronology) help only families the team meets afterwards.
Nothing here reads the truth: a review sees only what was reported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from sim import tasks
from sim.config import Scenario
from sim.context import ProcessGen, RunContext
from sim.events import NO_ID, EventKind
from sim.learning_config import Learning, ReviewKind
from sim.loader import scenario_with
from sim.records import ConditionRepaired, LearningReview
from sim.workload import Workload

Change = Callable[[Scenario, float], dict[str, object]]


@dataclass(frozen=True)
class Repair:
    """What a review can do about one latent condition."""

    condition: str
    meaning: str  # the repair, in plain words
    change: Change  # (scenario, repair_share) -> the settings it changes


def _cut(path: str) -> Change:
    def change(s: Scenario, share: float) -> dict[str, object]:
        return {path: _read(s, path) * (1.0 - share)}

    return change


def _raise(*paths: str) -> Change:
    def change(s: Scenario, share: float) -> dict[str, object]:
        return {p: (v := _read(s, p)) + share * (1.0 - v) for p in paths}

    return change


def _read(s: Scenario, path: str) -> float:
    value: object = s
    for part in path.split("."):
        value = getattr(value, part)
    assert isinstance(value, float)
    return value


def _agencies(field: str) -> Change:
    def change(s: Scenario, share: float) -> dict[str, object]:
        return {
            f"agencies.agencies.{a}.{field}": getattr(spec, field) * (1.0 - share)
            for a, spec in s.agencies.agencies.items()
        }

    return change


def _switch(path: str, value: object) -> Change:
    return lambda s, share: {path: value}


REPAIRS: dict[str, Repair] = {
    r.condition: r
    for r in (
        Repair(
            "name_matching",
            "database searches also match names that sound alike",
            _switch("database.matching", "phonetic"),
        ),
        Repair(
            "data_entry_errors",
            "a check of names as they are keyed into the record",
            _cut("database.data_entry_error_rate"),
        ),
        Repair(
            "uncorrectable_records",
            "addenda flagged on the front of a record",
            _cut("database.addendum_missed_probability"),
        ),
        Repair(
            "missing_files",
            "a tracking system for paper files",
            _cut("case_files.missing_probability"),
        ),
        Repair(
            "poor_chronology",
            "chronologies added to files",
            _cut("case_files.poor_chronology_probability"),
        ),
        Repair(
            "unstructured_handover",
            "structured handovers from the night team",
            _switch("out_of_hours.handover", "structured"),
        ),
        Repair(
            "agency_refusal",
            "an information-sharing protocol agreed with the agencies",
            _agencies("refusal_probability"),
        ),
        Repair(
            "agency_delay",
            "response times agreed with the agencies",
            _agencies("response_median_working_days"),
        ),
        Repair(
            "lossy_transfers",
            "a transfer summary when a case moves to the family support team",
            _cut("long_term.transfer_fact_loss"),
        ),
        Repair(
            "rule_of_optimism",
            "supervision that challenges the benefit of the doubt given to familiar families",
            _cut("long_term.rule_of_optimism"),
        ),
        Repair(
            "out_of_hours_cover",
            "night visits that must see the child",
            _raise("out_of_hours.see_child_probability"),
        ),
        Repair(
            "no_access_to_child",
            "a rule that an assessment is not finished until the child is seen",
            _raise("visits.see_child_probability", "visits.rushed_see_child_probability"),
        ),
    )
}


@dataclass
class _Report:
    conditions: tuple[str, ...]


class LearningLoop:
    """Reported incidents in, reviews held, latent conditions repaired."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        scenario: Scenario,
        workload: Workload,
        holders: Callable[[], list[object]],
    ) -> None:
        self._ctx = ctx
        self._learning: Learning = scenario.learning
        self._culture = scenario.reporting.culture
        self._system = scenario.reporting.reporting_system
        self.current = scenario  # the scenario as repaired so far
        # The section objects the activities hold now, by name (see swap_sections).
        self._held: dict[str, object] = {
            name: getattr(scenario, name) for name in type(scenario).model_fields
        }
        self._workload = workload
        self._holders = holders  # the activities whose settings a repair changes
        self._rng = ctx.streams.stream("learning")
        self._session: list[_Report] = []
        self._archive: list[_Report] = []  # the reporting system's memory
        self.repaired: set[str] = set()  # repaired or being repaired

    # -- reports in ---------------------------------------------------------------

    def reported(
        self, *, channel: str, conditions: tuple[str, ...], serious: bool, senior: bool
    ) -> None:
        """A reported incident: queue it for the reviews its channel reaches."""
        report = _Report(conditions)
        if channel == "reporting_system":
            self._session.append(report)
            self._archive.append(report)
        elif channel == "line_manager":
            if float(self._rng.random()) < self._learning.line_manager_raises:
                self._session.append(report)
        elif self._system:  # an outside agency's complaint is logged on the system too
            self._archive.append(report)
        if serious and senior:
            tasks.start(self._board_review(report))

    # -- reviews ------------------------------------------------------------------

    def sessions(self) -> ProcessGen:
        """The team's learning sessions, held when reports wait for one."""
        env = self._ctx.env
        while True:
            yield env.timeout(self._learning.session_interval_days)
            if self._session:
                reports, self._session = self._session, []
                self._review("team_session", reports, minimum=1)

    def analyses(self) -> ProcessGen:
        """The reporting system's analyses of every report it holds."""
        env = self._ctx.env
        while True:
            yield env.timeout(self._learning.analysis_interval_days)
            if self._archive:
                self._review(
                    "system_analysis", self._archive, minimum=self._learning.analysis_min_reports
                )

    def _board_review(self, report: _Report) -> ProcessGen:
        yield self._ctx.env.timeout(self._learning.board_delay_days)
        self._review("board_review", [report], minimum=1)

    def _review(self, kind: ReviewKind, reports: list[_Report], *, minimum: int) -> None:
        """Hold one review: look at the system or for someone to blame, and act on it."""
        learning = self._learning
        counts = Counter(
            c
            for r in reports
            for c in dict.fromkeys(r.conditions)
            if c in REPAIRS and c not in self.repaired
        )
        top = counts.most_common(1)
        condition: str | None = top[0][0] if top else None
        named = top[0][1] if top else 0
        systemic = float(self._rng.random()) < learning.systems_focus[self._culture]
        if not systemic:
            finding, condition, named = "individual_blamed", None, 0
        elif condition is None or named < minimum:
            finding, condition, named = "no_pattern", None, 0
        else:
            finding = "latent_condition"
        places, until = self._hold_places(kind)
        record = self._ctx.log.append(
            LearningReview(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.LEARNING_REVIEW,
                NO_ID,
                NO_ID,
                review=kind,
                reports=len(reports),
                finding=finding,
                condition=condition,
                named_by=named,
                staff_hours=learning.staff_hours[kind],
                case_places_held=places,
                until=until,
            )
        )
        if condition is not None:
            self.repaired.add(condition)
            tasks.start(self._repair(condition, kind, record.seq))

    def _hold_places(self, kind: ReviewKind) -> tuple[int, float]:
        """Take the review's staff time from the team: case places nobody can be
        allocated while the review's work goes on (as many as are free, at most)."""
        learning, ctx, workload = self._learning, self._ctx, self._workload
        days = learning.work_working_days[kind]
        per_day = learning.hours_per_case_place * days
        wanted = math.ceil(learning.staff_hours[kind] / per_day) if per_day > 0 else 0
        team = max(range(len(workload.free_places)), key=lambda t: workload.free_places[t])
        places = max(0, min(wanted, workload.free_places[team]))
        until = ctx.calendar.add_working_days(ctx.env.now, days)
        if places:
            workload.free_places[team] -= places
            tasks.start(self._give_back(team, places, until))
        return places, until

    def _give_back(self, team: int, places: int, until: float) -> ProcessGen:
        env = self._ctx.env
        yield env.timeout(max(0.0, until - env.now))
        self._workload.free_places[team] += places
        self._workload.wake_allocator()

    # -- repairs ------------------------------------------------------------------

    def _repair(self, condition: str, kind: ReviewKind, review_seq: int) -> ProcessGen:
        yield self._ctx.env.timeout(self._learning.repair_delay_days)
        repair = REPAIRS[condition]
        before = self.current
        self.current = scenario_with(before, repair.change(before, self._learning.repair_share))
        swap_sections(self._holders(), self._held, self.current)
        self._ctx.log.append(
            ConditionRepaired(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.CONDITION_REPAIRED,
                NO_ID,
                NO_ID,
                condition=condition,
                repair=repair.meaning,
                review=kind,
                review_seq=review_seq,
            )
        )


def swap_sections(roots: list[object], held: dict[str, object], after: Scenario) -> int:
    """Point every activity that holds a section which the repair changed at that section
    of `after`; returns how many references changed.

    `held` maps each section's name to the object the activities hold now (first the
    original scenario's, then each repair's) and is brought up to date. Activities keep
    the sections they read (sim.model builds each with its sections), so walking them and
    their own helpers finds every reader.
    """
    changed: dict[int, object] = {}
    for name, section in held.items():
        new = getattr(after, name)
        if section != new:
            changed[id(section)] = new
            held[name] = new
    seen: set[int] = set()
    swaps = 0
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or not hasattr(obj, "__dict__"):
            continue
        seen.add(id(obj))
        for attr, value in vars(obj).items():
            new = changed.get(id(value))
            if new is not None:
                setattr(obj, attr, new)
                swaps += 1
            elif type(value).__module__.startswith("sim.") and not isinstance(value, BaseModel):
                stack.append(value)
    return swaps
