"""What a team and its work cost: the optional `costs:` section of a scenario.

Costs are read by the analysis from the event log (who was employed, how many
assessments, plans and serious incidents there were); the model never reads them, so
adding or changing this section leaves every event log as it was.

Every amount is in pounds at the price year its source states (`price_note` says which;
figures from different years are not uprated). The baseline scenario gives the sources.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.vocabulary import ROLES

__all__ = ["Costs"]

_MOST = 10_000_000.0  # no unit cost in a team's budget comes near ten million pounds


class Costs(BaseModel):
    """Unit costs for the analysis's `cost_per_year` KPI."""

    # The same rules as every scenario section (sim.config_base.Section): no coercion, no inf/NaN.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    price_note: str = Field(
        "", max_length=500, description="Where the figures come from and their price year."
    )
    staff_per_year: dict[str, Annotated[float, Field(ge=0, le=_MOST)]] = Field(
        default_factory=dict,
        description="Cost a year of one member of staff of each role: salary, on-costs "
        "(employer's national insurance and pension) and overheads.",
    )
    agency_workers: int = Field(
        0, ge=0, le=1000, description="Agency social workers paid for on top of the team."
    )
    agency_worker_per_year: float = Field(
        0.0, ge=0, le=_MOST, description="Cost a year of one agency social worker."
    )
    assessment: float = Field(
        0.0, ge=0, le=_MOST, description="Cost of one assessment beyond staff time."
    )
    child_protection_plan: float = Field(
        0.0, ge=0, le=_MOST, description="Cost of one child protection plan started."
    )
    child_in_care_per_week: float = Field(
        0.0,
        ge=0,
        le=_MOST,
        description="Cost of a child in care for a week (the model places no child in "
        "care yet, so this adds nothing to a run's cost today).",
    )
    serious_case_review: float = Field(
        0.0, ge=0, le=_MOST, description="Cost of the review after one serious incident."
    )

    @field_validator("staff_per_year")
    @classmethod
    def _known_roles_and_bounded(cls, value: dict[str, float]) -> dict[str, float]:
        for role, amount in value.items():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
            if not 0 <= amount <= _MOST:
                raise ValueError(f"{role}: cost a year must be between 0 and {_MOST:,.0f}")
        return value
