"""Training exercises: the referrals of a shift at the duty desk and what they teach.

An exercise file is YAML validated like every scenario file (safe loading, one error
naming the file, line and field). It names a team (a scenario file, relative to the
exercise) and may override parts of it under `scenario:`; its referrals arrive at set
moments with a fixed hidden truth (they become the scenario's scripted referrals), and
each carries what the trainee is told (who rang, what was said, what each check finds)
and, when it hides a near miss, what is hidden, what would catch it and what happens if
nobody does. The learning points are written in a learning-not-blame voice.

Whether a case counts as a near miss is not taken from the file at scoring time: scoring
compares the hidden truth in the event log with what the referral showed. The file's
`near_miss` block is the teaching text around that mechanism; a test checks that the two
agree for every bundled exercise.

Free play from any model scenario is a `ShiftPlan` too, with no scripted referrals.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.addresses import readable_field
from sim.config import Agency, ScriptedReferral, Section
from sim.config import Scenario as ScenarioModel
from sim.config_base import SettingError
from sim.loader import PROJECT_ROOT, load_scenario, resolve_named_file, scenario_with
from sim.merge import merge_settings, origins_of, positions_from
from sim.vocabulary import AGENCY_BARRIERS
from sim.yamlsafe import PositionMap, ScenarioError, load_yaml_document, validate_document

Difficulty = Literal["induction", "practice", "pressure", "duty_day"]
DIFFICULTIES: tuple[str, ...] = ("induction", "practice", "pressure", "duty_day")
# The near-miss patterns of the report's cases (docs/domain.md section 5).
Pattern = Literal[
    "missing_file",
    "new_partner",
    "face_value",
    "bail_not_passed_on",
    "other_spelling",
    "friday_discharge",
    "police_refusal",
    "school_will_not_say",
    "rule_of_optimism",
    "edt_visit_unseen",
    "requests_ignored",
    "handover_drops_fact",
    "agency_fact_not_passed_on",
    "long_term_change",
    "false_positive",
]
INFORMATION_KEYS = ("database", "addendum", "file", "visit")
# The barriers the model tests and logs (barrier_tested events).
BARRIERS = frozenset(
    {
        "screening",
        "database_check",
        "record_addendum",
        "file_retrieval",
        "local_knowledge",
        "agency_check",
        "team_leader_review",
        "allocation",
        "seeing_child",
        "case_transfer",
        "long_term_review",
        "out_of_hours_handover",
        "out_of_hours_triage",
    }
    # Other agencies' own decisions, in an exercise that switches them on under
    # `scenario: agency_decisions`.
) | frozenset(AGENCY_BARRIERS)
# Labels the model logs for a person's own omission at the desk (a handover note that
# leaves a fact out): active failures, with no latent condition behind them to remove.
ACTIVE_FAILURES = frozenset({"handover_omission"})
FREE_PLAY_WARM_UP_DAYS = 28.0  # enough for caseloads to fill; a year would take seconds
FREE_PLAY_SCREENING_HOURS = 0.05  # the trainee reads the referral; the model adds no delay


def training_dir() -> Path:
    """The bundled exercises (override with FRONTDOOR_EXERCISES)."""
    return Path(os.environ.get("FRONTDOOR_EXERCISES", PROJECT_ROOT / "scenarios" / "training"))


class Findings(Section):
    """What the trainee reads when a check finds something (otherwise a plain summary)."""

    database: str | None = Field(None, description="The record, once found.")
    addendum: str | None = Field(
        None, description="The record's addendum, once opened (needs record_addendum)."
    )
    file: str | None = Field(None, description="The paper file, once it arrives.")
    agencies: dict[Agency, str] = Field(
        default_factory=dict, description="What each agency says when it shares."
    )
    visit: str | None = Field(None, description="What the visit sees, when the child is seen.")


class NearMiss(Section):
    pattern: Pattern = Field(description="Which of the report's patterns this case follows.")
    hidden: str = Field(min_length=1, description="The hidden risk, in plain words.")
    caught_by: list[str] = Field(
        min_length=1,
        description="Evidence that reveals it: database, file, visit or agency:NAME.",
    )
    if_missed: str = Field(min_length=1, description="What happens next if nobody catches it.")
    barriers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The defences holed when the risk is missed (as the model logs them, "
        "from arrival to the screening decision) and the conditions logged with each hole "
        "(empty: an active failure with no latent condition).",
    )

    @field_validator("barriers")
    @classmethod
    def _known_barriers(cls, barriers: dict[str, list[str]]) -> dict[str, list[str]]:
        from sim.conditions import LATENT_CONDITIONS

        for barrier, conditions in barriers.items():
            if barrier not in BARRIERS:
                raise ValueError(
                    f"unknown barrier {barrier!r} (barriers: {', '.join(sorted(BARRIERS))})"
                )
            for condition in conditions:
                if condition not in LATENT_CONDITIONS and condition not in ACTIVE_FAILURES:
                    known = ", ".join(sorted([*LATENT_CONDITIONS, *ACTIVE_FAILURES]))
                    raise ValueError(f"unknown latent condition {condition!r} (known: {known})")
        return barriers

    @field_validator("caught_by")
    @classmethod
    def _known_keys(cls, keys: list[str]) -> list[str]:
        from sim.vocabulary import AGENCIES

        for key in keys:
            agency = key.removeprefix("agency:")
            if key not in INFORMATION_KEYS and not (
                key.startswith("agency:") and agency in AGENCIES
            ):
                allowed = ", ".join([*INFORMATION_KEYS, *(f"agency:{a}" for a in AGENCIES)])
                raise ValueError(f"unknown evidence {key!r} (allowed: {allowed})")
        return keys


class TrainingReferral(ScriptedReferral):
    """A scripted referral with what the trainee is told and what it teaches."""

    child: str = Field(min_length=1, description="The child, as the referrer names them.")
    said: str = Field(min_length=1, description="What the referrer said, in their words.")
    findings: Findings = Field(default_factory=Findings, description="What checks find.")
    near_miss: NearMiss | None = Field(
        None, description="The hidden risk; empty for a referral that hides none."
    )
    learning_points: list[str] = Field(
        default_factory=list, max_length=4, description="Two or three points for the debrief."
    )

    @model_validator(mode="after")
    def _an_addendum_to_read(self) -> TrainingReferral:
        if self.findings.addendum is not None and self.family.record_addendum is None:
            raise SettingError(
                "findings.addendum is the words of a record's addendum, but the family has "
                "no record_addendum",
                "findings",
                "addendum",
            )
        return self

    def scripted(self) -> ScriptedReferral:
        """The part the model needs: when it arrives and the family's truth."""
        return ScriptedReferral.model_validate(
            self.model_dump(include=set(ScriptedReferral.model_fields))
        )


class Shift(Section):
    day: int = Field(0, ge=0, le=3650, description="Day of the run the shift is on (0 = Monday).")
    start_hour: float = Field(9.0, ge=0, lt=24, description="Hour the shift starts.")
    end_hour: float = Field(17.0, gt=0, le=24, description="Hour the shift ends.")
    handover_from_hour: float = Field(
        16.0, ge=0, le=24, description="Hour the out-of-hours handover tray opens."
    )
    follow_up_days: float = Field(
        90.0, gt=0, le=730, description="Days the model runs on after the shift (what next)."
    )
    clock_runs_in_dialogs: bool = Field(
        False,
        description="Keep the shift clock running while a desk dialog is open (a pressure "
        "setting; the dialog says so). By default the clock stops while one is open.",
    )

    @model_validator(mode="after")
    def _in_order(self) -> Shift:
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be later than start_hour")
        if not self.start_hour <= self.handover_from_hour <= self.end_hour:
            raise ValueError("handover_from_hour must lie within the shift")
        return self

    @property
    def starts_at(self) -> float:
        return self.day + self.start_hour / 24.0

    @property
    def ends_at(self) -> float:
        return self.day + self.end_hour / 24.0

    @property
    def handover_at(self) -> float:
        return self.day + self.handover_from_hour / 24.0


class Exercise(Section):
    """One exercise file."""

    title: str = Field(min_length=1, description="Title shown on the title screen.")
    summary: str = Field(min_length=1, description="One line on what the exercise is about.")
    difficulty: Difficulty = Field(description="Rung of the difficulty ladder.")
    report_sections: list[str] = Field(
        min_length=1, description="Sections of the source report the cases draw on."
    )
    learning_aims: list[str] = Field(min_length=1, description="What the trainee should learn.")
    briefing: str = Field(min_length=1, description="What the trainee is told before the shift.")
    hints: list[str] = Field(default_factory=list, description="Hints shown during the shift.")
    shift: Shift = Field(default_factory=Shift, description="When the shift runs.")
    team: str = Field(description="The team's scenario file, relative to this file.")
    scenario: ScenarioModel = Field(description="The team, with this exercise's changes.")
    referrals: list[TrainingReferral] = Field(min_length=1, description="The shift's referrals.")

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        refs = [r.ref for r in self.referrals]
        twice = sorted({r for r in refs if refs.count(r) > 1})
        if twice:
            raise ValueError(f"referral refs must be unique: {', '.join(twice)} repeated")
        for r in self.referrals:
            if r.day + r.hour / 24.0 >= self.shift.ends_at:
                raise ValueError(f"referral {r.ref!r} arrives after the shift has ended")
        return self


@dataclass(frozen=True)
class ShiftPlan:
    """Everything the desk needs to run one shift: an exercise, or free play."""

    key: str  # exercise file stem, or "free:<scenario name>"
    title: str
    summary: str
    difficulty: str
    learning_aims: tuple[str, ...]
    briefing: str
    hints: tuple[str, ...]
    report_sections: tuple[str, ...]
    shift: Shift
    scenario: ScenarioModel  # with the scripted referrals and a run covering the follow-up
    referrals: dict[str, TrainingReferral] = field(default_factory=dict)
    source: str = ""  # the file it came from

    @property
    def free_play(self) -> bool:
        return not self.referrals


def _with_run_length(scenario: ScenarioModel, shift: Shift) -> ScenarioModel:
    """The run ends when the follow-up after the shift does."""
    horizon = shift.ends_at + shift.follow_up_days - scenario.run.warm_up_days
    return scenario_with(scenario, {"run.horizon_days": math.ceil(horizon * 24) / 24})


def _with_team(
    data: dict[str, Any], positions: PositionMap, team: ScenarioModel, name: str
) -> tuple[dict[str, Any], PositionMap]:
    """The exercise's data with `scenario:` laid over the team's settings."""
    changes = data.get("scenario") or {}
    own = origins_of(name, positions)
    below = {k[1:]: v for k, v in own.items() if k[:1] == ("scenario",)}
    merged, origins = merge_settings(team.model_dump(mode="json"), {}, changes, below)
    rest = {k: v for k, v in own.items() if k[:1] != ("scenario",)}
    rest.update({("scenario", *k): v for k, v in origins.items()})
    return dict(data, scenario=merged), positions_from(rest)


def _check_warm_up(exercise: Exercise, positions: PositionMap, name: str) -> None:
    """The run must not warm up past the end of the shift's follow-up (nothing to measure)."""
    warm = exercise.scenario.run.warm_up_days
    ends = exercise.shift.ends_at + exercise.shift.follow_up_days
    if warm < ends:
        return
    key = ("scenario", "run", "warm_up_days")
    at = key if key in positions else ("team",) if ("team",) in positions else ()
    line, column = positions.value_positions.get(at) or positions[()]
    raise ScenarioError(
        name,
        f"the team warms up for {warm:g} days, past the end of the shift's follow-up "
        f"(day {ends:g}); use a team with a shorter run.warm_up_days",
        line,
        column,
        ".".join(map(str, at)) or None,
    )


def load_exercise(path: str | os.PathLike[str]) -> ShiftPlan:
    """Read and validate one exercise file; every problem is one ScenarioError."""
    name = os.fsdecode(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(name, "the file does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(name, "this is a directory, not a file") from None
    except UnicodeDecodeError:
        raise ScenarioError(name, "the file is not UTF-8 text; save it as UTF-8") from None
    data, positions = load_yaml_document(text, name)
    assert isinstance(data, dict)
    team = data.get("team")
    if not isinstance(team, str) or not team:
        line, column = positions.get(("team",), positions[()])
        raise ScenarioError(
            name, "missing or empty 'team' (the team's scenario file)", line, column
        )
    line, column = positions.get(("team",), positions[()])
    team_path = resolve_named_file(
        team, Path(name), what="team file {}", where=(name, line, column, "team")
    )
    try:
        base = load_scenario(team_path, named_by=(name, line, column, "team", team))
    except ScenarioError as exc:
        if exc.path == name:  # already about this file (the team file is not a scenario)
            raise
        raise ScenarioError(name, f"team file {team!r}: {exc}", line, column, "team") from None
    # The team's settings with this file's changes on top (merged as `extends` merges);
    # errors in the changes point at this file's lines.
    data, positions = _with_team(data, positions, base, name)
    try:
        exercise = validate_document(Exercise, data, positions, name)
    except ScenarioError as exc:
        field = readable_field(data, exc.field)
        raise ScenarioError(name, exc.message, exc.line, exc.column, field) from None
    assert isinstance(exercise, Exercise)
    _check_warm_up(exercise, positions, name)
    scripted = [r.scripted() for r in exercise.referrals]
    try:
        scenario = ScenarioModel.model_validate(
            dict(exercise.scenario.model_dump(mode="python"), scripted=scripted)
        )
        scenario = _with_run_length(scenario, exercise.shift)
    except (ValueError, ScenarioError) as exc:  # pragma: no cover - validated above
        raise ScenarioError(name, str(exc)) from None
    return ShiftPlan(
        key=Path(name).stem,
        title=exercise.title,
        summary=exercise.summary,
        difficulty=exercise.difficulty,
        learning_aims=tuple(exercise.learning_aims),
        briefing=exercise.briefing,
        hints=tuple(exercise.hints),
        report_sections=tuple(exercise.report_sections),
        shift=exercise.shift,
        scenario=scenario,
        referrals={r.ref: r for r in exercise.referrals},
        source=name,
    )


def free_play_plan(
    scenario: ScenarioModel, *, source: str = "", level: str = "duty_day"
) -> ShiftPlan:
    """A shift at the desk of any model scenario: its own random referrals.

    The warm-up is cut to four weeks (caseloads fill; a year would take seconds to load),
    the desk adds no reading delay of its own (the trainee does the reading), and the
    shift is the first Monday after the warm-up, 9 to 5 (or the team's own hours). The
    level is a rung of the difficulty ladder (trainer.ladder): duty day is the scenario
    as it stands; lower rungs bring fewer, clearer referrals and fewer failures.
    """
    from trainer.ladder import LADDER, at_level

    if level not in LADDER:
        raise ValueError(f"unknown level {level!r} (levels: {', '.join(DIFFICULTIES)})")
    scenario = at_level(scenario, level)
    warm = min(scenario.run.warm_up_days, FREE_PLAY_WARM_UP_DAYS)
    day = int(math.ceil(warm / 7.0) * 7)
    cal = scenario.calendar
    start = cal.open_hour if not cal.always_open else 9.0
    end = cal.close_hour if not cal.always_open else 17.0
    shift = Shift(
        day=day,
        start_hour=start,
        end_hour=end,
        handover_from_hour=max(start, end - 1.0),
        follow_up_days=90.0,
    )
    changed = scenario_with(
        scenario,
        {
            "run.warm_up_days": warm,
            "screening.work_hours": FREE_PLAY_SCREENING_HOURS,
            "scripted": [],
        },
    )
    named = scenario.name if level == "duty_day" else f"{scenario.name} ({level.replace('_', ' ')})"
    return ShiftPlan(
        key=f"free:{scenario.name}" + ("" if level == "duty_day" else f"@{level}"),
        title=f"Free play: {named}",
        summary=scenario.description or "A shift at the desk of a model scenario.",
        difficulty=level,
        learning_aims=(
            "Screen a real day's referrals at this team's volume.",
            "Find out enough, quickly enough, before deciding.",
        ),
        briefing=(
            "A shift on the duty desk of the team in this scenario. Referrals arrive as "
            "they would on an ordinary Monday. Nothing is scripted: some families hide "
            "more than their referral shows, most do not."
        ),
        hints=LADDER[level].hints,
        report_sections=("4.2", "4.5"),
        shift=shift,
        scenario=_with_run_length(changed, shift),
        source=source,
    )


def exercise_paths(folder: Path | None = None) -> list[Path]:
    """The exercise files in a folder, in name order (team files live in subfolders)."""
    where = folder or training_dir()
    return sorted(p for p in where.glob("*.yaml") if p.is_file())


def resolve_exercise(name_or_path: str) -> Path:
    """A path as given if it exists, else a bundled exercise of that name."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    return training_dir() / f"{path.name}.yaml"


__all__ = [
    "DIFFICULTIES",
    "Exercise",
    "Findings",
    "NearMiss",
    "Shift",
    "ShiftPlan",
    "TrainingReferral",
    "exercise_paths",
    "free_play_plan",
    "load_exercise",
    "resolve_exercise",
    "training_dir",
]
