"""Time alignment of a 60-minute interview, with and without matching by meaning.

The transcript is stress-set interviews (bench/align_eval.py) laid end to end until they
fill an hour; the first interviewee's guide questions are located in it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from dataclasses import replace
from pathlib import Path

from pipeline import semantic
from pipeline.align import align_interview

HOUR = 3600.0


def long_transcript(harness):
    items = harness.stress_set(60)
    segments, offset = [], 0.0
    for item in items:
        for s in item.transcript.segments:
            words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in s.words)
            segments.append(replace(s, start=s.start + offset, end=s.end + offset, words=words))
        offset = segments[-1].end + 2.0
        if offset >= HOUR:
            break
    first = items[0]
    return first, replace(first.transcript, segments=tuple(segments), duration=offset)


def main() -> None:
    path = Path(__file__).with_name("align_eval.py")
    spec = importlib.util.spec_from_file_location("align_eval", path)
    assert spec and spec.loader
    harness = importlib.util.module_from_spec(spec)
    sys.modules["align_eval"] = harness
    spec.loader.exec_module(harness)
    item, transcript = long_transcript(harness)
    print(f"{transcript.duration / 60:.0f} min, {len(transcript.segments)} segments")
    for enabled in (False, True):
        semantic.ENABLED = enabled
        if enabled and semantic.embedder() is None:
            print("by meaning: semantic extra not installed")
            continue
        started = time.perf_counter()
        align_interview(transcript, item.guide, item.interviewee, "en")
        print(f"by meaning: {'yes' if enabled else 'no '}  {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
