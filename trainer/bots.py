"""Headless players that drive the real interface with keyboard and mouse events.

A bot reads the screen the way a person does (the current scene's `bot_view`: the cards,
the open case, the words each check came back with, the buttons and their shortcuts) and
answers with input events posted to pygame's queue: key presses, text typed into a field,
mouse clicks on a button's or a card's rectangle. It never calls the desk or the model.
It posts at most one input a frame and then looks again, as a person waits to see what a
click did.

- thorough: searches the record (and the likely other spellings), asks for the file,
  rings the agencies, visits when the picture stays unclear, waits for answers, then
  decides by what was found; writes a full handover for anything left at the end.
- careless: searches once under the name as given and decides on that; allocates to
  the first name on the list; leaves undecided cases without a handover. Uses the mouse.
- random: presses the buttons on screen at random (keyboard and mouse alike).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

if TYPE_CHECKING:
    from trainer.ui import App

IMMEDIATE = frozenset({"physical", "sexual"})
VISIT_HOURS = 3.5
PATIENCE = 2.0 / 24.0  # how long a thorough worker waits for answers before deciding


def press(key: int, mod: int = 0) -> None:
    name = pygame.key.name(key)
    unicode = name if len(name) == 1 else ""
    pygame.event.post(
        pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0)
    )
    pygame.event.post(
        pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode=unicode, scancode=0)
    )


def click(rect: tuple[int, int, int, int] | pygame.Rect) -> None:
    centre = pygame.Rect(rect).center
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=centre, rel=(0, 0), buttons=(0, 0, 0))
    )
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=centre, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=centre, button=1))


def type_text(text: str) -> None:
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))


class ScriptedBot:
    """What the three bots share: moving through the scenes, and the desk's mechanics."""

    name = "bot"
    use_mouse = False

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.debrief_steps = 0
        self.done_history = False
        # The frame of the last button clicked: the button reports its press in the next
        # frame's events, and a player waits for it rather than clicking again.
        self.clicked_at: int | None = None

    # -- acting on the screen --------------------------------------------------------

    def control(self, app: App, name: str) -> Any:
        for c in app.controls:
            if c.name == name:
                return c
        return None

    def use(self, app: App, name: str) -> bool:
        """Press a button by its shortcut (or click it, for a mouse user)."""
        c = self.control(app, name)
        if c is None or not c.enabled:
            return False
        if self.use_mouse or c.key is None:
            click(c.rect)
            self.clicked_at = app.frame
        else:
            press(c.key)
        return True

    # -- the scenes -----------------------------------------------------------------------

    def before_frame(self, app: App) -> None:
        scene = app.scene
        if scene is None or self.clicked_at == app.frame - 1:
            # The click of the last frame lands in this one: clicking again would land on
            # whatever the press opens (a dialog's Cancel where the button was).
            return
        view = scene.bot_view()
        handler = getattr(self, f"on_{scene.name}", None)
        if handler is not None:
            handler(app, view)

    def on_title(self, app: App, view: dict[str, Any]) -> None:
        if self.done_history:
            # Quitting asks first.
            if not self.use(app, "confirm_quit"):
                self.use(app, "quit")
        else:
            self.use(app, "start")

    def on_briefing(self, app: App, view: dict[str, Any]) -> None:
        self.use(app, "begin")

    def on_shift_end(self, app: App, view: dict[str, Any]) -> None:
        self.use(app, "debrief")

    def on_debrief(self, app: App, view: dict[str, Any]) -> None:
        self.debrief_steps += 1
        if self.debrief_steps == 2 and view["cases"]:
            self.use(app, "open")
        elif self.debrief_steps == 4 and view["cases"] > 1:
            self.use(app, "next")
        elif self.debrief_steps >= 6:
            self.use(app, "history")

    def on_history(self, app: App, view: dict[str, Any]) -> None:
        self.done_history = True
        self.use(app, "back")

    def on_desk(self, app: App, view: dict[str, Any]) -> None:
        if view["mode"] == "paused":
            self.use(app, "resume")
            return
        if view["clock_paused"] and view["mode"] == "normal":
            # A resumed shift waits paused at 1x: set the speed and start the clock, then
            # go on at once, as a person who knows where they were would.
            self.use(app, "speed4")
            self.use(app, "pause")
        elif view["speed"] != 4 and view["mode"] == "normal":
            self.use(app, "speed4")
            return
        self.play(app, view)

    def play(self, app: App, view: dict[str, Any]) -> None:
        """What to do at the desk; each bot below plays its own way."""

    # -- desk helpers ---------------------------------------------------------------------

    def select(self, app: App, view: dict[str, Any], case_id: int) -> bool:
        """Bring a case up; True when it is already open."""
        if view["selected"] == case_id:
            return True
        if self.use_mouse:
            for cid, rect in view["cards"]:
                if cid == case_id:
                    click(rect)
                    return False
        tray = view["tray"]
        here = tray.index(view["selected"]) if view["selected"] in tray else -1
        self.use(app, "next" if tray.index(case_id) > here else "previous")
        return False

    def allocate(self, app: App, view: dict[str, Any], pick: int) -> None:
        if view["mode"] != "allocate":
            self.use(app, "allocate")
            return
        workers = view["allocation"]["workers"] if view["allocation"] else []
        if workers:
            self.use(app, f"worker:{workers[min(pick, len(workers) - 1)][0]}")

    def decide(self, app: App, view: dict[str, Any], level: int, priority: str | None) -> None:
        """Choose a threshold, then a priority, then record: one press a frame."""
        if view["level_choice"] != level:
            self.use(app, f"level{level}")
        elif level > 0 and view["priority_choice"] != priority:
            self.use(app, f"priority:{priority}")
        else:
            self.use(app, "record")


def reading(case: dict[str, Any]) -> int:
    """The strongest concern the referral and the checks so far show (0, 1 or 2)."""
    bands = [case["referral_band"]] + [f["band"] for f in case["findings"] if f["band"] is not None]
    return max(bands)


def answers(case: dict[str, Any]) -> list[int]:
    """The bands of the checks that answer the referral.

    When the referral itself alarms, a record entry just as alarming is part of the alarm,
    not an answer to it: the referrer may have read that entry, and an entry that cannot
    be corrected may be wrong (report 4.5). The file, the agencies and a visit test both.
    """
    alarm = case["referral_band"] == 2
    return [
        f["band"]
        for f in case["findings"]
        if f["band"] is not None and not (alarm and f["action"] == "database" and f["band"] == 2)
    ]


def found(case: dict[str, Any]) -> int:
    """The strongest concern the checks alone show (-1 before any answer with a value)."""
    return max(answers(case), default=-1)


def unfounded(case: dict[str, Any], *, visit_possible: bool = False) -> bool:
    """An alarming referral that every answer contradicts: at least two sources read no
    real concern, and a visit has been tried or cannot be fitted in today (report 3.5:
    the false positive)."""
    bands = answers(case)
    visited = any(f["action"] == "visit" and f["done"] for f in case["findings"])
    return (
        case["referral_band"] == 2
        and len(bands) >= 2
        and max(bands) == 0
        and (visited or not visit_possible)
    )


def level_for(case: dict[str, Any], *, visit_possible: bool = False) -> int:
    if unfounded(case, visit_possible=visit_possible):
        return 1  # assess as a child in need rather than start an investigation
    band = reading(case)
    if band == 2:
        return 2
    if band == 1 or case["need_band"] >= 1:
        return 1
    return 0


def priority_for(level: int, concern: str) -> str | None:
    if level == 2:
        return "immediate" if concern in IMMEDIATE else "within_24_hours"
    if level == 1:
        return "within_7_days"
    return None


class ThoroughBot(ScriptedBot):
    name = "thorough"

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.checked: dict[int, float] = {}  # cases whose checks are all asked, and when

    def agencies(self, case: dict[str, Any]) -> list[str]:
        wanted = ["police", "health"]
        if case["concern"] in ("neglect", "emotional", "none"):
            wanted.append("school")
        if case["concern"] == "neglect":
            wanted.append("housing")
        return wanted

    def next_check(self, view: dict[str, Any], case: dict[str, Any]) -> str | None:
        """The next check this case needs, or None when there is nothing more to ask."""
        labels = {f["label"] for f in case["findings"]}
        searches = [f for f in case["findings"] if f["action"] == "database"]
        if not searches:
            return "database"
        if not case["record_found"]:
            # A careful worker tries the short list of likely spellings one by one (the
            # list is not ordered by likelihood) until the record turns up.
            for spelling in case["suggestions"]:
                if f"database '{spelling}'" not in labels:
                    return f"spelling:{spelling}"
        if case["addendum_waiting"]:
            return "addendum"  # the whole record, before anything is made of its entry
        if case["record_found"] and "paper file" not in labels:
            return "file"
        for agency in self.agencies(case):
            if f"agency:{agency}" not in labels:
                return f"agency:{agency}"
        return None

    def waiting(self, case: dict[str, Any], now: float) -> bool:
        """Answers still to come that are worth waiting for (not days overdue)."""
        return any(
            not f["done"] and f["action"] != "file" and now - f["asked_at"] < PATIENCE
            for f in case["findings"]
        )

    def play(self, app: App, view: dict[str, Any]) -> None:
        mode = view["mode"]
        case = view["case"]
        if mode == "database" and case is not None:
            target = self.pending_spelling
            if target and case["spelling_text"] != target:
                if not view["typing"]:
                    self.use(app, "type")  # into the field, then type the spelling
                else:
                    press(pygame.K_a, pygame.KMOD_CTRL)
                    type_text(target)
                return
            self.pending_spelling = None
            if view["typing"]:
                press(pygame.K_RETURN)
            else:
                self.use(app, "search")
            return
        if mode == "agency":
            self.use(app, f"agency:{self.pending_agency}")
            return
        if mode == "handover":
            missing = [k for k in case["handover_facts"] if k not in view["keep"]]
            if missing:
                self.use(app, f"fact:{missing[0]}")
            else:
                self.use(app, "send")
            return
        if mode == "allocate":
            self.allocate(app, view, self.best_worker(view))
            return
        if view["busy"]:
            return
        if view["allocation"] is not None:
            self.allocate(app, view, self.best_worker(view))
            return
        hours_left = (view["ends_at"] - view["now"]) * 24.0
        closing = view["handover_open"] and hours_left < 0.5
        for case_id in view["undecided"]:
            status = view["card_status"].get(case_id)
            patient = view["now"] - self.checked.get(case_id, view["now"]) < PATIENCE
            if status == "waiting" and case_id in self.checked and patient and not closing:
                continue  # its answers are on their way: work another case meanwhile
            if not self.select(app, view, case_id):
                return
            case = view["case"]
            if case is None or case["case_id"] != case_id:
                return
            check = self.next_check(view, case)
            # An alarming referral is checked too (an allegation is not yet a finding);
            # a serious answer ends the checking at once, unless it is a record entry
            # whose addendum is still unread.
            if check is not None and hours_left > 0.75 and (found(case) < 2 or check == "addendum"):
                self.start_check(app, check)
                return
            self.checked.setdefault(case_id, view["now"])
            if self.waiting(case, view["now"]) and found(case) < 2:
                # Answers on their way: hand over in the last half hour (again whenever
                # something new has come in), otherwise work another case meanwhile.
                stale = set(case["handover_facts"]) - set(case["handover_kept"])
                if closing:
                    if not case["handover_written"] or stale:
                        self.use(app, "handover")
                        return
                continue
            found_nothing = all(f["band"] is None for f in case["findings"])
            if (
                found_nothing
                and case["referral_band"] >= 1
                and case["concern"] in ("neglect", "emotional")
                and not any(f["action"] == "visit" for f in case["findings"])
                and hours_left > VISIT_HOURS + 1.0
            ):
                self.use(app, "visit")
                return
            # Checks find nothing behind an alarm: see the child, when the tray allows three
            # hours out of the office.
            visit_possible = (
                not any(f["action"] == "visit" for f in case["findings"])
                and hours_left > VISIT_HOURS + 1.0
                and len(view["undecided"]) <= 2
            )
            if case["referral_band"] == 2 and found(case) == 0 and visit_possible:
                self.use(app, "visit")
                return
            level = level_for(case, visit_possible=visit_possible)
            self.decide(app, view, level, priority_for(level, case["concern"]))
            return

    pending_spelling: str | None = None
    pending_agency: str = "police"

    def start_check(self, app: App, check: str) -> None:
        if check == "database":
            self.pending_spelling = None
            self.use(app, "database")
        elif check.startswith("spelling:"):
            self.pending_spelling = check.split(":", 1)[1]
            self.use(app, "database")
        elif check == "addendum":
            self.use(app, "addendum")
        elif check == "file":
            self.use(app, "file")
        elif check.startswith("agency:"):
            self.pending_agency = check.split(":", 1)[1]
            self.use(app, "agency")

    def best_worker(self, view: dict[str, Any]) -> int:
        """The worker with the most room; experienced staff for protection work."""
        workers = view["allocation"]["workers"] if view["allocation"] else []
        if not workers:
            return 0
        ranked = sorted(
            range(len(workers)),
            key=lambda i: (workers[i][2] / max(1, workers[i][3]), workers[i][0]),
        )
        return ranked[0]


class CarelessBot(ScriptedBot):
    name = "careless"
    use_mouse = True

    def play(self, app: App, view: dict[str, Any]) -> None:
        mode = view["mode"]
        if mode == "database":
            self.use(app, "search")
            return
        if mode == "allocate":
            self.allocate(app, view, 0)
            return
        if mode != "normal" or view["busy"]:
            if mode not in ("normal",):
                self.use(app, "cancel")
            return
        if view["allocation"] is not None:
            self.allocate(app, view, 0)
            return
        for case_id in view["undecided"]:
            if not self.select(app, view, case_id):
                return
            case = view["case"]
            if case is None or case["case_id"] != case_id:
                return
            if not any(f["action"] == "database" for f in case["findings"]):
                self.use(app, "database")
                return
            if any(not f["done"] for f in case["findings"]):
                return
            level = level_for(case)
            # A quick worker: protection cases "within 24 hours", whatever the harm.
            priority = "within_24_hours" if level == 2 else priority_for(level, case["concern"])
            self.decide(app, view, level, priority)
            return


class RandomBot(ScriptedBot):
    """Presses buttons at random: sometimes a check, mostly a decision picked at random
    (any threshold, any priority), allocation to any worker with room."""

    name = "random"

    def play(self, app: App, view: dict[str, Any]) -> None:
        mode = view["mode"]
        if mode != "normal":
            names = [c.name for c in app.controls if c.enabled and c.name != "type"]
            if names:
                self.use_any(app, names[int(self.rng.integers(len(names)))])
            return
        if view["busy"] or self.rng.random() < 0.3:
            return  # a moment's thought
        if view["allocation"] is not None:
            self.use_any(app, "allocate")
            return
        case = view["case"]
        if view["cards"] and (case is None or not case["undecided"] or self.rng.random() < 0.1):
            undecided = [cid for cid, _ in view["cards"] if cid in view["undecided"]]
            if undecided:
                target = undecided[int(self.rng.integers(len(undecided)))]
                rect = dict(view["cards"])[target]
                click(rect)
            return
        if case is None or not case["undecided"]:
            return
        roll = self.rng.random()
        if roll < 0.3:
            checks = ["database", "file", "agency", "visit", "team_leader"]
            self.use_any(app, checks[int(self.rng.integers(len(checks)))])
        elif view["level_choice"] is None:
            self.use_any(app, f"level{int(self.rng.integers(3))}")
        elif view["level_choice"] > 0 and view["priority_choice"] is None:
            priorities = view["priorities"]
            self.use_any(app, f"priority:{priorities[int(self.rng.integers(len(priorities)))]}")
        else:
            self.use_any(app, "record")

    def use_any(self, app: App, name: str) -> None:
        """Press it by key or click it, at random."""
        self.use_mouse = bool(self.rng.random() < 0.5)
        self.use(app, name)


def make_bot(name: str, seed: int) -> ScriptedBot:
    bots = {"thorough": ThoroughBot, "careless": CarelessBot, "random": RandomBot}
    try:
        return bots[name](seed)
    except KeyError:
        raise ValueError(f"unknown bot {name!r}; choose from {', '.join(bots)}") from None


__all__ = [
    "CarelessBot",
    "RandomBot",
    "ThoroughBot",
    "click",
    "make_bot",
    "press",
    "type_text",
]
