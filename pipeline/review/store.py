"""Read and save the aligned files edited in review, safely.

A save goes through the pipeline's atomic writer (so the file stays recognised as ours
and an align re-run merges rather than refusing), holds the study lock for the moment
of writing, and refuses when the file changed since the page or sheet read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import StaleEditError
from ..files import write_json
from ..lock import study_lock
from ..models import InterviewMatrix, Study
from ..workflow import aligned_path, load_matrix


@dataclass(frozen=True)
class Loaded:
    """A matrix and the version (sha256 of the file) it was read at."""

    matrix: InterviewMatrix
    version: str


def load(study: Study, interviewee_id: str) -> Loaded:
    path = aligned_path(study, interviewee_id)
    matrix = load_matrix(path)
    return Loaded(matrix, hashlib.sha256(path.read_bytes()).hexdigest())


def save(study: Study, matrix: InterviewMatrix, version: str) -> Loaded:
    """Write `matrix` if the file is still at `version`; returns the new version."""
    path = aligned_path(study, matrix.interviewee_id)
    with study_lock(study.root):
        current = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
        if current != version:
            raise StaleEditError(
                "the aligned file changed since it was loaded (another edit or an align "
                "run); reload and edit again",
                path,
            )
        # force: the file was read and its content is carried into this write, so an
        # earlier edit of it by hand (which the manifest would flag) is not lost.
        write_json(path, matrix.to_dict(), force=True)
    return load(study, matrix.interviewee_id)


def save_all(study: Study, changed: list[Loaded]) -> None:
    """Save several matrices, each against the version it was read at."""
    for item in changed:
        save(study, item.matrix, item.version)
