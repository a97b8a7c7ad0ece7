"""Appendix 1 as an Excel workbook: the CSV's rows with real numbers, a frozen bold
header, wrapped answers and a filter, for users who want Excel without an import step."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import AppendixData
from .content import APPENDIX1_COLUMNS, appendix1_rows, escape_formula, xml_safe

WIDE_COLUMNS = {"question": 50, "answer": 80, "answer_translation": 60, "transcript_sha256": 20}


class Appendix1Xlsx:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Appendix 1"
        sheet.append(APPENDIX1_COLUMNS)
        for row in appendix1_rows(data):
            sheet.append([escape_formula(xml_safe(v)) if isinstance(v, str) else v for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        for index, name in enumerate(APPENDIX1_COLUMNS, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = WIDE_COLUMNS.get(name, 14)
            if name in WIDE_COLUMNS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = wrap
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        workbook.properties.title = f"{data.study.title}: Appendix 1 Interview matrix"
        workbook.properties.creator = data.study.author
        buffer = io.BytesIO()
        workbook.save(buffer)
        return {"appendix1.xlsx": buffer.getvalue()}
