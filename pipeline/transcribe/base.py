"""The engine interface every transcription backend implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..models import Segment

ProgressCallback = Callable[[float, float], None]
"""Called with (seconds of audio decoded so far, total seconds)."""


@dataclass(frozen=True)
class Decoded:
    language: str
    segments: tuple[Segment, ...]


class Transcriber(Protocol):
    """Turns 16 kHz mono float32 samples into timed segments with word timestamps."""

    engine: str
    model_name: str

    @property
    def model_sha256(self) -> str: ...

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        """`vocabulary`: names and terms to prime the decoder with, so they are spelt right."""
        ...
