"""Keep review edits when alignment runs again: the machine never overwrites a person.

`keep_edits` is pure: it takes the aligned file as it was (with edits) and the new
machine alignment, and returns what to write plus the conflicts to report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..models import AlignedAnswer, InterviewMatrix, Transcript
from .edits import anchors_of, apply_anchors

GUIDE_FIELDS = ("question_id", "number", "question", "categories")
"""Taken from the guide on every run, edited or not."""
MACHINE_CHANGED = "newer machine answer stored beside the edited one (machine_answer)"


@dataclass(frozen=True)
class Conflict:
    """An edit the new machine result disagrees with; the edit was kept."""

    interviewee_id: str
    question_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.interviewee_id} {self.question_id}: {self.reason}"


def keep_edits(
    previous: InterviewMatrix, realigned: InterviewMatrix, transcript: Transcript
) -> tuple[InterviewMatrix, list[Conflict]]:
    """The new alignment with every review edit of `previous` laid over it.

    Re-anchored questions stay where the person put them (answers around them are cut
    again); edited answers, translations and statuses stay. Where the new machine answer
    differs from the one an edit was made on, the edit and its basis are kept and the new
    machine answer is stored beside them in `machine_answer`: a conflict to settle in
    review. Edits to questions no longer asked are kept in `detached`.
    """
    conflicts: list[Conflict] = []
    machine = apply_anchors(realigned, transcript, anchors_of(previous, transcript))
    before = {a.question_id: a for a in previous.answers if a.edited}
    answers = []
    for new, aligned in zip(machine.answers, realigned.answers, strict=True):
        old = before.pop(new.question_id, None)
        if aligned.question_start is not None and new.question_start is None:
            conflicts.append(
                Conflict(
                    previous.interviewee_id,
                    new.question_id,
                    "the machine located it where another question was re-anchored; "
                    "now not located",
                )
            )
        if old is None:
            answers.append(new)
            continue
        merged, conflict = _keep_answer(old, new)
        answers.append(merged)
        if conflict:
            conflicts.append(Conflict(previous.interviewee_id, new.question_id, conflict))
    detached = tuple(before.values())
    for answer in detached:
        conflicts.append(
            Conflict(
                previous.interviewee_id,
                answer.question_id,
                "edited, but no longer asked in the guide; the edit is kept under 'detached'",
            )
        )
    merged_matrix = replace(
        machine,
        answers=tuple(answers),
        synthesis=previous.synthesis,
        synthesis_edited_by=previous.synthesis_edited_by,
        synthesis_edited_at=previous.synthesis_edited_at,
        detached=_unique(previous.detached + detached),
    )
    return merged_matrix, conflicts


def _keep_answer(old: AlignedAnswer, new: AlignedAnswer) -> tuple[AlignedAnswer, str]:
    """One edited answer over its new machine version, and the conflict if any.

    Where the edit depends on the answer text (an edited text or a translation) and the
    machine text changed, the old answer is kept whole (its text, times, flags: what the
    edit was made on) and the new machine text goes beside it."""
    human = {
        "edited": old.edited,
        "edited_by": old.edited_by,
        "edited_at": old.edited_at,
        "edited_answer": old.edited_answer,
        "translation": old.translation,
    }
    if "status" in old.edited or "anchor" in old.edited:
        human["status"] = old.status
    if "anchor" in old.edited:
        human["confidence"] = old.confidence
    if (old.edited_answer or old.translation) and new.answer != old.answer:
        guide = {name: getattr(new, name) for name in GUIDE_FIELDS}
        return replace(old, **guide, machine_answer=new.answer), MACHINE_CHANGED
    return replace(new, **human, machine_answer=""), ""  # type: ignore[arg-type]


def _unique(answers: tuple[AlignedAnswer, ...]) -> tuple[AlignedAnswer, ...]:
    """The latest detached edit per question."""
    return tuple({a.question_id: a for a in answers}.values())


def review_note(matrix: InterviewMatrix, conflicts: list[Conflict]) -> str:
    """ "; 2 reviewed answers kept; conflict q3: ..." for the align report, or ""."""
    kept = sum(bool(a.edited) for a in matrix.answers)
    note = f"; {kept} reviewed answer{'s' * (kept != 1)} kept" if kept else ""
    return note + "".join(f"; conflict {c.question_id}: {c.reason}" for c in conflicts)
