"""Write the desk's cue sounds (arrival.wav, handover.wav, warning.wav) into this folder.

Each is a short chime synthesised with numpy: a few sine partials of a bell-like tone with
a soft attack and an exponential decay, at a modest level (peak at half scale), 16-bit
mono at 22,050 Hz. Generated rather than downloaded, so the sounds carry no licence but
this project's. Run `python assets/sounds/make_sounds.py` to write them again; the output
is byte-identical on every run.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22_050
HERE = Path(__file__).resolve().parent

# (start in seconds, fundamental in Hz, length in seconds) for each note of a cue.
CUES = {
    "arrival": [(0.0, 880.0, 0.45), (0.12, 1318.5, 0.5)],  # a rising fifth: something new
    "handover": [(0.0, 659.3, 0.5), (0.15, 880.0, 0.5), (0.3, 1046.5, 0.6)],  # three steps
    "warning": [(0.0, 987.8, 0.3), (0.35, 987.8, 0.3)],  # the same note twice: time
}
PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.01, 0.12))  # (multiple, amplitude)


def note(freq: float, length: float) -> np.ndarray:
    t = np.arange(int(RATE * length)) / RATE
    tone = sum(a * np.sin(2 * np.pi * freq * m * t) for m, a in PARTIALS)
    attack = np.minimum(1.0, t / 0.008)
    return np.asarray(tone * attack * np.exp(-t * 7.0))


def cue(notes: list[tuple[float, float, float]]) -> np.ndarray:
    end = max(start + length for start, _, length in notes)
    out = np.zeros(int(RATE * end) + 1)
    for start, freq, length in notes:
        piece = note(freq, length)
        at = int(RATE * start)
        out[at : at + len(piece)] += piece
    return out / np.max(np.abs(out)) * 0.5


def write(path: Path, samples: np.ndarray) -> None:
    pcm = np.round(samples * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(pcm.tobytes())


def main() -> None:
    for name, notes in CUES.items():
        write(HERE / f"{name}.wav", cue(notes))


if __name__ == "__main__":
    main()
