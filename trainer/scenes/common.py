"""Drawing helpers the scenes share: panels, marks (colour + shape + word), wrapped text."""

from __future__ import annotations

from collections.abc import Sequence

import pygame

from trainer.theme import CARD, INK, MUTED, RULE, SHADE, Mark, Typeface, draw_shape


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
    size = _mark_size(type_, style)
    x, y = pos
    draw_shape(surface, m.shape, m.colour, (x + size // 2, y + h // 2), size)
    text = type_.render(word or m.word, style, INK, bold=True)
    surface.blit(text, (x + size + 5, y + (h - text.get_height()) // 2))
    return size + 5 + text.get_width()


def _mark_size(type_: Typeface, style: str) -> int:
    return max(10, int(type_.line_height(style) * 0.7))


def mark_width(m: Mark, type_: Typeface, style: str = "small") -> int:
    """The width `mark` will take for `m` and its own word, without drawing it."""
    return _mark_size(type_, style) + 5 + type_.width(m.word, style, bold=True)


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


class Scroller:
    """A panel area whose content may be taller than the area: the scene draws the
    content from `top()` with the surface clipped to the area, then `finish()` records how
    tall it was and draws a scrollbar when it does not fit. The wheel over the area, the
    arrow keys a scene gives it, and dragging the bar move it."""

    def __init__(self) -> None:
        self.offset = 0
        self.content_h = 0
        self.rect = pygame.Rect(0, 0, 0, 0)
        self._clip: pygame.Rect | None = None

    def top(self, surface: pygame.Surface, rect: pygame.Rect) -> int:
        """Start drawing into `rect`; returns the y where the content's first line goes."""
        self.rect = pygame.Rect(rect)
        self._clip = surface.get_clip()
        surface.set_clip(self.rect.clip(self._clip))
        return self.rect.y - self.offset

    def finish(self, surface: pygame.Surface, end_y: int) -> None:
        surface.set_clip(self._clip)
        self.content_h = end_y + self.offset - self.rect.y
        self.offset = max(0, min(self.offset, self.limit))
        if self.overflows:
            track = pygame.Rect(self.rect.right + 3, self.rect.y, 6, self.rect.height)
            pygame.draw.rect(surface, SHADE, track, border_radius=3)
            share = self.rect.height / max(1, self.content_h)
            knob_h = max(24, int(track.height * share))
            knob_y = track.y + int((track.height - knob_h) * self.offset / max(1, self.limit))
            pygame.draw.rect(surface, MUTED, (track.x, knob_y, 6, knob_h), border_radius=3)

    @property
    def limit(self) -> int:
        return max(0, self.content_h - self.rect.height)

    @property
    def overflows(self) -> bool:
        return self.content_h > self.rect.height + 1

    def scroll(self, pixels: int) -> None:
        self.offset = max(0, min(self.limit, self.offset + pixels))

    def handle(self, event: pygame.event.Event, step: int) -> bool:
        """The mouse wheel over the area scrolls it by `step` pixels a notch."""
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            self.scroll(-event.y * step)
            return True
        return False
