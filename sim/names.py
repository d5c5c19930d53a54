"""Invented family names, their spellings, and how a database matches them.

A known family's record is stored under one spelling. A referral may spell the name
another way, more often for names transliterated from other scripts; a data-entry slip
may have changed the record itself. Whether the search finds the record depends on the
matching rule: an exact comparison only finds identical spellings, a phonetic one
(Metaphone, Jaro-Winkler from jellyfish) also finds the variants that sound alike.
All names here are invented or common surnames, not people.
"""

from __future__ import annotations

import jellyfish

SURNAMES: dict[str, tuple[str, ...]] = {
    "british": (
        "Ashworth",
        "Brennan",
        "Caldwell",
        "Dunmore",
        "Fairbairn",
        "Greaves",
        "Hollins",
        "Kershaw",
        "Lockwood",
        "Marsden",
        "Nuttall",
        "Pickering",
        "Radcliffe",
        "Sowerby",
        "Thwaite",
        "Whitlock",
    ),
    "east_european": (
        "Kowalczyk",
        "Nowicki",
        "Wisniewska",
        "Zielinski",
        "Dabrowski",
        "Lewandowska",
        "Petrauskas",
        "Kazlauskas",
        "Popescu",
        "Ionescu",
        "Horvath",
        "Novakova",
    ),
    "south_asian": (
        "Chaudhry",
        "Choudhury",
        "Mahmood",
        "Siddiqui",
        "Qureshi",
        "Rahman",
        "Hussain",
        "Bhattacharya",
        "Srivastava",
        "Iqbal",
        "Kaur",
        "Raheem",
    ),
    "arabic": (
        "Abdelrahman",
        "Al-Khouri",
        "Haddad",
        "Mansour",
        "Nasrallah",
        "Qasim",
        "Saleh",
        "Youssef",
        "Khalil",
        "Boutros",
        "El-Masri",
        "Hamdan",
    ),
    "west_african": (
        "Adeyemi",
        "Okonkwo",
        "Oluwaseun",
        "Mensah",
        "Asante",
        "Boateng",
        "Nwachukwu",
        "Owusu",
        "Adebayo",
        "Ogunleye",
        "Ekwueme",
        "Darko",
    ),
}

# Spelling shifts of the kind transliteration and mishearing produce.
_SHIFTS: tuple[tuple[str, str], ...] = (
    ("ou", "u"),
    ("u", "oo"),
    ("ee", "i"),
    ("i", "ee"),
    ("kh", "k"),
    ("q", "k"),
    ("ch", "sh"),
    ("ph", "f"),
    ("y", "i"),
    ("ai", "ay"),
    ("w", "v"),
    ("j", "y"),
    ("dh", "d"),
    ("aa", "a"),
    ("a", "aa"),
    ("-", ""),
    ("ski", "sky"),
    ("cz", "ch"),
    ("ow", "ou"),
    ("e", "a"),
    ("o", "u"),
)


def variant_spelling(name: str, u: float) -> str:
    """Another plausible spelling of `name`, chosen by a uniform draw `u` in [0, 1).

    Most variants differ by one shift; some (u >= 0.7) by two, which even a phonetic
    matcher may miss.
    """
    once = _one_shift(name, u)
    if u < 0.7:
        return once
    return _one_shift(once, (u * 7.0) % 1.0)


def _one_shift(name: str, u: float) -> str:
    lowered = name.lower()
    options = [(a, b) for a, b in _SHIFTS if a in lowered[1:]]
    if not options:
        # No shift applies: double (or undouble) a middle consonant.
        mid = max(1, len(name) // 2)
        return name[:mid] + name[mid] + name[mid:]
    a, b = options[min(int(u * len(options)), len(options) - 1)]
    at = lowered.find(a, 1)
    changed = name[:at] + b + name[at + len(a) :]
    return changed[:1].upper() + changed[1:]


# What a careful worker tries when a name heard on the phone is not found, most likely
# first: transliteration and mishearing, applied in both directions.
_TRIED_SHIFTS: tuple[tuple[str, str], ...] = (
    ("ch", "cz"),
    ("ch", "sh"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("kh", "k"),
    ("q", "k"),
    ("ph", "f"),
    ("y", "i"),
    ("ai", "ay"),
    ("w", "v"),
    ("j", "y"),
    ("dh", "d"),
    ("aa", "a"),
    ("ski", "sky"),
    ("ck", "k"),
    ("ss", "s"),
    ("mm", "m"),
    ("-", ""),
)


def plausible_spellings(name: str, *, limit: int = 4) -> list[str]:
    """Spellings a careful worker tries when `name` is not found: each shift applied once,
    in both directions, never tripling a letter."""
    lowered = name.lower()
    found: list[str] = []
    for reverse in (False, True):
        for a, b in _TRIED_SHIFTS:
            old, new = (b, a) if reverse else (a, b)
            at = lowered.find(old, 1) if old else -1
            if at <= 0:
                continue
            changed = name[:at] + new + name[at + len(old) :]
            changed = changed[:1].upper() + changed[1:]
            low = changed.lower()
            tripled = any(low[i] == low[i + 1] == low[i + 2] for i in range(len(low) - 2))
            if low != lowered and not tripled and changed not in found:
                found.append(changed)
    return found[:limit]


def names_match(searched: str, recorded: str, *, matching: str) -> bool:
    """Does a search for `searched` find a record stored as `recorded`?"""
    a, b = searched.strip().lower(), recorded.strip().lower()
    if a == b:
        return True
    if matching == "exact":
        return False
    if jellyfish.metaphone(a) == jellyfish.metaphone(b):
        return True
    return jellyfish.jaro_winkler_similarity(a, b) >= 0.88
