"""Transcription stage: pick an engine, transcribe an interviewee, cache the result.

A transcript is reused while its audio checksums, engine, model and decoding settings
are unchanged, so re-running a batch only does the unfinished work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from ..audio import describe_source, open_recordings
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
    "TranscriptionRequest",
    "create_transcriber",
    "engine_factory",
    "guide_vocabulary",
    "load_transcript",
    "plan_transcription",
    "save_transcript",
    "transcribe_interviewee",
    "transcribe_request",
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


def engine_factory(
    settings: TranscriptionSettings,
) -> Callable[[TranscriptionSettings], Transcriber]:
    """The registered factory of the configured engine (worker processes get it pickled)."""
    try:
        return ENGINES[settings.engine]
    except KeyError:
        raise ModelError(
            f"unknown engine {settings.engine!r} (choose from: {', '.join(ENGINES)})"
        ) from None


def create_transcriber(settings: TranscriptionSettings) -> Transcriber:
    """Build the configured engine; its heavy imports happen only here."""
    return engine_factory(settings)(settings)


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


@dataclass(frozen=True)
class TranscriptionRequest:
    """Everything needed to transcribe one interviewee, apart from the engine: what a
    worker process (or a Dask worker on another machine) receives."""

    interviewee_id: str
    recordings: tuple[Path, ...]
    language: str | None
    vocabulary: tuple[str, ...]
    settings: dict[str, Any]
    """The cache key recorded in the transcript's provenance."""
    speakers: str = "none"
    """How segments get speaker labels: "channels", "voice" or "none" (already resolved)."""


def plan_transcription(
    study: Study,
    interviewee: Interviewee,
    transcriber: Transcriber,
    *,
    vocabulary: Sequence[str] = (),
    force: bool = False,
) -> tuple[TranscriptionRequest, Transcript | None]:
    """The request for one interviewee and, unless `force`, its up-to-date cached transcript
    (None when it must be transcribed)."""
    paths = tuple(study.audio_dir / name for name in interviewee.recordings)
    language = interviewee.language or study.transcription.language
    if not study.transcription.guide_vocabulary:
        vocabulary = ()
    speakers = resolve_mode(study.transcription.speakers, paths)
    settings = _cache_settings(transcriber, study.transcription, language, vocabulary, speakers)
    request = TranscriptionRequest(
        interviewee.id, paths, language, tuple(vocabulary), settings, speakers
    )
    target = transcript_path(study, interviewee.id)
    if target.exists() and not force:
        cached = try_load_transcript(target)
        sources_sha = [describe_source(p).sha256 for p in paths]
        if cached and _is_current(cached, sources_sha, settings, transcriber.model_sha256):
            return request, cached
    return request, None


def transcribe_request(
    request: TranscriptionRequest,
    transcriber: Transcriber,
    *,
    on_progress: ProgressCallback | None = None,
) -> Transcript:
    """Transcribe the recordings; writes nothing, so it can run in any process. The decoded
    audio lives in a temporary file, read one part at a time (memory flat in length)."""
    with open_recordings(request.recordings) as audio:
        started = now_utc()
        if request.speakers == "channels":
            decoded = transcribe_channels(
                transcriber,
                request.recordings,
                language=request.language,
                vocabulary=request.vocabulary,
                on_progress=on_progress,
            )
            segments = decoded.segments
        else:
            decoded = transcribe_in_parts(
                transcriber,
                audio,
                language=request.language,
                vocabulary=request.vocabulary,
                on_progress=on_progress,
            )
            decoded = repair_vocabulary_echoes(transcriber, audio, decoded, request.vocabulary)
            segments = flag_segments(decoded.segments, audio)
            if request.speakers == "voice":
                segments = label_segments(segments, voice_turns(audio[0 : len(audio)]))
    return Transcript(
        interviewee_id=request.interviewee_id,
        language=decoded.language,
        duration=round(audio.duration, 3),
        segments=segments,
        provenance=Provenance(
            sources=audio.sources,
            engine=transcriber.engine,
            model=transcriber.model_name,
            model_sha256=transcriber.model_sha256,
            settings=request.settings,
            versions=package_versions(),
            started=started,
            finished=now_utc(),
        ),
    )


def save_transcript(study: Study, transcript: Transcript, *, force: bool = False) -> None:
    """Write the transcript JSON and its text/subtitle renderings, each atomically."""
    target = transcript_path(study, transcript.interviewee_id)
    write_json(target, transcript.to_dict(), force=force)
    for suffix, render in TRANSCRIPT_WRITERS.items():
        write_output(target.with_suffix(f".{suffix}"), render(transcript).encode(), force=force)


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
    request, cached = plan_transcription(
        study, interviewee, transcriber, vocabulary=vocabulary, force=force
    )
    if cached:
        return cached, True
    transcript = transcribe_request(request, transcriber, on_progress=on_progress)
    save_transcript(study, transcript, force=force)
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
