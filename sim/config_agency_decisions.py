"""Other agencies' own decisions: the `agency_decisions` section.

Each agency's threshold for telling the team of a concern unasked, the police's and
hospitals' decisions to hold a child, agencies asked to act with a parent, and the
agreements (notification protocols, joint thresholds, named contacts) that shape them.
"""

from __future__ import annotations

from pydantic import Field

from sim.config_base import Days, Probability, Section, Spread
from sim.vocabulary import ActingAgency, HarmType, NotifyingAgency


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
