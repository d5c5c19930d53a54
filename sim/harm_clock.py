"""The harm clock as a run's activity: when each family's next harm comes, and what then.

The clock itself (sim/harm.py) solves the next harm time from the family's true risk
and the protection in place; this activity keeps one timer per family, restarts it
whenever the protection changes, and when harm comes grades it, logs it and, if someone
outside saw it, brings the family back to the front door (or adds what they saw to the
open case).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config import Harm
from sim.context import RunContext
from sim.entities import Family
from sim.events import EventKind
from sim.harm import hazard_integral, time_to_hazard
from sim.incidents import IncidentBook
from sim.judgement import Judgement
from sim.records import HarmOccurred, InformationReturned
from sim.vocabulary import HarmType, Protection, Severity, Source

# Who refers a family when harm is seen by someone outside the team.
SURFACING_SOURCE: dict[HarmType, Source] = {
    "physical": "hospital",
    "sexual": "police",
    "neglect": "school",
    "emotional": "school",
}
Referrer = Callable[[Family, str], object]  # (family, source): refer the family again


class HarmClock:
    """One harm timer per family, run by the truth and the protection in place."""

    def __init__(
        self, ctx: RunContext, *, harm: Harm, judgement: Judgement, incidents: IncidentBook
    ) -> None:
        self._ctx = ctx
        self._harm = harm
        self._judgement = judgement
        self._incidents = incidents
        # Harm rate per day at full risk, by the protection in place (0 with harm off).
        full = harm.rate_per_year_at_full_risk / 365.0 if harm.enabled else 0.0
        self._unprotected = full
        self._by_protection: dict[Protection, float] = {
            state: full * multiplier for state, multiplier in harm.protection.items()
        }
        # Set by the model once referrals exist: how harm seen outside comes back in.
        self.refer_again: Referrer = _not_connected

    def disconnect(self) -> None:
        """Undo the model's wiring (releasing a finished run)."""
        self.refer_again = _not_connected

    def _rate(self, family: Family) -> float:
        if family.harm_type == "none" or not family.alive or family.gone:
            return 0.0
        return self._by_protection.get(family.protection, self._unprotected)

    def advance(self, family: Family) -> None:
        """Use up the hazard accumulated since it was last counted."""
        now = self._ctx.env.now
        rate = self._rate(family)
        if rate > 0.0:  # no hazard, nothing used up (most families most of the time)
            used = hazard_integral(family, family.hazard_since, now, rate, self._harm.risk_exponent)
            left = family.hazard_left - used
            family.hazard_left = left if left > 0.0 else 0.0
        family.hazard_since = now

    def set_protection(self, family: Family, state: Protection) -> None:
        if family.protection == state:
            return
        self.advance(family)
        family.protection = state
        self.reschedule(family)

    def reschedule(self, family: Family) -> None:
        family.clock_version += 1
        rate = self._rate(family)
        if rate <= 0:
            return
        env = self._ctx.env
        now = env.now
        when = time_to_hazard(family, now, family.hazard_left, rate, self._harm.risk_exponent)
        if when >= self._ctx.end_time:
            return
        version = family.clock_version
        # A plain callback rather than a process: cheaper, and a stale clock (the
        # protection changed first) simply finds its version out of date.
        timer = env.timeout(when - now)
        timer.callbacks.append(lambda _ev: self._due(family, version))

    def _due(self, family: Family, version: int) -> None:
        if version != family.clock_version or not family.alive:
            return
        harm = self._harm
        rng = family.rng
        now = self._ctx.env.now
        risk = family.risk_at(now)
        severity: Severity
        if rng.random() < harm.severe_share_at_full_risk * risk:
            severity = "death" if rng.random() < harm.fatal_share_of_severe else "severe"
        else:
            severity = "moderate" if rng.random() < 0.3 + 0.5 * risk else "low"
        family.hazard_left = float(rng.exponential())
        family.hazard_since = now
        case = family.open_case
        seen_level = "severe" if severity in ("severe", "death") else severity
        surfaced = bool(rng.random() < harm.surfaces[seen_level])  # type: ignore[index]
        self._ctx.log.append(
            HarmOccurred(
                now,
                self._ctx.log.next_seq,
                EventKind.HARM_OCCURRED,
                case.id if case is not None else -1,
                family.id,
                harm_type=family.harm_type,
                severity=severity,
                protection=family.protection,
                team_level=family.team_level.label,
                truth_level=self._judgement.truth_level(family).label,
                seen_by_outside_agency=surfaced,
            )
        )
        self._incidents.harm(family, severity, surfaced=surfaced)
        if severity == "death":
            family.alive = False
            family.clock_version += 1
            family.concern_version += 1
            return
        if surfaced:
            if case is None:
                self.refer_again(family, SURFACING_SOURCE[family.harm_type])
                return
            # Someone outside saw the harm while the case is open: it joins the file.
            case.evidence["harm_seen"] = min(1.0, risk + 0.2)
            self._ctx.log.append(
                InformationReturned(
                    now,
                    self._ctx.log.next_seq,
                    EventKind.INFORMATION_RETURNED,
                    case.id,
                    family.id,
                    what="harm_seen",
                    source=SURFACING_SOURCE[family.harm_type],
                )
            )
        self.reschedule(family)


def _not_connected(family: Family, source: str) -> None:
    raise RuntimeError("the harm clock is not connected to the front door (or was released)")
