"""The end of the shift: a pause between the desk and the debrief.

The desk does not jump straight to the debrief when the clock reaches the end of the
shift (or the trainee ends it): this screen says the shift is over, what was decided and
what goes to the night team, and waits for the trainee to ask for the debrief. The
follow-up period is run (and the debrief worked out) only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from trainer.scenes.common import panel, text_block
from trainer.theme import INK, MUTED
from trainer.ui import App, Scene
from trainer.wording import hours_minutes

if TYPE_CHECKING:
    from trainer.game import Game


class ShiftEndScene(Scene):
    name = "shift_end"

    def __init__(self, app: App, game: Game) -> None:
        super().__init__(app)
        self.game = game
        assert game.session is not None
        self.desk = game.session.desk

    def signature(self) -> tuple[Any, ...]:
        return (self.app.size, self.app.settings.large_text)

    def _box(self) -> pygame.Rect:
        w, h = self.app.size
        width = min(w - 40, 760)
        height = min(h - 40, 420 + int(80 * (self.app.type.scale - 1) * 5))
        return pygame.Rect((w - width) // 2, (h - height) // 2, width, height)

    def build(self) -> None:
        box = self._box()
        bh = self.app.type.line_height("body") + 14
        self.app.button_row(
            [],
            [
                (
                    "debrief",
                    "See the debrief",
                    self.game.to_debrief,
                    pygame.K_RETURN,
                    "primary",
                    True,
                )
            ],
            bottom=box.bottom - 16,
            height=bh,
            x0=box.x + 16,
            x1=box.right - 16,
        )

    def lines(self) -> list[str]:
        desk = self.desk
        decided = len(desk.tray) - len(desk.undecided())
        left = desk.undecided()
        written = sum(1 for c in left if c in desk.handovers)
        out = [
            f"The shift is over at {hours_minutes(desk.now)[4:]}.",
            f"{len(desk.tray)} referrals reached you; you decided {decided}.",
        ]
        if left:
            out.append(
                f"{len(left)} go to the night team, {written} of them with a handover you "
                "wrote; the others with the referral alone."
            )
        else:
            out.append("Nothing is left for the night team.")
        out.append(
            "Next, the model runs on for the follow-up period to show what happened to each "
            "family, then the debrief opens."
        )
        return out

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        box = self._box()
        y = panel(surface, box, t, "End of the shift")
        area = pygame.Rect(box.x + 20, y + 6, box.width - 40, 10**6)
        for i, line in enumerate(self.lines()):
            area.y = text_block(surface, t, line, area, "body", MUTED if i == 3 else INK) + 8

    def bot_view(self) -> dict[str, Any]:
        return {"lines": self.lines()}


__all__ = ["ShiftEndScene"]
