"""Decode recordings (any format ffmpeg reads) into the 16 kHz mono samples Whisper expects.

pydub's probe (ffprobe) checks that a file holds audio at all; ffmpeg then decodes, mixes
down and resamples in one streaming pass. For transcription the 16 kHz mono result goes to
an unnamed temporary file (about 115 MB per hour on disk) and is read back one part at a
time, so memory does not grow with the length of the recording.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import AudioError
from .files import sha256_file
from .models import AudioSource

SAMPLE_RATE = 16_000
SILENCE_PEAK = 1e-4
"""A recording whose loudest sample is below this (-80 dBFS) holds no usable sound."""
CHUNK_BYTES = 1 << 20
"""Decoded audio is read from ffmpeg in pieces of this size (about 33 s)."""


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


def probe_duration(path: Path) -> float:
    """Length in seconds from the file's header (no decoding), for progress and planning;
    0.0 when unknown: problems are reported when the file is decoded."""
    command = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    try:
        done = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
        return float(done.stdout.strip() or 0.0)
    except (OSError, ValueError):
        return 0.0


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


def _decode_into(path: Path, sink: BinaryIO) -> int:
    """Stream one file's 16 kHz mono s16le samples into `sink` in small chunks, so memory
    does not grow with the recording's length; returns the number of samples written."""
    _check_has_audio(path)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn"]
    command += ["-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"]
    written = 0
    peak = 0
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        with process.stdout:
            while chunk := process.stdout.read(CHUNK_BYTES):
                usable = len(chunk) // 2 * 2  # only a cut-short last read can be odd
                samples = np.frombuffer(chunk[:usable], dtype=np.int16)
                if samples.size:
                    peak = max(peak, int(np.abs(samples.astype(np.int32)).max()))
                sink.write(chunk[:usable])
                written += samples.size
        returncode = process.wait()
        errors.seek(0)
        reason = errors.read().decode("utf-8", "replace").strip().splitlines()
    if returncode != 0:
        detail = reason[-1] if reason else f"ffmpeg exit status {returncode}"
        raise AudioError(f"cannot decode audio, the file may be corrupt ({detail})", path)
    if written == 0:
        raise AudioError("recording contains no audio (0 seconds)", path)
    if peak / 32768.0 < SILENCE_PEAK:
        raise AudioError("recording is silent; check the file or the microphone", path)
    return written


def _to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0


def _decode_all(paths: Sequence[Path], sink: BinaryIO) -> tuple[AudioSource, ...]:
    require_ffmpeg()
    sources = []
    for path in paths:
        source = describe_source(path)
        count = _decode_into(path, sink)
        sources.append(replace(source, duration=count / SAMPLE_RATE))
    return tuple(sources)


def load_recordings(paths: Sequence[Path]) -> LoadedAudio:
    """Decode and join an interviewee's recordings in order, in memory (short clips, tests);
    timestamps run on across files. Long recordings go through `open_recordings`."""
    sink = io.BytesIO()
    sources = _decode_all(paths, sink)
    return LoadedAudio(_to_float(sink.getvalue()), sources)


class PcmAudio:
    """An interviewee's recordings decoded to 16 kHz mono 16-bit samples in an unnamed
    temporary file. Slicing (`audio[start:end]`) reads just that stretch as float32, so a
    3-hour interview costs about 2 MB of memory per minute of the part being transcribed,
    not 230 MB per hour for all of it."""

    def __init__(self, handle: BinaryIO, sources: tuple[AudioSource, ...]) -> None:
        self._handle = handle
        self.sources = sources
        self._length = handle.seek(0, io.SEEK_END) // 2

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, window: slice) -> np.ndarray:
        start, stop, step = window.indices(self._length)
        if step != 1:
            raise ValueError("PcmAudio supports contiguous slices only")
        if stop <= start:
            return np.zeros(0, dtype=np.float32)
        return _to_float(os.pread(self._handle.fileno(), 2 * (stop - start), 2 * start))

    @property
    def duration(self) -> float:
        return self._length / SAMPLE_RATE


Samples = np.ndarray | PcmAudio
"""Audio the transcription stage slices parts from: in memory, or read from disk."""


@contextmanager
def open_recordings(paths: Sequence[Path]) -> Iterator[PcmAudio]:
    """Decode an interviewee's recordings, joined in order, to a temporary file that is
    gone when the block ends (or the process dies: the file is never named on disk)."""
    with tempfile.TemporaryFile(prefix="interviews-pcm-") as handle:
        sources = _decode_all(paths, handle)
        handle.flush()
        yield PcmAudio(handle, sources)
