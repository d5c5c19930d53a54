"""The trainee's settings, remembered between sessions in a small JSON file.

The file lives in the user's config folder (FRONTDOOR_CONFIG_DIR overrides it, as tests
do). A damaged or unreadable file is not an error: the trainer starts with the defaults
and says so, and the next save writes a good file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import platformdirs

TEXT_SCALES = (1.0, 1.3)  # normal, large


@dataclass(frozen=True)
class Settings:
    large_text: bool = False
    speed: int = 1  # 1, 2 or 4: the last speed used (a new or resumed shift starts at 1x)
    sound: bool = True  # a short tone with each desk cue
    trainee: str = "trainee-1"
    exercise: str = ""

    @property
    def text_scale(self) -> float:
        return TEXT_SCALES[1] if self.large_text else TEXT_SCALES[0]

    def changed(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def settings_path() -> Path:
    base = os.environ.get("FRONTDOOR_CONFIG_DIR") or platformdirs.user_config_dir("frontdoor")
    return Path(base) / "trainer.json"


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The saved settings, and a warning when the file could not be used."""
    where = path or settings_path()
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), None
    except (OSError, ValueError) as exc:
        return Settings(), f"settings file {where} ignored ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return Settings(), f"settings file {where} ignored (not a JSON object)"
    defaults = Settings()
    values = {}
    for name, default in asdict(defaults).items():
        value = data.get(name, default)
        values[name] = value if isinstance(value, type(default)) else default
    if values["speed"] not in (1, 2, 4):
        values["speed"] = 1
    return Settings(**values), None


def save_settings(settings: Settings, path: Path | None = None) -> None:
    where = path or settings_path()
    where.parent.mkdir(parents=True, exist_ok=True)
    temp = where.with_suffix(".tmp")
    temp.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    os.replace(temp, where)  # a crash mid-write never leaves half a file
