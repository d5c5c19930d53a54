"""Thresholds and the steps of a case: the `thresholds`, `screening`, `team_leader_review`,
`timescales`, `assessment`, `visits`, `services` and `long_term` sections.

What the team applies to what it believes (its published thresholds), how the duty desk
screens and team leaders review, the timescales each step should meet, how long
assessments take and whether they see the child, what plans do, and how long-term cases
are reviewed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config_base import MAX_DAYS, Section


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


class Screening(Section):
    enabled: bool = Field(True, description="Off: no screening step (verification).")
    work_hours: float = Field(
        1.0, gt=0, le=100, description="Working hours a duty worker spends screening one referral."
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
    single_assessment_working_days: float = Field(
        45.0,
        gt=0,
        le=MAX_DAYS,
        description="A single assessment should end within this many working days "
        "(the limit since 2013).",
    )
    allocation_working_days: float = Field(
        5.0,
        gt=0,
        le=MAX_DAYS,
        description="A case screened in should be allocated within this many working days; "
        "harm to a child still waiting after that is a safeguarding incident.",
    )

    def assessment_limit(self, stage: str) -> float:
        """Working days an assessment stage ("single", "initial" or "core") should take."""
        return {
            "single": self.single_assessment_working_days,
            "initial": self.initial_assessment_working_days,
            "core": self.core_assessment_working_days,
        }[stage]

    def longest_assessment(self, framework: str) -> float:
        """The longest limit an assessment can run to under a framework: past it an open
        assessment is certainly late."""
        if framework == "single":
            return self.single_assessment_working_days
        return max(self.initial_assessment_working_days, self.core_assessment_working_days)


class Assessment(Section):
    framework: Literal["initial_core", "single"] = Field(
        "single",
        description="Assessment framework: an initial then a core assessment with their "
        "7 and 35 working-day limits (before 2013), or one single assessment with a "
        "45 working-day limit (since 2013).",
    )
    single_median_working_days: float = Field(
        30.0, gt=0, le=MAX_DAYS, description="Median working days of a single assessment."
    )
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
