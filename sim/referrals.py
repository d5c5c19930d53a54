"""A case's life at the front door: a referral opened, routed, closed, and referred again.

A referral opens a case on a family: what the referrer saw (a blurred signal of the
family's risk and need), the concern they name, and how they spell the family's name.
The case then goes to the duty desk, to the out-of-hours team if the office is shut, or
straight to the waiting list when the scenario has no screening. When a case closes, a
family whose trouble persists is noticed again by someone outside, at a rate, and
referred once more.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.config import Arrivals, Concerns, Families
from sim.config_front import Presenting
from sim.context import RunContext, clip01
from sim.entities import Case, Family, Level
from sim.events import NO_ID, EventKind
from sim.harm_clock import HarmClock
from sim.incidents import IncidentBook
from sim.information import InformationDesk
from sim.presenting import PresentingProblems
from sim.records import Closed, FamilyLeft, ReferralArrived
from sim.rng import DrawBlock, cumulative, pick
from sim.vocabulary import SOURCES

# A scripted referral's own wording: reference, concern, signal, need signal, spelling.
Scripted = tuple[str, str, float, float, str]
Router = Callable[[Case, bool], None]  # (case, out of hours): where a new case goes


class Referrals:
    """Opens and closes cases, and schedules the next concern about a closed family."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        arrivals: Arrivals,
        families: Families,
        concerns: Concerns,
        presenting: Presenting,
        harm_clock: HarmClock,
        information: InformationDesk,
        incidents: IncidentBook,
    ) -> None:
        self._ctx = ctx
        self._incidents = incidents
        self._families = families
        self._concerns = concerns
        self._harm_clock = harm_clock
        self._information = information
        self.source_names = [s for s in SOURCES if s in arrivals.sources]
        shares = [arrivals.sources[s].share for s in self.source_names]  # type: ignore[index]
        self._source_cdf = cumulative(shares)
        self.presenting = PresentingProblems(presenting, ctx.streams)
        # Set by the model once the desk, the night team and allocation exist.
        self.route: Router = _not_connected

    def open_case(
        self,
        family: Family,
        source: str,
        *,
        re_referral: bool,
        scripted: Scripted | None = None,
    ) -> Case:
        """Open a case on `family`, log the referral and send the case on its way."""
        ctx = self._ctx
        now = ctx.env.now
        if scripted is not None:
            ref, concern, signal, need_signal, spelling = scripted
        else:
            signal, need_signal, concern = self._referral_picture(family, now)
            ref, spelling = None, ""
        case = Case(
            id=len(ctx.cases),
            family=family,
            source=source,
            arrived_at=now,
            concern=concern,
            referral_signal=signal,
            need_signal=need_signal,
            re_referral=re_referral,
            scripted_ref=ref,
        )
        case.spelling = spelling or self._information.referral_spelling(case)
        if family.facts.recorded_surname is None and family.referrals >= 1:
            # The team's own earlier contact put the family on record, as then spelt.
            family.facts.recorded_surname = family.first_spelling
        if family.referrals == 0:
            family.first_spelling = case.spelling
        case.evidence["referral"] = signal
        since_last = None if family.last_referral_at is None else now - family.last_referral_at
        ctx.cases[case.id] = case
        family.referrals += 1
        family.last_referral_at = now
        family.open_case = case
        family.concern_version += 1  # an open case stops the clock of new concerns
        out_of_hours = not ctx.calendar.is_open(now)
        self._log_referral(case, out_of_hours, since_last)
        self._harm_clock.set_protection(family, "waiting")
        self.route(case, out_of_hours)
        return case

    def _log_referral(self, case: Case, out_of_hours: bool, since_last: float | None) -> None:
        family = case.family
        self._ctx.log.append(
            ReferralArrived(
                case.arrived_at,
                self._ctx.log.next_seq,
                EventKind.REFERRAL_ARRIVED,
                case.id,
                family.id,
                source=case.source,
                concern=case.concern,
                out_of_hours=out_of_hours,
                re_referral=case.re_referral,
                known_family=family.known_before_run or family.referrals > 1,
                days_since_last_referral=since_last,
                signal=case.referral_signal,
                need_signal=case.need_signal,
                spelling=case.spelling,
                scripted=case.scripted_ref,
            )
        )

    def _referral_picture(self, family: Family, now: float) -> tuple[float, float, str]:
        """What an outside referrer reports: risk and need as they saw them, and the
        concern they name (the presenting problem, not the hidden harm)."""
        fam = self._families
        rng = family.rng
        signal = clip01(
            fam.clarity_at_referral[family.harm_type] * family.risk_at(now)  # type: ignore[index]
            + float(rng.normal(0.0, fam.referral_noise_sd))
        )
        need_signal = clip01(family.need + float(rng.normal(0.0, 0.1)))
        return signal, need_signal, self.presenting.concern(family)

    def disconnect(self) -> None:
        """Undo the model's wiring (releasing a finished run)."""
        self.route = _not_connected
        self.presenting.release()

    def refer_again(self, family: Family, source: str) -> None:
        """Someone outside refers a family already known to the team."""
        self.open_case(family, source, re_referral=True)

    def close(self, case: Case, reason: str) -> None:
        ctx = self._ctx
        family = case.family
        now = ctx.env.now
        case.closed_at = now
        case.stage = "closed"
        family.open_case = None
        family.team_level = Level.NO_FURTHER_ACTION
        ctx.log.append(
            Closed(
                now,
                ctx.log.next_seq,
                EventKind.CLOSED,
                case.id,
                family.id,
                reason=reason,
                days_open=now - case.arrived_at,
            )
        )
        self._harm_clock.set_protection(family, "none")
        self._schedule_concern(family)

    def _schedule_concern(self, family: Family) -> None:
        """Persisting risk or need is noticed again by someone outside, at a rate.

        The rate fades with time since the case closed (`fade_days`), and the family may
        leave the team's population first (`leave_rate_per_year`), so each family is
        re-referred a finite number of times and the re-referring population stays level.
        """
        concerns = self._concerns
        env = self._ctx.env
        if not concerns.enabled or not family.alive:
            return
        level = max(family.risk_at(env.now), family.need)
        rate = concerns.rate_per_year / 365.0 * level
        if rate <= 0:
            return
        family.concern_version += 1
        version = family.concern_version
        delay = concern_delay(family.rng, rate, concerns.fade_days)
        if concerns.leave_rate_per_year > 0:
            leave = float(family.rng.exponential(365.0 / concerns.leave_rate_per_year))
            if env.now + leave < self._ctx.end_time:
                timer = env.timeout(leave)
                timer.callbacks.append(lambda _ev: self._family_leaves(family, version))
            if leave <= delay:
                return  # the family leaves before anyone raises a new concern
        if env.now + delay >= self._ctx.end_time:
            return
        source = self.source_names[pick(self._source_cdf, family.rng.random())]
        timer = env.timeout(delay)
        timer.callbacks.append(lambda _ev: self._concern_due(family, version, source))

    def _family_leaves(self, family: Family, version: int) -> None:
        """A closed family leaves the team's population for good (children grow up, the
        family moves away): no new concern and no harm reaches this team again."""
        if version != family.concern_version or family.open_case is not None or not family.alive:
            return
        now = self._ctx.env.now
        self._harm_clock.advance(family)
        family.gone = True
        family.clock_version += 1
        family.concern_version += 1
        self._ctx.log.append(
            FamilyLeft(now, self._ctx.log.next_seq, EventKind.FAMILY_LEFT, NO_ID, family.id)
        )
        self._incidents.censor(family, now, "family_left")

    def _concern_due(self, family: Family, version: int, source: str) -> None:
        if version != family.concern_version or family.open_case is not None or not family.alive:
            return
        self.open_case(family, source, re_referral=True)


def concern_delay(rng: DrawBlock, rate: float, fade_days: float | None) -> float:
    """Days to the next outside concern at `rate` a day, fading by e every `fade_days`
    (inf: none ever comes). With a fade the hazard rate*exp(-t/fade) integrates to at most
    rate*fade, so a unit exponential beyond that means no concern at all."""
    e = float(rng.exponential())
    if fade_days is None:
        return e * (1.0 / rate)
    total = rate * fade_days
    if e >= total:
        return math.inf
    return -fade_days * math.log1p(-e / total)


def _not_connected(case: Case, out_of_hours: bool) -> None:
    raise RuntimeError("referrals are not connected to the front door (or were released)")
