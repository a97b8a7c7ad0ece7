"""Appendix 2 (category x interviewee matrix) and Table 1 (categories matrix) exports."""

from __future__ import annotations

from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from export_fixtures import (
    FABIAN_Q1_ANSWER,
    FELIPE_Q2_ANSWER,
    SYNTHESIS,
    appendix,
    docx_paragraphs,
    open_docx,
    table_rows,
)
from fakes import A1, A3

from pipeline.export.appendix2_csv import Appendix2Csv
from pipeline.export.appendix2_docx import Appendix2Docx
from pipeline.export.categories_csv import CategoriesCsv
from pipeline.export.categories_docx import CategoriesDocx
from pipeline.export.content import LOW_CONFIDENCE_TEXT, NOT_FOUND_TEXT
from pipeline.export.word import SMALL_TEXT

GOLDEN = Path(__file__).parent / "golden"
DASH = "\N{EN DASH}"
HEADERS = [
    "Categories",
    "Magister. Felipe Ochoa Director of Planning",
    "Economist. Fabián Bermeo Coordinator of Projects",
]


def test_appendix2_csv_matches_golden_file(tmp_path: Path) -> None:
    rendered = Appendix2Csv().render(appendix(tmp_path))
    assert rendered == {"appendix2.csv": (GOLDEN / "appendix2.csv").read_bytes()}


def test_appendix2_csv_reviewed_matches_golden_file(tmp_path: Path) -> None:
    """Synthesis replaces the quotes; marks and the formula escape still apply."""
    rendered = Appendix2Csv().render(appendix(tmp_path, reviewed=True))["appendix2.csv"]
    assert rendered == (GOLDEN / "appendix2-reviewed.csv").read_bytes()


def test_appendix2_docx(tmp_path: Path) -> None:
    document = open_docx(Appendix2Docx().render(appendix(tmp_path))["appendix2.docx"])
    assert docx_paragraphs(Appendix2Docx().render(appendix(tmp_path))["appendix2.docx"]) == [
        "Appendix 2",
        "Matrix of category analysis applied to interviews",
    ]
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    [table] = document.tables
    assert table.style.name == "Table Grid"
    assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    assert not table._tbl.xpath(".//w:cantSplit")
    rows = table_rows(table)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [
        "Sustainable Development",
        "Inter-institutional Cooperation",
        "Alliances",
    ]
    assert rows[1][1] == f"{A1} (Q1, [00:10{DASH}00:14])\n{NOT_FOUND_TEXT} (Q3)"
    assert rows[1][2] == f"{FABIAN_Q1_ANSWER} (Q2, [01:02{DASH}01:15])"
    assert rows[2][1] == f"{FELIPE_Q2_ANSWER} (Q2, [00:20{DASH}00:31])"
    assert rows[3] == ["Alliances", "", f"{A3} (Q1, [00:05{DASH}00:09])"]
    reference = table.rows[1].cells[1].paragraphs[0].runs[-1]
    assert reference.font.size == SMALL_TEXT


def test_appendix2_docx_uses_synthesis(tmp_path: Path) -> None:
    rendered = Appendix2Docx().render(appendix(tmp_path, reviewed=True))["appendix2.docx"]
    rows = table_rows(open_docx(rendered).tables[0])
    assert rows[2][1] == SYNTHESIS
    assert rows[1][2].startswith(LOW_CONFIDENCE_TEXT.format(confidence=0.3))


def test_categories_csv_matches_golden_file(tmp_path: Path) -> None:
    rendered = CategoriesCsv().render(appendix(tmp_path))
    assert rendered == {"categories.csv": (GOLDEN / "categories.csv").read_bytes()}


def test_categories_docx(tmp_path: Path) -> None:
    rendered = CategoriesDocx().render(appendix(tmp_path))["categories.docx"]
    assert docx_paragraphs(rendered) == ["Table 1", "Analysis categories matrix"]
    document = open_docx(rendered)
    assert document.core_properties.title == "Cuenca study: Table 1 Analysis categories matrix"
    [table] = document.tables
    assert table_rows(table) == [
        ["Categories", "Conceptualization", "Subcategories", "Indicators"],
        [
            "Sustainable Development",
            "Meeting present needs without compromising future generations.",
            "Economic sustainability\nSocial sustainability",
            "Poverty reduction",
        ],
        ["Inter-institutional Cooperation", "", "", ""],
        ["Alliances", "", "", ""],
    ]
