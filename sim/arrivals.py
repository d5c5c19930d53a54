"""Arrivals: new families referred from outside, and an exercise's scripted referrals.

Outside referrals come as a non-stationary Poisson process: each source (police,
schools, health, the public ...) has its own share and, optionally, its own profile over
the hours of the week, and surges raise the rate for a while. Each new family is drawn
so that the source would refer it: its hidden truth (harm type, risk, need, trend),
whether the team knew it before the run, and everything there is to find out about it.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config import Arrivals, Families, ScriptedReferral
from sim.context import ProcessGen, RunContext
from sim.entities import Family
from sim.events import NO_ID, EventKind
from sim.harm_clock import HarmClock
from sim.household import adult_facts
from sim.information import InformationDesk, scripted_facts
from sim.judgement import Judgement
from sim.records import FamilyCreated
from sim.referrals import Referrals
from sim.rng import BatchedDraws, DrawBlock, cumulative, pick
from sim.vocabulary import HARM_TYPES, HarmType

SCRIPTED_FAMILY_BASE = 1_000_000  # scripted families never take an outside family's id
# Draws made for each family when it is first referred, as (stream, uniforms, normals):
# its own story (referrals, harm clock, concerns) and workers' readings of it. Sized
# from the baseline: 99% of families use fewer (10 uniforms and 4 normals; 10 and 36)
# over a two-year run; the rest go on in their own substream.
FAMILY_BLOCKS = (("family", 16, 8), ("judgement", 16, 48))


class ArrivalStream:
    """Brings families to the front door: drawn from outside, or set by an exercise."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        arrivals: Arrivals,
        families: Families,
        max_referrals: int | None,
        information: InformationDesk,
        judgement: Judgement,
        harm_clock: HarmClock,
        referrals: Referrals,
    ) -> None:
        self._ctx = ctx
        self._arrivals = arrivals
        self._families = families
        self._max_referrals = max_referrals
        self._information = information
        self._judgement = judgement
        self._harm_clock = harm_clock
        self._referrals = referrals
        self._rng = ctx.streams.stream("arrivals")
        self._family_draws = BatchedDraws(ctx.streams.stream("family"))
        self._source_names = referrals.source_names
        mix = families.harm_mix
        self._harm_names: list[HarmType] = [h for h in HARM_TYPES if mix.get(h, 0.0) > 0]
        self._harm_cdf = cumulative([mix[h] for h in self._harm_names])
        self._outside_families = 0

    def _source_profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """Per source, the relative rate in each hour of the week (mean 1 over the week)."""
        arr = self._arrivals
        profiles = []
        shares = []
        for name in self._source_names:
            spec = arr.sources[name]  # type: ignore[index]
            week = np.array(spec.weekday_weights or arr.weekday_weights, dtype=float)
            hours = np.array(spec.hour_weights or arr.hour_weights, dtype=float)
            grid = np.outer(week / week.mean(), hours / hours.mean())  # 7 x 24
            profiles.append(grid)
            shares.append(spec.share)
        share = np.array(shares) / sum(shares)
        return np.array(profiles), share

    def outside(self) -> ProcessGen:
        """Outside referrals: a non-stationary Poisson process, by thinning.

        The rate in each hour of the week is the sum over sources of share x profile, so
        a source with its own profile (a hospital late on Fridays) shifts when referrals
        come without changing how many.
        """
        arr = self._arrivals
        env = self._ctx.env
        profiles, share = self._source_profiles()
        by_source = profiles * share[:, None, None]  # source x weekday x hour
        total = by_source.sum(axis=0)
        base = arr.annual_referrals / 365.0
        surge_max = max([1.0] + [s.factor for s in arr.surges])
        peak_rate = base * float(total.max()) * surge_max
        # Per hour of the week: the rate, and which source a referral then comes from.
        rates = (base * total).tolist()
        source_cdfs = [
            [cumulative(by_source[:, d, h].tolist()) for h in range(24)] for d in range(7)
        ]
        limit = self._max_referrals
        draws = BatchedDraws(self._rng, batch=512)
        end = self._ctx.end_time
        made = 0
        t = env.now
        while limit is None or made < limit:
            # A candidate at the peak rate, kept with probability rate / peak. Rejected
            # candidates cost no SimPy event: the process sleeps only until a kept one
            # (or, past the end of the run, until each candidate, should anyone go on).
            t += -math.log1p(-draws.uniform()) / peak_rate
            u = draws.uniform()
            day, hour = int(t % 7.0), int((t % 1.0) * 24.0)
            rate = rates[day][hour]
            for surge in arr.surges:
                if surge.start_day <= t < surge.end_day:
                    rate *= surge.factor
            kept = u * peak_rate <= rate
            if not kept and t < end:
                continue
            yield env.timeout(t - env.now)
            if not kept:
                continue  # thinned out: no referral at this instant
            source = self._source_names[pick(source_cdfs[day][hour], draws.uniform())]
            made += 1
            family = self._new_family(source)
            self._referrals.open_case(family, source, re_referral=False)

    def _draw_truth(self, draws: BatchedDraws) -> tuple[HarmType, float, float]:
        fam = self._families
        harm_type = self._harm_names[pick(self._harm_cdf, draws.uniform())]
        risk = 0.0
        if harm_type != "none":
            dist = fam.risk[harm_type]  # type: ignore[index]
            risk = draws.beta(dist.a, dist.b)
        need = draws.beta(fam.need.a, fam.need.b)
        return harm_type, risk, need

    def _new_family(self, source: str) -> Family:
        """A family newly referred from outside, drawn so that the source would refer it.

        Its truth and facts come from the run-wide family stream, in the order families
        are first referred (the same under any staffing or policy, as arrivals are);
        everything drawn later in its story comes from blocks drawn for it here, then
        from its own substream. Building a generator per family cost more than drawing
        the whole family (benchmarks/bench_model.py).
        """
        fam = self._families
        now = self._ctx.env.now
        family_id = self._outside_families
        self._outside_families += 1
        draws = self._family_draws
        bar = self._arrivals.sources[source].referral_bar  # type: ignore[index]
        for _ in range(1000):
            harm_type, risk, need = self._draw_truth(draws)
            seen = max(fam.clarity_at_referral[harm_type] * risk, 0.8 * need)  # type: ignore[index]
            if seen + draws.normal(0.0, 0.1) >= bar:
                break
        trend = min(1.0, max(-1.0, draws.normal(0.0, fam.trend_sd_per_year)))
        known = draws.uniform() < fam.known_share
        last = None
        if known:
            last = now - draws.exponential(fam.known_last_referral_mean_days)
        story, judgement = self._ctx.streams.blocks_for_entity(FAMILY_BLOCKS, family_id, draws)
        family = Family(
            id=family_id,
            harm_type=harm_type,
            base_risk=risk,
            need=need,
            trend=trend,
            origin_time=now,
            rng=story,
            judgement_rng=judgement,
            known_before_run=known,
            last_referral_at=last,
            hazard_left=draws.exponential(),
            hazard_since=now,
            patch=family_id % self._ctx.patches,
        )
        family.facts = self._information.draw_facts(family, draws, known)
        return self._register(family)

    def _register(self, family: Family) -> Family:
        self._ctx.families[family.id] = family
        facts = family.facts
        self._ctx.log.append(
            FamilyCreated(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.FAMILY_CREATED,
                NO_ID,
                family.id,
                harm_type=family.harm_type,
                risk=family.base_risk,
                need=family.need,
                trend=family.trend,
                known_before_run=family.known_before_run,
                truth_level=self._judgement.truth_level(family).label,
                surname=facts.surname,
                name_origin=facts.name_origin,
                recorded_surname=facts.recorded_surname,
                file_location=facts.file_location,
                agencies_knowing=sorted(facts.agency_information),
                patch=family.patch,
            )
        )
        self._harm_clock.reschedule(family)
        return family

    def scripted(self, index: int, spec: ScriptedReferral) -> ProcessGen:
        """A training exercise's referral: a family with a set truth, at a set moment."""
        ctx = self._ctx
        streams = ctx.streams
        yield ctx.env.timeout(max(0.0, spec.day + spec.hour / 24.0 - ctx.env.now))
        now = ctx.env.now
        fam = spec.family
        family_id = SCRIPTED_FAMILY_BASE + index
        rng = streams.for_entity("family", family_id)
        # The family's own generator: its block, then the same generator onwards.
        story = DrawBlock(streams, "family", family_id, [], fallback=rng)
        family = Family(
            id=family_id,
            harm_type=fam.harm_type,
            base_risk=fam.risk,
            need=fam.need,
            trend=fam.trend,
            origin_time=now,
            rng=story,
            judgement_rng=streams.blocks_for_entity(
                FAMILY_BLOCKS[1:], family_id, BatchedDraws(rng, batch=64)
            )[0],
            known_before_run=fam.recorded_surname is not None,
            last_referral_at=None,
            hazard_left=float(rng.exponential()),
            hazard_since=now,
            patch=index % ctx.patches,
        )
        family.facts = scripted_facts(fam)
        family.facts.adults = adult_facts(fam)
        self._register(family)
        # The referrer's spelling, which may not be the family's own (`spelt_as`).
        spelling = spec.spelt_as or fam.surname
        self._referrals.open_case(
            family,
            spec.source,
            re_referral=False,
            scripted=(spec.ref, spec.concern, spec.signal, spec.need_signal, spelling),
        )
