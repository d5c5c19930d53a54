"""Cues: what a person at the desk must notice without looking for it.

A new referral, the handover tray opening, and ten simulated minutes left in the shift
each show in the status strip for a few seconds and, with sound on, play a short tone; a
new referral's card also keeps a yellow frame a little longer (the tray draws it).
"""

from __future__ import annotations

from trainer.desk import DutyDesk
from trainer.scenes.desk_frame import CaseNames
from trainer.scenes.desk_tray import Tray
from trainer.ui import App
from trainer.wording import SOURCE_LABELS

CUE_SECONDS = 6.0  # real seconds a cue stays in the status strip
WARNING_DAYS = 10.0 / 1440.0  # ten simulated minutes before the end of the shift


class Cues:
    """The latest cue's words (empty when none shows) and what has been cued already."""

    def __init__(self, *, app: App, desk: DutyDesk, names: CaseNames, tray: Tray) -> None:
        self.app = app
        self.desk = desk
        self.names = names
        self.tray = tray
        self.text = ""
        self.left = 0.0  # real seconds the cue still shows
        self._seen: set[int] = set(desk.tray)
        self._handover_cued = desk.handover_open()
        self._warned = False

    def update(self, dt: float) -> None:
        """`dt` real seconds later: the cue fades, and anything new is cued."""
        desk = self.desk
        self.left = max(0.0, self.left - dt)
        if self.left == 0.0:
            self.text = ""
        self.tray.tick(dt)
        new = [c for c in desk.tray if c not in self._seen]
        if new:
            self._seen.update(new)
            case = desk.case(new[-1])
            source = SOURCE_LABELS.get(case.source, case.source)
            more = f" and {len(new) - 1} more" if len(new) > 1 else ""
            self._say(f"New referral ({source}): {self.names.child(new[-1])}{more}", "arrival")
            self.tray.mark_fresh(new)
        if desk.handover_open() and not self._handover_cued:
            self._handover_cued = True
            self._say("The handover tray is open: write what the night team must know", "handover")
        left = desk.shift.ends_at - desk.now
        if left <= WARNING_DAYS and not self._warned and not desk.ended:
            self._warned = True
            self._say("Ten minutes left in the shift", "warning")

    def _say(self, text: str, sound: str) -> None:
        self.text = text
        self.left = CUE_SECONDS
        self.app.play_sound(sound)


__all__ = ["CUE_SECONDS", "Cues", "WARNING_DAYS"]
