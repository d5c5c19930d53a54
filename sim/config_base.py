"""The rules every scenario section follows, and the bounds many settings share.

A section is a frozen pydantic model that refuses unknown fields, reads no text or
true/false as a number, and refuses inf and NaN. A check across settings raises
`SettingError`, which names the setting the YAML error should point at. The bounds below
are shared by the sections in `sim/config_*.py`; each says why it is where it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Bounds shared by many settings. Numbers are strict (no text or true/false read as a
# number) and finite everywhere (Section's config refuses inf and NaN).
MAX_DAYS = 36_500.0  # a hundred years: longer runs or delays are typing mistakes
MAX_WORKERS = 1_000  # staff in one group; a front door has tens, not thousands
MAX_CASELOAD = 500
MAX_ANNUAL_REFERRALS = 500_000  # England's whole yearly total is about 600,000
MAX_WEIGHT = 1_000.0
SHARE_TOLERANCE = 1e-3
Probability = Annotated[float, Field(ge=0, le=1)]
Spread = Annotated[float, Field(ge=0, le=1)]  # a standard deviation on the 0-1 scale
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, strict=True)]
Days = Annotated[float, Field(ge=0, le=MAX_DAYS)]
Multiplier = Annotated[float, Field(ge=0, le=100)]


def upper_limit(reason: str) -> dict[str, Any]:
    """Schema text saying why a size has an upper limit (shown with the error too)."""
    return {"x-limit-reason": reason}


class SettingError(ValueError):
    """A problem found by a check across settings, naming the setting it belongs to.

    `where` is the key path (below the model that raised it) to point the error at.
    """

    def __init__(self, message: str, *where: str | int) -> None:
        super().__init__(message)
        self.where = where


def check_shares(table: Mapping[Any, float], name: str) -> None:
    """Refuse a table of shares that does not add up to 1 (within SHARE_TOLERANCE)."""
    total = math.fsum(table.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise SettingError(f"{name} must add up to 1 (they add up to {total:.4g})", name)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Beta(Section):
    """A Beta(a, b) distribution on 0-1."""

    a: float = Field(gt=0, le=1000, description="First shape parameter (pulls towards 1).")
    b: float = Field(gt=0, le=1000, description="Second shape parameter (pulls towards 0).")
