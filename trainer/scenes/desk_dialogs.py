"""The desk's dialogs and its pause menu.

A dialog opens over the case and team panels: searching the database under a spelling,
contacting an agency, allocating the waiting case to a worker with room, writing the
handover to the night team, and the question before ending the shift early. Each has a
heading naming the child, a note on what it costs in time (and whether the clock runs
meanwhile), a list of choices with number keys, Cancel [Esc] at the left and its main
action [Enter] at the right. The pause menu sits over the whole desk, under a veil.

The scene says which dialog is open (its `mode`); the dialogs keep what is being written
in them (the spelling field, the facts ticked for a handover) and reach the desk through
the actions the scene hands them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pygame

from sim.vocabulary import AGENCIES
from trainer.desk import DutyDesk
from trainer.desk_records import DeskRefusal
from trainer.exercise import ShiftPlan
from trainer.scenes.common import panel, text_block
from trainer.scenes.desk_frame import CaseNames, DeskLayout, OpenCase, fit
from trainer.theme import INK, MUTED
from trainer.ui import NUMBER_KEYS, App
from trainer.wording import AGENCY_LABELS, ROLE_LABELS, concern_words, fact_words

DIALOGS = ("database", "agency", "allocate", "handover", "confirm_end")
DIALOG_TITLES = {
    "database": "Search the database",
    "agency": "Contact an agency",
    "allocate": "Allocate to a worker with room",
    "handover": "Handover to the night team",
    "confirm_end": "End the shift now?",
}
DIALOG_NOTES = {
    "database": "Type a spelling or pick one; the search takes a quarter of an hour.",
    "agency": "A call takes ten minutes; the answer comes later, or not at all.",
    "allocate": "Pick a worker; child protection work suits experienced staff.",
    "handover": "Only the facts you pass on reach the night team. The referral always goes.",
    "confirm_end": "Undecided cases go to the night team with the handovers you wrote (or none).",
}


@dataclass(frozen=True, slots=True)
class DialogActions:
    """What the dialogs ask of the scene: to try a desk action (a refusal becomes the
    scene's message; True when it was taken), to close the dialog, to end the shift."""

    attempt: Callable[[Callable[[], object]], bool]
    close: Callable[[], None]
    end_shift: Callable[[], None]


class DeskDialogs:
    """The five dialogs: built, drawn and acted on for the `mode` the scene is in."""

    def __init__(
        self,
        *,
        app: App,
        desk: DutyDesk,
        plan: ShiftPlan,
        names: CaseNames,
        layout: DeskLayout,
        choices: OpenCase,
        actions: DialogActions,
    ) -> None:
        self.app = app
        self.desk = desk
        self.plan = plan
        self.names = names
        self.layout = layout
        self.choices = choices
        self.actions = actions
        self.spelling_entry: Any = None  # the database dialog's field (pygame_gui)
        self.keep: set[str] = set()  # the facts ticked to pass on in a handover

    # -- size and place -------------------------------------------------------------------

    def note(self, mode: str) -> str:
        """The dialog's note: what it costs, and whether the clock runs meanwhile."""
        note = DIALOG_NOTES.get(mode, "")
        if mode in DIALOGS:
            note += (
                " The clock keeps running (this exercise's setting)."
                if self.plan.shift.clock_runs_in_dialogs
                else " The clock is stopped while this is open."
            )
        return note

    def rect(self, mode: str, rows: int, bh: int) -> pygame.Rect:
        """The dialog over the case and team panels, tall enough for its rows."""
        t = self.app.type
        w, h = self.app.size
        cr = self.layout.centre_rect
        width = max(cr.width - 20, min(640, w - cr.x - 20))
        note_lines = len(t.wrap(self.note(mode), "small", width - 32)) + 1
        height = (
            t.line_height("heading")
            + note_lines * t.line_height("small")
            + 36
            + (rows + 1) * (bh + 6)
            + 24
        )
        top = self.layout.status_rect.bottom + 6
        return pygame.Rect(cr.x + 10, top, width, min(h - top - 10, height))

    def _top(self, mode: str, rect: pygame.Rect) -> int:
        """The y under the dialog's heading and its note."""
        t = self.app.type
        note_lines = len(t.wrap(self.note(mode), "small", rect.width - 32)) + 1
        return rect.y + 8 + t.line_height("heading") + 4 + note_lines * t.line_height("small") + 8

    def rows(self, mode: str) -> int:
        """How many rows of choices the dialog lists."""
        if mode == "database":
            return 1 + len(self._suggestions())
        if mode == "agency":
            return len(AGENCIES)
        if mode == "allocate":
            pending = self.desk.awaiting_allocation()
            return min(9, len(pending.workers)) if pending else 1
        if mode == "handover":
            return min(9, len(self.desk.handover_facts(self._open_case())))
        return 1

    def _list_rects(self, rect: pygame.Rect, top: int, count: int, width: int) -> list[pygame.Rect]:
        """Where a dialog's list of buttons goes: one column while it fits above the
        bottom row, else two (or three) columns side by side."""
        bh = self.layout.button_h
        room = rect.bottom - 12 - bh - 12 - top
        per_column = max(1, room // (bh + 6))
        columns = min(3, -(-count // per_column))
        if columns > 1:
            width = (rect.width - 32 - 8 * (columns - 1)) // columns
        out = []
        for i in range(count):
            col, row = divmod(i, per_column)
            out.append(
                pygame.Rect(rect.x + 16 + col * (width + 8), top + row * (bh + 6), width, bh)
            )
        return out

    def _open_case(self) -> int:
        selected = self.choices.selected
        if selected is None:
            raise DeskRefusal("open a case from the tray first")
        return selected

    def _suggestions(self) -> list[str]:
        return self.desk.spelling_suggestions(self._open_case())

    # -- building -----------------------------------------------------------------------------

    def build(self, mode: str, bh: int) -> None:
        builders: dict[str, Callable[[int], None]] = {
            "database": self._build_database,
            "agency": self._build_agency,
            "allocate": self._build_allocate,
            "handover": self._build_handover,
            "confirm_end": self._build_confirm_end,
        }
        builders[mode](bh)

    def _build_database(self, bh: int) -> None:
        case = self.desk.case(self._open_case())
        rect = self.rect("database", self.rows("database"), bh)
        y = self._top("database", rect)
        type_w = self.app.button_width("Type a spelling", pygame.K_s)
        self.spelling_entry = self.app.entry(
            pygame.Rect(rect.x + 16, y, rect.width - 48 - type_w, bh + 4),
            case.spelling,
            name="spelling",
        )
        self.app.button(
            "type",
            "Type a spelling",
            (rect.right - 16 - type_w, y, type_w, bh),
            self.type_spelling,
            key=pygame.K_s,
        )
        y += bh + 16
        names = self._suggestions()
        width = max([200] + [self.app.button_width(f"Use {n}", NUMBER_KEYS[0]) for n in names])
        for i, (name, at) in enumerate(
            zip(names, self._list_rects(rect, y, len(names), width), strict=False)
        ):
            self.app.button(
                f"spelling:{name}",
                f"Use {name}",
                at,
                partial(self.spelling_entry.set_text, name),
                key=NUMBER_KEYS[i],
            )
        self._buttons(rect, bh, ("search", "Search", self.search))

    def _build_agency(self, bh: int) -> None:
        rect = self.rect("agency", self.rows("agency"), bh)
        y = self._top("agency", rect)
        asked = {f.label for f in self.desk.findings_for(self._open_case())}
        width = max(self.app.button_width(AGENCY_LABELS[a], NUMBER_KEYS[0]) for a in AGENCIES)
        places = self._list_rects(rect, y, len(AGENCIES), max(260, width))
        for i, (agency, at) in enumerate(zip(AGENCIES, places, strict=True)):
            self.app.button(
                f"agency:{agency}",
                AGENCY_LABELS[agency],
                at,
                partial(self._contact, agency),
                key=NUMBER_KEYS[i],
                enabled=f"agency:{agency}" not in asked,
            )
        self._buttons(rect, bh, None)

    def _build_allocate(self, bh: int) -> None:
        pending = self.desk.awaiting_allocation()
        if pending is None:
            self.actions.close()
            return
        rect = self.rect("allocate", self.rows("allocate"), bh)
        y = self._top("allocate", rect)
        workers = pending.workers[:9]
        places = self._list_rects(rect, y, len(workers), rect.width - 32)
        for i, (worker, at) in enumerate(zip(workers, places, strict=True)):
            role = ROLE_LABELS.get(worker.role, worker.role)
            label = f"{role} {worker.worker_id}: {worker.caseload} of {worker.caseload_cap} cases"
            self.app.button(
                f"worker:{worker.worker_id}",
                fit(self.app.type, label, at.width - self.app.button_width("", NUMBER_KEYS[i])),
                at,
                partial(self._allocate, pending.case_id, worker.worker_id),
                key=NUMBER_KEYS[i],
            )
        self._buttons(rect, bh, None, cancel="Not now")

    def _build_handover(self, bh: int) -> None:
        facts = self.desk.handover_facts(self._open_case())
        rect = self.rect("handover", self.rows("handover"), bh)
        y = self._top("handover", rect)
        evidence = self.desk.case(self._open_case()).evidence
        places = self._list_rects(rect, y, len(facts[:9]), rect.width - 32)
        for i, (fact, at) in enumerate(zip(facts[:9], places, strict=True)):
            kept = fact in self.keep
            words = concern_words(evidence[fact], self.desk.thresholds)[0]
            label = f"{'Pass on' if kept else 'Leave out'}: {fact_words(fact)} ({words})"
            self.app.button(
                f"fact:{fact}",
                fit(self.app.type, label, at.width - self.app.button_width("", NUMBER_KEYS[i])),
                at,
                partial(self._toggle_fact, fact),
                key=NUMBER_KEYS[i],
                style="chosen" if kept else None,
            )
        self._buttons(rect, bh, ("send", "Send handover", self._send_handover))

    def _build_confirm_end(self, bh: int) -> None:
        rect = self.rect("confirm_end", 1, bh)
        self.app.button_row(
            [("cancel", "No", self.actions.close, pygame.K_n, None, True)],
            [
                (
                    "confirm",
                    "Yes, end the shift",
                    self.actions.end_shift,
                    pygame.K_y,
                    "primary",
                    True,
                )
            ],
            bottom=rect.bottom - 12,
            height=bh,
            x0=rect.x + 16,
            x1=rect.right - 16,
        )

    def _buttons(
        self,
        rect: pygame.Rect,
        bh: int,
        confirm: tuple[str, str, Callable[[], None]] | None,
        cancel: str = "Cancel",
    ) -> None:
        """A dialog's bottom row: Cancel [Esc] on the left, its main action [Enter] right."""
        right = []
        if confirm is not None:
            name, label, action = confirm
            right.append((name, label, action, pygame.K_RETURN, "primary", True))
        self.app.button_row(
            [("cancel", cancel, self.actions.close, pygame.K_ESCAPE, None, True)],
            right,
            bottom=rect.bottom - 12,
            height=bh,
            x0=rect.x + 16,
            x1=rect.right - 16,
        )

    def draw(self, surface: pygame.Surface, mode: str) -> None:
        t = self.app.type
        rect = self.rect(mode, self.rows(mode), self.layout.button_h)
        pygame.draw.rect(surface, INK, rect.inflate(6, 6), border_radius=8)
        title = DIALOG_TITLES[mode]
        selected = self.choices.selected
        if mode in ("database", "agency", "handover") and selected is not None:
            title += f": {self.names.child(selected)}"
        y = panel(surface, rect, t, fit(t, title, rect.width - 30, "heading"))
        text_block(
            surface,
            t,
            self.note(mode),
            pygame.Rect(rect.x + 16, y, rect.width - 32, 10**6),
            "small",
            MUTED,
        )

    # -- what the dialogs do ----------------------------------------------------------------

    def type_spelling(self) -> None:
        """Into the field, emptied: what is typed next replaces the spelling."""
        if self.spelling_entry is not None:
            self.app.focus = -1
            self.spelling_entry.set_text("")
            self.spelling_entry.focus()

    def search(self) -> None:
        """Search the database under the spelling in the field."""
        text = self.spelling_entry.get_text() if self.spelling_entry is not None else ""
        if self.actions.attempt(lambda: self.desk.search_database(self._open_case(), text)):
            self.actions.close()

    def _contact(self, agency: str) -> None:
        if self.actions.attempt(lambda: self.desk.contact_agency(self._open_case(), agency)):
            self.actions.close()

    def _allocate(self, case_id: int, worker_id: int) -> None:
        if self.actions.attempt(lambda: self.desk.allocate(case_id, worker_id)):
            self.actions.close()

    def _toggle_fact(self, fact: str) -> None:
        self.keep ^= {fact}

    def _send_handover(self) -> None:
        keep = sorted(self.keep)
        if self.actions.attempt(lambda: self.desk.write_handover(self._open_case(), keep)):
            self.actions.close()


@dataclass(frozen=True, slots=True)
class PauseActions:
    """What the pause menu's buttons do."""

    resume: Callable[[], None]
    toggle_large: Callable[[], None]
    toggle_sound: Callable[[], None]
    end_shift: Callable[[], None]
    leave: Callable[[], None]


class PauseMenu:
    """The menu over the paused desk: resume, text size, sound, end the shift, leave."""

    def __init__(self, *, app: App, layout: DeskLayout, actions: PauseActions) -> None:
        self.app = app
        self.layout = layout
        self.actions = actions

    def box(self) -> pygame.Rect:
        w, h = self.app.size
        bh = self.layout.button_h
        width = min(
            w - 40, max(400, self.app.button_width("Leave (resume later)", pygame.K_q) + 60)
        )
        height = self.app.type.line_height("heading") + 5 * (bh + 10) + 40
        return pygame.Rect((w - width) // 2, (h - height) // 2, width, height)

    def build(self, bh: int) -> None:
        box = self.box()
        x, y = box.x + 30, box.y + self.app.type.line_height("heading") + 24
        width = box.width - 60
        large = "on" if self.app.settings.large_text else "off"
        sound = "on" if self.app.settings.sound else "off"
        act = self.actions
        specs = [
            ("resume", "Resume", act.resume, pygame.K_ESCAPE, "primary"),
            ("large_text", f"Large text: {large}", act.toggle_large, pygame.K_l, None),
            ("sound", f"Sound: {sound}", act.toggle_sound, pygame.K_m, None),
            ("end_shift", "End shift", act.end_shift, pygame.K_x, None),
            ("leave", "Leave (resume later)", act.leave, pygame.K_q, None),
        ]
        for name, label, action, key, style in specs:
            self.app.button(name, label, (x, y, width, bh), action, key=key, style=style)
            y += bh + 10

    def draw(self, surface: pygame.Surface) -> None:
        """The veil over the desk and the menu's panel (its buttons are widgets)."""
        veil = pygame.Surface(self.app.size, pygame.SRCALPHA)
        veil.fill((0, 0, 0, 140))
        surface.blit(veil, (0, 0))
        panel(surface, self.box(), self.app.type, "Paused")


__all__ = ["DIALOGS", "DeskDialogs", "DialogActions", "PauseActions", "PauseMenu"]
