"""Named random streams for one run.

Every source of variation has its own stream, spawned from the run's
`numpy.random.SeedSequence`. Streams are named, and a name always maps to the same
spawn key, so two scenarios run with one seed draw the same arrivals and the same
families (common random numbers) even when their staffing differs. A family's hidden
truth is drawn from the run-wide family stream when it is first referred, in referral
order, which staffing and policy do not change; the draws of the rest of its story (its
harm clock, a worker's misreading of it) come from blocks drawn for it then and, should
those run out, from its own substream, so they do not shift when another family's story
changes.
"""

from __future__ import annotations

import bisect
import math
from statistics import NormalDist

from numpy.random import PCG64, Generator, SeedSequence

# Append only: a stream's key is its position here, and changing it changes every run.
STREAM_NAMES: tuple[str, ...] = (
    "arrivals",  # arrival times and sources of referrals from outside
    "family",  # new families' truth, in referral order; per family: harm clock, concerns
    "judgement",  # per family: how a worker misreads what is visible
    "durations",  # per case: how long screening and assessment take
    "information",  # per case: files, database, agencies (latent conditions)
    "handover",  # per case: facts lost at handovers
    "review",  # per case: team-leader and long-term reviews
    "reporting",  # per incident: who notices and whether it is reported
    "staffing",  # turnover of workers
)
_KEY = {name: i for i, name in enumerate(STREAM_NAMES)}


class RandomStreams:
    """Owns every random generator of one run; rebuilt from `seed` it replays the run."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative integers")
        self.seed = int(seed)
        # Replication i of every scenario in an experiment shares its streams (CRN).
        self.replication = int(replication)
        self._shared: dict[str, Generator] = {}

    def _sequence(self, name: str, *entity: int) -> SeedSequence:
        try:
            key = _KEY[name]
        except KeyError:
            raise KeyError(f"no random stream named {name!r}") from None
        return SeedSequence(self.seed, spawn_key=(self.replication, key, *entity))

    def stream(self, name: str) -> Generator:
        """The run-wide stream `name` (created once, then shared)."""
        gen = self._shared.get(name)
        if gen is None:
            gen = self._shared[name] = Generator(PCG64(self._sequence(name)))
        return gen

    def for_entity(self, name: str, entity_id: int) -> Generator:
        """A fresh generator for one entity (family, case) within stream `name`."""
        return Generator(PCG64(self._sequence(name, int(entity_id))))

    def block_for_entity(
        self, name: str, entity_id: int, source: Generator, size: int
    ) -> DrawBlock:
        """`size` uniforms drawn now from `source` for one entity, then its own stream."""
        return DrawBlock(self, name, int(entity_id), source.random(size).tolist())

    def blocks_for_entity(
        self, names: tuple[str, ...], entity_id: int, source: Generator, size: int
    ) -> list[DrawBlock]:
        """One block of `size` uniforms per name, all drawn from `source` in one call."""
        values = source.random(size * len(names)).tolist()
        entity = int(entity_id)
        return [
            DrawBlock(self, name, entity, values[i * size : (i + 1) * size])
            for i, name in enumerate(names)
        ]


_inv_cdf = NormalDist().inv_cdf
_log1p = math.log1p


class DrawBlock:
    """A block of uniforms drawn up front for one entity, with a fallback stream.

    Drawing a block when a family first appears costs a fraction of building a new
    generator, and keeps the family's draws fixed however its story interleaves with
    others'. Should a long story use the block up, draws continue from `fallback` when
    one is given (the generator the block came from, when that is the entity's own),
    else from the entity's own generator in the named stream, made on first need.
    """

    __slots__ = ("_values", "_next", "_streams", "_name", "_entity", "_fallback")

    def __init__(
        self,
        streams: RandomStreams,
        name: str,
        entity: int,
        values: list[float],
        fallback: Generator | None = None,
    ):
        self._values = values
        self._next = 0
        self._streams = streams
        self._name = name
        self._entity = entity
        self._fallback = fallback

    def random(self) -> float:
        i = self._next
        try:
            value = self._values[i]
        except IndexError:
            return self._fallback_random()
        self._next = i + 1
        return value

    def _fallback_random(self) -> float:
        if self._fallback is None:
            self._fallback = self._streams.for_entity(self._name, self._entity)
        return float(self._fallback.random())

    def normal(self, loc: float = 0.0, scale: float = 1.0) -> float:
        u = self.random()
        # inv_cdf needs 0 < u < 1; numpy's uniforms are below 1, and exactly 0 is
        # possible but vanishingly rare.
        return loc + scale * _inv_cdf(u if u > 0.0 else 1e-300)

    def exponential(self, scale: float = 1.0) -> float:
        return -scale * _log1p(-self.random())


def cumulative(weights: list[float]) -> list[float]:
    """Cumulative shares of `weights`, ending at exactly 1 (even shares if all are 0)."""
    total = sum(weights)
    if total <= 0:
        return [(i + 1) / len(weights) for i in range(len(weights))]
    out: list[float] = []
    running = 0.0
    for w in weights:
        running += w
        out.append(running / total)
    out[-1] = 1.0
    return out


def pick(cdf: list[float], u: float) -> int:
    """Index chosen by a uniform draw `u` from cumulative shares `cdf`."""
    return min(bisect.bisect_left(cdf, u), len(cdf) - 1)
