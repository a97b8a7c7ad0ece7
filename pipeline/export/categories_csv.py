"""Table 1 "Analysis categories matrix" as CSV; several subcategories or indicators
share a cell, separated by "; "."""

from __future__ import annotations

from . import AppendixData
from .content import CATEGORY_COLUMNS
from .spreadsheet import csv_bytes


class CategoriesCsv:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        rows = (
            (c.name, c.conceptualization, "; ".join(c.subcategories), "; ".join(c.indicators))
            for c in data.guide.categories
        )
        return {"categories.csv": csv_bytes(CATEGORY_COLUMNS, rows)}
