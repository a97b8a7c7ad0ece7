"""Review on a long interview: a 60-minute transcript (about 10,000 words).

Prints how long the review page's data takes to build and how big it is, how long an
edit and its atomic save take, and what keeping 7 edits costs a re-run of alignment.
Uses the test helpers (fake transcript, the example guide of the tests); nothing is
transcribed. Run: PYTHONPATH=.:tests python bench/review_bench.py
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fakes import INTERVIEW_SCRIPT, make_transcript, write_study

from pipeline.align import transcript_words
from pipeline.files import write_json
from pipeline.review import edits, store
from pipeline.review.api import Review, interview
from pipeline.transcribe import transcript_path
from pipeline.workflow import align_study, open_study

MINUTES = 60
T = TypeVar("T")
FILLER = "y entonces hablamos de los proyectos que la ciudad tiene con sus barrios cada año."


def long_script() -> list[tuple[str, float, float]]:
    """The scripted questions spread over an hour, with filler talk between them."""
    script, clock = [], 0.0
    step = MINUTES * 60 / len(INTERVIEW_SCRIPT)
    for text, _, _ in INTERVIEW_SCRIPT:
        script.append((text, clock, clock + 4.0))
        t = clock + 5.0
        while t + 5.0 < clock + step:
            script.append((FILLER, t, t + 4.5))
            t += 5.0
        clock += step
    return script


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"{label:<46} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    root = write_study(Path(tempfile.mkdtemp()) / "study", audio=False)
    study, guide = open_study(root)
    transcript = make_transcript(long_script())
    write_json(transcript_path(study, "felipe-ochoa"), transcript.to_dict())
    person = [guide.interviewee("felipe-ochoa")]
    words = len(transcript_words(transcript))
    print(f"transcript: {transcript.duration / 60:.0f} min, {words} words")
    timed("align (first run)", lambda: align_study(study, guide, person))
    review = Review(study, guide, "bench")
    page = timed("page data (GET /api/interviews/<id>)", lambda: interview(review, person[0].id))
    print(f"{'page data size':<46} {len(json.dumps(page)) / 1e6:7.2f} MB")

    def edit_all() -> None:
        for question_id in person[0].question_ids:
            loaded = store.load(study, person[0].id)
            matrix = edits.edit_answer(loaded.matrix, question_id, editor="b", translation="x")
            store.save(study, matrix, loaded.version)

    timed(f"edit + atomic save, x{len(person[0].question_ids)}", edit_all)
    loaded = store.load(study, person[0].id)
    anchored = edits.reanchor(loaded.matrix, transcript, "q4", words // 2, editor="b")
    timed("re-anchor + save", lambda: store.save(study, anchored, loaded.version))
    timed("align again, keeping the edits", lambda: align_study(study, guide, person))


if __name__ == "__main__":
    main()
