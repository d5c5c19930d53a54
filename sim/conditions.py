"""Latent conditions: named weaknesses built into the system, and how to remove each.

Barrier records in the event log name the latent conditions present when a barrier
was tested. Each name here comes with a change to the scenario that removes that
condition and nothing else, so a counterfactual replay can run the same week (the same
seed and random streams) without it and see whether the harm still happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.config import Scenario
from sim.loader import scenario_with


@dataclass(frozen=True)
class LatentCondition:
    name: str
    meaning: str
    remove: Callable[[Scenario], Scenario]


def _no_time_pressure(s: Scenario) -> Scenario:
    return scenario_with(
        s,
        {
            "staff.time_pressure_error_gain": 0.0,
            "staffing.corner_cutting": 0.0,
            "visits.rushed_see_child_probability": s.visits.see_child_probability,
        },
    )


def _no_low_visibility(s: Scenario) -> Scenario:
    clear = s.families.clarity_at_referral["physical"]
    table = dict(s.families.clarity_at_referral)
    for harm in ("neglect", "emotional"):
        table[harm] = max(table[harm], clear)
    return scenario_with(s, {"families.clarity_at_referral": table})


def _no_inexperienced_staff(s: Scenario) -> Scenario:
    errors = dict(s.staff.judgement_error_sd)
    seasoned = errors.get("experienced", min(errors.values()))
    for role in ("student", "newly_qualified"):
        if role in errors:
            errors[role] = min(errors[role], seasoned)
    return scenario_with(s, {"staff.judgement_error_sd": errors})


def _no_high_caseload(s: Scenario) -> Scenario:
    return scenario_with(s, {"staff.workload_error_gain": 0.0, "assessment.workload_slowdown": 0.0})


def _set(changes: dict[str, object]) -> Callable[[Scenario], Scenario]:
    def remove(s: Scenario) -> Scenario:
        return scenario_with(s, changes)

    return remove


def _all_agencies(field: str, value: float) -> Callable[[Scenario], Scenario]:
    def remove(s: Scenario) -> Scenario:
        return scenario_with(
            s, {f"agencies.agencies.{a}.{field}": value for a in s.agencies.agencies}
        )

    return remove


def _no_defensive_practice(s: Scenario) -> Scenario:
    return scenario_with(s, {f"reporting.defensive_shift.{s.reporting.culture}": 0.0})


def _files_on_site(s: Scenario) -> Scenario:
    return scenario_with(
        s, {"case_files.location_shares": {"on_site": 1.0, "other_building": 0.0, "archive": 0.0}}
    )


def _local_knowledge_everywhere(s: Scenario) -> Scenario:
    return scenario_with(s, {"staffing.local_knowledge": s.staffing.patch_local_knowledge})


def _more_case_places(s: Scenario) -> Scenario:
    changes = {
        f"staff.{g.role}.caseload_cap": int(round(g.caseload_cap * 1.5)) for g in s.staff.groups
    }
    return scenario_with(s, changes)


LATENT_CONDITIONS: dict[str, LatentCondition] = {
    c.name: c
    for c in (
        LatentCondition(
            "time_pressure",
            "the team is behind its timescales, so workers rush their reading of cases",
            _no_time_pressure,
        ),
        LatentCondition(
            "low_visibility_harm",
            "neglect and emotional harm show little in a referral",
            _no_low_visibility,
        ),
        LatentCondition(
            "inexperienced_staff",
            "students and newly qualified workers carry decisions alone",
            _no_inexperienced_staff,
        ),
        LatentCondition(
            "high_caseload",
            "workers near their caseload cap misread more and assess more slowly",
            _no_high_caseload,
        ),
        LatentCondition(
            "understaffing",
            "too few case places, so screened-in cases wait past their timescale",
            _more_case_places,
        ),
        LatentCondition(
            "name_matching",
            "the database matches names only when spelt exactly as recorded",
            _set({"database.matching": "phonetic"}),
        ),
        LatentCondition(
            "data_entry_errors",
            "records keyed with slips in the family's name",
            _set({"database.data_entry_error_rate": 0.0}),
        ),
        LatentCondition(
            "uncorrectable_records",
            "records cannot be corrected, only added to, and readers miss addenda",
            _set({"database.addendum_missed_probability": 0.0}),
        ),
        LatentCondition(
            "missing_files",
            "paper files that cannot be found",
            _set({"case_files.missing_probability": 0.0}),
        ),
        LatentCondition(
            "remote_file_storage",
            "paper files kept in another building or an archive, days away",
            _files_on_site,
        ),
        LatentCondition(
            "poor_chronology",
            "files without a usable chronology",
            _set({"case_files.poor_chronology_probability": 0.0}),
        ),
        LatentCondition(
            "agency_refusal",
            "agencies that decline to share with workers they have no rapport with",
            _all_agencies("refusal_probability", 0.0),
        ),
        LatentCondition(
            "agency_delay",
            "agencies that answer after the decision has been taken",
            _all_agencies("response_median_working_days", 0.01),
        ),
        LatentCondition(
            "single_point_of_entry",
            "a central team that knows few of the families it sees",
            _local_knowledge_everywhere,
        ),
        LatentCondition(
            "out_of_hours_cover",
            "a thin emergency duty team that often does not see the child",
            _set({"out_of_hours.see_child_probability": 1.0}),
        ),
        LatentCondition(
            "unstructured_handover",
            "handovers from the night team with no structure",
            _set({"out_of_hours.handover": "structured"}),
        ),
        LatentCondition(
            "handover_slips",
            "facts lost even at a structured handover",
            _set({"out_of_hours.fact_loss": {"unstructured": 0.0, "structured": 0.0}}),
        ),
        LatentCondition(
            "lossy_transfers",
            "facts lost when a case moves to the family support team",
            _set({"long_term.transfer_fact_loss": 0.0}),
        ),
        LatentCondition(
            "no_access_to_child",
            "assessments that never see the child",
            _set({"visits.see_child_probability": 1.0, "visits.rushed_see_child_probability": 1.0}),
        ),
        LatentCondition(
            "complacency",
            "reviews of long-open cases anchored on the first view",
            _set({"long_term.complacency": False}),
        ),
        LatentCondition(
            "rule_of_optimism",
            "familiar families given the benefit of the doubt",
            _set({"long_term.rule_of_optimism": 0.0}),
        ),
        LatentCondition(
            "defensive_practice",
            "a blame culture in which workers escalate to child protection to cover themselves",
            _no_defensive_practice,
        ),
        LatentCondition(
            "no_notification_agreement",
            "no protocol telling other agencies to pass on concerns and discharges",
            _set({"agency_decisions.notification_agreement": True}),
        ),
        LatentCondition(
            "agency_threshold_gap",
            "other agencies act only above thresholds higher than the team's",
            _set({"agency_decisions.joint_thresholds": True}),
        ),
        LatentCondition(
            "no_named_contact",
            "no named contact in other agencies, so notices and requests go astray",
            _set({"agency_decisions.named_liaison": True}),
        ),
        LatentCondition(
            "supervision_capacity",
            "too few team-leader hours to review decisions",
            _set({"team_leader_review.reviews_per_leader_per_day": 1000.0}),
        ),
        LatentCondition(
            "first_impression_anchoring",
            "duty workers who keep their first impression when the checks say more",
            _set({"decisions.anchoring": False}),
        ),
        LatentCondition(
            "parents_not_heard",
            "a parent's request for help weighed below a professional's referral",
            _set({"decisions.parents_heard_equally": True}),
        ),
    )
}


def remove_condition(scenario: Scenario, name: str) -> Scenario:
    try:
        return LATENT_CONDITIONS[name].remove(scenario)
    except KeyError:
        known = ", ".join(sorted(LATENT_CONDITIONS))
        raise KeyError(f"no latent condition named {name!r}; known: {known}") from None
