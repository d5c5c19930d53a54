"""The hidden truth of referred families and how harm happens: the `families`, `truth`
and `harm` sections.

`families` draws each family's harm type, risk, need and trend, and how much of the risk
a referral and an assessment show; `truth` says where that truth puts a family (what a
perfect team would decide); `harm` sets the harm clock's hazard and how far each state
the team puts a child in protects it. Only the harm clock and grading read the truth.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config_base import MAX_DAYS, Beta, Multiplier, Probability, Section, check_shares
from sim.vocabulary import HARM_TYPES, HarmType


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
        check_shares(self.harm_mix, "harm_mix")
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
