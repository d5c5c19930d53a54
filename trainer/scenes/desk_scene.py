"""The desk: the shift clock, the in-tray of referral cards, the open case, the team and the
out-of-hours handover tray.

The scene steps the desk's SimPy clock every frame by the frame's time at the chosen
speed (1x is one simulated minute a second; while the trainee is busy on a check the
clock runs eight times faster, as the wait is not theirs to use). What the case panel
shows is only what a worker at the desk could see: the referral, the answers to the
checks made, the team's caseloads. The hidden truth waits for the debrief.

This module wires the desk's parts together and owns what they share: the case open, the
choices made on it, which dialog is open, the clock's speed and pause, and the cues. The
parts draw and build themselves: the in-tray (`desk_tray`), the open case (`desk_case`),
the team (`desk_team`), the dialogs and the pause menu (`desk_dialogs`), all placed by
one layout (`desk_frame`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from sim.entities import Level
from trainer.desk_records import PRIORITIES, DeskRefusal, Finding
from trainer.scenes.common import Scroller, mark
from trainer.scenes.desk_case import CaseButtons, CasePanel
from trainer.scenes.desk_clock import ClockBar
from trainer.scenes.desk_cues import Cues
from trainer.scenes.desk_dialogs import (
    DIALOGS,
    DeskDialogs,
    DialogActions,
    PauseActions,
    PauseMenu,
)
from trainer.scenes.desk_frame import CaseNames, DeskLayout, fit
from trainer.scenes.desk_team import TeamPanel
from trainer.scenes.desk_tray import Tray
from trainer.theme import INK, STATUS_MARKS, VERMILLION, YELLOW
from trainer.ui import App, Scene
from trainer.wording import hours_minutes

if TYPE_CHECKING:
    from trainer.game import Game

SIM_SECONDS_PER_SECOND = 60.0  # at 1x: a simulated minute each real second
BUSY_BOOST = 8.0
SPEEDS = {pygame.K_F1: 1, pygame.K_F2: 2, pygame.K_F3: 4}


class DeskScene(Scene):
    name = "desk"
    acts = True  # the trainee acts on the open case (a replay only watches)

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
        self.message = ""
        self._make_panels()
        self._make_dialogs()
        # A resumed shift opens where the trainee last acted.
        acted = [a.case_id for a in self.desk.actions if a.case_id is not None]
        if acted and acted[-1] in self.desk.tray:
            self._select(acted[-1])

    def _make_panels(self) -> None:
        """The in-tray, the open case and the team, each told what it may read and do."""
        app, desk, plan = self.app, self.desk, self.plan
        self.layout = DeskLayout.for_window(type_=app.type, size=app.size)
        layout = self.layout
        self.names = CaseNames(desk=desk, plan=plan)
        self.clock_bar = ClockBar(app=app, layout=layout)
        self.tray = Tray(app=app, desk=desk, names=self.names, layout=layout)
        case_buttons = CaseButtons(
            open_dialog=self._set_mode,
            read_addendum=self._read_addendum,
            request_file=self._request_file,
            visit=self._visit,
            ask_team_leader=self._team_leader,
            choose_level=self._choose,
            choose_priority=self._prioritise,
            record_decision=self._record_decision,
        )
        self.case_panel = CasePanel(
            app=app,
            desk=desk,
            plan=plan,
            names=self.names,
            layout=layout,
            choices=self,
            buttons=case_buttons,
            acts=self.acts,
        )
        self.team = TeamPanel(
            app=app,
            desk=desk,
            names=self.names,
            layout=layout,
            choices=self,
            on_allocate=self._open_allocation,
            on_handover=self._open_handover,
        )

    def _make_dialogs(self) -> None:
        """The dialogs, the pause menu and the cues (after the panels they draw over)."""
        app, desk, plan, layout = self.app, self.desk, self.plan, self.layout
        close = partial(self._set_mode, "normal")
        self.dialogs = DeskDialogs(
            app=app,
            desk=desk,
            plan=plan,
            names=self.names,
            layout=layout,
            choices=self,
            actions=DialogActions(attempt=self._try, close=close, end_shift=self._end_shift),
        )
        pause_actions = PauseActions(
            resume=self._close_pause_menu,
            toggle_large=self._toggle_large,
            toggle_sound=self._toggle_sound,
            end_shift=partial(self._set_mode, "confirm_end"),
            leave=self.game.to_title,
        )
        self.pause_menu = PauseMenu(app=app, layout=layout, actions=pause_actions)
        self.cues = Cues(app=app, desk=desk, names=self.names, tray=self.tray)

    # -- what the parts keep, under the names the tests and the benchmark read -------------

    @property
    def case_scroll(self) -> Scroller:
        return self.case_panel.scroll

    @property
    def spelling_entry(self) -> Any:
        return self.dialogs.spelling_entry

    @property
    def cue(self) -> str:
        return self.cues.text

    @property
    def fresh(self) -> dict[int, float]:
        return self.tray.fresh

    def _card_rects(self) -> list[tuple[int, pygame.Rect]]:
        return self.tray.card_rects()

    def _buttons_top(self) -> int:
        return self.case_panel.buttons_top()

    def _dialog_note(self) -> str:
        return self.dialogs.note(self.mode)

    def _child(self, case_id: int) -> str:
        return self.names.child(case_id)

    def _story(self, f: Finding) -> str:
        return self.case_panel.story(f)

    def _case_view(self, case_id: int) -> dict[str, Any]:
        entry = self.dialogs.spelling_entry
        return self.case_panel.view(case_id, entry.get_text() if entry is not None else None)

    # -- layout and widgets ---------------------------------------------------------------

    def _layout(self) -> None:
        """Lay the desk out again for the window and text size now, for every part."""
        layout = DeskLayout.for_window(type_=self.app.type, size=self.app.size)
        self.layout = layout
        for part in (
            self.clock_bar,
            self.tray,
            self.case_panel,
            self.team,
            self.dialogs,
            self.pause_menu,
        ):
            part.layout = layout

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
            len(desk.case(sel).notices) if sel is not None else 0,
            desk.record_found(sel) if sel is not None else False,
            pending.case_id if pending else None,
            desk.handover_open(),
            self.level_choice,
            self.priority_choice,
            tuple(sorted(self.dialogs.keep)),
            sel in desk.handovers if sel is not None else False,
            self.tray.scroll,
        )

    def build(self) -> None:
        self._layout()
        app = self.app
        bh = self.layout.button_h
        if self.mode == "paused":
            self.pause_menu.build(bh)
            return
        if self.mode in DIALOGS:
            # The clock is stopped in a dialog: its buttons show only when an exercise
            # keeps it running.
            if self.plan.shift.clock_runs_in_dialogs:
                self._build_clock_row(bh)
            self.dialogs.build(self.mode, bh)
            return
        x = self._build_clock_row(bh)
        app.button(
            "menu",
            "Menu",
            (x, 10, app.button_width("Menu", pygame.K_ESCAPE), bh),
            self._open_pause_menu,
            key=pygame.K_ESCAPE,
        )
        sr = self.layout.status_rect
        width = app.button_width("End shift", pygame.K_x)
        app.button(
            "end_shift",
            "End shift",
            (sr.right - width, sr.y + 4, width, bh),
            lambda: self._set_mode("confirm_end"),
            key=pygame.K_x,
        )
        self.tray.build_navigation(bh, self._move)
        self.team.build(bh)
        self.case_panel.build(bh)

    def _build_clock_row(self, bh: int) -> int:
        """Speeds and pause beside the clock; returns the x after them."""
        return self.clock_bar.build(
            speeds=SPEEDS,
            current=self.speed,
            on_speed=self._set_speed,
            paused=self.paused,
            on_pause=self._toggle_pause,
            widest=("4x", pygame.K_F3),
        )

    # -- actions ----------------------------------------------------------------------------

    def _open_case(self) -> int:
        """The case the worker has open; the actions that need one call this."""
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
            self.dialogs.spelling_entry = None

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
        self.tray.forget_drawn()

    def _toggle_sound(self) -> None:
        self.app.apply_settings(self.app.settings.changed(sound=not self.app.settings.sound))

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
            self.dialogs.keep = set(self.desk.handovers.get(case_id, ()))
            self.case_panel.scroll.offset = 0
            self.tray.scroll_into_view(case_id)

    def _read_addendum(self) -> None:
        self._try(lambda: self.desk.read_addendum(self._open_case()))

    def _request_file(self) -> None:
        self._try(lambda: self.desk.request_file(self._open_case()))

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

    def _open_handover(self) -> None:
        self.dialogs.keep = set(self.desk.handovers.get(self._open_case(), ()))
        self._set_mode("handover")

    def _end_shift(self) -> None:
        self.desk.end_shift()
        self.game.to_shift_end()

    # -- input and time ---------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.mode == "normal":
            for case_id, rect in self.tray.card_rects():
                if rect.collidepoint(event.pos):
                    self._select(case_id)
                    return True
        if self.tray.wheel(event):
            return True
        step = self.app.type.line_height("small") * 3
        case_scroll, team_scroll = self.case_panel.scroll, self.team.scroll
        if self.mode == "normal" and (
            case_scroll.handle(event, step) or team_scroll.handle(event, step)
        ):
            return True
        if (
            event.type == pygame.KEYDOWN
            and event.key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN)
            and self.mode == "normal"
        ):
            page = max(step, case_scroll.rect.height - step)
            case_scroll.scroll(page if event.key == pygame.K_PAGEDOWN else -page)
            return True
        if (
            event.type == pygame.KEYDOWN
            and event.key == pygame.K_RETURN
            and self.mode == "database"
            and self.app.typing()
        ):
            self.dialogs.search()
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
        self.cues.update(dt)
        if desk.finish_shift_if_due():
            self.game.to_shift_end()
            return
        if self.selected is None or self.selected not in desk.tray:
            waiting = desk.undecided()
            if waiting:
                self._select(waiting[0])
            elif desk.tray:
                self._select(desk.tray[0])

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

    def draw(self, surface: pygame.Surface) -> None:
        self.clock_bar.draw(
            surface,
            now=self.desk.now,
            ends_at=self.plan.shift.ends_at,
            running=self.clock_running(),
            speed=self.speed,
        )
        self._draw_status(surface)
        self.tray.draw(surface, self.selected)
        self.case_panel.draw(surface)
        self.team.draw(surface)
        if self.mode in DIALOGS:
            self.dialogs.draw(surface, self.mode)
        if self.mode == "paused":
            self.pause_menu.draw(surface)

    def _draw_status(self, surface: pygame.Surface) -> None:
        """The strip under the top bar: the latest cue, else what the trainee is busy with,
        else a refusal; End shift sits at its right end."""
        t = self.app.type
        desk = self.desk
        sr = self.layout.status_rect
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
        surface.blit(t.render(fit(t, text, room - (x - sr.x)), "body", colour, True), (x, y))

    # -- what a headless player sees ---------------------------------------------------------

    def bot_view(self) -> dict[str, Any]:
        desk = self.desk
        pending = desk.awaiting_allocation()
        cards = self.tray.card_rects()
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
            "keep": sorted(self.dialogs.keep),
            "tray": list(desk.tray),
            "undecided": desk.undecided(),
            "cards": [(cid, tuple(rect)) for cid, rect in cards],
            "card_status": {cid: self.tray.card_status(cid) for cid, _ in cards},
            "selected": self.selected,
            "case": None if self.selected is None else self._case_view(self.selected),
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


__all__ = ["BUSY_BOOST", "DeskScene", "SIM_SECONDS_PER_SECOND"]
