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
from collections.abc import Callable

import numpy as np
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
    "presenting",  # per family: the concern each of its referrals names
    "learning",  # per review: whether it looks at the system or for someone to blame
    "agencies",  # per case and decision: other agencies' own decisions
    "agency_clients",  # per family: whether a parent is probation's or mental health's client
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

    def for_key(self, name: str, *key: int) -> Generator:
        """A fresh generator for one keyed draw within stream `name` (a family, its n-th
        referral and a decision, say), so it lines up across scenarios (CRN)."""
        return Generator(PCG64(self._sequence(name, *(int(k) for k in key))))

    def blocks_for_entity(
        self, sizes: tuple[tuple[str, int, int], ...], entity_id: int, source: BatchedDraws
    ) -> list[DrawBlock]:
        """One block per (name, uniforms, normals), all taken from `source`."""
        uniforms = source.uniforms(sum(u for _, u, _ in sizes))
        normals = source.normals(sum(n for _, _, n in sizes))
        entity = int(entity_id)
        blocks: list[DrawBlock] = []
        u0 = n0 = 0
        for name, u, n in sizes:
            blocks.append(
                DrawBlock(self, name, entity, uniforms[u0 : u0 + u], normals=normals[n0 : n0 + n])
            )
            u0, n0 = u0 + u, n0 + n
        return blocks


_log1p = math.log1p


class _Batch:
    """Values from one drawing function, drawn `size` at a time, handed out in order."""

    __slots__ = ("_draw", "_size", "_values", "_next")

    def __init__(self, draw: Callable[[int], np.ndarray], size: int) -> None:
        self._draw = draw
        self._size = size
        self._values: list[float] = []
        self._next = 0

    def take(self, k: int) -> list[float]:
        i = self._next
        if i + k > len(self._values):
            fresh = self._draw(max(self._size, k)).tolist()
            self._values, i = self._values[i:] + fresh, 0
        self._next = i + k
        return self._values[i : i + k]

    def one(self) -> float:
        i = self._next
        if i >= len(self._values):
            self._values, i = self._draw(self._size).tolist(), 0
        self._next = i + 1
        return self._values[i]


class BatchedDraws:
    """Uniforms, normals and beta draws from one generator, made a batch at a time.

    A numpy call costs about a microsecond however many values it returns, so a stream
    read a few values at a time (every new family's truth and facts, every candidate
    arrival) is read from batches. What a reader gets depends only on the order of the
    reads: for the family stream, the order in which families are first referred.
    """

    __slots__ = ("_rng", "_uniforms", "_normals", "_betas")

    def __init__(self, rng: Generator, batch: int = 4096) -> None:
        self._rng = rng
        self._uniforms = _Batch(rng.random, batch)
        self._normals = _Batch(rng.standard_normal, batch)
        self._betas: dict[tuple[float, float], _Batch] = {}

    def uniforms(self, k: int) -> list[float]:
        return self._uniforms.take(k)

    def normals(self, k: int) -> list[float]:
        return self._normals.take(k)

    def uniform(self) -> float:
        return self._uniforms.one()

    def normal(self, loc: float = 0.0, scale: float = 1.0) -> float:
        return loc + scale * self._normals.one()

    def exponential(self, scale: float = 1.0) -> float:
        return -scale * _log1p(-self._uniforms.one())

    def beta(self, a: float, b: float) -> float:
        batch = self._betas.get((a, b))
        if batch is None:
            rng = self._rng
            batch = self._betas[(a, b)] = _Batch(lambda n: rng.beta(a, b, n), 512)
        return batch.one()


class DrawBlock:
    """Uniforms and normals drawn up front for one entity, with a fallback stream.

    Drawing a block when a family first appears costs a fraction of building a new
    generator, and keeps the family's draws fixed however its story interleaves with
    others'. Should a long story use a block up, draws continue from `fallback` when
    one is given (the generator the block came from, when that is the entity's own),
    else from the entity's own generator in the named stream, made on first need.
    Normals are drawn as normals (not from the uniforms through an inverse CDF): the
    model asks for nearly as many of one as of the other, and this is cheaper.
    """

    __slots__ = (
        "_values",
        "_next",
        "_normals",
        "_next_normal",
        "_streams",
        "_name",
        "_entity",
        "_fallback",
    )

    def __init__(
        self,
        streams: RandomStreams,
        name: str,
        entity: int,
        values: list[float],
        fallback: Generator | None = None,
        normals: list[float] | None = None,
    ):
        self._values = values
        self._next = 0
        self._normals = normals if normals is not None else []
        self._next_normal = 0
        self._streams = streams
        self._name = name
        self._entity = entity
        self._fallback = fallback

    def _generator(self) -> Generator:
        if self._fallback is None:
            self._fallback = self._streams.for_entity(self._name, self._entity)
        return self._fallback

    def random(self) -> float:
        i = self._next
        try:
            value = self._values[i]
        except IndexError:
            return float(self._generator().random())
        self._next = i + 1
        return value

    def normal(self, loc: float = 0.0, scale: float = 1.0) -> float:
        i = self._next_normal
        try:
            z = self._normals[i]
        except IndexError:
            return loc + scale * float(self._generator().standard_normal())
        self._next_normal = i + 1
        return loc + scale * z

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
