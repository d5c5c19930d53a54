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
    return scenario_with(s, {"staff.time_pressure_error_gain": 0.0})


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
    )
}


def remove_condition(scenario: Scenario, name: str) -> Scenario:
    try:
        return LATENT_CONDITIONS[name].remove(scenario)
    except KeyError:
        known = ", ".join(sorted(LATENT_CONDITIONS))
        raise KeyError(f"no latent condition named {name!r}; known: {known}") from None
