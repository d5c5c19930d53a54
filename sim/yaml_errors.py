"""The one error a scenario file can give, and where in the file it points.

`ScenarioError` names the file, the 1-based line and column, the setting (a dotted key
path such as ``staff.groups.2.role``) and what is wrong, in one plain line. `PositionMap`
holds where each key path was written, so a problem found after parsing can be pointed
at. The small phrasing helpers here keep every message on one short line.
"""

from __future__ import annotations

from collections.abc import Sequence

KeyPath = tuple[str | int, ...]
"""A path into parsed data: mapping keys and list indices, outermost first."""

_MAX_REPR = 60


class ScenarioError(Exception):
    """A problem with a scenario file, located as precisely as possible.

    ``line`` and ``column`` are 1-based; ``field`` is a dotted path such as
    ``staff.workers.2.role``. Any of the three may be ``None`` when unknown.
    """

    path: str
    line: int | None
    column: int | None
    field: str | None
    message: str

    def __init__(
        self,
        path: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(path, message, line, column, field)
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        parts = [location]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class PositionMap(dict[KeyPath, tuple[int, int]]):
    """Maps each key path to the 1-based (line, column) where it appears.

    For a mapping entry the position is that of its key, so that an unknown
    setting is reported where its name is written. ``value_positions`` holds
    the position of the value itself under the same key paths, which is the
    better place to point at when the value is wrong. For list items and the
    top level both positions are the same.
    """

    __slots__ = ("value_positions",)

    def __init__(self) -> None:
        super().__init__()
        self.value_positions: dict[KeyPath, tuple[int, int]] = {}


def dotted(key_path: Sequence[str | int]) -> str | None:
    """Join a key path with dots, or return None for the top level."""
    return ".".join(str(part) for part in key_path) if key_path else None


def short_repr(value: object) -> str:
    """``repr`` of a value, cut down so an error message stays one short line."""
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def one_line(text: str) -> str:
    """Collapse all whitespace runs (including newlines) to single spaces."""
    return " ".join(text.split())
