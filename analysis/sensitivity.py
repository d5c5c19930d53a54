"""Global sensitivity of incidents to the parameters behind latent conditions (SALib).

Morris screening (elementary effects) says cheaply which parameters matter at all;
Sobol indices say how much of the variance in an output each parameter explains, alone
(S1) and with its interactions (ST). Each design point is a scenario changed by
`scenario_with`, run for a few replications on common random numbers (replication i of
every point on (seed, i)), so differences between points come from the parameters, not
from different luck. Outputs are incidents a replication: serious incidents, harm
(false negatives and false positives) and near misses.

SALib is optional (`pip install 'frontdoor[sensitivity]'`); its samplers get a numpy
Generator made from the seed, never the global random state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.execution import Backend
from analysis.experiment import Point, changed_scenario, parse_value, run_experiment
from analysis.store import ExperimentStore
from sim.config import Scenario
from sim.yamlsafe import ScenarioError

Method = Literal["morris", "sobol"]

# Outputs: name and how it is read from one replication's KPIs.
OUTPUTS: dict[str, Callable[[dict[str, float]], float]] = {
    "serious_incidents": lambda k: k["serious_incidents"],
    "harm_incidents": lambda k: k["harm_false_negative"] + k["harm_false_positive"],
    "near_misses": lambda k: k["near_miss_prevented"] + k["near_miss_no_harm"],
}


@dataclass(frozen=True, kw_only=True)
class Parameter:
    path: str
    low: float
    high: float
    integer: bool = False


# Parameters behind the model's latent conditions, with plausible ranges.
LATENT_PARAMETERS: tuple[Parameter, ...] = (
    Parameter(path="staff.time_pressure_error_gain", low=0.0, high=1.0),
    Parameter(path="staff.workload_error_gain", low=0.0, high=1.5),
    Parameter(path="families.clarity_at_referral.neglect", low=0.3, high=0.9),
    Parameter(path="families.clarity_at_referral.emotional", low=0.3, high=0.9),
    Parameter(path="staff.judgement_error_sd.student", low=0.05, high=0.25),
    Parameter(path="staff.judgement_error_sd.newly_qualified", low=0.05, high=0.2),
)


def _current(scenario: Scenario, path: str) -> Any:
    """The value at an address (staff groups by role: staff.experienced.count)."""
    from sim.addresses import read_address

    return read_address(scenario.model_dump(mode="python"), path)


def has_path(scenario: Scenario, path: str) -> bool:
    try:
        _current(scenario, path)
    except ScenarioError:
        return False
    return True


def parse_parameter(spec: str, scenario: Scenario) -> Parameter:
    """`FIELD.PATH=LOW:HIGH` into a parameter; whole-number fields stay whole numbers."""
    path, sep, bounds = spec.partition("=")
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not colon:
        raise ValueError(f"a parameter is FIELD.PATH=LOW:HIGH, got {spec!r}")
    path = path.strip()
    low, high = parse_value(low_text), parse_value(high_text)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
        raise ValueError(f"{path}: LOW and HIGH must be numbers, got {bounds!r}")
    if not low < high:
        raise ValueError(f"{path}: LOW must be below HIGH, got {bounds!r}")
    try:
        _current(scenario, path)
    except ScenarioError as exc:
        raise ValueError(f"{path}: {exc.message} (scenario {scenario.name!r})") from None
    current = _current(scenario, path)
    if not isinstance(current, int | float) or isinstance(current, bool):
        raise ValueError(f"{path}: not a number in scenario {scenario.name!r}")
    return Parameter(path=path, low=float(low), high=float(high), integer=isinstance(current, int))


def default_parameters(scenario: Scenario) -> list[Parameter]:
    """The latent-condition parameters this scenario has."""
    return [p for p in LATENT_PARAMETERS if has_path(scenario, p.path)]


@dataclass(frozen=True, kw_only=True)
class SensitivityResult:
    method: str
    parameters: tuple[Parameter, ...]
    samples: pd.DataFrame  # one row per design point: parameter values and mean outputs
    indices: pd.DataFrame  # one row per (output, parameter)


def _problem(parameters: Sequence[Parameter]) -> dict[str, Any]:
    return {
        "num_vars": len(parameters),
        "names": [p.path for p in parameters],
        "bounds": [[p.low, p.high] for p in parameters],
    }


def design(parameters: Sequence[Parameter], method: Method, n: int, seed: int) -> np.ndarray:
    """The SALib design: Morris trajectories (n x (D+1) rows) or Saltelli/Sobol points
    (n x (D+2) rows, first-order and total indices)."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = _problem(parameters)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if method == "morris":
        return morris_sample.sample(problem, n, num_levels=4, seed=rng)
    return sobol_sample.sample(problem, n, calc_second_order=False, seed=rng)


def run_sensitivity(
    scenario: Scenario,
    parameters: Sequence[Parameter],
    *,
    method: Method = "morris",
    n: int = 8,
    reps: int = 2,
    seed: int = 1,
    backend: Backend | None = None,
    progress: Callable[[int, int], None] | None = None,
    store: ExperimentStore | None = None,
) -> SensitivityResult:
    """Run the design and analyse it with SALib.

    With a `store`, each replication is saved the moment it finishes and a rerun with the
    same arguments reuses what is there, so an interrupted analysis loses nothing.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if len(parameters) < 2:
        raise ValueError("sensitivity analysis needs at least two parameters")
    if method not in ("morris", "sobol"):
        raise ValueError(f"method must be morris or sobol, got {method!r}")
    x = design(parameters, method, n, seed)
    points = []
    for i, row in enumerate(x):
        changes = tuple(
            (p.path, int(round(v)) if p.integer else float(v))
            for p, v in zip(parameters, row, strict=True)
        )
        points.append(
            Point(
                id=f"x{i:04d}",
                label=f"design point {i}",
                scenario=changed_scenario(scenario, dict(changes)),
                changes=changes,
            )
        )
    result = run_experiment(
        points, reps, seed, backend=backend, kind="sensitivity", progress=progress, store=store
    )
    samples = pd.DataFrame(x, columns=[p.path for p in parameters])
    for name, read in OUTPUTS.items():
        samples[name] = [
            float(np.mean([read(d["kpis"]) for d in result.digests[p.id]])) for p in points
        ]
    problem = _problem(parameters)
    rows = []
    for name in OUTPUTS:
        y = samples[name].to_numpy(dtype=float)
        constant = bool(np.all(y == y[0]))
        if method == "morris":
            res = (
                None
                if constant
                else morris_analyze.analyze(
                    problem, x, y, num_levels=4, seed=np.random.default_rng(seed)
                )
            )
            for j, p in enumerate(parameters):
                rows.append(
                    {
                        "output": name,
                        "parameter": p.path,
                        "mu_star": 0.0 if res is None else float(res["mu_star"][j]),
                        "mu_star_conf": 0.0 if res is None else float(res["mu_star_conf"][j]),
                        "mu": 0.0 if res is None else float(res["mu"][j]),
                        "sigma": 0.0 if res is None else float(res["sigma"][j]),
                    }
                )
        else:
            res = (
                None
                if constant
                else sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            )
            for j, p in enumerate(parameters):
                rows.append(
                    {
                        "output": name,
                        "parameter": p.path,
                        "S1": float("nan") if res is None else float(res["S1"][j]),
                        "S1_conf": float("nan") if res is None else float(res["S1_conf"][j]),
                        "ST": float("nan") if res is None else float(res["ST"][j]),
                        "ST_conf": float("nan") if res is None else float(res["ST_conf"][j]),
                    }
                )
    return SensitivityResult(
        method=method,
        parameters=tuple(parameters),
        samples=samples,
        indices=pd.DataFrame(rows),
    )
