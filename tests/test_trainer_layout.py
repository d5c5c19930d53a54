"""Every scene and dialog of the trainer laid out at three window sizes and two text sizes.

The real interface is rendered under SDL's dummy driver; a thorough bot plays the first
hours of a shift so that the in-tray, findings and the handover tray are full. At each size
and text scale every screen is built and drawn, and then:

- every interactive rectangle (buttons, text fields, in-tray cards) lies inside the
  window, and no two of them overlap;
- every button's words fit its width;
- the case, team and debrief panels scroll instead of overprinting (their content is
  taller than the panel at the smallest size, and the scroller says so).
"""

from __future__ import annotations

import itertools
from typing import Any

import pygame
import pytest
from trainer_support import EXERCISES

from trainer.bots import ThoroughBot
from trainer.game import Game, catalogue
from trainer.settings import Settings
from trainer.ui import App

SIZES = ((1000, 600), (1280, 720), (1920, 1080))
SCALES = (False, True)


def resize(app: App, size: tuple[int, int], large: bool) -> None:
    app.screen = pygame.display.set_mode(size)
    app.manager.set_window_resolution(size)
    app.apply_settings(app.settings.changed(large_text=large))
    app.rebuild()
    app.draw()


def interactive(app: App) -> list[tuple[str, pygame.Rect]]:
    out = [(c.name, c.rect) for c in app.controls]
    out += [(f"field{i}", pygame.Rect(e.rect)) for i, e in enumerate(app.entries)]
    scene: Any = app.scene
    if scene is not None and scene.name == "desk" and scene.mode == "normal":
        out += [(f"card{cid}", rect) for cid, rect in scene._card_rects()]
    return out


def problems(app: App, where: str) -> list[str]:
    found = []
    window = pygame.Rect((0, 0), app.size)
    items = interactive(app)
    for name, rect in items:
        if not window.contains(rect):
            found.append(f"{where}: {name} {tuple(rect)} leaves the window")
    for (a, ra), (b, rb) in itertools.combinations(items, 2):
        if ra.colliderect(rb):
            found.append(f"{where}: {a} {tuple(ra)} overlaps {b} {tuple(rb)}")
    for c in app.controls:
        text = c.element.text
        if app.type.width(text, "body", bold=True) > c.rect.width - 8:
            found.append(f"{where}: the words of {c.name} ({text!r}) do not fit")
    return found


def check_all(app: App, states: dict[str, Any]) -> list[str]:
    """Each state (a function that puts the app in it) at each size and scale."""
    found: list[str] = []
    for size, large in itertools.product(SIZES, SCALES):
        for name, enter in states.items():
            enter()
            resize(app, size, large)
            found += problems(app, f"{name} at {size[0]}x{size[1]}{' large' if large else ''}")
    return found


@pytest.fixture(scope="module")
def played() -> tuple[App, Game]:
    """A shift played by the thorough bot into the handover hour (answers, cards, a
    handover tray), then left to the test."""
    bot = ThoroughBot(1)
    app = App(settings=Settings(), settings_file=None, store=None, headless=True, bot=bot)
    game = Game(
        app, entries=catalogue([EXERCISES["03_last_hour_handover"]], None), seed=1, trainee="t"
    )
    game.to_title()
    for _ in range(5000):
        app.step(0.5)
        scene: Any = app.scene
        if scene.name == "desk" and scene.desk.handover_open() and scene.mode == "normal":
            break
    app.bot = None
    assert app.scene is not None and app.scene.name == "desk"
    return app, game


def test_desk_and_every_dialog_at_every_size(played: tuple[App, Game]) -> None:
    app, _ = played
    scene: Any = app.scene
    undecided = scene.desk.undecided()
    if undecided:
        scene._select(undecided[0])

    def mode(m: str) -> Any:
        def enter() -> None:
            scene.mode = m

        return enter

    states = {m: mode(m) for m in ("normal", "database", "agency", "confirm_end", "paused")}
    if undecided:
        states["handover"] = mode("handover")
    if scene.desk.awaiting_allocation() is not None:
        states["allocate"] = mode("allocate")
    found = check_all(app, states)
    scene.mode = "normal"
    assert found == [], "\n".join(found[:20])


def test_case_panel_scrolls_when_its_findings_do_not_fit(played: tuple[App, Game]) -> None:
    app, _ = played
    scene: Any = app.scene
    scene.mode = "normal"
    busiest = max(scene.desk.tray, key=lambda c: len(scene.desk.findings_for(c)))
    scene._select(busiest)
    resize(app, (1000, 600), True)
    assert len(scene.desk.findings_for(busiest)) >= 4
    assert scene.case_scroll.overflows  # the findings do not fit, so the panel scrolls
    top = scene.case_scroll.offset
    pygame.mouse.set_pos(scene.case_scroll.rect.center)
    scene.case_scroll.scroll(40)
    assert scene.case_scroll.offset > top
    # and the text stops above the buttons: the scroll area ends where they start
    assert scene.case_scroll.rect.bottom <= scene._buttons_top()


def test_other_scenes_at_every_size(played: tuple[App, Game]) -> None:
    app, game = played
    scene: Any = app.scene
    scene._end_shift()
    assert app.scene.name == "shift_end"
    found = check_all(app, {"shift_end": lambda: None})
    game.to_debrief()
    debrief: Any = app.scene

    def detail(flag: bool) -> Any:
        def enter() -> None:
            debrief.detail = flag

        return enter

    found += check_all(app, {"debrief": detail(False), "debrief_case": detail(True)})
    game.to_history()
    found += check_all(app, {"history": lambda: None})
    game.to_title()

    def asking(flag: bool) -> Any:
        def enter() -> None:
            game.asking_to_quit = flag

        return enter

    found += check_all(app, {"title": asking(False), "title_quit": asking(True)})
    # The title with the whole library (pages of exercises) and each page shown.
    full = catalogue(sorted(EXERCISES.values()), None)
    game.entries = full
    for index in (0, len(full) - 1):
        game.selected = index
        found += check_all(app, {f"title, exercise {index}": lambda: None})
    game.entries, game.selected = full[:1], 0
    game.asking_to_quit = False
    game.to_briefing()
    found += check_all(app, {"briefing": lambda: None})
    assert found == [], "\n".join(found[:20])


def test_replay_case_panel_uses_the_room_of_the_buttons_it_does_not_have(tmp_path) -> None:
    """A replay cannot act, so its case panel has no buttons; its text runs to the panel's
    foot instead of stopping where the live desk's buttons would start (at 1000x600 with
    large text that left room for about two lines of the case)."""
    from trainer_support import FIXED_WALL, play_app

    from trainer.reconstruct import recorded_session
    from trainer.scenes.replay_scene import ReplayScene
    from trainer.store import SessionStore

    store = SessionStore.open(tmp_path / "shifts.sqlite3")
    played_app, _ = play_app("03_last_hour_handover", "thorough", 1, store=store)
    assert played_app.result is not None

    size = (1000, 600)
    app = App(
        settings=Settings(large_text=True),
        settings_file=None,
        store=store,
        headless=True,
        size=size,
        wall_clock=lambda: FIXED_WALL,
    )
    game = Game(app, entries=[], seed=None, trainee="t-class")
    app.game = game
    scene = ReplayScene(app, game, recorded_session(store, 1), speed=16)
    app.set_scene(scene)
    # Watch until the case on screen is undecided with several answers (the live desk
    # would show three rows of buttons under it).
    for _ in range(3000):
        app.step(0.5)
        sel = scene.selected
        if sel is not None and len(scene.desk.findings_for(sel)) >= 3:
            if sel in scene.desk.undecided():
                break
    else:
        raise AssertionError("the replay never showed an undecided case with three answers")
    scene.paused = True
    resize(app, size, True)
    centre = scene.layout.centre_rect
    text = scene.case_scroll.rect
    assert not any(c.rect.colliderect(centre) for c in app.controls)  # no buttons on it
    assert text.bottom >= centre.bottom - 20, (tuple(text), tuple(centre))
    lines = text.height // app.type.line_height("small")
    assert lines >= 15, lines
    shown = min(scene.case_scroll.content_h, text.height)
    assert shown >= 12 * app.type.line_height("small"), shown  # and the case fills it
    store.close()


@pytest.fixture(scope="module")
def many_slices() -> tuple[App, Any]:
    """Exercise 21's debrief (its hidden-risk case has ten defences or more), played by the
    thorough bot and opened at the case with the most slices."""
    app = App(
        settings=Settings(), settings_file=None, store=None, headless=True, bot=ThoroughBot(1)
    )
    game = Game(app, entries=catalogue([EXERCISES["21_at_the_window"]], None), seed=1, trainee="t")
    game.to_title()
    for _ in range(20_000):
        app.step(0.5)
        if app.scene is not None and app.scene.name == "debrief":
            break
    app.bot = None
    debrief: Any = app.scene
    assert debrief is not None and debrief.name == "debrief"
    cases = debrief.debrief.cases
    debrief.selected = max(range(len(cases)), key=lambda i: len(cases[i].slices))
    debrief.detail = True
    return app, debrief


def slice_problems(app: App, drawn: list[tuple[Any, pygame.Rect]], where: str) -> list[str]:
    """Slices whose rectangles (cheese, status word and name) overlap, or that are
    narrower than their status word or a word of their name."""
    from trainer.scenes.common import mark_width
    from trainer.theme import STATUS_MARKS

    t = app.type
    found = []
    for (a, ra), (b, rb) in itertools.combinations(drawn, 2):
        if ra.colliderect(rb):
            found.append(f"{where}: {a.barrier} {tuple(ra)} overlaps {b.barrier} {tuple(rb)}")
    for s, rect in drawn:
        status = "unused" if s.held is None else ("held" if s.held else "holed")
        widest = max([t.width(w, "small") for w in s.barrier.split()])
        need = max(widest, mark_width(STATUS_MARKS[status], t))
        if rect.width < need:
            found.append(f"{where}: {s.barrier} is {rect.width} wide, its words need {need}")
    return found


def test_debrief_slices_wrap_into_rows_without_overlapping(many_slices) -> None:
    app, debrief = many_slices
    slices = debrief.debrief.cases[debrief.selected].slices
    assert len(slices) >= 10
    found: list[str] = []
    rows_at_smallest = 0
    for size, large in itertools.product(((1000, 600), (1280, 720)), SCALES):
        resize(app, size, large)
        where = f"{size[0]}x{size[1]}{' large' if large else ''}"
        drawn = debrief.drawn_slices
        assert [s for s, _ in drawn] == list(slices), where  # every slice was drawn
        found += slice_problems(app, drawn, where)
        panel_area = debrief.scrollers[3].rect
        found += [
            f"{where}: {s.barrier} {tuple(r)} leaves the panel {tuple(panel_area)}"
            for s, r in drawn
            if r.x < panel_area.x or r.right > panel_area.right
        ]
        if size == (1000, 600) and large:
            rows_at_smallest = len({r.y for _, r in drawn})
    assert found == [], "\n".join(found[:20])
    assert rows_at_smallest >= 3  # ten slices do not fit one row at 1000x600, large text


def test_debrief_few_slices_stay_in_one_row(many_slices) -> None:
    app, debrief = many_slices
    slices = debrief.debrief.cases[debrief.selected].slices
    for size, large in itertools.product(((1000, 600), (1280, 720)), SCALES):
        resize(app, size, large)
        area = pygame.Rect(debrief.scrollers[3].rect)
        debrief._draw_slices(app.screen, slices[:3], area)
        drawn = debrief.drawn_slices
        assert len({r.y for _, r in drawn}) == 1, (size, large, [tuple(r) for _, r in drawn])
        assert slice_problems(app, drawn, f"{size}") == []


def test_an_undecided_case_keeps_room_for_its_text_at_the_smallest_size() -> None:
    """At 1000x600 with large text an undecided case's buttons (five checks, three levels,
    three priorities and Record decision) once took seven rows and left the case about
    three lines of text; they take shorter words where that saves a row, and the text
    keeps room for six lines or more, with every button in the panel and none overlapping."""
    from trainer.scenes.desk_case import PRIORITY_KEYS

    size = (1000, 600)
    app = App(
        settings=Settings(large_text=True),
        settings_file=None,
        store=None,
        headless=True,
        size=size,
    )
    game = Game(
        app, entries=catalogue([EXERCISES["04_the_charming_partner"]], None), seed=7, trainee="t"
    )
    app.game = game  # type: ignore[attr-defined]
    game.to_title()
    game.to_briefing()
    game.to_desk()
    scene: Any = app.scene
    for _ in range(2000):
        if scene.selected is not None:
            break
        app.step(0.5)
    assert scene.selected in scene.desk.undecided()
    resize(app, size, True)
    names = {c.name for c in app.controls}
    wanted = {"database", "file", "agency", "visit", "team_leader", "record"}
    wanted |= {"level0", "level1", "level2"} | {f"priority:{p}" for p in PRIORITY_KEYS}
    assert wanted <= names, wanted - names
    centre = scene.layout.centre_rect
    for c in app.controls:
        if c.name in wanted:
            assert centre.contains(c.rect), (c.name, tuple(c.rect), tuple(centre))
    assert problems(app, "1000x600 large, undecided case") == []
    text = scene.case_scroll.rect
    lines = text.height // app.type.line_height("small")
    assert lines >= 6, (lines, tuple(text))
    assert text.bottom <= scene._buttons_top()
