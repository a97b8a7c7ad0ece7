"""Locate each guide question in a transcript and cut out the answer that follows it.

Interviewers paraphrase, reorder and skip questions, so each asked question is fuzzy-matched
(in every language the guide gives) against passages that start where a transcript sentence
starts; the best non-overlapping matches above a threshold win, in any order. An answer is
everything said after its question up to the next located question. Questions that match nothing are
reported as not found rather than filled with a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
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
    join_words,
)

MATCH_THRESHOLD = 0.55
"""Minimum score (0-1) for a transcript passage to count as a guide question."""
STATEMENT_WEIGHT = 0.75
"""Score factor for passages not in question form (no "?"): an interviewee echoing the words
of a question that was never asked must not be taken for it."""
MID_SENTENCE_WEIGHT = 0.93
"""Score factor for a passage that ends inside a sentence: questions usually end a sentence,
but recognition sometimes runs a question into its answer without punctuation."""
SPAN_LENGTHS = (0.5, 2.0)
"""A heard question may be this much shorter or longer (in words) than the guide's text."""
PAUSE_SPLIT_SECONDS = 1.0
"""A silence this long between words starts a new sentence (often a change of speaker)."""
_SENTENCE_END = re.compile(r"[.?!…]+[\"')\]]*$")
_QUESTION_START = ("¿", "¡")
_QUESTION_WORDS = frozenset(
    {
        *("que", "cual", "cuales", "como", "donde", "cuando", "cuanto", "cuantos", "quien"),
        *("what", "which", "how", "why", "where", "when", "who", "whose"),
        *("do", "does", "did", "is", "are", "can", "could", "would", "has", "have"),
    }
)
"""Words that open a question (accents removed): recognition often drops the "?"."""


@dataclass(frozen=True)
class Sentence:
    """A run of words; `first_word`/`last_word` index the transcript's flat word list."""

    start: float
    end: float
    text: str
    mean_probability: float
    first_word: int
    last_word: int


@dataclass(frozen=True)
class _Match:
    """A question located at words[first : last + 1]."""

    question_id: str
    first: int
    last: int
    score: float


def transcript_words(transcript: Transcript) -> list[Word]:
    """All words in order; a segment without word timings counts as one word."""
    return [word for segment in transcript.segments for word in segment.timed_words]


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """Sentences cut at end punctuation, at long pauses and before an opening "¿"."""
    return _sentences_of(transcript_words(transcript))


def _sentences_of(words: list[Word]) -> list[Sentence]:
    sentences: list[Sentence] = []
    first = 0
    for index, word in enumerate(words):
        pause = index > first and word.start - words[index - 1].end >= PAUSE_SPLIT_SECONDS
        opens_question = index > first and word.text.strip().startswith(_QUESTION_START)
        if pause or opens_question:
            sentences.append(_sentence(words, first, index - 1))
            first = index
        if _SENTENCE_END.search(word.text.strip()):
            sentences.append(_sentence(words, first, index))
            first = index + 1
    if first < len(words):
        sentences.append(_sentence(words, first, len(words) - 1))
    return [s for s in sentences if s.text]


def _sentence(words: list[Word], first: int, last: int) -> Sentence:
    span = words[first : last + 1]
    text = join_words(span)
    probability = sum(w.probability for w in span) / len(span)
    return Sentence(span[0].start, span[-1].end, text, probability, first, last)


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text, so "¿Cuál?" matches "cual"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def similarity(question: str, passage: str) -> float:
    """0-1 similarity that tolerates word-order changes and recognition errors."""
    return fuzz.token_sort_ratio(question, passage) / 100.0


def _locate(
    question: Question, words: list[Word], plain: list[str], starts: list[int]
) -> Iterator[_Match]:
    """Best-scoring span for a question from each sentence start.

    Spans start where a sentence starts but may end inside one, because speech
    recognition often runs a question and the start of its answer together.
    """
    texts = {normalise(t) for t in question.text.values()}
    lengths = [len(t.split()) for t in texts]
    shortest = max(1, round(min(lengths) * SPAN_LENGTHS[0]))
    longest = max(shortest, round(max(lengths) * SPAN_LENGTHS[1]))
    question_marks = max(1, *(t.count("?") for t in question.text.values()))
    for first in starts:
        best: _Match | None = None
        asked = 0
        for last in range(first, min(first + longest, len(words))):
            if asked >= question_marks:
                break  # the passage would run past the end of the question into its answer
            token = words[last].text.strip()
            asked += token.endswith("?")
            if last - first + 1 < shortest:
                continue
            passage = " ".join(w for w in plain[first : last + 1] if w)
            score = max(similarity(text, passage) for text in texts)
            if not (asked or _opens_question(words[first], plain[first])):
                score *= STATEMENT_WEIGHT
            if not _ends_sentence(words, last):
                score *= MID_SENTENCE_WEIGHT
            if score >= MATCH_THRESHOLD and (best is None or score > best.score):
                best = _Match(question.id, first, last, score)
        if best:
            yield best


def _opens_question(word: Word, plain: str) -> bool:
    return word.text.strip().startswith("¿") or plain in _QUESTION_WORDS


def _ends_sentence(words: list[Word], index: int) -> bool:
    return (
        index + 1 == len(words)
        or bool(_SENTENCE_END.search(words[index].text.strip()))
        or words[index + 1].text.strip().startswith(_QUESTION_START)
    )


def _best_matches(questions: list[Question], words: list[Word]) -> list[_Match]:
    """Score every question at every sentence start; keep the best non-overlapping spans."""
    plain = [normalise(w.text) for w in words]
    starts = [s.first_word for s in _sentences_of(words)]
    candidates = [m for q in questions for m in _locate(q, words, plain, starts)]
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
    words = transcript_words(transcript)
    questions = [guide.question(q) for q in interviewee.question_ids]
    located = _best_matches(questions, words)
    numbers = {q: n for n, q in enumerate(interviewee.question_ids, start=1)}
    answers_by_id: dict[str, AlignedAnswer] = {}
    for index, match in enumerate(located):
        stop = located[index + 1].first if index + 1 < len(located) else len(words)
        question = guide.question(match.question_id)
        answer = words[match.last + 1 : stop]
        answers_by_id[question.id] = _answer(
            question,
            numbers[question.id],
            language,
            match,
            heard=words[match.first : match.last + 1],
            answer=answer,
            flags=_flags_between(transcript, answer[0].start, answer[-1].end) if answer else (),
        )
    return InterviewMatrix(
        interviewee_id=interviewee.id,
        answers=tuple(
            answers_by_id.get(q.id) or _not_found(q, numbers[q.id], language) for q in questions
        ),
    )


def _flags_between(transcript: Transcript, start: float, end: float) -> tuple[str, ...]:
    """Quality flags of every segment overlapping [start, end], each once, in order."""
    flags = (
        flag
        for segment in transcript.segments
        if segment.start < end and segment.end > start
        for flag in segment.flags
    )
    return tuple(dict.fromkeys(flags))


def _answer(
    question: Question,
    number: int,
    language: str,
    match: _Match,
    heard: list[Word],
    answer: list[Word],
    flags: tuple[str, ...],
) -> AlignedAnswer:
    """Confidence = how surely the question was found x how surely its answer was heard."""
    heard_probability = sum(w.probability for w in answer) / len(answer) if answer else 0.0
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=AnswerStatus.FOUND,
        answer=join_words(answer),
        start=answer[0].start if answer else None,
        end=answer[-1].end if answer else None,
        confidence=round(match.score * heard_probability, 3),
        heard_question=join_words(heard),
        question_start=heard[0].start,
        question_end=heard[-1].end,
        flags=flags,
    )


def _not_found(question: Question, number: int, language: str) -> AlignedAnswer:
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=AnswerStatus.NOT_FOUND,
    )
