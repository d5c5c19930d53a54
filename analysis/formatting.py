"""Numbers written for people: thousands separators, sensible decimals, correct plurals.

Reports, terminal tables and the plain-language summary all format numbers here, so a
count never appears as ``4.86e+03`` and "1 replications" never appears at all.
"""

from __future__ import annotations

import math

__all__ = [
    "decimals_for",
    "format_about",
    "format_estimate",
    "format_number",
    "format_range",
    "plural",
]


def decimals_for(spread: float) -> int:
    """Decimals that show a quantity known to about +/- ``spread``: -3 (thousands) for
    10,000 or more, -2 (hundreds) for 1,000 or more, 0 for 1 or more, 1 for 0.1 or more,
    2 for 0.01 or more, else 3 (a zero or unknown spread gives 2). A negative count rounds
    to tens of that power, as `round` does."""
    spread = abs(spread)
    if not math.isfinite(spread) or spread == 0.0:
        return 2
    for decimals, floor in ((-3, 10_000.0), (-2, 1_000.0), (0, 1.0), (1, 0.1), (2, 0.01)):
        if spread >= floor:
            return decimals
    return 3


def format_number(value: float | None, decimals: int | None = None) -> str:
    """``value`` with thousands separators and never in scientific notation.

    Without ``decimals`` the count follows the size: whole numbers have none, values of
    100 or more have none, 10 to 100 one, smaller values two (three below 0.1). Missing
    or NaN values are written as "-".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    value = float(value)
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    if decimals is None:
        size = abs(value)
        if value == round(value) and size < 1e15:
            decimals = 0
        elif size >= 100:
            decimals = 0
        elif size >= 10:
            decimals = 1
        elif size >= 0.1:
            decimals = 2
        else:
            decimals = 3
    if decimals < 0:
        value = round(value, decimals)
        decimals = 0
    text = f"{value:,.{decimals}f}"
    # "-0" and "-0.0" read as a negative; show a plain zero.
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text


def format_about(value: float) -> str:
    """A rough size, as in "about 7": whole numbers from 5 up, else two significant
    figures without trailing zeros ("1.4", "2", "0.05")."""
    if not math.isfinite(value):
        return format_number(value)
    size = abs(value)
    if size >= 5 or size == 0:
        return format_number(value, 0)
    decimals = max(0, 1 - math.floor(math.log10(size)))
    text = format_number(value, decimals)
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_range(low: float, high: float, decimals: int | None = None) -> str:
    """``"low to high"``; with no ``decimals`` both ends use the decimals of their spread.
    Missing bounds give "-"."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return "-"
    if decimals is None:
        decimals = decimals_for((high - low) / 2.0)
    return f"{format_number(low, decimals)} to {format_number(high, decimals)}"


def format_estimate(mean: float, low: float, high: float) -> str:
    """``"0.818 (0.811 to 0.825)"``: a mean and its interval at the interval's decimals
    (a whole-number count keeps none: ``"4,240 (4,087 to 4,399)"``)."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return format_number(mean)
    decimals = decimals_for((high - low) / 2.0)
    return f"{format_number(mean, decimals)} ({format_range(low, high, decimals)})"


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """``"1 replication"``, ``"8 replications"``, ``"1,200 referrals"``.

    The count is written with `format_number`; a count of exactly 1 takes the singular.
    """
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{format_number(count)} {word}"
