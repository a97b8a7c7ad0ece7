"""Decode recordings (any format ffmpeg reads) into the 16 kHz mono samples Whisper expects."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError
from .files import sha256_file
from .models import AudioSource

SAMPLE_RATE = 16_000
AUDIO_EXTENSIONS = (".wav", ".mp3", ".m4a", ".ogg", ".opus", ".flac", ".wma", ".aac", ".mp4")


@dataclass(frozen=True)
class LoadedAudio:
    """Samples of one interviewee's recordings joined in order, and what they came from."""

    samples: np.ndarray
    sources: tuple[AudioSource, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def require_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None:
        raise AudioError(
            "ffmpeg is not installed; install it (Debian/Ubuntu: `sudo apt install ffmpeg`, "
            "macOS: `brew install ffmpeg`) and try again"
        )


def describe_source(path: Path) -> AudioSource:
    """Name, size and checksum of a recording, without decoding it."""
    if not path.is_file():
        raise AudioError("recording not found", path)
    return AudioSource(path.name, path.stat().st_size, sha256_file(path), duration=0.0)


def load_recordings(paths: Sequence[Path]) -> LoadedAudio:
    """Decode and concatenate recordings; stereo is mixed down, any rate resampled."""
    require_ffmpeg()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
        from pydub.exceptions import CouldntDecodeError

    chunks = []
    sources = []
    for path in paths:
        source = describe_source(path)
        try:
            segment = AudioSegment.from_file(path)
        except (CouldntDecodeError, IndexError, OSError) as exc:
            raise AudioError(f"cannot decode audio ({type(exc).__name__})", path) from exc
        segment = segment.set_channels(1).set_frame_rate(SAMPLE_RATE).set_sample_width(2)
        samples = np.frombuffer(segment.raw_data, dtype=np.int16).astype(np.float32) / 32768.0
        if samples.size == 0:
            raise AudioError("recording contains no audio", path)
        chunks.append(samples)
        sources.append(
            AudioSource(source.name, source.size, source.sha256, len(samples) / SAMPLE_RATE)
        )
    return LoadedAudio(np.concatenate(chunks), tuple(sources))
