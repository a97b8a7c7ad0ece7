"""Export stage: one writer per output format behind one lookup (like openai-whisper's writers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import ExportError
from ..files import write_output
from ..models import Guide, Interviewee, InterviewMatrix, Study


@dataclass(frozen=True)
class AppendixData:
    """Everything an appendix shows: the study, its guide and each interviewee's matrix."""

    study: Study
    guide: Guide
    matrices: tuple[InterviewMatrix, ...]

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


class Writer(Protocol):
    filename: str

    def render(self, data: AppendixData) -> bytes: ...


def writers() -> dict[str, Writer]:
    """Format name -> writer; imported lazily so a CSV export never loads python-docx."""
    from .csv import Appendix1Csv
    from .docx import Appendix1Docx

    return {"docx": Appendix1Docx(), "csv": Appendix1Csv()}


def export(data: AppendixData, formats: Sequence[str], *, force: bool = False) -> list[Path]:
    """Render each requested format into the study's exports/ folder; returns the paths."""
    available = writers()
    unknown = [f for f in formats if f not in available]
    if unknown:
        raise ExportError(f"unknown format {unknown[0]!r} (choose from: {', '.join(available)})")
    written = []
    for name in formats:
        writer = available[name]
        path = data.study.exports_dir / writer.filename
        write_output(path, writer.render(data), force=force)
        written.append(path)
    return written
