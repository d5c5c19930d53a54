"""Invented family names, their spellings, and how a database matches them.

A known family's record is stored under one spelling. A referral may spell the name
another way, more often for names transliterated from other scripts; a data-entry slip
may have changed the record itself. Whether the search finds the record depends on the
matching rule: an exact comparison only finds identical spellings, a phonetic one
(Metaphone, Jaro-Winkler from jellyfish) also finds the variants that sound alike.
All names here are invented or common surnames, not people.
"""

from __future__ import annotations

import re

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


# What a careful duty worker tries when a name heard on the phone is not found: the
# spellings people really write for the same name (transliteration from Polish, Urdu,
# Arabic or Twi, a silent letter, a doubled consonant, an ending heard two ways), most
# likely first. Each is a regular expression over the lower-cased name, applied once at
# its first match; a shift that would only ever make a typo (a tripled letter, "aa" in an
# English name) is not here. Judgement, informed by the report's section 4.5.
_GUESSES: tuple[tuple[str, str], ...] = (
    (r"(?<=.)cz", "ch"),
    (r"(?<=.)ch(?=[yi])", "cz"),
    (r"(?<=.)sz", "sh"),
    (r"(?<=.)w(?=sk|al|ic|and|ie)", "v"),
    (r"(?<=.)v(?=al|sk)", "w"),
    (r"ski$", "sky"),
    (r"sky$", "ski"),
    (r"ry$", "ri"),
    (r"ri$", "ry"),
    (r"^mc", "mac"),
    (r"^mac", "mc"),
    (r"(?<=.)dh", "d"),
    (r"(?<=.)kh", "k"),
    (r"^q", "k"),
    (r"(?<=ch)au", "ou"),
    (r"(?<=ch)ou", "au"),
    (r"(?<=.)ow(?=[dh])", "ou"),
    (r"ah$", "a"),
    (r"(?<=s)a$", "ah"),
    (r"(?<=m)ed$", "ad"),
    (r"(?<=m)ad$", "ed"),
    (r"(?<=.)ie", "ei"),
    (r"(?<=.)ei", "ie"),
    (r"(?<=[^aeiouy])i(?=ff|th|nd|ce|ld)", "y"),
    (r"(?<=[^aeiou])y(?=[^aeiou])", "i"),
    (r"ahm", "ehm"),
    (r"ehm", "ahm"),
    (r"(?<=h)u(?=ss)", "o"),
    (r"dc", "tc"),
    (r"tc", "dc"),
    (r"ffe$", "ff"),
    (r"ff$", "ffe"),
    (r"ey$", "ie"),
    (r"ie$", "ey"),
    (r"(?<=m)oo(?=d)", "u"),
    (r"(?<=[^aeiou])u(?=m$)", "oo"),
    (r"(?<=.)ph", "f"),
    (r"(?<=.)ck", "k"),
    (r"(?<=.)ea", "ee"),
    (r"([bdfglmnprst])\1", r"\1"),
    (r"-", ""),
)


def _cased(original: str, changed: str) -> str:
    """`changed` (lower case) with the capitals a surname like `original` has: the first
    letter, and the letter after Mc, Mac, O' or a hyphen when the original has one."""
    out = changed[:1].upper() + changed[1:]
    if original[1:] != original[1:].lower():
        out = re.sub(r"^(Ma?c|O')([a-z])", lambda m: m.group(1) + m.group(2).upper(), out)
        out = re.sub(r"-([a-z])", lambda m: "-" + m.group(1).upper(), out)
    return out


def plausible_spellings(name: str, *, limit: int = 4) -> list[str]:
    """Spellings a careful worker tries when `name` is not found, most likely first: each
    of `_GUESSES` that applies, once."""
    lowered = name.lower()
    found: list[str] = []
    for pattern, replacement in _GUESSES:
        changed = re.sub(pattern, replacement, lowered, count=1)
        if changed == lowered or len(changed) < 3:
            continue
        spelled = _cased(name, changed)
        if spelled not in found:
            found.append(spelled)
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
