"""Appendix 2 as CSV: the category x interviewee matrix, one row per guide category.

A cell quoting several answers puts each on its own line, "answer (Q3, [12:03-14:10])".
"""

from __future__ import annotations

from . import AppendixData
from .content import appendix2_header, appendix2_rows
from .spreadsheet import csv_bytes


class Appendix2Csv:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        header = ["Categories", *(appendix2_header(data, i) for i, _ in data.interviews())]
        rows = (
            [category, *(cell.plain_text() for cell in cells)]
            for category, cells in appendix2_rows(data)
        )
        return {"appendix2.csv": csv_bytes(header, rows)}
