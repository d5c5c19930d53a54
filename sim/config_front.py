"""Settings for what the front door is told, what help it can give, and how its workers
hold on to a first view.

Three scenario sections (sim/config.py assembles them with the rest):

- `presenting`: the concern a referral names, drawn from the family's hidden harm by a
  table of shares (report 4.2, 4.4: neglect and emotional harm arrive looking like
  something else). The shares are modelling judgement.
- `family_support`: how many children in need the family support team can take on in a
  working day, and how long a family waits before the case is closed unhelped (report
  4.4: the needs that are not obviously urgent wait). Unlimited by default.
- `decisions`: a first impression that sticks unless new evidence passes a bar, requests
  from parents weighed below professionals' referrals, and whether the out-of-hours
  team's decisions are graded (report 4.3, 4.4, 4.7).

Every number carries its bounds; a row of shares must add up to 1.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.vocabulary import Concern, HarmType

MAX_STARTS = 10_000.0
MAX_WAIT_DAYS = 3650.0
SHARE_TOLERANCE = 1e-3
Share = Annotated[float, Field(ge=0, le=1)]


class FrontSection(BaseModel):
    """The same rules as every scenario section (sim.config_base.Section)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _default_mix() -> dict[HarmType, dict[Concern, float]]:
    """Judgement, after report 4.2 and 4.4: injuries and disclosures are what physical and
    sexual harm mostly look like at referral; neglect and emotional harm mostly come in as
    a housing problem, a missed appointment, a child's behaviour at school or a domestic
    incident, and are named as such only now and then."""
    return {
        "physical": {
            "physical": 0.6,
            "domestic_incident": 0.15,
            "behaviour_at_school": 0.1,
            "sexual": 0.05,
            "missed_appointment": 0.05,
            "none": 0.05,
        },
        "sexual": {
            "sexual": 0.55,
            "behaviour_at_school": 0.2,
            "physical": 0.1,
            "emotional": 0.05,
            "none": 0.1,
        },
        "neglect": {
            "neglect": 0.2,
            "housing": 0.2,
            "missed_appointment": 0.2,
            "behaviour_at_school": 0.15,
            "physical": 0.1,
            "domestic_incident": 0.05,
            "none": 0.1,
        },
        "emotional": {
            "emotional": 0.15,
            "domestic_incident": 0.35,
            "behaviour_at_school": 0.25,
            "physical": 0.05,
            "missed_appointment": 0.05,
            "none": 0.15,
        },
        "none": {
            "housing": 0.2,
            "behaviour_at_school": 0.2,
            "domestic_incident": 0.15,
            "missed_appointment": 0.1,
            "neglect": 0.1,
            "physical": 0.1,
            "emotional": 0.05,
            "none": 0.1,
        },
    }


class Presenting(FrontSection):
    """The concern a referral names, by the family's hidden harm (judgement)."""

    mix: dict[HarmType, dict[Concern, Share]] = Field(
        default_factory=_default_mix,
        description="For each hidden harm type, the share of referrals that name each "
        "concern (each row adds up to 1). A harm type left out is referred as 'none'.",
    )

    @model_validator(mode="after")
    def _rows_are_shares(self) -> Presenting:
        for harm, row in self.mix.items():
            total = math.fsum(row.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                raise ValueError(f"mix.{harm} must add up to 1 (it adds up to {total:.4g})")
        return self


class FamilySupport(FrontSection):
    """How fast the family support team can take on children in need (report 2.6, 4.4)."""

    starts_per_working_day: float | None = Field(
        None,
        gt=0,
        le=MAX_STARTS,
        description="New children in need the family support team can take on in a working "
        "day (a worker found, a first visit booked). None: as many as come (no waiting "
        "list). Child protection plans are never rationed.",
    )
    max_wait_days: float | None = Field(
        None,
        gt=0,
        le=MAX_WAIT_DAYS,
        description="Days a child in need waits for the family support team before the case "
        "is closed unhelped. None: it waits as long as it takes.",
    )


class Decisions(FrontSection):
    """How decisions stick and whose word counts (report 4.3, 4.4, 4.7)."""

    anchoring: bool = Field(
        True,
        description="A duty worker's first impression of a referral sticks: the checks' "
        "findings change the reading only when they pass the revision bar.",
    )
    revise_base: float = Field(
        0.08,
        ge=0,
        le=1,
        description="Rise in believed risk the checks must show before a first impression is "
        "revised (judgement).",
    )
    revise_confidence_gain: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Extra rise needed when the first impression was clear-cut (far from any "
        "threshold), times that clarity from 0 to 1 (judgement).",
    )
    revise_workload_gain: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Extra rise needed under pressure, times the pressure from 0 (room to "
        "think) to 1 (a full caseload or a team behind) (judgement).",
    )
    parent_request_weight: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Weight a duty worker gives what a parent or relative says, relative to a "
        "professional's referral (judgement; report 4.4).",
    )
    parents_heard_equally: bool = Field(
        False, description="On: parents' requests weigh as much as professionals' referrals."
    )
    grade_out_of_hours: bool = Field(
        True,
        description="The out-of-hours team's decision (act tonight, or leave it to the day "
        "team) is a barrier test graded against the truth, like the day team's.",
    )
