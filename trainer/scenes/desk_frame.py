"""What every panel of the desk shares: where the panels sit in the window, fitting a line
of text to a width, and how a case is named on screen.

The desk scene works the layout out again whenever it builds its widgets (the window or
the text size may have changed) and hands it to each panel; nothing here keeps state
between frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pygame

from sim.entities import Level
from trainer.desk import DutyDesk
from trainer.exercise import ShiftPlan
from trainer.theme import Typeface


@dataclass(frozen=True, slots=True)
class DeskLayout:
    """The desk's rectangles for one window size and text size: the top bar (the clock
    and its buttons), a status strip under it (cues, what the trainee is busy with, End
    shift), then the in-tray, the case and the team side by side."""

    button_h: int
    top_h: int
    status_rect: pygame.Rect
    tray_rect: pygame.Rect
    centre_rect: pygame.Rect
    right_rect: pygame.Rect
    card_h: int
    size: tuple[int, int]

    @classmethod
    def for_window(cls, *, type_: Typeface, size: tuple[int, int]) -> DeskLayout:
        t = type_
        w, h = size
        bh = t.line_height("body") + 14
        top_h = max(t.line_height("clock") + t.line_height("small") + 14, bh + 20)
        strip_h = bh + 8
        status_rect = pygame.Rect(10, top_h + 4, w - 20, strip_h)
        body = status_rect.bottom + 6
        side = max(230, min(340, int(w * 0.23)))
        right = max(230, min(360, int(w * 0.24)))
        return cls(
            button_h=bh,
            top_h=top_h,
            status_rect=status_rect,
            tray_rect=pygame.Rect(10, body, side, h - body - 10),
            centre_rect=pygame.Rect(side + 20, body, w - side - right - 40, h - body - 10),
            right_rect=pygame.Rect(w - right - 10, body, right, h - body - 10),
            card_h=t.line_height("small") * 2 + t.line_height("body") + 12,
            size=size,
        )


def fit(t: Typeface, text: str, width: int, style: str = "body") -> str:
    """Cut a line with an ellipsis so that it fits `width` pixels."""
    if t.width(text, style, bold=True) <= width:
        return text
    while len(text) > 4 and t.width(text + "…", style, bold=True) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def cap(text: str) -> str:
    """The text with its first letter a capital (a child's name may start a sentence)."""
    return text[:1].upper() + text[1:]


class OpenCase(Protocol):
    """What the panels read of the scene: the case open and the choices made on it."""

    @property
    def selected(self) -> int | None: ...

    @property
    def level_choice(self) -> Level | None: ...

    @property
    def priority_choice(self) -> str | None: ...


class CaseNames:
    """How the desk names a case: the child (from the exercise's script, else by the
    family's spelling as the referral gave it), never the case number."""

    def __init__(self, *, desk: DutyDesk, plan: ShiftPlan) -> None:
        self.desk = desk
        self.plan = plan

    def child(self, case_id: int) -> str:
        """The child in running text: 'Amira' or 'the Kowalczyk child'."""
        case = self.desk.case(case_id)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        return ref.child if ref is not None else f"the {case.spelling} child"

    def who(self, case_id: int) -> str:
        """The child and the family's spelling, as a card or the case's heading shows."""
        case = self.desk.case(case_id)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        child = ref.child if ref is not None else "a child"
        return f"{child} ({case.spelling})"


__all__ = ["CaseNames", "DeskLayout", "OpenCase", "cap", "fit"]
