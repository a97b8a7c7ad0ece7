"""Hand-made export inputs shared by the tests/test_export*.py files."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
from fakes import A1, A3, GUIDE_YAML, INTERVIEW_SCRIPT, Q1_EN, Q2_EN, Q3_EN, Q4_EN, make_transcript

from pipeline.align import align_interview
from pipeline.export import DEFAULT_OPTIONS, AppendixData, ExportOptions
from pipeline.guide import load_guide
from pipeline.models import AlignedAnswer, AnswerStatus, Guide, InterviewMatrix, Study

FELIPE_Q2_ANSWER = 'Con la universidad hicimos "Cuenca Verde", un programa de reciclaje.\nFin.'
FABIAN_Q1_ANSWER = "Los desafíos son la movilidad, el agua y el financiamiento."
FELIPE_SHA = "ab" * 32
FABIAN_SHA = "cd" * 32


def load_test_guide(tmp_path: Path) -> Guide:
    """The shared test guide, from its YAML text."""
    path = tmp_path / "guide.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GUIDE_YAML, encoding="utf-8")
    return load_guide(path)


def found(
    question_id: str,
    number: int,
    question: str,
    categories: tuple[str, ...],
    answer: str,
    start: float,
    end: float,
    confidence: float,
) -> AlignedAnswer:
    """A located answer row."""
    return AlignedAnswer(
        question_id,
        number,
        question,
        categories,
        AnswerStatus.FOUND,
        answer,
        start,
        end,
        confidence,
        heard_question=question,
    )


def matrices() -> tuple[InterviewMatrix, ...]:
    """Felipe (one question not found) and Fabián (accents, commas), as aligned."""
    felipe = InterviewMatrix(
        "felipe-ochoa",
        (
            found("q1", 1, Q1_EN, ("sustainability",), A1, 10.0, 14.25, 0.9),
            found("q2", 2, Q2_EN, ("cooperation",), FELIPE_Q2_ANSWER, 20.5, 31.125, 0.8765),
            AlignedAnswer("q4", 3, Q4_EN, ("sustainability",), AnswerStatus.NOT_ASKED),
        ),
        source_files=("felipe-ochoa.wav",),
        transcript_sha256=FELIPE_SHA,
    )
    fabian = InterviewMatrix(
        "fabian-bermeo",
        (
            found("q3", 1, Q3_EN, ("alliances", "cooperation"), A3, 5.0, 9.0, 0.75),
            found("q1", 2, Q1_EN, ("sustainability",), FABIAN_Q1_ANSWER, 62.0, 75.5, 0.6),
        ),
        source_files=("fabian-bermeo.mp3",),
        transcript_sha256=FABIAN_SHA,
    )
    return felipe, fabian


EDITED_Q1 = "Mobility and funding are the biggest challenges (edited)."
TRANSLATED_Q2 = 'With the university we ran "Cuenca Verde", a recycling programme.'
SYNTHESIS = "Cooperation with universities is the municipality's main channel."
FORMULA_ANSWER = '=HYPERLINK("http://evil.example","click")'


def reviewed_matrices() -> tuple[InterviewMatrix, ...]:
    """As if reviewed: an edited answer, a translation, a synthesis, a low-confidence and
    a formula-like answer."""
    felipe, fabian = matrices()
    q1, q2, q4 = felipe.answers
    felipe = replace(
        felipe,
        answers=(
            replace(q1, edited_answer=EDITED_Q1, confidence=0.2),
            replace(q2, translation=TRANSLATED_Q2),
            q4,
        ),
        synthesis={"cooperation": SYNTHESIS},
    )
    q3, q1b = fabian.answers
    answers = (replace(q3, answer=FORMULA_ANSWER), replace(q1b, confidence=0.3))
    fabian = replace(fabian, answers=answers)
    return felipe, fabian


def appendix(
    tmp_path: Path,
    honorific: str = "Economist",
    *,
    reviewed: bool = False,
    options: ExportOptions = DEFAULT_OPTIONS,
    paper: str = "A4",
) -> AppendixData:
    """AppendixData for a study whose default honorific differs from the guide's."""
    study = Study(
        root=tmp_path / "study",
        title="Cuenca study",
        honorific=honorific,
        author="Kiaved Orellana",
        paper=paper,
    )
    rows = reviewed_matrices() if reviewed else matrices()
    return AppendixData(study, load_test_guide(tmp_path), rows, options)


def with_transcripts(tmp_path: Path) -> AppendixData:
    """Felipe only, aligned for real from the scripted Spanish interview."""
    guide = load_test_guide(tmp_path)
    felipe = guide.interviewee("felipe-ochoa")
    transcript = make_transcript(INTERVIEW_SCRIPT)
    matrix = replace(
        align_interview(transcript, guide, felipe, "en"),
        source_files=("felipe-ochoa.wav",),
        transcript_sha256=FELIPE_SHA,
    )
    study = Study(root=tmp_path / "study", title="Cuenca study", author="Kiaved Orellana")
    return AppendixData(study, guide, (matrix,), transcripts={"felipe-ochoa": transcript})


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def docx_paragraphs(data: bytes) -> list[str]:
    """Body paragraph texts of a rendered document, blank ones dropped."""
    return [p.text for p in open_docx(data).paragraphs if p.text]


def table_rows(table: docx.table.Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]
