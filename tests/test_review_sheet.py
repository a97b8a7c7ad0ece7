"""The review sheet round trip (XLSX and DOCX) and the `interviews review` command."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from fakes import A1, A4, invoke
from review_fixtures import aligned_study, answer

from pipeline.errors import ReviewError
from pipeline.models import AnswerStatus, Study
from pipeline.review import store
from pipeline.review.sheet import ANSWER_COLUMNS, export_sheet, import_sheet
from pipeline.workflow import open_study


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return aligned_study(tmp_path / "study")[0]


def edit_xlsx(path: Path, title: str, row: int, column: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book[title]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row, header.index(column) + 1)
    cell.value = value
    cell.data_type = "s"  # as typed into a text cell: "=..." stays text
    book.save(path)


def test_xlsx_round_trip(study: Study) -> None:
    _, guide = open_study(study.root)
    path = study.exports_dir / "review.xlsx"
    assert export_sheet(study, guide, path) == 5
    book = openpyxl.load_workbook(path)
    answers = book["Answers"]
    assert tuple(c.value for c in answers[1]) == ANSWER_COLUMNS
    assert [c.value for c in answers[2]][:3] == ["felipe-ochoa", "q1", "1"]
    assert answers.protection.sheet and not answers["F2"].protection.locked
    assert answers["A2"].protection.locked

    # Nothing edited: importing changes nothing.
    assert import_sheet(study, guide, path, editor="ana") == []
    edit_xlsx(path, "Answers", 2, "answer", "=Corrected answer.")
    edit_xlsx(path, "Answers", 2, "translation", "Mobility and money.")
    edit_xlsx(path, "Answers", 4, "status", "not-asked")
    edit_xlsx(path, "Synthesis", 3, "synthesis", "Works with the universities.")
    changes = import_sheet(study, guide, path, editor="ana")
    assert [str(c) for c in changes] == [
        "felipe-ochoa q1: answer, translation changed",
        "felipe-ochoa q4: status changed",
        "felipe-ochoa synthesis cooperation: synthesis changed",
    ]
    q1, q4 = answer(study, "felipe-ochoa", "q1"), answer(study, "felipe-ochoa", "q4")
    assert (q1.answer, q1.edited_answer, q1.translation, q1.edited_by) == (
        A1,
        "=Corrected answer.",
        "Mobility and money.",
        "ana",
    )
    assert (q4.status, q4.answer) == (AnswerStatus.NOT_ASKED, A4)
    assert store.load(study, "felipe-ochoa").matrix.synthesis == {
        "cooperation": "Works with the universities."
    }
    # A new sheet shows the edits; importing it again changes nothing.
    export_sheet(study, guide, path, force=True)
    assert openpyxl.load_workbook(path)["Answers"]["F2"].value == "=Corrected answer."
    assert import_sheet(study, guide, path, editor="ana") == []


def test_docx_round_trip(study: Study) -> None:
    _, guide = open_study(study.root)
    path = study.exports_dir / "review.docx"
    export_sheet(study, guide, path)
    document = docx.Document(str(path))
    answers, synthesis = document.tables
    assert [c.text for c in answers.rows[0].cells] == list(ANSWER_COLUMNS)
    answers.rows[1].cells[5].text = "Primera línea.\nSegunda línea."
    answers.rows[5].cells[6].text = "The main challenges."
    synthesis.rows[1].cells[3].text = "Sostenibilidad: movilidad."
    document.save(str(path))
    changes = import_sheet(study, guide, path, editor="bo")
    assert [str(c) for c in changes] == [
        "felipe-ochoa q1: answer changed",
        "fabian-bermeo q1: translation changed",
        "felipe-ochoa synthesis sustainability: synthesis changed",
    ]
    assert answer(study, "felipe-ochoa", "q1").edited_answer == "Primera línea.\nSegunda línea."
    assert answer(study, "fabian-bermeo", "q1").translation == "The main challenges."


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("question_id", 2, "q9", "Answers row 2: unknown question 'q9' for felipe-ochoa"),
        ("interviewee_id", 3, "nobody", "Answers row 3: unknown interviewee 'nobody'"),
        ("status", 4, "done", "Answers row 4: invalid status 'done' (choose from: found, "),
        ("number", 2, "7", "Answers row 2: the number or question of q1 was changed"),
    ],
)
def test_invalid_rows_are_refused_and_nothing_is_imported(
    study: Study, column: str, row: int, value: str, message: str
) -> None:
    _, guide = open_study(study.root)
    path = study.exports_dir / "review.xlsx"
    export_sheet(study, guide, path)
    edit_xlsx(path, "Answers", 5, "answer", "A valid edit.")
    edit_xlsx(path, "Answers", row, column, value)
    before = store.load(study, "fabian-bermeo").version
    with pytest.raises(ReviewError) as caught:
        import_sheet(study, guide, path, editor="ana")
    assert message in caught.value.message
    assert caught.value.message.endswith("; nothing was imported")
    assert caught.value.file == path
    assert store.load(study, "fabian-bermeo").version == before


def test_sheet_without_the_tables_is_refused(study: Study, tmp_path: Path) -> None:
    _, guide = open_study(study.root)
    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ReviewError, match="no 'Answers' table with the columns"):
        import_sheet(study, guide, path, editor="ana")
    with pytest.raises(ReviewError, match=r"must be a \.xlsx or \.docx file"):
        import_sheet(study, guide, tmp_path / "sheet.csv", editor="ana")


# --- the command ----------------------------------------------------------------------------


def test_review_help() -> None:
    result = invoke("review", "--help")
    assert result.exit_code == 0
    assert "Correct transcripts and answers in your browser, or with a review sheet." in (
        result.output
    )


def test_cli_sheet_round_trip(study: Study) -> None:
    result = invoke("review", study.root, "--export-sheet")
    sheet = study.exports_dir / "review-sheet.xlsx"
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Wrote {sheet} (5 answers); edit it, then run:\n"
        f"  interviews review {study.root} --import-sheet {sheet}\n"
    )
    edit_xlsx(sheet, "Answers", 2, "answer", "Corrected.")
    result = invoke("review", study.root, "--import-sheet", sheet, "--editor", "ana")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"felipe-ochoa q1: answer changed\nImported 1 changes from {sheet}\n")
    assert answer(study, "felipe-ochoa", "q1").edited_by == "ana"
    # The sheet is ours: a second export refuses to overwrite one edited by hand.
    result = invoke("review", study.root, "--export-sheet")
    assert result.exit_code == 1
    assert "file was changed by hand since it was generated" in result.stderr


def test_cli_import_errors(study: Study) -> None:
    sheet = study.exports_dir / "review.xlsx"
    invoke("review", study.root, "--export-sheet", sheet)
    edit_xlsx(sheet, "Answers", 3, "status", "done")
    result = invoke("review", study.root, "--import-sheet", sheet)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Answers row 3: invalid status 'done' (choose from:")
    assert result.stderr.endswith(f"; nothing was imported ({sheet})\n")
    assert "Traceback" not in result.output
    result = invoke("review", study.root, "--export-sheet", "x.xlsx", "--import-sheet", sheet)
    assert result.exit_code == 2
    assert "use --export-sheet or --import-sheet, not both" in result.stderr


def test_cli_reports_a_port_in_use(study: Study) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("review", study.root, "--no-browser", "--port", port)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port} (")


def test_cli_serves_until_interrupted(study: Study) -> None:
    """The real command in a process: prints its address, serves, stops on Ctrl+C."""
    import http.client
    import os
    import signal
    import subprocess
    import sys

    import pipeline

    env = {**os.environ, "PYTHONPATH": str(Path(pipeline.__file__).parents[1])}
    command = "from pipeline.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "review", str(study.root), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a shell without job control starts background jobs with SIGINT ignored, and Python
        # then installs no Ctrl+C handler; a user's terminal never does that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("Reviewing 'Cuenca study' at http://127.0.0.1:")
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/interviews")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out == "Stopped.\n" and "Traceback" not in err
