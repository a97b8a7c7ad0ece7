"""Locate each guide question in a transcript and cut out the answer that follows it.

Interviewers paraphrase, reorder, skip and merge questions, so alignment works in steps:

1. Roles (pipeline.turns): each word gets its speaker's role where labels allow.
2. Candidates: every asked question is fuzzy-matched (in every language the guide gives)
   against passages that start where a sentence, a speaker turn or an inner question
   ("... and how ...") starts; passages the interviewee speaks count for little. A passage
   that shares the question's rarer content words (weighted by how seldom the interview
   uses them) also counts, for questions the interviewer put in quite other words, and,
   with the `semantic` extra, a question-form sentence close in meaning, it and the reply
   it drew (pipeline.semantic).
3. Assignment: one non-overlapping set of candidates, at most one per question, with the
   highest total score; asking a question before one that precedes it in the guide costs a
   small penalty, so guide order breaks ties but a clear reordering still wins.
4. Answers: the interviewee's speech after a question up to the next located question, so
   follow-up exchanges stay with their parent question. Two questions with no answer between
   them were merged; passages that seem to answer another question early are noted on it.

Questions that match nothing are reported as not asked rather than filled with a guess.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz

from . import semantic
from .models import (
    AlignedAnswer,
    AnswerStatus,
    EarlyAnswer,
    Guide,
    Interviewee,
    InterviewMatrix,
    Question,
    Transcript,
    Word,
    join_words,
)
from .turns import INTERVIEWEE, INTERVIEWER, UNKNOWN, majority_role, resolve_roles

MATCH_THRESHOLD = 0.55
"""Minimum score (0-1) for a transcript passage to count as a guide question."""
LOW_CONFIDENCE = 0.5
"""Located answers below this confidence get status low-confidence (check the recording)."""
STATEMENT_WEIGHT = 0.75
"""Score factor for passages of unknown speaker not in question form (no "?"): an
interviewee echoing the words of a question that was never asked must not be taken for it."""
TURN_STATEMENT_WEIGHT = 0.85
"""Milder factor for a statement with a pause on both sides: it looks like a turn of its own,
as an interviewer's question in statement form does ("Tell me about ...")."""
TURN_PAUSE_SECONDS = 0.75
"""A silence this long before and after a passage suggests a change of speaker."""
INTERVIEWEE_WEIGHT = 0.5
"""Score factor for passages the interviewee speaks: even a word-for-word quote of a guide
question stays below MATCH_THRESHOLD, as interviewees answer questions, they do not ask them."""
MID_SENTENCE_WEIGHT = 0.93
"""Score factor for a passage that ends inside a sentence: questions usually end a sentence,
but recognition sometimes runs a question into its answer without punctuation."""
ORDER_PENALTY = 0.1
"""Score cost of placing a question before one that precedes it in the guide."""
SPAN_LENGTHS = (0.5, 2.0)
"""A heard question may be this much shorter or longer (in words) than the guide's text."""
PAUSE_SPLIT_SECONDS = 1.0
"""A silence this long between words starts a new sentence (often a change of speaker)."""
MERGE_GAP_WORDS = 3
"""Two questions with at most this many words of unknown speaker between them, said in the
same breath, were asked as one."""
EARLY_MIN_WORDS = 3
EARLY_OVERLAP = 0.5
"""A passage answers another question early when it shares at least EARLY_MIN_WORDS and
EARLY_OVERLAP of that question's content words, and more of them than with its own."""
BEAM_WIDTH = 64
"""Partial assignments kept while searching for the best one."""
_SENTENCE_END = re.compile(r"[.?!…]+[\"')\]]*$")
_QUESTION_START = ("¿", "¡")
_BROKEN_OFF = re.compile("(--|\u2014|\u2013)$")
"""A word ending in "--" or an em or en dash: the speaker broke off."""
_ENDS_STATEMENT = re.compile(r"[.!…][\"')\]]*\s*$")
_QUESTION_WORDS = frozenset(
    {
        *("que", "cual", "cuales", "como", "donde", "cuando", "cuanto", "cuantos", "quien"),
        *("what", "which", "how", "why", "where", "when", "who", "whose"),
        *("do", "does", "did", "is", "are", "can", "could", "would", "has", "have"),
    }
)
"""Words that open a question (accents removed): recognition often drops the "?"."""
_INNER_OPENERS = frozenset({"que", "cual", "cuales", "como", "what", "which", "how", "why"})
_JOINERS = frozenset({"y", "e", "o", "and", "or", "also", "tambien"})
"""A question word after a joiner ("... and how ...") may open a second, merged question."""
_CONTENT_WORD_LENGTH = 5
"""Normalised words this long carry content (a language-neutral stand-in for stop words)."""
STEM_LENGTH = 5
"""Content words compare by their first letters, so "record" meets "recording"."""
OVERLAP_FLOOR = 0.2
"""Rarity-weighted content overlap (Dice, 0-1) that scores MATCH_THRESHOLD: below it the
shared words are too few or too common to say a passage asks the question."""
OVERLAP_MIN_SHARED = 2
"""Content words a passage must share with a question for the overlap to count at all."""
SEMANTIC_FLOOR = 0.12
"""How far above its usual similarity to this interview's questions (the median) a
sentence's meaning must come to a guide question's before it may place it."""
SEMANTIC_SCALE = 0.4
"""Score gained per unit of meaning similarity above SEMANTIC_FLOOR."""
REPLY_WEIGHT = 0.25
"""How much the meaning of the reply a sentence drew adds to the sentence's own: an answer
about costs says the question was about costs, however it was put."""
REPLY_WORDS = 60
"""Words of the reply that count (its start says what it answers)."""
SEMANTIC_CEILING = 0.7
"""Highest score meaning alone gives: a near-verbatim question still wins on its words."""
OVERLAP_CEILING = 0.64
"""Highest score overlap alone gives: enough for a passage in question form, too little
(after STATEMENT_WEIGHT or TURN_STATEMENT_WEIGHT) for a statement, since answers echo the
words of questions."""


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


@dataclass(frozen=True)
class _Words:
    """The transcript as one word list, with what alignment needs to know per word."""

    words: list[Word]
    plain: list[str]
    segment: list[int]
    """Index of the transcript segment each word comes from."""
    roles: list[str]
    starts: list[int]
    """Where a heard question may start."""
    questioning: list[bool]
    """Whether the sentence around each word is in question form."""
    sentence: list[int]
    """Index of the sentence each word belongs to."""
    rarity: dict[str, float]
    """Per content stem: how rare it is in this transcript (inverse sentence frequency)."""


@dataclass(frozen=True)
class _Plan:
    """A partial assignment: chosen matches in transcript order and their total score."""

    total: float
    matches: tuple[_Match, ...]
    used: frozenset[str]
    last_order: int


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
        if _ends_sentence(words, index):
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


# --- the transcript as words -----------------------------------------------------------------


def _prepare(transcript: Transcript, questions: Sequence[Question]) -> _Words:
    """Words with their segment, role and the places a question may start."""
    words: list[Word] = []
    segment: list[int] = []
    labels: list[str] = []
    for index, seg in enumerate(transcript.segments):
        words += seg.timed_words
        segment += [index] * len(seg.timed_words)
        labels += [seg.speaker] * len(seg.timed_words)
    plain = [normalise(w.text) for w in words]
    starts = _start_points(words, plain, labels)
    questioning, sentence = _question_form(words, plain)
    rarity = _rarity(plain, sentence)
    unlabelled = _Words(
        words, plain, segment, [UNKNOWN] * len(words), starts, questioning, sentence, rarity
    )
    evidence = [0.0] * len(words)
    if any(label not in (INTERVIEWER, INTERVIEWEE, UNKNOWN) for label in labels):
        lexical = (m for q in questions for m in _locate(q, unlabelled))
        for match in lexical:  # which voice asks the questions? (by words: meaning is too loose)
            for index in range(match.first, match.last + 1):
                evidence[index] = max(evidence[index], match.score)
    roles = resolve_roles(labels, evidence)
    return _Words(words, plain, segment, roles, starts, questioning, sentence, rarity)


def _stem(plain: str) -> str:
    """A content word's stem, or "" for a short (function) word."""
    return plain[:STEM_LENGTH] if len(plain) >= _CONTENT_WORD_LENGTH else ""


def _rarity(plain: list[str], sentence: list[int]) -> dict[str, float]:
    """Inverse sentence frequency of each content stem: a word said all through the
    interview ("governor", the project's name) tells less about where a question is."""
    seen: dict[str, set[int]] = {}
    for word, number in zip(plain, sentence, strict=True):
        if stem := _stem(word):
            seen.setdefault(stem, set()).add(number)
    count = (sentence[-1] + 1) if sentence else 0
    return {stem: math.log((count + 1) / (len(where) + 0.5)) for stem, where in seen.items()}


def _question_form(words: list[Word], plain: list[str]) -> tuple[list[bool], list[int]]:
    """Per word: whether its sentence ends with "?" or opens like a question ("¿", "how",
    "qué"), and the sentence's index."""
    form = [False] * len(words)
    index = [0] * len(words)
    for number, sentence in enumerate(_sentences_of(words)):
        index[sentence.first_word : sentence.last_word + 1] = [number] * (
            sentence.last_word - sentence.first_word + 1
        )
        asks = sentence.text.endswith("?") or _opens_question(
            words[sentence.first_word], plain[sentence.first_word]
        )
        form[sentence.first_word : sentence.last_word + 1] = [asks] * (
            sentence.last_word - sentence.first_word + 1
        )
    return form, index


def _start_points(words: list[Word], plain: list[str], labels: list[str]) -> list[int]:
    """Sentence starts, speaker changes, words after a comma ("So, what ...") and question
    words after "and"/"y" (two questions merged into one sentence)."""
    starts = {s.first_word for s in _sentences_of(words)}
    starts |= {i for i in range(1, len(words)) if words[i - 1].text.rstrip().endswith(",")}
    starts |= {i for i in range(1, len(words)) if labels[i] != labels[i - 1]}
    starts |= {i for i in range(1, len(words)) if _inner_question_at(plain, i)}
    return sorted(starts)


def _inner_question_at(plain: Sequence[str], index: int) -> bool:
    """A question word after a joiner ("... and how ..."): a second question may start."""
    return plain[index] in _INNER_OPENERS and plain[index - 1] in _JOINERS


# --- candidates --------------------------------------------------------------------------------


def _candidates(questions: Sequence[Question], ctx: _Words) -> list[_Match]:
    return [*(m for q in questions for m in _locate(q, ctx)), *_by_meaning(questions, ctx)]


def _by_meaning(questions: Sequence[Question], ctx: _Words) -> list[_Match]:
    """Question-form sentences placed by meaning (with the `semantic` extra installed).

    Each sentence the interviewee did not say, in question form, is compared with every
    question in each of its languages: alone, with the statement that leads into it in the
    same turn ("You are polling at 10%. What do you attribute that to?"), and clause by
    clause, since a two-part question often shares only one part with the guide's ("...,
    and how did you go about it?"); the meaning of the reply it drew adds a little
    (REPLY_WEIGHT). Some questions are close to every sentence, so a
    sentence counts by how far it stands above the question's median over the interview,
    and only for the question it stands out most for.
    """
    model = semantic.embedder()
    spans = _asking_sentences(ctx)
    if model is None or len(spans) < 2 or not questions:
        return []
    heard = [
        [
            join_words(ctx.words[lead : last + 1]),
            *_clauses([w.text.strip() for w in ctx.words[first : last + 1]]),
        ]
        for lead, first, last in spans
    ]
    guide = [[c for t in q.text.values() for c in _clauses(t.split())] for q in questions]
    rows = model.embed([t for texts in heard for t in texts])
    columns = model.embed([t for texts in guide for t in texts])
    pairs = rows @ columns.T
    similar = np.maximum.reduceat(
        np.maximum.reduceat(pairs, _offsets(heard), axis=0), _offsets(guide), axis=1
    )
    replies = _replies(ctx, spans)
    answered = [row for row, reply in enumerate(replies) if reply]
    drew = np.zeros((len(spans), columns.shape[0]))  # no reply (merged): no evidence
    drew[answered] = model.embed([replies[row] for row in answered]) @ columns.T
    similar += REPLY_WEIGHT * np.maximum.reduceat(drew, _offsets(guide), axis=1)
    above = similar - np.median(similar, axis=0)
    matches = []
    for row, (_, first, last) in enumerate(spans):
        n = int(np.argmax(above[row]))
        gain = float(above[row, n]) - SEMANTIC_FLOOR
        if gain < 0:
            continue
        score = min(SEMANTIC_CEILING, MATCH_THRESHOLD + gain * SEMANTIC_SCALE)
        score *= _speaker_weight(ctx, first, last)
        if score >= MATCH_THRESHOLD:
            matches.append(_Match(questions[n].id, first, last, score))
    return matches


def _replies(ctx: _Words, spans: list[tuple[int, int, int]]) -> list[str]:
    """What follows each question-form sentence up to the next one (at most REPLY_WORDS
    words, the interviewer's left out): the start of the answer it drew."""
    stops = [first for _, first, _ in spans[1:]] + [len(ctx.words)]
    replies = []
    for (_, _, last), stop in zip(spans, stops, strict=True):
        following = range(last + 1, min(stop, last + 1 + REPLY_WORDS))
        replies.append(join_words([ctx.words[i] for i in following if ctx.roles[i] != INTERVIEWER]))
    return replies


def _clauses(tokens: Sequence[str]) -> list[str]:
    """The whole text, then each of its parts cut before a question word that follows
    "and"/"or"/"y" ("What led you to start it, | and how did you get it going?")."""
    plain = [normalise(t) for t in tokens]
    cuts = [i - 1 for i in range(2, len(tokens)) if _inner_question_at(plain, i)]
    bounds = [0, *cuts, len(tokens)]
    parts = [" ".join(tokens[a:b]).strip(" ,;") for a, b in itertools.pairwise(bounds)]
    return [" ".join(tokens), *parts] if len(parts) > 1 else [" ".join(tokens)]


def _offsets(groups: list[list[str]]) -> list[int]:
    """Where each group's rows start in the flattened list (for np.maximum.reduceat)."""
    return list(np.cumsum([0, *(len(g) for g in groups[:-1])]))


def _asking_sentences(ctx: _Words) -> list[tuple[int, int, int]]:
    """(lead, first, last) word indexes of each question-form sentence the interviewee did
    not say; `lead` starts the statement just before it in the same turn, if any."""
    sentences = _sentences_of(ctx.words)
    spans = []
    for k, sentence in enumerate(sentences):
        if not ctx.questioning[sentence.first_word] or _said_by_interviewee(ctx, sentence):
            continue
        lead = sentence.first_word
        before = sentences[k - 1] if k else None
        if (
            before is not None
            and sentence.start - before.end < TURN_PAUSE_SECONDS
            and not ctx.questioning[before.first_word]
            and not _said_by_interviewee(ctx, before)
        ):
            lead = before.first_word
        spans.append((lead, sentence.first_word, sentence.last_word))
    return spans


def _said_by_interviewee(ctx: _Words, sentence: Sentence) -> bool:
    return majority_role(ctx.roles[sentence.first_word : sentence.last_word + 1]) == INTERVIEWEE


def _locate(question: Question, ctx: _Words) -> Iterator[_Match]:
    """Best-scoring span for a question from each start point.

    Spans may end inside a sentence, because speech recognition often runs a question and
    the start of its answer together, and may hold one "?" more than the guide's text,
    because recognition sometimes cuts one question in two.
    """
    words, plain = ctx.words, ctx.plain
    texts = {normalise(t) for t in question.text.values()}
    lengths = [len(t.split()) for t in texts]
    shortest = max(1, round(min(lengths) * SPAN_LENGTHS[0]))
    longest = max(shortest, round(max(lengths) * SPAN_LENGTHS[1]))
    question_marks = max(1, *(t.count("?") for t in question.text.values())) + 1
    unseen = max(ctx.rarity.values(), default=1.0)
    asks = {s: ctx.rarity.get(s, unseen) for t in texts for w in t.split() if (s := _stem(w))}
    for first in ctx.starts:
        best: _Match | None = None
        asked = 0
        heard: set[str] = set()
        for last in range(first, min(first + longest, len(words))):
            if asked >= question_marks:
                break  # the passage would run past the end of the question into its answer
            asked += words[last].text.strip().endswith("?")
            heard.add(_stem(plain[last]))
            if last - first + 1 < shortest:
                continue
            passage = " ".join(w for w in plain[first : last + 1] if w)
            score = max(
                max(similarity(text, passage) for text in texts),
                _overlap_score(asks, heard - {""}, ctx.rarity),
            )
            score *= _speaker_weight(ctx, first, last)
            if not _ends_sentence(words, last):
                score *= MID_SENTENCE_WEIGHT
            if score >= MATCH_THRESHOLD and (best is None or score > best.score):
                best = _Match(question.id, first, last, score)
        if best:
            yield best


def _overlap_score(asks: dict[str, float], heard: set[str], rarity: dict[str, float]) -> float:
    """Rarity-weighted overlap (Dice) of content stems, on the scale of `similarity`.

    Character similarity misses a guide question the interviewer put in other words;
    sharing the rare words of the question ("polling", "candidates") still places it.
    `asks` maps the question's stems to their rarity.
    """
    shared = asks.keys() & heard
    if len(shared) < OVERLAP_MIN_SHARED:
        return 0.0
    total = sum(asks.values()) + sum(rarity[s] for s in heard)
    dice = 2 * sum(asks[s] for s in shared) / total if total else 0.0
    return min(OVERLAP_CEILING, max(0.0, MATCH_THRESHOLD + dice - OVERLAP_FLOOR))


def _speaker_weight(ctx: _Words, first: int, last: int) -> float:
    """How much a passage's speaker and form speak for it being a question.

    Without speaker labels, the passage's form counts: its last sentence must be a question
    and no statement may end inside it, so that a passage running from the end of an
    answer into the next question (or from a follow-up question through its reply) does
    not borrow that question's form.
    """
    role = majority_role(ctx.roles[first : last + 1])
    if role == INTERVIEWER:
        return 1.0  # interviewers also ask in statement form ("Tell me about ...")
    if role == INTERVIEWEE:
        return INTERVIEWEE_WEIGHT
    statement_inside = any(_ENDS_STATEMENT.search(w.text) for w in ctx.words[first:last])
    opens = _opens_question(ctx.words[first], ctx.plain[first])
    one_sentence = ctx.sentence[first] == ctx.sentence[last]
    if not statement_inside and (ctx.questioning[last] or (opens and one_sentence)):
        return 1.0
    return TURN_STATEMENT_WEIGHT if _stands_alone(ctx.words, first, last) else STATEMENT_WEIGHT


def _stands_alone(words: list[Word], first: int, last: int) -> bool:
    """Silence before and after words[first : last + 1] (or the recording's edge)."""
    before = first == 0 or words[first].start - words[first - 1].end >= TURN_PAUSE_SECONDS
    after = last + 1 == len(words) or words[last + 1].start - words[last].end >= TURN_PAUSE_SECONDS
    return before and after


def _opens_question(word: Word, plain: str) -> bool:
    return word.text.strip().startswith("¿") or plain in _QUESTION_WORDS


def _ends_sentence(words: list[Word], index: int) -> bool:
    """End punctuation, the recording's end, an opening "¿" next, or a sentence broken off
    with a dash before a new one ("We have -- How can you tell ...?"), as typed transcripts
    mark an interruption."""
    if index + 1 == len(words) or _SENTENCE_END.search(words[index].text.strip()):
        return True
    following = words[index + 1].text.strip()
    broken_off = bool(_BROKEN_OFF.search(words[index].text.strip())) and following[:1].isupper()
    return broken_off or following.startswith(_QUESTION_START)


# --- global assignment -------------------------------------------------------------------------


def _assign(candidates: list[_Match], order: dict[str, int]) -> list[_Match]:
    """The non-overlapping set of candidates, one per question at most, with the best total.

    A beam search over the candidates in transcript order: each partial plan either takes a
    candidate or not. Placing a question before one that comes earlier in the guide costs
    ORDER_PENALTY, so the guide's order decides between near-equal readings.
    """
    candidates = sorted(candidates, key=lambda m: (m.first, -m.score))
    plans = [_Plan(0.0, (), frozenset(), -1)]
    for match in candidates:
        grown = [
            _Plan(
                plan.total
                + match.score
                - (ORDER_PENALTY if order[match.question_id] < plan.last_order else 0.0),
                (*plan.matches, match),
                plan.used | {match.question_id},
                order[match.question_id],
            )
            for plan in plans
            if match.question_id not in plan.used
            and (not plan.matches or plan.matches[-1].last < match.first)
        ]
        plans = _prune([*plans, *grown])
    return list(max(plans, key=lambda p: p.total).matches)


def _prune(plans: list[_Plan]) -> list[_Plan]:
    """Keep the best plan per (questions used, last question), then the best BEAM_WIDTH."""
    best: dict[tuple[frozenset[str], int], _Plan] = {}
    for plan in plans:
        key = (plan.used, plan.last_order)
        kept = best.get(key)
        if kept is None or (plan.total, -_end(plan)) > (kept.total, -_end(kept)):
            best[key] = plan
    return sorted(best.values(), key=lambda p: (-p.total, _end(p)))[:BEAM_WIDTH]


def _end(plan: _Plan) -> int:
    return plan.matches[-1].last if plan.matches else -1


# --- answers -------------------------------------------------------------------------------------


def align_interview(
    transcript: Transcript, guide: Guide, interviewee: Interviewee, language: str
) -> InterviewMatrix:
    """Build one interviewee's matrix rows; `language` picks the question text shown."""
    questions = [guide.question(q) for q in interviewee.question_ids]
    order = {q: n for n, q in enumerate(interviewee.question_ids)}
    ctx = _prepare(transcript, questions)
    located = sorted(_assign(_candidates(questions, ctx), order), key=lambda m: m.first)
    answers: dict[str, AlignedAnswer] = {}
    for index, match in enumerate(located):
        stop = located[index + 1].first if index + 1 < len(located) else len(ctx.words)
        spoken = _answer_words(ctx, match.last + 1, stop)
        merged_with = located[index + 1].question_id if _merged(ctx, spoken, index, located) else ""
        answers[match.question_id] = _answer(
            guide.question(match.question_id),
            order[match.question_id] + 1,
            language,
            match,
            ctx,
            spoken,
            transcript,
            merged_with,
        )
    for question in questions:
        answers.setdefault(question.id, _not_asked(question, order[question.id] + 1, language))
    early = _early_answers(questions, located, ctx)
    return InterviewMatrix(
        interviewee_id=interviewee.id,
        answers=tuple(_with_early(answers[q.id], early.get(q.id, ())) for q in questions),
    )


def _answer_words(ctx: _Words, first: int, stop: int) -> list[int]:
    """Indexes of the words answering: all of them, less the interviewer's where known."""
    return [i for i in range(first, stop) if ctx.roles[i] != INTERVIEWER]


def _merged(ctx: _Words, spoken: list[int], index: int, located: list[_Match]) -> bool:
    """Nobody answered before the next question: both were asked as one.

    Interviewees often answer in a word or two ("Sí, claro."), so a short passage between
    two questions only joins them when it is not the interviewee's: with roles known it must
    be none at all; with unknown speakers it must be a joining word said in the same breath
    ("... sostenible? y ¿qué ...") - no pause of PAUSE_SPLIT_SECONDS, no sentence of its own.
    """
    if index + 1 >= len(located):
        return False
    between = [i for i in spoken if ctx.plain[i]]
    if len(between) > MERGE_GAP_WORDS or any(ctx.roles[i] == INTERVIEWEE for i in between):
        return False
    first, stop = located[index].last, located[index + 1].first
    paused = any(
        ctx.words[i + 1].start - ctx.words[i].end >= PAUSE_SPLIT_SECONDS for i in range(first, stop)
    )
    own_sentence = any(_SENTENCE_END.search(ctx.words[i].text.strip()) for i in between)
    return not between or not (paused or own_sentence)


def _answer(
    question: Question,
    number: int,
    language: str,
    match: _Match,
    ctx: _Words,
    spoken: list[int],
    transcript: Transcript,
    merged_with: str,
) -> AlignedAnswer:
    """Confidence = how surely the question was found x how surely its answer was heard."""
    heard = ctx.words[match.first : match.last + 1]
    if merged_with:
        spoken = []
    words = [ctx.words[i] for i in spoken]
    sure = words or heard  # a merged question's certainty is that of its own words
    confidence = round(match.score * sum(w.probability for w in sure) / len(sure), 3)
    segment_ids = tuple(dict.fromkeys(ctx.segment[i] for i in spoken))
    if merged_with:
        status = AnswerStatus.MERGED
    elif confidence < LOW_CONFIDENCE:
        status = AnswerStatus.LOW_CONFIDENCE
    else:
        status = AnswerStatus.FOUND
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=status,
        answer=join_words(words),
        start=words[0].start if words else None,
        end=words[-1].end if words else None,
        confidence=confidence,
        heard_question=join_words(heard),
        question_start=heard[0].start,
        question_end=heard[-1].end,
        flags=_flags_of(transcript, segment_ids),
        segment_ids=segment_ids,
        merged_with=merged_with,
    )


def _flags_of(transcript: Transcript, segment_ids: tuple[int, ...]) -> tuple[str, ...]:
    """Quality flags of the answer's segments, each once, in order."""
    flags = (flag for i in segment_ids for flag in transcript.segments[i].flags)
    return tuple(dict.fromkeys(flags))


def _not_asked(question: Question, number: int, language: str) -> AlignedAnswer:
    return AlignedAnswer(
        question_id=question.id,
        number=number,
        question=question.text_in(language),
        categories=question.categories,
        status=AnswerStatus.NOT_ASKED,
    )


# --- early answers -------------------------------------------------------------------------------


def _content(words: list[str]) -> set[str]:
    """Content words: 5+ letters, a language-neutral stand-in for dropping stop words."""
    return {w for w in words if len(w) >= _CONTENT_WORD_LENGTH}


def _early_answers(
    questions: list[Question], located: list[_Match], ctx: _Words
) -> dict[str, tuple[EarlyAnswer, ...]]:
    """Interviewee sentences under one question that rather belong to another, asked later
    or not at all.

    A sentence said under question A is an early answer to question B when it shares with
    B's text (in one of its languages) at least EARLY_MIN_WORDS and EARLY_OVERLAP of its
    content words, and more than with A's text and the rest of A's answer. Passages after
    B's place do not count: the interviewee is then coming back to a topic already covered.
    Lexical overlap finds few early answers (see README), but rarely a wrong one.
    """
    texts = {q.id: [_content(normalise(t).split()) for t in q.text.values()] for q in questions}
    sentences = {m.question_id: list(_answer_sentences(ctx, m, located)) for m in located}
    said = {q: [_content(ctx.plain[a : b + 1]) for a, b in spans] for q, spans in sentences.items()}
    place = {m.question_id: m.first for m in located}
    found: dict[str, list[EarlyAnswer]] = {}
    for match in located:
        own = match.question_id
        for (first, last), content in zip(sentences[own], said[own], strict=True):
            rest = set().union(*(s for s in said[own] if s is not content))
            own_shared = len(content & (rest | set().union(*texts[own])))
            for question in questions:
                other = question.id
                if other == own or place.get(other, len(ctx.words)) <= first:
                    continue
                if _belongs(content, texts[other], own_shared):
                    words = ctx.words[first : last + 1]
                    found.setdefault(other, []).append(
                        EarlyAnswer(own, words[0].start, words[-1].end, join_words(words))
                    )
    return {q: tuple(passages) for q, passages in found.items()}


def _belongs(words: set[str], texts: list[set[str]], own_shared: int) -> bool:
    """Whether a sentence's content words belong to a question (in one of its languages)
    more than to the question it was said under."""
    needed = max(EARLY_MIN_WORDS, own_shared + 1)
    return any(len(words & text) >= max(needed, EARLY_OVERLAP * len(text)) for text in texts)


def _answer_sentences(
    ctx: _Words, match: _Match, located: list[_Match]
) -> Iterator[tuple[int, int]]:
    """(first, last) word index of each sentence of a question's answer region, from the end
    of the question to the next located one, that the interviewer did not say."""
    index = located.index(match)
    stop = located[index + 1].first if index + 1 < len(located) else len(ctx.words)
    start = match.last + 1
    for word in range(match.last + 1, stop):
        text = ctx.words[word].text.strip()
        if word + 1 == stop or _SENTENCE_END.search(text) or ctx.roles[word + 1] != ctx.roles[word]:
            if ctx.roles[start] != INTERVIEWER:
                yield start, word
            start = word + 1


def _with_early(answer: AlignedAnswer, early: tuple[EarlyAnswer, ...]) -> AlignedAnswer:
    return replace(answer, early_answers=early) if early else answer
