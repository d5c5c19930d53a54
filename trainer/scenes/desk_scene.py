"""The desk: the shift clock, the in-tray of referral cards, the open case, the team and the
out-of-hours handover tray.

The scene steps the desk's SimPy clock every frame by the frame's time at the chosen
speed (1x is one simulated minute a second; while the trainee is busy on a check the
clock runs eight times faster, as the wait is not theirs to use). What the case panel
shows is only what a worker at the desk could see: the referral, the answers to the
checks made, the team's caseloads. The hidden truth waits for the debrief.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from sim.entities import Level
from sim.vocabulary import AGENCIES
from trainer.desk import LEVEL_LABELS, PRIORITIES, PRIORITY_LABELS, DeskRefusal, Finding
from trainer.scenes.common import mark, panel, text_block
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
)
from trainer.ui import NUMBER_KEYS, App, Scene
from trainer.wording import (
    AGENCY_LABELS,
    CONCERN_LABELS,
    ROLE_LABELS,
    SOURCE_LABELS,
    concern_words,
    free_play_said,
    hours_minutes,
    need_words,
    spelling_suggestions,
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
        self.speed = app.settings.speed
        self.level_choice: Level | None = None
        self.priority_choice: str | None = None
        self.keep: set[str] = set()
        self.message = ""
        self.spelling_entry: Any = None
        self.tray_scroll = 0
        self._card_cache: dict[tuple[Any, ...], pygame.Surface] = {}
        self._layout()
        # A resumed shift opens where the trainee last acted.
        acted = [a.case_id for a in self.desk.actions if a.case_id is not None]
        if acted and acted[-1] in self.desk.tray:
            self._select(acted[-1])

    # -- layout -------------------------------------------------------------------------

    def _layout(self) -> None:
        t = self.app.type
        w, h = self.app.size
        self.top_h = t.line_height("clock") + 22
        self.tray_rect = pygame.Rect(10, self.top_h + 8, 300, h - self.top_h - 18)
        self.right_rect = pygame.Rect(w - 330, self.top_h + 8, 320, h - self.top_h - 18)
        self.centre_rect = pygame.Rect(320, self.top_h + 8, w - 660, h - self.top_h - 18)
        self.card_h = t.line_height("small") * 2 + t.line_height("body") + 12

    def signature(self) -> tuple[Any, ...]:
        desk = self.desk
        sel = self.selected
        findings = desk.findings_for(sel) if sel is not None else []
        pending = desk.awaiting_allocation()
        return (
            self.app.size,
            self.app.settings.large_text,
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
        app, t = self.app, self.app.type
        bh = t.line_height("body") + 14
        w, _ = app.size
        if self.mode == "paused":
            self._build_pause(bh)
            return
        if self.mode in ("database", "agency", "allocate", "handover", "confirm_end"):
            getattr(self, f"_build_{self.mode}")(bh)
            return
        # Top bar: speed, pause, end of shift.
        x = app.clock_controls(
            speeds=SPEEDS,
            current=self.speed,
            on_speed=self._set_speed,
            paused=self.paused,
            on_pause=self._toggle_pause,
            height=bh,
            speed_width=84,
            pause_width=130,
        )
        app.button(
            "menu", "Menu", (x + 150, 10, 110, bh), self._open_pause_menu, key=pygame.K_ESCAPE
        )
        app.button(
            "end_shift",
            "End shift",
            (w - 190, 10, 180, bh),
            lambda: self._set_mode("confirm_end"),
            key=pygame.K_x,
        )
        self._build_tray_navigation(bh)
        pending = self.desk.awaiting_allocation()
        rr = self.right_rect
        if pending is not None:
            app.button(
                "allocate",
                f"Allocate case {pending.case_id}",
                (rr.x + 10, rr.bottom - 2 * bh - 8, rr.width - 20, bh),
                self._open_allocation,
                key=pygame.K_a,
                style="primary",
                enabled=not self.desk.busy(),
            )
        if self.desk.handover_open() and self.selected is not None:
            can = self.selected in self.desk.undecided()
            app.button(
                "handover",
                "Write handover",
                (rr.x + 10, rr.bottom - bh, rr.width - 20, bh),
                self._open_handover,
                key=pygame.K_h,
                enabled=can and not self.desk.busy(),
            )
        if self.selected is None:
            return
        self._build_case_actions(bh)

    def _flow(
        self, specs: list[tuple[str, str, int | None, Any, bool, str | None]], y: int, bh: int
    ) -> int:
        """Lay buttons left to right in the case panel, wrapping; returns the next y."""
        t = self.app.type
        cr = self.centre_rect
        x = cr.x + 12
        for name, label, key, action, enabled, style in specs:
            text = f"{label} [{pygame.key.name(key).upper()}]" if key else label
            width = t.width(text, "body", bold=True) + 28
            if x + width > cr.right - 12:
                x = cr.x + 12
                y += bh + 6
            self.app.button(
                name, label, (x, y, width, bh), action, key=key, enabled=enabled, style=style
            )
            x += width + 6
        return y + bh + 8

    def _build_case_actions(self, bh: int) -> None:
        desk, case_id = self.desk, self.selected
        assert case_id is not None
        free = not desk.busy() and not desk.ended
        undecided = case_id in desk.undecided()
        labels = {f.label for f in desk.findings_for(case_id)}
        y = self._buttons_top() + 6
        info = [
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
        y = self._flow(info, y, bh)
        if not undecided:
            return
        levels = [
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
        y = self._flow(levels, y, bh)
        needs_priority = self.level_choice not in (None, Level.NO_FURTHER_ACTION)
        prios = [
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
        self._flow(prios, y, bh)

    def _dialog_rect(self, rows: int, bh: int) -> pygame.Rect:
        cr = self.centre_rect
        height = min(cr.height - 40, (rows + 3) * (bh + 8) + 40)
        return pygame.Rect(cr.x + 20, cr.y + 60, cr.width - 40, height)

    def _build_database(self, bh: int) -> None:
        case = self.desk.case(self.selected)
        rect = self._dialog_rect(4, bh)
        t = self.app.type
        y = rect.y + t.line_height("heading") + t.line_height("small") + 24
        self.spelling_entry = self.app.entry(
            pygame.Rect(rect.x + 16, y, rect.width - 250, bh + 4), case.spelling
        )
        self.app.button(
            "type",
            "Type a spelling",
            (rect.right - 226, y, 210, bh),
            self._type_spelling,
            key=pygame.K_s,
        )
        y += bh + 16
        for i, name in enumerate(spelling_suggestions(case.spelling)):
            self.app.button(
                f"spelling:{name}",
                f"Use {name}",
                (rect.x + 16, y, 260, bh),
                lambda n=name, field=self.spelling_entry: field.set_text(n),
                key=NUMBER_KEYS[i],
            )
            y += bh + 6
        self._dialog_buttons(rect, bh, ("search", "Search", self._search))

    def _build_agency(self, bh: int) -> None:
        rect = self._dialog_rect(len(AGENCIES), bh)
        t = self.app.type
        y = rect.y + t.line_height("heading") + 20
        asked = {f.label for f in self.desk.findings_for(self.selected)}
        for i, agency in enumerate(AGENCIES):
            self.app.button(
                f"agency:{agency}",
                AGENCY_LABELS[agency],
                (rect.x + 16, y, 260, bh),
                lambda a=agency: self._contact(a),
                key=NUMBER_KEYS[i],
                enabled=f"agency:{agency}" not in asked,
            )
            y += bh + 6
        self._dialog_buttons(rect, bh, None)

    def _build_allocate(self, bh: int) -> None:
        pending = self.desk.awaiting_allocation()
        if pending is None:
            self.mode = "normal"
            return
        rect = self._dialog_rect(len(pending.workers), bh)
        t = self.app.type
        y = rect.y + t.line_height("heading") + t.line_height("small") + 24
        for i, worker in enumerate(pending.workers[:9]):
            role = ROLE_LABELS.get(worker.role, worker.role)
            label = (
                f"{role} (worker {worker.worker_id}): {worker.caseload} of {worker.caseload_cap}"
            )
            self.app.button(
                f"worker:{worker.worker_id}",
                label,
                (rect.x + 16, y, rect.width - 32, bh),
                lambda wid=worker.worker_id: self._allocate(pending.case_id, wid),
                key=NUMBER_KEYS[i],
            )
            y += bh + 6
        self.app.button(
            "cancel",
            "Not now",
            (rect.x + 16, rect.bottom - bh - 12, 150, bh),
            lambda: self._set_mode("normal"),
            key=pygame.K_ESCAPE,
        )

    def _build_handover(self, bh: int) -> None:
        facts = self.desk.handover_facts(self.selected)
        rect = self._dialog_rect(len(facts) + 1, bh)
        t = self.app.type
        y = rect.y + t.line_height("heading") + t.line_height("small") * 2 + 28
        evidence = self.desk.case(self.selected).evidence
        for i, fact in enumerate(facts[:9]):
            kept = fact in self.keep
            words = concern_words(evidence[fact], self.desk.thresholds)[0]
            self.app.button(
                f"fact:{fact}",
                f"{'Pass on' if kept else 'Leave out'}: {fact} ({words})",
                (rect.x + 16, y, rect.width - 32, bh),
                lambda f=fact: self._toggle_fact(f),
                key=NUMBER_KEYS[i],
                style="chosen" if kept else None,
            )
            y += bh + 6
        self._dialog_buttons(rect, bh, ("send", "Send handover", self._send_handover))

    def _dialog_buttons(
        self,
        rect: pygame.Rect,
        bh: int,
        confirm: tuple[str, str, Any] | None,
        cancel: str = "Cancel",
    ) -> None:
        """A dialog's bottom row: Cancel [Esc] on the left, its main action [Enter] right."""
        y = rect.bottom - bh - 12
        if confirm is not None:
            name, label, action = confirm
            width = self.app.type.width(f"{label} [Enter]", "body", bold=True) + 30
            self.app.button(
                name,
                label,
                (rect.right - 16 - width, y, width, bh),
                action,
                key=pygame.K_RETURN,
                style="primary",
            )
        self.app.button(
            "cancel",
            cancel,
            (rect.x + 16, y, 150, bh),
            lambda: self._set_mode("normal"),
            key=pygame.K_ESCAPE,
        )

    def _build_confirm_end(self, bh: int) -> None:
        rect = self._dialog_rect(1, bh)
        y = rect.bottom - bh - 12
        self.app.button(
            "confirm",
            "Yes, end the shift",
            (rect.right - 260, y, 244, bh),
            self._end_shift,
            key=pygame.K_y,
            style="primary",
        )
        self.app.button(
            "cancel",
            "No",
            (rect.x + 16, y, 120, bh),
            lambda: self._set_mode("normal"),
            key=pygame.K_n,
        )

    def _build_pause(self, bh: int) -> None:
        w, h = self.app.size
        x, y = w // 2 - 170, h // 2 - 120
        large = "on" if self.app.settings.large_text else "off"
        self.app.button(
            "resume",
            "Resume",
            (x, y, 340, bh),
            self._close_pause_menu,
            key=pygame.K_ESCAPE,
            style="primary",
        )
        self.app.button(
            "large_text",
            f"Large text: {large}",
            (x, y + bh + 10, 340, bh),
            self._toggle_large,
            key=pygame.K_l,
        )
        self.app.button(
            "end_shift",
            "End shift",
            (x, y + 2 * (bh + 10), 340, bh),
            lambda: self._set_mode("confirm_end"),
            key=pygame.K_x,
        )
        self.app.button(
            "leave",
            "Leave (resume later)",
            (x, y + 3 * (bh + 10), 340, bh),
            self.game.to_title,
            key=pygame.K_q,
        )

    # -- actions ------------------------------------------------------------------------

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

    def _build_tray_navigation(self, bh: int) -> None:
        """Previous and Next under the tray (the replay's desk has them too)."""
        tr = self.tray_rect
        half = (tr.width - 6) // 2
        self.app.button(
            "previous",
            "Previous",
            (tr.x, tr.bottom - bh, half, bh),
            lambda: self._move(-1),
            key=pygame.K_UP,
        )
        self.app.button(
            "next",
            "Next",
            (tr.x + half + 6, tr.bottom - bh, half, bh),
            lambda: self._move(1),
            key=pygame.K_DOWN,
        )

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
        room = self.tray_rect.height - t.line_height("heading") - 20 - bh - 8
        return max(1, room // (self.card_h + 6))

    def _type_spelling(self) -> None:
        if self.spelling_entry is not None:
            self.app.focus = -1
            self.spelling_entry.focus()

    def _search(self) -> None:
        text = self.spelling_entry.get_text() if self.spelling_entry is not None else ""
        if self._try(lambda: self.desk.search_database(self.selected, text)):
            self._set_mode("normal")

    def _request_file(self) -> None:
        self._try(lambda: self.desk.request_file(self.selected))

    def _contact(self, agency: str) -> None:
        if self._try(lambda: self.desk.contact_agency(self.selected, agency)):
            self._set_mode("normal")

    def _visit(self) -> None:
        self._try(lambda: self.desk.visit(self.selected))

    def _team_leader(self) -> None:
        self._try(lambda: self.desk.consult_team_leader(self.selected))

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
        self._try(lambda: self.desk.decide(self.selected, level, priority))

    def _open_allocation(self) -> None:
        pending = self.desk.awaiting_allocation()
        if pending is not None:
            self._select(pending.case_id)
            self._set_mode("allocate")

    def _allocate(self, case_id: int, worker_id: int) -> None:
        if self._try(lambda: self.desk.allocate(case_id, worker_id)):
            self._set_mode("normal")

    def _open_handover(self) -> None:
        self.keep = set(self.desk.handovers.get(self.selected, ()))
        self._set_mode("handover")

    def _toggle_fact(self, fact: str) -> None:
        self.keep ^= {fact}

    def _send_handover(self) -> None:
        keep = sorted(self.keep)
        if self._try(lambda: self.desk.write_handover(self.selected, keep)):
            self._set_mode("normal")

    def _end_shift(self) -> None:
        self.desk.end_shift()
        self.game.to_debrief()

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
        if (
            event.type == pygame.KEYDOWN
            and event.key == pygame.K_RETURN
            and self.mode == "database"
            and self.app.typing()
        ):
            self._search()
            return True
        return False

    def update(self, dt: float) -> None:
        desk = self.desk
        if self.mode != "paused" and not self.paused:
            rate = self.speed * SIM_SECONDS_PER_SECOND / 86_400.0
            if desk.busy():
                # Skip the wait quickly, but stop when the trainee is free again.
                desk.skip_while_busy(desk.now + dt * rate * BUSY_BOOST)
            else:
                desk.advance(desk.now + dt * rate)
        if desk.finish_shift_if_due():
            self.game.to_debrief()
            return
        if self.selected is None or self.selected not in desk.tray:
            waiting = desk.undecided()
            if waiting:
                self._select(waiting[0])
            elif desk.tray:
                self._select(desk.tray[0])

    def ready_for_screenshot(self) -> bool:
        return self.desk.now >= self.plan.shift.starts_at + 2.0 / 24.0

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
        surf.blit(t.render(head, "small", MUTED), (12, y))
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
        state = "PAUSED" if (self.paused or self.mode == "paused") else f"{self.speed}x"
        surface.blit(
            t.render(f"until {ends}  {state}", "small", MUTED), (16, 10 + t.line_height("clock"))
        )
        if desk.busy():
            until = None if desk.waiting_on_answer else desk.busy_until
            note = f"Busy: {desk.busy_with}" + (
                f" until {hours_minutes(until)[4:]}" if until else ""
            )
            surface.blit(t.render(note, "body", INK, bold=True), (w // 2 + 40, 14))
        # In-tray.
        tr = self.tray_rect
        panel(surface, tr, t, f"In-tray ({len(desk.tray)})")
        for case_id, rect in self._card_rects():
            surface.blit(self._card(case_id, rect.width, case_id == self.selected), rect.topleft)
        if self.tray_scroll > 0:
            surface.blit(
                t.render(f"{self.tray_scroll} more above", "small", MUTED), (tr.x + 150, tr.y + 10)
            )
        # Case and team.
        self._draw_case(surface)
        self._draw_team(surface)
        if self.mode in ("database", "agency", "allocate", "handover", "confirm_end"):
            self._draw_dialog(surface)
        if self.mode == "paused":
            veil = pygame.Surface((w, h), pygame.SRCALPHA)
            veil.fill((0, 0, 0, 140))
            surface.blit(veil, (0, 0))
            box = pygame.Rect(w // 2 - 200, h // 2 - 190, 400, 330)
            panel(surface, box, t, "Paused")

    def _draw_case(self, surface: pygame.Surface) -> None:
        t = self.app.type
        cr = self.centre_rect
        top = panel(surface, cr, t)
        if self.selected is None:
            surface.blit(
                t.render("No referrals yet. They arrive as the clock runs.", "body", MUTED),
                (cr.x + 14, top),
            )
            return
        desk = self.desk
        case = desk.case(self.selected)
        thresholds = desk.thresholds
        inner = pygame.Rect(cr.x + 14, top, cr.width - 28, cr.height - 16)
        y = inner.y
        surface.blit(t.render(self._who(self.selected), "heading", INK, bold=True), (inner.x, y))
        y += t.line_height("heading")
        source = SOURCE_LABELS.get(case.source, case.source)
        concern = CONCERN_LABELS.get(case.concern, case.concern)
        line = f"{source}, {hours_minutes(case.arrived_at)}. About {concern}."
        if case.re_referral:
            line += " Referred before."
        surface.blit(t.render(line, "small", MUTED), (inner.x, y))
        y += t.line_height("small") + 4
        ref = self.plan.referrals.get(case.scripted_ref or "")
        band = concern_words(case.referral_signal, thresholds)[1]
        need_text, need_band = need_words(case.need_signal, thresholds)
        said = (
            ref.said
            if ref is not None
            else free_play_said(case.source, case.concern, case.spelling, band, need_band)
        )
        buttons_top = self._buttons_top()
        y = (
            text_block(
                surface, t, f"“{said}”", pygame.Rect(inner.x, y, inner.width, buttons_top - y)
            )
            + 4
        )
        x = inner.x
        surface.blit(t.render("The referral shows:", "small", INK), (x, y))
        x += t.width("The referral shows:", "small") + 8
        x += mark(surface, CONCERN_BANDS[band], (x, y), t) + 12
        surface.blit(t.render(need_text, "small", INK), (x, y))
        y += t.line_height("small") + 6
        for key in sorted(case.evidence):
            if key in ("edt_visit", "harm_seen"):
                words, b = concern_words(case.evidence[key], thresholds)
                what = "The night team's visit" if key == "edt_visit" else "Another agency"
                surface.blit(t.render(f"{what}: {words}", "small", INK), (inner.x, y))
                y += t.line_height("small")
        for finding in desk.findings_for(self.selected):
            if y > buttons_top - t.line_height("small"):
                break
            y = self._draw_finding(surface, finding, inner.x, y, inner.width, buttons_top)
        decision = desk.decision(self.selected)
        status_y = buttons_top - t.line_height("small") - 6
        if decision is not None:
            text = (
                f"Decided: {LEVEL_LABELS[decision.level]}, "
                f"{PRIORITY_LABELS[decision.priority].lower()}."
            )
            surface.blit(t.render(text, "body", INK, bold=True), (inner.x, status_y))
        elif self.selected in desk.handovers:
            kept = ", ".join(desk.handovers[self.selected]) or "only the referral"
            surface.blit(
                t.render(f"Handover written: passes on {kept}.", "small", INK), (inner.x, status_y)
            )
        if self.message:
            msg_y = cr.bottom - t.line_height("small") - 8
            surface.blit(t.render(self.message, "small", VERMILLION, bold=True), (inner.x, msg_y))
        if self.plan.difficulty == "induction" and self.plan.hints and decision is None:
            hint = self.plan.hints[int(self.desk.now * 24) % len(self.plan.hints)]
            hint_y = cr.bottom - 2 * t.line_height("small") - 10
            surface.blit(t.render(f"Hint: {hint}"[:110], "small", MUTED), (inner.x, hint_y))

    def _buttons_top(self) -> int:
        t = self.app.type
        bh = t.line_height("body") + 14
        rows = 4 if self.selected in self.desk.undecided() else 2
        return self.centre_rect.bottom - rows * (bh + 6) - 2 * t.line_height("small") - 24

    def _draw_finding(
        self, surface: pygame.Surface, f: Finding, x: int, y: int, width: int, bottom: int
    ) -> int:
        t = self.app.type
        thresholds = self.desk.thresholds
        label = f.label
        if f.action == "agency":
            label = AGENCY_LABELS.get(f.label.split(":")[1], f.label)
        elif f.action != "database":
            label = INFO_ACTION_NAMES.get(f.action, f.action)
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

    def _story(self, f: Finding) -> str:
        """The exercise's narrative for a check that found something."""
        case = self.desk.case(f.case_id)
        ref = self.plan.referrals.get(case.scripted_ref or "")
        if ref is None or f.evidence_key is None:
            return ""
        found = ref.findings
        if f.action == "agency":
            return found.agencies.get(f.label.split(":")[1], "")
        return {"database": found.database, "file": found.file, "visit": found.visit}.get(
            f.action
        ) or ""

    def _draw_team(self, surface: pygame.Surface) -> None:
        t = self.app.type
        rr = self.right_rect
        y = panel(surface, rr, t, "The team")
        for worker in self.desk.team():
            if not worker.caseload_cap:
                continue
            role = ROLE_LABELS.get(worker.role, worker.role)
            label = f"{role} (worker {worker.worker_id})"
            surface.blit(t.render(label, "small", INK), (rr.x + 12, y))
            y += t.line_height("small")
            bar = pygame.Rect(rr.x + 12, y + 2, 180, t.line_height("small") - 6)
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
            if y > rr.bottom - 200:
                break
        pending = self.desk.awaiting_allocation()
        y += 6
        if pending is not None:
            mark(
                surface,
                STATUS_MARKS["allocate"],
                (rr.x + 12, y),
                t,
                word=f"Case {pending.case_id} waits for a worker",
            )
            y += t.line_height("small") + 4
        if self.desk.handover_open():
            pygame.draw.line(surface, RULE, (rr.x + 10, y), (rr.right - 10, y))
            y += 6
            surface.blit(
                t.render("Handover to the night team", "body", INK, bold=True), (rr.x + 12, y)
            )
            y += t.line_height("body")
            for case_id in self.desk.undecided()[:6]:
                written = case_id in self.desk.handovers
                m = STATUS_MARKS["held" if written else "handover"]
                mark(
                    surface,
                    m,
                    (rr.x + 12, y),
                    t,
                    word=f"{self._who(case_id)[:26]}: {'written' if written else 'not yet'}",
                )
                y += t.line_height("small") + 2

    def _draw_dialog(self, surface: pygame.Surface) -> None:
        t = self.app.type
        bh = t.line_height("body") + 14
        rows = {"database": 4, "agency": len(AGENCIES), "confirm_end": 1}.get(self.mode, 0)
        if self.mode == "allocate":
            pending = self.desk.awaiting_allocation()
            rows = len(pending.workers) if pending else 1
        if self.mode == "handover":
            rows = len(self.desk.handover_facts(self.selected)) + 1
        rect = self._dialog_rect(rows, bh)
        pygame.draw.rect(surface, INK, rect.inflate(6, 6), border_radius=8)
        titles = {
            "database": "Search the database",
            "agency": "Contact an agency",
            "allocate": "Allocate to a worker with room",
            "handover": "Handover to the out-of-hours team",
            "confirm_end": "End the shift now?",
        }
        y = panel(surface, rect, t, titles[self.mode])
        notes = {
            "database": "Type a spelling or pick one; the search takes a quarter of an hour.",
            "agency": "A call takes ten minutes; the answer comes later, or not at all.",
            "allocate": "Pick a worker; child protection work suits experienced staff.",
            "handover": "Only the facts you pass on reach the night team. The referral always "
            "goes.",
            "confirm_end": "Undecided cases go to the night team with the handovers you "
            "wrote (or none).",
        }
        text_block(
            surface,
            t,
            notes[self.mode],
            pygame.Rect(rect.x + 16, y, rect.width - 32, 2 * t.line_height("small")),
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
                "suggestions": spelling_suggestions(case.spelling),
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
