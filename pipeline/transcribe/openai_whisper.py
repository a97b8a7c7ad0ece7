"""openai-whisper (PyTorch) backend, from the optional `[openai]` extra.

It never downloads: the model setting must be a local `.pt` checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..audio import SAMPLE_RATE
from ..errors import ModelError
from ..files import sha256_file
from ..models import Segment, TranscriptionSettings, Word
from .base import Decoded, ProgressCallback


class OpenAIWhisperTranscriber:
    engine = "openai-whisper"

    def __init__(self, settings: TranscriptionSettings) -> None:
        self.settings = settings
        self.model_name = settings.model
        self._checkpoint = Path(settings.model).expanduser()
        if self._checkpoint.suffix != ".pt" or not self._checkpoint.is_file():
            raise ModelError(
                "openai-whisper runs offline only from a local .pt checkpoint; "
                "set transcription.model to its path",
                self._checkpoint,
            )
        self._model_sha256 = sha256_file(self._checkpoint)
        self._model: Any = None

    @property
    def model_sha256(self) -> str:
        return self._model_sha256

    def _load(self) -> Any:
        if self._model is None:
            try:
                import whisper
            except ImportError as exc:
                raise ModelError(
                    "openai-whisper is not installed: run `pip install torch==2.13.0` "
                    "then `pip install -e .[openai]`"
                ) from exc
            self._model = whisper.load_model(str(self._checkpoint), device="cpu")
        return self._model

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        result = self._load().transcribe(
            samples,
            language=language,
            beam_size=self.settings.beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            fp16=False,
        )
        segments = tuple(_segment(raw) for raw in result["segments"])
        if on_progress:
            total = len(samples) / SAMPLE_RATE
            on_progress(total, total)
        return Decoded(language=result["language"], segments=segments)


def _segment(raw: dict[str, Any]) -> Segment:
    return Segment(
        start=round(raw["start"], 3),
        end=round(raw["end"], 3),
        text=raw["text"].strip(),
        words=tuple(
            Word(round(w["start"], 3), round(w["end"], 3), w["word"], round(w["probability"], 4))
            for w in raw.get("words", ())
        ),
        avg_logprob=round(raw["avg_logprob"], 4),
        no_speech_prob=round(raw["no_speech_prob"], 4),
        compression_ratio=round(raw["compression_ratio"], 4),
    )
