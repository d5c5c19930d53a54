"""The difficulty ladder for free play: the same four rungs as the exercises, set by
what makes a shift at the desk hard.

- volume: the share of the team's own referral rate that reaches the desk;
- ambiguity: how clearly a referral shows the family's risk (the scenario's clarity at
  referral, scaled; lower means more cases whose referral understates the risk);
- file failures: the chance a paper file cannot be found;
- database failures: data-entry errors and spellings that differ from the record.

Duty day is the scenario as it stands (a real day at that team); the rungs below it take
volume, ambiguity and failures away, down to induction: a trickle of clearer referrals,
files always found and records always under the name given.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import Scenario
from sim.loader import scenario_with


@dataclass(frozen=True)
class Rung:
    volume: float  # multiplies arrivals.annual_referrals
    ambiguity: float  # 1 = as the scenario; 0 = every referral shows its risk fully
    file_failures: float  # multiplies case_files.missing_probability
    database_failures: float  # multiplies data-entry errors and variant spellings
    hints: tuple[str, ...] = ()


LADDER: dict[str, Rung] = {
    "induction": Rung(
        volume=0.25,
        ambiguity=0.4,
        file_failures=0.0,
        database_failures=0.0,
        hints=(
            "Take one referral at a time: there is no hurry today.",
            "Check the record, then ask the agencies that know the family.",
            "Decide on what the checks show, not only on the referral's words.",
        ),
    ),
    "practice": Rung(volume=0.5, ambiguity=0.7, file_failures=0.5, database_failures=0.5),
    "pressure": Rung(volume=0.75, ambiguity=0.9, file_failures=0.8, database_failures=0.8),
    "duty_day": Rung(volume=1.0, ambiguity=1.0, file_failures=1.0, database_failures=1.0),
}


def at_level(scenario: Scenario, level: str) -> Scenario:
    """The scenario with the rung's volume, ambiguity and failure rates."""
    rung = LADDER[level]
    if level == "duty_day":
        return scenario
    fam = scenario.families
    clarity = {
        harm: min(1.0, 1.0 - rung.ambiguity * (1.0 - value))
        for harm, value in fam.clarity_at_referral.items()
    }
    db = scenario.database
    return scenario_with(
        scenario,
        {
            "arrivals.annual_referrals": scenario.arrivals.annual_referrals * rung.volume,
            "families.clarity_at_referral": clarity,
            "case_files.missing_probability": min(
                1.0, scenario.case_files.missing_probability * rung.file_failures
            ),
            "database.data_entry_error_rate": min(
                1.0, db.data_entry_error_rate * rung.database_failures
            ),
            "database.variant_spelling_rate": {
                origin: min(1.0, rate * rung.database_failures)
                for origin, rate in db.variant_spelling_rate.items()
            },
        },
    )


__all__ = ["LADDER", "Rung", "at_level"]
