"""Transcribe a one-speaker-per-channel recording channel by channel.

Whisper hears a mix of two people talking at once as one garbled voice, so each channel is
transcribed on its own and labelled with it; the segments are then merged in time order.
Each microphone also picks up the other person faintly (cross-talk): a word is dropped
when its channel is much quieter than the other all through it, because then it was heard
through the wrong microphone and is already in the other channel's transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..models import Segment
from ..speakers import FRAME_SECONDS, frame_levels, joined_channels
from .base import Decoded, ProgressCallback, Transcriber
from .parts import transcribe_in_parts
from .quality import flag_segments, repair_vocabulary_echoes

CROSSTALK_DB = 10.0
"""A word whose channel is this much quieter than the other in every frame is cross-talk."""


def transcribe_channels(
    transcriber: Transcriber,
    paths: Sequence[Path],
    *,
    language: str | None,
    vocabulary: Sequence[str],
    on_progress: ProgressCallback | None = None,
) -> Decoded:
    """Both channels transcribed, cross-talk dropped, segments labelled "channel-N"."""
    channels = joined_channels(paths)
    levels = frame_levels(channels)
    segments: list[Segment] = []
    languages: list[tuple[int, str]] = []
    for index, samples in enumerate(channels):
        decoded = transcribe_in_parts(
            transcriber,
            samples,
            language=language,
            vocabulary=vocabulary,
            on_progress=_part_progress(on_progress, index, len(channels)),
        )
        decoded = repair_vocabulary_echoes(transcriber, samples, decoded, vocabulary)
        own = _own_words(flag_segments(decoded.segments, samples), levels, index)
        segments += [replace(s, speaker=f"channel-{index + 1}") for s in own]
        languages.append((sum(len(s.words) for s in own), decoded.language))
    return Decoded(
        language=max(languages)[1],
        segments=tuple(sorted(segments, key=lambda s: (s.start, s.end))),
    )


def _part_progress(
    on_progress: ProgressCallback | None, index: int, count: int
) -> ProgressCallback | None:
    """Progress over all channels, as if they were one recording after another."""
    if on_progress is None:
        return None

    def report(done: float, total: float) -> None:
        on_progress(index * total + done, count * total)

    return report


def _is_crosstalk(start: float, end: float, levels: np.ndarray, channel: int) -> bool:
    first = int(start / FRAME_SECONDS)
    last = max(first + 1, int(np.ceil(end / FRAME_SECONDS)))
    own = levels[channel, first:last]
    other = np.delete(levels[:, first:last], channel, axis=0).max(axis=0)
    return own.size > 0 and bool(np.all(own < other - CROSSTALK_DB))


def _own_words(segments: Sequence[Segment], levels: np.ndarray, channel: int) -> list[Segment]:
    """The segments without the words heard through the other microphone."""
    result = []
    for segment in segments:
        if not segment.words:
            if not _is_crosstalk(segment.start, segment.end, levels, channel):
                result.append(segment)
            continue
        words = tuple(
            w for w in segment.words if not _is_crosstalk(w.start, w.end, levels, channel)
        )
        if words == segment.words:
            result.append(segment)
        elif words:
            text = "".join(w.text for w in words)
            result.append(
                replace(segment, start=words[0].start, end=words[-1].end, text=text, words=words)
            )
    return result
