"""Transcription stage without the model: audio decoding, quality flags, writers, settings."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import FakeTranscriber, make_transcript, segments_for, write_audio

from pipeline import audio as audio_module
from pipeline.audio import SAMPLE_RATE, load_recordings
from pipeline.cli import cli
from pipeline.errors import AudioError
from pipeline.models import Segment, TranscriptionSettings
from pipeline.study import load_study
from pipeline.transcribe import ENGINES, guide_vocabulary, load_transcript, transcribe_interviewee
from pipeline.transcribe.base import Decoded, ProgressCallback
from pipeline.transcribe.parts import PART_SECONDS, SEARCH_SECONDS, cut_points, transcribe_in_parts
from pipeline.transcribe.quality import (
    has_repetition_loop,
    is_vocabulary_echo,
    repair_vocabulary_echoes,
    segment_flags,
)
from pipeline.transcribe.writers import format_timestamp, to_srt, to_txt, to_vtt
from pipeline.workflow import open_study


def ffmpeg_tone(path: Path, *extra: str, seconds: float = 1.5) -> Path:
    """A real file made by ffmpeg itself, for formats pydub cannot export by name."""
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}"]
    subprocess.run([*command, *extra, str(path)], check=True)
    return path


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("tone.wav", ("-ar", "44100", "-ac", "2")),
        ("tone.mp3", ()),
        ("tone.m4a", ("-c:a", "aac")),
        ("tone.ogg", ("-c:a", "libvorbis")),
        ("tone.opus", ("-c:a", "libopus")),
        ("tone.flac", ("-ar", "48000")),
        ("tone.wma", ("-c:a", "wmav2")),
    ],
)
def test_every_common_format_decodes_to_16khz_mono(
    tmp_path: Path, name: str, options: tuple[str, ...]
) -> None:
    path = ffmpeg_tone(tmp_path / name, *options)
    loaded = load_recordings([path])
    assert loaded.samples.dtype == np.float32
    assert loaded.samples.ndim == 1
    assert loaded.duration == pytest.approx(1.5, abs=0.1)
    assert float(np.abs(loaded.samples).max()) > 0.05  # the tone, not silence


def test_audio_track_of_a_video_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "interview.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=2:s=64x48:r=5"),
            *("-f", "lavfi", "-i", "sine=f=440:d=2", "-shortest", str(path)),
        ],
        check=True,
    )
    assert load_recordings([path]).duration == pytest.approx(2.0, abs=0.1)


def test_several_files_are_joined_in_order_with_continuous_time(tmp_path: Path) -> None:
    first = write_audio(tmp_path / "part1.wav", milliseconds=1000)
    second = write_audio(tmp_path / "part2.mp3", milliseconds=2000, frequency=660.0)
    loaded = load_recordings([first, second])
    assert [s.name for s in loaded.sources] == ["part1.wav", "part2.mp3"]
    assert loaded.sources[0].duration == pytest.approx(1.0, abs=0.01)
    assert loaded.duration == pytest.approx(
        loaded.sources[0].duration + loaded.sources[1].duration, abs=1e-6
    )


def expect_audio_error(path: Path, message: str) -> None:
    with pytest.raises(AudioError) as caught:
        load_recordings([path])
    assert str(caught.value) == f"{message} ({path})"
    assert caught.value.file == path


def test_missing_recording(tmp_path: Path) -> None:
    expect_audio_error(tmp_path / "gone.wav", "recording not found")


def test_empty_recording(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    expect_audio_error(path, "recording is empty (0 bytes); copy it again from the recorder")


def test_pdf_renamed_to_mp3(tmp_path: Path) -> None:
    path = tmp_path / "consent.mp3"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    expect_audio_error(path, "not an audio file: ffmpeg finds no audio stream in it")


def test_random_bytes_are_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(1).bytes(4096))
    expect_audio_error(path, "not an audio file: ffmpeg finds no audio stream in it")


def test_wav_header_without_samples(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "short.wav", milliseconds=0)
    expect_audio_error(path, "recording contains no audio (0 seconds)")


def test_silent_recording(tmp_path: Path) -> None:
    path = ffmpeg_tone(tmp_path / "quiet.wav", "-af", "volume=0", seconds=2)
    expect_audio_error(path, "recording is silent; check the file or the microphone")


def test_file_name_with_spaces_and_accents(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "entrevista Fabián Bermeo.mp3", milliseconds=1000)
    assert load_recordings([path]).sources[0].name == "entrevista Fabián Bermeo.mp3"


def test_missing_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_audio(tmp_path / "a.wav")
    monkeypatch.setattr(audio_module.shutil, "which", lambda name: None)
    with pytest.raises(AudioError, match=r"^ffmpeg is not installed; install it"):
        load_recordings([path])


@pytest.mark.parametrize(
    "text",
    [
        "thank you thank you thank you",
        "y entonces y entonces y entonces",
        "no no no no no",
        "Gracias. Gracias. Gracias. Gracias. Gracias.",
    ],
)
def test_repetition_loops_are_detected(text: str) -> None:
    assert has_repetition_loop(text)


@pytest.mark.parametrize(
    "text",
    [
        "No, no, we never had that problem.",
        "The city, the region and the country work together.",
        "muy muy importante",
    ],
)
def test_ordinary_speech_is_not_a_loop(text: str) -> None:
    assert not has_repetition_loop(text)


def loud(seconds: float) -> np.ndarray:
    return np.full(int(seconds * SAMPLE_RATE), 0.2, dtype=np.float32)


def test_clean_segment_has_no_flags() -> None:
    segment = Segment(0.0, 2.0, "A clear sentence.", avg_logprob=-0.2, compression_ratio=1.3)
    assert segment_flags(segment, loud(3)) == ()


def test_each_failure_mode_is_flagged() -> None:
    looping = Segment(0.0, 2.0, "thank you " * 6, compression_ratio=3.1)
    assert segment_flags(looping, loud(3)) == ("repetition", "high-compression")
    unsure = Segment(0.0, 2.0, "mumbled words", avg_logprob=-1.4, no_speech_prob=0.8)
    assert segment_flags(unsure, loud(3)) == ("low-logprob", "no-speech")
    silence = np.zeros(3 * SAMPLE_RATE, dtype=np.float32)
    invented = Segment(0.5, 2.0, "Subtitles by the community.")
    assert segment_flags(invented, silence) == ("text-over-silence",)


def test_timestamps_follow_openai_whisper_conventions() -> None:
    assert format_timestamp(3725.5, always_include_hours=True, decimal_marker=",") == (
        "01:02:05,500"
    )
    assert format_timestamp(65.25, always_include_hours=False, decimal_marker=".") == "01:05.250"


def test_txt_srt_and_vtt_writers() -> None:
    transcript = make_transcript([("Hola, buenos días.", 0.0, 2.5), ("¿Cómo está?", 3.0, 4.25)])
    assert to_txt(transcript) == "[00:00] Hola, buenos días.\n[00:03] ¿Cómo está?\n"
    assert to_srt(transcript) == (
        "1\n00:00:00,000 --> 00:00:02,500\nHola, buenos días.\n\n"
        "2\n00:00:03,000 --> 00:00:04,250\n¿Cómo está?\n"
    )
    assert to_vtt(transcript) == (
        "WEBVTT\n\n00:00.000 --> 00:02.500\nHola, buenos días.\n\n"
        "00:03.000 --> 00:04.250\n¿Cómo está?\n"
    )


def test_transcript_files_and_flags_are_written(study_root: Path) -> None:
    study, guide = open_study(study_root)
    interviewee = guide.interviewees[0]
    transcript, cached = transcribe_interviewee(study, interviewee, FakeTranscriber())
    assert not cached
    base = study.transcripts_dir / interviewee.id
    for suffix in ("json", "txt", "srt", "vtt"):
        assert base.with_suffix(f".{suffix}").is_file()
    assert load_transcript(base.with_suffix(".json")) == transcript
    assert all(segment.flags == () for segment in transcript.segments)


def test_vocabulary_is_the_guide_terms_and_the_person(study_root: Path) -> None:
    _, guide = open_study(study_root)
    guide = replace(guide, vocabulary=("ICLEI", "Huasipichanga"))
    interviewee = guide.interviewees[0]
    assert guide_vocabulary(guide, interviewee) == [
        "ICLEI",
        "Huasipichanga",
        interviewee.name,
        interviewee.organisation,
    ]


def test_changing_vocabulary_or_task_re_transcribes(study_root: Path) -> None:
    study, guide = open_study(study_root)
    interviewee = guide.interviewees[0]
    fake = FakeTranscriber()
    transcribe_interviewee(study, interviewee, fake, vocabulary=["ICLEI"])
    assert transcribe_interviewee(study, interviewee, fake, vocabulary=["ICLEI"])[1]
    assert not transcribe_interviewee(study, interviewee, fake, vocabulary=["GIB"])[1]
    translating = replace(study, transcription=replace(study.transcription, task="translate"))
    assert not transcribe_interviewee(translating, interviewee, fake, vocabulary=["GIB"])[1]
    assert len(fake.calls) == 3


def test_guide_vocabulary_can_be_switched_off(study_root: Path) -> None:
    study, guide = open_study(study_root)
    off = replace(study, transcription=replace(study.transcription, guide_vocabulary=False))
    transcript, _ = transcribe_interviewee(
        off, guide.interviewees[0], FakeTranscriber(), vocabulary=["X"]
    )
    assert transcript.provenance.settings["vocabulary"] == []


def test_cli_options_override_study_settings(
    study_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[TranscriptionSettings] = []

    def factory(settings: TranscriptionSettings) -> FakeTranscriber:
        seen.append(settings)
        return FakeTranscriber()

    monkeypatch.setitem(ENGINES, "faster-whisper", factory)
    result = CliRunner().invoke(
        cli,
        [
            *("transcribe", str(study_root), "--task", "translate", "--beam-size", "2"),
            *("--language", "es", "--threads", "1", "--compute-type", "float32"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert seen == [
        replace(
            load_study(study_root).transcription,
            task="translate",
            beam_size=2,
            language="es",
            threads=1,
            compute_type="float32",
        )
    ]


def test_unknown_task_is_a_usage_error(study_root: Path) -> None:
    result = CliRunner().invoke(cli, ["transcribe", str(study_root), "--task", "summarise"])
    assert result.exit_code == 2
    assert "Invalid value for '--task'" in result.stderr


def test_openai_engine_without_converted_model_says_what_to_do(
    study_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["transcribe", str(study_root), "--engine", "openai-whisper"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: no openai-whisper copy of the bundled 'base' model yet; "
        "run `interviews models convert --model base` once ("
    )


def test_models_convert_help() -> None:
    result = CliRunner().invoke(cli, ["models", "convert", "--help"])
    assert result.exit_code == 0
    assert "openai-whisper checkpoint from a bundled model" in result.output


class EchoingTranscriber(FakeTranscriber):
    """Reads its hint words back over the second half, as Whisper sometimes does."""

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        vocabulary: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> Decoded:
        self.calls.append((len(samples), language))
        if vocabulary:
            echo = [("Buenos días.", 0.0, 1.0), ("ICLEI, Cuenca, Amaru", 2.0, 4.0)]
            return Decoded("es", segments_for(echo))
        return Decoded("es", segments_for([("Trabajamos con la fundación.", 0.2, 1.5)]))


def test_hint_words_read_back_are_decoded_again_without_hints() -> None:
    transcriber = EchoingTranscriber()
    samples = loud(5)
    first = transcriber.transcribe(samples, language="es", vocabulary=["ICLEI", "Cuenca", "Amaru"])
    repaired = repair_vocabulary_echoes(transcriber, samples, first, ["ICLEI", "Cuenca", "Amaru"])
    assert [s.text.strip() for s in repaired.segments] == [
        "Buenos días.",
        "Trabajamos con la fundación.",
    ]
    redone = repaired.segments[1]
    assert (redone.start, redone.end) == (2.2, 3.5)
    assert redone.words[0].start == 2.2
    assert transcriber.calls[1] == (2 * SAMPLE_RATE, "es")  # only the echoed stretch


def test_speech_that_names_a_term_is_not_an_echo() -> None:
    segment = Segment(0.0, 3.0, "Trabajamos con ICLEI en Cuenca desde 2016.")
    assert not is_vocabulary_echo(segment, ["ICLEI", "Cuenca"])
    assert is_vocabulary_echo(
        Segment(0.0, 3.0, "ICLEI, Cuenca, Amaru."), ["ICLEI", "Cuenca", "Amaru"]
    )


def test_long_recordings_are_cut_at_quiet_moments_into_bounded_parts() -> None:
    """Twelve minutes of tone with a short silence near each 5-minute mark."""
    samples = loud(12 * 60)
    for mark in (298.0, 597.0):
        samples[int(mark * SAMPLE_RATE) : int((mark + 0.3) * SAMPLE_RATE)] = 0.0
    points = cut_points(samples)
    assert points[0] == 0 and points[-1] == len(samples)
    assert [round(p / SAMPLE_RATE, 1) for p in points[1:-1]] == [298.1, 597.1]
    assert all(b - a <= (PART_SECONDS + SEARCH_SECONDS) * SAMPLE_RATE for a, b in pairwise(points))


def test_parts_are_transcribed_with_continuous_times_and_one_language() -> None:
    transcriber = FakeTranscriber(script=[("Hola.", 1.0, 2.0)])
    samples = loud(11 * 60)
    decoded = transcribe_in_parts(transcriber, samples, language=None)
    cuts = [point / SAMPLE_RATE for point in cut_points(samples)]
    assert len(cuts) == 4  # three parts: even tone has no quiet moment, so cuts come early
    assert [s.start for s in decoded.segments] == [round(cut + 1.0, 3) for cut in cuts[:-1]]
    assert [s.words[0].start for s in decoded.segments] == [s.start for s in decoded.segments]
    assert [language for _, language in transcriber.calls] == [None, "es", "es"]
