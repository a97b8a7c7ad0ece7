"""Test doubles and builders: a scripted transcriber, hand-made transcripts, tiny studies.

The unit suite never loads a Whisper model; `FakeTranscriber` stands in for one and
returns a scripted conversation with evenly spread word timestamps, so alignment and
caching can be checked exactly.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from pipeline.audio import SAMPLE_RATE
from pipeline.cli import cli
from pipeline.models import (
    AudioSource,
    Guide,
    Interviewee,
    Provenance,
    Segment,
    Transcript,
    TranscriptionSettings,
    Word,
)
from pipeline.transcribe.base import Decoded, ProgressCallback

Sentence = tuple[str, float, float]
"""(text, start seconds, end seconds) of one spoken sentence."""

FAKE_MODEL_SHA256 = "f" * 64
WORD_PROBABILITY = 0.9

GREETING = "Buenos días, muchas gracias por recibirnos hoy."
Q1_ES = (
    "¿Cuáles son los principales desafíos que enfrenta Cuenca para lograr el desarrollo sostenible?"
)
Q1_EN = "What are the main challenges that Cuenca faces to achieve sustainable development?"
Q2_ES = "¿Cómo coopera el municipio con las universidades y las empresas privadas?"
Q2_EN = "How does the municipality cooperate with universities and private companies?"
Q3_ES = "¿Qué alianzas han sido más útiles para su institución?"
Q3_EN = "Which alliances have been most useful for your institution?"
Q4_ES = "¿Qué papel deben cumplir los ciudadanos en la sostenibilidad de la ciudad?"
Q4_EN = "What role should citizens play in the sustainability of the city?"
A1 = "La movilidad y el financiamiento son los mayores desafíos."
A2 = "Firmamos convenios con tres universidades de la ciudad."
A3 = "La alianza con la cámara de comercio fue la más útil."
A4 = "Los ciudadanos deben participar en las decisiones del barrio."

INTERVIEW_SCRIPT: tuple[Sentence, ...] = (
    (GREETING, 0.0, 3.0),
    (Q1_ES, 4.0, 9.0),
    (A1, 10.0, 14.0),
    (Q2_ES, 15.0, 19.0),
    (A2, 20.0, 24.0),
    (Q3_ES, 25.0, 28.0),
    (A3, 29.0, 33.0),
    (Q4_ES, 34.0, 38.0),
    (A4, 39.0, 43.0),
)
"""A Spanish interview asking q1..q4 in order, each question followed by its answer."""
RECORDING_SECONDS = 44
"""Length of the study fixture's tone recordings: the whole script lies over sound."""


def words_for(text: str, start: float, end: float, probability: float) -> tuple[Word, ...]:
    """Whisper-style words (leading space) spread evenly over [start, end]."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    return tuple(
        Word(
            start=round(start + i * step, 3),
            end=round(start + (i + 1) * step, 3) if i < len(tokens) - 1 else end,
            text=f" {token}",
            probability=probability,
        )
        for i, token in enumerate(tokens)
    )


def segments_for(
    sentences: Sequence[Sentence], probability: float = WORD_PROBABILITY
) -> tuple[Segment, ...]:
    """One segment per scripted sentence, with word timestamps."""
    return tuple(
        Segment(start, end, f" {text}", words_for(text, start, end, probability))
        for text, start, end in sentences
    )


def make_provenance() -> Provenance:
    """A plausible provenance block for transcripts built by hand."""
    return Provenance(
        sources=(AudioSource("x.wav", 10, "0" * 64, 1.0),),
        engine="fake",
        model="fake",
        model_sha256=FAKE_MODEL_SHA256,
        settings={},
        versions={},
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:00:01+00:00",
    )


def make_transcript(
    sentences: Sequence[Sentence],
    *,
    interviewee_id: str = "felipe-ochoa",
    language: str = "es",
    probability: float = WORD_PROBABILITY,
) -> Transcript:
    """A Transcript straight from (text, start, end) tuples, for alignment tests."""
    segments = segments_for(sentences, probability)
    return Transcript(
        interviewee_id=interviewee_id,
        language=language,
        duration=max((s.end for s in segments), default=0.0),
        segments=segments,
        provenance=make_provenance(),
    )


@dataclass
class FakeTranscriber:
    """Implements the Transcriber protocol with a scripted result and counts its calls."""

    script: Sequence[Sentence] = INTERVIEW_SCRIPT
    language: str = "es"
    engine: str = "fake"
    model_name: str = "fake"
    calls: list[tuple[int, str | None]] = field(default_factory=list)

    @property
    def model_sha256(self) -> str:
        return FAKE_MODEL_SHA256

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        self.calls.append((len(samples), language))
        total = len(samples) / SAMPLE_RATE
        if on_progress:
            on_progress(total, total)
        return Decoded(language=language or self.language, segments=segments_for(self.script))


STUDY_TOML = """\
title = "{title}"
language = "en"
honorific = "{honorific}"

[transcription]
engine = "faster-whisper"
model = "base"
compute_type = "int8"
beam_size = 5
threads = 0
"""

GUIDE_YAML = f"""\
title: Test guide — Cuenca
language: en
categories:
  - id: sustainability
    name: Sustainable Development
    conceptualization: Meeting present needs without compromising future generations.
    subcategories: [Economic sustainability, Social sustainability]
    indicators: [Poverty reduction]
  - id: cooperation
    name: Inter-institutional Cooperation
  - id: alliances
    name: Alliances
questions:
  - id: q1
    text:
      en: {Q1_EN}
      es: {Q1_ES}
    categories: [sustainability]
    follow_ups:
      - How does Cuenca compare with Bogotá?
  - id: q2
    text:
      en: {Q2_EN}
      es: {Q2_ES}
    categories: [cooperation]
  - id: q3
    text:
      en: {Q3_EN}
      es: {Q3_ES}
    categories: [alliances, cooperation]
  - id: q4
    text:
      en: {Q4_EN}
      es: {Q4_ES}
    categories: [sustainability]
interviewees:
  - id: felipe-ochoa
    honorific: Magister
    name: Felipe Ochoa
    role: Director of Planning
    organisation: GAD Municipal de Cuenca
    language: es
    questions: [q1, q2, q4]
    recordings: [felipe-ochoa.wav]
  - id: fabian-bermeo
    name: Fabián Bermeo
    role: Coordinator of Projects
    language: es
    questions: [q3, q1]
    recordings: [fabian-bermeo.mp3]
"""


def write_audio(path: Path, *, milliseconds: int = 400, frequency: float = 440.0) -> Path:
    """A tiny real recording (sine tone), in the format named by the file's extension."""
    from pydub.generators import Sine

    path.parent.mkdir(parents=True, exist_ok=True)
    tone = Sine(frequency).to_audio_segment(duration=milliseconds).set_frame_rate(16_000)
    tone.set_channels(1).export(path, format=path.suffix.lstrip("."))
    return path


def write_study(
    root: Path,
    *,
    title: str = "Cuenca study",
    honorific: str = "Magister",
    guide: str = GUIDE_YAML,
    audio: bool = True,
) -> Path:
    """A small valid study folder: study.toml, guides/guide.yaml and (optionally) audio."""
    for folder in ("audio", "guides", "transcripts", "exports"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "study.toml").write_text(
        STUDY_TOML.format(title=title, honorific=honorific), encoding="utf-8"
    )
    (root / "guides" / "guide.yaml").write_text(guide, encoding="utf-8")
    if audio:
        length = RECORDING_SECONDS * 1000
        write_audio(root / "audio" / "felipe-ochoa.wav", milliseconds=length)
        write_audio(root / "audio" / "fabian-bermeo.mp3", milliseconds=length, frequency=660.0)
    return root


def invoke(*args: str | Path) -> Result:
    """Run the `interviews` CLI in-process; real exceptions surface as result.exception."""
    return CliRunner().invoke(cli, [str(a) for a in args])


@dataclass
class HashingTranscriber(FakeTranscriber):
    """The scripted interview plus a last segment naming a checksum of the samples it was
    given, so a transcript shows exactly which audio a worker process decoded."""

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        decoded = super().transcribe(
            samples, language=language, vocabulary=vocabulary, on_progress=on_progress
        )
        digest = hashlib.sha256(np.ascontiguousarray(samples).tobytes()).hexdigest()[:16]
        end = round(len(samples) / SAMPLE_RATE, 3)
        return replace(decoded, segments=(*decoded.segments, Segment(end, end, f" audio {digest}")))


def hashing_engine(settings: TranscriptionSettings) -> HashingTranscriber:
    """Engine factory importable by worker processes (a closure would not pickle)."""
    return HashingTranscriber()


@dataclass
class CrashingTranscriber(HashingTranscriber):
    """Kills its own process, as an out-of-memory kill would, unless `marker` exists; the
    first call to get here creates it (atomically), so exactly one attempt dies when
    `once`, every attempt otherwise."""

    marker: Path = Path("crash-marker")
    once: bool = True

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            if self.once:
                return super().transcribe(
                    samples, language=language, vocabulary=vocabulary, on_progress=on_progress
                )
        os._exit(17)


@dataclass(frozen=True)
class CrashingEngine:
    """Picklable engine factory for CrashingTranscriber."""

    marker: Path
    once: bool = True

    def __call__(self, settings: TranscriptionSettings) -> CrashingTranscriber:
        return CrashingTranscriber(marker=self.marker, once=self.once)


def asking(guide: Guide, *question_ids: str) -> Interviewee:
    """An interviewee of the guide who was asked exactly these questions, in this order."""
    base = guide.interviewee("felipe-ochoa")
    return Interviewee(base.id, base.name, base.role, question_ids, base.recordings)


@contextmanager
def local_dask_cluster() -> Iterator[str]:
    """A two-process Dask LocalCluster on loopback (its address), with the workers' malloc
    trimming off as the README advises; skips when the [dask] extra is missing."""
    distributed = pytest.importorskip("distributed", reason="extra [dask] not installed")
    import dask

    from pipeline.batch import DASK_TRIM_SETTING

    with (
        dask.config.set({DASK_TRIM_SETTING: None}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
    ):
        yield cluster.scheduler_address
