"""Table 1 "Analysis categories matrix" from the guide, as in the reference thesis:
Categories | Conceptualization | Subcategories | Indicators, one paragraph per item."""

from __future__ import annotations

from . import AppendixData
from .content import CATEGORY_COLUMNS
from .word import GridTable, new_document, to_bytes, write_text

TITLE = "Table 1 Analysis categories matrix"


class CategoriesDocx:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        document = new_document(data.study, TITLE)
        document.add_paragraph().add_run("Table 1").bold = True
        document.add_paragraph().add_run("Analysis categories matrix").italic = True
        table = GridTable(document, CATEGORY_COLUMNS, (0.22, 0.36, 0.21, 0.21))
        for category in data.guide.categories:
            name, concept, subcategories, indicators = table.add_row()
            write_text(name, category.name).runs[0].bold = True
            write_text(concept, category.conceptualization)
            for index, item in enumerate(category.subcategories):
                write_text(subcategories, item, first=index == 0)
            for index, item in enumerate(category.indicators):
                write_text(indicators, item, first=index == 0)
        return {"categories.docx": to_bytes(document)}
