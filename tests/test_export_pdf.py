"""Every DOCX export rendered to PDF by LibreOffice: what a reader (or examiner) will see.

Skipped only where `soffice` is not installed; .ci/run installs it, so CI always runs it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from export_fixtures import FELIPE_Q2_ANSWER, appendix, with_transcripts
from fakes import Q1_EN, Q3_EN, Q4_EN
from pypdf import PdfReader

from pipeline.export import AppendixData, export
from pipeline.models import InterviewMatrix

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def to_pdf(files: list[Path], out: Path) -> dict[str, PdfReader]:
    """One soffice run for all files (start-up dominates); a private profile per test."""
    profile = out / "profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {f.stem: PdfReader(out / f"{f.stem}.pdf") for f in files}


def text_of(pdf: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def long_matrix(data: AppendixData) -> InterviewMatrix:
    """Felipe's rows repeated until the table runs over several pages."""
    felipe = data.matrices[0]
    long = replace(felipe.answers[1], answer=" ".join([FELIPE_Q2_ANSWER] * 12))
    return replace(felipe, answers=(felipe.answers[0], *([long] * 12), felipe.answers[2]))


def test_docx_exports_render_in_libreoffice(tmp_path: Path) -> None:
    data = appendix(tmp_path)
    transcripts = with_transcripts(tmp_path / "t")
    files = export(data, ["appendix1-docx", "appendix2-docx", "categories-docx"])
    files += export(transcripts, ["transcript-docx"])
    long = replace(appendix(tmp_path / "long", paper="Letter"), matrices=(long_matrix(data),))
    [long_file] = export(long, ["appendix1-docx"])
    long_copy = long_file.with_name("appendix1-long.docx")
    shutil.copy(long_file, long_copy)
    pdfs = to_pdf([*files, long_copy], tmp_path / "pdf")

    appendix1 = pdfs["appendix1"]
    assert len(appendix1.pages) == 1
    text = text_of(appendix1)
    for expected in ("Appendix 1", "Magister. Felipe Ochoa", "Economist. Fabián Bermeo"):
        assert expected in text
    for question in (Q1_EN, Q3_EN, Q4_EN):
        assert " ".join(question.split()[:5]) in text
    assert appendix1.metadata.title == "Cuenca study: Appendix 1 Interview matrix"
    assert round(float(appendix1.pages[0].mediabox.width)) == 595  # A4 portrait

    appendix2 = pdfs["appendix2"]
    page = appendix2.pages[0].mediabox
    assert float(page.width) > float(page.height)  # landscape
    assert "Appendix 2" in text_of(appendix2) and "Fabián Bermeo" in text_of(appendix2)

    assert "Analysis categories matrix" in text_of(pdfs["categories"])
    assert "Interviewer:" in text_of(pdfs["felipe-ochoa"])

    pages = pdfs["appendix1-long"].pages
    assert len(pages) >= 3
    assert (round(float(pages[0].mediabox.width)), round(float(pages[0].mediabox.height))) == (
        612,
        792,
    )  # Letter
    for page in pages:  # the header row is repeated on every page
        assert "Questions Answers" in " ".join((page.extract_text() or "").split())
