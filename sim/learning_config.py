"""Reporting and learning: the `reporting` and optional `learning` sections of a scenario.

`reporting` says who notices a near miss, whether anyone hears of it, and how the
culture (blame, neutral, open) makes people practise. `learning` turns what is reported
into reviews that repair latent conditions: reported incidents are looked at in three
kinds of review (report 5.2-5.4): the team's own learning sessions (practice development
meetings), the analysis a near-miss reporting system makes possible, and the local
safeguarding board's review of a serious incident. A review that looks at the system
rather than at whom to blame finds the latent condition its reports most often name, and
after a delay that condition is repaired. Each review costs staff time, taken from the
case places the team can allocate.

The same rules as every scenario section (`sim.config_base.Section`): no unknown fields,
no coercion, every number bounded. Every default in `learning` is a modelling judgement
unless its description names a section of the report.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.config_base import Probability, Section, SettingError

Culture = Literal["blame", "neutral", "open"]
CULTURES: tuple[Culture, ...] = ("blame", "neutral", "open")
ReviewKind = Literal["team_session", "system_analysis", "board_review"]
REVIEW_KINDS: tuple[ReviewKind, ...] = ("team_session", "system_analysis", "board_review")
_Share = Annotated[float, Field(ge=0, le=1)]
_Hours = Annotated[float, Field(ge=0, le=10_000)]
_WorkDays = Annotated[float, Field(gt=0, le=3650)]

__all__ = ["CULTURES", "Culture", "Learning", "REVIEW_KINDS", "Reporting", "ReviewKind"]


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


class Learning(BaseModel):
    """Learning from reported incidents (off unless a scenario switches it on)."""

    # The same rules as every scenario section (sim.config_base.Section).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    enabled: bool = Field(
        False, description="Reported incidents feed reviews that repair latent conditions."
    )
    session_interval_days: float = Field(
        28.0,
        gt=0,
        le=3650,
        description="Days between the team's learning sessions (practice development "
        "meetings, report 5.4); a session is held only when reports wait for it.",
    )
    analysis_interval_days: float = Field(
        91.0,
        gt=0,
        le=3650,
        description="Days between analyses of the reporting system's reports (only with a "
        "reporting system).",
    )
    analysis_min_reports: int = Field(
        3,
        ge=1,
        le=1000,
        description="Reports naming one condition before the analysis counts it as a "
        "pattern; the system keeps every report, so a pattern can build over years.",
    )
    line_manager_raises: _Share = Field(
        0.5,
        description="Chance a report that stops with a line manager is brought to the next "
        "learning session (the report found such learning left to chance, 5.4).",
    )
    systems_focus: dict[Culture, _Share] = Field(
        default_factory=lambda: dict[Culture, float]({"blame": 0.2, "neutral": 0.5, "open": 0.9}),
        description="Chance a review looks for the latent condition behind its reports "
        "rather than for someone to blame, by culture (report 5.3; values: judgement).",
    )
    staff_hours: dict[ReviewKind, _Hours] = Field(
        default_factory=lambda: dict[ReviewKind, float](
            {"team_session": 12.0, "system_analysis": 30.0, "board_review": 150.0}
        ),
        description="Working hours of case-holding staff each review takes.",
    )
    work_working_days: dict[ReviewKind, _WorkDays] = Field(
        default_factory=lambda: dict[ReviewKind, float](
            {"team_session": 5.0, "system_analysis": 10.0, "board_review": 60.0}
        ),
        description="Working days over which a review's staff time is spent; meanwhile it "
        "holds case places the team cannot allocate.",
    )
    hours_per_case_place: float = Field(
        0.4,
        gt=0,
        le=24,
        description="Working hours a day one case place stands for (about a 7.4-hour day "
        "over a cap of 18), to turn a review's hours into case places held.",
    )
    board_delay_days: float = Field(
        180.0,
        ge=0,
        le=3650,
        description="Days from a serious incident reaching senior managers to the board's "
        "review reporting.",
    )
    repair_delay_days: float = Field(
        90.0,
        ge=0,
        le=3650,
        description="Days from a review's finding to the repair being in place (a new "
        "check, a protocol agreed, a changed form).",
    )
    repair_share: _Share = Field(
        0.6,
        description="Share by which a repair cuts a hole's chance (a switch such as "
        "phonetic matching or structured handovers is made whole).",
    )

    @model_validator(mode="after")
    def _complete(self) -> Learning:
        missing = [c for c in CULTURES if c not in self.systems_focus]
        if missing:
            raise ValueError(f"systems_focus needs a value for {', '.join(missing)}")
        for name in ("staff_hours", "work_working_days"):
            gaps = [k for k in REVIEW_KINDS if k not in getattr(self, name)]
            if gaps:
                raise ValueError(f"{name} needs a value for {', '.join(gaps)}")
        return self
