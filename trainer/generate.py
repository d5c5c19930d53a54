"""Generated exercises: a fresh shift from a near-miss pattern, a rung and a seed.

A class that plays the same bundled exercise can pass the answers round ("the Polish
family is on record as Kowalczyk"). A generated exercise keeps the mechanism of a pattern
and draws everything a trainee could memorise afresh from the seed: the families' names
(and, for a family known under another spelling, which spelling the record holds), the
children, who refers, when in the shift each referral arrives, and which ordinary
referrals surround the hidden one. Its file is a normal exercise file (`frontdoor
exercises --generate PATTERN --rung N --seed S --out FILE`), validated by the same loader.

Each pattern's hidden case is built so that the desk's own checks decide it: the one
search under the name as given shows nothing, and the check the pattern teaches (a
second spelling, a call to the agency that knows) shows the risk. The `near_miss`
block declares the barriers the model logs when that check is not made; the library test
plays generated exercises as it plays the bundled ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.names import SURNAMES, names_match, plausible_spellings
from trainer.exercise import DIFFICULTIES, training_dir

FIRST_NAMES = (
    "Alfie", "Amara", "Bea", "Callum", "Dara", "Eden", "Esme", "Finn", "Hana", "Idris",
    "Isla", "Jonah", "Kai", "Layla", "Milo", "Nia", "Oskar", "Priya", "Reuben", "Sana",
    "Theo", "Una", "Yusuf", "Zara", "Ines", "Leon", "Maya", "Noah", "Rosa", "Tariq",
)  # fmt: skip
REFERRALS_AT_RUNG = {1: 3, 2: 4, 3: 5, 4: 7}
Doc = dict[str, Any]


class Draw:
    """The seed's choices: names without repeats, ages, times."""

    def __init__(self, pattern: str, rung: int, seed: int) -> None:
        key = [seed, rung, *(ord(c) for c in pattern)]
        self.rng = np.random.default_rng(np.random.SeedSequence(key))
        self.used: set[str] = set()

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        free = [o for o in options if o not in self.used] or list(options)
        chosen = str(free[int(self.rng.integers(len(free)))])
        self.used.add(chosen)
        return chosen

    def surname(self, origin: str | None = None) -> tuple[str, str]:
        origins = [origin] if origin else sorted(SURNAMES)
        o = origins[int(self.rng.integers(len(origins)))]
        return self.pick(SURNAMES[o]), o

    def child(self, low: int = 2, high: int = 12) -> tuple[str, int]:
        return self.pick(FIRST_NAMES), int(self.rng.integers(low, high + 1))


def _family(surname: str, origin: str, **truth: Any) -> Doc:
    return {"surname": surname, "name_origin": origin, **truth}


# -- the hidden cases -------------------------------------------------------------------


def _spelling_pair(d: Draw) -> tuple[str, str, str]:
    """A recorded spelling and a heard one that an exact search misses and one of the
    desk's suggested spellings finds."""
    pairs = []
    for origin in ("east_european", "south_asian", "arabic", "west_african"):
        for recorded in SURNAMES[origin]:
            for heard in plausible_spellings(recorded):
                suggested = plausible_spellings(heard)
                if (
                    recorded in suggested
                    and not names_match(heard, recorded, matching="exact")
                    and heard not in d.used
                ):
                    pairs.append((recorded, heard, origin))
    recorded, heard, origin = pairs[int(d.rng.integers(len(pairs)))]
    d.used.update((recorded, heard))
    return recorded, heard, origin


def other_spelling(d: Draw) -> Doc:
    recorded, heard, origin = _spelling_pair(d)
    name, age = d.child(4, 10)
    source = d.pick(["school", "health"])
    who = "The school's safeguarding lead" if source == "school" else "The health visitor"
    return {
        "source": source,
        "concern": "neglect",
        "signal": 0.18,
        "need_signal": 0.35,
        "child": f"{name}, {age}",
        "said": (
            f"{who} rang: {name} often comes in hungry and in clothes too thin for the "
            f"weather. Mum says money is tight. The caller spelt the family name "
            f'"{heard}".'
        ),
        "spelt_as": heard,
        "family": _family(
            recorded,
            origin,
            recorded_surname=recorded,
            harm_type="neglect",
            risk=0.62,
            need=0.6,
            trend=0.2,
            record_history=0.66,
            file_location="on_site",
            file_history=0.6,
        ),
        "findings": {
            "database": (
                f'Record under "{recorded}": the children were on a child protection plan '
                "for neglect in another authority; the plan ended when the family moved."
            ),
            "file": "The file holds the transfer letter: repeated neglect and missed checks.",
            "visit": f"A cold flat with little food; {name} looks after a younger sibling.",
        },
        "near_miss": {
            "pattern": "other_spelling",
            "hidden": f'The family was on a protection plan; the record is under "{recorded}".',
            "caught_by": ["database", "file", "visit"],
            "if_missed": "Taken as a family short of money, the neglect goes on unseen.",
            "barriers": {
                "database_check": ["name_matching"],
                "screening": ["low_visibility_harm"],
            },
        },
        "learning_points": [
            f'A search under "{heard}" found nothing; "{recorded}" found the plan. '
            "A name heard on the phone can be written several ways.",
        ],
    }


def agency_fact(d: Draw) -> Doc:
    name, age = d.child(3, 9)
    surname, origin = d.surname("british")
    return {
        "source": "police",
        "concern": "physical",
        "signal": 0.22,
        "need_signal": 0.3,
        "child": f"{name}, {age}",
        "said": (
            "Police notification: officers were called to a row at the address last night. "
            f"No injuries seen; {name} was in bed. Words of advice given."
        ),
        "family": _family(
            surname,
            origin,
            harm_type="physical",
            risk=0.64,
            need=0.4,
            agency_information={"police": 0.7},
        ),
        "findings": {
            "agencies": {
                "police": (
                    "The mother's new partner has a conviction for injuring a child; the "
                    "officers last night did not know he was living there."
                ),
            },
            "visit": f"{name} has a fading bruise and goes quiet when the partner comes in.",
        },
        "near_miss": {
            "pattern": "agency_fact_not_passed_on",
            "hidden": "A man convicted of hurting a child lives at the address; only the "
            "police know.",
            "caught_by": ["agency:police", "visit"],
            "if_missed": "Filed as a routine notification, the child stays with him.",
            "barriers": {"screening": []},
        },
        "learning_points": [
            "The database knew nothing; the police did. A notification is a reason to ask "
            "the agency that sent it what else it holds.",
        ],
    }


def bail(d: Draw) -> Doc:
    name, age = d.child(5, 11)
    surname, origin = d.surname("british")
    return {
        "source": "family",
        "concern": "neglect",
        "signal": 0.12,
        "need_signal": 0.45,
        "child": f"{name}, {age}",
        "said": (
            f"{name}'s mother rang herself: money is short, the rent is late and {name} "
            "has started wetting the bed again. She asks what help there is."
        ),
        "family": _family(
            surname,
            origin,
            recorded_surname=surname,
            harm_type="physical",
            risk=0.62,
            need=0.5,
            record_history=0.35,
            file_location="on_site",
            file_history=0.4,
            agency_information={"police": 0.72, "probation": 0.66},
        ),
        "findings": {
            "database": (
                f'Record under "{surname}": the father was arrested for injuring {name} two '
                "years ago; closed when he left the area."
            ),
            "agencies": {
                "police": "The father was bailed last week to an address nearby. Nobody "
                "told children's services.",
                "probation": "The father has asked how he can see his child.",
            },
        },
        "near_miss": {
            "pattern": "bail_not_passed_on",
            "hidden": "The father who injured the child is on bail nearby; the police did not say.",
            "caught_by": ["agency:police", "agency:probation"],
            "if_missed": "Read as a request for money advice, the case waits while the "
            "father finds his way back.",
            "barriers": {"screening": ["low_visibility_harm"]},
        },
        "learning_points": [
            "The referral was about money; the risk was in another agency's records. A call "
            "to the police would have found the bail.",
        ],
    }


HIDDEN: dict[str, tuple[Callable[[Draw], Doc], tuple[str, ...], str]] = {
    "other_spelling": (other_spelling, ("4.5",), "a known family under another spelling"),
    "agency_fact_not_passed_on": (
        agency_fact,
        ("4.6", "3.4"),
        "an agency fact not passed on",
    ),
    "bail_not_passed_on": (bail, ("3.4", "4.6"), "a bail nobody passed on"),
}
PATTERNS: tuple[str, ...] = tuple(HIDDEN)


# -- the ordinary referrals around it ------------------------------------------------


def _injury(d: Draw) -> Doc:
    name, age = d.child(1, 5)
    surname, origin = d.surname()
    return {
        "source": "hospital",
        "concern": "physical",
        "signal": 0.7,
        "need_signal": 0.4,
        "child": f"{name}, {age}",
        "said": f"The emergency department: {name} has a burn whose shape does not fit the "
        "parents' account.",
        "family": _family(
            surname,
            origin,
            harm_type="physical",
            risk=0.7,
            need=0.45,
            agency_information={"police": 0.6, "health": 0.62},
        ),
        "learning_points": ["An injury that does not fit the story is clear on its face."],
    }


def _asking(d: Draw) -> Doc:
    name, age = d.child(7, 14)
    surname, origin = d.surname()
    return {
        "source": "family",
        "concern": "emotional",
        "signal": 0.15,
        "need_signal": 0.5,
        "child": f"{name}, {age}",
        "said": f"{name}'s mother asks for someone to talk to {name}, angry and low since "
        "the parents separated.",
        "family": _family(
            surname,
            origin,
            harm_type="none",
            risk=0.0,
            need=0.58,
            agency_information={"school": 0.05},
        ),
        "learning_points": ["A family asking for help is a child in need: support answers it."],
    }


def _notification(d: Draw) -> Doc:
    name, age = d.child(13, 16)
    surname, origin = d.surname()
    return {
        "source": "police",
        "concern": "none",
        "signal": 0.05,
        "need_signal": 0.2,
        "child": f"{name}, {age}",
        "said": f"Police notification: {name} was found in town late and taken home to "
        "worried parents.",
        "family": _family(surname, origin, harm_type="none", risk=0.0, need=0.15),
        "learning_points": ["Caring parents and no other concern: record it, no more."],
    }


def _crying(d: Draw) -> Doc:
    surname, origin = d.surname()
    return {
        "source": "public",
        "concern": "neglect",
        "signal": 0.3,
        "need_signal": 0.3,
        "child": "a baby, age unknown",
        "said": "A neighbour says a baby cries for hours in the flat next door.",
        "family": _family(
            surname,
            origin,
            harm_type="none",
            risk=0.05,
            need=0.3,
            agency_information={"health": 0.05, "housing": 0.05},
        ),
        "findings": {"agencies": {"health": "The baby has colic; the parents are attentive."}},
        "learning_points": ["Tired, attentive parents of a colicky baby: no further action."],
    }


def _grief(d: Draw) -> Doc:
    name, age = d.child(6, 12)
    surname, origin = d.surname()
    return {
        "source": "school",
        "concern": "emotional",
        "signal": 0.2,
        "need_signal": 0.5,
        "child": f"{name}, {age}",
        "said": f"{name}'s grandfather died last month; {name} is tearful in class and the "
        "family has asked the school for help.",
        "family": _family(
            surname,
            origin,
            harm_type="none",
            risk=0.0,
            need=0.58,
            agency_information={"school": 0.05, "health": 0.05},
        ),
        "learning_points": ["A grieving family asking for help is a child in need."],
    }


DISTRACTORS: tuple[Callable[[Draw], Doc], ...] = (_injury, _asking, _notification, _crying, _grief)


def generate(pattern: str, rung: int, seed: int) -> Doc:
    """An exercise document (as a YAML file holds it) for the pattern at the rung."""
    if pattern not in HIDDEN:
        raise ValueError(f"no generator for pattern {pattern!r} (patterns: {', '.join(PATTERNS)})")
    if not 1 <= rung <= len(DIFFICULTIES):
        raise ValueError(f"rung must be 1 to {len(DIFFICULTIES)}, got {rung}")
    d = Draw(pattern, rung, seed)
    build, sections, words = HIDDEN[pattern]
    hidden = build(d)
    count = REFERRALS_AT_RUNG[rung]
    others = [DISTRACTORS[int(d.rng.integers(len(DISTRACTORS)))](d) for _ in range(count - 1)]
    slot = 0 if rung == 1 else int(d.rng.integers(1, count))
    referrals = others[:slot] + [hidden] + others[slot:]
    hour = 9.1
    for i, r in enumerate(referrals):
        # Named as the referral spells the family, so the ref tells nothing of the record.
        spelt = r.get("spelt_as") or r["family"]["surname"]
        r_doc = {"ref": f"r{i + 1}_{spelt.lower()}", "day": 0, "hour": hour}
        referrals[i] = {**r_doc, **r}
        hour = round(hour + float(d.rng.uniform(0.3, 0.8 if rung < 3 else 0.5)), 2)
    level = DIFFICULTIES[rung - 1]
    return {
        "title": f"Fresh shift: {words}",
        "summary": f"A generated {level.replace('_', ' ')} shift with {count} referrals; one "
        f"hides {words}.",
        "difficulty": level,
        "report_sections": list(sections),
        "learning_aims": [
            "Make the check this pattern needs, whatever the referral's words suggest.",
            "Decide on what the checks show.",
        ],
        "briefing": (
            f"A Monday on the duty desk. {count} referrals will come in. For each, find out "
            "what you need, decide the threshold and the priority, and allocate it."
        ),
        "hints": [] if rung > 1 else ["Check the record, then ask the agencies that know."],
        "shift": {
            "day": 0,
            "start_hour": 9,
            "end_hour": 17,
            "handover_from_hour": 16,
            "follow_up_days": 90,
        },
        "team": "teams/small_duty_team.yaml",
        "referrals": referrals,
    }


def write_exercise(
    doc: Doc, out: str | os.PathLike[str], *, pattern: str, rung: int, seed: int
) -> Path:
    """Write the document as an exercise file. Its team file is the bundled one, copied to
    `teams/` beside it when not there yet, so the file and its folder stand alone and the
    `team:` path stays inside the folder."""
    import shutil

    import yaml

    path = Path(out)
    bundled = training_dir() / "teams" / "small_duty_team.yaml"
    team = path.parent / "teams" / bundled.name
    if not team.exists():
        team.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled, team)
    elif team.read_bytes() != bundled.read_bytes():
        raise ValueError(f"{team} exists and is not the bundled team file; choose another folder")
    _, sections, words = HIDDEN[pattern]
    header = (
        f"# Generated exercise: {words} (pattern {pattern}, rung {rung}, seed {seed}).\n"
        f"# Drawn from the report's section(s) {', '.join(sections)}. All names are invented,\n"
        "# drawn afresh for every seed.\n"
    )
    body = yaml.safe_dump(dict(doc, team=f"teams/{bundled.name}"), sort_keys=False, width=88)
    path.write_text(header + body, encoding="utf-8")
    return path


__all__ = ["PATTERNS", "generate", "write_exercise"]
