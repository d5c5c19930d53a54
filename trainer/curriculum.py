"""An adaptive curriculum: what this trainee has mastered, and which shift to give next.

Mastery of each near-miss pattern is estimated by Bayesian knowledge tracing (Corbett and
Anderson's four-parameter model). Every case of a pattern that a trainee met is one
observation: a hidden risk caught (a hit) or a safe family left alone when the referral
was alarming (a correct rejection of a false-positive trap) is correct; a miss or a
false alarm is wrong. For each observation, in the order the shifts were played:

    P(known | correct) = P(L) (1 - S) / (P(L) (1 - S) + (1 - P(L)) G)
    P(known | wrong)   = P(L) S / (P(L) S + (1 - P(L)) (1 - G))
    P(L) afterwards    = P(known | obs) + (1 - P(known | obs)) T

with the parameters below (plain, documented guesses for a short course, not fitted:
fitting needs more sessions than a class produces). A pattern counts as mastered at
`MASTERED` or above.

The next shift goes to the weakest pattern not yet mastered (lowest mastery; a tie goes
to the pattern met least, then to the order of `PATTERN_ORDER`), at the trainee's rung:
one above the highest rung at which they finished a clean shift (every hidden risk
caught, no false alarm), starting at induction. A pattern that was met and is still
under `STRUGGLING` comes first, one rung lower (never below induction); otherwise the
weakest is sought among the patterns that an exercise at the rung can give. The
exercise is a bundled one at that rung that holds the pattern and that the trainee has
played least; if there is none, a fresh exercise generated from the pattern
(trainer.generate) at that rung; if the pattern cannot be generated, the bundled
exercise holding it whose rung is nearest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainer.exercise import DIFFICULTIES

# Bayesian knowledge tracing parameters (probabilities).
P_INIT = 0.2  # knows the pattern before the first shift
P_TRANSIT = 0.15  # learns it from one case, caught or not (the debrief teaches either way)
P_SLIP = 0.1  # knows it and still misses it (a busy tray, an unlucky order)
P_GUESS = 0.2  # does not know it and catches it anyway (checks made for other reasons)
MASTERED = 0.95
STRUGGLING = 0.3

# Patterns in the order a course meets them when nothing else decides (docs/domain.md 5).
PATTERN_ORDER: tuple[str, ...] = (
    "other_spelling",
    "agency_fact_not_passed_on",
    "false_positive",
    "requests_ignored",
    "face_value",
    "new_partner",
    "missing_file",
    "school_will_not_say",
    "police_refusal",
    "rule_of_optimism",
    "bail_not_passed_on",
    "handover_drops_fact",
    "friday_discharge",
    "edt_visit_unseen",
    "long_term_change",
)

PATTERN_WORDS: dict[str, str] = {
    "missing_file": "the history in a file that cannot be had in time",
    "new_partner": "a new adult whose history is on record",
    "face_value": "a family taken at face value",
    "bail_not_passed_on": "a bail that nobody passed on",
    "other_spelling": "a known family under another spelling",
    "friday_discharge": "a Friday discharge with no assessment",
    "police_refusal": "a police view that the child is happy enough",
    "school_will_not_say": "a school that will not say",
    "rule_of_optimism": "the rule of optimism in a familiar family",
    "edt_visit_unseen": "a night visit that does not see the child",
    "requests_ignored": "a parent's requests for help",
    "handover_drops_fact": "a fact lost at the handover to the night team",
    "agency_fact_not_passed_on": "a fact another agency holds and has not passed on",
    "long_term_change": "a long-term case that has changed",
    "false_positive": "an alarming referral about a safe family",
}


@dataclass(frozen=True)
class Observation:
    """One case of a pattern in one finished shift."""

    session: int
    pattern: str
    correct: bool
    rung: int


@dataclass
class Mastery:
    """Mastery per pattern after a trainee's observations, and their rung."""

    p: dict[str, float] = field(default_factory=dict)
    met: dict[str, int] = field(default_factory=dict)
    caught: dict[str, int] = field(default_factory=dict)
    rung: int = 1

    def of(self, pattern: str) -> float:
        return self.p.get(pattern, P_INIT)


def bkt_update(p_known: float, correct: bool) -> float:
    """One observation of knowledge tracing: the posterior, then the chance of learning."""
    if correct:
        num = p_known * (1.0 - P_SLIP)
        posterior = num / (num + (1.0 - p_known) * P_GUESS)
    else:
        num = p_known * P_SLIP
        posterior = num / (num + (1.0 - p_known) * (1.0 - P_GUESS))
    return posterior + (1.0 - posterior) * P_TRANSIT


def trace(observations: Iterable[Observation]) -> Mastery:
    """Mastery per pattern, updated case by case in the order of the shifts."""
    m = Mastery()
    clean: dict[int, bool] = {}
    rung_of: dict[int, int] = {}
    for obs in sorted(observations, key=lambda o: o.session):
        m.p[obs.pattern] = bkt_update(m.of(obs.pattern), obs.correct)
        m.met[obs.pattern] = m.met.get(obs.pattern, 0) + 1
        m.caught[obs.pattern] = m.caught.get(obs.pattern, 0) + int(obs.correct)
        clean[obs.session] = clean.get(obs.session, True) and obs.correct
        rung_of[obs.session] = obs.rung
    passed = [rung_of[s] for s, ok in clean.items() if ok]
    m.rung = min(len(DIFFICULTIES), max(passed, default=0) + 1)
    return m


@dataclass(frozen=True)
class Offer:
    """One entry the curriculum can give: a bundled exercise, with its rung and patterns."""

    key: str
    rung: int
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class NextShift:
    exercise: str  # a bundled exercise's key, or "generate:PATTERN:RUNG:SEED"
    patterns: tuple[str, ...]
    reason: str
    mastery: dict[str, float]
    rung: int
    generated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "patterns": list(self.patterns),
            "reason": self.reason,
            "mastery": self.mastery,
            "rung": self.rung,
            "generated": self.generated,
        }


def weakest(mastery: Mastery, patterns: Iterable[str]) -> str:
    order = {p: i for i, p in enumerate(PATTERN_ORDER)}
    return min(
        patterns,
        key=lambda p: (round(mastery.of(p), 6), mastery.met.get(p, 0), order.get(p, 99), p),
    )


def choose_next(
    mastery: Mastery,
    offers: Sequence[Offer],
    *,
    played: Mapping[str, int],
    generatable: Iterable[str],
    seed: int,
) -> NextShift:
    """The next shift for the weakest pattern at the trainee's rung (module docstring)."""
    can_generate = set(generatable)
    known = set(PATTERN_ORDER) & ({p for o in offers for p in o.patterns} | can_generate)
    open_patterns = [p for p in known if mastery.of(p) < MASTERED] or sorted(known)
    rung = mastery.rung
    struggling = [p for p in open_patterns if mastery.met.get(p) and mastery.of(p) < STRUGGLING]
    if struggling:
        pattern = weakest(mastery, struggling)
        rung = max(1, rung - 1)
    else:
        here = {p for o in offers if o.rung == rung for p in o.patterns} | can_generate
        pattern = weakest(mastery, [p for p in open_patterns if p in here] or open_patterns)
    p = mastery.of(pattern)
    met = mastery.met.get(pattern, 0)
    level = DIFFICULTIES[rung - 1].replace("_", " ")
    at_rung = [o for o in offers if o.rung == rung and pattern in o.patterns]
    table = {k: round(v, 3) for k, v in sorted(mastery.p.items())}
    words = PATTERN_WORDS.get(pattern, pattern.replace("_", " "))
    if met:
        why = (
            f"You caught {mastery.caught.get(pattern, 0)} of {met} cases of {words} "
            f"(mastery {p:.2f}, your weakest)"
        )
    else:
        why = f"You have not yet met {words} (mastery {p:.2f} before any case)"
    if at_rung:
        chosen = min(at_rung, key=lambda o: (played.get(o.key, 0), o.key))
        return NextShift(
            chosen.key,
            (pattern,),
            f"{why}, so next is {chosen.key}, {'an' if level[0] in 'aeiou' else 'a'} {level} "
            "exercise on it.",
            table,
            rung,
            False,
        )
    if pattern in can_generate:
        key = f"generate:{pattern}:{rung}:{seed}"
        return NextShift(
            key,
            (pattern,),
            f"{why}, so next is a fresh {level} exercise made for it.",
            table,
            rung,
            True,
        )
    holding = [o for o in offers if pattern in o.patterns]
    chosen = min(holding, key=lambda o: (abs(o.rung - rung), played.get(o.key, 0), o.key))
    there = DIFFICULTIES[chosen.rung - 1].replace("_", " ")
    return NextShift(
        chosen.key,
        (pattern,),
        f"{why}, so next is {chosen.key}, the nearest exercise on it ({there}).",
        table,
        chosen.rung,
        False,
    )


def _session_cases(store: Any, row: Any) -> tuple[list[dict[str, str]], str] | None:
    """A finished session's near-miss cases and its rung: stored with the session, or (for
    a session stored before they were) read again by re-running it from the store."""
    details = row.details or {}
    if "near_misses" in details and "difficulty" in details:
        return list(details["near_misses"]), str(details["difficulty"])
    from trainer.reconstruct import recorded_session
    from trainer.session import near_miss_outcomes
    from trainer.store import StoreError

    try:
        recorded = recorded_session(store, row.id)
        if recorded.plan.free_play:
            return None
        _, debrief = recorded.replayed()
    except StoreError:
        return None
    return near_miss_outcomes(recorded.plan, debrief.score), recorded.plan.difficulty


def observations(store: Any, trainee: str) -> tuple[list[Observation], dict[str, int], int]:
    """A trainee's observations from a session store, how often each exercise was played,
    and how many shifts they finished."""
    found: list[Observation] = []
    played: dict[str, int] = {}
    finished = 0
    for row in store.sessions():
        if row.trainee != trainee or row.status != "completed":
            continue
        finished += 1
        played[row.exercise] = played.get(row.exercise, 0) + 1
        cases = _session_cases(store, row)
        if cases is None:
            continue
        near_misses, difficulty = cases
        rung = DIFFICULTIES.index(difficulty) + 1 if difficulty in DIFFICULTIES else 1
        for c in near_misses:
            correct = c["outcome"] in ("hit", "correct_rejection")
            found.append(Observation(row.id, str(c["pattern"]), correct, rung))
    return found, played, finished


def next_for(store: Any, trainee: str, *, folder: Any = None) -> NextShift:
    """The next shift for a trainee from their sessions and the exercise library."""
    import zlib

    from trainer.generate import PATTERNS
    from trainer.library import library

    found, played, finished = observations(store, trainee)
    mastery = trace(found)
    summaries, _ = library(folder)
    offers = [Offer(s.key, s.rung, s.patterns) for s in summaries]
    seed = (zlib.crc32(trainee.encode("utf-8")) + finished) % 2**31
    chosen = choose_next(mastery, offers, played=played, generatable=PATTERNS, seed=seed)
    every = {p for o in offers for p in o.patterns} | set(PATTERNS)
    table = {p: round(mastery.of(p), 3) for p in PATTERN_ORDER if p in every}
    return NextShift(
        chosen.exercise, chosen.patterns, chosen.reason, table, chosen.rung, chosen.generated
    )


__all__ = [
    "MASTERED",
    "Mastery",
    "NextShift",
    "Observation",
    "Offer",
    "PATTERN_ORDER",
    "P_GUESS",
    "P_INIT",
    "P_SLIP",
    "P_TRANSIT",
    "STRUGGLING",
    "bkt_update",
    "choose_next",
    "next_for",
    "observations",
    "trace",
    "weakest",
]
