"""The in-tray: a card for every referral on the desk, in arrival order, with its state
(new, waiting on a check, ready, decided, waiting for a worker, handed over), Previous and
Next under it, a scrollbar when the cards do not all fit, and a yellow frame on a card
that has just arrived.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from trainer.desk import DutyDesk
from trainer.scenes.common import mark, panel
from trainer.scenes.desk_frame import CaseNames, DeskLayout
from trainer.theme import (
    BLUE,
    CARD,
    INK,
    LEVEL_MARKS,
    MUTED,
    RULE,
    SHADE,
    STATUS_MARKS,
    YELLOW,
    draw_icon,
)
from trainer.ui import App
from trainer.wording import SOURCE_LABELS, hours_minutes

FRESH_SECONDS = 10.0  # real seconds a new card keeps its yellow frame


class Tray:
    """The in-tray panel. It keeps how far it is scrolled, which cards are fresh and the
    drawn cards (a card is drawn again only when its state, selection or size changes)."""

    def __init__(self, *, app: App, desk: DutyDesk, names: CaseNames, layout: DeskLayout) -> None:
        self.app = app
        self.desk = desk
        self.names = names
        self.layout = layout
        self.scroll = 0  # the first card shown
        self.fresh: dict[int, float] = {}  # case id: real seconds its frame stays
        self._cache: dict[tuple[object, ...], pygame.Surface] = {}

    # -- where the cards go -------------------------------------------------------------

    def visible_cards(self) -> int:
        """How many cards fit above the Previous and Next buttons."""
        t = self.app.type
        tr = self.layout.tray_rect
        bh = t.line_height("body") + 14
        nav = (
            2 * bh + 6
            if self.app.button_width("Previous", pygame.K_UP) > (tr.width - 6) // 2
            else bh
        )
        room = tr.height - t.line_height("heading") - 20 - nav - 8
        return max(1, room // (self.layout.card_h + 6))

    def card_rects(self) -> list[tuple[int, pygame.Rect]]:
        """The cards on screen now and where each is (what a click is tested against)."""
        t = self.app.type
        tr = self.layout.tray_rect
        card_h = self.layout.card_h
        y = tr.y + t.line_height("heading") + 16
        out = []
        tray = self.desk.tray
        for case_id in tray[self.scroll : self.scroll + self.visible_cards()]:
            out.append((case_id, pygame.Rect(tr.x + 8, y, tr.width - 16, card_h)))
            y += card_h + 6
        return out

    def scroll_into_view(self, case_id: int) -> None:
        if case_id not in self.desk.tray:
            return
        index = self.desk.tray.index(case_id)
        visible = self.visible_cards()
        if index < self.scroll:
            self.scroll = index
        elif index >= self.scroll + visible:
            self.scroll = index - visible + 1

    def wheel(self, event: pygame.event.Event) -> bool:
        """The mouse wheel over the tray scrolls it a card a notch; True when used."""
        if event.type != pygame.MOUSEWHEEL:
            return False
        if not self.layout.tray_rect.collidepoint(pygame.mouse.get_pos()):
            return False
        limit = max(0, len(self.desk.tray) - self.visible_cards())
        self.scroll = max(0, min(limit, self.scroll - event.y))
        return True

    def build_navigation(self, bh: int, on_move: Callable[[int], None]) -> None:
        """Previous and Next under the tray (the replay's desk has them too)."""
        tr = self.layout.tray_rect
        half = (tr.width - 6) // 2
        wide = self.app.button_width("Previous", pygame.K_UP) > half
        # Side by side when they fit, else one above the other.
        prev = (
            (tr.x, tr.bottom - 2 * bh - 6, tr.width, bh)
            if wide
            else (tr.x, tr.bottom - bh, half, bh)
        )
        nxt = (
            (tr.x, tr.bottom - bh, tr.width, bh)
            if wide
            else (tr.x + half + 6, tr.bottom - bh, half, bh)
        )
        self.app.button("previous", "Previous", prev, lambda: on_move(-1), key=pygame.K_UP)
        self.app.button("next", "Next", nxt, lambda: on_move(1), key=pygame.K_DOWN)

    # -- fresh cards ----------------------------------------------------------------------

    def mark_fresh(self, case_ids: list[int]) -> None:
        for case_id in case_ids:
            self.fresh[case_id] = FRESH_SECONDS

    def tick(self, dt: float) -> None:
        """`dt` real seconds later: frames that have been shown long enough go."""
        for case_id in list(self.fresh):
            self.fresh[case_id] -= dt
            if self.fresh[case_id] <= 0:
                del self.fresh[case_id]

    def forget_drawn(self) -> None:
        """Draw every card again (after the text size changed)."""
        self._cache.clear()

    # -- drawing --------------------------------------------------------------------------

    def card_status(self, case_id: int) -> str:
        """The card's state as a mark's name: allocate, levelN, handover, waiting, ready, new."""
        desk = self.desk
        pending = desk.awaiting_allocation()
        if pending is not None and pending.case_id == case_id:
            return "allocate"
        decision = desk.decision(case_id)
        if decision is not None:
            return f"level{int(decision.level)}"
        if case_id in desk.handovers:
            return "handover"
        case = desk.case(case_id)
        findings = desk.findings_for(case_id)
        if any(not f.done and f.action != "file" for f in findings):
            return "waiting"
        if findings and case.screened_at is None:
            return "ready"
        if case.screened_at is not None:
            return (
                f"level{int(case.screening_level)}" if case.screening_level is not None else "new"
            )
        return "new"

    def draw(self, surface: pygame.Surface, selected: int | None) -> None:
        t = self.app.type
        panel(surface, self.layout.tray_rect, t, f"In-tray ({len(self.desk.tray)})")
        for case_id, rect in self.card_rects():
            surface.blit(self._card(case_id, rect.width, case_id == selected), rect.topleft)
            if case_id in self.fresh:
                pygame.draw.rect(surface, YELLOW, rect.inflate(4, 4), 4, border_radius=4)
        self._draw_bar(surface)

    def _card(self, case_id: int, width: int, selected: bool) -> pygame.Surface:
        status = self.card_status(case_id)
        card_h = self.layout.card_h
        key = (case_id, status, selected, width, self.app.type.scale)
        surf = self._cache.get(key)
        if surf is not None:
            return surf
        t = self.app.type
        case = self.desk.case(case_id)
        surf = pygame.Surface((width, card_h))
        surf.fill(SHADE if selected else CARD)
        pygame.draw.rect(surf, INK if selected else RULE, surf.get_rect(), 3 if selected else 1)
        if selected:
            pygame.draw.rect(surf, BLUE, (0, 0, 6, card_h))
        y = 5
        head = f"{hours_minutes(case.arrived_at)}  {SOURCE_LABELS.get(case.source, case.source)}"
        size = t.line_height("small") - 4
        draw_icon(surf, case.source, pygame.Rect(12, y + 2, size, size), MUTED)
        surf.blit(t.render(head, "small", MUTED), (16 + size, y))
        y += t.line_height("small")
        who = self.names.who(case_id)
        while len(who) > 4 and t.width(who, "body", bold=True) > width - 20:
            who = who.rstrip("…")[:-1] + "…"  # a long name is cut, not run off the card
        surf.blit(t.render(who, "body", INK, bold=True), (12, y))
        y += t.line_height("body")
        if status.startswith("level"):
            m = LEVEL_MARKS[int(status[5:])]
        else:
            m = STATUS_MARKS[status]
        mark(surf, m, (12, y), t, "small")
        self._cache[key] = surf
        return surf

    def _draw_bar(self, surface: pygame.Surface) -> None:
        tray = self.desk.tray
        shown = self.visible_cards()
        if len(tray) <= shown:
            return
        tr = self.layout.tray_rect
        top = tr.y + self.app.type.line_height("heading") + 16
        track = pygame.Rect(tr.right - 7, top, 5, shown * (self.layout.card_h + 6) - 6)
        pygame.draw.rect(surface, SHADE, track, border_radius=2)
        knob_h = max(16, track.height * shown // len(tray))
        span = max(1, len(tray) - shown)
        knob_y = track.y + (track.height - knob_h) * self.scroll // span
        pygame.draw.rect(surface, MUTED, (track.x, knob_y, 5, knob_h), border_radius=2)


__all__ = ["FRESH_SECONDS", "Tray"]
