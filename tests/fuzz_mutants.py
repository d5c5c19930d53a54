"""A seeded mutation fuzzer over the bundled scenario and exercise files.

Each mutant is a bundled file with one to three edits: a line deleted, duplicated or
swapped with another, a value replaced by a hostile token (negative, huge, inf, NaN, a
list, a mapping, text, unicode, empty), indentation broken, or `extends:`/`team:`
pointed somewhere it must not go. `judge` loads the mutant with the real loader and
says what happened; `run_short` runs an accepted one for a few days and returns its KPIs.

Used by tests/test_fuzz.py (a few hundred mutants in the default suite, thousands under
the `fuzz` marker); `python tests/fuzz_mutants.py N SEED` runs N mutants from the command
line and prints a tally.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config import Scenario
from sim.loader import load_scenario, scenario_with, scenarios_dir
from sim.yamlsafe import ScenarioError
from trainer.exercise import load_exercise, training_dir

TOKENS = (
    "-1",
    "-0.5",
    "0",
    "1",
    "1.0e+308",
    "-1.0e+308",
    "1e6",
    "99999999999999999999999999",
    ".inf",
    "-.inf",
    ".nan",
    "[]",
    "[1, 2, 3]",
    "{}",
    "{a: 1}",
    "'12'",
    "true",
    "null",
    "",
    "~",
    "2024-02-30",
    "ünïcødé 文字",
    "\u202eevil",
    "'a\\x00b'",
    "!!python/object:os.system",
    "&anchor 1",
    "*alias",
)
HOSTILE_PATHS = (
    "/etc/passwd",
    "/etc/shadow",
    "/proc/self/environ",
    "../../../../etc/passwd",
    "../../../../../../../../etc/hostname",
    "/dev/zero",
    "/dev/stdin",
    ".",
    "..",
    "teams",
    "",
    "baseline",
    "no-such-file.yaml",
)
# A value after "key: " (block style) or inside a flow mapping "{key: value, ...}".
BLOCK_VALUE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w]*:[ \t]+)([^#\n{\[][^#\n]*?)(\s*(?:#.*)?)$")
FLOW_VALUE = re.compile(r"([A-Za-z_]\w*:[ \t]*)([^,{}\[\]\n]+)")


@dataclass(frozen=True)
class Source:
    """A bundled file to mutate: its text and whether it is an exercise."""

    path: Path
    text: str
    exercise: bool


def bundled_sources() -> list[Source]:
    scenarios = sorted(scenarios_dir().glob("*.yaml"))
    exercises = sorted(training_dir().glob("*.yaml"))
    return [Source(p, p.read_text(encoding="utf-8"), False) for p in scenarios] + [
        Source(p, p.read_text(encoding="utf-8"), True) for p in exercises
    ]


def _replace_value(lines: list[str], rng: np.random.Generator) -> None:
    candidates = [i for i, ln in enumerate(lines) if ":" in ln and not ln.lstrip().startswith("#")]
    if not candidates:
        return
    i = int(rng.choice(candidates))
    token = str(rng.choice(TOKENS))
    line = lines[i]
    flows = list(FLOW_VALUE.finditer(line)) if "{" in line else []
    if flows:
        flow = flows[int(rng.integers(len(flows)))]
        lines[i] = line[: flow.start(2)] + token + line[flow.end(2) :]
        return
    block = BLOCK_VALUE.match(line)
    if block:
        lines[i] = block.group(1) + token + block.group(3)
    else:
        lines[i] = line + " " + token


def _hostile_name(lines: list[str], rng: np.random.Generator) -> None:
    target = str(rng.choice(HOSTILE_PATHS))
    for key in ("extends", "team"):
        at = [i for i, ln in enumerate(lines) if ln.startswith(f"{key}:")]
        if at:
            lines[at[0]] = f"{key}: {target}"
            return
    lines.insert(0, f"extends: {target}")


def mutate(text: str, rng: np.random.Generator) -> str:
    """One to three random edits of `text`."""
    lines = text.split("\n")
    for _ in range(int(rng.integers(1, 4))):
        kind = int(rng.integers(9))
        n = len(lines)
        i, j = int(rng.integers(n)), int(rng.integers(n))
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])
        elif kind == 2:
            lines[i], lines[j] = lines[j], lines[i]
        elif kind in (3, 4, 5):
            _replace_value(lines, rng)
        elif kind == 6:
            shift = int(rng.choice([-2, -1, 1, 2, 3]))
            lines[i] = lines[i][-shift:] if shift < 0 else " " * shift + lines[i]
        elif kind == 7:
            _hostile_name(lines, rng)
        else:
            at = int(rng.integers(len(lines[i]) + 1))
            junk = str(rng.choice(["\t", "\u00a0", "\ufeff", "é", "\U0001f600", "\x07", ":", "-"]))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    """What the loader made of one mutant."""

    path: Path
    text: str
    scenario: Scenario | None  # accepted: the scenario to run
    error: ScenarioError | None  # refused
    crash: BaseException | None  # anything else: a bug

    def describe(self) -> str:
        what = self.crash or self.error
        return f"{self.path.name}: {type(what).__name__}: {what}\n--- mutant ---\n{self.text}"


def write_mutant(folder: Path, source: Source, text: str, index: int) -> Path:
    """The mutant in `folder`, beside what it may name (an exercise's team folder)."""
    if source.exercise:
        teams = folder / "teams"
        if not teams.exists():
            teams.symlink_to(training_dir() / "teams", target_is_directory=True)
    path = folder / f"m{index:05d}-{source.path.name}"
    path.write_text(text, encoding="utf-8")
    return path


def judge(path: Path, text: str, exercise: bool) -> Outcome:
    try:
        scenario = load_exercise(path).scenario if exercise else load_scenario(path)
    except ScenarioError as exc:
        return Outcome(path, text, None, exc, None)
    except Exception as exc:  # noqa: BLE001 - any other exception is the finding
        return Outcome(path, text, None, None, exc)
    return Outcome(path, text, scenario, None, None)


def well_reported(error: ScenarioError, mutant: Path) -> bool:
    """One line, naming a file (the mutant or a bundled file it builds on) and a line."""
    text = str(error)
    named = {str(mutant)} | {str(p) for p in scenarios_dir().rglob("*.yaml")}
    named |= {str(p.resolve()) for p in scenarios_dir().rglob("*.yaml")}
    return (
        "\n" not in text
        and "Traceback" not in text
        and error.path in named
        and error.line is not None
        and text.startswith(error.path)
    )


def run_short(scenario: Scenario, days: float = 20.0, seed: int = 1) -> dict[str, float]:
    """KPIs of a short run (no warm-up), guarded against a stuck clock or a runaway log."""
    from log_invariants import run_guarded

    from analysis.kpis import compute_kpis

    short = scenario_with(scenario, {"run.horizon_days": days, "run.warm_up_days": 0.0})
    log = run_guarded(short, seed=seed, max_records=400_000)
    return compute_kpis(log.records)


# KPIs that are a share, mean or median over events a short run may not have (analysis.kpis
# gives NaN for "nothing to measure"); every other KPI must always be a finite number.
MAY_BE_EMPTY = frozenset(
    {
        "decided_within_1_working_day",
        "assessments_within_timescale",
        "mean_wait_to_allocation_days",
        "re_referral_rate_12m",
        "nfa_at_referral_rate",
        "nfa_after_assessment_rate",
        "median_assessment_days",
        "median_assessment_working_days",
        "mean_wait_to_allocation_littles_days",
        "low_visibility_mean_wait_days",  # no neglect or emotional-harm case in a short run
        "cost_per_year",  # no costs: section, no price to put on the year
    }
)


def finite_kpis(kpis: dict[str, float]) -> list[str]:
    """The KPIs that are not finite numbers, beyond a share of nothing (empty when all are)."""
    return [
        k
        for k, v in kpis.items()
        if not isinstance(v, int | float)
        or math.isinf(v)
        or (math.isnan(v) and k not in MAY_BE_EMPTY)
    ]


def fuzz(folder: Path, count: int, seed: int) -> tuple[list[Outcome], list[Outcome], list[Outcome]]:
    """`count` mutants: (accepted, refused, crashed)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sources = bundled_sources()
    accepted: list[Outcome] = []
    refused: list[Outcome] = []
    crashed: list[Outcome] = []
    for index in range(count):
        source = sources[int(rng.integers(len(sources)))]
        text = mutate(source.text, rng)
        outcome = judge(write_mutant(folder, source, text, index), text, source.exercise)
        if outcome.crash is not None:
            crashed.append(outcome)
        elif outcome.error is not None:
            refused.append(outcome)
        else:
            accepted.append(outcome)
    return accepted, refused, crashed


if __name__ == "__main__":  # pragma: no cover - a manual longer run
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    n, seed = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (1000, 0)
    with tempfile.TemporaryDirectory() as tmp:
        ok, bad, crash = fuzz(Path(tmp), n, seed)
        badly = [o for o in bad if o.error and not well_reported(o.error, o.path)]
        print(
            f"{n} mutants: {len(ok)} accepted, {len(bad)} refused, {len(crash)} crashed, "
            f"{len(badly)} refused without a located one-line message"
        )
        for o in (crash + badly)[:5]:
            print(o.describe()[:2000])
