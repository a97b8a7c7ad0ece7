"""Measure transcription speed of the bundled models on the example study's English interview.

Prints the real-time factor (processing seconds per audio second) of each model and
their ratio, all measured in one run on the same audio. Not a test: numbers vary by machine.

    python bench/transcription_speed.py [AUDIO_FILE]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipeline.audio import SAMPLE_RATE, load_recordings
from pipeline.models import TranscriptionSettings
from pipeline.transcribe import create_transcriber

DEFAULT_AUDIO = Path(__file__).resolve().parents[1] / "audio" / "javier-reyes.mp3"


def real_time_factor(model: str, audio_path: Path) -> float:
    audio = load_recordings([audio_path])
    transcriber = create_transcriber(TranscriptionSettings(model=model))
    transcriber.transcribe(audio.samples[:SAMPLE_RATE], language="en")  # load model, warm up
    started = time.perf_counter()
    transcriber.transcribe(audio.samples, language="en")
    return (time.perf_counter() - started) / audio.duration


def main() -> None:
    audio_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_AUDIO
    factors = {model: real_time_factor(model, audio_path) for model in ("base", "tiny.en")}
    for model, factor in factors.items():
        print(f"{model:8s} real-time factor {factor:.3f} ({1 / factor:.1f}x faster than real time)")
    print(f"base / tiny.en time ratio: {factors['base'] / factors['tiny.en']:.2f}")


if __name__ == "__main__":
    main()
