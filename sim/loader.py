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
from typing import Any

from pydantic import ValidationError

from sim.config import Scenario
from sim.yamlsafe import PositionMap, ScenarioError, read_document, validate_document

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


Layer = tuple[str, PositionMap]
MAX_EXTENDS_DEPTH = 8


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` laid over `base`: mappings merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_layers(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[Layer]]:
    """The file's settings merged over those of the scenario it `extends`, if any."""
    data, positions = read_document(path)
    assert isinstance(data, dict)  # read_document refuses any other top level
    layers: list[Layer] = [(str(path), positions)]
    base = data.get("extends")
    if base is None:
        return data, layers
    line, column = positions.get(("extends",), (None, None))
    if not isinstance(base, str) or not base.strip():
        raise ScenarioError(str(path), "extends must name a scenario file", line, column, "extends")
    base_path = (path.parent / base).resolve()
    if not base_path.exists():
        bundled = resolve_scenario_path(base)
        base_path = bundled.resolve() if bundled.exists() else base_path
    if base_path in chain or len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            str(path), f"extends {base!r} goes round in a circle", line, column, "extends"
        )
    if not base_path.exists():
        raise ScenarioError(
            str(path), f"the scenario it extends, {base!r}, does not exist", line, column, "extends"
        )
    base_data, base_layers = _read_layers(base_path, (*chain, path.resolve()))
    base_data.pop("extends", None)
    return _deep_merge(base_data, data), base_layers + layers


def _key_path(field: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    """Load a scenario file (or a bundled scenario by name), following `extends`.

    A file may name another scenario in `extends` and give only what it changes; an
    error is reported against whichever file holds the offending setting.
    """
    path = resolve_scenario_path(name_or_path)
    data, layers = _read_layers(path, ())
    top_path, top_positions = layers[-1]
    try:
        scenario = validate_document(Scenario, data, top_positions, top_path)
    except ScenarioError as exc:
        if exc.field and len(layers) > 1:
            key = _key_path(exc.field)
            for layer_path, positions in reversed(layers):
                if key in positions:
                    line, column = positions[key]
                    raise ScenarioError(layer_path, exc.message, line, column, exc.field) from None
        raise
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
