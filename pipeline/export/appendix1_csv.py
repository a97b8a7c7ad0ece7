"""Appendix 1 as CSV: one row per interviewee x question, with times, confidence and
provenance (source recordings, sha256 of the transcript the answers were cut from)."""

from __future__ import annotations

from . import AppendixData
from .content import APPENDIX1_COLUMNS, appendix1_rows
from .spreadsheet import csv_bytes


class Appendix1Csv:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        return {"appendix1.csv": csv_bytes(APPENDIX1_COLUMNS, appendix1_rows(data))}
