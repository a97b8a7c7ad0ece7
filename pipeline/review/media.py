"""The recording the review page plays: one browser-playable file per interviewee whose
timeline is the transcript's (several recordings are joined in order, as transcribed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from ..audio import SAMPLE_RATE, require_ffmpeg
from ..errors import AudioError
from ..models import Interviewee, Study

PLAYABLE = {
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".webm": "audio/webm",
}
"""Formats every Chromium/Firefox build plays and seeks; others are converted."""
CACHE_FOLDER = ".review"


def inside(root: Path, path: Path) -> Path:
    """`path` resolved (links followed), refused unless it lies inside `root`."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise AudioError("recording lies outside the study folder; not served", path)
    return resolved


def playable_audio(study: Study, interviewee: Interviewee) -> tuple[Path, str]:
    """The file to play and its MIME type: the recording itself when a browser can play
    it, else a 16 kHz WAV made once with ffmpeg and cached in transcripts/.review/."""
    sources = [inside(study.root, study.audio_dir / name) for name in interviewee.recordings]
    for source in sources:
        if not source.is_file():
            raise AudioError("recording not found", source)
    if len(sources) == 1 and sources[0].suffix.lower() in PLAYABLE:
        return sources[0], PLAYABLE[sources[0].suffix.lower()]
    return _converted(study, interviewee.id, sources), "audio/wav"


def _converted(study: Study, interviewee_id: str, sources: list[Path]) -> Path:
    key = hashlib.sha256()
    for source in sources:
        stat = source.stat()
        key.update(f"{source.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    folder = study.transcripts_dir / CACHE_FOLDER
    target = folder / f"{interviewee_id}-{key.hexdigest()[:16]}.wav"
    if target.is_file():
        return target
    require_ffmpeg()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{interviewee_id}-*.wav"):
        old.unlink(missing_ok=True)
    partial = folder / f".{target.name}.{os.getpid()}.partial.wav"
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for source in sources:
        command += ["-i", str(source)]
    # Each input made 16 kHz mono first: concat needs one format, and the transcript's
    # timeline is that of the inputs decoded the same way and joined.
    same = "aresample={rate},aformat=sample_fmts=s16:channel_layouts=mono"
    graph = ";".join(f"[{n}:a]{same.format(rate=SAMPLE_RATE)}[a{n}]" for n in range(len(sources)))
    joined = "".join(f"[a{n}]" for n in range(len(sources)))
    graph += f";{joined}concat=n={len(sources)}:v=0:a=1[out]"
    command += ["-filter_complex", graph, "-map", "[out]", str(partial)]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(
            f"cannot convert the recordings for playing ({reason[-1] if reason else 'ffmpeg'})",
            sources[0],
        )
    os.replace(partial, target)
    return target
