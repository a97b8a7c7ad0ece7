"""Appendix 1 exports: the DOCX layout of the reference thesis and a stable CSV."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from fakes import A1, A3, GUIDE_YAML, Q1_EN, Q2_EN, Q3_EN, Q4_EN

from pipeline.errors import ExportError
from pipeline.export import AppendixData, export, writers
from pipeline.export.csv import Appendix1Csv
from pipeline.export.docx import NOT_FOUND_TEXT, Appendix1Docx
from pipeline.files import MANIFEST_NAME
from pipeline.guide import load_guide
from pipeline.models import (
    AlignedAnswer,
    AnswerStatus,
    Guide,
    InterviewMatrix,
    Study,
)

GOLDEN_CSV = Path(__file__).parent / "golden" / "appendix1.csv"

FELIPE_Q2_ANSWER = 'Con la universidad hicimos "Cuenca Verde", un programa de reciclaje.\nFin.'
FABIAN_Q1_ANSWER = "Los desafíos son la movilidad, el agua y el financiamiento."


def load_test_guide(tmp_path: Path) -> Guide:
    """The shared test guide, from its YAML text."""
    path = tmp_path / "guide.yaml"
    path.write_text(GUIDE_YAML, encoding="utf-8")
    return load_guide(path)


def found(
    question_id: str,
    number: int,
    question: str,
    categories: tuple[str, ...],
    answer: str,
    start: float,
    end: float,
    confidence: float,
) -> AlignedAnswer:
    """A located answer row."""
    return AlignedAnswer(
        question_id,
        number,
        question,
        categories,
        AnswerStatus.FOUND,
        answer,
        start,
        end,
        confidence,
        heard_question=question,
    )


def matrices() -> tuple[InterviewMatrix, ...]:
    """Hand-made rows: Felipe (one question not found) and Fabián (accents, commas)."""
    felipe = InterviewMatrix(
        "felipe-ochoa",
        (
            found("q1", 1, Q1_EN, ("sustainability",), A1, 10.0, 14.25, 0.9),
            found("q2", 2, Q2_EN, ("cooperation",), FELIPE_Q2_ANSWER, 20.5, 31.125, 0.8765),
            AlignedAnswer("q4", 3, Q4_EN, ("sustainability",), AnswerStatus.NOT_FOUND),
        ),
    )
    fabian = InterviewMatrix(
        "fabian-bermeo",
        (
            found("q3", 1, Q3_EN, ("alliances", "cooperation"), A3, 5.0, 9.0, 0.75),
            found("q1", 2, Q1_EN, ("sustainability",), FABIAN_Q1_ANSWER, 62.0, 75.5, 0.6),
        ),
    )
    return felipe, fabian


def appendix(tmp_path: Path, honorific: str = "Economist") -> AppendixData:
    """AppendixData for a study whose default honorific differs from the guide's."""
    study = Study(root=tmp_path / "study", title="Cuenca study", honorific=honorific)
    return AppendixData(study, load_test_guide(tmp_path), matrices())


def docx_paragraphs(data: bytes) -> list[str]:
    """Body paragraph texts of a rendered document, blank ones dropped."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text]


def table_rows(table: docx.table.Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# --- AppendixData ------------------------------------------------------------------------


def test_display_name_uses_guide_honorific_else_study_default(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    guide = data.guide
    assert data.display_name(guide.interviewee("felipe-ochoa")) == "Magister. Felipe Ochoa"
    assert data.display_name(guide.interviewee("fabian-bermeo")) == "Economist. Fabián Bermeo"


def test_display_name_without_any_honorific(tmp_path: Path) -> None:
    data = appendix(tmp_path, honorific="")
    assert data.display_name(data.guide.interviewee("fabian-bermeo")) == "Fabián Bermeo"


def test_display_name_with_abbreviated_honorific(tmp_path: Path) -> None:
    """Abbreviations such as "Dr." or "Mgs." already end in a dot; it must not be doubled."""
    data = appendix(tmp_path, honorific="Dr.")
    assert data.display_name(data.guide.interviewee("fabian-bermeo")) == "Dr. Fabián Bermeo"


def test_category_line_in_guide_order(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    guide = data.guide
    assert data.category_line(guide.interviewee("felipe-ochoa")) == (
        "Sustainable Development; Inter-institutional Cooperation"
    )
    # Fabián's questions tag alliances before sustainability; the guide order wins.
    assert data.category_line(guide.interviewee("fabian-bermeo")) == (
        "Sustainable Development; Inter-institutional Cooperation; Alliances"
    )
    assert data.category_names(("alliances", "cooperation")) == (
        "Alliances; Inter-institutional Cooperation"
    )


# --- DOCX --------------------------------------------------------------------------------


def test_docx_layout(tmp_path: Path) -> None:
    rendered = Appendix1Docx().render(appendix(tmp_path))
    document = docx.Document(io.BytesIO(rendered))
    assert docx_paragraphs(rendered) == [
        "Appendix 1",
        "Interview matrix",
        "Magister. Felipe Ochoa",
        "DIRECTOR OF PLANNING",
        "Sustainable Development; Inter-institutional Cooperation",
        "Economist. Fabián Bermeo",
        "COORDINATOR OF PROJECTS",
        "Sustainable Development; Inter-institutional Cooperation; Alliances",
    ]
    assert document.core_properties.title == "Cuenca study: Appendix 1 Interview matrix"
    felipe, fabian = document.tables
    assert table_rows(felipe) == [
        ["Questions", "Answers"],
        [f"1. {Q1_EN}", A1],
        [f"2. {Q2_EN}", FELIPE_Q2_ANSWER],
        [f"3. {Q4_EN}", NOT_FOUND_TEXT],
    ]
    assert table_rows(fabian) == [
        ["Questions", "Answers"],
        [f"1. {Q3_EN}", A3],
        [f"2. {Q1_EN}", FABIAN_Q1_ANSWER],
    ]
    assert NOT_FOUND_TEXT == "[Question not found in the recording]"


def test_docx_tables_follow_their_headings(tmp_path: Path) -> None:
    """Each table sits right after its interviewee's categories line, in document order."""
    document = docx.Document(io.BytesIO(Appendix1Docx().render(appendix(tmp_path))))
    order = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            order.append("TABLE")
        elif block.text:
            order.append(block.text)
    assert order[2:] == [
        "Magister. Felipe Ochoa",
        "DIRECTOR OF PLANNING",
        "Sustainable Development; Inter-institutional Cooperation",
        "TABLE",
        "Economist. Fabián Bermeo",
        "COORDINATOR OF PROJECTS",
        "Sustainable Development; Inter-institutional Cooperation; Alliances",
        "TABLE",
    ]


def test_docx_emphasis(tmp_path: Path) -> None:
    """Title and name lines bold, subtitle and not-found marker italic, as in the thesis."""
    document = docx.Document(io.BytesIO(Appendix1Docx().render(appendix(tmp_path))))
    runs = {p.text: p.runs[0] for p in document.paragraphs if p.text}
    assert runs["Appendix 1"].bold
    assert runs["Interview matrix"].italic
    assert runs["Magister. Felipe Ochoa"].bold
    assert runs["DIRECTOR OF PLANNING"].bold
    header = document.tables[0].rows[0].cells
    assert all(cell.paragraphs[0].runs[0].bold for cell in header)
    marker = document.tables[0].rows[3].cells[1].paragraphs[0].runs[0]
    assert marker.italic


# --- CSV ---------------------------------------------------------------------------------


def test_csv_matches_golden_file(tmp_path: Path) -> None:
    """Byte for byte: BOM, header, CRLF line ends, quoting and accents are all fixed."""
    assert Appendix1Csv().render(appendix(tmp_path)) == GOLDEN_CSV.read_bytes()


def test_csv_shape(tmp_path: Path) -> None:
    """The golden file's structure, checked independently of its bytes."""
    import csv

    raw = Appendix1Csv().render(appendix(tmp_path))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [
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
    ]
    assert len(rows) == 1 + 5
    assert rows[2][7] == FELIPE_Q2_ANSWER  # quotes and newline survive the round trip
    assert rows[2][8:] == ["20.50", "31.12", "0.88", "found"]
    assert rows[3][7:] == ["", "", "", "0.00", "not found"]
    assert rows[4][:2] == ["fabian-bermeo", "Fabián Bermeo"]
    assert rows[4][6] == "Alliances; Inter-institutional Cooperation"


# --- export() ----------------------------------------------------------------------------


def test_export_writes_both_files(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    exports = data.study.exports_dir
    paths = export(data, ["docx", "csv"])
    assert paths == [exports / "appendix1.docx", exports / "appendix1.csv"]
    assert sorted(p.name for p in exports.iterdir()) == [
        MANIFEST_NAME,
        "appendix1.csv",
        "appendix1.docx",
    ]
    assert (exports / "appendix1.csv").read_bytes() == GOLDEN_CSV.read_bytes()
    assert docx_paragraphs((exports / "appendix1.docx").read_bytes())[0] == "Appendix 1"


def test_export_only_requested_format(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    assert export(data, ["csv"]) == [data.study.exports_dir / "appendix1.csv"]
    assert not (data.study.exports_dir / "appendix1.docx").exists()


def test_export_rejects_unknown_format(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    with pytest.raises(ExportError) as caught:
        export(data, ["csv", "pdf"])
    assert str(caught.value) == "unknown format 'pdf' (choose from: docx, csv)"
    assert not data.study.exports_dir.exists()  # nothing half-written


def test_writers_registry() -> None:
    assert {name: w.filename for name, w in writers().items()} == {
        "docx": "appendix1.docx",
        "csv": "appendix1.csv",
    }
