"""The debrief: the scores first, then each case, the most instructive first.

The summary shows signal detection (raw counts beside d' and c), triage against the true
priority, timeliness and how much was found out before deciding. Each case shows the
truth now revealed, the timeline of what the trainee did, each defence as a slice of
Swiss cheese (held, holed, or never put in place), whether the near miss was caught,
learning points, and what the model says happened next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from trainer.debrief import TUTOR_NOTES, Debrief
from trainer.debrief_slices import Slice
from trainer.scenes.common import Scroller, headed_list, mark, mark_width, panel, text_block
from trainer.theme import INK, MUTED, PAPER, RULE, STATUS_MARKS, VERMILLION, YELLOW
from trainer.ui import App, Scene
from trainer.wording import hours_minutes

if TYPE_CHECKING:
    from trainer.game import Game


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class DebriefScene(Scene):
    name = "debrief"

    def __init__(self, app: App, game: Game, debrief: Debrief) -> None:
        super().__init__(app)
        self.game = game
        self.debrief = debrief
        self.selected = 0
        self.detail = False
        # Summary: the shift, the cases; a case: what happened, the defences.
        self.scrollers = [Scroller() for _ in range(4)]
        self._selected_span = (0, 0)
        # The slices of the case on screen and where each was drawn (cheese, word, name).
        self.drawn_slices: list[tuple[Slice, pygame.Rect]] = []

    def signature(self) -> tuple[Any, ...]:
        return (
            self.app.size,
            self.app.settings.large_text,
            self.selected,
            self.detail,
            self.game.asking_to_quit,
        )

    def build(self) -> None:
        _, h = self.app.size
        bh = self.app.type.line_height("body") + 14
        if self.game.asking_to_quit:
            self.game.build_quit_question()
            return
        left: list[tuple[str, str, Callable[[], None], int | None, str | None, bool]] = [
            ("previous", "Previous case", lambda: self._move(-1), pygame.K_UP, None, True),
            ("next", "Next case", lambda: self._move(1), pygame.K_DOWN, None, True),
        ]
        if self.detail:
            left.append(("summary", "Summary", self._summary, pygame.K_b, None, True))
        else:
            has = bool(self.debrief.cases)
            left.append(("open", "Open case", self._open, pygame.K_o, "primary", has))
        right = [
            ("history", "Past sessions", self.game.to_history, pygame.K_h, None, True),
            ("title", "New shift", self.game.to_title, pygame.K_n, None, True),
            ("quit", "Quit", self.game.ask_quit, pygame.K_ESCAPE, None, True),
        ]
        self.buttons_top = self.app.button_row(left, right, bottom=h - 14, height=bh)

    def _move(self, step: int) -> None:
        if self.debrief.cases:
            self.selected = max(0, min(len(self.debrief.cases) - 1, self.selected + step))
            for scroller in self.scrollers[2:]:
                scroller.offset = 0

    def handle(self, event: pygame.event.Event) -> bool:
        step = self.app.type.line_height("body") * 3
        shown = self.scrollers[2:] if self.detail else self.scrollers[:2]
        if any(s.handle(event, step) for s in shown):
            return True
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            page = shown[0].rect.height - step
            shown[0].scroll(page if event.key == pygame.K_PAGEDOWN else -page)
            return True
        return False

    def _open(self) -> None:
        self.detail = True

    def _summary(self) -> None:
        self.detail = False

    def draw(self, surface: pygame.Surface) -> None:
        if self.detail and self.debrief.cases:
            self._draw_case(surface)
            self._shot_case = True
        else:
            self._draw_summary(surface)
            self._keep_selected_in_view()
        if self.game.asking_to_quit:
            self.game.draw_quit_question(surface)

    def _keep_selected_in_view(self) -> None:
        scroller = self.scrollers[1]
        top, height = self._selected_span
        if top < scroller.offset:
            scroller.offset = top
        elif top + height > scroller.offset + scroller.rect.height:
            scroller.offset = min(scroller.limit, top + height - scroller.rect.height)

    _shot_case = False

    def after_draw(self) -> None:
        """Save the first case view too, when screenshots are being taken."""
        if self._shot_case and "debrief_case" not in self.app.saved_scenes:
            self.app.save_screenshot("debrief_case")

    def _columns(self) -> tuple[pygame.Rect, pygame.Rect]:
        w, h = self.app.size
        bottom = getattr(self, "buttons_top", h - 60) - 12
        left_w = int((w - 60) * 0.5)
        return (
            pygame.Rect(20, 16, left_w, bottom - 16),
            pygame.Rect(40 + left_w, 16, w - 60 - left_w, bottom - 16),
        )

    def _draw_summary(self, surface: pygame.Surface) -> None:
        t = self.app.type
        score = self.debrief.score
        d = score.detection
        left, right = self._columns()
        top = panel(surface, left, t, "Your shift")
        area = pygame.Rect(left.x + 14, top, left.width - 30, left.bottom - top - 8)
        y = self.scrollers[0].top(surface, area)
        for sentence in self.debrief.overview:
            y = text_block(surface, t, sentence, pygame.Rect(area.x, y, area.width, 10**6)) + 4
        y += 6
        cases = score.cases
        decided_in_time = sum(1 for c in cases if c.within_timescale and c.decided_by == "trainee")
        hidden = d.hits + d.misses
        safe = d.false_alarms + d.correct_rejections
        plain = [
            f"Hidden risks caught: {d.hits} of {hidden}." if hidden else "No hidden risks.",
            f"Safe families escalated to child protection: {d.false_alarms} of {safe}.",
            f"Decided within the timescale: {decided_in_time} of {len(cases)} "
            "(a case left to the night team counts as late).",
            f"Priority too slow for the child's need: {_pct(score.under_triage)} of decisions; "
            f"faster than needed: {_pct(score.over_triage)}.",
            f"Checks answered before deciding: {score.checks_per_case:.1f} a case.",
        ]
        for line in plain:
            y = text_block(surface, t, line, pygame.Rect(area.x, y, area.width, 10**6)) + 2
        y += 10
        y = self._draw_tutor(surface, pygame.Rect(area.x, y, area.width, 0))
        self.scrollers[0].finish(surface, y)
        top = panel(surface, right, t, "Cases, most instructive first")
        area = pygame.Rect(right.x + 10, top, right.width - 24, right.bottom - top - 8)
        y = self.scrollers[1].top(surface, area)
        for i, case in enumerate(self.debrief.cases):
            start = y
            lines = t.wrap(case.story[0] if case.story else case.verdict, "small", area.width - 24)
            height = t.line_height("small") * (1 + len(lines)) + 10
            if i == self.selected:
                pygame.draw.rect(surface, (228, 226, 220), (area.x, y - 2, area.width, height))
                pygame.draw.rect(surface, INK, (area.x, y - 2, 5, height))
            m = STATUS_MARKS[case.score.outcome]
            x = area.x + 12
            x += mark(surface, m, (x, y), t, "small") + 10
            surface.blit(t.render(_cap(case.child), "small", INK, bold=True), (x, y))
            y += t.line_height("small")
            y = t.blit_lines(surface, lines, (area.x + 12, y), "small", MUTED) + 10
            if i == self.selected:
                self._selected_span = (
                    start - self.scrollers[1].rect.y + self.scrollers[1].offset,
                    y - start,
                )
        self.scrollers[1].finish(surface, y)

    def _draw_tutor(self, surface: pygame.Surface, area: pygame.Rect) -> int:
        """The statistics, each with one line on what it means: for the tutor."""
        t = self.app.type
        score = self.debrief.score
        d = score.detection
        rows = [
            ("Sensitivity d'", f"{d.d_prime:.2f}", TUTOR_NOTES["d_prime"]),
            ("Criterion c", f"{d.criterion:.2f}", TUTOR_NOTES["criterion"]),
            ("Hit rate, corrected", f"{d.hit_rate:.2f}", TUTOR_NOTES["hit_rate"]),
            (
                "False-alarm rate, corrected",
                f"{d.false_alarm_rate:.2f}",
                TUTOR_NOTES["false_alarm_rate"],
            ),
            (
                "Weighted triage error",
                f"{score.weighted_triage_error:.2f}",
                TUTOR_NOTES["weighted_triage_error"],
            ),
            (
                "Median hours to a decision",
                "-"
                if score.median_hours_to_decision is None
                else f"{score.median_hours_to_decision:.1f}",
                "from arrival to your decision, over the cases you decided",
            ),
        ]
        y = area.y
        pygame.draw.line(surface, RULE, (area.x, y), (area.right, y))
        y += 6
        surface.blit(t.render("For your tutor", "body", INK, bold=True), (area.x, y))
        y += t.line_height("body")
        for label, value, note in rows:
            surface.blit(t.render(f"{label}: ", "small", INK), (area.x, y))
            x = area.x + t.width(f"{label}: ", "small")
            surface.blit(t.render(value, "small", INK, bold=True), (x, y))
            y += t.line_height("small")
            y = (
                text_block(
                    surface,
                    t,
                    note,
                    pygame.Rect(area.x + 12, y, area.width - 12, 10**6),
                    "small",
                    MUTED,
                )
                + 4
            )
        return y

    def _draw_case(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        case = self.debrief.cases[self.selected]
        left, right = self._columns()
        top = panel(surface, left, t, "What happened")
        inner = pygame.Rect(left.x + 14, top, left.width - 30, left.bottom - top - 8)
        yy = self.scrollers[2].top(surface, inner)
        yy = text_block(
            surface,
            t,
            case.title,
            pygame.Rect(inner.x, yy, inner.width, 10**6),
            "body",
            bold=True,
        )
        mark(surface, STATUS_MARKS[case.score.outcome], (inner.x, yy), t, "small")
        yy += t.line_height("small") + 4
        for sentence in case.story:
            yy = text_block(surface, t, sentence, pygame.Rect(inner.x, yy, inner.width, 10**6)) + 4
        yy += 6
        surface.blit(t.render("What was hidden", "body", INK, bold=True), (inner.x, yy))
        yy += t.line_height("body")
        for line in case.truth:
            yy = (
                text_block(surface, t, line, pygame.Rect(inner.x, yy, inner.width, 10**6), "small")
                + 2
            )
        yy += 6
        surface.blit(t.render("What you did, and when", "body", INK, bold=True), (inner.x, yy))
        yy += t.line_height("body")
        for when, text in case.timeline:
            yy = text_block(
                surface,
                t,
                f"{hours_minutes(when)[4:]}  {text}",
                pygame.Rect(inner.x, yy, inner.width, 10**6),
                "small",
            )
        self.scrollers[2].finish(surface, yy)
        top = panel(surface, right, t, "The defences, slice by slice")
        inner = pygame.Rect(right.x + 12, top, right.width - 28, right.bottom - top - 8)
        yy = self.scrollers[3].top(surface, inner)
        yy = self._draw_slices(surface, case.slices, pygame.Rect(inner.x, yy, inner.width, 0))
        yy = (
            headed_list(
                surface,
                t,
                "Learning points",
                case.learning_points,
                inner.x,
                yy,
                inner.width,
                10**6,
                "small",
                indent=0,
            )
            + 4
        )
        surface.blit(t.render("What happened next", "body", INK, bold=True), (inner.x, yy))
        yy += t.line_height("body")
        for _, text in case.what_next:
            yy = (
                text_block(surface, t, text, pygame.Rect(inner.x, yy, inner.width, 10**6), "small")
                + 1
            )
        self.scrollers[3].finish(surface, yy)

    def _draw_slices(
        self, surface: pygame.Surface, slices: tuple[Slice, ...], area: pygame.Rect
    ) -> int:
        """Each defence as a slice of cheese: whole when it held, with a hole when it did
        not, a dashed outline when it was never put in place; its word and name below."""
        t = self.app.type
        cells, bottom = self._slice_cells(slices, area)
        self.drawn_slices = list(zip(slices, cells, strict=True))
        for s, cell in self.drawn_slices:
            self._draw_slice(surface, s, cell)
        y = bottom
        for s in slices:
            if s.held is not True:
                y = (
                    text_block(
                        surface,
                        t,
                        f"{s.barrier}: {s.why}",
                        pygame.Rect(area.x, y, area.width, 10_000),
                        "small",
                    )
                    + 1
                )
        pygame.draw.line(surface, RULE, (area.x, y + 3), (area.right, y + 3))
        return y + 8

    def _slice_cells(
        self, slices: tuple[Slice, ...], area: pygame.Rect
    ) -> tuple[list[pygame.Rect], int]:
        """Where each slice goes (its cheese with its word and name under it) and the y
        under the last row. A cell is as wide as the widest status word or word of a name,
        so the rows wrap rather than let a slice's words run into its neighbour's."""
        t = self.app.type
        gap = 8
        cols = self._slice_columns(slices, area.width, gap)
        room = (area.width - gap * (cols - 1)) // cols
        cell_w = min(room, max(70, self._slice_need(slices)))
        sw = min(70, cell_w)
        sh = int(sw * 1.3)
        lh = t.line_height("small")
        name_lines = max([len(t.wrap(s.barrier, "small", cell_w)) for s in slices] + [1])
        cell_h = sh + 4 + (1 + name_lines) * lh
        cells = [
            pygame.Rect(
                area.x + (i % cols) * (cell_w + gap),
                area.y + 4 + (i // cols) * (cell_h + 6),
                cell_w,
                cell_h,
            )
            for i in range(len(slices))
        ]
        rows = (len(slices) + cols - 1) // cols if slices else 1
        return cells, area.y + 4 + rows * (cell_h + 6)

    def _slice_need(self, slices: tuple[Slice, ...]) -> int:
        """The width a slice needs: its status word with its mark, or the longest word of
        a slice's name, whichever is wider."""
        t = self.app.type
        return max(
            [mark_width(STATUS_MARKS[k], t) for k in ("held", "holed", "unused")]
            + [t.width(w, "small") for s in slices for w in s.barrier.split()]
        )

    def _slice_columns(self, slices: tuple[Slice, ...], width: int, gap: int) -> int:
        """As many slices to a row as leave each room for its status word and the longest
        word of its name; more rows rather than words running into each other."""
        need = self._slice_need(slices)
        cols = max(1, len(slices))
        while cols > 1 and (width - gap * (cols - 1)) // cols < need:
            cols -= 1
        return cols

    def _draw_slice(self, surface: pygame.Surface, s: Slice, cell: pygame.Rect) -> None:
        t = self.app.type
        sw = min(70, cell.width)
        sh = int(sw * 1.3)
        x, y = cell.x, cell.y
        body = pygame.Rect(x, y, sw, sh)
        if s.held is None:
            for dy in range(0, sh, 8):
                pygame.draw.line(surface, MUTED, (x, y + dy), (x, y + min(sh, dy + 4)), 2)
                pygame.draw.line(surface, MUTED, (x + sw, y + dy), (x + sw, y + min(sh, dy + 4)), 2)
            m = STATUS_MARKS["unused"]
        else:
            pygame.draw.rect(surface, YELLOW, body, border_radius=10)
            pygame.draw.rect(surface, INK, body, 2, border_radius=10)
            if not s.held:
                pygame.draw.circle(surface, PAPER, body.center, sw // 4)
                pygame.draw.circle(surface, VERMILLION, body.center, sw // 4, 3)
            m = STATUS_MARKS["held" if s.held else "holed"]
        mark(surface, m, (x, y + sh + 4), t, "small", word=m.word)
        words = t.wrap(s.barrier, "small", cell.width)
        t.blit_lines(surface, words, (x, y + sh + 4 + t.line_height("small")), "small", MUTED)

    def bot_view(self) -> dict[str, Any]:
        return {
            "cases": len(self.debrief.cases),
            "selected": self.selected,
            "detail": self.detail,
            "score": self.debrief.score.summary(),
        }
