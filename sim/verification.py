"""Scenarios that switch the model's features off, so it can be checked against theory.

`mmc_scenario` turns the production model into an M/M/c queue: one source with
exponential gaps round the clock, no screening, no thresholds (and no family in need,
so no decision is graded an incident), exponential assessment times, first come first
served, no harm, no re-referrals and no staff turnover, and C workers who each hold one
case at a time. The waiting time to allocation should then match Erlang C.
"""

from __future__ import annotations

from sim.config import Scenario

MMC_ROLE = "experienced"


def mmc_scenario(
    *, arrival_rate: float, service_rate: float, servers: int, customers: int
) -> Scenario:
    """The production scenario with everything off but arrivals, a queue and C servers.

    Rates are per day. The run lasts long enough for every customer to be served.
    """
    if arrival_rate <= 0 or service_rate <= 0 or servers < 1 or customers < 1:
        raise ValueError("rates must be positive and servers and customers at least 1")
    utilisation = arrival_rate / (servers * service_rate)
    # Enough time for the last arrivals and a generous tail of service.
    horizon = customers / arrival_rate * 1.5 + 200.0 / service_rate / max(1e-9, 1 - utilisation)
    return Scenario.model_validate(
        {
            "name": f"mmc-{servers}",
            "description": "Production model reduced to an M/M/c queue for verification.",
            "policy": "fifo",
            "run": {"horizon_days": horizon, "warm_up_days": 0, "max_referrals": customers},
            "calendar": {"always_open": True},
            "arrivals": {
                "annual_referrals": arrival_rate * 365.0,
                "sources": {"other": {"share": 1.0, "referral_bar": 0.0}},
            },
            "families": {
                "harm_mix": {"none": 1.0},
                "risk": {
                    h: {"a": 1.0, "b": 1.0} for h in ("physical", "sexual", "neglect", "emotional")
                },
                "need": {"a": 1.0, "b": 1.0},
                "trend_sd_per_year": 0.0,
                "clarity_at_referral": dict.fromkeys(
                    ("none", "physical", "sexual", "neglect", "emotional"), 1.0
                ),
                "clarity_at_assessment": dict.fromkeys(
                    ("none", "physical", "sexual", "neglect", "emotional"), 1.0
                ),
                "known_share": 0.0,
            },
            # No thresholds, so no family may need more than no further action: with
            # need never reaching the in-need bar, no decision is graded an incident.
            "truth": {"in_need_need": 1.0},
            "thresholds": {"enabled": False},
            "staff": {
                "groups": [{"role": MMC_ROLE, "count": servers, "caseload_cap": 1}],
                "judgement_error_sd": {MMC_ROLE: 0.0},
                "behind_backlog_share": 1e9,
            },
            "staffing": {"turnover_per_year": 0.0},
            "screening": {"enabled": False},
            "assessment": {
                "distribution": "exponential",
                "exponential_mean_days": 1.0 / service_rate,
                "workload_slowdown": 0.0,
            },
            "harm": {"enabled": False},
            "concerns": {"enabled": False},
        }
    )
