"""What the checks can find: the `case_files`, `database` and `agencies` sections.

The team's paper files (where they are, how long they take, whether they are found and
usable), its electronic record (how names are matched and misspelt, addenda, warning
flags), and other agencies: what each tends to know, how slowly and reluctantly it shares,
and which agencies the duty desk asks about each concern.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.config_base import MAX_DAYS, Beta, Days, Probability, Section, check_shares
from sim.vocabulary import Agency, Concern, FileLocation, HarmType, NameOrigin


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
        check_shares(self.location_shares, "location_shares")
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
        check_shares(self.origin_shares, "origin_shares")
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
