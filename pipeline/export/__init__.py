"""Export stage: one small module per output format, all registered in `FORMATS` below.

Adding a format means writing its module (a class with `render(data) -> {path: bytes}`)
and adding one line to `FORMATS`; the CLI, `--all` and the README table of names follow
from it. Writers are imported only when used, so a CSV export never loads python-docx.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ..errors import ExportError
from ..files import write_output
from ..models import Guide, Interviewee, InterviewMatrix, Study, Transcript

AnswerLanguage = Literal["original", "english", "both"]
ANSWER_LANGUAGES: tuple[AnswerLanguage, ...] = ("original", "english", "both")


@dataclass(frozen=True)
class ExportOptions:
    """How the appendices are laid out; the defaults give the thesis' Appendix 1."""

    per_interviewee: bool = False
    answers: AnswerLanguage = "original"
    timestamps: bool = False


DEFAULT_OPTIONS = ExportOptions()


@dataclass(frozen=True)
class AppendixData:
    """Everything an export shows: the study, its guide, each interviewee's matrix and,
    for the formats that need them, the transcripts (interviewee id -> transcript)."""

    study: Study
    guide: Guide
    matrices: tuple[InterviewMatrix, ...]
    options: ExportOptions = DEFAULT_OPTIONS
    transcripts: Mapping[str, Transcript] = field(default_factory=dict)

    def interviews(self) -> list[tuple[Interviewee, InterviewMatrix]]:
        return [(self.guide.interviewee(m.interviewee_id), m) for m in self.matrices]

    def display_name(self, interviewee: Interviewee) -> str:
        """'Magister. Felipe Ochoa', as the thesis' Appendix 1 titles each interview."""
        honorific = interviewee.honorific or self.study.honorific
        return f"{honorific.rstrip('.')}. {interviewee.name}" if honorific else interviewee.name

    def category_line(self, interviewee: Interviewee) -> str:
        return "; ".join(c.name for c in self.guide.categories_of(interviewee))

    def category_names(self, category_ids: Sequence[str]) -> str:
        return "; ".join(self.guide.category(c).name for c in category_ids)

    def transcript(self, interviewee_id: str) -> Transcript:
        try:
            return self.transcripts[interviewee_id]
        except KeyError:
            raise ExportError(f"no transcript loaded for {interviewee_id!r}") from None


class Writer(Protocol):
    def render(self, data: AppendixData) -> dict[str, bytes]:
        """File contents by path relative to the exports folder, in writing order."""
        ...


@dataclass(frozen=True)
class Format:
    """A registry entry: where the writer lives and what it makes."""

    writer: str
    """"module:Class" inside this package."""
    output: str
    """What it writes, for help texts and the README."""
    needs_transcripts: bool = False


FORMATS: dict[str, Format] = {
    "appendix1-docx": Format("appendix1_docx:Appendix1Docx", "appendix1.docx"),
    "appendix1-csv": Format("appendix1_csv:Appendix1Csv", "appendix1.csv"),
    "appendix1-xlsx": Format("appendix1_xlsx:Appendix1Xlsx", "appendix1.xlsx"),
    "appendix2-docx": Format("appendix2_docx:Appendix2Docx", "appendix2.docx"),
    "appendix2-csv": Format("appendix2_csv:Appendix2Csv", "appendix2.csv"),
    "categories-docx": Format("categories_docx:CategoriesDocx", "categories.docx"),
    "categories-csv": Format("categories_csv:CategoriesCsv", "categories.csv"),
    "qdpx": Format("qdpx:QdpxProject", "project.qdpx", True),
    "transcript-txt": Format("transcripts:TranscriptTxt", "transcripts/<id>.txt", True),
    "transcript-docx": Format("transcript_docx:TranscriptDocx", "transcripts/<id>.docx", True),
    "transcript-srt": Format("transcripts:TranscriptSrt", "transcripts/<id>.srt", True),
    "transcript-vtt": Format("transcripts:TranscriptVtt", "transcripts/<id>.vtt", True),
    "transcript-json": Format("transcripts:TranscriptJson", "transcripts/<id>.json", True),
}
DEFAULT_FORMATS = ("appendix1-docx", "appendix1-csv")


def writer(name: str) -> Writer:
    """The writer registered as `name`; an unknown name is a user error."""
    try:
        entry = FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown format {name!r} (choose from: {', '.join(FORMATS)})") from None
    module_name, class_name = entry.writer.split(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)()


def needs_transcripts(formats: Sequence[str]) -> bool:
    return any(FORMATS[name].needs_transcripts for name in formats if name in FORMATS)


def export(data: AppendixData, formats: Sequence[str], *, force: bool = False) -> list[Path]:
    """Render each requested format into the study's exports/ folder; returns the paths.

    Everything is rendered before anything is written, so a bad format name or a failing
    writer leaves the folder as it was.
    """
    rendered = {
        path: content for name in formats for path, content in writer(name).render(data).items()
    }
    written = []
    for relative, content in rendered.items():
        path = data.study.exports_dir / relative
        write_output(path, content, force=force)
        written.append(path)
    return written
