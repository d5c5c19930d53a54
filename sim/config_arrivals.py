"""Where referrals come from and when: the `arrivals` and `concerns` sections.

`arrivals` sets the yearly volume of outside referrals, its weekly and daily profile,
each source's share and referral bar (with its own profile if it has one), and surges.
`concerns` sets how often a closed family is noticed and referred again.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.config_base import (
    MAX_ANNUAL_REFERRALS,
    MAX_DAYS,
    Section,
    SettingError,
    Weight,
    check_shares,
    upper_limit,
)
from sim.vocabulary import Source


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
        json_schema_extra=upper_limit("more than all of England's referrals in a year"),
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
        check_shares({k: s.share for k, s in self.sources.items()}, "sources")
        return self


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
