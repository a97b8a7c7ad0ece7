"""Appendix 1 "Interview matrix" as Word, laid out like the reference thesis.

Per interviewee: "Magister. Name", the ROLE IN CAPITALS, the categories line, then a
two-column "Questions | Answers" table with the questions numbered as asked. One document
for everyone, or one per interviewee (appendix1-<id>.docx).
"""

from __future__ import annotations

from docx.document import Document as DocumentObject

from ..models import Interviewee, InterviewMatrix
from . import AppendixData
from .content import answer_paragraphs, time_span
from .word import (
    GridTable,
    add_small,
    bold_line,
    new_document,
    title_block,
    to_bytes,
    write_answer,
    write_text,
)

TITLE = "Appendix 1 Interview matrix"


class Appendix1Docx:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        interviews = data.interviews()
        if not data.options.per_interviewee:
            return {"appendix1.docx": _document(data, interviews)}
        return {
            f"appendix1-{interviewee.id}.docx": _document(data, [(interviewee, matrix)])
            for interviewee, matrix in interviews
        }


def _document(data: AppendixData, interviews: list[tuple[Interviewee, InterviewMatrix]]) -> bytes:
    document = new_document(data.study, TITLE)
    title_block(document, "Appendix 1", "Interview matrix")
    for interviewee, matrix in interviews:
        bold_line(document, data.display_name(interviewee))
        bold_line(document, interviewee.role.upper())
        document.add_paragraph(data.category_line(interviewee))
        _matrix_table(document, data, interviewee, matrix)
        document.add_paragraph()
    return to_bytes(document)


def _matrix_table(
    document: DocumentObject, data: AppendixData, interviewee: Interviewee, matrix: InterviewMatrix
) -> None:
    table = GridTable(document, ("Questions", "Answers"), (0.35, 0.65))
    for answer in matrix.answers:
        question_cell, answer_cell = table.add_row()
        write_text(question_cell, f"{answer.number}. {answer.question}")
        write_answer(answer_cell, answer_paragraphs(answer, data.options.answers, interviewee))
        if data.options.timestamps and time_span(answer):
            add_small(answer_cell.paragraphs[-1], time_span(answer))
