"""Decode recordings (any format ffmpeg reads) into the 16 kHz mono samples Whisper expects.

pydub's probe (ffprobe) checks that a file holds audio at all; ffmpeg then decodes, mixes
down and resamples in one streaming pass, so only the 16 kHz mono result is ever held in
memory (about 115 MB per hour), never the original 44.1 kHz stereo.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError
from .files import sha256_file
from .models import AudioSource

SAMPLE_RATE = 16_000
SILENCE_PEAK = 1e-4
"""A recording whose loudest sample is below this (-80 dBFS) holds no usable sound."""


@dataclass(frozen=True)
class LoadedAudio:
    """Samples of one interviewee's recordings joined in order, and what they came from."""

    samples: np.ndarray
    sources: tuple[AudioSource, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def require_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        raise AudioError(
            "ffmpeg is not installed; install it (Debian/Ubuntu: `sudo apt install ffmpeg`, "
            "macOS: `brew install ffmpeg`) and try again"
        )


def describe_source(path: Path) -> AudioSource:
    """Name, size and checksum of a recording, without decoding it."""
    if not path.is_file():
        raise AudioError("recording not found", path)
    size = path.stat().st_size
    if size == 0:
        raise AudioError("recording is empty (0 bytes); copy it again from the recorder", path)
    return AudioSource(path.name, size, sha256_file(path), duration=0.0)


def _check_has_audio(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub.utils import mediainfo_json
    try:
        info = mediainfo_json(str(path))
    except (OSError, ValueError) as exc:
        raise AudioError(f"cannot read the file ({exc})", path) from exc
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", ())):
        raise AudioError("not an audio file: ffmpeg finds no audio stream in it", path)


def decode(path: Path) -> np.ndarray:
    """16 kHz mono float32 samples of one file; any channel count or sample rate."""
    _check_has_audio(path)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn"]
    command += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[-1] if reason else f"ffmpeg exit status {result.returncode}"
        raise AudioError(f"cannot decode audio, the file may be corrupt ({detail})", path)
    samples = np.frombuffer(result.stdout, dtype=np.int16).astype(np.float32) / 32768.0
    if samples.size == 0:
        raise AudioError("recording contains no audio (0 seconds)", path)
    if float(np.abs(samples).max()) < SILENCE_PEAK:
        raise AudioError("recording is silent; check the file or the microphone", path)
    return samples


def load_recordings(paths: Sequence[Path]) -> LoadedAudio:
    """Decode and join an interviewee's recordings in order; timestamps run on across files."""
    require_ffmpeg()
    chunks = []
    sources = []
    for path in paths:
        source = describe_source(path)
        samples = decode(path)
        chunks.append(samples)
        sources.append(
            AudioSource(source.name, source.size, source.sha256, len(samples) / SAMPLE_RATE)
        )
    return LoadedAudio(np.concatenate(chunks), tuple(sources))
