"""What every command's arguments share, kept light: the usage error and the numeric
argument types. `frontdoor train` reads only these before the desk starts, so this module
imports nothing beyond the standard library (`common` re-exports them for the other
commands, with the console and table helpers that need rich and the KPI labels).
"""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A mistake in how a command was called; reported in one line, exit status 2."""


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def seed_value(text: str) -> int:
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError("the seed must not be negative")
    return value


__all__ = ["UsageError", "positive_int", "seed_value"]
