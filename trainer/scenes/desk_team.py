"""The team: each worker's caseload against their cap, the case waiting for a worker, and
(in the last part of the shift) the handover tray with the cases still to hand over.
Its buttons, Allocate and Write handover, sit at its foot.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from trainer.desk import DutyDesk
from trainer.scenes.common import Scroller, mark, panel, text_block
from trainer.scenes.desk_frame import CaseNames, DeskLayout, OpenCase, cap
from trainer.theme import BLUE, INK, RULE, SHADE, STATUS_MARKS, VERMILLION, Mark
from trainer.ui import App
from trainer.wording import ROLE_LABELS


class TeamPanel:
    """The right-hand panel; its list scrolls above its buttons."""

    def __init__(
        self,
        *,
        app: App,
        desk: DutyDesk,
        names: CaseNames,
        layout: DeskLayout,
        choices: OpenCase,
        on_allocate: Callable[[], None],
        on_handover: Callable[[], None],
    ) -> None:
        self.app = app
        self.desk = desk
        self.names = names
        self.layout = layout
        self.choices = choices
        self.on_allocate = on_allocate
        self.on_handover = on_handover
        self.scroll = Scroller()
        self.bottom: int | None = None  # where the buttons start, once built

    def build(self, bh: int) -> None:
        """Write handover (once the tray is open) and Allocate (when a case waits)."""
        app, desk = self.app, self.desk
        rr = self.layout.right_rect
        selected = self.choices.selected
        pending = desk.awaiting_allocation()
        y = rr.bottom - 8
        if desk.handover_open() and selected is not None:
            can = selected in desk.undecided()
            y -= bh
            app.button(
                "handover",
                "Write handover",
                (rr.x + 10, y, rr.width - 20, bh),
                self.on_handover,
                key=pygame.K_h,
                enabled=can and not desk.busy(),
            )
            y -= 6
        if pending is not None:
            y -= bh
            label = f"Allocate {self.names.child(pending.case_id)}"
            room = rr.width - 20 - app.button_width("", pygame.K_a)
            while len(label) > 10 and app.type.width(label, "body", True) > room:
                label = label[:-2].rstrip() + "…"
            app.button(
                "allocate",
                label,
                (rr.x + 10, y, rr.width - 20, bh),
                self.on_allocate,
                key=pygame.K_a,
                style="primary",
                enabled=not desk.busy(),
            )
            y -= 6
        self.bottom = y

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        rr = self.layout.right_rect
        top = panel(surface, rr, t, "The team")
        bottom = self.bottom if self.bottom is not None else rr.bottom - 8
        inner = pygame.Rect(rr.x + 12, top, rr.width - 26, bottom - top - 4)
        y = self.scroll.top(surface, inner)
        y = self._draw_loads(surface, inner, y)
        pending = self.desk.awaiting_allocation()
        y += 6
        if pending is not None:
            text = f"{cap(self.names.child(pending.case_id))} waits for a worker"
            y = self._mark_line(surface, STATUS_MARKS["allocate"], text, inner.x, y, inner.width)
        if self.desk.handover_open():
            y = self._draw_handovers(surface, inner, y)
        self.scroll.finish(surface, y)

    def _draw_loads(self, surface: pygame.Surface, inner: pygame.Rect, y: int) -> int:
        """A bar per worker with a caseload cap: how full they are."""
        t = self.app.type
        bar_w = max(60, min(180, inner.width - t.width("10 of 10 FULL", "small", True) - 12))
        for worker in self.desk.team():
            if not worker.caseload_cap:
                continue
            role = ROLE_LABELS.get(worker.role, worker.role)
            surface.blit(t.render(f"{role} {worker.worker_id}", "small", INK), (inner.x, y))
            y += t.line_height("small")
            bar = pygame.Rect(inner.x, y + 2, bar_w, t.line_height("small") - 6)
            pygame.draw.rect(surface, SHADE, bar)
            filled = bar.width * worker.caseload // max(1, worker.caseload_cap)
            full = worker.caseload >= worker.caseload_cap
            pygame.draw.rect(
                surface, VERMILLION if full else BLUE, (bar.x, bar.y, filled, bar.height)
            )
            pygame.draw.rect(surface, INK, bar, 1)
            words = f"{worker.caseload} of {worker.caseload_cap}" + (" FULL" if full else "")
            surface.blit(t.render(words, "small", INK, bold=full), (bar.right + 8, y))
            y += t.line_height("small") + 4
        return y

    def _draw_handovers(self, surface: pygame.Surface, inner: pygame.Rect, y: int) -> int:
        """The handover tray: each undecided case, its handover written or not yet."""
        t = self.app.type
        pygame.draw.line(surface, RULE, (inner.x, y), (inner.right, y))
        y += 6
        y = text_block(
            surface,
            t,
            "Handover to the night team",
            pygame.Rect(inner.x, y, inner.width, 10**6),
            "body",
            bold=True,
        )
        for case_id in self.desk.undecided():
            written = case_id in self.desk.handovers
            m = STATUS_MARKS["held" if written else "handover"]
            text = f"{cap(self.names.child(case_id))}: {'written' if written else 'not yet'}"
            y = self._mark_line(surface, m, text, inner.x, y, inner.width)
        return y

    def _mark_line(
        self, surface: pygame.Surface, m: Mark, text: str, x: int, y: int, width: int
    ) -> int:
        """A mark and its words, the words wrapped beside it; returns the next y."""
        t = self.app.type
        at = x + mark(surface, m, (x, y), t, word=" ") + 6
        return text_block(surface, t, text, pygame.Rect(at, y, x + width - at, 10**6), "small") + 2


__all__ = ["TeamPanel"]
