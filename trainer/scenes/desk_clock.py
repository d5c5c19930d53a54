"""The top bar: the shift's clock (day and time, when the shift ends, its speed or PAUSED)
and, beside it, the speed buttons and Pause. The desk and the replay both use it, each
with its own speeds.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from trainer.scenes.desk_frame import DeskLayout
from trainer.theme import CARD, INK, MUTED, RULE, VERMILLION
from trainer.ui import App
from trainer.wording import hours_minutes


class ClockBar:
    """The bar across the top of the desk."""

    def __init__(self, *, app: App, layout: DeskLayout) -> None:
        self.app = app
        self.layout = layout

    def build(
        self,
        *,
        speeds: dict[int, int],
        current: int,
        on_speed: Callable[[int], None],
        paused: bool,
        on_pause: Callable[[], None],
        widest: tuple[str, int],
    ) -> int:
        """Speeds and Pause beside the clock, each speed button as wide as `widest` (a
        label and its key) needs; returns the x after them."""
        app, t = self.app, self.app.type
        x0 = 24 + max(
            t.width("Mon 00:00", "clock", bold=True), t.width("until 00:00  PAUSED", "small")
        )
        app.clock_controls(
            speeds=speeds,
            current=current,
            on_speed=on_speed,
            paused=paused,
            on_pause=on_pause,
            height=self.layout.button_h,
            speed_width=app.button_width(*widest),
            pause_width=app.button_width("Resume", pygame.K_p),
            x=x0,
        )
        pause = next(c for c in app.controls if c.name == "pause")
        return pause.rect.right + 10

    def draw(
        self, surface: pygame.Surface, *, now: float, ends_at: float, running: bool, speed: int
    ) -> None:
        """The bar, the time now, and under it when the shift ends and how fast it runs."""
        t = self.app.type
        w = self.app.size[0]
        top_h = self.layout.top_h
        pygame.draw.rect(surface, CARD, (0, 0, w, top_h))
        pygame.draw.line(surface, RULE, (0, top_h), (w, top_h))
        surface.blit(t.render(hours_minutes(now), "clock", INK, bold=True), (14, 10))
        ends = hours_minutes(ends_at)[4:]
        stopped = not running
        state = "PAUSED" if stopped else f"{speed}x"
        surface.blit(
            t.render(f"until {ends}  {state}", "small", VERMILLION if stopped else MUTED, stopped),
            (16, 10 + t.line_height("clock")),
        )


__all__ = ["ClockBar"]
