"""Appendix 1 "Interview matrix" as Word, laid out like the reference thesis.

Per interviewee: "Magister. Name", the ROLE IN CAPITALS, the categories line, then a
two-column "Questions | Answers" table with numbered questions.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ..models import AnswerStatus, InterviewMatrix
from . import AppendixData

NOT_FOUND_TEXT = "[Question not found in the recording]"


class Appendix1Docx:
    filename = "appendix1.docx"

    def render(self, data: AppendixData) -> bytes:
        document = Document()
        document.core_properties.title = f"{data.study.title}: Appendix 1 Interview matrix"
        _centered(document, "Appendix 1", bold=True)
        _centered(document, "Interview matrix", italic=True)
        for interviewee, matrix in data.interviews():
            document.add_paragraph().add_run(data.display_name(interviewee)).bold = True
            document.add_paragraph().add_run(interviewee.role.upper()).bold = True
            document.add_paragraph(data.category_line(interviewee))
            _matrix_table(document, matrix)
            document.add_paragraph()
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _centered(document: Document, text: str, *, bold: bool = False, italic: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def _matrix_table(document: Document, matrix: InterviewMatrix) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    header = table.add_row().cells
    for cell, title in zip(header, ("Questions", "Answers"), strict=True):
        cell.paragraphs[0].add_run(title).bold = True
    for answer in matrix.answers:
        question_cell, answer_cell = table.add_row().cells
        question_cell.text = f"{answer.number}. {answer.question}"
        if answer.status is AnswerStatus.NOT_FOUND:
            answer_cell.paragraphs[0].add_run(NOT_FOUND_TEXT).italic = True
        else:
            answer_cell.text = answer.answer
    for row in table.rows:
        for paragraph in (p for cell in row.cells for p in cell.paragraphs):
            for run in paragraph.runs:
                run.font.size = Pt(10)
