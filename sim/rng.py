"""Named random streams for one run.

Every source of variation has its own stream, spawned from the run's
`numpy.random.SeedSequence`. Streams are named, and a name always maps to the same
spawn key, so two scenarios run with one seed draw the same arrivals and the same
families (common random numbers) even when their staffing differs. Draws that belong to
one family (its hidden truth, its harm clock, a worker's misreading of it) come from that
family's own substream, so they do not shift when another family's story changes.
"""

from __future__ import annotations

from numpy.random import PCG64, Generator, SeedSequence

# Append only: a stream's key is its position here, and changing it changes every run.
STREAM_NAMES: tuple[str, ...] = (
    "arrivals",  # arrival times and sources of referrals from outside
    "family",  # per family: hidden truth, trend, harm clock, new concerns
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

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self._shared: dict[str, Generator] = {}

    def _sequence(self, name: str, *entity: int) -> SeedSequence:
        try:
            key = _KEY[name]
        except KeyError:
            raise KeyError(f"no random stream named {name!r}") from None
        return SeedSequence(self.seed, spawn_key=(key, *entity))

    def stream(self, name: str) -> Generator:
        """The run-wide stream `name` (created once, then shared)."""
        gen = self._shared.get(name)
        if gen is None:
            gen = self._shared[name] = Generator(PCG64(self._sequence(name)))
        return gen

    def for_entity(self, name: str, entity_id: int) -> Generator:
        """A fresh generator for one entity (family, case) within stream `name`."""
        return Generator(PCG64(self._sequence(name, int(entity_id))))
