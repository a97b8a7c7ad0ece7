"""A transcribed and aligned study for the tests/test_review*.py files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fakes import INTERVIEW_SCRIPT, FakeTranscriber, Sentence, write_study

from pipeline.models import AlignedAnswer, Guide, Study
from pipeline.review import store
from pipeline.workflow import align_study, open_study, transcribe_study


def aligned_study(root: Path) -> tuple[Study, Guide]:
    """write_study, transcribed with the scripted fake engine and aligned."""
    write_study(root)
    return retranscribe(root, INTERVIEW_SCRIPT)


def retranscribe(root: Path, script: Sequence[Sentence]) -> tuple[Study, Guide]:
    """Transcribe again (forced) with another script and align: a new machine result."""
    study, guide = open_study(root, check_recordings=True)
    engine = FakeTranscriber(script=script)
    for outcome in transcribe_study(
        study, guide, guide.interviewees, transcriber=engine, force=True
    ):
        assert outcome.ok, outcome.error
    realign(study, guide)
    return study, guide


def realign(study: Study, guide: Guide) -> list[str]:
    """Align every interviewee again; the outcome details (with conflicts)."""
    outcomes = align_study(study, guide, guide.interviewees)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return [o.detail for o in outcomes]


def answer(study: Study, interviewee_id: str, question_id: str) -> AlignedAnswer:
    """An answer as stored in the aligned file now."""
    matrix = store.load(study, interviewee_id).matrix
    return next(a for a in matrix.answers if a.question_id == question_id)
