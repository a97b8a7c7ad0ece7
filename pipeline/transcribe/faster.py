"""faster-whisper (CTranslate2) backend: the default, runs offline on CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..audio import SAMPLE_RATE
from ..errors import ModelError
from ..models import Segment, TranscriptionSettings, Word
from .base import Decoded, ProgressCallback
from .embedded import resolve_model

BATCHED_FROM_SECONDS = 60.0
"""Recordings at least this long use batched inference when batch_size is 0 (automatic):
measured faster on 2 CPU cores (bench/transcribe_bench.py)."""
AUTO_BATCH_SIZE = 2


class FasterWhisperTranscriber:
    engine = "faster-whisper"

    def __init__(self, settings: TranscriptionSettings) -> None:
        self.settings = settings
        self.model_name = settings.model
        self._model_dir, self._model_sha256 = resolve_model(settings.model)
        self._model: Any = None

    @property
    def model_sha256(self) -> str:
        return self._model_sha256

    def _load(self) -> Any:
        """Load lazily: a fully cached re-run never pays for model start-up."""
        if self._model is None:
            from faster_whisper import WhisperModel

            try:
                self._model = WhisperModel(
                    str(self._model_dir),
                    device="cpu",
                    compute_type=self.settings.compute_type,
                    cpu_threads=self.settings.threads or os.cpu_count() or 1,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"cannot load model: {exc}", self._model_dir) from exc
        return self._model

    def batch_size_for(self, seconds: float) -> int:
        """1 means sequential decoding; more means batched inference over VAD chunks."""
        if self.settings.batch_size:
            return self.settings.batch_size
        return AUTO_BATCH_SIZE if seconds >= BATCHED_FROM_SECONDS else 1

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        model = self._load()
        total = len(samples) / SAMPLE_RATE
        options: dict[str, Any] = {
            "language": "en" if not model.model.is_multilingual else language,
            "task": self.settings.task,
            "beam_size": self.settings.beam_size,
            "word_timestamps": True,
            "hotwords": ", ".join(vocabulary) or None,
        }
        batch_size = self.batch_size_for(total)
        if batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            raw_segments, info = BatchedInferencePipeline(model).transcribe(
                samples, batch_size=batch_size, **options
            )
        else:
            raw_segments, info = model.transcribe(
                samples, condition_on_previous_text=False, **options
            )
        segments = []
        for raw in raw_segments:
            segments.append(_segment(raw))
            if on_progress:
                on_progress(min(raw.end, total), total)
        if on_progress:
            on_progress(total, total)
        return Decoded(language=info.language, segments=tuple(segments))


def _segment(raw: Any) -> Segment:
    return Segment(
        start=round(raw.start, 3),
        end=round(raw.end, 3),
        text=raw.text.strip(),
        words=tuple(
            Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
            for w in raw.words or ()
        ),
        avg_logprob=round(raw.avg_logprob, 4),
        no_speech_prob=round(raw.no_speech_prob, 4),
        compression_ratio=round(raw.compression_ratio, 4),
    )
