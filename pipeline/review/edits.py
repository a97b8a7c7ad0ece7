"""Review edits as pure functions on an InterviewMatrix: each returns a new matrix.

Every edit records what a person changed (`AlignedAnswer.edited`) and who and when, so a
re-run of alignment can keep it (see merge.py). Re-anchoring moves a question's start to
another word of the transcript and cuts the answers again from the words.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..align import transcript_words
from ..errors import ReviewError
from ..models import AlignedAnswer, AnswerStatus, InterviewMatrix, Transcript, Word, join_words
from ..transcribe import now_utc

_QUESTION_END = re.compile(r"[?.!…]+[\"')\]]*$")


@dataclass(frozen=True)
class Anchor:
    """A question located by a person at words[first : last + 1] of the transcript."""

    first: int
    last: int


def default_editor() -> str:
    """Who is editing, when not told: the operating-system user name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def answer_of(matrix: InterviewMatrix, question_id: str) -> AlignedAnswer:
    for answer in matrix.answers:
        if answer.question_id == question_id:
            return answer
    raise ReviewError(f"no question {question_id!r} for {matrix.interviewee_id}")


def _with_answer(matrix: InterviewMatrix, new: AlignedAnswer) -> InterviewMatrix:
    answers = tuple(new if a.question_id == new.question_id else a for a in matrix.answers)
    return replace(matrix, answers=answers)


def _marked(answer: AlignedAnswer, what: Sequence[str], editor: str, when: str) -> AlignedAnswer:
    edited = tuple(dict.fromkeys((*answer.edited, *what)))
    return replace(answer, edited=edited, edited_by=editor, edited_at=when)


def edit_answer(
    matrix: InterviewMatrix,
    question_id: str,
    *,
    editor: str,
    answer: str | None = None,
    translation: str | None = None,
    status: str | None = None,
    when: str | None = None,
) -> InterviewMatrix:
    """Set the answer text, translation and/or status; unchanged values mark nothing.

    An empty answer text, or one equal to the machine answer, removes the edit.
    """
    current = answer_of(matrix, question_id)
    changes: dict[str, object] = {}
    if answer is not None:
        text = answer.strip()
        edited_answer = "" if text in ("", current.answer) else text
        if edited_answer != current.edited_answer:
            changes["edited_answer"] = edited_answer
    if translation is not None and translation.strip() != current.translation:
        changes["translation"] = translation.strip()
    if status is not None and status != current.status.value:
        changes["status"] = parse_status(status)
    if not changes:
        return matrix
    what = [
        {"edited_answer": "answer", "translation": "translation", "status": "status"}[key]
        for key in changes
    ]
    new = _marked(replace(current, **changes), what, editor, when or now_utc())  # type: ignore[arg-type]
    return _with_answer(matrix, new)


def parse_status(value: str) -> AnswerStatus:
    try:
        return AnswerStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in AnswerStatus)
        raise ReviewError(f"invalid status {value!r} (choose from: {known})") from None


def edit_synthesis(
    matrix: InterviewMatrix, category_id: str, text: str, *, editor: str, when: str | None = None
) -> InterviewMatrix:
    """Set the Appendix 2 synthesis of one category; an empty text removes it."""
    synthesis = dict(matrix.synthesis)
    if text.strip():
        synthesis[category_id] = text.strip()
    else:
        synthesis.pop(category_id, None)
    if synthesis == matrix.synthesis:
        return matrix
    return replace(
        matrix,
        synthesis=synthesis,
        synthesis_edited_by=editor,
        synthesis_edited_at=when or now_utc(),
    )


def resolve_conflict(
    matrix: InterviewMatrix, question_id: str, keep: str, *, editor: str, when: str | None = None
) -> InterviewMatrix:
    """Settle a re-run conflict: keep the edit ("edit") or take the newer machine answer
    ("machine"); either way the newer machine answer becomes the basis of the answer."""
    current = answer_of(matrix, question_id)
    if not current.machine_answer:
        raise ReviewError(f"question {question_id!r} has no conflict to resolve")
    if keep not in ("edit", "machine"):
        raise ReviewError(f"keep must be 'edit' or 'machine', not {keep!r}")
    new = replace(current, answer=current.machine_answer, machine_answer="")
    if keep == "machine":
        new = replace(new, edited_answer="", edited=tuple(e for e in new.edited if e != "answer"))
    return _with_answer(matrix, _marked(new, (), editor, when or now_utc()))


def reanchor(
    matrix: InterviewMatrix,
    transcript: Transcript,
    question_id: str,
    word: int,
    *,
    editor: str,
    when: str | None = None,
) -> InterviewMatrix:
    """Say the question was asked from word `word` on: it runs to the end of that sentence
    (a "?", "." or the end of the segment) and its answer from there to the next question."""
    words = transcript_words(transcript)
    if not 0 <= word < len(words):
        raise ReviewError(f"word {word} is outside the transcript (0-{len(words) - 1})")
    current = answer_of(matrix, question_id)
    anchored = replace(current, status=AnswerStatus.FOUND, confidence=1.0, machine_answer="")
    matrix = _with_answer(matrix, _marked(anchored, ("anchor",), editor, when or now_utc()))
    return apply_anchors(matrix, transcript, {question_id: question_span(transcript, word)})


def question_span(transcript: Transcript, first: int) -> Anchor:
    """From word `first` to the first word ending a sentence in the same segment."""
    index = 0
    for segment in transcript.segments:
        count = len(segment.timed_words)
        if first < index + count:
            for last in range(first, index + count):
                if _QUESTION_END.search(segment.timed_words[last - index].text.strip()):
                    return Anchor(first, last)
            return Anchor(first, index + count - 1)
        index += count
    raise ReviewError(f"word {first} is outside the transcript")


def anchors_of(matrix: InterviewMatrix, transcript: Transcript) -> dict[str, Anchor]:
    """The re-anchored questions of a matrix, located in (possibly new) transcript words."""
    words = transcript_words(transcript)
    return {
        a.question_id: span
        for a in matrix.answers
        if "anchor" in a.edited and (span := locate(a, words)) is not None
    }


def locate(answer: AlignedAnswer, words: Sequence[Word]) -> Anchor | None:
    """The words a located question was heard in, from its stored times."""
    if answer.question_start is None or answer.question_end is None or not words:
        return None
    first = min(range(len(words)), key=lambda i: abs(words[i].start - answer.question_start))
    last = min(range(first, len(words)), key=lambda i: abs(words[i].end - answer.question_end))
    return Anchor(first, last)


def apply_anchors(
    matrix: InterviewMatrix, transcript: Transcript, anchors: Mapping[str, Anchor]
) -> InterviewMatrix:
    """Put the anchored questions where a person said, and cut again every answer whose
    start or end moved; a machine location inside an anchored one is given up.

    Returns the matrix; answers that were not affected keep the aligner's own cut.
    """
    if not anchors:
        return matrix
    words = transcript_words(transcript)
    before = _positions(matrix, words, {})
    after = _positions(matrix, words, anchors)
    taken = {i for qid, a in anchors.items() for i in range(a.first, a.last + 1)}
    for qid, span in list(after.items()):
        if qid not in anchors and taken.intersection(range(span.first, span.last + 1)):
            del after[qid]
    before_next, after_next = _successors(before, len(words)), _successors(after, len(words))
    answers = []
    for answer in matrix.answers:
        qid = answer.question_id
        if qid in after and (after.get(qid), after_next.get(qid)) != (
            before.get(qid),
            before_next.get(qid),
        ):
            answer = _cut(answer, transcript, words, after[qid], after_next[qid])
        elif qid in before and qid not in after:
            answer = _unlocated(answer)
        answers.append(answer)
    return replace(matrix, answers=tuple(answers))


def _positions(
    matrix: InterviewMatrix, words: Sequence[Word], anchors: Mapping[str, Anchor]
) -> dict[str, Anchor]:
    positions = {}
    for answer in matrix.answers:
        span = anchors.get(answer.question_id) or locate(answer, words)
        if span is not None:
            positions[answer.question_id] = span
    return positions


def _successors(positions: Mapping[str, Anchor], total: int) -> dict[str, int]:
    """Where each located question's answer stops: at the next located question."""
    order = sorted(positions.items(), key=lambda item: (item[1].first, item[0]))
    stops = [span.first for _, span in order[1:]] + [total]
    return {qid: stop for (qid, _), stop in zip(order, stops, strict=True)}


def _cut(
    answer: AlignedAnswer,
    transcript: Transcript,
    words: Sequence[Word],
    span: Anchor,
    stop: int,
) -> AlignedAnswer:
    heard = words[span.first : span.last + 1]
    said = words[span.last + 1 : max(stop, span.last + 1)]
    return replace(
        answer,
        heard_question=join_words(heard),
        question_start=heard[0].start,
        question_end=heard[-1].end,
        answer=join_words(said),
        start=said[0].start if said else None,
        end=said[-1].end if said else None,
        flags=_flags_between(transcript, said[0].start, said[-1].end) if said else (),
    )


def _unlocated(answer: AlignedAnswer) -> AlignedAnswer:
    """A machine location given up for a person's anchor of another question there."""
    return replace(
        answer,
        status=AnswerStatus.NOT_ASKED,
        answer="",
        start=None,
        end=None,
        confidence=0.0,
        heard_question="",
        question_start=None,
        question_end=None,
        flags=(),
    )


def _flags_between(transcript: Transcript, start: float, end: float) -> tuple[str, ...]:
    flags = (
        flag
        for segment in transcript.segments
        if segment.start < end and segment.end > start
        for flag in segment.flags
    )
    return tuple(dict.fromkeys(flags))
