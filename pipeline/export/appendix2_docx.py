"""Appendix 2 "Matrix of category analysis applied to interviews" as landscape Word.

Rows are the guide's categories, columns the interviewees ("Magister. Felipe Ochoa
Director of ..."). A cell holds the researcher's synthesis once written in review;
until then it quotes the answers tagged with the category, each with its question
number and time, as material for writing that synthesis.
"""

from __future__ import annotations

from docx.table import _Cell

from . import AppendixData
from .content import CategoryCell, appendix2_header, appendix2_rows
from .word import (
    GridTable,
    add_small,
    new_document,
    title_block,
    to_bytes,
    write_answer,
    write_text,
)

TITLE = "Appendix 2 Matrix of category analysis applied to interviews"
CATEGORY_COLUMN = 0.16


class Appendix2Docx:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        document = new_document(data.study, TITLE, landscape=True)
        title_block(document, "Appendix 2", "Matrix of category analysis applied to interviews")
        interviewees = [interviewee for interviewee, _ in data.interviews()]
        share = (1 - CATEGORY_COLUMN) / max(1, len(interviewees))
        table = GridTable(
            document,
            ["Categories", *(appendix2_header(data, i) for i in interviewees)],
            [CATEGORY_COLUMN, *([share] * len(interviewees))],
        )
        for category, cells in appendix2_rows(data):
            row = table.add_row()
            write_text(row[0], category).runs[0].bold = True
            for cell, content in zip(row[1:], cells, strict=True):
                _fill(cell, content)
        return {"appendix2.docx": to_bytes(document)}


def _fill(cell: _Cell, content: CategoryCell) -> None:
    if content.synthesis:
        write_text(cell, content.synthesis)
        return
    for index, evidence in enumerate(content.evidence):
        write_answer(cell, evidence.paragraphs, first=index == 0)
        add_small(cell.paragraphs[-1], f"({evidence.reference})")
