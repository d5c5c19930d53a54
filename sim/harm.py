"""The harm clock: harm happens by the hidden truth, not by what the team believes.

A child at risk is harmed at a rate (hazard) that grows with the family's true risk,
follows the family's trend, and is cut by whatever protection the team has actually put
in place. The clock is the classic cumulative-hazard construction: each family draws a
unit exponential, the hazard accumulates while time passes, and harm happens when the
accumulated hazard reaches the draw. Because the hazard is a closed-form function of
time between the team's actions, the next harm time is solved exactly, with no ticking.
"""

from __future__ import annotations

import math

from sim.entities import Family

DAYS_PER_YEAR = 365.0


def _cap_time(family: Family) -> float:
    """When the family's rising risk reaches 1 (inf if it never does)."""
    if family.trend <= 0 or family.base_risk <= 0:
        return math.inf
    return family.origin_time + DAYS_PER_YEAR * math.log(1.0 / family.base_risk) / family.trend


def hazard_integral(
    family: Family, a: float, b: float, rate_per_day: float, exponent: float
) -> float:
    """Integral of rate * risk(t)**exponent over [a, b]."""
    if b <= a or rate_per_day <= 0 or family.base_risk <= 0:
        return 0.0
    cap = _cap_time(family)
    total = 0.0
    growth = exponent * family.trend / DAYS_PER_YEAR
    head_end = min(b, cap)
    if head_end > a:
        scale = rate_per_day * family.base_risk**exponent
        if abs(growth) < 1e-12:
            total += scale * (head_end - a)
        else:
            t0 = family.origin_time
            total += (
                scale / growth * (math.exp(growth * (head_end - t0)) - math.exp(growth * (a - t0)))
            )
    if b > cap:
        total += rate_per_day * (b - max(a, cap))
    return total


def time_to_hazard(
    family: Family, a: float, target: float, rate_per_day: float, exponent: float
) -> float:
    """Earliest t >= a at which the hazard integrated from a reaches `target` (inf if never)."""
    if target <= 0:
        return a
    if rate_per_day <= 0 or family.base_risk <= 0:
        return math.inf
    cap = _cap_time(family)
    growth = exponent * family.trend / DAYS_PER_YEAR
    t0 = family.origin_time
    if a < cap:
        scale = rate_per_day * family.base_risk**exponent
        if scale <= 0.0:  # a risk so small its hazard underflows: harm never comes
            return math.inf
        if abs(growth) < 1e-12:
            t = a + target / scale
        else:
            inner = math.exp(growth * (a - t0)) + target * growth / scale
            if inner <= 0:  # a falling risk whose hazard never adds up to the draw
                return math.inf
            t = t0 + math.log(inner) / growth
        if t <= cap:
            return t
        target -= hazard_integral(family, a, cap, rate_per_day, exponent)
        a = cap
    return a + target / rate_per_day
