"""The trainer's window: the game loop, scenes, buttons with shortcuts, keyboard focus.

One `App` owns the pygame window, a pygame_gui manager and the current `Scene`. Each
frame it reads events, lets the scene step the SimPy clock (in this thread: no threads),
and draws. Every button is a `Control` with a shortcut key shown on it; Tab and
Shift+Tab move a visible focus ring through the controls and Enter or Space presses the
focused one, so everything the mouse can do the keyboard can do. A scene rebuilds its
widgets only when what it shows changes (its `signature`), not every frame.

Headless play (tests, the bots) runs the same loop under SDL's dummy video driver with a
fixed frame time and no waiting; a bot posts keyboard and mouse events with
`pygame.event.post` before each frame, exactly as a person's input would arrive.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pygame
import pygame_gui

from trainer.settings import Settings, save_settings
from trainer.theme import ASSETS, BLACK, PAPER, YELLOW, Typeface, gui_theme

if TYPE_CHECKING:
    from trainer.store import SessionStore

WINDOW = (1280, 720)
SOUNDS = ASSETS / "sounds"
HEADLESS_FRAME_SECONDS = 0.5  # virtual seconds per frame when nobody is watching

# Keys 1-9, which pick the n-th item of a list on every screen.
NUMBER_KEYS = [
    pygame.K_1,
    pygame.K_2,
    pygame.K_3,
    pygame.K_4,
    pygame.K_5,
    pygame.K_6,
    pygame.K_7,
    pygame.K_8,
    pygame.K_9,
]


@dataclass
class Control:
    """A button: what it does, its shortcut, and where it is on screen."""

    name: str
    label: str
    key: int | None
    action: Callable[[], object]  # what it returns is ignored
    element: Any  # pygame_gui element
    enabled: bool = True

    @property
    def rect(self) -> pygame.Rect:
        return pygame.Rect(self.element.rect)


class Bot(Protocol):
    """A headless player: posts input events before each frame."""

    def before_frame(self, app: App) -> None: ...


class Scene:
    """One screen of the trainer."""

    name = "scene"

    def __init__(self, app: App) -> None:
        self.app = app

    def build(self) -> None:
        """Create this scene's widgets (called on entry and whenever `signature` changes)."""

    def signature(self) -> tuple[Any, ...]:
        return ()

    def handle(self, event: pygame.event.Event) -> bool:
        """Scene-specific input; True when used."""
        return False

    def update(self, dt: float) -> None:
        """Advance by `dt` seconds of (real or virtual) time."""

    def draw(self, surface: pygame.Surface) -> None:
        """Draw what pygame_gui does not (drawn before the widgets)."""

    def bot_view(self) -> dict[str, Any]:
        """What is on screen, in plain values, for a headless player to read."""
        return {}


class App:
    """The window, the loop and the scenes."""

    def __init__(
        self,
        *,
        settings: Settings,
        settings_file: Path | None,
        store: SessionStore | None,
        headless: bool = False,
        bot: Bot | None = None,
        screenshots: Path | None = None,
        size: tuple[int, int] = WINDOW,
        wall_clock: Callable[[], float] = time.time,
        max_frames: int | None = None,
        pace: float = 0.0,
    ) -> None:
        self.settings = settings
        self.settings_file = settings_file
        self.store = store
        self.headless = headless
        self.bot = bot
        self.screenshots = screenshots
        self.wall_clock = wall_clock
        self.max_frames = max_frames
        self.pace = pace  # real seconds between headless frames (to watch, or to test)
        self.frame = 0
        self.running = True
        self.result: dict[str, Any] | None = None  # the last shift's score
        self.saved_scenes: set[str] = set()
        self.error: str | None = None
        if headless:
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.display.init()
        pygame.font.init()
        flags = 0 if headless else pygame.RESIZABLE
        self.screen = pygame.display.set_mode(size, flags)
        pygame.display.set_caption("Front Door: the duty desk")
        pygame.key.set_repeat(400, 40)
        self.clock = pygame.time.Clock()
        self.type = Typeface(settings.text_scale)
        self.manager = self._new_manager()
        self.controls: list[Control] = []
        self.entries: list[Any] = []
        self.focus = -1
        self.scene: Scene | None = None
        self._signature: tuple[Any, ...] | None = None
        self._want_shot: str | None = None
        # What was typed into each named field, kept across rebuilds of the same screen.
        self._typed: dict[str, tuple[str, bool]] = {}
        self._swallow_text = False  # a shortcut's key is not also typed into a field
        self._idle_frames = 0

    # -- building -----------------------------------------------------------------------

    def _new_manager(self) -> pygame_gui.UIManager:
        manager = pygame_gui.UIManager(
            self.screen.get_size(),
            theme_path=gui_theme(self.settings.text_scale),
            enable_live_theme_updates=False,
        )
        return manager

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.get_size()

    def set_scene(self, scene: Scene) -> None:
        self.scene = scene
        self.focus = -1
        self._rebuild()
        self._want_shot = scene.name

    def _rebuild(self) -> None:
        focused = self.controls[self.focus].name if 0 <= self.focus < len(self.controls) else None
        # Text typed into a field survives the rebuild (an answer arriving while the
        # trainee types a spelling must not wipe it); a field not built again forgets it.
        self._typed = {
            getattr(e, "field_name", ""): (e.get_text(), bool(e.is_focused))
            for e in self.entries
            if getattr(e, "field_name", "")
        }
        self.manager.clear_and_reset()
        self.controls = []
        self.entries = []
        if self.scene is not None:
            self.scene.build()
            self._signature = self.scene.signature()
        self._typed = {}
        names = [c.name for c in self.controls]
        self.focus = names.index(focused) if focused in names else -1

    def rebuild(self) -> None:
        """Build the current scene again now (after a change the signature cannot see)."""
        self._rebuild()

    def clock_controls(
        self,
        *,
        speeds: dict[int, int],
        current: int,
        on_speed: Callable[[int], None],
        paused: bool,
        on_pause: Callable[[], None],
        height: int,
        speed_width: int,
        pause_width: int,
        x: int = 330,
    ) -> int:
        """The speed buttons and the pause button of a running clock, left to right from
        `x`; returns the x where the next button goes."""
        for key, speed in speeds.items():
            self.button(
                f"speed{speed}",
                f"{speed}x",
                (x, 10, speed_width, height),
                partial(on_speed, speed),
                key=key,
                style="chosen" if speed == current else None,
            )
            x += speed_width + 6
        self.button(
            "pause",
            "Resume" if paused else "Pause",
            (x + 10, 10, pause_width, height),
            on_pause,
            key=pygame.K_p,
            style="chosen" if paused else None,
        )
        return x

    def button(
        self,
        name: str,
        label: str,
        rect: pygame.Rect | tuple[int, int, int, int],
        action: Callable[[], object],
        *,
        key: int | None = None,
        enabled: bool = True,
        style: str | None = None,
    ) -> Control:
        shortcut = f" [{key_name(key)}]" if key is not None else ""
        element = pygame_gui.elements.UIButton(
            relative_rect=pygame.Rect(rect),
            text=f"{label}{shortcut}",
            manager=self.manager,
            object_id=pygame_gui.core.ObjectID(object_id=f"#{style}") if style else None,
        )
        if not enabled:
            element.disable()
        control = Control(name, label, key, action, element, enabled)
        self.controls.append(control)
        return control

    def button_width(self, label: str, key: int | None = None, minimum: int = 0) -> int:
        """The width a button needs for its label and shortcut at the current text size."""
        shortcut = f" [{key_name(key)}]" if key is not None else ""
        return max(minimum, self.type.width(f"{label}{shortcut}", "body", bold=True) + 30)

    def button_row(
        self,
        left: Sequence[tuple[str, str, Callable[[], None], int | None, str | None, bool]],
        right: Sequence[tuple[str, str, Callable[[], None], int | None, str | None, bool]],
        *,
        bottom: int,
        height: int,
        x0: int = 20,
        x1: int | None = None,
    ) -> int:
        """Buttons along the bottom of a screen: `left` from the left edge, `right` from the
        right edge, each as wide as its words; rows are added upwards when they do not fit
        side by side. Returns the top of the top row."""
        x1 = self.size[0] - 20 if x1 is None else x1
        gap = 8
        rows: list[list[tuple[Any, int, bool]]] = [[]]
        used = 0
        for at_right, specs in ((False, left), (True, right)):
            for spec in specs:
                width = self.button_width(spec[1], spec[3])
                if rows[-1] and used + width > x1 - x0:
                    rows.append([])
                    used = 0
                rows[-1].append((spec, width, at_right))
                used += width + gap
        y = bottom - height
        for row in reversed(rows):
            x = x0
            right_x = x1
            for spec, width, _ in reversed([r for r in row if r[2]]):
                right_x -= width
                self._row_button(spec, (right_x, y, width, height))
                right_x -= gap
            for spec, width, _ in [r for r in row if not r[2]]:
                self._row_button(spec, (x, y, width, height))
                x += width + gap
            y -= height + gap
        return y + height + gap

    def _row_button(self, spec: Any, rect: tuple[int, int, int, int]) -> None:
        name, label, action, key, style, enabled = spec
        self.button(name, label, rect, action, key=key, style=style, enabled=enabled)

    def entry(self, rect: pygame.Rect, text: str = "", *, length: int = 40, name: str = "") -> Any:
        """A text field; a `name`d field keeps what was typed (and its focus) when the
        screen is rebuilt around it."""
        element = pygame_gui.elements.UITextEntryLine(
            relative_rect=pygame.Rect(rect), manager=self.manager
        )
        element.set_text_length_limit(length)
        kept = self._typed.get(name) if name else None
        element.set_text(kept[0] if kept else text)
        # Our own tag on the pygame_gui element (read back with getattr above).
        setattr(element, "field_name", name)  # noqa: B010
        if kept and kept[1]:
            element.focus()
        self.entries.append(element)
        return element

    def typing(self) -> bool:
        return any(e.is_focused for e in self.entries)

    def apply_settings(self, settings: Settings) -> None:
        """Change and remember the settings; a new text size rebuilds every font."""
        scale_changed = settings.text_scale != self.settings.text_scale
        self.settings = settings
        if self.settings_file is not None:
            save_settings(settings, self.settings_file)
        if scale_changed:
            self.type = Typeface(settings.text_scale)
            self.manager = self._new_manager()
        self._rebuild()

    def play_sound(self, name: str) -> None:
        """A short tone from assets/sounds (a cue), unless sound is off or there is no
        audio device; the mixer starts on the first cue, not at launch."""
        if not self.settings.sound or self.headless:
            return
        sounds: dict[str, Any] | None = getattr(self, "_sounds", None)
        if sounds is None:
            sounds = {}
            try:
                pygame.mixer.init()
            except pygame.error:
                self.settings = self.settings.changed(sound=False)  # no device: stay silent
                return
            self._sounds = sounds
        sound = sounds.get(name)
        if sound is None:
            path = SOUNDS / f"{name}.wav"
            if not path.exists():
                return
            sound = sounds[name] = pygame.mixer.Sound(str(path))
        sound.play()

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        while self.running:
            if self.headless:
                dt = HEADLESS_FRAME_SECONDS
            else:
                # A still screen is drawn ten times a second, a moving one sixty.
                dt = self.clock.tick(10 if self._idle_frames > 3 else 60) / 1000.0
            self.step(dt)
            if self.headless and self.pace > 0:
                time.sleep(self.pace)
            if self.max_frames is not None and self.frame >= self.max_frames:
                self.error = f"stopped after {self.max_frames} frames"
                break
        pygame.display.quit()

    def step(self, dt: float) -> None:
        """One frame: input, the scene's update, drawing."""
        self.frame += 1
        if self.bot is not None:
            self.bot.before_frame(self)
        events = pygame.event.get()
        for event in events:
            self._dispatch(event)
            if not self.running:
                return
        scene = self.scene
        if scene is None:
            return
        scene.update(dt)
        if self.scene is not scene:
            # The update moved to another scene: show it at once (built by set_scene).
            self.manager.update(dt)
            self.draw()
            return
        changed = scene.signature() != self._signature
        if changed:
            self._rebuild()
        moving = bool(getattr(scene, "animating", lambda: False)())
        self._idle_frames = 0 if (events or changed or moving) else self._idle_frames + 1
        self.manager.update(dt)
        if self._idle_frames <= 3 or self._idle_frames % 5 == 0 or self.headless:
            self.draw()

    def _paint(self) -> None:
        self.screen.fill(PAPER)
        if self.scene is not None:
            self.scene.draw(self.screen)
        self.manager.draw_ui(self.screen)
        self._draw_focus()

    def capture(self, name: str, enter: Callable[[], None], leave: Callable[[], None]) -> None:
        """Screenshots: save the screen in a state the player may never reach (a menu, a
        question), entered and left again without a frame passing."""
        if self.screenshots is None or name in self.saved_scenes:
            return
        enter()
        self._rebuild()
        self.manager.update(0.0)
        self._paint()
        self.save_screenshot(name)
        leave()
        self._rebuild()
        self.manager.update(0.0)
        self._paint()

    def draw(self) -> None:
        self._paint()
        after = getattr(self.scene, "after_draw", None)
        if callable(after) and self.screenshots is not None:
            after()
        pygame.display.flip()
        if self._want_shot and self.screenshots is not None and self.scene is not None:
            if self.scene.name not in self.saved_scenes and self.scene_ready_for_shot():
                self.save_screenshot(self.scene.name)
                self._want_shot = None

    def scene_ready_for_shot(self) -> bool:
        ready = getattr(self.scene, "ready_for_screenshot", None)
        return bool(ready()) if callable(ready) else True

    def save_screenshot(self, name: str) -> Path | None:
        if self.screenshots is None:
            return None
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        pygame.image.save(self.screen, str(path))
        self.saved_scenes.add(name)
        return path

    def want_screenshot(self) -> None:
        if self.scene is not None:
            self._want_shot = self.scene.name

    def _draw_focus(self) -> None:
        if 0 <= self.focus < len(self.controls):
            rect = self.controls[self.focus].rect.inflate(8, 8)
            pygame.draw.rect(self.screen, BLACK, rect, 3, border_radius=6)
            pygame.draw.rect(self.screen, YELLOW, rect.inflate(-4, -4), 2, border_radius=5)

    def _dispatch(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE and not self.headless:
            w, h = max(1000, event.w), max(600, event.h)  # the smallest layout tested
            self.screen = pygame.display.set_mode((w, h), pygame.RESIZABLE)
            self.manager.set_window_resolution((w, h))
            self._rebuild()
            return
        if event.type == pygame.TEXTINPUT and self._swallow_text:
            self._swallow_text = False
            return  # the letter of a shortcut just pressed
        if event.type == pygame.KEYUP:
            self._swallow_text = False
        if event.type == pygame.KEYDOWN and self._key(event):
            self._swallow_text = True
            return
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for control in self.controls:
                if control.element is event.ui_element and control.enabled:
                    self._press(control)
                    return
        if self.manager.process_events(event):
            return
        if self.scene is not None:
            self.scene.handle(event)

    def _key(self, event: pygame.event.Event) -> bool:
        """Keyboard: focus, activation and shortcuts (unless typing into a text field)."""
        key = event.key
        if self.typing() and key not in (pygame.K_ESCAPE, pygame.K_TAB, pygame.K_RETURN):
            return False
        if key == pygame.K_TAB:
            live = [i for i, c in enumerate(self.controls) if c.enabled]
            if live:
                step = -1 if event.mod & pygame.KMOD_SHIFT else 1
                if self.focus in live:
                    at = (live.index(self.focus) + step) % len(live)
                else:
                    at = 0 if step > 0 else len(live) - 1
                self.focus = live[at]
                for e in self.entries:
                    e.unfocus()
            return True
        if key in (pygame.K_RETURN, pygame.K_SPACE, pygame.K_KP_ENTER) and not self.typing():
            if 0 <= self.focus < len(self.controls) and self.controls[self.focus].enabled:
                self._press(self.controls[self.focus])
                return True
        if self.scene is not None and self.scene.handle(event):
            return True
        if event.mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_META):
            return False
        for control in self.controls:
            if control.key == key and control.enabled:
                self._press(control)
                return True
        return False

    def _press(self, control: Control) -> None:
        """Do what a button does, then rebuild at once if the screen changed, so that the
        next event in the same frame meets the buttons now on screen, not the old ones."""
        control.action()
        if self.scene is not None and self.running and self.scene.signature() != self._signature:
            self._rebuild()


_KEY_NAMES = {
    pygame.K_RETURN: "Enter",
    pygame.K_ESCAPE: "Esc",
    pygame.K_SPACE: "Space",
    pygame.K_UP: "Up",
    pygame.K_DOWN: "Down",
    pygame.K_F1: "F1",
    pygame.K_F2: "F2",
    pygame.K_F3: "F3",
    pygame.K_PAGEUP: "PgUp",
    pygame.K_PAGEDOWN: "PgDn",
}


def key_name(key: int | None) -> str:
    if key is None:
        return ""
    return _KEY_NAMES.get(key) or pygame.key.name(key).upper()


__all__ = ["App", "Bot", "Control", "HEADLESS_FRAME_SECONDS", "Scene", "WINDOW", "key_name"]
