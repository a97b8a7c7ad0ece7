"""Appendix 1 as CSV: one row per interviewee x question, with times and confidence."""

from __future__ import annotations

import csv
import io

from . import AppendixData

COLUMNS = (
    "interviewee_id",
    "name",
    "role",
    "number",
    "question_id",
    "question",
    "categories",
    "answer",
    "start",
    "end",
    "confidence",
    "status",
)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


class Appendix1Csv:
    filename = "appendix1.csv"

    def render(self, data: AppendixData) -> bytes:
        """UTF-8 with a byte-order mark, so Excel shows accents (é, ñ) correctly."""
        buffer = io.StringIO()
        table = csv.writer(buffer, lineterminator="\r\n")
        table.writerow(COLUMNS)
        for interviewee, matrix in data.interviews():
            for answer in matrix.answers:
                table.writerow(
                    (
                        interviewee.id,
                        interviewee.name,
                        interviewee.role,
                        answer.number,
                        answer.question_id,
                        answer.question,
                        data.category_names(answer.categories),
                        answer.answer,
                        _seconds(answer.start),
                        _seconds(answer.end),
                        f"{answer.confidence:.2f}",
                        answer.status.value,
                    )
                )
        return buffer.getvalue().encode("utf-8-sig")
