"""Finding and loading scenario files.

`load_scenario` reads one YAML file safely into a validated, frozen `Scenario`; every
problem becomes one `ScenarioError` naming the file, line, column and field. Bundled
scenarios live in the checkout's `scenarios/` folder and can be named without a path.

A file may start from another with `extends:`. Only a bundled scenario, or a file under
the folder of the file that names it (or under a folder the user allowed with
`--scenario-path`), can be named: a scenario cannot be made to read, or echo, any other
file on the machine. Settings merge key by key; the staff list merges by role.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.addresses import apply_changes, readable_field
from sim.config import Scenario
from sim.merge import Origin, Origins, merge_settings, origins_of, positions_from
from sim.yamlsafe import KeyPath, PositionMap, ScenarioError, read_document, validate_document

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_EXTENDS_DEPTH = 32
SCENARIO_SUFFIXES = (".yaml", ".yml")
_EXTRA_DIRS: ContextVar[tuple[Path, ...]] = ContextVar("scenario_path", default=())


def scenarios_dir() -> Path:
    """The bundled scenarios (override with FRONTDOOR_SCENARIOS)."""
    return Path(os.environ.get("FRONTDOOR_SCENARIOS", PROJECT_ROOT / "scenarios"))


@contextmanager
def scenario_path(dirs: Sequence[str | os.PathLike[str]]) -> Iterator[None]:
    """Within the block, `extends:` and `team:` may also name files under `dirs`."""
    token = _EXTRA_DIRS.set(tuple(Path(d).resolve() for d in dirs))
    try:
        yield
    finally:
        _EXTRA_DIRS.reset(token)


def resolve_scenario_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A path as given if it exists, else a bundled scenario of that name."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in SCENARIO_SUFFIXES or len(path.parts) > 1:
        return path
    bundled = scenarios_dir() / f"{path.name}.yaml"
    return bundled if bundled.exists() else path


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_named_file(
    name: str, beside: Path, *, what: str, where: tuple[str, int | None, int | None, str]
) -> Path:
    """The scenario file `name` (as written in the file `beside`) may refer to.

    `what` words the name in errors, `{}` standing for the name ("team file {}").

    A bare name is looked for beside the naming file, in the `--scenario-path` folders
    and among the bundled scenarios. A path must lead (after following links) to a
    .yaml file under the naming file's folder, a `--scenario-path` folder or the bundled
    scenarios; anything else is refused without being opened.
    """
    path, line, column, field = where
    label = what.format(repr(name))
    folder = beside.resolve().parent
    allowed = (folder, *_EXTRA_DIRS.get(), scenarios_dir().resolve())
    written = Path(name)
    if written.is_absolute() or len(written.parts) != 1:
        target = (folder / written).resolve()
    else:
        names = (
            [name] if written.suffix in SCENARIO_SUFFIXES else [name + s for s in SCENARIO_SUFFIXES]
        )
        candidates = [(d / n).resolve() for d in allowed for n in names]
        target = next((c for c in candidates if c.is_file()), candidates[0])
    if not any(_inside(target, d) for d in allowed):
        raise ScenarioError(
            path,
            f"{label} is outside the folders a scenario may name: a bundled "
            "scenario, or a .yaml file under this file's folder (or a folder given "
            "with --scenario-path)",
            line,
            column,
            field,
        )
    if target.suffix not in SCENARIO_SUFFIXES:
        message = f"{label} is not a .yaml file"
        raise ScenarioError(path, message, line, column, field)
    if not target.is_file():
        raise ScenarioError(path, f"{label} does not exist", line, column, field)
    return target


# The file that names another, the line and column of the name, the setting that holds it
# and the name as written.
Naming = tuple[str, int | None, int | None, str, str]


def _read_base(target: Path, naming: Naming) -> tuple[Any, PositionMap]:
    """Read a file another names, telling nothing of its content unless it is a scenario."""
    path, line, column, field, name = naming
    try:
        data, positions = read_document(target)
    except ScenarioError as exc:
        raise ScenarioError(
            path,
            f"{name!r} is not valid scenario YAML (see: frontdoor validate {exc.path})",
            line,
            column,
            field,
        ) from None
    assert isinstance(data, dict)
    if set(data) - set(Scenario.model_fields):
        raise ScenarioError(
            path,
            f"{name!r} is not a scenario file (it holds settings no scenario has)",
            line,
            column,
            field,
        )
    return data, positions


def _read_layers(
    path: Path, chain: tuple[Path, ...], naming: Naming | None
) -> tuple[dict[str, Any], Origins]:
    """The file's settings merged over those of the scenario it `extends`, if any."""
    data, positions = read_document(path) if naming is None else _read_base(path, naming)
    assert isinstance(data, dict)  # read_document refuses any other top level
    origins = origins_of(str(path), positions)
    base = data.get("extends")
    if base is None:
        return data, origins
    line, column = positions.get(("extends",), (None, None))
    if not isinstance(base, str) or not base.strip():
        raise ScenarioError(str(path), "extends must name a scenario file", line, column, "extends")
    target = resolve_named_file(
        base, path, what="the scenario it extends, {},", where=(str(path), line, column, "extends")
    )
    here = (*chain, path.resolve())
    if target in here:
        names = " -> ".join(p.name for p in (*here[here.index(target) :], target))
        raise ScenarioError(
            str(path), f"extends goes round in a circle ({names})", line, column, "extends"
        )
    if len(here) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            str(path),
            f"extends chains more than {MAX_EXTENDS_DEPTH} files deep; start a file from "
            "a nearer one",
            line,
            column,
            "extends",
        )
    base_data, base_origins = _read_layers(target, here, (str(path), line, column, "extends", base))
    base_data.pop("extends", None)
    base_origins = {k: v for k, v in base_origins.items() if k[:1] != ("extends",)}
    merged, merged_origins = merge_settings(base_data, base_origins, data, origins)
    assert isinstance(merged, dict)
    return merged, merged_origins


def _file_of(origins: Origins, key: KeyPath, default: str) -> str:
    for length in range(len(key), -1, -1):
        origin: Origin | None = origins.get(key[:length])
        if origin is not None:
            return origin.path
    return default


def _key_path(field: str) -> KeyPath:
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def load_scenario(
    name_or_path: str | os.PathLike[str], *, named_by: Naming | None = None
) -> Scenario:
    """Load a scenario file (or a bundled scenario by name), following `extends`.

    A file may name another scenario in `extends` and give only what it changes; an
    error is reported against whichever file holds the offending setting. `named_by`
    (file, line, column, name as written) is the file that named this one, e.g. an
    exercise's `team:`; a file that is not scenario YAML is then refused without quoting it.
    """
    path = resolve_scenario_path(name_or_path)
    data, origins = _read_layers(path, (), named_by)
    try:
        scenario = validate_document(Scenario, data, positions_from(origins), str(path))
    except ScenarioError as exc:
        where = str(path)
        if exc.field and exc.line is not None:
            where = _file_of(origins, _key_path(exc.field), str(path))
        field = readable_field(data, exc.field)
        raise ScenarioError(where, exc.message, exc.line, exc.column, field) from None
    assert isinstance(scenario, Scenario)
    return scenario


def scenario_hash(scenario: Scenario) -> str:
    """A stable fingerprint of every parameter (not of the file's comments or layout)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def scenario_with(scenario: Scenario, changes: Mapping[str, object]) -> Scenario:
    """A copy of `scenario` with fields changed by address, validated again.

    `{"staff.experienced.count": 13, "policy": "need-weighted"}` changes two fields; staff
    groups are addressed by role (sim.addresses).
    """
    data = apply_changes(scenario.model_dump(mode="python"), changes)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = tuple(first["loc"]) + tuple(
            getattr((first.get("ctx") or {}).get("error"), "where", ())
        )
        field = readable_field(data, ".".join(str(p) for p in where))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ScenarioError(path="<changes>", message=message, field=field) from None


__all__ = [
    "ScenarioError",
    "load_scenario",
    "resolve_named_file",
    "resolve_scenario_path",
    "scenario_hash",
    "scenario_path",
    "scenario_with",
    "scenarios_dir",
]
