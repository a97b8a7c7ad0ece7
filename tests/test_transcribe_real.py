"""The real bundled models on real public speech (../shared/data), measured by word error rate."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from pipeline.align import normalise
from pipeline.audio import load_recordings
from pipeline.models import TranscriptionSettings
from pipeline.transcribe import create_transcriber

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not SPEECH.is_dir(), reason="shared test data not found beside the repository (../shared)"
    ),
]


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return Levenshtein.distance(ref, hyp) / len(ref)


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Spaces ignored: on a 3-second Spanish clip the base model splits words oddly."""
    ref, hyp = normalise(reference).replace(" ", ""), normalise(hypothesis).replace(" ", "")
    return Levenshtein.distance(ref, hyp) / len(ref)


def transcribe_file(path: Path, model: str, language: str | None) -> tuple[str, str]:
    transcriber = create_transcriber(TranscriptionSettings(model=model))
    audio = load_recordings([path])
    decoded = transcriber.transcribe(audio.samples, language=language)
    return decoded.language, " ".join(s.text for s in decoded.segments)


@pytest.mark.parametrize("model", ["base", "tiny.en"])
def test_english_stereo_flac_is_transcribed_accurately(model: str) -> None:
    """jfk.flac is 44.1 kHz stereo: exercises down-mixing and resampling too."""
    reference = (SPEECH / "whisper-jfk" / "reference.txt").read_text("utf-8")
    language, text = transcribe_file(SPEECH / "whisper-jfk" / "jfk.flac", model, None)
    assert language == "en"
    assert word_error_rate(reference, text) <= 0.1, text


def test_spanish_is_detected_and_transcribed() -> None:
    references = json.loads((SPEECH / "picovoice-cheetah" / "references.json").read_text("utf-8"))
    reference = references["test_es.wav"]["transcript"]
    language, text = transcribe_file(SPEECH / "picovoice-cheetah" / "test_es.wav", "base", None)
    assert language == "es"
    assert character_error_rate(reference, text) <= 0.4, text


def test_word_timestamps_are_ordered_and_within_the_audio() -> None:
    path = SPEECH / "pyannote-sample" / "sample.wav"
    transcriber = create_transcriber(TranscriptionSettings(model="base"))
    audio = load_recordings([path])
    decoded = transcriber.transcribe(audio.samples, language="en")
    words = [w for s in decoded.segments for w in s.words]
    assert len(words) > 30
    assert all(a.start <= b.start for a, b in pairwise(words))
    assert all(0 <= w.start <= w.end <= audio.duration + 0.5 for w in words)
    assert all(0 <= w.probability <= 1 for w in words)
