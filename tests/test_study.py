"""The study folder: `init` creates a usable study once; study.toml mistakes are clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import StudyError
from pipeline.guide import load_guide
from pipeline.models import TranscriptionSettings
from pipeline.study import init_study, load_study


def write_toml(root: Path, text: str) -> Path:
    """A study folder whose study.toml holds exactly `text`."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_init_creates_folders_and_files(tmp_path: Path) -> None:
    root = tmp_path / "fieldwork"
    study = init_study(root, "Youth and public space")
    for folder in ("audio", "guides", "transcripts", "exports"):
        assert (root / folder).is_dir()
    assert study.root == root
    assert study.title == "Youth and public space"
    assert study.language == "en"
    assert study.honorific == "Magister"
    assert study.transcription == TranscriptionSettings()
    # The starter guide is valid and already titled.
    guide = load_guide(study.guide_path)
    assert guide.title == "Youth and public space"
    assert [i.id for i in guide.interviewees] == ["first-interviewee"]


def test_init_title_defaults_to_folder_name(tmp_path: Path) -> None:
    assert init_study(tmp_path / "my-study").title == "my-study"


def test_init_refuses_to_run_twice(tmp_path: Path) -> None:
    root = tmp_path / "fieldwork"
    init_study(root, "First")
    (root / "study.toml").write_text('title = "Edited"\n', encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        init_study(root, "Second")
    assert str(caught.value) == (
        f"a study already exists here; edit its study.toml instead ({root})"
    )
    assert (root / "study.toml").read_text(encoding="utf-8") == 'title = "Edited"\n'


def test_init_keeps_an_existing_guide(tmp_path: Path) -> None:
    """A guide written before `init` (e.g. copied in) is never overwritten."""
    root = tmp_path / "fieldwork"
    (root / "guides").mkdir(parents=True)
    (root / "guides" / "guide.yaml").write_text("title: Mine\n", encoding="utf-8")
    init_study(root)
    assert (root / "guides" / "guide.yaml").read_text(encoding="utf-8") == "title: Mine\n"


def test_load_reads_settings(tmp_path: Path) -> None:
    root = tmp_path / "s"
    write_toml(
        root,
        'title = "Cuenca"\nlanguage = "es"\nhonorific = "Ingeniero"\n\n[transcription]\n'
        'engine = "openai-whisper"\nmodel = "tiny.en"\ncompute_type = "float32"\n'
        'beam_size = 2\nthreads = 4\nlanguage = "es"\n',
    )
    study = load_study(root)
    assert study.title == "Cuenca"
    assert study.language == "es"
    assert study.honorific == "Ingeniero"
    assert study.transcription == TranscriptionSettings(
        engine="openai-whisper",
        model="tiny.en",
        compute_type="float32",
        beam_size=2,
        threads=4,
        language="es",
    )
    assert study.guide_path == root / "guides" / "guide.yaml"
    assert study.audio_dir == root / "audio"
    assert study.transcripts_dir == root / "transcripts"
    assert study.exports_dir == root / "exports"


def test_load_defaults(tmp_path: Path) -> None:
    """An empty study.toml is valid; the title falls back to the folder name."""
    root = tmp_path / "bare-study"
    write_toml(root, "")
    study = load_study(root)
    assert (study.title, study.language, study.honorific) == ("bare-study", "en", "Magister")
    assert study.transcription == TranscriptionSettings()


def test_missing_folder(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    with pytest.raises(StudyError) as caught:
        load_study(root)
    assert str(caught.value) == f"study folder not found ({root})"


def test_missing_study_toml_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == (
        "not a study folder: study.toml is missing; run `interviews init` to create one "
        f"({tmp_path})"
    )
    assert caught.value.file == tmp_path


def test_invalid_toml(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'title = "unclosed\n')
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert caught.value.file == path
    assert caught.value.message.startswith("invalid TOML: ")
    assert "line 1" in caught.value.message


def test_unknown_setting(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'title = "x"\ntitel = "typo"\n')
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == (
        f"unknown setting titel (allowed: author, honorific, language, paper, title) ({path})"
    )


def test_unknown_transcription_setting(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[transcription]\nbeam = 5\n")
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == (
        "unknown setting transcription.beam (allowed: batch_size, beam_size, compute_type, "
        f"engine, guide_vocabulary, language, model, speakers, task, threads) ({path})"
    )


def test_transcription_must_be_a_table(tmp_path: Path) -> None:
    path = write_toml(tmp_path, 'transcription = "fast"\n')
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == f"[transcription] must be a table ({path})"


@pytest.mark.parametrize("value", ['"five"', "-1", "2.5", "true"])
def test_bad_beam_size(tmp_path: Path, value: str) -> None:
    """beam_size must be a whole number; TOML's `true` is not one, though Python's bool is int."""
    path = write_toml(tmp_path, f"[transcription]\nbeam_size = {value}\n")
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == f"transcription.beam_size must be a whole number >= 1 ({path})"


def test_bad_threads(tmp_path: Path) -> None:
    path = write_toml(tmp_path, "[transcription]\nthreads = -2\n")
    with pytest.raises(StudyError) as caught:
        load_study(tmp_path)
    assert str(caught.value) == f"transcription.threads must be a whole number >= 0 ({path})"
