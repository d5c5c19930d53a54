"""The desk: the shift clock, the in-tray of referral cards, the open case, the team and the
out-of-hours handover tray.

The scene steps the desk's SimPy clock every frame by the frame's time at the chosen
speed (1x is one simulated minute a second; while the trainee is busy on a check the
clock runs eight times faster, as the wait is not theirs to use). What the case panel
shows is only what a worker at the desk could see: the referral, the answers to the
checks made, the team's caseloads. The hidden truth waits for the debrief.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from sim.entities import Level
from sim.vocabulary import AGENCIES
from trainer.desk import LEVEL_LABELS, PRIORITIES, PRIORITY_LABELS, DeskRefusal, Finding
from trainer.scenes.common import Scroller, mark, panel, text_block
from trainer.theme import (
    BLUE,
    CARD,
    CONCERN_BANDS,
    INK,
    LEVEL_MARKS,
    MUTED,
    RULE,
    SHADE,
    STATUS_MARKS,
    VERMILLION,
    YELLOW,
    Typeface,
    draw_icon,
)
from trainer.ui import NUMBER_KEYS, App, Scene
from trainer.wording import (
    AGENCY_LABELS,
    CONCERN_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    check_words,
    concern_words,
    fact_words,
    free_play_said,
    hours_minutes,
    join_words,
    leader_advice,
    need_words,
)

if TYPE_CHECKING:
    from trainer.game import Game

SIM_SECONDS_PER_SECOND = 60.0  # at 1x: a simulated minute each real second
BUSY_BOOST = 8.0
SPEEDS = {pygame.K_F1: 1, pygame.K_F2: 2, pygame.K_F3: 4}
LEVEL_KEYS = {
    Level.NO_FURTHER_ACTION: pygame.K_1,
    Level.CHILD_IN_NEED: pygame.K_2,
    Level.CHILD_PROTECTION: pygame.K_3,
}
LEVEL_SHORT = {
    Level.NO_FURTHER_ACTION: "NFA",
    Level.CHILD_IN_NEED: "Child in need",
    Level.CHILD_PROTECTION: "Child protection",
}
PRIORITY_KEYS = {
    "immediate": pygame.K_q,
    "within_24_hours": pygame.K_w,
    "within_7_days": pygame.K_e,
}
PRIORITY_SHORT = {
    "immediate": "Immediate",
    "within_24_hours": "24 hours",
    "within_7_days": "7 days",
}
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
CUE_SECONDS = 6.0  # real seconds a cue stays in the status strip
FRESH_SECONDS = 10.0  # real seconds a new card keeps its yellow frame
WARNING_DAYS = 10.0 / 1440.0  # ten simulated minutes before the end of the shift


def _fit(t: Typeface, text: str, width: int, style: str = "body") -> str:
    """Cut a line with an ellipsis so that it fits `width` pixels."""
    if t.width(text, style, bold=True) <= width:
        return text
    while len(text) > 4 and t.width(text + "…", style, bold=True) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


INFO_ACTION_NAMES = {
    "database": "Database",
    "file": "Paper file",
    "agency": "Agency",
    "visit": "Home visit",
    "team_leader": "Team leader",
}


class DeskScene(Scene):
    name = "desk"

    def __init__(self, app: App, game: Game) -> None:
        super().__init__(app)
        self.game = game
        session = game.session
        assert session is not None
        self.session = session
        self.desk = session.desk
        self.plan = session.plan
        self.selected: int | None = None
        self.mode = "normal"  # database, agency, allocate, handover, confirm_end, paused
        self.paused = False
        self.speed = 1  # a new shift starts at 1x, whatever the last one ran at
        self.level_choice: Level | None = None
        self.priority_choice: str | None = None
        self.keep: set[str] = set()
        self.message = ""
        self.spelling_entry: Any = None
        self.tray_scroll = 0
        self._card_cache: dict[tuple[Any, ...], pygame.Surface] = {}
        self.case_scroll = Scroller()
        self.team_scroll = Scroller()
        # Cues: what arrived or changed that a person at the desk must notice.
        self.cue = ""
        self.cue_left = 0.0
        self.fresh: dict[int, float] = {}
        self._seen: set[int] = set(self.desk.tray)
        self._handover_cued = self.desk.handover_open()
        self._warned = False
        self._layout()
        # A resumed shift opens where the trainee last acted.
        acted = [a.case_id for a in self.desk.actions if a.case_id is not None]
        if acted and acted[-1] in self.desk.tray:
            self._select(acted[-1])

    # -- layout -------------------------------------------------------------------------

    def _layout(self) -> None:
        """Panels sized to the window and text: the top bar (clock and its buttons), a
        status strip (cues, what the trainee is busy with, End shift), then the in-tray,
        the case and the team side by side."""
        t = self.app.type
        w, h = self.app.size
        self.bh = t.line_height("body") + 14
        self.top_h = max(t.line_height("clock") + t.line_height("small") + 14, self.bh + 20)
        strip_h = self.bh + 8
        self.status_rect = pygame.Rect(10, self.top_h + 4, w - 20, strip_h)
        body = self.status_rect.bottom + 6
        side = max(230, min(340, int(w * 0.23)))
        right = max(230, min(360, int(w * 0.24)))
        self.tray_rect = pygame.Rect(10, body, side, h - body - 10)
        self.right_rect = pygame.Rect(w - right - 10, body, right, h - body - 10)
        self.centre_rect = pygame.Rect(side + 20, body, w - side - right - 40, h - body - 10)
        self.card_h = t.line_height("small") * 2 + t.line_height("body") + 12

    def signature(self) -> tuple[Any, ...]:
        desk = self.desk
        sel = self.selected
        findings = desk.findings_for(sel) if sel is not None else []
        pending = desk.awaiting_allocation()
        return (
            self.app.size,
            self.app.settings.large_text,
            self.app.settings.sound,
            self.mode,
            self.paused,
            self.speed,
            sel,
            desk.busy(),
            len(desk.tray),
            len(desk.decider.decisions),
            tuple((f.label, f.done) for f in findings),
            desk.record_found(sel) if sel is not None else False,
            pending.case_id if pending else None,
            desk.handover_open(),
            self.level_choice,
            self.priority_choice,
            tuple(sorted(self.keep)),
            sel in desk.handovers if sel is not None else False,
            self.tray_scroll,
        )

    def build(self) -> None:
        self._layout()
        app = self.app
        bh = self.bh
        if self.mode == "paused":
            self._build_pause(bh)
            return
        dialog = self.mode in DIALOGS
        if dialog:
            # The clock is stopped in a dialog: its buttons show only when an exercise
            # keeps it running.
            if self.plan.shift.clock_runs_in_dialogs:
                self._build_clock_row(bh)
            getattr(self, f"_build_{self.mode}")(bh)
            return
        x = self._build_clock_row(bh)
        app.button(
            "menu",
            "Menu",
            (x, 10, app.button_width("Menu", pygame.K_ESCAPE), bh),
            self._open_pause_menu,
            key=pygame.K_ESCAPE,
        )
        sr = self.status_rect
        width = app.button_width("End shift", pygame.K_x)
        app.button(
            "end_shift",
            "End shift",
            (sr.right - width, sr.y + 4, width, bh),
            lambda: self._set_mode("confirm_end"),
            key=pygame.K_x,
        )
        self._build_tray_navigation(bh)
        self._build_team_actions(bh)
        if self.selected is None:
            return
        self._build_case_actions(bh)

    def _build_clock_row(self, bh: int) -> int:
        """Speeds and pause beside the clock; returns the x after them."""
        app, t = self.app, self.app.type
        x0 = 24 + max(
            t.width("Mon 00:00", "clock", bold=True), t.width("until 00:00  PAUSED", "small")
        )
        self.clock_x = x0
        app.clock_controls(
            speeds=SPEEDS,
            current=self.speed,
            on_speed=self._set_speed,
            paused=self.paused,
            on_pause=self._toggle_pause,
            height=bh,
            speed_width=app.button_width("4x", pygame.K_F3),
            pause_width=app.button_width("Resume", pygame.K_p),
            x=x0,
        )
        pause = next(c for c in app.controls if c.name == "pause")
        return pause.rect.right + 10

    def _build_team_actions(self, bh: int) -> None:
        app = self.app
        rr = self.right_rect
        pending = self.desk.awaiting_allocation()
        y = rr.bottom - 8
        if self.desk.handover_open() and self.selected is not None:
            can = self.selected in self.desk.undecided()
            y -= bh
            app.button(
                "handover",
                "Write handover",
                (rr.x + 10, y, rr.width - 20, bh),
                self._open_handover,
                key=pygame.K_h,
                enabled=can and not self.desk.busy(),
            )
            y -= 6
        if pending is not None:
            y -= bh
            label = f"Allocate {self._child(pending.case_id)}"
            room = rr.width - 20 - app.button_width("", pygame.K_a)
            while len(label) > 10 and self.app.type.width(label, "body", True) > room:
                label = label[:-2].rstrip() + "…"
            app.button(
                "allocate",
                label,
                (rr.x + 10, y, rr.width - 20, bh),
                self._open_allocation,
                key=pygame.K_a,
                style="primary",
                enabled=not self.desk.busy(),
            )
            y -= 6
        self.team_bottom = y

    def _rows(
        self, groups: list[list[tuple[str, str, int | None, Any, bool, str | None]]], bh: int
    ) -> list[list[tuple[tuple[str, str, int | None, Any, bool, str | None], int]]]:
        """Buttons in rows that fit the case panel; each group starts a new row."""
        cr = self.centre_rect
        room = cr.width - 24
        rows: list[list[tuple[tuple[str, str, int | None, Any, bool, str | None], int]]] = []
        for group in groups:
            rows.append([])
            used = 0
            for spec in group:
                width = min(room, self.app.button_width(spec[1], spec[2]))
                if rows[-1] and used + width > room:
                    rows.append([])
                    used = 0
                rows[-1].append((spec, width))
                used += width + 6
        return rows

    def _case_groups(self) -> list[list[tuple[str, str, int | None, Any, bool, str | None]]]:
        desk, case_id = self.desk, self.selected
        assert case_id is not None
        free = not desk.busy() and not desk.ended
        labels = {f.label for f in desk.findings_for(case_id)}
        info: list[tuple[str, str, int | None, Any, bool, str | None]] = [
            (
                "database",
                "Search database",
                pygame.K_d,
                lambda: self._set_mode("database"),
                free,
                None,
            ),
            (
                "file",
                "Request file",
                pygame.K_f,
                self._request_file,
                free and desk.record_found(case_id) and "paper file" not in labels,
                None,
            ),
            ("agency", "Contact agency", pygame.K_g, lambda: self._set_mode("agency"), free, None),
            (
                "visit",
                "Home visit",
                pygame.K_v,
                self._visit,
                free and "home visit" not in labels,
                None,
            ),
            ("team_leader", "Ask team leader", pygame.K_t, self._team_leader, free, None),
        ]
        if case_id not in desk.undecided():
            return [info]
        levels: list[tuple[str, str, int | None, Any, bool, str | None]] = [
            (
                f"level{int(level)}",
                LEVEL_SHORT[level],
                key,
                lambda lv=level: self._choose(lv),
                free,
                "chosen" if self.level_choice == level else None,
            )
            for level, key in LEVEL_KEYS.items()
        ]
        needs_priority = self.level_choice not in (None, Level.NO_FURTHER_ACTION)
        prios: list[tuple[str, str, int | None, Any, bool, str | None]] = [
            (
                f"priority:{p}",
                PRIORITY_SHORT[p],
                key,
                lambda p=p: self._prioritise(p),
                free and needs_priority,
                "chosen" if self.priority_choice == p else None,
            )
            for p, key in PRIORITY_KEYS.items()
        ]
        ready = self.level_choice is not None and (not needs_priority or self.priority_choice)
        prios.append(
            (
                "record",
                "Record decision",
                pygame.K_r,
                self._record_decision,
                free and bool(ready),
                "primary",
            )
        )
        return [info, levels, prios]

    def _buttons_top(self) -> int:
        """Where the case panel's buttons start (they sit at its foot, the text above)."""
        if self.selected is None:
            return self.centre_rect.bottom
        rows = self._rows(self._case_groups(), self.bh)
        return self.centre_rect.bottom - 8 - len(rows) * (self.bh + 6)

    def _build_case_actions(self, bh: int) -> None:
        cr = self.centre_rect
        y = self._buttons_top()
        for row in self._rows(self._case_groups(), bh):
            x = cr.x + 12
            for (name, label, key, action, enabled, style), width in row:
                self.app.button(
                    name, label, (x, y, width, bh), action, key=key, enabled=enabled, style=style
                )
                x += width + 6
            y += bh + 6

    # -- dialogs ------------------------------------------------------------------------------

    def _dialog_rect(self, rows: int, bh: int) -> pygame.Rect:
        """The dialog over the case and team panels, tall enough for its rows."""
        t = self.app.type
        w, h = self.app.size
        cr = self.centre_rect
        width = max(cr.width - 20, min(640, w - cr.x - 20))
        note_lines = len(t.wrap(self._dialog_note(), "small", width - 32)) + 1
        height = (
            t.line_height("heading")
            + note_lines * t.line_height("small")
            + 36
            + (rows + 1) * (bh + 6)
            + 24
        )
        top = self.status_rect.bottom + 6
        return pygame.Rect(cr.x + 10, top, width, min(h - top - 10, height))

    def _dialog_top(self, rect: pygame.Rect) -> int:
        """The y under the dialog's heading and its note."""
        t = self.app.type
        note_lines = len(t.wrap(self._dialog_note(), "small", rect.width - 32)) + 1
        return rect.y + 8 + t.line_height("heading") + 4 + note_lines * t.line_height("small") + 8

    def _dialog_rows(self) -> int:
        if self.mode == "database":
            return 1 + len(self._suggestions())
        if self.mode == "agency":
            return len(AGENCIES)
        if self.mode == "allocate":
            pending = self.desk.awaiting_allocation()
            return min(9, len(pending.workers)) if pending else 1
        if self.mode == "handover":
            return min(9, len(self.desk.handover_facts(self._open_case())))
        return 1

    def _dialog_note(self) -> str:
        note = DIALOG_NOTES.get(self.mode, "")
        if self.mode in DIALOGS:
            note += (
                " The clock keeps running (this exercise's setting)."
                if self.plan.shift.clock_runs_in_dialogs
                else " The clock is stopped while this is open."
            )
        return note

    def _suggestions(self) -> list[str]:
        return self.desk.spelling_suggestions(self._open_case())

    def _list_rects(self, rect: pygame.Rect, top: int, count: int, width: int) -> list[pygame.Rect]:
        """Where a dialog's list of buttons goes: one column while it fits above the
        bottom row, else two (or three) columns side by side."""
        bh = self.bh
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

    def _build_database(self, bh: int) -> None:
        case = self.desk.case(self._open_case())
        rect = self._dialog_rect(self._dialog_rows(), bh)
        y = self._dialog_top(rect)
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
            self._type_spelling,
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
        self._dialog_buttons(rect, bh, ("search", "Search", self._search))

    def _build_agency(self, bh: int) -> None:
        rect = self._dialog_rect(self._dialog_rows(), bh)
        y = self._dialog_top(rect)
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
        self._dialog_buttons(rect, bh, None)

    def _build_allocate(self, bh: int) -> None:
        pending = self.desk.awaiting_allocation()
        if pending is None:
            self.mode = "normal"
            return
        rect = self._dialog_rect(self._dialog_rows(), bh)
        y = self._dialog_top(rect)
        workers = pending.workers[:9]
        places = self._list_rects(rect, y, len(workers), rect.width - 32)
        for i, (worker, at) in enumerate(zip(workers, places, strict=True)):
            role = ROLE_LABELS.get(worker.role, worker.role)
            label = f"{role} {worker.worker_id}: {worker.caseload} of {worker.caseload_cap} cases"
            self.app.button(
                f"worker:{worker.worker_id}",
                _fit(self.app.type, label, at.width - self.app.button_width("", NUMBER_KEYS[i])),
                at,
                partial(self._allocate, pending.case_id, worker.worker_id),
                key=NUMBER_KEYS[i],
            )
        self._dialog_buttons(rect, bh, None, cancel="Not now")

    def _build_handover(self, bh: int) -> None:
        facts = self.desk.handover_facts(self._open_case())
        rect = self._dialog_rect(self._dialog_rows(), bh)
        y = self._dialog_top(rect)
        evidence = self.desk.case(self._open_case()).evidence
        places = self._list_rects(rect, y, len(facts[:9]), rect.width - 32)
        for i, (fact, at) in enumerate(zip(facts[:9], places, strict=True)):
            kept = fact in self.keep
            words = concern_words(evidence[fact], self.desk.thresholds)[0]
            label = f"{'Pass on' if kept else 'Leave out'}: {fact_words(fact)} ({words})"
            self.app.button(
                f"fact:{fact}",
                _fit(self.app.type, label, at.width - self.app.button_width("", NUMBER_KEYS[i])),
                at,
                partial(self._toggle_fact, fact),
                key=NUMBER_KEYS[i],
                style="chosen" if kept else None,
            )
        self._dialog_buttons(rect, bh, ("send", "Send handover", self._send_handover))

    def _dialog_buttons(
        self,
        rect: pygame.Rect,
        bh: int,
        confirm: tuple[str, str, Any] | None,
        cancel: str = "Cancel",
    ) -> None:
        """A dialog's bottom row: Cancel [Esc] on the left, its main action [Enter] right."""
        right = []
        if confirm is not None:
            name, label, action = confirm
            right.append((name, label, action, pygame.K_RETURN, "primary", True))
        self.app.button_row(
            [("cancel", cancel, lambda: self._set_mode("normal"), pygame.K_ESCAPE, None, True)],
            right,
            bottom=rect.bottom - 12,
            height=bh,
            x0=rect.x + 16,
            x1=rect.right - 16,
        )

    def _build_confirm_end(self, bh: int) -> None:
        rect = self._dialog_rect(1, bh)
        self.app.button_row(
            [("cancel", "No", lambda: self._set_mode("normal"), pygame.K_n, None, True)],
            [("confirm", "Yes, end the shift", self._end_shift, pygame.K_y, "primary", True)],
            bottom=rect.bottom - 12,
            height=bh,
            x0=rect.x + 16,
            x1=rect.right - 16,
        )

    def _pause_box(self) -> pygame.Rect:
        w, h = self.app.size
        bh = self.bh
        width = min(
            w - 40, max(400, self.app.button_width("Leave (resume later)", pygame.K_q) + 60)
        )
        height = self.app.type.line_height("heading") + 5 * (bh + 10) + 40
        return pygame.Rect((w - width) // 2, (h - height) // 2, width, height)

    def _build_pause(self, bh: int) -> None:
        box = self._pause_box()
        x, y = box.x + 30, box.y + self.app.type.line_height("heading") + 24
        width = box.width - 60
        large = "on" if self.app.settings.large_text else "off"
        sound = "on" if self.app.settings.sound else "off"
        specs = [
            ("resume", "Resume", self._close_pause_menu, pygame.K_ESCAPE, "primary"),
            ("large_text", f"Large text: {large}", self._toggle_large, pygame.K_l, None),
            ("sound", f"Sound: {sound}", self._toggle_sound, pygame.K_m, None),
            ("end_shift", "End shift", lambda: self._set_mode("confirm_end"), pygame.K_x, None),
            ("leave", "Leave (resume later)", self.game.to_title, pygame.K_q, None),
        ]
        for name, label, action, key, style in specs:
            self.app.button(name, label, (x, y, width, bh), action, key=key, style=style)
            y += bh + 10

    # -- actions ------------------------------------------------------------------------

    def _open_case(self) -> int:
        """The case the worker has open; the actions and dialogs that need one call this."""
        if self.selected is None:
            raise DeskRefusal("open a case from the tray first")
        return self.selected

    def _try(self, action: Any) -> bool:
        try:
            action()
        except DeskRefusal as refusal:
            self.message = str(refusal)
            return False
        self.message = ""
        return True

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "normal":
            self.spelling_entry = None

    def _set_speed(self, speed: int) -> None:
        # Remembered only as the speed of the frame a resumed shift finishes; every shift
        # and every resumed shift starts at 1x.
        self.speed = speed
        self.app.apply_settings(self.app.settings.changed(speed=speed))

    def _toggle_pause(self) -> None:
        self.paused = not self.paused

    def _open_pause_menu(self) -> None:
        self.mode = "paused"

    def _close_pause_menu(self) -> None:
        self.mode = "normal"

    def _toggle_large(self) -> None:
        self.app.apply_settings(
            self.app.settings.changed(large_text=not self.app.settings.large_text)
        )
        self._card_cache.clear()

    def _toggle_sound(self) -> None:
        self.app.apply_settings(self.app.settings.changed(sound=not self.app.settings.sound))

    def _build_tray_navigation(self, bh: int) -> None:
        """Previous and Next under the tray (the replay's desk has them too)."""
        tr = self.tray_rect
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
        self.app.button("previous", "Previous", prev, lambda: self._move(-1), key=pygame.K_UP)
        self.app.button("next", "Next", nxt, lambda: self._move(1), key=pygame.K_DOWN)

    def _move(self, step: int) -> None:
        tray = self.desk.tray
        if not tray:
            return
        at = tray.index(self.selected) if self.selected in tray else -1
        self._select(tray[max(0, min(len(tray) - 1, at + step))])

    def _select(self, case_id: int) -> None:
        if case_id != self.selected:
            self.selected = case_id
            decision = self.desk.decision(case_id)
            self.level_choice = decision.level if decision else None
            self.priority_choice = decision.priority if decision else None
            self.keep = set(self.desk.handovers.get(case_id, ()))
            self.case_scroll.offset = 0
            self._scroll_into_view()

    def _scroll_into_view(self) -> None:
        if self.selected not in self.desk.tray:
            return
        index = self.desk.tray.index(self.selected)
        visible = self._visible_cards()
        if index < self.tray_scroll:
            self.tray_scroll = index
        elif index >= self.tray_scroll + visible:
            self.tray_scroll = index - visible + 1

    def _visible_cards(self) -> int:
        t = self.app.type
        bh = t.line_height("body") + 14
        nav = (
            2 * bh + 6
            if self.app.button_width("Previous", pygame.K_UP) > (self.tray_rect.width - 6) // 2
            else bh
        )
        room = self.tray_rect.height - t.line_height("heading") - 20 - nav - 8
        return max(1, room // (self.card_h + 6))

    def _type_spelling(self) -> None:
        """Into the field, emptied: what is typed next replaces the spelling."""
        if self.spelling_entry is not None:
            self.app.focus = -1
            self.spelling_entry.set_text("")
            self.spelling_entry.focus()

    def _search(self) -> None:
        text = self.spelling_entry.get_text() if self.spelling_entry is not None else ""
        if self._try(lambda: self.desk.search_database(self._open_case(), text)):
            self._set_mode("normal")

    def _request_file(self) -> None:
        self._try(lambda: self.desk.request_file(self._open_case()))

    def _contact(self, agency: str) -> None:
        if self._try(lambda: self.desk.contact_agency(self._open_case(), agency)):
            self._set_mode("normal")

    def _visit(self) -> None:
        self._try(lambda: self.desk.visit(self._open_case()))

    def _team_leader(self) -> None:
        self._try(lambda: self.desk.consult_team_leader(self._open_case()))

    def _choose(self, level: Level) -> None:
        self.level_choice = level
        if level == Level.NO_FURTHER_ACTION:
            self.priority_choice = None

    def _prioritise(self, priority: str) -> None:
        self.priority_choice = priority

    def _record_decision(self) -> None:
        level, priority = self.level_choice, self.priority_choice
        if level is None:
            self.message = "choose a threshold first"
            return
        self._try(lambda: self.desk.decide(self._open_case(), level, priority))

    def _open_allocation(self) -> None:
        pending = self.desk.awaiting_allocation()
        if pending is not None:
            self._select(pending.case_id)
            self._set_mode("allocate")

    def _allocate(self, case_id: int, worker_id: int) -> None:
        if self._try(lambda: self.desk.allocate(case_id, worker_id)):
            self._set_mode("normal")

    def _open_handover(self) -> None:
        self.keep = set(self.desk.handovers.get(self._open_case(), ()))
        self._set_mode("handover")

    def _toggle_fact(self, fact: str) -> None:
        self.keep ^= {fact}

    def _send_handover(self) -> None:
        keep = sorted(self.keep)
        if self._try(lambda: self.desk.write_handover(self._open_case(), keep)):
            self._set_mode("normal")

    def _end_shift(self) -> None:
        self.desk.end_shift()
        self.game.to_shift_end()

    # -- input and time ---------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.mode == "normal":
            for case_id, rect in self._card_rects():
                if rect.collidepoint(event.pos):
                    self._select(case_id)
                    return True
        if event.type == pygame.MOUSEWHEEL and self.tray_rect.collidepoint(pygame.mouse.get_pos()):
            limit = max(0, len(self.desk.tray) - self._visible_cards())
            self.tray_scroll = max(0, min(limit, self.tray_scroll - event.y))
            return True
        step = self.app.type.line_height("small") * 3
        if self.mode == "normal" and (
            self.case_scroll.handle(event, step) or self.team_scroll.handle(event, step)
        ):
            return True
        if (
            event.type == pygame.KEYDOWN
            and event.key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN)
            and self.mode == "normal"
        ):
            page = max(step, self.case_scroll.rect.height - step)
            self.case_scroll.scroll(page if event.key == pygame.K_PAGEDOWN else -page)
            return True
        if (
            event.type == pygame.KEYDOWN
            and event.key == pygame.K_RETURN
            and self.mode == "database"
            and self.app.typing()
        ):
            self._search()
            return True
        return False

    def clock_running(self) -> bool:
        """The shift clock runs unless paused, in the menu, or (by default) in a dialog."""
        if self.paused or self.mode == "paused":
            return False
        return self.mode not in DIALOGS or self.plan.shift.clock_runs_in_dialogs

    def animating(self) -> bool:
        return self.clock_running() or bool(self.cue)

    def update(self, dt: float) -> None:
        desk = self.desk
        if self.clock_running():
            rate = self.speed * SIM_SECONDS_PER_SECOND / 86_400.0
            if desk.busy():
                # Skip the wait quickly, but stop when the trainee is free again.
                desk.skip_while_busy(desk.now + dt * rate * BUSY_BOOST)
            else:
                desk.advance(desk.now + dt * rate)
        self._cues(dt)
        if desk.finish_shift_if_due():
            self.game.to_shift_end()
            return
        if self.selected is None or self.selected not in desk.tray:
            waiting = desk.undecided()
            if waiting:
                self._select(waiting[0])
            elif desk.tray:
                self._select(desk.tray[0])

    def _cues(self, dt: float) -> None:
        """What a person at the desk should notice: a new referral, the handover tray
        opening, ten minutes left. Each shows in the status strip for a few seconds (the
        new card keeps a mark longer) and, with sound on, plays a short tone."""
        desk = self.desk
        self.cue_left = max(0.0, self.cue_left - dt)
        if self.cue_left == 0.0:
            self.cue = ""
        for case_id in list(self.fresh):
            self.fresh[case_id] -= dt
            if self.fresh[case_id] <= 0:
                del self.fresh[case_id]
        new = [c for c in desk.tray if c not in self._seen]
        if new:
            self._seen.update(new)
            case = desk.case(new[-1])
            source = SOURCE_LABELS.get(case.source, case.source)
            more = f" and {len(new) - 1} more" if len(new) > 1 else ""
            self._say(f"New referral ({source}): {self._child(new[-1])}{more}", "arrival")
            for c in new:
                self.fresh[c] = FRESH_SECONDS
        if desk.handover_open() and not self._handover_cued:
            self._handover_cued = True
            self._say("The handover tray is open: write what the night team must know", "handover")
        left = desk.shift.ends_at - desk.now
        if left <= WARNING_DAYS and not self._warned and not desk.ended:
            self._warned = True
            self._say("Ten minutes left in the shift", "warning")

    def _say(self, text: str, sound: str) -> None:
        self.cue = text
        self.cue_left = CUE_SECONDS
        self.app.play_sound(sound)

    def ready_for_screenshot(self) -> bool:
        return self.desk.now >= self.plan.shift.starts_at + 2.0 / 24.0

    def after_draw(self) -> None:
        """Screenshots: each dialog the first time it is open, and once the desk itself is
        saved, the menu and the end-of-shift question (which a bot never opens)."""
        app = self.app
        if self.mode in DIALOGS and f"desk_{self.mode}" not in app.saved_scenes:
            app.save_screenshot(f"desk_{self.mode}")
        if self.mode == "normal" and "desk" in app.saved_scenes:
            for mode in ("paused", "confirm_end"):
                app.capture(f"desk_{mode}", partial(self._set_mode, mode), self._back)

    def _back(self) -> None:
        self.mode = "normal"

    # -- drawing -------------------------------------------------------------------------

    def _card_rects(self) -> list[tuple[int, pygame.Rect]]:
        t = self.app.type
        tr = self.tray_rect
        y = tr.y + t.line_height("heading") + 16
        out = []
        tray = self.desk.tray
        for case_id in tray[self.tray_scroll : self.tray_scroll + self._visible_cards()]:
            out.append((case_id, pygame.Rect(tr.x + 8, y, tr.width - 16, self.card_h)))
            y += self.card_h + 6
        return out

    def _card_status(self, case_id: int) -> str:
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

    def _card(self, case_id: int, width: int, selected: bool) -> pygame.Surface:
        status = self._card_status(case_id)
        key = (case_id, status, selected, width, self.app.type.scale)
        surf = self._card_cache.get(key)
        if surf is not None:
            return surf
        t = self.app.type
        case = self.desk.case(case_id)
        surf = pygame.Surface((width, self.card_h))
        surf.fill(SHADE if selected else CARD)
        pygame.draw.rect(surf, INK if selected else RULE, surf.get_rect(), 3 if selected else 1)
        if selected:
            pygame.draw.rect(surf, BLUE, (0, 0, 6, self.card_h))
        y = 5
        head = f"{hours_minutes(case.arrived_at)}  {SOURCE_LABELS.get(case.source, case.source)}"
        size = t.line_height("small") - 4
        draw_icon(surf, case.source, pygame.Rect(12, y + 2, size, size), MUTED)
        surf.blit(t.render(head, "small", MUTED), (16 + size, y))
        y += t.line_height("small")
        who = self._who(case_id)
        while len(who) > 4 and t.width(who, "body", bold=True) > width - 20:
            who = who.rstrip("…")[:-1] + "…"  # a long name is cut, not run off the card
        surf.blit(t.render(who, "body", INK, bold=True), (12, y))
        y += t.line_height("body")
        if status.startswith("level"):
            m = LEVEL_MARKS[int(status[5:])]
        else:
            m = STATUS_MARKS[status]
        mark(surf, m, (12, y), t, "small")
        self._card_cache[key] = surf
        return surf

    def _who(self, case_id: int) -> str:
        case = self.desk.case(case_id)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        child = ref.child if ref is not None else "a child"
        return f"{child} ({case.spelling})"

    def draw(self, surface: pygame.Surface) -> None:
        t = self.app.type
        desk = self.desk
        w, h = self.app.size
        # Top bar: the clock.
        pygame.draw.rect(surface, CARD, (0, 0, w, self.top_h))
        pygame.draw.line(surface, RULE, (0, self.top_h), (w, self.top_h))
        surface.blit(t.render(hours_minutes(desk.now), "clock", INK, bold=True), (14, 10))
        ends = hours_minutes(self.plan.shift.ends_at)[4:]
        stopped = not self.clock_running()
        state = "PAUSED" if stopped else f"{self.speed}x"
        surface.blit(
            t.render(f"until {ends}  {state}", "small", VERMILLION if stopped else MUTED, stopped),
            (16, 10 + t.line_height("clock")),
        )
        self._draw_status(surface)
        # In-tray.
        tr = self.tray_rect
        panel(surface, tr, t, f"In-tray ({len(desk.tray)})")
        for case_id, rect in self._card_rects():
            surface.blit(self._card(case_id, rect.width, case_id == self.selected), rect.topleft)
            if case_id in self.fresh:
                pygame.draw.rect(surface, YELLOW, rect.inflate(4, 4), 4, border_radius=4)
        self._draw_tray_bar(surface)
        # Case and team.
        self._draw_case(surface)
        self._draw_team(surface)
        if self.mode in DIALOGS:
            self._draw_dialog(surface)
        if self.mode == "paused":
            veil = pygame.Surface((w, h), pygame.SRCALPHA)
            veil.fill((0, 0, 0, 140))
            surface.blit(veil, (0, 0))
            panel(surface, self._pause_box(), t, "Paused")

    def _draw_status(self, surface: pygame.Surface) -> None:
        """The strip under the top bar: the latest cue, else what the trainee is busy with,
        else a refusal; End shift sits at its right end."""
        t = self.app.type
        desk = self.desk
        sr = self.status_rect
        room = sr.width - self.app.button_width("End shift", pygame.K_x) - 30
        y = sr.y + (sr.height - t.line_height("body")) // 2
        x = sr.x + 4
        if self.cue:
            pygame.draw.rect(surface, YELLOW, (sr.x, sr.y, room + 10, sr.height), border_radius=4)
            pygame.draw.rect(surface, INK, (sr.x, sr.y, room + 10, sr.height), 1, border_radius=4)
            x += mark(surface, STATUS_MARKS["new"], (x + 4, y), t, "body", word=" ") + 8
            text, colour = self.cue, INK
        elif desk.busy():
            until = None if desk.waiting_on_answer else desk.busy_until
            text = f"Busy: {desk.busy_with}" + (
                f" until {hours_minutes(until)[4:]}" if until else ""
            )
            colour = INK
        elif self.message:
            text, colour = self.message, VERMILLION
        else:
            return
        surface.blit(t.render(_fit(t, text, room - (x - sr.x)), "body", colour, True), (x, y))

    def _draw_tray_bar(self, surface: pygame.Surface) -> None:
        tray = self.desk.tray
        shown = self._visible_cards()
        if len(tray) <= shown:
            return
        tr = self.tray_rect
        top = tr.y + self.app.type.line_height("heading") + 16
        track = pygame.Rect(tr.right - 7, top, 5, shown * (self.card_h + 6) - 6)
        pygame.draw.rect(surface, SHADE, track, border_radius=2)
        knob_h = max(16, track.height * shown // len(tray))
        span = max(1, len(tray) - shown)
        knob_y = track.y + (track.height - knob_h) * self.tray_scroll // span
        pygame.draw.rect(surface, MUTED, (track.x, knob_y, 5, knob_h), border_radius=2)

    def _draw_case(self, surface: pygame.Surface) -> None:
        t = self.app.type
        cr = self.centre_rect
        top = panel(surface, cr, t)
        if self.selected is None:
            text_block(
                surface,
                t,
                "No referrals yet. They arrive as the clock runs.",
                pygame.Rect(cr.x + 14, top, cr.width - 28, cr.height),
                "body",
                MUTED,
            )
            return
        desk = self.desk
        case = desk.case(self.selected)
        thresholds = desk.thresholds
        inner = pygame.Rect(cr.x + 14, top, cr.width - 30, self._buttons_top() - top - 8)
        y = self.case_scroll.top(surface, inner)
        y = text_block(
            surface,
            t,
            self._who(self.selected),
            pygame.Rect(inner.x, y, inner.width, 10**6),
            "heading",
            bold=True,
        )
        source = SOURCE_LABELS.get(case.source, case.source)
        concern = CONCERN_LABELS.get(case.concern, case.concern)
        line = f"{source}, {hours_minutes(case.arrived_at)}. About {concern}."
        if case.re_referral:
            line += " Referred before."
        y = (
            text_block(
                surface, t, line, pygame.Rect(inner.x, y, inner.width, 10**6), "small", MUTED
            )
            + 4
        )
        ref = self.plan.referrals.get(case.scripted_ref or "")
        band = concern_words(case.referral_signal, thresholds)[1]
        need_text, need_band = need_words(case.need_signal, thresholds)
        said = (
            ref.said
            if ref is not None
            else free_play_said(case.source, case.concern, case.spelling, band, need_band)
        )
        y = text_block(surface, t, f"“{said}”", pygame.Rect(inner.x, y, inner.width, 10**6)) + 4
        x = inner.x
        surface.blit(t.render("The referral shows:", "small", INK), (x, y))
        x += t.width("The referral shows:", "small") + 8
        x += mark(surface, CONCERN_BANDS[band], (x, y), t) + 12
        y = text_block(surface, t, need_text, pygame.Rect(x, y, inner.right - x, 10**6), "small")
        y += 6
        for key in sorted(case.evidence):
            if key in ("edt_visit", "harm_seen"):
                words, b = concern_words(case.evidence[key], thresholds)
                what = "The night team's visit" if key == "edt_visit" else "Another agency"
                surface.blit(t.render(f"{what}: {words}", "small", INK), (inner.x, y))
                y += t.line_height("small")
        for finding in desk.findings_for(self.selected):
            y = self._draw_finding(surface, finding, inner.x, y, inner.width, 10**6)
        y = self._draw_case_status(surface, inner, y + 4)
        self.case_scroll.finish(surface, y)

    def _draw_case_status(self, surface: pygame.Surface, inner: pygame.Rect, y: int) -> int:
        """The decision (or handover) line and, at induction, a hint: the case's last lines."""
        t = self.app.type
        desk = self.desk
        decision = desk.decision(self._open_case())
        area = pygame.Rect(inner.x, y, inner.width, 10**6)
        if decision is not None:
            text = f"Decided: {LEVEL_LABELS[decision.level]}"
            if int(decision.level) > 0:
                text += f", {PRIORITY_LABELS[decision.priority].lower()}"
            y = text_block(surface, t, text + ".", area, "body", bold=True)
        elif self.selected in desk.handovers:
            kept = join_words([fact_words(f) for f in desk.handovers[self.selected]])
            text = f"Handover written: passes on {kept or 'only the referral'}."
            y = text_block(surface, t, text, area, "small")
        if self.plan.difficulty == "induction" and self.plan.hints and decision is None:
            hint = self.plan.hints[int(self.desk.now * 24) % len(self.plan.hints)]
            area = pygame.Rect(inner.x, y + 4, inner.width, 10**6)
            y = text_block(surface, t, f"Hint: {hint}", area, "small", MUTED)
        return y

    def _draw_finding(
        self, surface: pygame.Surface, f: Finding, x: int, y: int, width: int, bottom: int
    ) -> int:
        t = self.app.type
        thresholds = self.desk.thresholds
        label = check_words(f.label)
        if f.action == "agency":
            label = AGENCY_LABELS.get(f.label.split(":")[1], f.label)
        elif f.action != "database":
            label = INFO_ACTION_NAMES.get(f.action, f.action)
        size = t.line_height("small") - 4
        draw_icon(surface, f.action, pygame.Rect(x, y + 2, size, size), MUTED)
        x += size + 6
        width -= size + 6
        if not f.done:
            at = x + mark(surface, STATUS_MARKS["pending"], (x, y), t) + 8
            surface.blit(
                t.render(f"{label}: asked at {hours_minutes(f.requested_at)[4:]}", "small", INK),
                (at, y),
            )
            return y + t.line_height("small") + 2
        if f.value is not None:
            words, band = concern_words(f.value, thresholds)
            m = CONCERN_BANDS[band]
        elif f.outcome in ("refused", "missing", "not_seen"):
            m, words = STATUS_MARKS["refused"], f.outcome.replace("_", " ")
        elif f.action == "team_leader":
            m, words = STATUS_MARKS["answered"], "advice"
        else:
            m, words = STATUS_MARKS["nothing"], "nothing found"
        at = x + mark(surface, m, (x, y), t, word=words) + 8
        head = pygame.Rect(at, y, x + width - at, bottom - y)
        y = text_block(surface, t, f"{label}: {f.detail}", head, "small", bold=True)
        story = self._story(f)
        if story:
            y = (
                text_block(
                    surface, t, story, pygame.Rect(x + 16, y, width - 16, bottom - y), "small"
                )
                + 2
            )
        return y + 2

    def _advice(self, f: Finding) -> str:
        """The team leader's answer with its level, priority and reasons: the evidence the
        desk held when the answer came (the referral and each check with a reading)."""
        case = self.desk.case(f.case_id)
        thresholds = self.desk.thresholds
        evidence = [("the referral", concern_words(case.referral_signal, thresholds)[1])]
        for other in self.desk.findings_for(f.case_id):
            if (
                other.value is not None
                and other.returned_at is not None
                and f.returned_at is not None
                and other.returned_at <= f.returned_at
            ):
                where = check_words(other.label).split(" for ")[0]
                if other.action == "agency":
                    where = f"what {where.lower()} said"
                else:
                    where = f"the {where.lower()}"
                evidence.append((where, concern_words(other.value, thresholds)[1]))
        need = need_words(case.need_signal, thresholds)[1]
        return leader_advice(str(f.outcome), case.concern, evidence, need)

    def _story(self, f: Finding) -> str:
        """The exercise's narrative for a check that found something."""
        case = self.desk.case(f.case_id)
        if f.action == "team_leader" and f.done and f.outcome:
            return self._advice(f)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        if ref is None or f.evidence_key is None:
            return ""
        found = ref.findings
        if f.action == "agency":
            asked = f.label.split(":")[1]
            return next((text for name, text in found.agencies.items() if name == asked), "")
        return {"database": found.database, "file": found.file, "visit": found.visit}.get(
            f.action
        ) or ""

    def _draw_team(self, surface: pygame.Surface) -> None:
        t = self.app.type
        rr = self.right_rect
        top = panel(surface, rr, t, "The team")
        bottom = getattr(self, "team_bottom", rr.bottom - 8)
        inner = pygame.Rect(rr.x + 12, top, rr.width - 26, bottom - top - 4)
        y = self.team_scroll.top(surface, inner)
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
        pending = self.desk.awaiting_allocation()
        y += 6
        if pending is not None:
            text = f"{_cap(self._child(pending.case_id))} waits for a worker"
            y = self._mark_line(surface, STATUS_MARKS["allocate"], text, inner.x, y, inner.width)
        if self.desk.handover_open():
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
                text = f"{_cap(self._child(case_id))}: {'written' if written else 'not yet'}"
                y = self._mark_line(surface, m, text, inner.x, y, inner.width)
        self.team_scroll.finish(surface, y)

    def _mark_line(
        self, surface: pygame.Surface, m: Any, text: str, x: int, y: int, width: int
    ) -> int:
        """A mark and its words, the words wrapped beside it; returns the next y."""
        t = self.app.type
        at = x + mark(surface, m, (x, y), t, word=" ") + 6
        return text_block(surface, t, text, pygame.Rect(at, y, x + width - at, 10**6), "small") + 2

    def _child(self, case_id: int) -> str:
        case = self.desk.case(case_id)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        return ref.child if ref is not None else f"the {case.spelling} child"

    def _draw_dialog(self, surface: pygame.Surface) -> None:
        t = self.app.type
        rect = self._dialog_rect(self._dialog_rows(), self.bh)
        pygame.draw.rect(surface, INK, rect.inflate(6, 6), border_radius=8)
        title = DIALOG_TITLES[self.mode]
        if self.mode in ("database", "agency", "handover") and self.selected is not None:
            title += f": {self._child(self.selected)}"
        y = panel(surface, rect, t, _fit(t, title, rect.width - 30, "heading"))
        text_block(
            surface,
            t,
            self._dialog_note(),
            pygame.Rect(rect.x + 16, y, rect.width - 32, 10**6),
            "small",
            MUTED,
        )

    # -- what a headless player sees ---------------------------------------------------------

    def bot_view(self) -> dict[str, Any]:
        desk = self.desk
        case_view = None
        if self.selected is not None:
            case = desk.case(self.selected)
            thresholds = desk.thresholds
            case_view = {
                "case_id": self.selected,
                "spelling": case.spelling,
                "suggestions": desk.spelling_suggestions(self.selected),
                "concern": case.concern,
                "source": case.source,
                "referral_band": concern_words(case.referral_signal, thresholds)[1],
                "need_band": need_words(case.need_signal, thresholds)[1],
                "record_found": desk.record_found(self.selected),
                "findings": [
                    {
                        "label": f.label,
                        "action": f.action,
                        "done": f.done,
                        "outcome": f.outcome,
                        "asked_at": f.requested_at,
                        "band": None if f.value is None else concern_words(f.value, thresholds)[1],
                    }
                    for f in desk.findings_for(self.selected)
                ],
                "decided": desk.decision(self.selected) is not None,
                "undecided": self.selected in desk.undecided(),
                "handover_facts": desk.handover_facts(self.selected),
                "handover_written": self.selected in desk.handovers,
                "handover_kept": list(desk.handovers.get(self.selected, ())),
                "spelling_text": (
                    self.spelling_entry.get_text() if self.spelling_entry is not None else None
                ),
            }
        pending = desk.awaiting_allocation()
        return {
            "now": desk.now,
            "starts_at": self.plan.shift.starts_at,
            "ends_at": self.plan.shift.ends_at,
            "handover_open": desk.handover_open(),
            "busy": desk.busy(),
            "paused": self.paused or self.mode == "paused",
            "clock_paused": self.paused,
            "clock_running": self.clock_running(),
            "cue": self.cue,
            "mode": self.mode,
            "speed": self.speed,
            "level_choice": self.level_choice,
            "priority_choice": self.priority_choice,
            "keep": sorted(self.keep),
            "tray": list(desk.tray),
            "undecided": desk.undecided(),
            "cards": [(cid, tuple(rect)) for cid, rect in self._card_rects()],
            "card_status": {cid: self._card_status(cid) for cid, _ in self._card_rects()},
            "selected": self.selected,
            "case": case_view,
            "allocation": None
            if pending is None
            else {
                "case_id": pending.case_id,
                "workers": [
                    (w.worker_id, w.role, w.caseload, w.caseload_cap) for w in pending.workers
                ],
            },
            "priorities": PRIORITIES,
            "message": self.message,
            "typing": self.app.typing(),
        }
