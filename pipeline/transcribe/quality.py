"""Flag the known ways Whisper fails on interviews, per segment.

Whisper can loop on a phrase, invent text over silence or music, or decode with very low
confidence. None of these is certain, so segments are flagged, not dropped: the flags travel
with the transcript into the aligned answers and the exports, for a person to check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..audio import SAMPLE_RATE, Samples
from ..models import Segment
from .base import Decoded, Transcriber
from .parts import shift

COMPRESSION_RATIO_LIMIT = 2.4
"""Whisper's own threshold: text this compressible (gzip) is usually a repetition loop."""
LOGPROB_LIMIT = -1.0
"""Whisper's own threshold for a failed decode (average log-probability per token)."""
NO_SPEECH_LIMIT = 0.6
"""Whisper's own threshold for "this window holds no speech"."""
SILENCE_RMS = 0.001
"""Root-mean-square level (about -60 dBFS) below which a stretch of audio is silence."""
MIN_REPEATS = {1: 5, 2: 3, 3: 3, 4: 3}
VOCABULARY_ECHO_SHARE = 0.8
"""A segment whose words are this much vocabulary terms is the hint list read back, not speech."""
"""How many back-to-back copies of an n-word phrase make a loop, by phrase length."""

REPETITION = "repetition"
HIGH_COMPRESSION = "high-compression"
LOW_LOGPROB = "low-logprob"
NO_SPEECH = "no-speech"
TEXT_OVER_SILENCE = "text-over-silence"


def has_repetition_loop(text: str) -> bool:
    """True when some 1-4 word phrase repeats back to back (e.g. "thank you thank you ...")."""
    words = re.findall(r"\w+", text.casefold())
    for size, needed in MIN_REPEATS.items():
        for start in range(len(words) - size * needed + 1):
            phrase = words[start : start + size]
            copies = 1
            while words[start + copies * size : start + (copies + 1) * size] == phrase:
                copies += 1
                if copies >= needed:
                    return True
    return False


def _is_silent(samples: Samples, segment: Segment) -> bool:
    window = samples[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]
    return window.size == 0 or float(np.sqrt(np.mean(window.astype(np.float64) ** 2))) < SILENCE_RMS


def segment_flags(segment: Segment, samples: Samples) -> tuple[str, ...]:
    checks = (
        (REPETITION, has_repetition_loop(segment.text)),
        (HIGH_COMPRESSION, segment.compression_ratio > COMPRESSION_RATIO_LIMIT),
        (LOW_LOGPROB, segment.avg_logprob < LOGPROB_LIMIT),
        (NO_SPEECH, segment.no_speech_prob > NO_SPEECH_LIMIT),
        (TEXT_OVER_SILENCE, bool(segment.text.strip()) and _is_silent(samples, segment)),
    )
    return tuple(flag for flag, failed in checks if failed)


def flag_segments(segments: tuple[Segment, ...], samples: Samples) -> tuple[Segment, ...]:
    return tuple(replace(s, flags=segment_flags(s, samples)) for s in segments)


def is_vocabulary_echo(segment: Segment, vocabulary: Sequence[str]) -> bool:
    """Whisper sometimes "transcribes" its hint words over speech it cannot make out."""
    words = re.findall(r"\w+", segment.text.casefold())
    terms = set(re.findall(r"\w+", " ".join(vocabulary).casefold()))
    return len(words) >= 2 and sum(w in terms for w in words) >= VOCABULARY_ECHO_SHARE * len(words)


def repair_vocabulary_echoes(
    transcriber: Transcriber, samples: Samples, decoded: Decoded, vocabulary: Sequence[str]
) -> Decoded:
    """Decode each echoed stretch again without hints and splice the result in."""
    segments: list[Segment] = []
    for segment in decoded.segments:
        if not (vocabulary and is_vocabulary_echo(segment, vocabulary)):
            segments.append(segment)
            continue
        window = samples[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]
        redone = transcriber.transcribe(window, language=decoded.language)
        segments.extend(shift(s, segment.start) for s in redone.segments)
    return replace(decoded, segments=tuple(segments))
