"""Alignment: find each asked question in the transcript and cut out the answer after it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import (
    A1,
    A2,
    A3,
    A4,
    GREETING,
    INTERVIEW_SCRIPT,
    Q1_EN,
    Q1_ES,
    Q2_EN,
    Q2_ES,
    Q3_ES,
    Q4_ES,
    Sentence,
    asking,
    make_provenance,
    make_transcript,
)

from pipeline.align import align_interview as align
from pipeline.align import normalise, split_sentences
from pipeline.models import (
    AlignedAnswer,
    AnswerStatus,
    Guide,
    InterviewMatrix,
    Segment,
    Transcript,
    Word,
)


def by_id(matrix: InterviewMatrix) -> dict[str, AlignedAnswer]:
    """Answers keyed by question id."""
    return {a.question_id: a for a in matrix.answers}


# --- sentences and normalisation ---------------------------------------------------------


def test_split_sentences_on_punctuation() -> None:
    """One Whisper segment holding two sentences is cut at the full stop / question mark."""
    words = (
        Word(0.0, 0.5, " Hola.", 0.8),
        Word(0.6, 1.0, " ¿Cómo", 1.0),
        Word(1.1, 1.5, " está?", 0.6),
        Word(1.6, 2.0, " Bien", 0.9),
    )
    transcript = Transcript(
        "x", "es", 2.0, (Segment(0.0, 2.0, " Hola. ¿Cómo está? Bien", words),), make_provenance()
    )
    sentences = split_sentences(transcript)
    assert [s.text for s in sentences] == ["Hola.", "¿Cómo está?", "Bien"]
    assert [(s.start, s.end) for s in sentences] == [(0.0, 0.5), (0.6, 1.5), (1.6, 2.0)]
    assert sentences[1].mean_probability == pytest.approx(0.8)


def test_split_sentences_on_long_pauses() -> None:
    """Unpunctuated speech is cut where a silence of a second or more falls."""
    transcript = make_transcript(
        [("so we started", 0.0, 2.0), ("and then it grew", 3.0, 5.0), ("a lot", 5.5, 6.0)]
    )
    sentences = split_sentences(transcript)
    assert [s.text for s in sentences] == ["so we started", "and then it grew a lot"]
    assert [(s.start, s.end) for s in sentences] == [(0.0, 2.0), (3.0, 6.0)]


def test_split_sentences_where_a_speaker_breaks_off_with_a_dash() -> None:
    """Typed transcripts mark an interruption with a dash; a capital after it starts anew."""
    transcript = make_transcript(
        [("We have -- How can you tell? It varies -- more or less.", 0.0, 4.0)]
    )
    sentences = split_sentences(transcript)
    assert [s.text for s in sentences] == [
        "We have --",
        "How can you tell?",
        "It varies -- more or less.",
    ]


def test_segment_without_words_is_one_sentence() -> None:
    """Engines that give no word timestamps still produce usable sentences."""
    transcript = Transcript(
        "x", "en", 3.0, (Segment(1.0, 3.0, " No words here"),), make_provenance()
    )
    [sentence] = split_sentences(transcript)
    assert (sentence.text, sentence.start, sentence.end) == ("No words here", 1.0, 3.0)


def test_normalise_strips_accents_case_and_punctuation() -> None:
    assert normalise("¿Cuáles son los DESAFÍOS?") == "cuales son los desafios"
    assert normalise("  Año, niño…  ¡ojalá!  ") == "ano nino ojala"
    assert normalise("Cuenca—Ecuador (2026)") == "cuenca ecuador 2026"


# --- locating questions and cutting answers ----------------------------------------------


def test_spanish_questions_found_against_bilingual_guide(guide: Guide) -> None:
    """Questions spoken in Spanish match the guide's `es` text; answers follow them."""
    matrix = align(make_transcript(INTERVIEW_SCRIPT), guide, asking(guide, "q1", "q4"), "en")
    assert matrix.interviewee_id == "felipe-ochoa"
    q1, q4 = matrix.answers
    assert (q1.question_id, q1.status, q1.heard_question) == ("q1", AnswerStatus.FOUND, Q1_ES)
    assert (q4.question_id, q4.status, q4.heard_question) == ("q4", AnswerStatus.FOUND, Q4_ES)
    assert q4.answer == A4
    assert q1.categories == ("sustainability",)


def test_answer_runs_up_to_the_next_located_question(guide: Guide) -> None:
    """Unasked guide questions and follow-ups said in between stay inside the answer."""
    matrix = align(make_transcript(INTERVIEW_SCRIPT), guide, asking(guide, "q1", "q4"), "en")
    q1 = by_id(matrix)["q1"]
    assert q1.answer == f"{A1} {Q2_ES} {A2} {Q3_ES} {A3}"
    assert (q1.start, q1.end) == (10.0, 33.0)


def test_last_answer_runs_to_the_end(guide: Guide) -> None:
    matrix = align(make_transcript(INTERVIEW_SCRIPT), guide, asking(guide, "q3"), "en")
    assert matrix.answers[0].answer == f"{A3} {Q4_ES} {A4}"


def test_reordered_questions(guide: Guide) -> None:
    """The interviewer asked q4 before q1; each answer still belongs to its question."""
    script: list[Sentence] = [
        (GREETING, 0.0, 3.0),
        (Q4_ES, 4.0, 8.0),
        (A4, 9.0, 12.0),
        (Q1_ES, 13.0, 18.0),
        (A1, 19.0, 22.0),
    ]
    matrix = align(make_transcript(script), guide, asking(guide, "q1", "q4"), "en")
    assert [a.question_id for a in matrix.answers] == ["q1", "q4"]
    answers = by_id(matrix)
    assert (answers["q1"].answer, answers["q1"].start, answers["q1"].end) == (A1, 19.0, 22.0)
    assert (answers["q4"].answer, answers["q4"].start, answers["q4"].end) == (A4, 9.0, 12.0)


def test_skipped_question_is_not_found(guide: Guide) -> None:
    script: list[Sentence] = [(Q1_ES, 0.0, 5.0), (A1, 6.0, 9.0), (Q4_ES, 10.0, 14.0), (A4, 15, 18)]
    matrix = align(make_transcript(script), guide, asking(guide, "q1", "q2", "q4"), "en")
    skipped = by_id(matrix)["q2"]
    assert skipped.status is AnswerStatus.NOT_ASKED
    assert skipped.number == 2
    assert skipped.question == Q2_EN
    assert skipped.answer == ""
    assert (skipped.start, skipped.end) == (None, None)
    assert skipped.confidence == 0.0
    assert skipped.heard_question == ""
    assert by_id(matrix)["q1"].answer == A1


def test_answer_echoing_a_skipped_question_is_not_taken_for_it(guide: Guide) -> None:
    """An interviewee who mentions the topic of an unasked question has not been asked it.

    q2 ("¿Cómo coopera el municipio con las universidades y las empresas privadas?") is
    skipped, but the answer to q1 mentions universities and private companies. That
    statement must stay in q1's answer and q2 must be reported as not found.
    """
    echo = "Trabajamos con las universidades y con empresas privadas de la ciudad."
    script: list[Sentence] = [
        (Q1_ES, 0.0, 5.0),
        (A1, 6.0, 9.0),
        (echo, 9.5, 12.0),
        (Q4_ES, 13.0, 17.0),
        (A4, 18.0, 21.0),
    ]
    matrix = align(make_transcript(script), guide, asking(guide, "q1", "q2", "q4"), "en")
    answers = by_id(matrix)
    assert answers["q2"].status is AnswerStatus.NOT_ASKED
    assert answers["q1"].answer == f"{A1} {echo}"


def test_paraphrase_with_recognition_errors_is_found(guide: Guide) -> None:
    """Missing accents, a split word and a reworded phrase still locate the question."""
    heard = (
        "cuales son los principales desafios que en frenta la ciudad de Cuenca para el "
        "desarollo sostenible"
    )
    script: list[Sentence] = [(GREETING, 0.0, 3.0), (heard, 4.0, 9.0), (A1, 10.0, 13.0)]
    matrix = align(make_transcript(script), guide, asking(guide, "q1"), "en")
    q1 = matrix.answers[0]
    assert q1.status is AnswerStatus.FOUND
    assert q1.heard_question == heard
    assert q1.answer == A1
    assert 0.6 <= q1.confidence < 0.9  # an imperfect match lowers confidence


def test_question_spread_over_two_sentences(guide: Guide) -> None:
    """A question broken by a pause is matched as one passage; its parts are not an answer."""
    script: list[Sentence] = [
        ("¿Cómo coopera el municipio", 0.0, 2.0),
        ("con las universidades y las empresas privadas?", 3.5, 6.0),
        (A2, 7.0, 10.0),
    ]
    matrix = align(make_transcript(script), guide, asking(guide, "q2"), "en")
    q2 = matrix.answers[0]
    assert q2.status is AnswerStatus.FOUND
    assert q2.heard_question == Q2_ES
    assert (q2.answer, q2.start, q2.end) == (A2, 7.0, 10.0)


def test_english_interview_matches_english_text(guide: Guide) -> None:
    script: list[Sentence] = [(Q1_EN, 0.0, 5.0), ("Mobility and funding.", 6.0, 8.0)]
    matrix = align(make_transcript(script, language="en"), guide, asking(guide, "q1"), "es")
    assert matrix.answers[0].status is AnswerStatus.FOUND
    assert matrix.answers[0].answer == "Mobility and funding."


def test_answer_times_come_from_the_words(guide: Guide) -> None:
    """Whisper segments often start early; the answer starts at its first spoken word."""
    question_words = tuple(
        Word(0.5 + i * 0.5, 0.9 + i * 0.5, f" {w}", 0.95) for i, w in enumerate(Q3_ES.split(" "))
    )
    question = Segment(0.0, 5.0, f" {Q3_ES}", question_words)
    answer = Segment(
        5.0,
        12.0,
        " La cámara de comercio.",
        (
            Word(6.25, 6.5, " La", 0.9),
            Word(6.5, 7.0, " cámara", 0.8),
            Word(7.0, 7.25, " de", 0.9),
            Word(7.25, 10.75, " comercio.", 0.6),
        ),
    )
    transcript = Transcript("x", "es", 12.0, (question, answer), make_provenance())
    [q3] = align(transcript, guide, asking(guide, "q3"), "en").answers
    assert (q3.start, q3.end) == (6.25, 10.75)
    assert q3.answer == "La cámara de comercio."
    # Exact question (score 1.0) x mean word probability of the answer (0.8).
    assert q3.confidence == pytest.approx(0.8)


def test_confidence_is_within_zero_and_one(guide: Guide) -> None:
    matrix = align(
        make_transcript(INTERVIEW_SCRIPT, probability=1.0),
        guide,
        asking(guide, "q1", "q2", "q3", "q4"),
        "en",
    )
    for answer in matrix.answers:
        assert answer.status is AnswerStatus.FOUND
        assert 0.0 < answer.confidence <= 1.0
    assert matrix.answers[0].confidence == 1.0


def test_confidence_reflects_word_probability(guide: Guide) -> None:
    matrix = align(
        make_transcript(INTERVIEW_SCRIPT, probability=0.5), guide, asking(guide, "q1"), "en"
    )
    assert matrix.answers[0].confidence == 0.5


def test_greeting_before_first_question_is_in_no_answer(guide: Guide) -> None:
    matrix = align(
        make_transcript(INTERVIEW_SCRIPT), guide, asking(guide, "q1", "q2", "q3", "q4"), "en"
    )
    assert [a.answer for a in matrix.answers] == [A1, A2, A3, A4]
    assert all(GREETING not in a.answer for a in matrix.answers)
    assert min(a.start for a in matrix.answers if a.start is not None) == 10.0


def test_numbers_are_positions_in_the_interviewees_list(guide: Guide) -> None:
    """Fabián was asked q3 then q1: they are his questions 1 and 2, in that order."""
    fabian = guide.interviewee("fabian-bermeo")
    matrix = align(make_transcript(INTERVIEW_SCRIPT), guide, fabian, "en")
    assert matrix.interviewee_id == "fabian-bermeo"
    assert [(a.number, a.question_id) for a in matrix.answers] == [(1, "q3"), (2, "q1")]


def test_question_text_in_requested_language(guide: Guide) -> None:
    transcript = make_transcript(INTERVIEW_SCRIPT)
    interviewee = asking(guide, "q1", "q2")
    assert [a.question for a in align(transcript, guide, interviewee, "en").answers] == [
        Q1_EN,
        Q2_EN,
    ]
    assert [a.question for a in align(transcript, guide, interviewee, "es").answers] == [
        Q1_ES,
        Q2_ES,
    ]
    # A language the guide lacks falls back to the guide's own language.
    assert align(transcript, guide, interviewee, "fr").answers[0].question == Q1_EN


def test_empty_transcript_finds_nothing(guide: Guide) -> None:
    matrix = align(make_transcript([]), guide, asking(guide, "q1", "q2"), "en")
    assert [a.status for a in matrix.answers] == [AnswerStatus.NOT_ASKED] * 2


def test_matrix_round_trips_through_json_dict(guide: Guide) -> None:
    """The aligned file is written with to_dict and read back with from_dict."""
    matrix = align(make_transcript(INTERVIEW_SCRIPT), guide, asking(guide, "q2", "q1"), "en")
    data = matrix.to_dict()
    assert data["answers"][0]["status"] == "found"
    assert InterviewMatrix.from_dict(data) == matrix


def test_answers_carry_the_quality_flags_of_their_segments(guide: Guide) -> None:
    """A looping segment inside an answer marks that answer, and only that one."""
    transcript = make_transcript(
        [(Q1_ES, 0.0, 5.0), (A1, 6.0, 9.0), (Q4_ES, 10.0, 14.0), (A4, 15.0, 18.0)]
    )
    looping = replace(transcript.segments[1], flags=("repetition", "high-compression"))
    transcript = replace(
        transcript, segments=(transcript.segments[0], looping, *transcript.segments[2:])
    )
    q1, q4 = align(transcript, guide, asking(guide, "q1", "q4"), "en").answers
    assert q1.flags == ("repetition", "high-compression")
    assert q4.flags == ()
    assert InterviewMatrix.from_dict(
        InterviewMatrix("felipe-ochoa", (q1, q4)).to_dict()
    ).answers == (q1, q4)
