"""Speaker roles in alignment: explicit roles, voice clusters, and no labels at all."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import A1, A2, A4, GREETING, Q1_ES, Q2_ES, Q4_ES, Sentence, asking, make_transcript

from pipeline.align import align_interview
from pipeline.models import AnswerStatus, Guide, Transcript
from pipeline.turns import INTERVIEWEE, INTERVIEWER, majority_role, resolve_roles


def labelled(script: list[Sentence], speakers: list[str]) -> Transcript:
    """A transcript whose segments carry these speaker labels, one per sentence."""
    transcript = make_transcript(script)
    segments = tuple(
        replace(s, speaker=label) for s, label in zip(transcript.segments, speakers, strict=True)
    )
    return replace(transcript, segments=segments)


# The interviewee repeats q2's words in her answer to q1, as a statement, and the
# interviewer then asks q2 in the words of the guide.
ECHO = "¿Cómo coopera el municipio con las universidades y las empresas privadas? Muy bien."
SCRIPT: list[Sentence] = [
    (GREETING, 0.0, 3.0),
    (Q1_ES, 4.0, 9.0),
    (A1, 10.0, 13.0),
    (Q2_ES, 14.0, 18.0),
    (A2, 19.0, 22.0),
    ("¿Podría darme un ejemplo?", 23.0, 24.0),
    (A4, 25.0, 28.0),
]


# --- resolve_roles ---------------------------------------------------------------------------


def test_explicit_roles_are_kept() -> None:
    labels = [INTERVIEWER, INTERVIEWEE, INTERVIEWEE, ""]
    assert resolve_roles(labels, [0.0, 0.9, 0.9, 0.0]) == labels


def test_the_cluster_asking_the_guide_questions_is_the_interviewer() -> None:
    labels = ["speaker-1", "speaker-1", "speaker-2", "speaker-2", "speaker-2"]
    roles = resolve_roles(labels, [0.0, 0.0, 0.9, 0.8, 0.0])
    assert roles == [INTERVIEWEE, INTERVIEWEE, INTERVIEWER, INTERVIEWER, INTERVIEWER]


def test_clusters_without_evidence_or_alone_stay_unknown() -> None:
    assert resolve_roles(["speaker-1", "speaker-2"], [0.0, 0.0]) == ["", ""]
    assert resolve_roles(["speaker-1", "speaker-1"], [0.9, 0.0]) == ["", ""]


def test_majority_role() -> None:
    assert majority_role([INTERVIEWER, INTERVIEWER, ""]) == INTERVIEWER
    assert majority_role([INTERVIEWER, INTERVIEWEE]) == ""
    assert majority_role(["", "", INTERVIEWEE]) == ""


# --- alignment with each kind of label -------------------------------------------------------


@pytest.mark.parametrize(
    ("interviewer", "interviewee"),
    [(INTERVIEWER, INTERVIEWEE), ("speaker-2", "speaker-1"), ("speaker-1", "speaker-2")],
    ids=["roles", "clusters", "clusters-swapped"],
)
def test_follow_up_stays_with_its_question_and_answers_hold_interviewee_speech_only(
    guide: Guide, interviewer: str, interviewee: str
) -> None:
    """With roles known, the interviewer's follow-up is left out of the answer text while
    the reply to it stays with the parent question."""
    speakers = [interviewer, interviewer, interviewee, interviewer, interviewee, interviewer]
    transcript = labelled(SCRIPT, [*speakers, interviewee])
    q1, q2 = align_interview(transcript, guide, asking(guide, "q1", "q2"), "en").answers
    assert (q1.status, q1.answer) == (AnswerStatus.FOUND, A1)
    assert (q2.status, q2.answer) == (AnswerStatus.FOUND, f"{A2} {A4}")
    assert (q2.start, q2.end) == (19.0, 28.0)
    assert q2.segment_ids == (4, 6)


def test_without_labels_the_follow_up_stays_inside_the_answer(guide: Guide) -> None:
    transcript = make_transcript(SCRIPT)
    _, q2 = align_interview(transcript, guide, asking(guide, "q1", "q2"), "en").answers
    assert q2.answer == f"{A2} ¿Podría darme un ejemplo? {A4}"
    assert q2.segment_ids == (4, 5, 6)


def test_a_question_spoken_by_the_interviewee_is_not_taken_for_the_guide_question(
    guide: Guide,
) -> None:
    """She quotes q2 word for word; only the interviewer's later asking of it counts."""
    script: list[Sentence] = [
        (Q1_ES, 0.0, 5.0),
        (A1, 6.0, 9.0),
        (ECHO, 10.0, 15.0),
        (Q4_ES, 16.0, 20.0),
        (A4, 21.0, 24.0),
        (Q2_ES, 25.0, 29.0),
        (A2, 30.0, 33.0),
    ]
    roles = [INTERVIEWER, INTERVIEWEE, INTERVIEWEE, INTERVIEWER, INTERVIEWEE, INTERVIEWER]
    transcript = labelled(script, [*roles, INTERVIEWEE])
    answers = align_interview(transcript, guide, asking(guide, "q1", "q2", "q4"), "en").answers
    q1, q2, q4 = answers
    assert q2.question_start == 25.0
    assert q1.answer == f"{A1} {ECHO}"
    assert q4.answer == A4


def test_a_quoted_question_counts_only_without_roles(guide: Guide) -> None:
    """Why roles matter: without labels a quoted question is indistinguishable from an asked
    one; with them, the interviewee's quote is never taken for the question."""
    script: list[Sentence] = [(Q1_ES, 0.0, 5.0), (A1, 6.0, 9.0), (ECHO, 10.0, 15.0)]
    _, q2 = align_interview(make_transcript(script), guide, asking(guide, "q1", "q2"), "en").answers
    assert q2.question_start == 10.0
    roles = [INTERVIEWER, INTERVIEWEE, INTERVIEWEE]
    _, q2 = align_interview(labelled(script, roles), guide, asking(guide, "q1", "q2"), "en").answers
    assert q2.status is AnswerStatus.NOT_ASKED
