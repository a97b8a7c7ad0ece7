"""Whole-study stages with a fake engine and real tiny recordings decoded by ffmpeg."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import docx
import pytest
from fakes import A1, A2, A4, FAKE_MODEL_SHA256, Q1_ES, FakeTranscriber, write_audio

from pipeline.errors import AudioError, EditedFileError, PipelineError, TranscriptError
from pipeline.models import AnswerStatus, Interviewee, Study, TranscriptionSettings
from pipeline.transcribe import ProgressCallback, load_transcript
from pipeline.workflow import (
    Outcome,
    align_study,
    aligned_path,
    export_study,
    load_matrix,
    open_study,
    select,
    transcribe_study,
)


def transcribe_all(root: Path, fake: FakeTranscriber, **options: object) -> list[Outcome]:
    """Open the study and transcribe every interviewee with the fake engine."""
    study, guide = open_study(root, check_recordings=True)
    return transcribe_study(study, guide, guide.interviewees, transcriber=fake, **options)


def test_transcribe_writes_transcripts_with_provenance(
    study_root: Path, fake: FakeTranscriber
) -> None:
    outcomes = transcribe_all(study_root, fake)
    assert [(o.interviewee_id, o.ok) for o in outcomes] == [
        ("felipe-ochoa", True),
        ("fabian-bermeo", True),
    ]
    assert outcomes[0].detail == "transcribed, 44 s, language es"
    # Both recordings were really decoded: 44 s at 16 kHz, language from the guide.
    assert fake.calls == [(704_000, "es"), (704_000, "es")]

    data = json.loads((study_root / "transcripts" / "felipe-ochoa.json").read_text("utf-8"))
    assert data["interviewee_id"] == "felipe-ochoa"
    assert data["language"] == "es"
    assert data["duration"] == 44.0
    assert data["segments"][1]["text"].strip().startswith("¿Cuáles son")
    assert data["segments"][1]["words"][0] == {
        "start": 4.0,
        "end": round(4.0 + 5.0 / len(Q1_ES.split()), 3),
        "text": " ¿Cuáles",
        "probability": 0.9,
    }
    prov = data["provenance"]
    audio = study_root / "audio" / "felipe-ochoa.wav"
    assert prov["sources"] == [
        {
            "name": "felipe-ochoa.wav",
            "size": audio.stat().st_size,
            "sha256": hashlib.sha256(audio.read_bytes()).hexdigest(),
            "duration": 44.0,
        }
    ]
    assert (prov["engine"], prov["model"], prov["model_sha256"]) == (
        "fake",
        "fake",
        FAKE_MODEL_SHA256,
    )
    assert prov["settings"] == {
        "engine": "fake",
        "model": "base",
        "compute_type": "int8",
        "beam_size": 5,
        "language": "es",
        "task": "transcribe",
        "guide_vocabulary": True,
        "batch_size": 0,
        "vocabulary": ["Felipe Ochoa", "GAD Municipal de Cuenca"],
    }
    assert "interview-pipeline" in prov["versions"]
    assert prov["started"] <= prov["finished"]

    text = (study_root / "transcripts" / "felipe-ochoa.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "[00:00] Buenos días, muchas gracias por recibirnos hoy."
    assert lines[1].startswith("[00:04] ¿Cuáles son")
    assert len(lines) == 9
    # The JSON reads back into the same Transcript.
    loaded = load_transcript(study_root / "transcripts" / "felipe-ochoa.json")
    assert loaded.provenance.sources[0].name == "felipe-ochoa.wav"


def test_second_run_reuses_the_cache(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)
    before = (study_root / "transcripts" / "felipe-ochoa.json").read_bytes()
    outcomes = transcribe_all(study_root, fake)
    assert len(fake.calls) == 2  # not called again
    assert [o.detail.split(",")[0] for o in outcomes] == ["cached", "cached"]
    assert (study_root / "transcripts" / "felipe-ochoa.json").read_bytes() == before


def test_changed_audio_is_transcribed_again(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)
    write_audio(study_root / "audio" / "felipe-ochoa.wav", milliseconds=800, frequency=330.0)
    outcomes = transcribe_all(study_root, fake)
    assert [o.detail.split(",")[0] for o in outcomes] == ["transcribed", "cached"]
    assert fake.calls[-1] == (12800, "es")
    transcript = load_transcript(study_root / "transcripts" / "felipe-ochoa.json")
    assert transcript.duration == 0.8


def test_changed_setting_is_transcribed_again(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)
    toml = study_root / "study.toml"
    toml.write_text(toml.read_text("utf-8").replace("beam_size = 5", "beam_size = 2"), "utf-8")
    outcomes = transcribe_all(study_root, fake)
    assert [o.detail.split(",")[0] for o in outcomes] == ["transcribed", "transcribed"]
    assert len(fake.calls) == 4
    prov = load_transcript(study_root / "transcripts" / "fabian-bermeo.json").provenance
    assert prov.settings["beam_size"] == 2


def test_threads_do_not_invalidate_the_cache(study_root: Path, fake: FakeTranscriber) -> None:
    """Threads change speed, not output, so they are not part of the cache key."""
    transcribe_all(study_root, fake)
    toml = study_root / "study.toml"
    toml.write_text(toml.read_text("utf-8").replace("threads = 0", "threads = 3"), "utf-8")
    transcribe_all(study_root, fake)
    assert len(fake.calls) == 2


def test_changed_model_is_transcribed_again(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)

    class OtherModel(FakeTranscriber):
        @property
        def model_sha256(self) -> str:
            return "0" * 64

    other = OtherModel()
    transcribe_all(study_root, other)
    assert len(other.calls) == 2


def test_force_transcribes_again(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)
    outcomes = transcribe_all(study_root, fake, force=True)
    assert [o.detail.split(",")[0] for o in outcomes] == ["transcribed", "transcribed"]
    assert len(fake.calls) == 4


def test_damaged_transcript_is_kept_unless_forced(study_root: Path, fake: FakeTranscriber) -> None:
    """A transcript that no longer matches what we wrote may hold a person's corrections."""
    transcribe_all(study_root, fake)
    target = study_root / "transcripts" / "felipe-ochoa.json"
    target.write_text("{broken", encoding="utf-8")
    outcomes = transcribe_all(study_root, fake)
    assert isinstance(outcomes[0].error, EditedFileError)
    assert outcomes[0].error.file == target
    assert target.read_text(encoding="utf-8") == "{broken"
    transcribe_all(study_root, fake, force=True)
    assert load_transcript(target).segments


def test_progress_is_reported(study_root: Path, fake: FakeTranscriber) -> None:
    seen: list[tuple[str, float, float]] = []
    study, guide = open_study(study_root)

    def progress(interviewee: Interviewee) -> ProgressCallback:
        return lambda done, total: seen.append((interviewee.id, done, total))

    transcribe_study(study, guide, guide.interviewees, transcriber=fake, progress=progress)
    assert seen == [("felipe-ochoa", 44.0, 44.0), ("fabian-bermeo", 44.0, 44.0)]


def test_undecodable_recording_fails_only_that_interviewee(
    study_root: Path, fake: FakeTranscriber
) -> None:
    bad = study_root / "audio" / "fabian-bermeo.mp3"
    bad.write_bytes(b"this is not audio at all\n" * 200)
    reported: list[Outcome] = []
    outcomes = transcribe_all(study_root, fake, on_outcome=reported.append)
    assert reported == outcomes
    ok, failed = outcomes
    assert ok.ok and ok.interviewee_id == "felipe-ochoa"
    assert not failed.ok and failed.interviewee_id == "fabian-bermeo"
    assert isinstance(failed.error, AudioError)
    assert failed.error.file == bad
    assert failed.error.message.startswith("not an audio file")
    assert len(fake.calls) == 1
    assert (study_root / "transcripts" / "felipe-ochoa.json").is_file()
    assert not (study_root / "transcripts" / "fabian-bermeo.json").exists()


def test_missing_recording_fails_only_that_interviewee(
    study_root: Path, fake: FakeTranscriber
) -> None:
    (study_root / "audio" / "felipe-ochoa.wav").unlink()
    study, guide = open_study(study_root)
    outcomes = transcribe_study(study, guide, guide.interviewees, transcriber=fake)
    assert [o.ok for o in outcomes] == [False, True]
    assert str(outcomes[0].error) == (
        f"recording not found ({study_root / 'audio' / 'felipe-ochoa.wav'})"
    )


def test_align_and_export_end_to_end(study_root: Path, fake: FakeTranscriber) -> None:
    transcribe_all(study_root, fake)
    study, guide = open_study(study_root)
    aligned = align_study(study, guide, guide.interviewees)
    assert [(o.interviewee_id, o.detail) for o in aligned] == [
        ("felipe-ochoa", "3/3 questions located"),
        ("fabian-bermeo", "2/2 questions located"),
    ]
    matrix = load_matrix(aligned_path(study, "felipe-ochoa"))
    assert [a.status for a in matrix.answers] == [AnswerStatus.FOUND] * 3
    assert matrix.answers[0].answer == A1
    assert matrix.answers[1].answer.startswith(A2)  # runs on to q4 (q3 was not asked)
    assert matrix.answers[2].answer == A4

    paths, outcomes = export_study(
        study, guide, guide.interviewees, ["appendix1-docx", "appendix1-csv"]
    )
    assert [o.ok for o in outcomes] == [True, True]
    assert paths == [study.exports_dir / "appendix1.docx", study.exports_dir / "appendix1.csv"]
    csv_text = paths[1].read_bytes().decode("utf-8-sig")
    assert csv_text.count("\r\n") == 1 + 3 + 2
    assert "Fabián Bermeo" in csv_text
    document = docx.Document(str(paths[0]))
    assert [p.text for p in document.paragraphs if p.text][2:4] == [
        "Magister. Felipe Ochoa",
        "DIRECTOR OF PLANNING",
    ]
    assert len(document.tables) == 2


def test_align_without_transcript_is_reported(study_root: Path) -> None:
    study, guide = open_study(study_root)
    [outcome] = align_study(study, guide, select(guide, ["fabian-bermeo"]))
    assert isinstance(outcome.error, TranscriptError)
    assert outcome.error.message == "transcript not found; run `interviews transcribe` first"


def test_export_with_missing_aligned_file_reports_that_interviewee(
    study_root: Path, fake: FakeTranscriber
) -> None:
    transcribe_all(study_root, fake)
    study, guide = open_study(study_root)
    align_study(study, guide, select(guide, ["felipe-ochoa"]))
    paths, outcomes = export_study(study, guide, guide.interviewees, ["appendix1-csv"])
    assert paths == [study.exports_dir / "appendix1.csv"]
    assert [o.ok for o in outcomes] == [True, False]
    error = outcomes[1].error
    assert isinstance(error, TranscriptError)
    assert error.file == aligned_path(study, "fabian-bermeo")
    assert error.message == "aligned answers not found; run `interviews align` first"
    csv_text = paths[0].read_bytes().decode("utf-8-sig")
    assert "felipe-ochoa" in csv_text and "fabian-bermeo" not in csv_text


def test_export_with_nothing_aligned_writes_nothing(study_root: Path) -> None:
    study, guide = open_study(study_root)
    paths, outcomes = export_study(study, guide, guide.interviewees, ["appendix1-csv"])
    assert paths == []
    assert not any(o.ok for o in outcomes)
    assert not (study.exports_dir / "appendix1.csv").exists()


def test_unreadable_aligned_file(study_root: Path) -> None:
    study, _ = open_study(study_root)
    path = aligned_path(study, "felipe-ochoa")
    path.write_text('{"interviewee_id": "felipe-ochoa"}', encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        load_matrix(path)
    assert caught.value.message.startswith("aligned answers file is unreadable")


def test_select_rejects_unknown_ids(study_root: Path) -> None:
    _, guide = open_study(study_root)
    assert [i.id for i in select(guide)] == ["felipe-ochoa", "fabian-bermeo"]
    assert [i.id for i in select(guide, ["fabian-bermeo"])] == ["fabian-bermeo"]
    with pytest.raises(PipelineError) as caught:
        select(guide, ["nobody"])
    assert (
        str(caught.value)
        == "no interviewee 'nobody' in the guide (known: fabian-bermeo, felipe-ochoa)"
    )


def test_open_study_checks_recordings_only_when_asked(study_root: Path) -> None:
    (study_root / "audio" / "felipe-ochoa.wav").unlink()
    study, _ = open_study(study_root)
    assert study.transcription == TranscriptionSettings()
    assert isinstance(study, Study)
    with pytest.raises(PipelineError, match=r"recording 'felipe-ochoa.wav' not found"):
        open_study(study_root, check_recordings=True)
