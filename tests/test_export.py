"""Appendix 1 exports (DOCX, CSV, XLSX), the format registry and export()."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from export_fixtures import (
    EDITED_Q1,
    FABIAN_Q1_ANSWER,
    FABIAN_SHA,
    FELIPE_Q2_ANSWER,
    FELIPE_SHA,
    FORMULA_ANSWER,
    TRANSLATED_Q2,
    appendix,
    docx_paragraphs,
    open_docx,
    table_rows,
)
from fakes import A1, A3, Q1_EN, Q2_EN, Q3_EN, Q4_EN

from pipeline.errors import ExportError
from pipeline.export import FORMATS, ExportOptions, export, needs_transcripts, writer
from pipeline.export.appendix1_csv import Appendix1Csv
from pipeline.export.appendix1_docx import Appendix1Docx
from pipeline.export.appendix1_xlsx import Appendix1Xlsx
from pipeline.export.content import (
    LOW_CONFIDENCE_TEXT,
    MISSING_TRANSLATION_TEXT,
    NO_TRANSLATION_TEXT,
    NOT_FOUND_TEXT,
    answer_paragraphs,
    clock,
    escape_formula,
)
from pipeline.export.word import NOTE_COLOUR, SMALL_TEXT
from pipeline.files import MANIFEST_NAME
from pipeline.models import AnswerStatus, InterviewMatrix

GOLDEN_CSV = Path(__file__).parent / "golden" / "appendix1.csv"
COLUMNS = [
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
    "answer_translation",
    "source_file",
    "transcript_sha256",
]


def render_docx(tmp_path: Path, **kwargs: object) -> bytes:
    [content] = Appendix1Docx().render(appendix(tmp_path, **kwargs)).values()  # type: ignore[arg-type]
    return content


def csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


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


# --- aligned files -------------------------------------------------------------------------


def test_aligned_file_from_before_review_fields_still_loads() -> None:
    """Files written before edited answers, translations and provenance existed."""
    old = {
        "interviewee_id": "felipe-ochoa",
        "answers": [
            {
                "question_id": "q1",
                "number": 1,
                "question": Q1_EN,
                "categories": ["sustainability"],
                "status": "found",
                "answer": A1,
                "start": 10.0,
                "end": 14.0,
                "confidence": 0.8,
                "heard_question": "¿Cuáles?",
            }
        ],
    }
    matrix = InterviewMatrix.from_dict(old)
    [answer] = matrix.answers
    assert (answer.final_answer, answer.translation, answer.question_start) == (A1, "", None)
    assert (matrix.synthesis, matrix.source_files, matrix.transcript_sha256) == ({}, (), "")


def test_review_fields_round_trip(tmp_path: Path) -> None:
    for matrix in appendix(tmp_path, reviewed=True).matrices:
        assert InterviewMatrix.from_dict(matrix.to_dict()) == matrix


# --- Appendix 1 DOCX -----------------------------------------------------------------------


def test_docx_layout(tmp_path: Path) -> None:
    rendered = render_docx(tmp_path)
    document = open_docx(rendered)
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
    order = []
    for block in open_docx(render_docx(tmp_path)).iter_inner_content():
        text = getattr(block, "text", None)
        if text is None:
            order.append("TABLE")
        elif text:
            order.append(text)
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
    """Title a real heading and bold, name lines bold, subtitle and markers italic."""
    document = open_docx(render_docx(tmp_path))
    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    assert paragraphs["Appendix 1"].style.name == "Heading 1"
    assert paragraphs["Appendix 1"].runs[0].bold
    assert paragraphs["Interview matrix"].runs[0].italic
    assert paragraphs["Magister. Felipe Ochoa"].runs[0].bold
    assert paragraphs["DIRECTOR OF PLANNING"].runs[0].bold
    header = document.tables[0].rows[0].cells
    assert all(cell.paragraphs[0].runs[0].bold for cell in header)
    marker = document.tables[0].rows[3].cells[1].paragraphs[0].runs[0]
    assert marker.italic
    assert marker.font.color.rgb == NOTE_COLOUR


def test_docx_word_formatting(tmp_path: Path) -> None:
    """Bordered style, repeated header row, rows free to break, 35/65 columns, A4."""
    document = open_docx(render_docx(tmp_path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.orientation == WD_ORIENT.PORTRAIT
    for table in document.tables:
        assert table.style.name == "Table Grid"
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
        assert not table._tbl.xpath(".//w:cantSplit")
        widths = [column.width for column in table.columns]
        assert round(widths[0] / sum(widths), 2) == 0.35
        assert all(cell.width == widths[1] for row in table.rows for cell in row.cells[1:])
    properties = document.core_properties
    assert properties.title == "Cuenca study: Appendix 1 Interview matrix"
    assert properties.author == "Kiaved Orellana"


def test_docx_letter_paper(tmp_path: Path) -> None:
    section = open_docx(render_docx(tmp_path, paper="Letter")).sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))


def test_docx_per_interviewee(tmp_path: Path) -> None:
    data = appendix(tmp_path, options=ExportOptions(per_interviewee=True))
    rendered = Appendix1Docx().render(data)
    assert list(rendered) == ["appendix1-felipe-ochoa.docx", "appendix1-fabian-bermeo.docx"]
    felipe = docx_paragraphs(rendered["appendix1-felipe-ochoa.docx"])
    fabian = docx_paragraphs(rendered["appendix1-fabian-bermeo.docx"])
    assert felipe[:3] == ["Appendix 1", "Interview matrix", "Magister. Felipe Ochoa"]
    assert "Economist. Fabián Bermeo" not in felipe
    assert fabian[2] == "Economist. Fabián Bermeo"
    assert len(open_docx(rendered["appendix1-fabian-bermeo.docx"]).tables) == 1


def test_docx_timestamps_in_a_smaller_style(tmp_path: Path) -> None:
    document = open_docx(render_docx(tmp_path, options=ExportOptions(timestamps=True)))
    cell = document.tables[0].rows[1].cells[1]
    assert cell.text == f"{A1} [00:10\N{EN DASH}00:14]"
    stamp = cell.paragraphs[-1].runs[-1]
    assert stamp.font.size == SMALL_TEXT < Pt(10) == cell.paragraphs[0].runs[0].font.size
    not_found = document.tables[0].rows[3].cells[1]
    assert not_found.text == NOT_FOUND_TEXT  # no times to show


def test_clock_past_an_hour() -> None:
    assert [clock(s) for s in (0, 59.9, 723, 3600, 3723.5)] == [
        "00:00",
        "00:59",
        "12:03",
        "1:00:00",
        "1:02:03",
    ]


def answer_cells(rendered: bytes) -> list[list[str]]:
    """Per table, the answer cells' paragraphs."""
    return [
        [[p.text for p in row.cells[1].paragraphs] for row in table.rows[1:]]
        for table in open_docx(rendered).tables
    ]


def test_docx_reviewed_answers_and_marks(tmp_path: Path) -> None:
    """Edited text wins and is trusted; unedited low-confidence answers are marked."""
    felipe, fabian = answer_cells(render_docx(tmp_path, reviewed=True))
    assert felipe == [[EDITED_Q1], [FELIPE_Q2_ANSWER], [NOT_FOUND_TEXT]]
    assert fabian == [
        [FORMULA_ANSWER],  # Word does not evaluate text; only spreadsheets are escaped
        [LOW_CONFIDENCE_TEXT.format(confidence=0.3), FABIAN_Q1_ANSWER],
    ]
    assert LOW_CONFIDENCE_TEXT.format(confidence=0.3) == (
        "[Low confidence (0.30): check against the recording]"
    )


def test_docx_english_answers_never_invent_a_translation(tmp_path: Path) -> None:
    rendered = render_docx(tmp_path, reviewed=True, options=ExportOptions(answers="english"))
    felipe, _ = answer_cells(rendered)
    assert felipe == [[NO_TRANSLATION_TEXT, EDITED_Q1], [TRANSLATED_Q2], [NOT_FOUND_TEXT]]
    translation = open_docx(rendered).tables[0].rows[2].cells[1].paragraphs[0].runs[0]
    assert translation.italic


def test_docx_both_languages(tmp_path: Path) -> None:
    rendered = render_docx(tmp_path, reviewed=True, options=ExportOptions(answers="both"))
    felipe, _ = answer_cells(rendered)
    assert felipe == [
        [EDITED_Q1, MISSING_TRANSLATION_TEXT],
        [FELIPE_Q2_ANSWER, TRANSLATED_Q2],
        [NOT_FOUND_TEXT],
    ]


# --- Appendix 1 CSV ------------------------------------------------------------------------


def test_csv_matches_golden_file(tmp_path: Path) -> None:
    """Byte for byte: BOM, header, CRLF line ends, quoting and accents are all fixed."""
    assert Appendix1Csv().render(appendix(tmp_path)) == {"appendix1.csv": GOLDEN_CSV.read_bytes()}


def test_csv_shape(tmp_path: Path) -> None:
    """The golden file's structure, checked independently of its bytes."""
    raw = Appendix1Csv().render(appendix(tmp_path))["appendix1.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(raw)
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 5
    assert rows[2][7] == FELIPE_Q2_ANSWER  # quotes and newline survive the round trip
    assert rows[2][8:] == ["20.50", "31.12", "0.88", "found", "", "felipe-ochoa.wav", FELIPE_SHA]
    assert rows[3][7:12] == ["", "", "", "0.00", "not-asked"]
    assert rows[4][:2] == ["fabian-bermeo", "Fabián Bermeo"]
    assert rows[4][6] == "Alliances; Inter-institutional Cooperation"
    assert rows[4][13:] == ["fabian-bermeo.mp3", FABIAN_SHA]


def test_csv_reviewed_answers_and_formula_escape(tmp_path: Path) -> None:
    rows = csv_rows(Appendix1Csv().render(appendix(tmp_path, reviewed=True))["appendix1.csv"])
    assert rows[1][7] == EDITED_Q1
    assert rows[2][12] == TRANSLATED_Q2
    assert rows[4][7] == "'" + FORMULA_ANSWER


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+34 600", "'+34 600"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("Fabián", "Fabián"),
        ("", ""),
    ],
)
def test_escape_formula(text: str, escaped: str) -> None:
    assert escape_formula(text) == escaped


# --- Appendix 1 XLSX -----------------------------------------------------------------------


def test_xlsx(tmp_path: Path) -> None:
    raw = Appendix1Xlsx().render(appendix(tmp_path, reviewed=True))["appendix1.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 1 + 5
    assert rows[1][:4] == ("felipe-ochoa", "Felipe Ochoa", "Director of Planning", 1)
    assert rows[2][8:11] == (20.5, 31.125, 0.8765)
    assert rows[3][8:10] == (None, None)
    assert rows[4][1] == "Fabián Bermeo"
    formula = sheet.cell(row=5, column=8)
    assert (formula.value, formula.data_type) == ("'" + FORMULA_ANSWER, "s")
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=1).font.bold


# --- registry and export() -----------------------------------------------------------------


def test_every_registered_format_has_a_writer() -> None:
    for name in FORMATS:
        assert callable(writer(name).render)
    assert needs_transcripts(["appendix1-csv", "qdpx"])
    assert not needs_transcripts(["appendix1-csv", "appendix2-docx"])


def test_export_writes_default_files(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    exports = data.study.exports_dir
    paths = export(data, ["appendix1-docx", "appendix1-csv"])
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
    assert export(data, ["appendix1-csv"]) == [data.study.exports_dir / "appendix1.csv"]
    assert not (data.study.exports_dir / "appendix1.docx").exists()


def test_export_rejects_unknown_format_before_writing(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    with pytest.raises(ExportError) as caught:
        export(data, ["appendix1-csv", "pdf"])
    assert str(caught.value) == f"unknown format 'pdf' (choose from: {', '.join(FORMATS)})"
    assert not data.study.exports_dir.exists()  # nothing half-written


def test_export_without_transcripts_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no transcript loaded for 'felipe-ochoa'"):
        export(appendix(tmp_path), ["transcript-txt"])


def test_not_found_answer_is_never_filled(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    answer = data.matrices[0].answers[2]
    assert answer.status is AnswerStatus.NOT_ASKED and answer.final_answer == ""


def test_english_interview_needs_no_translation_note(tmp_path: Path) -> None:
    """An interview the guide says was held in English is shown as spoken, without a note."""
    data = appendix(tmp_path, reviewed=True)
    answer = data.matrices[0].answers[0]
    spanish = data.guide.interviewee("felipe-ochoa")
    english = replace(spanish, language="en")
    assert [p.text for p in answer_paragraphs(answer, "english", english)] == [EDITED_Q1]
    assert [p.text for p in answer_paragraphs(answer, "english", spanish)] == [
        NO_TRANSLATION_TEXT,
        EDITED_Q1,
    ]


def test_answer_cut_from_a_flagged_segment_is_marked_whatever_its_confidence(
    tmp_path: Path,
) -> None:
    """A repetition loop can be decoded confidently; the flag still asks for a check."""
    data = appendix(tmp_path)
    answer = replace(data.matrices[0].answers[1], confidence=0.9, flags=("repetition",))
    interviewee = data.guide.interviewee("felipe-ochoa")
    assert [p.text for p in answer_paragraphs(answer, "original", interviewee)] == [
        "[Low confidence (0.90): check against the recording; flagged: repetition]",
        answer.answer,
    ]
