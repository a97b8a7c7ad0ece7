"""Alignment of interviews that leave the guide: order, merges, early answers, weak matches,
and how the statuses reach the aligned file and the exports."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import (
    A1,
    A2,
    A4,
    GREETING,
    Q1_ES,
    Q2_ES,
    Q4_EN,
    Q4_ES,
    Sentence,
    asking,
    make_transcript,
)

from pipeline.align import LOW_CONFIDENCE, _assign, _Match, align_interview
from pipeline.export.content import (
    EARLY_ANSWER_TEXT,
    LOW_CONFIDENCE_TEXT,
    MERGED_TEXT,
    NOT_FOUND_TEXT,
    Paragraph,
    answer_paragraphs,
)
from pipeline.models import (
    AlignedAnswer,
    AnswerStatus,
    EarlyAnswer,
    Guide,
    InterviewMatrix,
)
from pipeline.workflow import located_summary

WEAK_Q1 = "¿Qué problemas grandes tiene la ciudad para crecer de forma sostenible?"
"""q1 in other words: only a few of the guide's words survive."""
CLOSE_Q1 = "¿Cuáles son los problemas que tiene Cuenca para el desarrollo?"


def align(guide: Guide, script: list[Sentence], *ids: str, probability: float = 0.9):
    transcript = make_transcript(script, probability=probability)
    return {
        a.question_id: a
        for a in align_interview(transcript, guide, asking(guide, *ids), "en").answers
    }


# --- merged questions ----------------------------------------------------------------------


def test_two_questions_asked_in_one_breath_are_merged(guide: Guide) -> None:
    """ "¿... sostenible y qué papel ...?": q1 points at q4, which holds the whole answer."""
    merged = f"{Q1_ES[:-1]} y {Q4_ES[1].lower()}{Q4_ES[2:]}"
    answers = align(
        guide, [(GREETING, 0.0, 3.0), (merged, 4.0, 12.0), (f"{A1} {A4}", 13.0, 18.0)], "q1", "q4"
    )
    q1, q4 = answers["q1"], answers["q4"]
    assert (q1.status, q1.merged_with, q1.status_label) == (
        AnswerStatus.MERGED,
        "q4",
        "merged-with q4",
    )
    assert (q1.answer, q1.start, q1.segment_ids) == ("", None, ())
    assert q1.question_start == 4.0 and q1.confidence > LOW_CONFIDENCE
    assert q4.status is AnswerStatus.FOUND
    assert q4.answer == f"{A1} {A4}"
    assert q4.question_start > q1.question_start


def test_questions_each_answered_are_not_merged(guide: Guide) -> None:
    script: list[Sentence] = [
        (Q1_ES, 0.0, 5.0),
        (A1, 6.0, 9.0),
        (Q4_ES, 10.0, 14.0),
        (A4, 15.0, 18.0),
    ]
    answers = align(guide, script, "q1", "q4")
    assert [a.status for a in answers.values()] == [AnswerStatus.FOUND] * 2


SHORT_ANSWER: list[Sentence] = [
    (GREETING, 0.0, 3.0),
    (Q1_ES, 4.0, 9.0),
    ("Sí, claro.", 10.0, 14.0),
    (Q2_ES, 15.0, 19.0),
    (A2, 20.0, 24.0),
]
"""q1 answered in two words, between pauses, before q2 is asked."""


def test_a_short_answer_between_pauses_is_an_answer_not_a_merge(guide: Guide) -> None:
    answers = align(guide, SHORT_ANSWER, "q1", "q2")
    q1 = answers["q1"]
    assert (q1.status, q1.merged_with, q1.answer) == (AnswerStatus.FOUND, "", "Sí, claro.")
    assert answers["q2"].answer == A2


@pytest.mark.parametrize(
    "speakers",
    [
        ["interviewer", "interviewer", "interviewee", "interviewer", "interviewee"],
        ["speaker-1", "speaker-1", "speaker-2", "speaker-1", "speaker-2"],
    ],
)
def test_a_short_answer_by_the_interviewee_is_not_a_merge(
    guide: Guide, speakers: list[str]
) -> None:
    """With roles known, any interviewee word between two questions answers the first,
    even said without a pause."""
    script = [(text, n * 3.0, n * 3.0 + 2.9) for n, (text, _, _) in enumerate(SHORT_ANSWER)]
    transcript = make_transcript(script)
    transcript = replace(
        transcript,
        segments=tuple(
            replace(s, speaker=label)
            for s, label in zip(transcript.segments, speakers, strict=True)
        ),
    )
    matrix = align_interview(transcript, guide, asking(guide, "q1", "q2"), "en")
    q1 = matrix.answers[0]
    assert (q1.status, q1.merged_with, q1.answer) == (AnswerStatus.FOUND, "", "Sí, claro.")


def test_a_joining_word_in_the_same_breath_still_merges(guide: Guide) -> None:
    """Unknown speakers: "¿...sostenible? Y ¿cómo coopera ...?" with no pause is one turn."""
    script: list[Sentence] = [(f"{Q1_ES} Y {Q2_ES}", 0.0, 12.0), (f"{A1} {A2}", 13.0, 18.0)]
    answers = align(guide, script, "q1", "q2")
    assert answers["q1"].merged_with == "q2"
    assert answers["q2"].answer == f"{A1} {A2}"


# --- early answers -------------------------------------------------------------------------


EARLY = (
    "En mi opinión los ciudadanos deben estar siempre presentes, porque la sostenibilidad "
    "de una ciudad depende de su gente."
)
"""Part of an answer to q1 that rather answers q4 (it shares most of q4's content words)."""


def test_material_answering_a_later_question_early_is_noted_on_it(guide: Guide) -> None:
    script: list[Sentence] = [
        (Q1_ES, 0.0, 5.0),
        (A1, 6.0, 9.0),
        (EARLY, 9.5, 14.0),
        (Q4_ES, 15.0, 19.0),
        ("Como ya le dije, en las decisiones del barrio.", 20.0, 23.0),
    ]
    answers = align(guide, script, "q1", "q4")
    assert answers["q1"].answer == f"{A1} {EARLY}"  # it stays where it was said
    assert answers["q4"].early_answers == (EarlyAnswer("q1", 9.5, 14.0, EARLY),)
    assert answers["q1"].early_answers == ()


def test_an_unasked_question_answered_under_another_is_noted(guide: Guide) -> None:
    script: list[Sentence] = [(Q1_ES, 0.0, 5.0), (A1, 6.0, 9.0), (EARLY, 9.5, 14.0)]
    answers = align(guide, script, "q1", "q4")
    assert answers["q4"].status is AnswerStatus.NOT_ASKED
    assert [e.under_question for e in answers["q4"].early_answers] == ["q1"]


def test_coming_back_to_a_topic_after_its_question_is_not_an_early_answer(guide: Guide) -> None:
    script: list[Sentence] = [
        (Q4_ES, 0.0, 4.0),
        (A4, 5.0, 8.0),
        (Q1_ES, 9.0, 14.0),
        (EARLY, 15.0, 19.0),
    ]
    answers = align(guide, script, "q1", "q4")
    assert answers["q4"].early_answers == ()


# --- weak matches --------------------------------------------------------------------------


def test_confidence_falls_as_the_match_weakens(guide: Guide) -> None:
    confidences = []
    for heard in (Q1_ES, CLOSE_Q1, WEAK_Q1):
        script: list[Sentence] = [(GREETING, 0.0, 3.0), (heard, 4.0, 9.0), (A1, 10.0, 13.0)]
        q1 = align(guide, script, "q1")["q1"]
        assert q1.status.located and q1.heard_question == heard
        confidences.append(q1.confidence)
    assert confidences[0] > confidences[1] > confidences[2] > 0


def test_a_weak_match_with_unsure_words_is_low_confidence(guide: Guide) -> None:
    script: list[Sentence] = [(GREETING, 0.0, 3.0), (WEAK_Q1, 4.0, 9.0), (A1, 10.0, 13.0)]
    q1 = align(guide, script, "q1", probability=0.85)["q1"]
    assert q1.status is AnswerStatus.LOW_CONFIDENCE
    assert q1.confidence < LOW_CONFIDENCE
    assert q1.answer == A1  # still cut out, for a person to check


# --- global assignment ---------------------------------------------------------------------


def test_assignment_is_global_not_greedy() -> None:
    """The best single match (q1 at words 0-10) would block q2's only place; the best
    whole reading takes q1's second place instead, even out of guide order."""
    order = {"q1": 0, "q2": 1}
    candidates = [_Match("q1", 0, 10, 0.9), _Match("q2", 5, 15, 0.85), _Match("q1", 20, 30, 0.8)]
    chosen = _assign(candidates, order)
    assert [(m.question_id, m.first) for m in chosen] == [("q2", 5), ("q1", 20)]


def test_guide_order_breaks_near_ties() -> None:
    """q2 sounds a bit better before q1, but asking it after q1 follows the guide."""
    order = {"q1": 0, "q2": 1}
    candidates = [_Match("q2", 0, 5, 0.72), _Match("q1", 10, 15, 0.9), _Match("q2", 20, 25, 0.7)]
    assert [(m.question_id, m.first) for m in _assign(candidates, order)] == [
        ("q1", 10),
        ("q2", 20),
    ]


def test_a_clear_reordering_beats_the_order_penalty() -> None:
    order = {"q1": 0, "q2": 1}
    candidates = [_Match("q2", 0, 5, 0.95), _Match("q1", 10, 15, 0.9), _Match("q2", 20, 25, 0.6)]
    assert [(m.question_id, m.first) for m in _assign(candidates, order)] == [("q2", 0), ("q1", 10)]


def test_reordered_skipped_and_merged_together(guide: Guide) -> None:
    """q4 first, then q1 and q2 merged; nothing about q3, which was asked for too."""
    merged = f"{Q1_ES[:-1]} y {Q2_ES[1].lower()}{Q2_ES[2:]}"
    script: list[Sentence] = [
        (Q4_ES, 0.0, 4.0),
        (A4, 5.0, 8.0),
        (merged, 9.0, 16.0),
        (f"{A1} {A2}", 17.0, 22.0),
    ]
    answers = align(guide, script, "q1", "q2", "q3", "q4")
    assert answers["q4"].answer == A4
    assert answers["q1"].status_label == "merged-with q2"
    assert answers["q2"].answer == f"{A1} {A2}"
    assert answers["q3"].status is AnswerStatus.NOT_ASKED


# --- the aligned file and the exports ------------------------------------------------------


def test_new_fields_round_trip_and_old_files_still_read(guide: Guide) -> None:
    merged = f"{Q1_ES[:-1]} y {Q4_ES[1].lower()}{Q4_ES[2:]}"
    script: list[Sentence] = [(merged, 0.0, 8.0), (f"{A1} {EARLY}", 9.0, 14.0)]
    matrix = align_interview(make_transcript(script), guide, asking(guide, "q1", "q2", "q4"), "en")
    assert InterviewMatrix.from_dict(matrix.to_dict()) == matrix
    old = {
        "interviewee_id": "felipe-ochoa",
        "answers": [
            {
                "question_id": "q4",
                "number": 1,
                "question": Q4_EN,
                "categories": ["x"],
                "status": "not found",
            }
        ],
    }
    [answer] = InterviewMatrix.from_dict(old).answers
    assert answer.status is AnswerStatus.NOT_ASKED is AnswerStatus.NOT_ASKED
    assert (answer.segment_ids, answer.merged_with, answer.early_answers) == ((), "", ())


def test_located_summary_names_what_to_check() -> None:
    def row(status: AnswerStatus) -> AlignedAnswer:
        return AlignedAnswer("q", 1, "?", (), status)

    statuses = [AnswerStatus.FOUND, AnswerStatus.LOW_CONFIDENCE, AnswerStatus.MERGED]
    matrix = InterviewMatrix("x", tuple(row(s) for s in [*statuses, AnswerStatus.NOT_ASKED]))
    assert located_summary(matrix) == "3/4 questions located (1 low-confidence, 1 merged)"
    assert located_summary(InterviewMatrix("x", (row(AnswerStatus.FOUND),))) == (
        "1/1 questions located"
    )


def test_exports_say_what_each_status_means(guide: Guide) -> None:
    interviewee = asking(guide, "q1", "q4")
    base = AlignedAnswer("q1", 1, "Q?", (), AnswerStatus.MERGED, merged_with="q4")
    assert answer_paragraphs(base, "original", interviewee) == [
        Paragraph(MERGED_TEXT.format(number=2), "note")
    ]
    assert MERGED_TEXT.format(number=2) == "[Asked together with question 2: see its answer]"
    early = EarlyAnswer("q1", 10.0, 14.0, EARLY)
    unasked = AlignedAnswer("q4", 2, "Q?", (), AnswerStatus.NOT_ASKED, early_answers=(early,))
    note = EARLY_ANSWER_TEXT.format(number=1, span="[00:10\N{EN DASH}00:14]", text=EARLY)
    assert answer_paragraphs(unasked, "original", interviewee) == [
        Paragraph(NOT_FOUND_TEXT, "note"),
        Paragraph(note, "note"),
    ]
    weak = AlignedAnswer("q1", 1, "Q?", (), AnswerStatus.LOW_CONFIDENCE, answer=A1, confidence=0.45)
    assert answer_paragraphs(weak, "original", interviewee) == [
        Paragraph(LOW_CONFIDENCE_TEXT.format(confidence=0.45), "note"),
        Paragraph(A1, "answer"),
    ]
