"""Transcription stage: pick an engine, transcribe an interviewee, cache the result.

A transcript is reused while its audio checksums, engine, model and decoding settings
are unchanged, so re-running a batch only does the unfinished work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from ..audio import describe_source, load_recordings
from ..errors import ModelError, TranscriptError
from ..files import write_json, write_output
from ..models import Guide, Interviewee, Provenance, Study, Transcript, TranscriptionSettings
from ..speakers import label_segments, resolve_mode, voice_turns
from .base import Decoded, ProgressCallback, Transcriber
from .channels import transcribe_channels
from .parts import transcribe_in_parts
from .quality import flag_segments, repair_vocabulary_echoes
from .writers import TRANSCRIPT_WRITERS

__all__ = [
    "Decoded",
    "ProgressCallback",
    "Transcriber",
    "create_transcriber",
    "guide_vocabulary",
    "load_transcript",
    "transcribe_interviewee",
    "transcript_path",
]


def _faster(settings: TranscriptionSettings) -> Transcriber:
    from .faster import FasterWhisperTranscriber

    return FasterWhisperTranscriber(settings)


def _openai(settings: TranscriptionSettings) -> Transcriber:
    from .openai_whisper import OpenAIWhisperTranscriber

    return OpenAIWhisperTranscriber(settings)


ENGINES: dict[str, Callable[[TranscriptionSettings], Transcriber]] = {
    "faster-whisper": _faster,
    "openai-whisper": _openai,
}


def create_transcriber(settings: TranscriptionSettings) -> Transcriber:
    """Build the configured engine; its heavy imports happen only here."""
    try:
        factory = ENGINES[settings.engine]
    except KeyError:
        raise ModelError(
            f"unknown engine {settings.engine!r} (choose from: {', '.join(ENGINES)})"
        ) from None
    return factory(settings)


def transcript_path(study: Study, interviewee_id: str) -> Path:
    return study.transcripts_dir / f"{interviewee_id}.json"


def load_transcript(path: Path) -> Transcript:
    try:
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise TranscriptError(
            "transcript not found; run `interviews transcribe` first", path
        ) from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise TranscriptError(f"transcript is unreadable ({exc})", path) from exc


def _cache_settings(
    transcriber: Transcriber,
    settings: TranscriptionSettings,
    language: str | None,
    vocabulary: Sequence[str],
    speakers: str,
) -> dict[str, Any]:
    """`speakers` only when labels are made, so transcripts from before it still match."""
    return {
        **settings.cache_key(),
        "engine": transcriber.engine,
        "language": language,
        "vocabulary": list(vocabulary),
        **({"speakers": speakers} if speakers != "none" else {}),
    }


def guide_vocabulary(guide: Guide, interviewee: Interviewee) -> list[str]:
    """Terms to prime the decoder with: the guide's vocabulary, the person and their employer."""
    terms = [*guide.vocabulary, interviewee.name, interviewee.organisation]
    return list(dict.fromkeys(t for t in terms if t))


def _is_current(
    transcript: Transcript, sources_sha: list[str], settings: dict[str, Any], model_sha: str
) -> bool:
    prov = transcript.provenance
    return (
        [s.sha256 for s in prov.sources] == sources_sha
        and prov.settings == settings
        and prov.model_sha256 == model_sha
    )


def transcribe_interviewee(
    study: Study,
    interviewee: Interviewee,
    transcriber: Transcriber,
    *,
    vocabulary: Sequence[str] = (),
    on_progress: ProgressCallback | None = None,
    force: bool = False,
) -> tuple[Transcript, bool]:
    """Transcribe (or reuse) one interviewee's recordings; returns (transcript, was_cached)."""
    paths = [study.audio_dir / name for name in interviewee.recordings]
    language = interviewee.language or study.transcription.language
    if not study.transcription.guide_vocabulary:
        vocabulary = ()
    speakers = resolve_mode(study.transcription.speakers, paths)
    settings = _cache_settings(transcriber, study.transcription, language, vocabulary, speakers)
    target = transcript_path(study, interviewee.id)
    if target.exists() and not force:
        cached = try_load_transcript(target)
        sources_sha = [describe_source(p).sha256 for p in paths]
        if cached and _is_current(cached, sources_sha, settings, transcriber.model_sha256):
            return cached, True
    audio = load_recordings(paths)
    started = now_utc()
    if speakers == "channels":
        decoded = transcribe_channels(
            transcriber, paths, language=language, vocabulary=vocabulary, on_progress=on_progress
        )
        segments = decoded.segments
    else:
        decoded = transcribe_in_parts(
            transcriber,
            audio.samples,
            language=language,
            vocabulary=vocabulary,
            on_progress=on_progress,
        )
        decoded = repair_vocabulary_echoes(transcriber, audio.samples, decoded, vocabulary)
        segments = flag_segments(decoded.segments, audio.samples)
        if speakers == "voice":
            segments = label_segments(segments, voice_turns(audio.samples))
    transcript = Transcript(
        interviewee_id=interviewee.id,
        language=decoded.language,
        duration=round(audio.duration, 3),
        segments=segments,
        provenance=Provenance(
            sources=audio.sources,
            engine=transcriber.engine,
            model=transcriber.model_name,
            model_sha256=transcriber.model_sha256,
            settings=settings,
            versions=package_versions(),
            started=started,
            finished=now_utc(),
        ),
    )
    write_json(target, transcript.to_dict(), force=force)
    for suffix, render in TRANSCRIPT_WRITERS.items():
        write_output(target.with_suffix(f".{suffix}"), render(transcript).encode(), force=force)
    return transcript, False


def try_load_transcript(path: Path) -> Transcript | None:
    try:
        return load_transcript(path)
    except TranscriptError:
        return None


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    versions = {}
    for package in ("interview-pipeline", "faster-whisper", "ctranslate2", "openai-whisper"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions
