"""Locate each guide question in a transcript and cut out the answer that follows it.

Interviewers paraphrase, reorder and skip questions, so each asked question is fuzzy-matched
(in every language the guide gives) against short windows of transcript sentences; the best
non-overlapping matches above a threshold win, in any order. An answer is everything said
after its question up to the next located question. Questions that match nothing are
reported as not found rather than filled with a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from .models import (
    AlignedAnswer,
    AnswerStatus,
    Guide,
    Interviewee,
    InterviewMatrix,
    Question,
    Transcript,
    Word,
)

MATCH_THRESHOLD = 0.6
"""Minimum similarity (0-1) for a transcript passage to count as a guide question."""
MAX_WINDOW = 3
"""A question may be spread over up to this many transcript sentences."""
PAUSE_SPLIT_SECONDS = 1.0
"""A silence this long between words starts a new sentence (often a change of speaker)."""
_SENTENCE_END = re.compile(r"[.?!…]+[\"')\]]*$")


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    text: str
    mean_probability: float


@dataclass(frozen=True)
class _Match:
    question_id: str
    first: int
    last: int
    score: float


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """Sentences from word timestamps: cut at end punctuation and at long pauses."""
    sentences: list[Sentence] = []
    current: list[Word] = []
    for segment in transcript.segments:
        words = segment.words or (Word(segment.start, segment.end, segment.text, 1.0),)
        for word in words:
            if current and word.start - current[-1].end >= PAUSE_SPLIT_SECONDS:
                sentences.append(_sentence(current))
                current = []
            current.append(word)
            if _SENTENCE_END.search(word.text.strip()):
                sentences.append(_sentence(current))
                current = []
    if current:
        sentences.append(_sentence(current))
    return [s for s in sentences if s.text]


def _sentence(words: list[Word]) -> Sentence:
    text = "".join(w.text for w in words).strip()
    probability = sum(w.probability for w in words) / len(words)
    return Sentence(words[0].start, words[-1].end, text, probability)


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text, so "¿Cuál?" matches "cual"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def similarity(question: str, passage: str) -> float:
    """0-1 similarity that tolerates word-order changes and recognition errors."""
    return fuzz.token_sort_ratio(question, passage) / 100.0


def _best_matches(questions: list[Question], sentences: list[Sentence]) -> list[_Match]:
    """Score every (question, window) pair, then keep the best non-overlapping ones."""
    windows = [
        (first, last, normalise(" ".join(s.text for s in sentences[first : last + 1])))
        for first in range(len(sentences))
        for last in range(first, min(first + MAX_WINDOW, len(sentences)))
    ]
    candidates = []
    for question in questions:
        texts = {normalise(t) for t in question.text.values()}
        for first, last, passage in windows:
            score = max(similarity(text, passage) for text in texts)
            if score >= MATCH_THRESHOLD:
                candidates.append(_Match(question.id, first, last, score))
    candidates.sort(key=lambda m: (-m.score, m.first, m.last - m.first))
    chosen: dict[str, _Match] = {}
    used: set[int] = set()
    for match in candidates:
        span = set(range(match.first, match.last + 1))
        if match.question_id not in chosen and not span & used:
            chosen[match.question_id] = match
            used |= span
    return sorted(chosen.values(), key=lambda m: m.first)


def align_interview(
    transcript: Transcript, guide: Guide, interviewee: Interviewee, language: str
) -> InterviewMatrix:
    """Build one interviewee's matrix rows; `language` picks the question text shown."""
    sentences = split_sentences(transcript)
    questions = [guide.question(q) for q in interviewee.question_ids]
    located = _best_matches(questions, sentences)
    answers_by_id: dict[str, AlignedAnswer] = {}
    numbers = {q: n for n, q in enumerate(interviewee.question_ids, start=1)}
    for index, match in enumerate(located):
        stop = located[index + 1].first if index + 1 < len(located) else len(sentences)
        question = guide.question(match.question_id)
        answers_by_id[question.id] = _answer(
            question,
            numbers[question.id],
            language,
            match,
            sentences[match.last + 1 : stop],
            heard=" ".join(s.text for s in sentences[match.first : match.last + 1]),
        )
    return InterviewMatrix(
        interviewee_id=interviewee.id,
        answers=tuple(
            answers_by_id.get(q.id) or _not_found(q, numbers[q.id], language) for q in questions
        ),
    )


def _answer(
    question: Question,
    number: int,
    language: str,
    match: _Match,
    answer_sentences: list[Sentence],
    heard: str,
) -> AlignedAnswer:
    """Confidence = how surely the question was found x how surely its answer was heard."""
    if answer_sentences:
        heard_probability = sum(s.mean_probability for s in answer_sentences) / len(
            answer_sentences
        )
    else:
        heard_probability = 0.0
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=AnswerStatus.FOUND,
        answer=" ".join(s.text for s in answer_sentences),
        start=answer_sentences[0].start if answer_sentences else None,
        end=answer_sentences[-1].end if answer_sentences else None,
        confidence=round(match.score * heard_probability, 3),
        heard_question=heard,
    )


def _not_found(question: Question, number: int, language: str) -> AlignedAnswer:
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=AnswerStatus.NOT_FOUND,
    )
