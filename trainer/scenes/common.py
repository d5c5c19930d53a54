"""Drawing helpers the scenes share: panels, marks (colour + shape + word), wrapped text."""

from __future__ import annotations

from collections.abc import Sequence

import pygame

from trainer.theme import CARD, INK, MUTED, RULE, Mark, Typeface, draw_shape


def panel(surface: pygame.Surface, rect: pygame.Rect, type_: Typeface, title: str = "") -> int:
    """A white panel with an optional heading; returns the y where content starts."""
    pygame.draw.rect(surface, CARD, rect, border_radius=6)
    pygame.draw.rect(surface, RULE, rect, 1, border_radius=6)
    y = rect.y + 8
    if title:
        surface.blit(type_.render(title, "heading", INK, bold=True), (rect.x + 12, y))
        y += type_.line_height("heading") + 4
    return y


def mark(
    surface: pygame.Surface,
    m: Mark,
    pos: tuple[int, int],
    type_: Typeface,
    style: str = "small",
    word: str | None = None,
) -> int:
    """A coloured shape and its word; returns the width used."""
    h = type_.line_height(style)
    size = max(10, int(h * 0.7))
    x, y = pos
    draw_shape(surface, m.shape, m.colour, (x + size // 2, y + h // 2), size)
    text = type_.render(word or m.word, style, INK, bold=True)
    surface.blit(text, (x + size + 5, y + (h - text.get_height()) // 2))
    return size + 5 + text.get_width()


def text_block(
    surface: pygame.Surface,
    type_: Typeface,
    text: str,
    rect: pygame.Rect,
    style: str = "body",
    colour: tuple[int, int, int] = INK,
    bold: bool = False,
) -> int:
    lines = type_.wrap(text, style, rect.width, bold)
    return type_.blit_lines(surface, lines, (rect.x, rect.y), style, colour, bold, rect.bottom)


def muted(type_: Typeface, text: str, style: str = "small") -> pygame.Surface:
    return type_.render(text, style, MUTED)


def headed_list(
    surface: pygame.Surface,
    type_: Typeface,
    heading: str,
    items: Sequence[str],
    x: int,
    y: int,
    width: int,
    bottom: int,
    style: str = "body",
    indent: int = 8,
) -> int:
    """A bold heading and a bulleted list under it; returns the y after the list."""
    surface.blit(type_.render(heading, "body", INK, bold=True), (x, y))
    y += type_.line_height("body")
    for item in items:
        area = pygame.Rect(x + indent, y, width - indent, bottom - y)
        y = text_block(surface, type_, f"• {item}", area, style) + 3
    return y
