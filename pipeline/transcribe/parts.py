"""Transcribe long recordings in parts, so memory stays flat whatever the length.

faster-whisper computes the spectrogram of the whole input at once, which for an hour of
audio peaks above 3 GB. Cutting the audio into parts of a few minutes, each at the quietest
moment near the cut so no word is split, bounds memory by the part size. Decoding does not
carry context across windows (condition_on_previous_text is off), so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import numpy as np

from ..audio import SAMPLE_RATE, Samples
from ..models import Segment, Word
from .base import Decoded, ProgressCallback, Transcriber

PART_SECONDS = 300.0
"""Target length of one part (5 minutes)."""
SEARCH_SECONDS = 10.0
"""How far either side of a target cut to look for a quiet moment."""
FRAME_SECONDS = 0.1


def cut_points(samples: Samples) -> list[int]:
    """Sample offsets [0, ..., len] of the parts; each inner cut at the quietest 100 ms."""
    step = int(PART_SECONDS * SAMPLE_RATE)
    search = int(SEARCH_SECONDS * SAMPLE_RATE)
    frame = int(FRAME_SECONDS * SAMPLE_RATE)
    points = [0]
    while len(samples) - points[-1] > step + search:
        low = points[-1] + step - search
        window = samples[low : low + 2 * search]
        energy = np.square(window[: len(window) // frame * frame], dtype=np.float64)
        quietest = int(np.argmin(energy.reshape(-1, frame).mean(axis=1)))
        points.append(low + quietest * frame + frame // 2)
    points.append(len(samples))
    return points


def shift(segment: Segment, offset: float) -> Segment:
    """The segment moved `offset` seconds later (its words too)."""
    return replace(
        segment,
        start=round(segment.start + offset, 3),
        end=round(segment.end + offset, 3),
        words=tuple(
            Word(round(w.start + offset, 3), round(w.end + offset, 3), w.text, w.probability)
            for w in segment.words
        ),
    )


def transcribe_in_parts(
    transcriber: Transcriber,
    samples: Samples,
    *,
    language: str | None,
    vocabulary: Sequence[str] = (),
    on_progress: ProgressCallback | None = None,
) -> Decoded:
    """One Decoded for the whole recording; the language found in the first part is kept."""
    total = len(samples) / SAMPLE_RATE
    points = cut_points(samples)
    segments: list[Segment] = []
    for start, end in pairwise(points):
        offset = start / SAMPLE_RATE

        def progress(done: float, _part: float, offset: float = offset) -> None:
            if on_progress:
                on_progress(min(offset + done, total), total)

        part = transcriber.transcribe(
            samples[start:end], language=language, vocabulary=vocabulary, on_progress=progress
        )
        language = language or part.language
        segments.extend(shift(s, offset) for s in part.segments)
    return Decoded(language=language or "", segments=tuple(segments))
