"""The exercise library as an instructor sees it: what each exercise teaches, how hard it
is and how long it runs, in the order of the difficulty ladder.

The ladder has four rungs (trainer.exercise.DIFFICULTIES): induction (one case at a time,
no time pressure, hints), practice, pressure (late referrals, slow answers, a handover)
and duty day (a full in-tray with several hidden risks among distractors and a handover
to the night team). The counts here are read from the files: which referrals hide a
risk and which tempt a false positive is what the teaching text says, and the library
tests check that text against the mechanism.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from sim.yamlsafe import ScenarioError
from trainer.exercise import DIFFICULTIES, ShiftPlan, exercise_paths, load_exercise


@dataclass(frozen=True)
class ExerciseSummary:
    key: str
    title: str
    difficulty: str
    rung: int  # 1 (induction) to 4 (duty day)
    shift_hours: float
    referrals: int
    hidden_risks: int
    false_positives: int
    distractors: int
    patterns: tuple[str, ...]
    report_sections: tuple[str, ...]
    learning_aims: tuple[str, ...]
    summary: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def summarise_plan(plan: ShiftPlan) -> ExerciseSummary:
    hidden = false_pos = 0
    patterns: list[str] = []
    for r in plan.referrals.values():
        if r.near_miss is None:
            continue
        patterns.append(r.near_miss.pattern)
        if r.near_miss.pattern == "false_positive":
            false_pos += 1
        else:
            hidden += 1
    shift = plan.shift
    return ExerciseSummary(
        key=plan.key,
        title=plan.title,
        difficulty=plan.difficulty,
        rung=DIFFICULTIES.index(plan.difficulty) + 1,
        shift_hours=round(shift.end_hour - shift.start_hour, 2),
        referrals=len(plan.referrals),
        hidden_risks=hidden,
        false_positives=false_pos,
        distractors=len(plan.referrals) - hidden,
        patterns=tuple(sorted(set(patterns))),
        report_sections=plan.report_sections,
        learning_aims=plan.learning_aims,
        summary=plan.summary,
    )


def library(folder: Path | None = None) -> tuple[list[ExerciseSummary], list[ScenarioError]]:
    """Every exercise in the folder, easiest first; files that fail to load come back as
    their errors (one each), so one bad file does not hide the others."""
    found: list[ExerciseSummary] = []
    problems: list[ScenarioError] = []
    for path in exercise_paths(folder):
        try:
            found.append(summarise_plan(load_exercise(path)))
        except ScenarioError as exc:
            problems.append(exc)
    found.sort(key=lambda s: (s.rung, s.key))
    return found, problems


__all__ = ["ExerciseSummary", "library", "summarise_plan"]
