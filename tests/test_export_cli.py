"""`interviews export` / `run` export options, the study's paper setting, and the
provenance that alignment records for the exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from export_fixtures import open_docx
from fakes import FakeTranscriber, invoke

from pipeline.errors import StudyError
from pipeline.export import FORMATS
from pipeline.files import sha256_file
from pipeline.study import load_study

ALL_FILES = [
    "appendix1.docx",
    "appendix1.csv",
    "appendix1.xlsx",
    "appendix2.docx",
    "appendix2.csv",
    "categories.docx",
    "categories.csv",
    "project.qdpx",
    *(
        f"transcripts/{i}.{ext}"
        for ext in ("txt", "docx", "srt", "vtt", "json")
        for i in ("felipe-ochoa", "fabian-bermeo")
    ),
]


@pytest.fixture
def aligned_study(study_root: Path, fake_engine: FakeTranscriber) -> Path:
    """The two-interviewee study, transcribed (fake engine) and aligned."""
    assert invoke("transcribe", study_root).exit_code == 0
    assert invoke("align", study_root).exit_code == 0
    return study_root


def wrote(result: Result, root: Path) -> list[str]:
    exports = root / "exports"
    return [
        Path(line.removeprefix("Wrote ")).relative_to(exports).as_posix()
        for line in result.stdout.splitlines()
        if line.startswith("Wrote ")
    ]


@pytest.mark.parametrize("command", ["export", "run"])
def test_help_lists_export_options(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    for option in ("--format", "--all", "--per-interviewee", "--answers", "--timestamps"):
        assert option in result.stdout
    assert "original|english|both" in result.stdout
    unwrapped = "".join(result.stdout.split())  # click wraps long lines at hyphens
    assert all(name in unwrapped for name in FORMATS)


def test_export_all(aligned_study: Path) -> None:
    result = invoke("export", aligned_study, "--all")
    assert result.exit_code == 0, result.output
    assert wrote(result, aligned_study) == ALL_FILES
    assert len(FORMATS) == 13


def test_export_comma_separated_and_repeated(aligned_study: Path) -> None:
    result = invoke("export", aligned_study, "-f", "appendix2-csv, qdpx", "-f", "appendix2-csv")
    assert result.exit_code == 0, result.output
    assert wrote(result, aligned_study) == ["appendix2.csv", "project.qdpx"]


def test_all_and_format_together_is_a_usage_error(aligned_study: Path) -> None:
    result = invoke("export", aligned_study, "--all", "-f", "qdpx")
    assert result.exit_code == 2
    assert "Error: use --format or --all, not both" in result.stderr


def test_unknown_answers_language_is_a_usage_error(aligned_study: Path) -> None:
    result = invoke("export", aligned_study, "--answers", "french")
    assert result.exit_code == 2
    assert "Invalid value for '--answers'" in result.stderr


def test_export_layout_options(aligned_study: Path) -> None:
    result = invoke(
        "export",
        aligned_study,
        "-f",
        "appendix1-docx",
        "--per-interviewee",
        "--timestamps",
        "--answers",
        "english",
    )
    assert result.exit_code == 0, result.output
    assert wrote(result, aligned_study) == [
        "appendix1-felipe-ochoa.docx",
        "appendix1-fabian-bermeo.docx",
    ]
    document = open_docx((aligned_study / "exports" / "appendix1-felipe-ochoa.docx").read_bytes())
    first_answer = document.tables[0].rows[1].cells[1].text
    assert first_answer.startswith("[No English translation yet; original answer shown]")
    assert re.search(r" \[\d\d:\d\d\N{EN DASH}\d\d:\d\d\]$", first_answer)


def test_run_default_still_writes_appendix1_docx_and_csv(
    aligned_study: Path,
) -> None:
    result = invoke("run", aligned_study)
    assert result.exit_code == 0, result.output
    assert wrote(result, aligned_study) == ["appendix1.docx", "appendix1.csv"]


def test_transcript_formats_need_a_transcript(aligned_study: Path) -> None:
    (aligned_study / "transcripts" / "fabian-bermeo.json").unlink()
    result = invoke("export", aligned_study, "-f", "transcript-txt")
    assert result.exit_code == 1
    assert wrote(result, aligned_study) == ["transcripts/felipe-ochoa.txt"]
    assert "fabian-bermeo: skipped in export" in result.stderr


def test_alignment_records_provenance_for_the_exports(aligned_study: Path) -> None:
    transcripts = aligned_study / "transcripts"
    aligned = json.loads((transcripts / "felipe-ochoa.aligned.json").read_text(encoding="utf-8"))
    assert aligned["source_files"] == ["felipe-ochoa.wav"]
    assert aligned["transcript_sha256"] == sha256_file(transcripts / "felipe-ochoa.json")
    first = aligned["answers"][0]  # where the question was heard, before its answer
    assert 0 < first["question_start"] < first["question_end"] <= first["start"]
    assert invoke("export", aligned_study, "-f", "appendix1-csv").exit_code == 0
    text = (aligned_study / "exports" / "appendix1.csv").read_text(encoding="utf-8-sig")
    assert f"felipe-ochoa.wav,{aligned['transcript_sha256']}" in text


@pytest.mark.parametrize(("written", "loaded"), [("A4", "A4"), ("letter", "Letter")])
def test_paper_setting(tmp_path: Path, written: str, loaded: str) -> None:
    (tmp_path / "study.toml").write_text(f'title = "T"\npaper = "{written}"\n', encoding="utf-8")
    assert load_study(tmp_path).paper == loaded


def test_paper_default_and_invalid(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text('title = "T"\n', encoding="utf-8")
    assert load_study(tmp_path).paper == "A4"
    path.write_text('title = "T"\npaper = "A5"\n', encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == f"paper must be one of: A4, Letter ({path})"
