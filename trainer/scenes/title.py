"""The title screen: a pseudonymous trainee code, the exercise, settings, history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from trainer.scenes.common import headed_list, panel, text_block
from trainer.theme import INK, MUTED, VERMILLION
from trainer.ui import NUMBER_KEYS, App, Scene

if TYPE_CHECKING:
    from trainer.game import Game

EXERCISES_PER_PAGE = 6


class TitleScene(Scene):
    name = "title"

    def __init__(self, app: App, game: Game) -> None:
        super().__init__(app)
        self.game = game
        self.id_entry: Any = None
        self.next_line = ""

    def signature(self) -> tuple[Any, ...]:
        return (
            self.game.selected,
            self.app.settings.large_text,
            self.app.size,
            self._unfinished_count(),
            self.game.message,
        )

    def _unfinished_count(self) -> int:
        store = self.app.store
        if store is None:
            return 0
        return len(store.unfinished(self.game.trainee))

    def _next_for_you(self) -> str:
        """The curriculum's choice for this trainee, in a sentence (empty without sessions)."""
        from trainer.curriculum import next_for
        from trainer.store import StoreError, check_trainee_id

        store = self.app.store
        if store is None or not self.game.trainee:
            return ""
        try:
            trainee = check_trainee_id(self.game.trainee)
            if not any(r.trainee == trainee for r in store.sessions()):
                return ""
            choice = next_for(store, trainee)
        except StoreError:
            return ""
        return f"Next for you: {choice.exercise}. {choice.reason}"

    def build(self) -> None:
        app, t = self.app, self.app.type
        self.next_line = self._next_for_you()
        w, h = app.size
        left = 40
        y = 40 + t.line_height("title") + t.line_height("body") * 2 + 10
        label_h = t.line_height("body")
        entry_h = t.line_height("body") + 14
        self.id_entry = app.entry(
            pygame.Rect(left, y + label_h, 320, entry_h), self.game.trainee, length=32
        )
        y += label_h + entry_h + 16 + label_h
        bh = t.line_height("body") + 16
        # A page of exercises at a time, so the buttons below keep their place (a longer
        # list pushed Start under the briefing's Back button) and every one has a key.
        entries = self.game.entries
        first = (self.game.selected // EXERCISES_PER_PAGE) * EXERCISES_PER_PAGE
        for i, entry in enumerate(entries[first : first + EXERCISES_PER_PAGE]):
            index = first + i
            chosen = index == self.game.selected
            app.button(
                f"exercise:{entry.key}",
                f"{entry.title}",
                (left, y, 460, bh),
                lambda index=index: self._choose(index),
                key=NUMBER_KEYS[i],
                style="chosen" if chosen else None,
            )
            y += bh + 6
        if len(entries) > EXERCISES_PER_PAGE:
            pages = -(-len(entries) // EXERCISES_PER_PAGE)
            page = first // EXERCISES_PER_PAGE + 1
            app.button(
                "more",
                f"More exercises (page {page} of {pages})",
                (left, y, 460, bh),
                self._next_page,
                key=pygame.K_PAGEDOWN,
            )
            y += bh + 6
        y += 10
        app.button(
            "start",
            "Start",
            (left, y, 220, bh + 6),
            self._start,
            key=pygame.K_RETURN,
            style="primary",
            enabled=self.game.entry() is not None,
        )
        y += bh + 20
        large = "on" if app.settings.large_text else "off"
        app.button(
            "large_text",
            f"Large text: {large}",
            (left, y, 220, bh),
            self._toggle_large,
            key=pygame.K_l,
        )
        app.button(
            "history",
            "Past sessions",
            (left + 230, y, 230, bh),
            self.game.to_history,
            key=pygame.K_h,
        )
        y += bh + 8
        unfinished = self.app.store.unfinished(self.game.trainee) if self.app.store else []
        if unfinished:
            last = unfinished[-1].id
            app.button(
                "resume",
                f"Resume unfinished shift {last}",
                (left, y, 300, bh),
                lambda: self.game.resume(last),
                key=pygame.K_r,
            )
        app.button(
            "quit", "Quit", (w - 160, h - bh - 24, 120, bh), self.game.quit, key=pygame.K_ESCAPE
        )

    def _next_page(self) -> None:
        first = (self.game.selected // EXERCISES_PER_PAGE + 1) * EXERCISES_PER_PAGE
        self._choose(first if first < len(self.game.entries) else 0)

    def _choose(self, index: int) -> None:
        self.game.selected = index
        self.game.message = ""

    def _sync_trainee(self) -> None:
        if self.id_entry is not None:
            self.game.trainee = self.id_entry.get_text().strip()

    def _start(self) -> None:
        self._sync_trainee()
        self.game.to_briefing()

    def _toggle_large(self) -> None:
        self._sync_trainee()
        self.app.apply_settings(
            self.app.settings.changed(large_text=not self.app.settings.large_text)
        )

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN and self.app.typing():
            self._start()
            return True
        return False

    def update(self, dt: float) -> None:
        if self.id_entry is not None and not self.app.typing():
            self._sync_trainee()

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        surface.blit(t.render("Front Door: the duty desk", "title", INK, bold=True), (40, 30))
        y = 30 + t.line_height("title")
        surface.blit(
            t.render("A training shift at a children's services front door.", "body", MUTED),
            (40, y),
        )
        y += t.line_height("body") * 2 + 10
        surface.blit(
            t.render("Your trainee code (a pseudonym, not your name)", "body", INK), (40, y)
        )
        y += t.line_height("body") + t.line_height("body") + 14 + 16
        surface.blit(t.render("Exercise", "body", INK, bold=True), (40, y))
        # The chosen exercise, described on the right.
        right = pygame.Rect(540, 30, w - 580, h - 110)
        top = panel(surface, right, t, "About this exercise")
        entry = self.game.entry()
        inner = pygame.Rect(right.x + 14, top, right.width - 28, right.bottom - top - 10)
        if entry is None:
            text_block(surface, t, "No exercises found.", inner)
            return
        if entry.problem:
            text_block(
                surface,
                t,
                f"This exercise cannot be loaded: {entry.problem}",
                inner,
                colour=VERMILLION,
            )
            return
        plan = self.game.plan()
        if plan is None:
            return
        y = text_block(surface, t, plan.title, inner, "heading", bold=True) + 4
        level = plan.difficulty.replace("_", " ")
        sections = ", ".join(plan.report_sections)
        y = text_block(
            surface,
            t,
            f"Level: {level}.  Report sections: {sections}.",
            pygame.Rect(inner.x, y, inner.width, inner.bottom - y),
            "small",
            MUTED,
        )
        y = (
            text_block(
                surface, t, plan.summary, pygame.Rect(inner.x, y + 8, inner.width, inner.bottom - y)
            )
            + 8
        )
        headed_list(
            surface,
            t,
            "You will practise:",
            plan.learning_aims,
            inner.x,
            y,
            inner.width,
            inner.bottom,
        )
        if self.next_line:
            text_block(surface, t, self.next_line, pygame.Rect(40, h - 130, 480, 66), "small", INK)
        if self.game.message:
            msg = pygame.Rect(40, h - 60, 480, 50)
            text_block(surface, t, self.game.message, msg, "small", VERMILLION)

    def bot_view(self) -> dict[str, Any]:
        return {
            "trainee": self.game.trainee,
            "selected": self.game.selected,
            "entries": [e.key for e in self.game.entries],
            "message": self.game.message,
            "next_for_you": self.next_line,
        }
