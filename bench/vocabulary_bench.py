"""Measure what priming the decoder with the guide's vocabulary does to proper names.

Transcribes each example recording twice, without and with the guide's vocabulary (plus the
interviewee's name and organisation), and prints how many spoken occurrences of the
vocabulary terms come out spelt right, and the word error rate, for each.

    python bench/vocabulary_bench.py
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

from pipeline.align import normalise
from pipeline.audio import load_recordings
from pipeline.guide import load_guide
from pipeline.models import TranscriptionSettings
from pipeline.transcribe import create_transcriber, guide_vocabulary

REPO = Path(__file__).resolve().parents[1]


def occurrences(term: str, text: str) -> int:
    return f" {normalise(text)} ".count(f" {normalise(term)} ")


def main() -> None:
    guide = load_guide(REPO / "guides" / "guide.yaml")
    script = yaml.safe_load((REPO / "scripts" / "example_interviews.yaml").read_text("utf-8"))
    transcriber = create_transcriber(TranscriptionSettings())
    totals = {"without": [0, 0, 0.0], "with": [0, 0, 0.0]}
    for interviewee in guide.interviewees:
        spoken = " ".join(t["text"] for t in script[interviewee.id]["turns"])
        samples = load_recordings([REPO / "audio" / r for r in interviewee.recordings]).samples
        for mode, vocabulary in (("without", []), ("with", guide_vocabulary(guide, interviewee))):
            decoded = transcriber.transcribe(
                samples, language=interviewee.language, vocabulary=vocabulary
            )
            text = " ".join(s.text for s in decoded.segments)
            for term in guide.vocabulary:
                expected = occurrences(term, spoken)
                totals[mode][0] += min(expected, occurrences(term, text))
                totals[mode][1] += expected
            ref, hyp = normalise(spoken).split(), normalise(text).split()
            totals[mode][2] += Levenshtein.distance(ref, hyp) / len(ref) / len(guide.interviewees)
    print(f"{'vocabulary':12s} {'names right':>12s} {'WER':>6s}")
    for mode, (right, expected, wer) in totals.items():
        print(f"{mode:12s} {right:>5d}/{expected:<6d} {wer:6.1%}")


if __name__ == "__main__":
    main()
