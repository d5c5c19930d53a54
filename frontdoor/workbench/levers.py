"""The levers a manager owns, read from the scenario schema rather than copied.

Each lever names a dotted path into a scenario (the same paths `frontdoor sweep --vary`
takes), and takes its allowed range, its choices and its description from the pydantic
field behind that path in `sim.config`. The default shown is the chosen scenario's own
value, with the comment on its line of the scenario file as its source when there is
one, and otherwise the schema's default (a modelling judgement) or the file's value.

Changes are applied with `sim.loader.scenario_with`, the function `frontdoor sweep`
uses, so a combination the schema refuses is refused here with the same message.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from sim.config import Scenario
from sim.loader import scenario_with
from sim.vocabulary import ROLES
from sim.yamlsafe import ScenarioError

LeverKind = Literal["int", "float", "bool", "choice"]
Group = Literal["Run", "Staff", "Thresholds", "Ways of working", "Costs"]


@dataclass(frozen=True, kw_only=True)
class Lever:
    """One setting a manager may change, with everything a widget needs to show it."""

    path: str
    group: Group
    label: str
    unit: str
    kind: LeverKind
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    choices: tuple[str, ...] = ()
    step: float | None = None
    key: tuple[str | int, ...] = ()  # where the setting sits in the file (groups by place)

    def allowed(self) -> str:
        """The allowed range in words, straight from the schema's bounds."""
        if self.kind == "bool":
            return "yes or no"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        sign = ">" if self.exclusive_min else "≥"
        low = "" if self.minimum is None else f"{sign} {_num(self.minimum)}"
        high = "" if self.maximum is None else f"≤ {_num(self.maximum)}"
        return " and ".join(part for part in (low, high) if part) or "any number"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _field(path: str) -> Any:
    """The pydantic FieldInfo behind a dotted path (a staff group is named by its role)."""
    model: type[BaseModel] = Scenario
    info: Any = None
    for part in path.split("."):
        if part in ROLES:
            part = "groups"
        info = model.model_fields[part]
        inner = _model_inside(info.annotation)
        if inner is not None:
            model = inner
    return info


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    """The section model an annotation holds, directly or as a list's items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_inside(arg)
        if found is not None:
            return found
    return None


def bounds(path: str) -> tuple[float | None, float | None, bool]:
    """(lowest, highest, lowest excluded) of the field at `path`, from its constraints."""
    low: float | None = None
    high: float | None = None
    exclusive = False
    for meta in _field(path).metadata:
        if getattr(meta, "ge", None) is not None:
            low = float(meta.ge)
        if getattr(meta, "gt", None) is not None:
            low, exclusive = float(meta.gt), True
        if getattr(meta, "le", None) is not None:
            high = float(meta.le)
        if getattr(meta, "lt", None) is not None:
            high = float(meta.lt)
    return low, high, exclusive


def choices(path: str) -> tuple[str, ...]:
    """The values a Literal field allows."""
    return tuple(str(v) for v in typing.get_args(_field(path).annotation))


def describe(path: str) -> str:
    return str(_field(path).description or "")


def _lever(
    path: str,
    group: Group,
    label: str,
    unit: str,
    kind: LeverKind,
    key: tuple[str | int, ...] | None = None,
) -> Lever:
    low, high, exclusive = bounds(path) if kind in ("int", "float") else (None, None, False)
    return Lever(
        path=path,
        group=group,
        label=label,
        unit=unit,
        kind=kind,
        help=describe(path),
        minimum=low,
        maximum=high,
        exclusive_min=exclusive,
        choices=choices(path) if kind == "choice" else (),
        step=(0.01 if high is not None and high <= 1 else 1.0) if kind == "float" else None,
        key=key if key is not None else tuple(path.split(".")),
    )


THRESHOLD_LEVERS: tuple[tuple[str, str, str], ...] = (
    ("thresholds.screen_in_risk", "Screen in at believed risk", "risk, 0-1 scale"),
    ("thresholds.screen_in_need", "Screen in at believed need", "need, 0-1 scale"),
    ("thresholds.child_protection_risk", "Child protection at believed risk", "risk, 0-1 scale"),
    ("thresholds.child_in_need_risk", "Child in need at believed risk", "risk, 0-1 scale"),
    ("thresholds.child_in_need_need", "Child in need at believed need", "need, 0-1 scale"),
)
WAYS_OF_WORKING: tuple[tuple[str, str, str, LeverKind], ...] = (
    ("policy", "Prioritising waiting cases", "policy", "choice"),
    ("out_of_hours.handover", "Handover from the night team", "style", "choice"),
    ("case_files.digitised", "Paper files digitised", "yes/no", "bool"),
    ("database.matching", "Name matching on the database", "method", "choice"),
    ("reporting.culture", "Reporting culture", "culture", "choice"),
    ("reporting.reporting_system", "Near-miss reporting system", "yes/no", "bool"),
    ("learning.enabled", "Reviews that learn from reported incidents", "yes/no", "bool"),
    (
        "decisions.parents_heard_equally",
        "Parents' requests weigh as much as professionals'",
        "yes/no",
        "bool",
    ),
)
# Agreements with other agencies: levers only where other agencies take decisions of
# their own, since without that they change nothing.
AGENCY_LEVERS: tuple[tuple[str, str, str, LeverKind], ...] = (
    (
        "agency_decisions.notification_agreement",
        "Notification agreements with agencies",
        "yes/no",
        "bool",
    ),
    ("agency_decisions.joint_thresholds", "Thresholds agreed with agencies", "yes/no", "bool"),
    ("agency_decisions.named_liaison", "A named contact in each agency", "yes/no", "bool"),
)
COST_LEVERS: tuple[tuple[str, str, str, LeverKind], ...] = (
    ("costs.agency_workers", "Agency social workers on top of the team", "workers", "int"),
    ("costs.agency_worker_per_year", "Cost of an agency social worker", "£ a year", "float"),
    ("costs.assessment", "Cost of an assessment beyond staff time", "£", "float"),
    ("costs.child_protection_plan", "Cost of a child protection plan", "£", "float"),
    ("costs.serious_case_review", "Cost of a serious case review", "£", "float"),
)
RUN_LEVERS: tuple[tuple[str, str, str], ...] = (
    ("run.horizon_days", "Measured period", "days"),
    ("run.warm_up_days", "Warm-up before measuring", "days"),
)


def levers_for(scenario: Scenario) -> list[Lever]:
    """Every lever for this scenario: one count per staff group, a cap per case-holding
    group, the thresholds, the ways of working (agreements with other agencies where they
    take decisions of their own), the run length and, when the scenario has a costs
    section, its unit costs and agency workers."""
    out = [_lever(p, "Run", label, unit, "float") for p, label, unit in RUN_LEVERS]
    for i, group in enumerate(scenario.staff.groups):
        role = group.role.replace("_", " ")
        # Addressed by role, as `frontdoor sweep --vary` addresses them.
        where = ("staff", "groups", i)
        out.append(
            _lever(
                f"staff.{group.role}.count",
                "Staff",
                f"{role}: staff",
                "workers",
                "int",
                key=(*where, "count"),
            )
        )
        if group.caseload_cap > 0:
            out.append(
                _lever(
                    f"staff.{group.role}.caseload_cap",
                    "Staff",
                    f"{role}: caseload cap",
                    "assessments per worker",
                    "int",
                    key=(*where, "caseload_cap"),
                )
            )
    out += [_lever(p, "Thresholds", label, unit, "float") for p, label, unit in THRESHOLD_LEVERS]
    out += [
        _lever(p, "Ways of working", label, unit, kind) for p, label, unit, kind in WAYS_OF_WORKING
    ]
    if scenario.agency_decisions.enabled:
        out += [
            _lever(p, "Ways of working", label, unit, kind)
            for p, label, unit, kind in AGENCY_LEVERS
        ]
    if scenario.costs is not None:  # the section is optional: no costs, no cost levers
        out += [_lever(p, "Costs", label, unit, kind) for p, label, unit, kind in COST_LEVERS]
    return out


def value_at(scenario: Scenario, path: str) -> Any:
    target: Any = scenario
    for part in path.split("."):
        if part in ROLES and hasattr(target, "groups"):
            target = next(g for g in target.groups if g.role == part)
        else:
            target = getattr(target, part)
    return target


def out_of_range(lever: Lever, value: Any) -> str | None:
    """Why a number does not fit the lever's schema bounds, or None when it does."""
    if lever.kind not in ("int", "float"):
        return None
    if not isinstance(value, int | float) or math.isnan(float(value)):
        return "a number is needed"
    if lever.minimum is not None:
        if value < lever.minimum or (lever.exclusive_min and value == lever.minimum):
            return f"must be {lever.allowed()}"
    if lever.maximum is not None and value > lever.maximum:
        return f"must be {lever.allowed()}"
    return None


def apply_changes(
    scenario: Scenario, changes: dict[str, Any]
) -> tuple[Scenario | None, dict[str, str]]:
    """The changed scenario, or None and the problems keyed by the lever path they belong
    to ("" for a problem of the whole combination)."""
    if not changes:
        return scenario, {}
    try:
        return scenario_with(scenario, changes), {}
    except ScenarioError as exc:
        field = exc.field or ""
        key = field if field in changes else _owning_lever(field, changes)
        return None, {key: exc.message}


def _owning_lever(field: str, changes: dict[str, Any]) -> str:
    """The changed path a schema error points into (a section's own check names the
    section), else "" for the combination as a whole."""
    for path in changes:
        if path.startswith(field + ".") or field.startswith(path + "."):
            return path
    return ""


def line_comments(path: str | Path) -> dict[int, str]:
    """Trailing `# ...` comments of a YAML file by line number (1-based)."""
    out: dict[int, str] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for number, line in enumerate(lines, start=1):
        head, sep, comment = line.partition(" #")
        if sep and head.strip() and comment.strip() and head.count('"') % 2 == 0:
            out[number] = comment.strip()
    return out


def default_source(
    lever: Lever, positions: dict[tuple[str | int, ...], tuple[int, int]], comments: dict[int, str]
) -> str:
    """Where the default comes from: the file's comment on that setting, else the file,
    else the schema's default (a modelling judgement)."""
    key = lever.key
    if key not in positions:
        parent = key[:-1]
        if parent in positions and positions[parent][0] in comments:
            return f"scenario file: {comments[positions[parent][0]]}"
        return "schema default (modelling judgement)"
    line = positions[key][0]
    if line in comments:
        return f"scenario file: {comments[line]}"
    return "scenario file (no source given: modelling judgement)"
