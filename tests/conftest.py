"""Shared fixtures: a small valid study on disk and a scripted transcriber."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import GUIDE_YAML, FakeTranscriber, write_study

import pipeline.transcribe
from pipeline.guide import load_guide
from pipeline.models import Guide, TranscriptionSettings


@pytest.fixture
def study_root(tmp_path: Path) -> Path:
    """A valid two-interviewee study with tiny real recordings (wav and mp3)."""
    return write_study(tmp_path / "study")


@pytest.fixture(scope="session")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Guide:
    """The shared English+Spanish test guide (read-only: models are frozen)."""
    path: Path = tmp_path_factory.mktemp("guide") / "guide.yaml"
    path.write_text(GUIDE_YAML, encoding="utf-8")
    return load_guide(path)


@pytest.fixture
def fake() -> FakeTranscriber:
    """A transcriber that returns the scripted Spanish interview and counts its calls."""
    return FakeTranscriber()


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeTranscriber:
    """Make the configured engine ("faster-whisper") build the scripted fake instead."""
    fake = FakeTranscriber()

    def factory(settings: TranscriptionSettings) -> FakeTranscriber:
        return fake

    monkeypatch.setitem(pipeline.transcribe.ENGINES, "faster-whisper", factory)
    return fake
