"""Colours, shapes, fonts and the pygame_gui theme of the trainer.

Colours come from the Okabe-Ito palette, which stays distinguishable with the common
colour-vision deficiencies; nothing is said by colour alone: every coloured mark also
has a shape and a word. Every font size is multiplied by the text scale (the large-text
setting), including the pygame_gui theme's, which is built from assets/theme.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame
import pygame.freetype

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT_DIR = ASSETS / "fonts"
REGULAR = FONT_DIR / "AtkinsonHyperlegible-Regular.ttf"
BOLD = FONT_DIR / "AtkinsonHyperlegible-Bold.ttf"
ITALIC = FONT_DIR / "AtkinsonHyperlegible-Italic.ttf"

# Okabe-Ito.
BLACK = (0, 0, 0)
ORANGE = (230, 159, 0)
SKY_BLUE = (86, 180, 233)
BLUISH_GREEN = (0, 158, 115)
YELLOW = (240, 228, 66)
BLUE = (0, 114, 178)
VERMILLION = (213, 94, 0)
REDDISH_PURPLE = (204, 121, 167)
# Neutrals.
INK = (17, 17, 17)
MUTED = (80, 80, 80)
PAPER = (246, 244, 239)
CARD = (255, 255, 255)
RULE = (170, 170, 170)
SHADE = (228, 226, 220)


@dataclass(frozen=True)
class Mark:
    """A colour with its shape and word, so the colour is never the only cue."""

    colour: tuple[int, int, int]
    shape: str  # circle, triangle, square, diamond, cross, ring, dash
    word: str


LEVEL_MARKS = {
    0: Mark(BLUISH_GREEN, "circle", "NFA"),
    1: Mark(ORANGE, "triangle", "CIN"),
    2: Mark(VERMILLION, "square", "CP"),
}
STATUS_MARKS = {
    "new": Mark(YELLOW, "diamond", "NEW"),
    "waiting": Mark(SKY_BLUE, "ring", "WAITING FOR ANSWERS"),
    "ready": Mark(BLUE, "circle", "READY TO DECIDE"),
    "allocate": Mark(REDDISH_PURPLE, "diamond", "ALLOCATE"),
    "handover": Mark(REDDISH_PURPLE, "triangle", "HANDOVER"),
    "pending": Mark(SKY_BLUE, "ring", "waiting"),
    "answered": Mark(BLUE, "circle", "answered"),
    "nothing": Mark(BLUISH_GREEN, "dash", "nothing"),
    "refused": Mark(REDDISH_PURPLE, "cross", "refused"),
    "corrected": Mark(MUTED, "dash", "corrected"),
    "held": Mark(BLUISH_GREEN, "circle", "held"),
    "holed": Mark(VERMILLION, "cross", "holed"),
    "unused": Mark(MUTED, "dash", "not used"),
    "hit": Mark(BLUISH_GREEN, "circle", "caught"),
    "miss": Mark(VERMILLION, "cross", "missed"),
    "false_alarm": Mark(ORANGE, "triangle", "false alarm"),
    "correct_rejection": Mark(BLUE, "dash", "no hidden risk"),
}
CONCERN_BANDS = {
    0: Mark(BLUISH_GREEN, "dash", "no real concern"),
    1: Mark(ORANGE, "triangle", "some concern"),
    2: Mark(VERMILLION, "square", "serious concern"),
}


def draw_shape(
    surface: pygame.Surface, shape: str, colour: Any, centre: tuple[int, int], size: int
) -> None:
    """A small filled shape with a dark outline (visible on any background)."""
    x, y = centre
    r = max(3, size // 2)
    if shape == "circle":
        pygame.draw.circle(surface, colour, centre, r)
        pygame.draw.circle(surface, INK, centre, r, 1)
    elif shape == "ring":
        pygame.draw.circle(surface, colour, centre, r, max(2, r // 2))
        pygame.draw.circle(surface, INK, centre, r, 1)
    elif shape == "square":
        rect = pygame.Rect(x - r, y - r, 2 * r, 2 * r)
        pygame.draw.rect(surface, colour, rect)
        pygame.draw.rect(surface, INK, rect, 1)
    elif shape == "triangle":
        points = [(x, y - r), (x + r, y + r), (x - r, y + r)]
        pygame.draw.polygon(surface, colour, points)
        pygame.draw.polygon(surface, INK, points, 1)
    elif shape == "diamond":
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
        pygame.draw.polygon(surface, colour, points)
        pygame.draw.polygon(surface, INK, points, 1)
    elif shape == "cross":
        w = max(2, r // 2)
        pygame.draw.line(surface, colour, (x - r, y - r), (x + r, y + r), w + 1)
        pygame.draw.line(surface, colour, (x - r, y + r), (x + r, y - r), w + 1)
    else:  # dash
        pygame.draw.rect(
            surface, colour, pygame.Rect(x - r, y - max(2, r // 3), 2 * r, 2 * max(2, r // 3))
        )


class Typeface:
    """Fonts at the trainer's sizes, scaled by the large-text setting, with a text cache."""

    BASE = {"small": 13, "body": 15, "heading": 19, "title": 30, "clock": 24}

    def __init__(self, scale: float) -> None:
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        self.scale = scale
        self._fonts: dict[tuple[str, bool], pygame.freetype.Font] = {}
        self._cache: dict[tuple[str, str, bool, tuple[int, ...]], pygame.Surface] = {}
        self._wrap: dict[tuple[str, str, bool, int], list[str]] = {}

    def size(self, style: str) -> int:
        return int(round(self.BASE[style] * self.scale))

    def font(self, style: str, bold: bool = False) -> pygame.freetype.Font:
        key = (style, bold)
        font = self._fonts.get(key)
        if font is None:
            font = pygame.freetype.Font(str(BOLD if bold else REGULAR), self.size(style))
            font.antialiased = True
            self._fonts[key] = font
        return font

    def line_height(self, style: str) -> int:
        return int(self.font(style).get_sized_height(0) * 1.15) + 1

    def render(
        self, text: str, style: str = "body", colour: Any = INK, bold: bool = False
    ) -> pygame.Surface:
        key = (text, style, bold, tuple(colour))
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 4000:
                self._cache.clear()
            surf, _ = self.font(style, bold).render(text or " ", colour)
            self._cache[key] = surf
        return surf

    def width(self, text: str, style: str = "body", bold: bool = False) -> int:
        return self.render(text, style, INK, bold).get_width()

    def wrap(self, text: str, style: str, width: int, bold: bool = False) -> list[str]:
        key = (text, style, bold, width)
        lines = self._wrap.get(key)
        if lines is not None:
            return lines
        font = self.font(style, bold)
        lines = []
        for para in text.split("\n"):
            words = para.split()
            line = ""
            for word in words:
                trial = f"{line} {word}".strip()
                if font.get_rect(trial).width <= width or not line:
                    line = trial
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        self._wrap[key] = lines
        return lines

    def blit_lines(
        self,
        surface: pygame.Surface,
        lines: list[str],
        pos: tuple[int, int],
        style: str = "body",
        colour: Any = INK,
        bold: bool = False,
        max_y: int | None = None,
    ) -> int:
        x, y = pos
        step = self.line_height(style)
        for line in lines:
            if max_y is not None and y + step > max_y:
                break
            surface.blit(self.render(line, style, colour, bold), (x, y))
            y += step
        return y


def gui_theme(scale: float) -> dict[str, Any]:
    """The pygame_gui theme with every font size scaled and the bundled font's paths."""
    theme = json.loads((ASSETS / "theme.json").read_text(encoding="utf-8"))
    for block in theme.values():
        font = block.get("font") if isinstance(block, dict) else None
        if font:
            font["size"] = str(int(round(int(font["size"]) * scale)))
            font["regular_path"] = str(REGULAR)
            font["bold_path"] = str(BOLD)
            font["italic_path"] = str(ITALIC)
            font["bold_italic_path"] = str(BOLD)
    return theme


# -- icons: simple line drawings made here in code (no icon set is bundled) ---------------


def _person(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    pygame.draw.circle(surface, c, (r.centerx, r.y + r.h // 4), max(2, r.w // 6), w)
    body = pygame.Rect(r.x + r.w // 5, r.y + r.h // 2, r.w * 3 // 5, r.h // 2)
    pygame.draw.arc(surface, c, body.inflate(0, body.h), 0, 3.1416, w)


def _house(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    roof = [(r.x, r.y + r.h // 2), (r.centerx, r.y), (r.right, r.y + r.h // 2)]
    pygame.draw.lines(surface, c, False, roof, w)
    pygame.draw.rect(surface, c, (r.x + r.w // 6, r.y + r.h // 2, r.w * 2 // 3, r.h // 2), w)


def _shield(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    pts = [
        (r.x + 1, r.y + 1),
        (r.right - 1, r.y + 1),
        (r.right - 1, r.centery),
        (r.centerx, r.bottom - 1),
        (r.x + 1, r.centery),
    ]
    pygame.draw.polygon(surface, c, pts, w)


def _cross(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    t = max(2, r.w // 4)
    pygame.draw.rect(surface, c, (r.centerx - t // 2, r.y, t, r.h))
    pygame.draw.rect(surface, c, (r.x, r.centery - t // 2, r.w, t))


def _book(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    pygame.draw.rect(surface, c, (r.x, r.y + 2, r.w // 2, r.h - 4), w)
    pygame.draw.rect(surface, c, (r.centerx, r.y + 2, r.w // 2, r.h - 4), w)


def _cylinder(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    top = pygame.Rect(r.x, r.y, r.w, max(4, r.h // 3))
    pygame.draw.ellipse(surface, c, top, w)
    pygame.draw.line(surface, c, (r.x, top.centery), (r.x, r.bottom - top.h // 2), w)
    pygame.draw.line(
        surface, c, (r.right - 1, top.centery), (r.right - 1, r.bottom - top.h // 2), w
    )
    pygame.draw.arc(surface, c, pygame.Rect(r.x, r.bottom - top.h, r.w, top.h), 3.1416, 6.2832, w)


def _folder(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    pygame.draw.rect(surface, c, (r.x, r.y + r.h // 4, r.w, r.h * 3 // 4), w)
    pygame.draw.rect(surface, c, (r.x, r.y + r.h // 8, r.w // 2, r.h // 6), w)


def _phone(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    pygame.draw.rect(surface, c, r.inflate(-r.w // 3, 0), w, border_radius=3)
    pygame.draw.line(surface, c, (r.centerx - 2, r.bottom - 4), (r.centerx + 2, r.bottom - 4), w)


def _speech(surface: pygame.Surface, c: Any, r: pygame.Rect, w: int) -> None:
    bubble = pygame.Rect(r.x, r.y, r.w, r.h * 2 // 3)
    pygame.draw.ellipse(surface, c, bubble, w)
    pygame.draw.line(surface, c, (r.x + r.w // 4, bubble.bottom - 2), (r.x + 2, r.bottom - 1), w)


ICONS = {
    # who referred
    "police": _shield,
    "school": _book,
    "health": _cross,
    "hospital": _cross,
    "family": _house,
    "public": _person,
    "housing": _house,
    "other": _speech,
    # what a check is
    "database": _cylinder,
    "addendum": _cylinder,
    "file": _folder,
    "agency": _phone,
    "visit": _house,
    "team_leader": _person,
}


def draw_icon(surface: pygame.Surface, name: str, rect: pygame.Rect, colour: Any = INK) -> None:
    """A small line icon for a source, an agency call or a check (drawn, not loaded)."""
    draw = ICONS.get(name, _speech)
    draw(surface, colour, pygame.Rect(rect), max(1, rect.w // 9))
