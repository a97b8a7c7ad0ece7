"""Review edits (pure functions) and their survival when alignment runs again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import A1, A2, A3, A4, GUIDE_YAML, INTERVIEW_SCRIPT, Q3_ES, Q4_ES
from review_fixtures import aligned_study, answer, realign, retranscribe

from pipeline.align import transcript_words
from pipeline.errors import ReviewError, StaleEditError
from pipeline.models import AnswerStatus, InterviewMatrix, Study
from pipeline.review import edits, store
from pipeline.transcribe import load_transcript, transcript_path
from pipeline.workflow import align_study, aligned_path, open_study

WHEN = "2026-11-25T10:00:00+00:00"


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return aligned_study(tmp_path / "study")[0]


def edit(study: Study, interviewee_id: str, question_id: str, **changes: str) -> None:
    """Edit one answer through the review save path, as the page does."""
    loaded = store.load(study, interviewee_id)
    matrix = edits.edit_answer(loaded.matrix, question_id, editor="ana", when=WHEN, **changes)
    store.save(study, matrix, loaded.version)


def word_at(study: Study, interviewee_id: str, seconds: float) -> int:
    transcript = load_transcript(transcript_path(study, interviewee_id))
    return next(i for i, w in enumerate(transcript_words(transcript)) if w.start == seconds)


# --- edits --------------------------------------------------------------------------------


def test_edit_answer_records_what_who_and_when(study: Study) -> None:
    matrix = store.load(study, "felipe-ochoa").matrix
    edited = edits.edit_answer(
        matrix, "q1", editor="ana", when=WHEN, answer=" Corrected. ", translation="Fixed."
    )
    q1 = edits.answer_of(edited, "q1")
    assert (q1.answer, q1.edited_answer, q1.final_answer) == (A1, "Corrected.", "Corrected.")
    assert (q1.translation, q1.edited, q1.edited_by, q1.edited_at) == (
        "Fixed.",
        ("answer", "translation"),
        "ana",
        WHEN,
    )
    assert edits.answer_of(edited, "q2") == edits.answer_of(matrix, "q2")
    # The same values again change nothing; the machine text again clears the edit.
    assert edits.edit_answer(edited, "q1", editor="bo", answer="Corrected.") == edited
    back = edits.answer_of(edits.edit_answer(edited, "q1", editor="bo", answer=A1), "q1")
    assert (back.edited_answer, back.final_answer, back.edited_by) == ("", A1, "bo")


def test_invalid_status_and_unknown_question_are_refused(study: Study) -> None:
    matrix = store.load(study, "felipe-ochoa").matrix
    with pytest.raises(ReviewError, match=r"invalid status 'done' \(choose from: found, "):
        edits.edit_answer(matrix, "q1", editor="ana", status="done")
    with pytest.raises(ReviewError, match="no question 'q3' for felipe-ochoa"):
        edits.edit_answer(matrix, "q3", editor="ana", answer="x")


def test_save_refuses_a_file_changed_since_it_was_read(study: Study) -> None:
    loaded = store.load(study, "felipe-ochoa")
    edit(study, "felipe-ochoa", "q1", answer="First edit.")
    late = edits.edit_answer(loaded.matrix, "q1", editor="bo", answer="Second edit.")
    with pytest.raises(StaleEditError, match="changed since it was loaded"):
        store.save(study, late, loaded.version)
    assert answer(study, "felipe-ochoa", "q1").edited_answer == "First edit."


def test_old_aligned_files_without_review_fields_still_load(study: Study) -> None:
    data = json.loads(aligned_path(study, "felipe-ochoa").read_text("utf-8"))
    for row in data["answers"]:
        for name in ("edited", "edited_by", "edited_at", "machine_answer"):
            del row[name]
    for name in ("synthesis_edited_by", "synthesis_edited_at", "detached"):
        del data[name]
    matrix = InterviewMatrix.from_dict(data)
    assert matrix.answers[0].edited == () and matrix.detached == ()


# --- re-running alignment -------------------------------------------------------------------


def test_edits_survive_align_and_are_reported(study: Study) -> None:
    edit(study, "felipe-ochoa", "q1", answer="Edited.", translation="Mobility and money.")
    edit(study, "felipe-ochoa", "q4", status="not-asked")
    _, guide = open_study(study.root)
    details = realign(study, guide)
    # The reviewer said q4 was not really asked: the count follows the edit.
    assert details == ["2/3 questions located; 2 reviewed answers kept", "2/2 questions located"]
    q1, q4 = answer(study, "felipe-ochoa", "q1"), answer(study, "felipe-ochoa", "q4")
    assert (q1.final_answer, q1.translation, q1.edited_by, q1.machine_answer) == (
        "Edited.",
        "Mobility and money.",
        "ana",
        "",
    )
    assert (q4.status, q4.edited, q4.answer) == (AnswerStatus.NOT_ASKED, ("status",), A4)


def test_newer_machine_answer_is_kept_beside_the_edit(study: Study) -> None:
    edit(study, "felipe-ochoa", "q1", answer="Edited.")
    new_a1 = "La movilidad es el mayor desafío."
    script = [(new_a1 if text == A1 else text, s, e) for text, s, e in INTERVIEW_SCRIPT]
    study, guide = retranscribe(study.root, script)
    q1 = answer(study, "felipe-ochoa", "q1")
    assert (q1.answer, q1.edited_answer, q1.machine_answer) == (A1, "Edited.", new_a1)
    path = aligned_path(study, "felipe-ochoa")
    before = path.read_bytes()
    assert realign(study, guide)[0] == (
        "3/3 questions located; 1 reviewed answer kept; conflict q1: newer machine answer "
        "stored beside the edited one (machine_answer)"
    )
    assert path.read_bytes() == before  # a re-run changes nothing more

    loaded = store.load(study, "felipe-ochoa")
    store.save(
        study,
        edits.resolve_conflict(loaded.matrix, "q1", "edit", editor="ana", when=WHEN),
        loaded.version,
    )
    q1 = answer(study, "felipe-ochoa", "q1")
    assert (q1.answer, q1.edited_answer, q1.machine_answer) == (new_a1, "Edited.", "")
    assert realign(study, guide)[0] == "3/3 questions located; 1 reviewed answer kept"


def test_taking_the_machine_answer_drops_the_edit(study: Study) -> None:
    edit(study, "felipe-ochoa", "q1", answer="Edited.")
    script = [("Otra respuesta." if t == A1 else t, s, e) for t, s, e in INTERVIEW_SCRIPT]
    study, _ = retranscribe(study.root, script)
    matrix = edits.resolve_conflict(
        store.load(study, "felipe-ochoa").matrix, "q1", "machine", editor="bo"
    )
    q1 = edits.answer_of(matrix, "q1")
    assert (q1.final_answer, q1.edited, q1.machine_answer) == ("Otra respuesta.", (), "")
    with pytest.raises(ReviewError, match="no conflict to resolve"):
        edits.resolve_conflict(matrix, "q1", "edit", editor="bo")


def test_reanchored_question_recuts_answers_and_survives_align(study: Study) -> None:
    loaded = store.load(study, "felipe-ochoa")
    transcript = load_transcript(transcript_path(study, "felipe-ochoa"))
    # Felipe was not asked q3, so the machine ran "¿Qué alianzas...?" into q2's answer;
    # the researcher says q4 was asked there instead.
    assert edits.answer_of(loaded.matrix, "q2").answer == f"{A2} {Q3_ES} {A3}"
    word = word_at(study, "felipe-ochoa", 25.0)
    matrix = edits.reanchor(loaded.matrix, transcript, "q4", word, editor="ana", when=WHEN)
    store.save(study, matrix, loaded.version)

    def check() -> None:
        q2, q4 = answer(study, "felipe-ochoa", "q2"), answer(study, "felipe-ochoa", "q4")
        assert (q2.answer, q2.start, q2.end, q2.edited) == (A2, 20.0, 24.0, ())
        assert (q4.heard_question, q4.question_start, q4.question_end) == (Q3_ES, 25.0, 28.0)
        assert (q4.answer, q4.start, q4.end) == (f"{A3} {Q4_ES} {A4}", 29.0, 43.0)
        assert (q4.edited, q4.edited_by, q4.status) == (("anchor",), "ana", AnswerStatus.FOUND)

    check()
    _, guide = open_study(study.root)
    assert realign(study, guide)[0] == "3/3 questions located; 1 reviewed answer kept"
    check()


def test_anchor_over_a_machine_location_gives_it_up(study: Study) -> None:
    loaded = store.load(study, "felipe-ochoa")
    transcript = load_transcript(transcript_path(study, "felipe-ochoa"))
    word = word_at(study, "felipe-ochoa", 15.0)  # where the machine placed q2
    matrix = edits.reanchor(loaded.matrix, transcript, "q4", word, editor="ana")
    store.save(study, matrix, loaded.version)
    q1, q2 = answer(study, "felipe-ochoa", "q1"), answer(study, "felipe-ochoa", "q2")
    assert (q2.status, q2.answer, q2.question_start) == (AnswerStatus.NOT_ASKED, "", None)
    assert q1.answer == A1
    _, guide = open_study(study.root)
    assert realign(study, guide)[0] == (
        "2/3 questions located; 1 reviewed answer kept; conflict q2: the machine located it "
        "where another question was re-anchored; now not located"
    )


def test_reanchor_outside_the_transcript_is_refused(study: Study) -> None:
    matrix = store.load(study, "felipe-ochoa").matrix
    transcript = load_transcript(transcript_path(study, "felipe-ochoa"))
    with pytest.raises(ReviewError, match=r"word 9999 is outside the transcript \(0-"):
        edits.reanchor(matrix, transcript, "q1", 9999, editor="ana")


def test_synthesis_survives_align(study: Study) -> None:
    loaded = store.load(study, "felipe-ochoa")
    matrix = edits.edit_synthesis(loaded.matrix, "cooperation", " Works with all. ", editor="ana")
    store.save(study, matrix, loaded.version)
    _, guide = open_study(study.root)
    realign(study, guide)
    matrix = store.load(study, "felipe-ochoa").matrix
    assert (matrix.synthesis, matrix.synthesis_edited_by) == (
        {"cooperation": "Works with all."},
        "ana",
    )
    cleared = edits.edit_synthesis(matrix, "cooperation", "", editor="bo")
    assert cleared.synthesis == {} and cleared.synthesis_edited_by == "bo"


def test_edit_to_a_question_dropped_from_the_guide_is_kept_detached(study: Study) -> None:
    edit(study, "felipe-ochoa", "q4", answer="Kept.")
    guide_file = study.root / "guides" / "guide.yaml"
    guide_file.write_text(GUIDE_YAML.replace("questions: [q1, q2, q4]", "questions: [q1, q2]"))
    _, guide = open_study(study.root)
    assert realign(study, guide)[0] == (
        "2/2 questions located; conflict q4: edited, but no longer asked in the guide; "
        "the edit is kept under 'detached'"
    )
    matrix = store.load(study, "felipe-ochoa").matrix
    assert [a.question_id for a in matrix.answers] == ["q1", "q2"]
    assert [(a.question_id, a.edited_answer) for a in matrix.detached] == [("q4", "Kept.")]


def test_unreadable_aligned_file_is_not_replaced(study: Study) -> None:
    path = aligned_path(study, "felipe-ochoa")
    path.write_text("{ broken", encoding="utf-8")
    _, guide = open_study(study.root)
    outcomes = align_study(study, guide, guide.interviewees, force=True)
    assert outcomes[0].error is not None
    assert str(outcomes[0].error).startswith("aligned answers file is unreadable (")
    assert "it may hold review edits, so it is not replaced: repair it, or rename it" in str(
        outcomes[0].error
    )
    assert path.read_text(encoding="utf-8") == "{ broken"
    assert outcomes[1].ok
