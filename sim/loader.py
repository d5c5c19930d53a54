"""Finding and loading scenario files.

`load_scenario` reads one YAML file safely into a validated, frozen `Scenario`; every
problem becomes one `ScenarioError` naming the file, line, column and field. Bundled
scenarios live in the checkout's `scenarios/` folder and can be named without a path.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import ValidationError

from sim.config import Scenario
from sim.yamlsafe import ScenarioError, load_model_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def scenarios_dir() -> Path:
    """The bundled scenarios (override with FRONTDOOR_SCENARIOS)."""
    return Path(os.environ.get("FRONTDOOR_SCENARIOS", PROJECT_ROOT / "scenarios"))


def resolve_scenario_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A path as given if it exists, else a bundled scenario of that name."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    bundled = scenarios_dir() / f"{path.name}.yaml"
    return bundled if bundled.exists() else path


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    path = resolve_scenario_path(name_or_path)
    scenario = load_model_file(Scenario, path)
    assert isinstance(scenario, Scenario)
    return scenario


def scenario_hash(scenario: Scenario) -> str:
    """A stable fingerprint of every parameter (not of the file's comments or layout)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scenario_with(scenario: Scenario, changes: dict[str, object]) -> Scenario:
    """A copy of `scenario` with dotted-path fields changed, validated again.

    `{"staff.groups.4.count": 13, "policy": "need-weighted"}` changes two fields.
    """
    data = scenario.model_dump(mode="python")
    for dotted, value in changes.items():
        target: object = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        elif isinstance(target, dict):
            if last not in target:
                raise ScenarioError(
                    path="<changes>", message=f"no field {last!r} to change", field=dotted
                )
            target[last] = value
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(path="<changes>", message=first["msg"], field=where) from None


__all__ = [
    "ScenarioError",
    "load_scenario",
    "resolve_scenario_path",
    "scenario_hash",
    "scenario_with",
    "scenarios_dir",
]
