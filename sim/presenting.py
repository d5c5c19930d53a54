"""The presenting problem: the concern a referral names, drawn from the hidden harm.

A referrer tells the front door what they saw, not what lies behind it. Injuries and
disclosures mostly name physical and sexual harm plainly; neglect and emotional harm
mostly arrive as something else (a housing problem, a missed appointment, a child's
behaviour at school, a domestic incident), so a policy or a duty worker that goes by the
stated concern puts them behind the clear cases (report 4.2, 4.4). This module is part
of the world outside the team: it reads the family's harm type once, at referral, to
choose the words; everything after that sees only the words.

Each family draws from its own generator of the `presenting` stream, so its n-th
referral names the same concern under every policy and staffing (common random numbers).
"""

from __future__ import annotations

from numpy.random import Generator

from sim.config_front import Presenting
from sim.entities import Family
from sim.rng import RandomStreams, cumulative, pick
from sim.vocabulary import Concern


class PresentingProblems:
    """Chooses the concern each generated referral names."""

    def __init__(self, spec: Presenting, streams: RandomStreams) -> None:
        self._streams = streams
        self._rows: dict[str, tuple[list[Concern], list[float]]] = {}
        for harm, row in spec.mix.items():
            names = [c for c, share in row.items() if share > 0]
            self._rows[harm] = (names, cumulative([row[c] for c in names]))
        self._draws: dict[int, Generator] = {}

    def concern(self, family: Family) -> Concern:
        """The concern named by this family's next generated referral."""
        row = self._rows.get(family.harm_type)
        if row is None or not row[0]:
            return "none"
        rng = self._draws.get(family.id)
        if rng is None:
            rng = self._draws[family.id] = self._streams.for_entity("presenting", family.id)
        names, cdf = row
        return names[pick(cdf, float(rng.random()))]

    def release(self) -> None:
        """Forget the families' generators (a finished run)."""
        self._draws.clear()
