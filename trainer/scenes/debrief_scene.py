"""The debrief: the scores first, then each case, the most instructive first.

The summary shows signal detection (raw counts beside d' and c), triage against the true
priority, timeliness and how much was found out before deciding. Each case shows the
truth now revealed, the timeline of what the trainee did, each defence as a slice of
Swiss cheese (held, holed, or never put in place), whether the near miss was caught,
learning points, and what the model says happened next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from trainer.debrief import Debrief, Slice
from trainer.scenes.common import headed_list, mark, panel, text_block
from trainer.theme import INK, MUTED, PAPER, RULE, STATUS_MARKS, VERMILLION, YELLOW
from trainer.ui import App, Scene
from trainer.wording import hours_minutes

if TYPE_CHECKING:
    from trainer.game import Game


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


class DebriefScene(Scene):
    name = "debrief"

    def __init__(self, app: App, game: Game, debrief: Debrief) -> None:
        super().__init__(app)
        self.game = game
        self.debrief = debrief
        self.selected = 0
        self.detail = False

    def signature(self) -> tuple[Any, ...]:
        return (self.app.size, self.app.settings.large_text, self.selected, self.detail)

    def build(self) -> None:
        w, h = self.app.size
        bh = self.app.type.line_height("body") + 14
        y = h - bh - 16
        app = self.app
        app.button(
            "previous", "Previous case", (30, y, 200, bh), lambda: self._move(-1), key=pygame.K_UP
        )
        app.button("next", "Next case", (240, y, 170, bh), lambda: self._move(1), key=pygame.K_DOWN)
        if self.detail:
            app.button("summary", "Summary", (420, y, 160, bh), self._summary, key=pygame.K_b)
        else:
            app.button(
                "open",
                "Open case",
                (420, y, 170, bh),
                self._open,
                key=pygame.K_o,
                style="primary",
                enabled=bool(self.debrief.cases),
            )
        app.button(
            "history", "Past sessions", (w - 520, y, 200, bh), self.game.to_history, key=pygame.K_h
        )
        app.button("title", "New shift", (w - 310, y, 160, bh), self.game.to_title, key=pygame.K_n)
        app.button("quit", "Quit", (w - 140, y, 110, bh), self.game.quit, key=pygame.K_ESCAPE)

    def _move(self, step: int) -> None:
        if self.debrief.cases:
            self.selected = max(0, min(len(self.debrief.cases) - 1, self.selected + step))

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

    _shot_case = False

    def after_draw(self) -> None:
        """Save the first case view too, when screenshots are being taken."""
        if self._shot_case and "debrief_case" not in self.app.saved_scenes:
            self.app.save_screenshot("debrief_case")

    def _draw_summary(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        score = self.debrief.score
        d = score.detection
        left = pygame.Rect(20, 16, 520, h - 90)
        y = panel(surface, left, t, "Your shift")
        x = left.x + 16
        rows = [
            ("Near misses caught (hits)", str(d.hits)),
            ("Near misses missed", str(d.misses)),
            ("False alarms", str(d.false_alarms)),
            ("Correct rejections", str(d.correct_rejections)),
            ("Hit rate (corrected)", f"{d.hit_rate:.2f}"),
            ("False-alarm rate (corrected)", f"{d.false_alarm_rate:.2f}"),
            ("Sensitivity d'", f"{d.d_prime:.2f}"),
            ("Criterion c", f"{d.criterion:.2f}"),
            ("Under-triage (too slow)", _pct(score.under_triage)),
            ("Over-triage (too fast)", _pct(score.over_triage)),
            ("Weighted triage error", f"{score.weighted_triage_error:.2f}"),
            ("Decided within the timescale", _pct(score.decided_in_timescale)),
            (
                "Median hours to a decision",
                "-"
                if score.median_hours_to_decision is None
                else f"{score.median_hours_to_decision:.1f}",
            ),
            ("Checks answered before deciding", f"{score.checks_per_case:.1f} a case"),
            ("Hidden risks whose source was found", _pct(score.revealing_checked)),
            ("Cases left to the night team", str(score.handed_over)),
            (
                "Harm during the shift / afterwards",
                f"{score.harm_in_shift} / {score.harm_after_shift}",
            ),
        ]
        step = t.line_height("body")
        for label, value in rows:
            surface.blit(t.render(label, "body", INK), (x, y))
            surface.blit(t.render(value, "body", INK, bold=True), (left.right - 120, y))
            y += step
        y += 6
        note = (
            "d' is how well you told hidden risks from cases without one (0 is chance); "
            "c above 0 means you held back from escalating, below 0 that you escalated "
            "readily. Both use the log-linear correction; the counts are above."
        )
        text_block(
            surface, t, note, pygame.Rect(x, y, left.width - 32, left.bottom - y), "small", MUTED
        )
        right = pygame.Rect(560, 16, w - 580, h - 90)
        y = panel(surface, right, t, "Cases, most instructive first")
        for i, case in enumerate(self.debrief.cases):
            if y > right.bottom - step:
                break
            if i == self.selected:
                pygame.draw.rect(
                    surface, (228, 226, 220), (right.x + 6, y - 2, right.width - 12, step * 2 + 2)
                )
                pygame.draw.rect(surface, INK, (right.x + 6, y - 2, 5, step * 2 + 2))
            m = STATUS_MARKS[case.score.outcome]
            mark(surface, m, (right.x + 16, y), t, "small")
            surface.blit(t.render(case.title[:70], "small", INK, bold=True), (right.x + 150, y))
            y += t.line_height("small")
            surface.blit(t.render(case.verdict[:90], "small", MUTED), (right.x + 150, y))
            y += step + 4

    def _draw_case(self, surface: pygame.Surface) -> None:
        t = self.app.type
        w, h = self.app.size
        case = self.debrief.cases[self.selected]
        y = 14
        surface.blit(t.render(case.title, "heading", INK, bold=True), (24, y))
        y += t.line_height("heading")
        mark(surface, STATUS_MARKS[case.score.outcome], (24, y), t, "body", word=case.verdict)
        y += t.line_height("body") + 6
        col = (w - 72) // 2
        left = pygame.Rect(24, y, col, h - y - 80)
        right = pygame.Rect(48 + col, y, col, h - y - 80)
        yy = panel(surface, left, t, "What was hidden, and what you did")
        inner = pygame.Rect(left.x + 12, yy, left.width - 24, left.bottom - yy - 8)
        for line in case.truth:
            yy = (
                text_block(
                    surface,
                    t,
                    line,
                    pygame.Rect(inner.x, yy, inner.width, inner.bottom - yy),
                    "small",
                )
                + 2
            )
        yy += 6
        for when, text in case.timeline:
            if yy > inner.bottom - t.line_height("small"):
                break
            yy = text_block(
                surface,
                t,
                f"{hours_minutes(when)[4:]}  {text}",
                pygame.Rect(inner.x, yy, inner.width, inner.bottom - yy),
                "small",
            )
        yy = panel(surface, right, t, "The defences, slice by slice")
        yy = self._draw_slices(
            surface, case.slices, pygame.Rect(right.x + 12, yy, right.width - 24, 0)
        )
        inner = pygame.Rect(right.x + 12, yy, right.width - 24, right.bottom - yy - 8)
        yy = (
            headed_list(
                surface,
                t,
                "Learning points",
                case.learning_points,
                inner.x,
                yy,
                inner.width,
                inner.bottom,
                "small",
                indent=0,
            )
            + 4
        )
        surface.blit(t.render("What happened next", "body", INK, bold=True), (right.x + 12, yy))
        yy += t.line_height("body")
        for _, text in case.what_next:
            yy = (
                text_block(
                    surface,
                    t,
                    text,
                    pygame.Rect(inner.x, yy, inner.width, inner.bottom - yy),
                    "small",
                )
                + 1
            )

    def _draw_slices(
        self, surface: pygame.Surface, slices: tuple[Slice, ...], area: pygame.Rect
    ) -> int:
        """Each defence as a slice of cheese: whole when it held, with a hole when it did
        not, a dashed outline when it was never put in place; its word below."""
        t = self.app.type
        n = max(1, len(slices))
        gap = 8
        sw = min(70, (area.width - gap * (n - 1)) // n)
        sh = int(sw * 1.3)
        y = area.y + 4
        for i, s in enumerate(slices):
            x = area.x + i * (sw + gap)
            body = pygame.Rect(x, y, sw, sh)
            if s.held is None:
                for dy in range(0, sh, 8):
                    pygame.draw.line(surface, MUTED, (x, y + dy), (x, y + min(sh, dy + 4)), 2)
                    pygame.draw.line(
                        surface, MUTED, (x + sw, y + dy), (x + sw, y + min(sh, dy + 4)), 2
                    )
                m = STATUS_MARKS["unused"]
            else:
                pygame.draw.rect(surface, YELLOW, body, border_radius=10)
                pygame.draw.rect(surface, INK, body, 2, border_radius=10)
                if not s.held:
                    pygame.draw.circle(surface, PAPER, body.center, sw // 4)
                    pygame.draw.circle(surface, VERMILLION, body.center, sw // 4, 3)
                m = STATUS_MARKS["held" if s.held else "holed"]
            mark(surface, m, (x, y + sh + 4), t, "small", word=m.word)
            words = t.wrap(s.barrier, "small", sw + gap)
            t.blit_lines(
                surface, words[:2], (x, y + sh + 4 + t.line_height("small")), "small", MUTED
            )
        y += sh + 4 + 3 * t.line_height("small") + 6
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

    def bot_view(self) -> dict[str, Any]:
        return {
            "cases": len(self.debrief.cases),
            "selected": self.selected,
            "detail": self.detail,
            "score": self.debrief.score.summary(),
        }
