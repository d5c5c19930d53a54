"""The title screen: a pseudonymous trainee code, the exercise, settings, history."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from trainer.game import level_name
from trainer.scenes.common import headed_list, panel, text_block
from trainer.theme import INK, MUTED, VERMILLION, Typeface
from trainer.ui import NUMBER_KEYS, App, Scene

if TYPE_CHECKING:
    from trainer.game import Game


def _fit(t: Typeface, text: str, width: int) -> str:
    """Cut a label with an ellipsis so that it fits `width` pixels."""
    if t.width(text, "body", bold=True) <= width:
        return text
    while len(text) > 4 and t.width(text + "…", "body", bold=True) > width:
        text = text[:-1]
    return text.rstrip() + "…"


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
            self.game.asking_to_quit,
        )

    def _unfinished_count(self) -> int:
        store = self.app.store
        if store is None:
            return 0
        return len(store.unfinished(self.game.trainee))

    def _page_size(self) -> int:
        """Exercises a page holds at this window and text size (at most nine: keys 1-9)."""
        t = self.app.type
        bh = t.line_height("body") + 16
        rows = 2 if self.app.size[0] < 1200 or self.app.settings.large_text else 1
        room = self.app.size[1] - self._list_top() - rows * (bh + 8) - 30
        return max(2, min(9, room // (bh + 6) - 1))

    def _list_top(self) -> int:
        t = self.app.type
        y = 40 + t.line_height("title") + t.line_height("body") * 2 + 10
        return y + 2 * t.line_height("body") + t.line_height("body") + 14 + 26

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
        bh = t.line_height("body") + 16
        if self.game.asking_to_quit:
            self.game.build_quit_question()
            return
        left = 40
        col = self._column_width()
        y = 40 + t.line_height("title") + t.line_height("body") * 2 + 10
        label_h = t.line_height("body")
        entry_h = t.line_height("body") + 14
        self.id_entry = app.entry(
            pygame.Rect(left, y + label_h, min(320, col), entry_h), self.game.trainee, length=32
        )
        y = self._list_top()
        # A page at a time, easiest first; the page turns with Page Up and Page Down, and
        # an exercise keeps its key on its page whichever one is chosen.
        entries = self.game.entries
        size = self._page_size()
        first = (self.game.selected // size) * size
        for i, entry in enumerate(entries[first : first + size]):
            index = first + i
            level = level_name(entry.plan.difficulty) if entry.plan is not None else "?"
            if entry.key.startswith("free:"):
                level = "Free play"
            app.button(
                f"exercise:{entry.key}",
                _fit(t, f"{entry.title} ({level})", col - app.button_width("", NUMBER_KEYS[i])),
                (left, y, col, bh),
                partial(self._choose, index),
                key=NUMBER_KEYS[i],
                style="chosen" if index == self.game.selected else None,
            )
            y += bh + 6
        pages = -(-len(entries) // size)
        if pages > 1:
            page = first // size + 1
            back = app.button_width("Back", pygame.K_PAGEUP)
            app.button(
                "previous_page",
                "Back",
                (left, y, back, bh),
                lambda: self._turn(-1),
                key=pygame.K_PAGEUP,
                enabled=page > 1,
            )
            app.button(
                "more",
                f"More (page {page} of {pages})",
                (left + back + 6, y, col - back - 6, bh),
                lambda: self._turn(1),
                key=pygame.K_PAGEDOWN,
                enabled=page < pages,
            )
            y += bh + 6
        unfinished = self.app.store.unfinished(self.game.trainee) if self.app.store else []
        large = "on" if app.settings.large_text else "off"
        # Start sits where the briefing's Begin is (the main action, bottom right), so a
        # second click lands on Begin, never on the briefing's Back.
        left_row = [
            ("quit", "Quit", self.game.ask_quit, pygame.K_ESCAPE, None, True),
            ("large_text", f"Large text: {large}", self._toggle_large, pygame.K_l, None, True),
            ("history", "Past sessions", self.game.to_history, pygame.K_h, None, True),
        ]
        if unfinished:
            last = unfinished[-1].id
            left_row.append(
                (
                    "resume",
                    f"Resume shift {last}",
                    lambda: self.game.resume(last),
                    pygame.K_r,
                    None,
                    True,
                )
            )
        right_row = [
            (
                "start",
                "Start",
                self._start,
                pygame.K_RETURN,
                "primary",
                self.game.entry() is not None,
            )
        ]
        self.buttons_top = app.button_row(left_row, right_row, bottom=h - 20, height=bh)

    def _column_width(self) -> int:
        return max(300, min(520, int(self.app.size[0] * 0.42)))

    def _turn(self, step: int) -> None:
        size = self._page_size()
        first = (self.game.selected // size + step) * size
        if 0 <= first < len(self.game.entries):
            self._choose(first)

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
        self._draw(surface)
        if self.game.asking_to_quit:
            self.game.draw_quit_question(surface)

    def after_draw(self) -> None:
        if self.game.asking_to_quit and "title_quit" not in self.app.saved_scenes:
            self.app.save_screenshot("title_quit")

    def _draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        surface.blit(t.render("Front Door: the duty desk", "title", INK, bold=True), (40, 30))
        y = 30 + t.line_height("title")
        surface.blit(
            t.render("A training shift at a children's services front door.", "body", MUTED),
            (40, y),
        )
        y += t.line_height("body") * 2 + 10
        surface.blit(t.render("Your trainee code (a pseudonym)", "body", INK), (40, y))
        y += t.line_height("body") + t.line_height("body") + 14 + 24
        surface.blit(t.render("Exercise", "body", INK, bold=True), (40, y))
        # The chosen exercise, described on the right.
        x = 40 + self._column_width() + 24
        bottom = getattr(self, "buttons_top", h - 80) - 16
        top_y = 30 + t.line_height("title") + t.line_height("body") + 8
        right = pygame.Rect(x, top_y, w - x - 24, bottom - top_y)
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
            line_h = t.line_height("small")
            area = pygame.Rect(40, bottom - 5 * line_h - 8, self._column_width(), 3 * line_h)
            text_block(surface, t, self.next_line, area, "small", INK)
        if self.game.message:
            msg = pygame.Rect(40, bottom - 2 * t.line_height("small"), w - 80, 50)
            text_block(surface, t, self.game.message, msg, "small", VERMILLION)

    def bot_view(self) -> dict[str, Any]:
        return {
            "trainee": self.game.trainee,
            "selected": self.game.selected,
            "entries": [e.key for e in self.game.entries],
            "message": self.game.message,
            "next_for_you": self.next_line,
        }
