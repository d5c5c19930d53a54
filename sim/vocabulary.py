"""The domain's words, typed once: each `Literal` is the one list of its values.

The tuples (SOURCES, ROLES, ...) are derived from the types with `typing.get_args`, so
a word added to a type is added everywhere it is listed, and a misspelt word in code is
a type error. See docs/domain.md for what each word means in practice.
"""

from __future__ import annotations

import typing
from enum import StrEnum
from typing import Literal

Source = Literal[
    "police",
    "school",
    "health",  # health visitor or GP
    "hospital",
    "family",  # family member or self-referral
    "public",  # neighbour or member of the public
    "housing",
    "other",  # fire service, probation, immigration and the rest
]
HarmType = Literal["none", "physical", "sexual", "neglect", "emotional"]
# What a referral says it is about: the referrer's words, never the family's hidden harm
# (sim/presenting.py draws them). Four name a harm outright: "physical" (an injury or a
# blow seen), "sexual" (a disclosure or a suspicion of sexual abuse), "neglect" and
# "emotional" when the referrer names them; "none" names no harm at all (a general
# worry, a request for help). The rest are presenting problems behind which any harm,
# or none, may lie (report 4.2, 4.4).
Concern = Literal[
    "physical",
    "sexual",
    "neglect",
    "emotional",
    "domestic_incident",
    "behaviour_at_school",
    "missed_appointment",
    "housing",
    "none",
]
Role = Literal[
    "information_officer",
    "family_support_worker",
    "student",
    "newly_qualified",
    "experienced",
    "senior_practitioner",
    "team_leader",
    "team_manager",
]
Agency = Literal["police", "school", "health", "housing", "immigration", "probation"]
NameOrigin = Literal["british", "east_european", "south_asian", "arabic", "west_african"]
# Where a paper file is kept (a family's file may also be missing, or there may be none).
FileLocation = Literal["on_site", "other_building", "archive"]
# Where a family's protection stands, which sets the rate of its harm clock.
Protection = Literal["none", "waiting", "assessing", "child_in_need", "child_protection"]
Severity = Literal["low", "moderate", "severe", "death"]
# What a family wrongly suspected went through, mildest first: professionals discussed it
# among themselves, someone came to the door asking questions, a child protection plan,
# a child taken away. It grades a false positive by its consequence (sim/incidents.py).
Ordeal = Literal["strategy_discussion", "enquiry", "plan", "removal"]
ORDEAL_RANK: dict[Ordeal, int] = {"strategy_discussion": 0, "enquiry": 1, "plan": 2, "removal": 3}
# The barriers a case meets; each test of one is a BARRIER_TESTED record. The last two
# are named only by incidents: harm while a case waited too long for screening or for
# allocation after a sound decision.
Barrier = Literal[
    "screening",
    "team_leader_review",
    "database_check",
    "record_addendum",
    "file_retrieval",
    "local_knowledge",
    "agency_check",
    "seeing_child",
    "out_of_hours_handover",
    "out_of_hours_triage",
    "allocation",
    "assessment",
    "case_transfer",
    "long_term_review",
    "screening_delay",
    # Decisions other agencies take (sim/agency_decisions.py): each names its agency.
    "police_protection",
    "bail_notification",
    "health_referral",
    "school_referral",
    "housing_referral",
    "hospital_discharge",
    "probation_action",
    "mental_health_action",
]
# Latent conditions: weaknesses built into the system, named where they opened a hole
# (sim/conditions.py says how each can be removed).
Condition = Literal[
    "time_pressure",
    "low_visibility_harm",
    "inexperienced_staff",
    "high_caseload",
    "understaffing",
    "name_matching",
    "data_entry_errors",
    "uncorrectable_records",
    "missing_files",
    "remote_file_storage",
    "poor_chronology",
    "agency_refusal",
    "agency_delay",
    "single_point_of_entry",
    "out_of_hours_cover",
    "unstructured_handover",
    "handover_slips",
    "handover_omission",
    "lossy_transfers",
    "no_access_to_child",
    "complacency",
    "rule_of_optimism",
    "supervision_capacity",
    "first_impression_anchoring",
    "parents_not_heard",
    "no_notification_agreement",
    "agency_threshold_gap",
    "no_named_contact",
    "defensive_practice",
]
# Agencies that take decisions of their own about a family (sim/agency_decisions.py). Wider
# than `Agency` (the agencies the duty desk can ask), which fixes the order of every
# family's draws: hospitals and midwifery, and adult mental health, decide without being
# asked for information.
DecidingAgency = Literal[
    "police", "health", "school", "housing", "hospital", "probation", "adult_mental_health"
]
# Agencies that may tell the team of a concern unasked, each by its own threshold.
NotifyingAgency = Literal["police", "health", "school", "housing"]
# Agencies the team asks to act with a parent who is their client.
ActingAgency = Literal["probation", "adult_mental_health"]


class InformationAction(StrEnum):
    """What a person at the duty desk may do to find out more about a case."""

    DATABASE = "database"
    ADDENDUM = "addendum"  # a found record's addendum, which the summary does not show
    FILE = "file"
    AGENCY = "agency"
    VISIT = "visit"
    TEAM_LEADER = "team_leader"


SOURCES: tuple[Source, ...] = typing.get_args(Source)
HARM_TYPES: tuple[HarmType, ...] = typing.get_args(HarmType)
CONCERNS: tuple[Concern, ...] = typing.get_args(Concern)
ROLES: tuple[Role, ...] = typing.get_args(Role)
AGENCIES: tuple[Agency, ...] = typing.get_args(Agency)
NAME_ORIGINS: tuple[NameOrigin, ...] = typing.get_args(NameOrigin)
FILE_LOCATIONS: tuple[FileLocation, ...] = typing.get_args(FileLocation)
PROTECTIONS: tuple[Protection, ...] = typing.get_args(Protection)
SEVERITIES: tuple[Severity, ...] = typing.get_args(Severity)
BARRIERS: tuple[Barrier, ...] = typing.get_args(Barrier)
CONDITIONS: tuple[Condition, ...] = typing.get_args(Condition)
DECIDING_AGENCIES: tuple[DecidingAgency, ...] = typing.get_args(DecidingAgency)
NOTIFYING_AGENCIES: tuple[NotifyingAgency, ...] = typing.get_args(NotifyingAgency)
ACTING_AGENCIES: tuple[ActingAgency, ...] = typing.get_args(ActingAgency)
INFORMATION_ACTIONS: tuple[str, ...] = tuple(a.value for a in InformationAction)

# Which barrier is which agency's own decision (sim/agency_decisions.py decides them):
# a notice an agency sends unasked, a request to act with a parent who is its client,
# and the two decisions taken about the child itself.
NOTICE_BARRIERS: dict[str, Barrier] = {
    "police": "bail_notification",
    "health": "health_referral",
    "school": "school_referral",
    "housing": "housing_referral",
}
REQUEST_BARRIERS: dict[str, Barrier] = {
    "probation": "probation_action",
    "adult_mental_health": "mental_health_action",
}
# Every barrier that is another agency's decision, and the agency that takes it.
AGENCY_BARRIERS: dict[Barrier, str] = {
    **{b: a for a, b in NOTICE_BARRIERS.items()},
    "police_protection": "police",
    "hospital_discharge": "hospital",
    **{b: a for a, b in REQUEST_BARRIERS.items()},
}
