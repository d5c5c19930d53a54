"""Small scenarios and helpers shared by the experiment, analysis and report tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from sim.conditions import LATENT_CONDITIONS
from sim.config import Scenario
from sim.loader import load_scenario, scenario_with


def short_baseline(horizon: float = 60.0, warm_up: float = 30.0, **changes: Any) -> Scenario:
    """The bundled baseline cut to a short run (seconds, not minutes)."""
    return scenario_with(
        load_scenario("baseline"),
        {"run.horizon_days": horizon, "run.warm_up_days": warm_up, **changes},
    )


def write_scenario(scenario: Scenario, path: Path) -> Path:
    """Write a scenario as a YAML file the loader reads back."""
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False))
    return path


def canonical(obj: Any) -> str:
    """Digests as one string, to compare results across backends exactly."""
    return json.dumps(obj, sort_keys=True)


def inexperience_story_scenario() -> Scenario:
    """`_inexperience_story_base` with every other latent condition the model knows removed
    by its own counterfactual change (so new conditions in the model stay out of the way),
    except low_visibility_harm, kept present but inert."""
    scenario = _inexperience_story_base()
    for name, condition in LATENT_CONDITIONS.items():
        if name not in ("inexperienced_staff", "low_visibility_harm"):
            scenario = condition.remove(scenario)
    return scenario


def _inexperience_story_base() -> Scenario:
    """A team where one latent condition alone decides harm, and another is present but inert.

    Every referred family hides neglect at high risk (a child protection case), shown
    fully by the referral and by assessment. The case-holding workers are students who
    misread risk widely (inexperienced_staff); removing that condition gives them an
    experienced worker's reading, which here is exact, so every decision is right.
    Neglect makes low_visibility_harm present in every story, but clarity is already
    full, so removing it changes nothing. No time pressure, no high caseloads, no plan
    endings within the run, room for every case, and no other agency deciding for
    itself: the only way to harm through an agency failure is a student's misreading.
    """
    base = load_scenario("baseline")
    clarity = dict.fromkeys(("none", "physical", "sexual", "neglect", "emotional"), 1.0)
    return Scenario.model_validate(
        {
            **base.model_dump(mode="python"),
            "name": "inexperience-story",
            "policy": "fifo",
            "run": {"horizon_days": 90.0, "warm_up_days": 0.0},
            "arrivals": {
                "annual_referrals": 250.0,
                "sources": {"police": {"share": 1.0, "referral_bar": 0.0}},
            },
            "families": {
                "harm_mix": {"neglect": 1.0},
                "risk": {
                    h: {"a": 50.0, "b": 5.0} for h in ("physical", "sexual", "neglect", "emotional")
                },
                "need": {"a": 1.0, "b": 50.0},
                "trend_sd_per_year": 0.0,
                "clarity_at_referral": clarity,
                "clarity_at_assessment": clarity,
                "referral_noise_sd": 0.0,
                "known_share": 0.0,
            },
            "truth": {"significant_harm_risk": 0.5, "in_need_risk": 0.25, "in_need_need": 0.99},
            "thresholds": {
                "screen_in_risk": 0.15,
                "screen_in_need": 0.99,
                "child_protection_risk": 0.5,
                "child_in_need_risk": 0.25,
                "child_in_need_need": 0.99,
            },
            "staff": {
                "groups": [{"role": "student", "count": 6, "caseload_cap": 40, "duty": True}],
                "judgement_error_sd": {"student": 0.5, "experienced": 0.0},
                "workload_error_gain": 0.0,
                "time_pressure_error_gain": 0.0,
                "behind_backlog_share": 1e9,
            },
            "assessment": {
                **base.assessment.model_dump(mode="python"),
                "workload_slowdown": 0.0,
            },
            "services": {**base.services.model_dump(mode="python"), "cp_plan_days": 5000.0},
            "harm": {
                **base.harm.model_dump(mode="python"),
                "rate_per_year_at_full_risk": 25.0,
            },
            "concerns": {"enabled": False},
            # Neglect is referred as neglect, so low_visibility_harm is in every story
            # (a presenting problem such as an injury would take it out).
            "presenting": {"mix": {"neglect": {"neglect": 1.0}}},
            # Other agencies' own decisions (a police refusal, say) are other routes to
            # harm; this story has only the students' misreading.
            "agency_decisions": {"enabled": False},
        }
    )
