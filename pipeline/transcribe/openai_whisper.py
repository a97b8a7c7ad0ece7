"""openai-whisper (PyTorch) backend, from the optional `[openai]` extra.

It never downloads: the model is either a local `.pt` checkpoint or the name of a bundled
model converted once with `interviews models convert` (same weights as the default engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..audio import SAMPLE_RATE
from ..errors import ModelError
from ..files import sha256_file
from ..models import Segment, TranscriptionSettings, Word
from .base import Decoded, ProgressCallback
from .embedded import BUNDLED_MODELS, model_cache_dir


def converted_checkpoint(model_name: str) -> Path:
    """Where `interviews models convert` puts the openai-whisper copy of a bundled model."""
    return model_cache_dir() / f"openai-whisper-{model_name}.pt"


def checkpoint_for(model: str) -> Path:
    if model in BUNDLED_MODELS:
        path = converted_checkpoint(model)
        if not path.is_file():
            raise ModelError(
                f"no openai-whisper copy of the bundled {model!r} model yet; "
                f"run `interviews models convert --model {model}` once",
                path,
            )
        return path
    path = Path(model).expanduser()
    if path.suffix != ".pt" or not path.is_file():
        raise ModelError(
            "openai-whisper runs offline only from a local .pt checkpoint or a converted "
            "bundled model (`interviews models convert`)",
            path,
        )
    return path


class OpenAIWhisperTranscriber:
    engine = "openai-whisper"

    def __init__(self, settings: TranscriptionSettings) -> None:
        self.settings = settings
        self.model_name = settings.model
        self._checkpoint = checkpoint_for(settings.model)
        self._model_sha256 = sha256_file(self._checkpoint)
        self._model: Any = None

    @property
    def model_sha256(self) -> str:
        return self._model_sha256

    def _load(self) -> Any:
        """Build the model from the checkpoint, with its word-timestamp heads when recorded."""
        if self._model is None:
            try:
                import torch
                import whisper
            except ImportError as exc:
                raise ModelError(
                    "openai-whisper is not installed: run `pip install torch==2.13.0` "
                    "then `pip install -e .[openai]`"
                ) from exc
            if self.settings.threads:
                torch.set_num_threads(self.settings.threads)
            checkpoint = torch.load(self._checkpoint, map_location="cpu", weights_only=True)
            model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
            model.load_state_dict(checkpoint["model_state_dict"])
            if "alignment_heads" in checkpoint:
                model.set_alignment_heads(checkpoint["alignment_heads"])
            self._model = model
        return self._model

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        model = self._load()
        result = model.transcribe(
            samples,
            language=language if model.is_multilingual else "en",
            task=self.settings.task,
            beam_size=self.settings.beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=", ".join(vocabulary) or None,
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
