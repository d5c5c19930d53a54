"""Where the workbench's scenario comes from, and the levers a manager changes on it.

A scenario is a bundled file or an upload. An upload is size-limited, written to a
private temporary folder and read by `sim.loader.load_scenario`, the loader behind
`frontdoor validate`, so it gets the same safe YAML parsing and the same one-line error
with line and column. It may extend a bundled scenario by name, nothing else on the
server.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from frontdoor.workbench.levers import (
    Lever,
    apply_changes,
    default_source,
    levers_for,
    line_comments,
    out_of_range,
    value_at,
)
from sim.config import Scenario
from sim.loader import load_scenario, scenario_with, scenarios_dir
from sim.yamlsafe import PositionMap, ScenarioError, read_document

MAX_UPLOAD_BYTES = 256 * 1024


@dataclass(frozen=True, kw_only=True)
class Source:
    """A loaded scenario and what is known of its file (for the defaults' sources)."""

    ident: str
    scenario: Scenario
    positions: PositionMap
    comments: dict[int, str]


def bundled_names() -> list[str]:
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


@st.cache_resource(show_spinner=False)
def bundled_source(name: str) -> Source:
    path = scenarios_dir() / f"{name}.yaml"
    _, positions = read_document(path)
    return Source(
        ident=f"bundled:{name}",
        scenario=load_scenario(path),
        positions=positions,
        comments=line_comments(path),
    )


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(name).name)[:80] or "upload.yaml"
    return stem if stem.endswith((".yaml", ".yml")) else stem + ".yaml"


def _check_extends(path: Path) -> None:
    """An upload may extend only a bundled scenario, named without a folder."""
    data, positions = read_document(path, max_bytes=MAX_UPLOAD_BYTES)
    base = data.get("extends") if isinstance(data, dict) else None
    if base is None:
        return
    bundled = {p.name for p in scenarios_dir().glob("*.yaml")} | set(bundled_names())
    if not isinstance(base, str) or base not in bundled:
        line, column = positions.get(("extends",), (None, None))
        raise ScenarioError(
            str(path),
            "an uploaded scenario may extend only a bundled scenario, by name "
            f"({', '.join(bundled_names())})",
            line,
            column,
            "extends",
        )


def uploaded_source(name: str, payload: bytes) -> tuple[Source | None, str | None]:
    """The upload as a scenario, or None and the loader's error (file, line, column)."""
    if len(payload) > MAX_UPLOAD_BYTES:
        return (
            None,
            f"{name}: the file is {len(payload):,} bytes; uploads are limited to "
            f"{MAX_UPLOAD_BYTES:,} bytes",
        )
    with tempfile.TemporaryDirectory(prefix="frontdoor-upload-") as folder:
        path = Path(folder) / _safe_name(name)
        path.write_bytes(payload)
        try:
            _check_extends(path)
            scenario = load_scenario(path)
            _, positions = read_document(path, max_bytes=MAX_UPLOAD_BYTES)
        except ScenarioError as exc:
            return None, str(exc).replace(folder + "/", "")
        comments = line_comments(path)
    import hashlib

    ident = "upload:" + hashlib.sha256(payload).hexdigest()[:12]
    return Source(ident=ident, scenario=scenario, positions=positions, comments=comments), None


def _widget(lever: Lever, default: Any, key: str) -> Any:
    label = f"{lever.label} ({lever.unit})"
    if lever.kind == "bool":
        return st.checkbox(label, value=bool(default), key=key, help=lever.help)
    if lever.kind == "choice":
        options = list(lever.choices)
        return st.selectbox(
            label, options, index=options.index(str(default)), key=key, help=lever.help
        )
    if lever.kind == "int":
        return int(st.number_input(label, value=int(default), step=1, key=key, help=lever.help))
    return float(
        st.number_input(
            label, value=float(default), step=lever.step, key=key, format="%g", help=lever.help
        )
    )


def _shown(value: Any) -> str:
    if isinstance(value, bool):  # as the lever's range says it: yes or no
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lever_panel(source: Source) -> tuple[dict[str, Any], dict[str, str]]:
    """Every lever as a labelled widget with its unit, range and source; returns the
    changed values and the problems found so far (range problems, keyed by path)."""
    changes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    levers = levers_for(source.scenario)
    slots: dict[str, Any] = {}
    for group in ("Run", "Staff", "Thresholds", "Ways of working", "Costs"):
        with st.expander(group, expanded=group in ("Run", "Staff")):
            for lever in (lv for lv in levers if lv.group == group):
                default = value_at(source.scenario, lever.path)
                value = _widget(lever, default, key=f"lever|{source.ident}|{lever.path}")
                st.caption(
                    f"allowed: {lever.allowed()} · default {_shown(default)} · "
                    f"{default_source(lever, source.positions, source.comments)}"
                )
                slots[lever.path] = (st.empty(), lever.label)
                problem = out_of_range(lever, value)
                if problem:
                    problems[lever.path] = problem
                elif value != default:
                    changes[lever.path] = value
    st.session_state["_lever_slots"] = slots
    notes = []
    if not source.scenario.agency_decisions.enabled:
        notes.append(
            "Other agencies take no decisions of their own in this scenario, so there are no "
            "levers for agreements with them."
        )
    if source.scenario.costs is None:
        notes.append("This scenario has no costs section, so there are no cost levers.")
    if notes:
        st.caption(" ".join(notes))
    return changes, problems


def show_problems(problems: dict[str, str]) -> None:
    """Each problem under the widget it belongs to; the rest above the run button."""
    slots: dict[str, Any] = st.session_state.get("_lever_slots", {})
    for path, message in problems.items():
        if path in slots:
            slot, label = slots[path]
            slot.error(f"{label}: {message} ({path})")
        else:
            st.error(f"This combination is not allowed: {message}")


def scenarios_to_run(
    source: Source, changes: dict[str, Any]
) -> tuple[Scenario | None, Scenario | None, dict[str, str]]:
    """(baseline, policy, problems). The run's length applies to both; the policy gets
    every change and a name of its own."""
    run_changes = {p: v for p, v in changes.items() if p.startswith("run.")}
    baseline, problems = apply_changes(source.scenario, run_changes)
    if baseline is None:
        return None, None, problems
    rest = {p: v for p, v in changes.items() if not p.startswith("run.")}
    policy, problems = apply_changes(baseline, rest)
    if policy is None:
        return baseline, None, problems
    return baseline, scenario_with(policy, {"name": f"{source.scenario.name}-policy"}), {}
