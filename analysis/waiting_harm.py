"""What waiting and first impressions cost children, read from a run's event log.

`waiting_hazard` is the harm a group of children can expect to suffer while they wait
for allocation or for the family support team: the harm clock's own hazard (rate times
true risk to the risk exponent, as sim/harm.py has it) integrated over each wait in the
measured period. It is an expected number of harm events, not a count of those that
happened: harm events are rare (a few hundred a year over thousands of families), so a
week's difference in waits changes the count by less than its noise, while the hazard
that the waiting adds is measured exactly for every child. Realised harm stays in the
`harm_false_negative` and `serious_incidents` KPIs.

`misses_after_new_evidence` counts screening decisions in the measured period that left
a child less protected than its truth needed although the checks had found something
beyond the referral itself.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

from sim.events import EventKind, LogRecord

LEVEL_RANK = {"no_further_action": 0, "child_in_need": 1, "child_protection": 2}
DAYS_PER_YEAR = 365.0
STEPS = 16  # Simpson's rule panels per wait (risk changes smoothly within one)


class _Truth:
    """One family's true base risk, its yearly trend and when its clock started."""

    __slots__ = ("harm_type", "base", "trend", "origin")

    def __init__(self, harm_type: str, base: float, trend: float, origin: float) -> None:
        self.harm_type = harm_type
        self.base = base
        self.trend = trend
        self.origin = origin

    def risk(self, t: float) -> float:
        if self.base <= 0.0:
            return 0.0
        return min(1.0, self.base * math.exp(self.trend * (t - self.origin) / DAYS_PER_YEAR))

    def hazard(self, a: float, b: float, exponent: float) -> float:
        """Integral of risk(t)**exponent over [a, b] (Simpson's rule)."""
        if b <= a:
            return 0.0
        h = (b - a) / STEPS
        total = self.risk(a) ** exponent + self.risk(b) ** exponent
        for i in range(1, STEPS):
            total += (4 if i % 2 else 2) * self.risk(a + i * h) ** exponent
        return total * h / 3.0


def _frame(records: Sequence[LogRecord]) -> tuple[float, float]:
    start = next(r for r in records if r.kind is EventKind.RUN_STARTED)
    return float(start.measured_from), float(start.ends_at)


def waiting_hazard(
    records: Sequence[LogRecord],
    harm_types: Collection[str],
    *,
    rate_per_year: float = 1.0,
    exponent: float = 2.0,
    waiting_multiplier: float = 1.0,
) -> float:
    """Expected harm events, over the measured period, to children of `harm_types` while
    they wait for allocation or for the family support team. The defaults are the
    bundled baseline's harm settings (`harm.rate_per_year_at_full_risk`,
    `harm.risk_exponent`, `harm.protection.waiting`)."""
    w0, end = _frame(records)
    rate = rate_per_year / DAYS_PER_YEAR * waiting_multiplier
    truth: dict[int, _Truth] = {}
    since: dict[tuple[str, int], float] = {}  # (what, case) -> wait began
    family_of: dict[int, int] = {}
    total = 0.0

    def spell(key: tuple[str, int], family: int, t: float) -> float:
        began = since.pop(key, None)
        fam = truth.get(family)
        if began is None or fam is None or fam.harm_type not in harm_types:
            return 0.0
        return rate * fam.hazard(max(began, w0), min(t, end), exponent)

    r: Any
    for r in records:
        kind = r.kind
        if kind is EventKind.FAMILY_CREATED:
            truth[r.family] = _Truth(r.harm_type, r.risk, r.trend, r.time)
        elif kind is EventKind.REFERRAL_ARRIVED:
            family_of[r.case] = r.family
        elif kind is EventKind.TRUTH_CHANGED:
            fam = truth.get(r.family)
            if fam is not None:
                fam.base = r.risk_after
        elif kind is EventKind.QUEUED:
            since[("allocation", r.case)] = r.time
        elif kind is EventKind.ALLOCATED:
            total += spell(("allocation", r.case), r.family, r.time)
        elif kind is EventKind.SUPPORT_QUEUED:
            since[("support", r.case)] = r.time
        elif kind is EventKind.PLAN_STARTED or kind is EventKind.CLOSED:
            total += spell(("support", r.case), r.family, r.time)
    for key in list(since):  # still waiting at the end: counted up to the end
        family = family_of.get(key[1])
        if family is not None:
            total += spell(key, family, end)
    return total


def misses_after_new_evidence(records: Sequence[LogRecord]) -> int:
    """Screening decisions in the measured period below what the truth needed, on cases
    where the checks had found something beyond the referral."""
    w0, _ = _frame(records)
    beyond: set[int] = set()
    misses = 0
    r: Any
    for r in records:
        if r.time < w0:
            continue
        if r.kind is EventKind.SCREENED:
            if any(k != "referral" for k in r.evidence):
                beyond.add(r.case)
        elif r.kind is EventKind.BARRIER_TESTED and r.barrier == "screening":
            decided, truth = r.decided, r.truth
            if (
                not r.held
                and decided is not None
                and truth is not None
                and LEVEL_RANK[decided] < LEVEL_RANK[truth]
                and r.case in beyond
            ):
                misses += 1
    return misses
