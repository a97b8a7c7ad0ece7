"""Parallel transcription with the real bundled model: the same transcripts from one
process with two threads, two local workers with one thread each, and a Dask LocalCluster."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fakes import local_dask_cluster

from pipeline.transcribe import load_transcript, transcript_path
from pipeline.workflow import open_study, select, transcribe_study

REPO = Path(__file__).resolve().parents[1]
TWO = ("felipe-ochoa", "fabian-bermeo")
pytestmark = pytest.mark.model


def example_copy(folder: Path) -> Path:
    """The bundled example study (study.toml, guide, audio) without earlier transcripts."""
    for part in ("audio", "guides"):
        shutil.copytree(REPO / part, folder / part)
    shutil.copy(REPO / "study.toml", folder / "study.toml")
    return folder


def transcribe_two(root: Path, **options: Any) -> list[dict[str, Any]]:
    study, guide = open_study(root, check_recordings=True)
    outcomes = transcribe_study(study, guide, select(guide, TWO), **options)
    assert [o.ok for o in outcomes] == [True, True], [str(o.error) for o in outcomes]
    found = []
    for interviewee_id in TWO:
        data = load_transcript(transcript_path(study, interviewee_id)).to_dict()
        found.append({k: v for k, v in data.items() if k != "provenance"})
    return found


def test_same_transcripts_in_one_process_two_workers_and_on_dask(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="extra [dask] not installed")
    here = transcribe_two(example_copy(tmp_path / "here"), workers=1)
    assert all(sum(len(s["words"]) for s in t["segments"]) > 200 for t in here)
    pooled = transcribe_two(example_copy(tmp_path / "pool"), workers=2)
    assert pooled == here
    with local_dask_cluster() as address:
        remote = transcribe_two(example_copy(tmp_path / "dask"), scheduler=address)
    assert remote == here
