"""The typed scenario: every parameter of one front-door team, validated.

A scenario file is YAML that maps onto `Scenario`. Models are frozen (a run cannot
change its scenario) and refuse unknown fields, so a misspelt parameter is an error,
not a silent default. Every field carries a description; `frontdoor schema` turns them
into a JSON Schema that editors use for completion, and the README documents them.

Risk, need and the thresholds are on a 0-1 scale: 0 is no concern at all, 1 is the most
serious concern the team ever sees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sim.config_front import Decisions, FamilySupport, Presenting
from sim.costs import Costs
from sim.learning_config import Learning
from sim.vocabulary import (
    HARM_TYPES,
    ROLES,
    ActingAgency,
    Agency,
    Concern,
    FileLocation,
    HarmType,
    NameOrigin,
    NotifyingAgency,
    Role,
    Source,
)

Policy = Literal["fifo", "immediate-harm-first", "need-weighted"]


# Bounds shared by many settings. Numbers are strict (no text or true/false read as a
# number) and finite everywhere (Section's config refuses inf and NaN).
MAX_DAYS = 36_500.0  # a hundred years: longer runs or delays are typing mistakes
MAX_WORKERS = 1_000  # staff in one group; a front door has tens, not thousands
MAX_CASELOAD = 500
MAX_ANNUAL_REFERRALS = 500_000  # England's whole yearly total is about 600,000
MAX_WEIGHT = 1_000.0
SHARE_TOLERANCE = 1e-3
Probability = Annotated[float, Field(ge=0, le=1)]
Spread = Annotated[float, Field(ge=0, le=1)]  # a standard deviation on the 0-1 scale
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, strict=True)]
Days = Annotated[float, Field(ge=0, le=MAX_DAYS)]
Multiplier = Annotated[float, Field(ge=0, le=100)]


def _limit(reason: str) -> dict[str, Any]:
    """Schema text saying why a size has an upper limit (shown with the error too)."""
    return {"x-limit-reason": reason}


class SettingError(ValueError):
    """A problem found by a check across settings, naming the setting it belongs to.

    `where` is the key path (below the model that raised it) to point the error at.
    """

    def __init__(self, message: str, *where: str | int) -> None:
        super().__init__(message)
        self.where = where


def _check_shares(table: Mapping[Any, float], name: str) -> None:
    total = math.fsum(table.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise SettingError(f"{name} must add up to 1 (they add up to {total:.4g})", name)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Beta(Section):
    """A Beta(a, b) distribution on 0-1."""

    a: float = Field(gt=0, le=1000, description="First shape parameter (pulls towards 1).")
    b: float = Field(gt=0, le=1000, description="Second shape parameter (pulls towards 0).")


class Run(Section):
    horizon_days: float = Field(
        365.0,
        gt=0,
        le=MAX_DAYS,
        description="Length of the measured period, in days, after the warm-up.",
        json_schema_extra=_limit("a run of more than a hundred years is a typing mistake"),
    )
    warm_up_days: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description="Days simulated before measurement starts (the team fills up).",
        json_schema_extra=_limit("a warm-up of more than a hundred years is a typing mistake"),
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


class SourceSpec(Section):
    share: float = Field(ge=0, le=1, description="Share of outside referrals from this source.")
    referral_bar: float = Field(
        ge=0,
        le=1,
        description="How much concern this source must see before it refers. Professionals "
        "tolerate less risk and refer at a lower bar than families and the public.",
    )
    weekday_weights: tuple[Weight, Weight, Weight, Weight, Weight, Weight, Weight] | None = Field(
        None,
        strict=False,
        description="This source's own weekday profile (e.g. a hospital that refers late on "
        "Fridays); empty: the shared profile.",
    )
    hour_weights: list[Weight] | None = Field(
        None, min_length=24, max_length=24, description="This source's own hourly profile."
    )


class Surge(Section):
    start_day: float = Field(
        ge=0, le=MAX_DAYS, description="Day (from the start of the run) the surge begins."
    )
    end_day: float = Field(gt=0, le=MAX_DAYS, description="Day the surge ends.")
    factor: float = Field(
        gt=0, le=100, description="Multiplier on the referral rate during the surge."
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> Surge:
        if self.end_day <= self.start_day:
            raise SettingError(
                f"a surge must end after it starts (start_day is {self.start_day:g})", "end_day"
            )
        return self


class Arrivals(Section):
    annual_referrals: float = Field(
        gt=0,
        le=MAX_ANNUAL_REFERRALS,
        description="Outside referrals a year (re-referrals the model generates come on top).",
        json_schema_extra=_limit("more than all of England's referrals in a year"),
    )
    weekday_weights: tuple[Weight, Weight, Weight, Weight, Weight, Weight, Weight] = Field(
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
        strict=False,
        description="Relative referral rate Monday..Sunday.",
    )
    hour_weights: list[Weight] = Field(
        default_factory=lambda: [1.0] * 24,
        min_length=24,
        max_length=24,
        description="Relative referral rate for each hour 0..23.",
    )
    sources: dict[Source, SourceSpec] = Field(
        description="Where referrals come from: share and referral bar per source."
    )
    surges: list[Surge] = Field(
        default_factory=list, description="Periods of raised referral volume."
    )

    @model_validator(mode="after")
    def _positive_profiles(self) -> Arrivals:
        if any(w < 0 for w in self.weekday_weights) or sum(self.weekday_weights) <= 0:
            raise ValueError("weekday_weights must be non-negative with a positive sum")
        if any(w < 0 for w in self.hour_weights) or sum(self.hour_weights) <= 0:
            raise ValueError("hour_weights must be non-negative with a positive sum")
        if not self.sources or sum(s.share for s in self.sources.values()) <= 0:
            raise ValueError("sources must give at least one positive share")
        _check_shares({k: s.share for k, s in self.sources.items()}, "sources")
        return self


class Families(Section):
    harm_mix: dict[HarmType, Probability] = Field(
        description="Relative frequency of each hidden harm type among families referred."
    )
    risk: dict[HarmType, Beta] = Field(
        description="Distribution of hidden risk (0-1) for each harm type."
    )
    need: Beta = Field(description="Distribution of hidden need for support (0-1).")
    trend_sd_per_year: float = Field(
        0.3,
        ge=0,
        le=5,
        description="Spread of the yearly log-growth of a family's risk (its trend).",
    )
    clarity_at_referral: dict[HarmType, Probability] = Field(
        description="How much of the true risk a referral shows, per harm type (0-1). "
        "Injuries and disclosures are clear; neglect and emotional abuse are not."
    )
    clarity_at_assessment: dict[HarmType, Probability] = Field(
        description="How much of the true risk an assessment shows, per harm type (0-1)."
    )
    referral_noise_sd: float = Field(
        0.1, ge=0, le=1, description="Spread of what a referral says around what it shows."
    )
    known_share: float = Field(
        0.3, ge=0, le=1, description="Share of outside referrals about families already on record."
    )
    known_last_referral_mean_days: float = Field(
        700.0, gt=0, le=MAX_DAYS, description="Mean days since a known family's previous referral."
    )

    @model_validator(mode="after")
    def _complete(self) -> Families:
        missing = [h for h in HARM_TYPES if h != "none" and h not in self.risk]
        if missing:
            raise ValueError(f"risk needs a distribution for {', '.join(missing)}")
        for name in ("clarity_at_referral", "clarity_at_assessment"):
            table = getattr(self, name)
            gaps = [h for h in HARM_TYPES if h not in table]
            if gaps:
                raise ValueError(f"{name} needs a value for {', '.join(gaps)}")
            if any(not 0 <= v <= 1 for v in table.values()):
                raise ValueError(f"{name} values must lie between 0 and 1")
        if sum(self.harm_mix.values()) <= 0 or any(v < 0 for v in self.harm_mix.values()):
            raise ValueError("harm_mix must be non-negative with a positive sum")
        _check_shares(self.harm_mix, "harm_mix")
        return self


class Truth(Section):
    """Where the hidden truth puts a family: what it would take a perfect team to decide."""

    significant_harm_risk: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Risk at or above which a child is at risk of significant harm.",
    )
    in_need_risk: float = Field(
        0.25, ge=0, le=1, description="Risk at or above which a child is in need."
    )
    in_need_need: float = Field(
        0.55, ge=0, le=1, description="Need at or above which a child is in need."
    )
    false_positive_margin: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Child protection for a family whose risk is within this margin of "
        "significant harm counts as caution, not as a false positive.",
    )


class Thresholds(Section):
    """The team's published thresholds, applied to what it believes."""

    enabled: bool = Field(
        True, description="Off: every referral goes straight to allocation (verification)."
    )
    screen_in_risk: float = Field(
        0.15, ge=0, le=1, description="Believed risk at or above which a referral is assessed."
    )
    screen_in_need: float = Field(
        0.4, ge=0, le=1, description="Believed need at or above which a referral is assessed."
    )
    child_protection_risk: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Believed risk at or above which a strategy discussion follows.",
    )
    child_in_need_risk: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Believed risk at or above which a child in need assessment follows.",
    )
    child_in_need_need: float = Field(
        0.55,
        ge=0,
        le=1,
        description="Believed need at or above which a child in need assessment follows.",
    )


class StaffGroup(Section):
    role: Role = Field(description="Role of the workers in this group.")
    count: int = Field(
        ge=0,
        le=MAX_WORKERS,
        description="How many workers of this kind are on the team.",
        json_schema_extra=_limit("a front door has tens of workers; thousands is a typing mistake"),
    )
    caseload_cap: int = Field(
        0,
        ge=0,
        le=MAX_CASELOAD,
        description="Most assessments one worker holds at once (0: holds no cases).",
        json_schema_extra=_limit("no worker can hold hundreds of assessments at once"),
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


class Screening(Section):
    enabled: bool = Field(True, description="Off: no screening step (verification).")
    work_hours: float = Field(
        1.0, gt=0, le=100, description="Working hours a duty worker spends screening one referral."
    )


class Timescales(Section):
    decision_working_days: float = Field(
        1.0,
        gt=0,
        le=MAX_DAYS,
        description="A referral should be decided within this many working days.",
    )
    initial_assessment_working_days: float = Field(
        7.0,
        gt=0,
        le=MAX_DAYS,
        description="An initial assessment should end within this many working days.",
    )
    core_assessment_working_days: float = Field(
        35.0,
        gt=0,
        le=MAX_DAYS,
        description="A core assessment should end within this many working days.",
    )
    allocation_working_days: float = Field(
        5.0,
        gt=0,
        le=MAX_DAYS,
        description="A case screened in should be allocated within this many working days; "
        "harm to a child still waiting after that is a safeguarding incident.",
    )


class Assessment(Section):
    distribution: Literal["lognormal", "exponential"] = Field(
        "lognormal", description="Shape of assessment durations."
    )
    initial_median_working_days: float = Field(
        6.0, gt=0, le=MAX_DAYS, description="Median working days of an initial assessment."
    )
    core_median_working_days: float = Field(
        22.0, gt=0, le=MAX_DAYS, description="Median further working days of a core assessment."
    )
    sigma: float = Field(0.5, ge=0, le=5, description="Log-scale spread of lognormal durations.")
    exponential_mean_days: float = Field(
        1.0,
        gt=0,
        le=MAX_DAYS,
        description="Mean duration (working days) when the distribution is exponential.",
    )
    core_need: float = Field(
        0.45, ge=0, le=1, description="Believed need at or above which a core assessment follows."
    )
    workload_slowdown: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Longer assessments per unit of caseload beyond 80% of the cap.",
    )


class Services(Section):
    cin_support_days: float = Field(
        180.0,
        ge=0,
        le=MAX_DAYS,
        description="Days a child in need plan lasts with the family support team.",
    )
    cp_plan_days: float = Field(
        300.0, ge=0, le=MAX_DAYS, description="Days a child protection plan lasts."
    )
    cp_risk_reduction: float = Field(
        0.5, ge=0, le=1, description="Share of risk a child protection plan removes for good."
    )
    cin_risk_reduction: float = Field(
        0.25, ge=0, le=1, description="Share of risk a child in need plan removes for good."
    )
    cin_need_reduction: float = Field(
        0.4, ge=0, le=1, description="Share of need a child in need plan meets for good."
    )


class Harm(Section):
    enabled: bool = Field(True, description="Off: no harm events (verification).")
    rate_per_year_at_full_risk: float = Field(
        1.5, ge=0, le=365, description="Harm events a year to an unprotected child at risk 1."
    )
    risk_exponent: float = Field(
        2.0, gt=0, le=100, description="Hazard grows as risk to this power: low risk rarely harms."
    )
    protection: dict[
        Literal["waiting", "assessing", "child_in_need", "child_protection"], Multiplier
    ] = Field(
        default_factory=lambda: dict[
            Literal["waiting", "assessing", "child_in_need", "child_protection"], float
        ](
            {
                "waiting": 1.0,
                "assessing": 0.7,
                "child_in_need": 0.5,
                "child_protection": 0.15,
            }
        ),
        description="Multiplier on the hazard in each state the team puts a child in.",
    )
    severe_share_at_full_risk: float = Field(
        0.25, ge=0, le=1, description="Share of harm at risk 1 that is severe or fatal."
    )
    fatal_share_of_severe: float = Field(
        0.08, ge=0, le=1, description="Share of severe harm that is fatal."
    )
    surfaces: dict[Literal["low", "moderate", "severe"], Probability] = Field(
        default_factory=lambda: dict[Literal["low", "moderate", "severe"], float](
            {"low": 0.25, "moderate": 0.6, "severe": 1.0}
        ),
        description="Chance that another agency sees harm of each level and refers.",
    )


class Concerns(Section):
    enabled: bool = Field(True, description="Off: no re-referrals (verification).")
    rate_per_year: float = Field(
        1.2,
        ge=0,
        le=365,
        description="Yearly rate at which a closed family's persisting risk or need is noticed "
        "and referred again, at full risk or need.",
    )
    fade_days: float | None = Field(
        None,
        gt=0,
        le=36500,
        description="Outside concern about a closed family fades with time since the team's "
        "last contact: the rate of a new concern falls by e each fade_days. None: it never "
        "fades.",
    )
    leave_rate_per_year: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Yearly rate at which a closed family leaves the team's population for good "
        "(children grow up, the family moves away); a concern after that never reaches "
        "this team.",
    )


class CaseFiles(Section):
    """Paper files of families known before (report 4.5)."""

    digitised: bool = Field(
        False, description="Policy option: files are on screen at once and never missing."
    )
    location_shares: dict[FileLocation, Probability] = Field(
        default_factory=lambda: dict[FileLocation, float](
            {"on_site": 0.5, "other_building": 0.3, "archive": 0.2}
        ),
        description="Where known families' paper files are kept.",
    )
    retrieval_working_days: dict[FileLocation, Days] = Field(
        default_factory=lambda: dict[FileLocation, float](
            {"on_site": 0.3, "other_building": 3.0, "archive": 8.0}
        ),
        description="Median working days to get a file from each place.",
    )
    missing_probability: float = Field(
        0.1, ge=0, le=1, description="Chance a requested file cannot be found at all."
    )
    poor_chronology_probability: float = Field(
        0.3, ge=0, le=1, description="Chance a file has no usable chronology."
    )
    poor_chronology_clarity: float = Field(
        0.5, ge=0, le=1, description="Share of the history a file without a chronology shows."
    )

    @model_validator(mode="after")
    def _shares(self) -> CaseFiles:
        _check_shares(self.location_shares, "location_shares")
        return self


class Database(Section):
    """The electronic record and how it is searched (report 4.5)."""

    matching: Literal["exact", "phonetic"] = Field(
        "exact",
        description="exact: only identical spellings match (the European-only default the "
        "report describes); phonetic: Metaphone and Jaro-Winkler also match sound-alikes.",
    )
    origin_shares: dict[NameOrigin, Probability] = Field(
        default_factory=lambda: dict[NameOrigin, float](
            {
                "british": 0.7,
                "east_european": 0.08,
                "south_asian": 0.1,
                "arabic": 0.05,
                "west_african": 0.07,
            }
        ),
        description="Origins of family names among referrals.",
    )
    variant_spelling_rate: dict[NameOrigin, Probability] = Field(
        default_factory=lambda: dict[NameOrigin, float](
            {
                "british": 0.04,
                "east_european": 0.2,
                "south_asian": 0.35,
                "arabic": 0.35,
                "west_african": 0.3,
            }
        ),
        description="Chance a referral spells a known family's name differently from the "
        "record; higher for names transliterated from other scripts.",
    )

    @model_validator(mode="after")
    def _shares(self) -> Database:
        _check_shares(self.origin_shares, "origin_shares")
        return self

    data_entry_error_rate: float = Field(
        0.03, ge=0, le=1, description="Chance the record itself was keyed with a slip."
    )
    addendum_probability: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Chance a record's worrying part is an addendum, since entries cannot be "
        "corrected, only added to.",
    )
    addendum_missed_probability: float = Field(
        0.4, ge=0, le=1, description="Chance a reader misses an addendum."
    )
    warning_flag_risk: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Records of families at or above this risk carry a warning flag.",
    )


class AgencySpec(Section):
    response_median_working_days: float = Field(
        gt=0, le=MAX_DAYS, description="Median working days before the agency answers."
    )
    refusal_probability: float = Field(
        ge=0, le=1, description="Chance it declines to share, for a worker it has no rapport with."
    )
    holds_information: dict[HarmType, Probability] = Field(
        description="Chance the agency knows something about a family, by harm type."
    )


class Agencies(Section):
    """Other agencies and the team's relationships with them (report 4.6)."""

    agencies: dict[Agency, AgencySpec] = Field(
        default_factory=lambda: dict[Agency, AgencySpec](
            {
                "police": AgencySpec(
                    response_median_working_days=1.0,
                    refusal_probability=0.25,
                    holds_information={
                        "physical": 0.6,
                        "sexual": 0.7,
                        "neglect": 0.2,
                        "emotional": 0.3,
                        "none": 0.05,
                    },
                ),
                "school": AgencySpec(
                    response_median_working_days=1.0,
                    refusal_probability=0.3,
                    holds_information={
                        "physical": 0.4,
                        "sexual": 0.3,
                        "neglect": 0.7,
                        "emotional": 0.6,
                        "none": 0.1,
                    },
                ),
                "health": AgencySpec(
                    response_median_working_days=2.0,
                    refusal_probability=0.2,
                    holds_information={
                        "physical": 0.5,
                        "sexual": 0.3,
                        "neglect": 0.6,
                        "emotional": 0.3,
                        "none": 0.05,
                    },
                ),
                "housing": AgencySpec(
                    response_median_working_days=3.0,
                    refusal_probability=0.15,
                    holds_information={
                        "physical": 0.1,
                        "sexual": 0.05,
                        "neglect": 0.4,
                        "emotional": 0.15,
                        "none": 0.05,
                    },
                ),
                "immigration": AgencySpec(
                    response_median_working_days=5.0,
                    refusal_probability=0.5,
                    holds_information={
                        "physical": 0.05,
                        "sexual": 0.05,
                        "neglect": 0.05,
                        "emotional": 0.05,
                        "none": 0.01,
                    },
                ),
                "probation": AgencySpec(
                    response_median_working_days=2.0,
                    refusal_probability=0.3,
                    holds_information={
                        "physical": 0.25,
                        "sexual": 0.3,
                        "neglect": 0.1,
                        "emotional": 0.15,
                        "none": 0.02,
                    },
                ),
            }
        ),
        description="Each agency's delay, reluctance and what it tends to know.",
    )
    checks_by_concern: dict[Concern, list[Agency]] = Field(
        default_factory=lambda: dict[Concern, list[Agency]](
            {
                "physical": ["police", "health"],
                "sexual": ["police", "health"],
                "neglect": ["school", "health"],
                "emotional": ["school"],
                "domestic_incident": ["police", "school"],
                "behaviour_at_school": ["school"],
                "missed_appointment": ["health"],
                "housing": ["housing"],
                "none": ["school"],
            }
        ),
        description="Agencies the duty desk asks, by the concern a referral raises.",
    )
    clarity: float = Field(
        0.85, ge=0, le=1, description="How much of the true risk an agency's information shows."
    )
    relationship: Beta = Field(
        default_factory=lambda: Beta(a=2.0, b=2.0),
        description="Spread of workers' rapport with agencies (0-1); rapport cuts refusals.",
    )
    ask_colleague: bool = Field(
        True,
        description="After a refusal, a colleague with better rapport asks again.",
    )


class NoticeSpec(Section):
    """One agency's own threshold for telling the team of a concern unasked (report 4.6)."""

    threshold: Probability = Field(
        description="How worrying its own information must look before it tells the team."
    )
    without_agreement: Probability = Field(
        description="Chance it tells the team, threshold met, when no notification "
        "agreement is in place."
    )


class ActSpec(Section):
    """One agency's decision to act for a child: protect, hold, or work with a parent."""

    threshold: Probability = Field(
        description="How worrying the child's situation must look to the agency before it acts."
    )
    clarity: Probability = Field(
        description="How much of the child's true risk the agency sees when it decides."
    )
    without_agreement: Probability = Field(
        1.0,
        description="Chance it tells the team first (as before a discharge), when no "
        "notification agreement is in place; 1: the decision needs no notice.",
    )
    parent_known: dict[HarmType, Probability] = Field(
        default_factory=dict,
        description="Chance a family's parent is this agency's client, by harm type "
        "(agencies asked to act with a parent only).",
    )


class AgencyDecisions(Section):
    """Decisions other agencies take, each a barrier, and the agreements that shape them
    (report 4.6, 4.7). Off unless switched on, so exercises keep their scripted agencies."""

    enabled: bool = Field(False, description="Other agencies take decisions of their own.")
    notification_agreement: bool = Field(
        False, description="Agreed protocols: agencies tell the team of concerns and discharges."
    )
    joint_thresholds: bool = Field(
        False, description="Agencies act at the team's own thresholds instead of theirs."
    )
    named_liaison: bool = Field(
        False, description="A named contact in each agency, so no notice or request goes astray."
    )
    lost_without_contact: Probability = Field(
        0.15, description="Chance a notice or request goes astray with no named contact."
    )
    slip: Probability = Field(
        0.05, description="Chance an agency fails to act even with every agreement in place."
    )
    reading_noise_sd: Spread = Field(
        0.1, description="Spread of an agency's reading of the child's risk when it decides."
    )
    notices: dict[NotifyingAgency, NoticeSpec] = Field(
        default_factory=lambda: dict[NotifyingAgency, NoticeSpec](
            {
                "police": NoticeSpec(threshold=0.45, without_agreement=0.4),
                "health": NoticeSpec(threshold=0.5, without_agreement=0.5),
                "school": NoticeSpec(threshold=0.4, without_agreement=0.5),
                "housing": NoticeSpec(threshold=0.55, without_agreement=0.3),
            }
        ),
        description="Each agency's threshold for telling the team of what it knows.",
    )
    police_protection: ActSpec = Field(
        default_factory=lambda: ActSpec(threshold=0.65, clarity=0.9),
        description="Police deciding whether to take a child into protection when asked.",
    )
    police_request_risk: Probability = Field(
        0.7,
        description="Believed risk at screening at which the team asks the police to protect.",
    )
    police_protection_days: Days = Field(
        3.0, description="Longest a child stays in police protection (72 hours)."
    )
    hospital_discharge: ActSpec = Field(
        default_factory=lambda: ActSpec(threshold=0.45, clarity=0.9, without_agreement=0.5),
        description="A hospital or midwife deciding whether to keep a child on the ward "
        "until the team has assessed, and whether to tell the team before a discharge.",
    )
    hospital_hold_days: Days = Field(
        3.0, description="Longest a hospital keeps a child on the ward for the team."
    )
    requests: dict[ActingAgency, ActSpec] = Field(
        default_factory=lambda: dict[ActingAgency, ActSpec](
            {
                "probation": ActSpec(
                    threshold=0.65,
                    clarity=0.85,
                    parent_known={"physical": 0.2, "sexual": 0.2, "neglect": 0.1,
                                  "emotional": 0.15, "none": 0.02},
                ),
                "adult_mental_health": ActSpec(
                    threshold=0.7,
                    clarity=0.8,
                    parent_known={"physical": 0.1, "sexual": 0.05, "neglect": 0.25,
                                  "emotional": 0.25, "none": 0.05},
                ),
            }
        ),
        description="Agencies asked to act with a parent who is their client, when a child "
        "protection plan starts.",
    )
    declined_delay_days: Days = Field(
        30.0, description="Days a child protection plan works as a child in need plan when an "
        "agency declines to act."
    )


class Visits(Section):
    """Seeing the child (report 4.7)."""

    see_child_probability: float = Field(
        0.9, ge=0, le=1, description="Chance an assessment actually sees the child."
    )
    rushed_see_child_probability: float = Field(
        0.65, ge=0, le=1, description="The same when the team is behind (corner-cutting)."
    )
    unseen_clarity: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How much of the true risk an assessment shows without seeing the child.",
    )


class TeamLeaderReview(Section):
    """Supervision of screening decisions below child protection (report 4.3, 5.4)."""

    enabled: bool = Field(True, description="Team leaders review screening decisions.")
    share_reviewed: float = Field(
        0.6, ge=0, le=1, description="Share of decisions below child protection sent for review."
    )
    reviews_per_leader_per_day: float = Field(
        10.0, ge=0, le=100_000, description="Reviews one team leader can do in a working day."
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
    fact_loss: dict[Literal["unstructured", "structured"], Probability] = Field(
        default_factory=lambda: dict[Literal["unstructured", "structured"], float](
            {"unstructured": 0.3, "structured": 0.05}
        ),
        description="Chance each fact is lost at a handover, by handover style.",
    )


class LongTermCases(Section):
    """The family support team's long-term cases (report 4.7)."""

    transfer_fact_loss: float = Field(
        0.15, ge=0, le=1, description="Chance each fact is lost when a case transfers."
    )
    review_interval_days: float = Field(
        90.0, gt=0, le=MAX_DAYS, description="Days between reviews of a case on a plan."
    )
    complacency: bool = Field(
        True,
        description="Reviews anchor on the first view of a family more the longer a case is "
        "open ('deadening').",
    )
    complacency_days: float = Field(
        240.0,
        gt=0,
        le=MAX_DAYS,
        description="Days over which a reviewer's fresh look fades (e-folding).",
    )
    rule_of_optimism: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Extra believed risk a familiar family must show before a review escalates.",
    )
    review_judgement_error_sd: float = Field(
        0.08, ge=0, le=1, description="Misreading at a long-term review."
    )


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
        json_schema_extra=_limit("each patch team needs workers of its own"),
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


Culture = Literal["blame", "neutral", "open"]
CULTURES: tuple[Culture, ...] = ("blame", "neutral", "open")


class Reporting(Section):
    """Who notices a near miss, whether anyone hears of it, and how the culture makes
    people practise (report 3.4, 5.3, 5.4)."""

    culture: Culture = Field(
        "neutral",
        description="blame: people cover their backs (report fewer incidents, escalate "
        "defensively, and reviews look for whom to blame); open: fair and learning; neutral: "
        "neither (the calibrated baseline).",
    )
    reporting_system: bool = Field(False, description="A near-miss reporting system exists.")
    report_probability: dict[Culture, Probability] = Field(
        default_factory=lambda: dict[Culture, float](
            {"blame": 0.05, "neutral": 0.15, "open": 0.6}
        ),
        description="Chance a frontline worker who noticed an incident reports it, by culture.",
    )
    outside_agency_escalation: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Chance an outside agency that saw harm takes it to senior managers.",
    )
    defensive_shift: dict[Culture, Annotated[float, Field(ge=0, le=0.5)]] = Field(
        default_factory=lambda: dict[Culture, float]({"blame": 0.03, "neutral": 0.0, "open": 0.0}),
        description="Defensive practice: how far below the published child protection "
        "threshold a worker escalates a family, by culture (0 to 0.5 on the risk scale).",
    )

    @model_validator(mode="after")
    def _every_culture(self) -> Reporting:
        for name in ("report_probability", "defensive_shift"):
            missing = [c for c in CULTURES if c not in getattr(self, name)]
            if missing:
                raise SettingError(f"{name} needs a value for {', '.join(missing)}", name)
        return self


class ScriptedFamily(Section):
    """A family with a fixed hidden truth, for training exercises."""

    surname: str = Field(description="The family's name as the referral gives it.")
    recorded_surname: str | None = Field(
        None, description="The spelling on the database; empty when the family is not on record."
    )
    name_origin: NameOrigin = Field("british", description="Origin of the family's name.")
    harm_type: HarmType = Field(description="The hidden harm type.")
    risk: float = Field(ge=0, le=1, description="The hidden risk.")
    need: float = Field(ge=0, le=1, description="The hidden need.")
    trend: float = Field(0.0, ge=-1, le=1, description="Yearly log-growth of risk.")
    record_history: float = Field(
        0.0, ge=0, le=1, description="Risk the database record's history shows."
    )
    record_addendum: float | None = Field(
        None, ge=0, le=1, description="Risk shown by an addendum to the record, if any."
    )
    warning_flag: bool = Field(False, description="The record carries a warning flag.")
    file_location: FileLocation | Literal["none", "missing"] = Field(
        "none", description="Where the family's paper file is ('missing': cannot be found)."
    )
    file_history: float = Field(0.0, ge=0, le=1, description="Risk the paper file shows.")
    agency_information: dict[Agency, Probability] = Field(
        default_factory=dict, description="Risk each agency's information shows."
    )
    agency_refuses: list[Agency] = Field(
        default_factory=list, description="Agencies that decline to share with this team."
    )


class ScriptedReferral(Section):
    """A referral that arrives at a set moment, for training exercises."""

    ref: str = Field(description="Short id used by the exercise.")
    day: float = Field(
        ge=0, le=MAX_DAYS, description="Day of the run it arrives (0 = the first Monday)."
    )
    hour: float = Field(ge=0, lt=24, description="Hour it arrives.")
    source: Source = Field(description="Who refers.")
    concern: Concern = Field(description="The concern the referral names.")
    signal: float = Field(ge=0, le=1, description="Risk the referral's wording shows.")
    need_signal: float = Field(0.3, ge=0, le=1, description="Need the referral shows.")
    family: ScriptedFamily = Field(description="The family and its hidden truth.")


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
