"""Parallel transcription: local worker processes and a Dask LocalCluster give the same
transcripts as one process, survive a worker that dies, and report progress."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fakes import CrashingEngine, hashing_engine, invoke, local_dask_cluster, write_audio

import pipeline.batch
import pipeline.transcribe
from pipeline.audio import load_recordings, open_recordings
from pipeline.batch import BatchProgress, default_workers, worker_settings
from pipeline.errors import PipelineError
from pipeline.models import TranscriptionSettings
from pipeline.transcribe import load_transcript, transcript_path
from pipeline.workflow import CRASH_NOTE, Outcome, open_study, run_study, transcribe_study

EngineFactory = Any


def use_engine(monkeypatch: pytest.MonkeyPatch, factory: EngineFactory) -> None:
    """Register a picklable fake as the configured engine, so worker processes build it."""
    monkeypatch.setitem(pipeline.transcribe.ENGINES, "faster-whisper", factory)


def transcribe(root: Path, **options: Any) -> list[Outcome]:
    study, guide = open_study(root, check_recordings=True)
    return transcribe_study(study, guide, guide.interviewees, **options)


def transcripts(root: Path) -> dict[str, dict[str, Any]]:
    """Each transcript as a dict, without the start/finish times that differ between runs."""
    study, guide = open_study(root)
    found = {}
    for interviewee in guide.interviewees:
        data = load_transcript(transcript_path(study, interviewee.id)).to_dict()
        del data["provenance"]["started"], data["provenance"]["finished"]
        found[interviewee.id] = data
    return found


@pytest.fixture
def copies(study_root: Path, tmp_path: Path) -> Iterator[list[Path]]:
    """Three identical copies of the two-interviewee study, for runs to compare."""
    roots = [study_root]
    for index in (1, 2):
        roots.append(Path(shutil.copytree(study_root, tmp_path / f"copy{index}")))
    yield roots


def test_local_workers_give_the_same_transcripts_as_one_process(
    copies: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    here = transcribe(copies[0], workers=1)
    pooled = transcribe(copies[1], workers=2)
    assert [(o.interviewee_id, o.ok, o.detail) for o in pooled] == [
        (o.interviewee_id, o.ok, o.detail) for o in here
    ]
    assert transcripts(copies[1]) == transcripts(copies[0])
    # The checksum segment proves each worker decoded its own interviewee's audio.
    texts = [t["segments"][-1]["text"] for t in transcripts(copies[1]).values()]
    assert len(set(texts)) == 2 and all(t.startswith(" audio ") for t in texts)
    for suffix in ("txt", "srt", "vtt"):
        name = f"transcripts/felipe-ochoa.{suffix}"
        assert (copies[1] / name).read_bytes() == (copies[0] / name).read_bytes()


def test_a_worker_that_dies_is_retried_and_reported(
    copies: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    transcribe(copies[0], workers=1)
    marker = tmp_path / "crashed"
    use_engine(monkeypatch, CrashingEngine(marker))
    study, guide = open_study(copies[1], check_recordings=True)
    result = run_study(study, guide, guide.interviewees, ["appendix1-csv"], workers=2)
    assert marker.exists()  # one attempt really died
    assert result.failed == []
    transcribed = [o for o in result.outcomes if o.stage == "transcription"]
    assert sum(o.crashes for o in transcribed) >= 1
    assert all(CRASH_NOTE in o.detail for o in transcribed if o.crashes)
    assert any(CRASH_NOTE in row.reason for row in result.summary())
    assert transcripts(copies[1]) == transcripts(copies[0])


def test_a_worker_that_keeps_dying_fails_its_recording_after_one_retry(
    study_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, CrashingEngine(tmp_path / "crashed", once=False))
    outcomes = transcribe(study_root, workers=2)
    assert [o.ok for o in outcomes] == [False, False]
    for outcome in outcomes:
        assert outcome.crashes == 2
        assert str(outcome.error).startswith("the transcription worker process died 2 times")
    assert not transcript_path(open_study(study_root)[0], "felipe-ochoa").exists()


def test_batch_progress_counts_recordings_and_audio(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    events: list[BatchProgress] = []
    transcribe(study_root, workers=2, on_batch=events.append)
    last = events[-1]
    assert (last.recordings_done, last.recordings_total) == (2, 2)
    assert last.audio_total == pytest.approx(88, abs=0.5)
    assert last.audio_done == pytest.approx(last.audio_total)
    assert last.eta == 0.0 and last.running == ()
    assert {f.interviewee_id for e in events for f in e.running} == {
        "felipe-ochoa",
        "fabian-bermeo",
    }
    assert all(a.audio_done <= b.audio_done for a, b in pairwise(events))


def test_bad_recording_in_a_worker_is_reported_not_retried(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    (study_root / "audio" / "fabian-bermeo.mp3").write_bytes(b"%PDF-1.4 not audio")
    outcomes = transcribe(study_root, workers=2)
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].crashes == 0
    assert str(outcomes[1].error).startswith("not an audio file")


def test_default_workers_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.batch, "_physical_memory", lambda: 16 * 10**9)
    assert default_workers(44, jobs=8, cores=2) == 1  # too little audio to pay for start-up
    assert default_workers(3600, jobs=1, cores=2) == 1
    assert default_workers(3600, jobs=8, cores=2) == 2
    assert default_workers(3600, jobs=3, cores=16) == 3
    monkeypatch.setattr(pipeline.batch, "_physical_memory", lambda: 3 * 10**9)
    assert default_workers(3600, jobs=8, cores=16) == 3


def test_workers_split_the_cores_unless_threads_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.batch.os, "cpu_count", lambda: 8)
    assert worker_settings(TranscriptionSettings(), 2).threads == 4
    assert worker_settings(TranscriptionSettings(), 16).threads == 1
    assert worker_settings(TranscriptionSettings(threads=3), 2).threads == 3


def test_audio_read_part_by_part_equals_audio_decoded_at_once(tmp_path: Path) -> None:
    first = write_audio(tmp_path / "a.wav", milliseconds=1500)
    second = write_audio(tmp_path / "b.mp3", milliseconds=2500, frequency=660.0)
    whole = load_recordings([first, second])
    with open_recordings([first, second]) as audio:
        assert len(audio) == len(whole.samples)
        assert audio.sources == whole.sources
        np.testing.assert_array_equal(audio[0 : len(audio)], whole.samples)
        np.testing.assert_array_equal(audio[20_000:30_000], whole.samples[20_000:30_000])
        assert audio[5:5].size == 0


# --- command line ---------------------------------------------------------------------


def test_run_with_workers_prints_overall_progress(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    result = invoke("run", study_root, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "[2/2 recordings, 1.5/1.5 min of audio, ETA 0 s]" in result.stderr
    assert "felipe-ochoa: transcribed, 44 s, language es" in result.stdout


def test_workers_and_scheduler_together_is_a_usage_error(study_root: Path) -> None:
    result = invoke("run", study_root, "--workers", "2", "--scheduler", "tcp://localhost:8786")
    assert result.exit_code == 2
    assert "use --workers or --scheduler, not both" in result.stderr


def test_scheduler_without_the_dask_extra(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = invoke("transcribe", study_root, "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --scheduler needs the Dask distributed package; install it with: "
        "pip install 'interview-pipeline[dask]'\n"
    )


def test_help_shows_the_batch_options() -> None:
    for command in ("run", "transcribe"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "--workers" in result.stdout and "--scheduler" in result.stdout


# --- Dask ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A two-process LocalCluster on loopback, shared by this module's Dask tests."""
    with local_dask_cluster() as address:
        yield address


def test_dask_cluster_gives_the_same_transcripts_as_one_process(
    copies: list[Path], dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    here = transcribe(copies[0], workers=1)
    remote = transcribe(copies[1], scheduler=dask_scheduler)
    assert [(o.ok, o.detail) for o in remote] == [(o.ok, o.detail) for o in here]
    assert transcripts(copies[1]) == transcripts(copies[0])


def test_dask_worker_that_dies_is_retried_and_reported(
    copies: list[Path], dask_scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    transcribe(copies[0], workers=1)
    marker = tmp_path / "crashed"
    use_engine(monkeypatch, CrashingEngine(marker))
    outcomes = transcribe(copies[1], scheduler=dask_scheduler)
    assert marker.exists()
    assert all(o.ok for o in outcomes)
    assert sum(o.crashes for o in outcomes) == 1
    assert CRASH_NOTE in next(o.detail for o in outcomes if o.crashes)
    assert transcripts(copies[1]) == transcripts(copies[0])


def test_dask_reports_a_bad_recording_without_retrying(
    study_root: Path, dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, hashing_engine)
    (study_root / "audio" / "felipe-ochoa.wav").write_bytes(b"RIFF not really audio")
    outcomes = transcribe(study_root, scheduler=dask_scheduler)
    assert [o.ok for o in outcomes] == [False, True]
    assert isinstance(outcomes[0].error, PipelineError)
    assert str(outcomes[0].error).startswith("not an audio file")
    assert outcomes[0].error.file == study_root / "audio" / "felipe-ochoa.wav"
