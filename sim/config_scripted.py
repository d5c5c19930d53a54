"""Referrals with a fixed hidden truth, for training exercises: the `scripted` section.

A scripted referral arrives at a set day and hour, from a set source, about a family
whose harm type, risk, need, records, file and agencies' knowledge are all given.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config_base import MAX_DAYS, Probability, Section, SettingError
from sim.vocabulary import Agency, Concern, FileLocation, HarmType, NameOrigin, Source


class ScriptedAdult(Section):
    """An adult in the household whose own record, if any, is under his or her own name."""

    name: str = Field(description="The adult's name as the referral gives it.")
    surname: str = Field(description="The adult's surname, the one a search would use.")
    recorded_surname: str | None = Field(
        None, description="The spelling of the adult's own record; empty when not on record."
    )
    record_history: float = Field(
        0.0, ge=0, le=1, description="Risk the adult's record shows, once it is known to be his."
    )
    warning_flag: bool = Field(False, description="The adult's record carries a warning flag.")


class ScriptedFamily(Section):
    """A family with a fixed hidden truth, for training exercises."""

    surname: str = Field(
        description="The family's own surname, as the family spells it (a referral may spell "
        "it otherwise: the referral's `spelt_as`)."
    )
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
    addendum_corrects: bool = Field(
        False,
        description="The addendum corrects a wrong entry that the system would not let "
        "anyone change: read, the record shows the addendum's risk instead of the entry's; "
        "unread, the entry's (record_history above record_addendum).",
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
    adults: list[ScriptedAdult] = Field(
        default_factory=list,
        description="Adults in the household with records of their own (searched by name "
        "and date of birth, so a record found under the name is known to be theirs).",
    )

    @model_validator(mode="after")
    def _a_correction_corrects(self) -> ScriptedFamily:
        if self.addendum_corrects and (
            self.record_addendum is None or self.record_addendum >= self.record_history
        ):
            raise SettingError(
                "a correcting addendum needs a record_addendum below record_history (it "
                "shows less concern than the entry it corrects)",
                "addendum_corrects",
            )
        return self


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
    spelt_as: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="How the referrer spelt the family's name (1 to 40 characters), when not "
        "as the family spells it; empty: as `family.surname`. The desk shows this spelling and "
        "searches under it first.",
    )
    family: ScriptedFamily = Field(description="The family and its hidden truth.")
