"""Export speed on a synthetic 100-interviewee x 10-question study, built in memory.

Prints the time of each format and the total (target: all formats under 5 s); it
measures rendering only, nothing is written to disk. Run: python bench/export_bench.py
"""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.export import FORMATS, AppendixData, writer
from pipeline.models import (
    AlignedAnswer,
    AnswerStatus,
    AudioSource,
    Category,
    Guide,
    Interviewee,
    InterviewMatrix,
    Provenance,
    Question,
    Segment,
    Study,
    Transcript,
    Word,
)

INTERVIEWEES = 100
QUESTIONS = 10
ANSWER_WORDS = 120
WORD_SECONDS = 0.4
CATEGORIES = tuple(
    Category(f"c{n}", f"Category {n}", "A conceptualization with a citation (Author, 2020).")
    for n in range(1, 5)
)


def _words(text: str, start: float) -> tuple[Word, ...]:
    return tuple(
        Word(start + i * WORD_SECONDS, start + (i + 1) * WORD_SECONDS, f" {token}", 0.9)
        for i, token in enumerate(text.split())
    )


def build() -> AppendixData:
    """Guide, matrices and transcripts as the pipeline would have them after alignment."""
    questions = tuple(
        Question(
            f"q{n}", {"en": f"Question {n}: what do you think about topic {n}?"}, (f"c{n % 4 + 1}",)
        )
        for n in range(1, QUESTIONS + 1)
    )
    interviewees = tuple(
        Interviewee(
            f"person-{n}",
            f"Fabián Bermeo {n}",
            "Director of Projects",
            tuple(q.id for q in questions),
            (f"person-{n}.mp3",),
            honorific="Magister",
        )
        for n in range(INTERVIEWEES)
    )
    guide = Guide("Benchmark guide", "en", CATEGORIES, questions, interviewees)
    matrices, transcripts = [], {}
    for interviewee in interviewees:
        answers, segments, clock = [], [], 0.0
        for number, question in enumerate(questions, start=1):
            asked = _words(question.text["en"], clock)
            answer_text = " ".join(["sostenibilidad"] * ANSWER_WORDS) + "."
            said = _words(answer_text, asked[-1].end + 1)
            segments += [
                Segment(asked[0].start, asked[-1].end, question.text["en"], asked),
                Segment(said[0].start, said[-1].end, answer_text, said),
            ]
            answers.append(
                AlignedAnswer(
                    question.id,
                    number,
                    question.text["en"],
                    question.categories,
                    AnswerStatus.FOUND,
                    answer_text,
                    said[0].start,
                    said[-1].end,
                    0.8,
                    question.text["en"],
                    asked[0].start,
                    asked[-1].end,
                )
            )
            clock = said[-1].end + 1
        matrices.append(
            InterviewMatrix(interviewee.id, tuple(answers), {}, interviewee.recordings, "0" * 64)
        )
        provenance = Provenance(
            (AudioSource(interviewee.recordings[0], 1, "0" * 64, clock),),
            "bench",
            "bench",
            "0" * 64,
            {},
            {},
            "",
            "",
        )
        transcripts[interviewee.id] = Transcript(
            interviewee.id, "es", clock, tuple(segments), provenance
        )
    study = Study(root=Path("bench-study"), title="Benchmark study", author="Researcher")
    return AppendixData(study, guide, tuple(matrices), transcripts=transcripts)


def main() -> None:
    data = build()
    print(f"{INTERVIEWEES} interviewees x {QUESTIONS} questions, {ANSWER_WORDS}-word answers")
    total = 0.0
    for name in FORMATS:
        started = time.perf_counter()
        files = writer(name).render(data)
        elapsed = time.perf_counter() - started
        total += elapsed
        size = sum(len(content) for content in files.values())
        print(f"  {name:16s} {elapsed:6.2f} s  {len(files):4d} files  {size / 1e6:7.2f} MB")
    print(f"  {'all formats':16s} {total:6.2f} s")


if __name__ == "__main__":
    main()
