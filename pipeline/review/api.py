"""What the review page reads and sends, as plain JSON-ready data, independent of HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ReviewError
from ..export.content import LOW_CONFIDENCE, is_low_confidence
from ..models import AnswerStatus, Guide, Interviewee, Study, Transcript
from ..transcribe import load_transcript, transcript_path
from ..workflow import aligned_path
from . import edits, store


@dataclass(frozen=True)
class Review:
    """The study being reviewed and who is editing."""

    study: Study
    guide: Guide
    editor: str

    def interviewee(self, interviewee_id: str) -> Interviewee:
        try:
            return self.guide.interviewee(interviewee_id)
        except KeyError:
            raise ReviewError(f"no interviewee {interviewee_id!r} in the guide") from None


def interview_list(review: Review) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "name": i.name,
            "role": i.role,
            "aligned": aligned_path(review.study, i.id).is_file(),
        }
        for i in review.guide.interviewees
    ]


def interview(review: Review, interviewee_id: str) -> dict[str, Any]:
    """Everything one page shows: person, questions with answers, transcript, synthesis."""
    person = review.interviewee(interviewee_id)
    loaded = store.load(review.study, person.id)
    transcript = load_transcript(transcript_path(review.study, person.id))
    matrix = loaded.matrix
    return {
        "id": person.id,
        "name": person.name,
        "role": person.role,
        "version": loaded.version,
        "editor": review.editor,
        "statuses": [s.value for s in AnswerStatus],
        "answers": [
            {
                **_plain(asdict(a)),
                "final_answer": a.final_answer,
                "low_confidence": is_low_confidence(a),
            }
            for a in matrix.answers
        ],
        "categories": [
            {"id": c.id, "name": c.name, "synthesis": matrix.synthesis.get(c.id, "")}
            for c in review.guide.categories_of(person)
        ],
        "synthesis_edited_by": matrix.synthesis_edited_by,
        "synthesis_edited_at": matrix.synthesis_edited_at,
        "segments": _segments(transcript),
        "audio": f"/audio/{person.id}",
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.value if isinstance(v, AnswerStatus) else v for k, v in data.items()}


def _segments(transcript: Transcript) -> list[dict[str, Any]]:
    segments, index = [], 0
    for segment in transcript.segments:
        words = segment.timed_words
        segments.append(
            {
                "start": segment.start,
                "end": segment.end,
                "flags": list(segment.flags),
                "confidence": round(segment.confidence, 3),
                "low": bool(segment.words) and segment.confidence < LOW_CONFIDENCE,
                "words": [
                    {"i": index + n, "start": w.start, "end": w.end, "text": w.text}
                    for n, w in enumerate(words)
                ],
            }
        )
        index += len(words)
    return segments


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ReviewError(f"{name} must be text")
    return value


def change(
    review: Review, interviewee_id: str, action: str, target: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply one edit from the page and save it; returns the page data as saved."""
    person = review.interviewee(interviewee_id)
    version = _text(body, "version") or ""
    loaded = store.load(review.study, person.id)
    matrix, editor = loaded.matrix, review.editor
    if action == "answer":
        matrix = edits.edit_answer(
            matrix,
            target,
            editor=editor,
            answer=_text(body, "answer"),
            translation=_text(body, "translation"),
            status=_text(body, "status"),
        )
    elif action == "anchor":
        word = body.get("word")
        if not isinstance(word, int) or isinstance(word, bool):
            raise ReviewError("word must be a word number of the transcript")
        transcript = load_transcript(transcript_path(review.study, person.id))
        matrix = edits.reanchor(matrix, transcript, target, word, editor=editor)
    elif action == "resolve":
        matrix = edits.resolve_conflict(matrix, target, _text(body, "keep") or "", editor=editor)
    elif action == "synthesis":
        if target not in {c.id for c in review.guide.categories_of(person)}:
            raise ReviewError(f"no category {target!r} for {person.id}")
        matrix = edits.edit_synthesis(matrix, target, _text(body, "text") or "", editor=editor)
    else:
        raise ReviewError(f"unknown action {action!r}")
    if matrix != loaded.matrix:
        store.save(review.study, matrix, version)
    return interview(review, person.id)
