"""One error hierarchy, so the CLI can turn any user mistake into a one-line message."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """A problem the user can fix: bad input, missing file, missing tool."""

    def __init__(self, message: str, file: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = Path(file) if file is not None else None

    def __str__(self) -> str:
        return f"{self.message} ({self.file})" if self.file else self.message


class StudyError(PipelineError):
    """The study folder or its study.toml is missing or invalid."""


class GuideError(PipelineError):
    """The interview guide file is invalid."""


class AudioError(PipelineError):
    """A recording cannot be found or decoded."""


class ModelError(PipelineError):
    """A transcription model or engine cannot be loaded."""


class TranscriptError(PipelineError):
    """A stored transcript or aligned file is unreadable."""


class ExportError(PipelineError):
    """An export cannot be written."""


class EditedFileError(PipelineError):
    """An output file was changed by hand since we wrote it; we refuse to overwrite it."""


class WriteError(PipelineError):
    """An output file cannot be written: disk full, read-only folder, file in use."""


class LockError(PipelineError):
    """Another command is working on the same study."""


class ArchiveError(PipelineError):
    """An archive (BagIt bag) cannot be built or read."""


class PrivacyError(PipelineError):
    """Pseudonymisation cannot be done safely (bad terms file, a name would survive)."""


class ReviewError(PipelineError):
    """A review edit or review sheet that cannot be applied."""


class StaleEditError(ReviewError):
    """The aligned file changed since the page or sheet read it; the edit was not saved."""
