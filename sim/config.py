"""The typed scenario: every parameter of one front-door team, validated.

A scenario file is YAML that maps onto `Scenario`. Models are frozen (a run cannot
change its scenario) and refuse unknown fields, so a misspelt parameter is an error,
not a silent default. Every field carries a description; `frontdoor schema` turns them
into a JSON Schema that editors use for completion, and the README documents them.

Risk, need and the thresholds are on a 0-1 scale: 0 is no concern at all, 1 is the most
serious concern the team ever sees.

This module holds the run's length and calendar and assembles `Scenario` from the
sections, each defined with its own concept:

- `sim/config_base.py`: the rules every section follows, shared bounds, `SettingError`;
- `sim/config_arrivals.py`: `arrivals`, `concerns`;
- `sim/config_families.py`: `families`, `truth`, `harm`;
- `sim/config_team.py`: `staff`, `staffing`, `out_of_hours`;
- `sim/config_casework.py`: `thresholds`, `screening`, `team_leader_review`, `timescales`,
  `assessment`, `visits`, `services`, `long_term`;
- `sim/config_information.py`: `case_files`, `database`, `agencies`;
- `sim/config_agency_decisions.py`: `agency_decisions`;
- `sim/learning_config.py`: `reporting`, `learning`;
- `sim/config_front.py`: `presenting`, `family_support`, `decisions`;
- `sim/config_scripted.py`: `scripted` (training exercises);
- `sim/costs.py`: `costs`.

Every section is importable from here too (`from sim.config import Thresholds`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.config_agency_decisions import ActSpec, AgencyDecisions, NoticeSpec
from sim.config_arrivals import Arrivals, Concerns, SourceSpec, Surge
from sim.config_base import MAX_DAYS, Beta, Section, SettingError, upper_limit
from sim.config_casework import (
    Assessment,
    LongTermCases,
    Screening,
    Services,
    TeamLeaderReview,
    Thresholds,
    Timescales,
    Visits,
)
from sim.config_families import Families, Harm, Truth
from sim.config_front import Decisions, FamilySupport, Presenting
from sim.config_information import Agencies, AgencySpec, CaseFiles, Database
from sim.config_scripted import ScriptedFamily, ScriptedReferral
from sim.config_team import OutOfHours, Staff, StaffGroup, Staffing
from sim.costs import Costs
from sim.learning_config import CULTURES, Culture, Learning, Reporting
from sim.vocabulary import Agency

__all__ = [
    "CULTURES",
    "ActSpec",
    "Agencies",
    "Agency",
    "AgencyDecisions",
    "AgencySpec",
    "Assessment",
    "Beta",
    "Calendar",
    "CaseFiles",
    "Concerns",
    "Costs",
    "Culture",
    "Database",
    "Decisions",
    "Families",
    "FamilySupport",
    "Harm",
    "Learning",
    "LongTermCases",
    "NoticeSpec",
    "OutOfHours",
    "Policy",
    "Presenting",
    "Reporting",
    "Run",
    "Scenario",
    "Screening",
    "ScriptedFamily",
    "ScriptedReferral",
    "Section",
    "Services",
    "SettingError",
    "SourceSpec",
    "Staff",
    "StaffGroup",
    "Staffing",
    "Surge",
    "TeamLeaderReview",
    "Thresholds",
    "Timescales",
    "Truth",
    "Visits",
]

Policy = Literal["fifo", "immediate-harm-first", "need-weighted"]


class Run(Section):
    horizon_days: float = Field(
        365.0,
        gt=0,
        le=MAX_DAYS,
        description="Length of the measured period, in days, after the warm-up.",
        json_schema_extra=upper_limit("a run of more than a hundred years is a typing mistake"),
    )
    warm_up_days: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description="Days simulated before measurement starts (the team fills up).",
        json_schema_extra=upper_limit("a warm-up of more than a hundred years is a typing mistake"),
    )
    max_referrals: int | None = Field(
        None,
        gt=0,
        le=100_000_000,
        description="Stop generating outside referrals after this many (verification).",
    )
    warm_up: Literal["fixed", "mser5"] = Field(
        "fixed",
        description="fixed: measure after warm_up_days; mser5: let the analysis choose the "
        "truncation point of each replication by MSER-5 on its daily backlog.",
    )


class Calendar(Section):
    open_hour: float = Field(9.0, ge=0, lt=24, description="Hour the team starts work.")
    close_hour: float = Field(17.0, gt=0, le=24, description="Hour the team stops work.")
    always_open: bool = Field(
        False, description="Work round the clock, seven days a week (verification only)."
    )

    @field_validator("close_hour")
    @classmethod
    def _hours_in_order(cls, close: float, info: ValidationInfo) -> float:
        opening = info.data.get("open_hour")
        if opening is not None and close <= opening:
            raise ValueError(f"close_hour must be later than open_hour ({opening})")
        return close


class Scenario(Section):
    extends: str | None = Field(
        None,
        description="A scenario file (a bundled name, or a .yaml file under this file's folder "
        "or a --scenario-path folder) whose settings this file starts from; this file then "
        "gives only what it changes. Settings merge key by key; staff groups merge by role.",
    )
    name: str = Field(min_length=1, description="Short name of the scenario.")
    description: str = Field("", description="What the scenario represents.")
    policy: Policy = Field("immediate-harm-first", description="How waiting cases are prioritised.")
    run: Run = Field(default_factory=Run, description="Length of the run.")
    calendar: Calendar = Field(default_factory=Calendar, description="The team's open hours.")
    arrivals: Arrivals = Field(description="Referrals from outside.")
    families: Families = Field(description="The hidden truth of referred families.")
    truth: Truth = Field(default_factory=Truth, description="Levels of the hidden truth.")
    thresholds: Thresholds = Field(default_factory=Thresholds, description="The team's thresholds.")
    staff: Staff = Field(description="The team.")
    screening: Screening = Field(default_factory=Screening, description="The duty desk.")
    timescales: Timescales = Field(default_factory=Timescales, description="Timescales.")
    assessment: Assessment = Field(default_factory=Assessment, description="Assessments.")
    services: Services = Field(default_factory=Services, description="What plans do.")
    harm: Harm = Field(default_factory=Harm, description="How harm happens.")
    concerns: Concerns = Field(default_factory=Concerns, description="Re-referrals.")
    case_files: CaseFiles = Field(default_factory=CaseFiles, description="Paper files.")
    database: Database = Field(default_factory=Database, description="The electronic record.")
    agencies: Agencies = Field(default_factory=Agencies, description="Other agencies.")
    agency_decisions: AgencyDecisions = Field(
        default_factory=AgencyDecisions, description="Other agencies' own decisions."
    )
    visits: Visits = Field(default_factory=Visits, description="Seeing the child.")
    team_leader_review: TeamLeaderReview = Field(
        default_factory=TeamLeaderReview, description="Supervision of decisions."
    )
    out_of_hours: OutOfHours = Field(default_factory=OutOfHours, description="The EDT.")
    long_term: LongTermCases = Field(default_factory=LongTermCases, description="Long-term cases.")
    staffing: Staffing = Field(default_factory=Staffing, description="Turnover and design.")
    reporting: Reporting = Field(default_factory=Reporting, description="Reporting culture.")
    presenting: Presenting = Field(
        default_factory=Presenting, description="The concern a referral names."
    )
    family_support: FamilySupport = Field(
        default_factory=FamilySupport, description="Places for children in need."
    )
    decisions: Decisions = Field(
        default_factory=Decisions, description="First impressions, parents, the night team."
    )
    learning: Learning = Field(
        default_factory=Learning, description="Reviews that repair latent conditions."
    )
    scripted: list[ScriptedReferral] = Field(
        default_factory=list, description="Referrals with a fixed truth (training exercises)."
    )
    costs: Costs | None = Field(None, description="Unit costs for the cost KPIs (analysis only).")

    @model_validator(mode="after")
    def _every_stage_served(self) -> Scenario:
        """Refuse a team that leaves some referrals waiting for ever."""
        groups = self.staff.groups
        if self.screening.enabled and not any(g.duty and g.count > 0 for g in groups):
            raise SettingError(
                "nobody is on duty (no group with count > 0 has duty: true), so no referral "
                "would ever be screened; give a group duty: true or switch screening off",
                "staff",
                "groups",
            )
        if self.staffing.design == "patch":
            holding = _patches_with_case_holders(groups, self.staffing.patches)
            empty = [p for p in range(self.staffing.patches) if p not in holding]
            if empty:
                raise SettingError(
                    f"patch team {empty[0]} would have nobody who holds cases, so its cases "
                    f"would never be allocated; use fewer patches than {self.staffing.patches} "
                    "or more workers with a caseload_cap",
                    "staffing",
                    "patches",
                )
        return self


def _patches_with_case_holders(groups: list[StaffGroup], patches: int) -> set[int]:
    """The patch teams that get a case holder when workers are dealt round like cards.

    The same deal as the model's: case holders and duty workers take seats in turn.
    """
    holding: set[int] = set()
    seat = 0
    for group in groups:
        for _ in range(group.count):
            if group.caseload_cap > 0 or group.duty:
                if group.caseload_cap > 0:
                    holding.add(seat % patches)
                seat += 1
    return holding
