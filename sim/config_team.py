"""The team and its staffing: the `staff`, `staffing` and `out_of_hours` sections.

`staff` lists the groups of workers (role, count, caseload cap, duty) and how much they
misread risk; `staffing` sets turnover, local knowledge, the front door's design
(central or patch teams) and corner-cutting; `out_of_hours` is the emergency duty team
and its handovers back to the day team.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config_base import (
    MAX_CASELOAD,
    MAX_WORKERS,
    Probability,
    Section,
    SettingError,
    Spread,
    upper_limit,
)
from sim.vocabulary import ROLES, Role


class StaffGroup(Section):
    role: Role = Field(description="Role of the workers in this group.")
    count: int = Field(
        ge=0,
        le=MAX_WORKERS,
        description="How many workers of this kind are on the team.",
        json_schema_extra=upper_limit(
            "a front door has tens of workers; thousands is a typing mistake"
        ),
    )
    caseload_cap: int = Field(
        0,
        ge=0,
        le=MAX_CASELOAD,
        description="Most assessments one worker holds at once (0: holds no cases).",
        json_schema_extra=upper_limit("no worker can hold hundreds of assessments at once"),
    )
    duty: bool = Field(False, description="Takes turns on the duty desk screening referrals.")


class Staff(Section):
    groups: list[StaffGroup] = Field(
        min_length=1,
        max_length=len(ROLES),
        description="The team, one group per role. A file that extends another changes a "
        "role's group by giving that role again (count: 0 takes it out); on the command line "
        "a group is named by its role, e.g. staff.experienced.count.",
    )
    judgement_error_sd: dict[Role, Spread] = Field(
        description="Spread of a worker's misreading of risk, by role (experience lowers it)."
    )
    workload_error_gain: float = Field(
        0.5, ge=0, le=10, description="Extra misreading per unit of caseload beyond 80% of the cap."
    )
    time_pressure_error_gain: float = Field(
        0.3, ge=0, le=10, description="Extra misreading when the team is behind its timescales."
    )
    behind_backlog_share: float = Field(
        0.1,
        ge=0,
        le=1e9,  # verification sets it this high so the team is never behind
        description="The team counts as behind (under time pressure) when more cases wait for "
        "allocation than this share of its case places.",
    )

    @model_validator(mode="after")
    def _workable(self) -> Staff:
        seen: dict[str, int] = {}
        for index, group in enumerate(self.groups):
            if group.role in seen:
                raise SettingError(
                    f"role {group.role!r} is given twice (groups {seen[group.role]} and {index}); "
                    "give each role one group",
                    "groups",
                    index,
                    "role",
                )
            seen[group.role] = index
        if not any(g.count > 0 and g.caseload_cap > 0 for g in self.groups):
            raise ValueError("at least one group must hold cases (count > 0 and caseload_cap > 0)")
        missing = sorted({g.role for g in self.groups} - set(self.judgement_error_sd))
        if missing:
            raise ValueError(f"judgement_error_sd needs a value for {', '.join(missing)}")
        return self


class Staffing(Section):
    """Turnover, memory of families, and the shape of the front door (report 4.5, 4.8)."""

    turnover_per_year: float = Field(
        0.15,
        ge=0,
        le=12,
        description="Share of workers who leave in a year; newcomers start fresh.",
    )
    local_knowledge: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Chance a long-serving worker recognises a known family the database missed.",
    )
    design: Literal["central", "patch"] = Field(
        "central", description="One central team, or local patch teams."
    )
    patches: int = Field(
        3,
        ge=1,
        le=100,
        description="Number of patch teams when design is patch.",
        json_schema_extra=upper_limit("each patch team needs workers of its own"),
    )
    patch_local_knowledge: float = Field(
        0.5, ge=0, le=1, description="Local knowledge in a patch team, which knows its area."
    )
    corner_cutting: float = Field(
        0.3, ge=0, le=1, description="Chance each check is skipped when the team is behind."
    )
    patch_rapport_bonus: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Extra rapport a patch team has with its local schools, health visitors "
        "and police, who know its workers.",
    )


class OutOfHours(Section):
    """The emergency duty team and the handover back to the day team (report 4.7, 4.8)."""

    enabled: bool = Field(True, description="Referrals out of hours go to the EDT first.")
    edt_staff: int = Field(2, ge=0, le=MAX_WORKERS, description="EDT workers on shift.")
    edt_judgement_error_sd: float = Field(
        0.12, ge=0, le=1, description="Misreading by an EDT worker who does not know the family."
    )
    urgent_risk: float = Field(
        0.5, ge=0, le=1, description="Believed risk at or above which the EDT acts that night."
    )
    see_child_probability: float = Field(
        0.5, ge=0, le=1, description="Chance an EDT visit actually sees the child."
    )
    handover: Literal["unstructured", "structured"] = Field(
        "unstructured", description="How the EDT hands cases back to the day team."
    )
    visit_handed_over: bool = Field(
        False,
        description=(
            "The EDT visits each case the day desk left undecided; it sees the child only"
            " if the written handover kept the most worrying fact."
        ),
    )
    fact_loss: dict[Literal["unstructured", "structured"], Probability] = Field(
        default_factory=lambda: dict[Literal["unstructured", "structured"], float](
            {"unstructured": 0.3, "structured": 0.05}
        ),
        description="Chance each fact is lost at a handover, by handover style.",
    )
