"""Past sessions from the session store, with their scores; an unfinished one can resume."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pygame

from trainer.scenes.common import panel
from trainer.theme import INK, MUTED, SHADE
from trainer.ui import App, Scene

if TYPE_CHECKING:
    from trainer.game import Game
    from trainer.store import SessionRow

COLUMNS = (
    ("Session", 80),
    ("Trainee", 150),
    ("Exercise", 260),
    ("Started", 170),
    ("Status", 120),
    ("Hits", 60),
    ("Misses", 70),
    ("False alarms", 110),
    ("d'", 70),
    ("c", 70),
)


class HistoryScene(Scene):
    name = "history"

    def __init__(self, app: App, game: Game) -> None:
        super().__init__(app)
        self.game = game
        self.rows: list[SessionRow] = app.store.sessions() if app.store is not None else []
        self.selected = len(self.rows) - 1

    def signature(self) -> tuple[Any, ...]:
        return (self.app.size, self.app.settings.large_text, self.selected)

    def build(self) -> None:
        w, h = self.app.size
        bh = self.app.type.line_height("body") + 16
        self.app.button(
            "back", "Back", (40, h - bh - 24, 140, bh), self.game.to_title, key=pygame.K_ESCAPE
        )
        self.app.button(
            "up", "Previous", (200, h - bh - 24, 170, bh), lambda: self._move(-1), key=pygame.K_UP
        )
        self.app.button(
            "down", "Next", (380, h - bh - 24, 140, bh), lambda: self._move(1), key=pygame.K_DOWN
        )
        row = self.rows[self.selected] if 0 <= self.selected < len(self.rows) else None
        can_resume = row is not None and row.status == "in_progress"
        self.app.button(
            "resume",
            "Resume this shift",
            (w - 320, h - bh - 24, 280, bh),
            lambda: self.game.resume(row.id) if row else None,
            key=pygame.K_r,
            enabled=can_resume,
            style="primary",
        )

    def _move(self, step: int) -> None:
        if self.rows:
            self.selected = max(0, min(len(self.rows) - 1, self.selected + step))

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        rect = pygame.Rect(30, 24, w - 60, h - 110)
        y = panel(surface, rect, t, "Past sessions")
        scale = t.scale
        x = rect.x + 14
        for title, width in COLUMNS:
            surface.blit(t.render(title, "small", INK, bold=True), (x, y))
            x += int(width * scale)
        y += t.line_height("small") + 4
        step = t.line_height("small") + 4
        visible = max(1, (rect.bottom - y - 10) // step)
        first = max(0, min(self.selected - visible + 1, len(self.rows) - visible))
        for i, row in enumerate(self.rows[first : first + visible], start=first):
            if i == self.selected:
                pygame.draw.rect(surface, SHADE, (rect.x + 6, y - 2, rect.width - 12, step))
                pygame.draw.rect(surface, INK, (rect.x + 6, y - 2, 5, step))
            score = row.score or {}
            started = dt.datetime.fromtimestamp(row.started_at).strftime("%Y-%m-%d %H:%M")
            status = "complete" if row.status == "completed" else "unfinished"
            cells = [
                str(row.id),
                row.trainee,
                row.exercise,
                started,
                status,
                str(score.get("hits", "")),
                str(score.get("misses", "")),
                str(score.get("false_alarms", "")),
                f"{score['d_prime']:.2f}" if "d_prime" in score else "",
                f"{score['criterion']:.2f}" if "criterion" in score else "",
            ]
            x = rect.x + 14
            for (_, width), cell in zip(COLUMNS, cells, strict=True):
                surface.blit(t.render(cell, "small", INK), (x, y))
                x += int(width * scale)
            y += step
        if not self.rows:
            surface.blit(t.render("No sessions yet.", "body", MUTED), (rect.x + 14, y))
        if self.game.message:
            surface.blit(t.render(self.game.message, "small", MUTED), (40, h - 80 - step))

    def bot_view(self) -> dict[str, Any]:
        return {"sessions": [r.id for r in self.rows], "selected": self.selected}
