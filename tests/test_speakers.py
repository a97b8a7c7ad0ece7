"""Speaker labels: stereo files with one speaker per channel (real recording), voice
clustering on the real two-speaker pyannote sample (extra [speakers]), splitting segments
at a change of speaker, and the `speakers` setting in the transcript cache key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fakes import STUDY_TOML, FakeTranscriber, invoke, write_study

from pipeline.align import normalise
from pipeline.audio import load_recordings
from pipeline.errors import AudioError, StudyError
from pipeline.models import Segment, TranscriptionSettings, Word
from pipeline.speakers import (
    SpeakerTurn,
    channel_turns,
    decode_channels,
    label_segments,
    one_speaker_per_channel,
    resolve_mode,
    score_turns,
    voice_available,
    voice_turns,
)
from pipeline.study import load_study
from pipeline.transcribe import create_transcriber, load_transcript
from pipeline.transcribe.channels import transcribe_channels

SPEECH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "speech"
STEREO = SPEECH / "faster-whisper-tests" / "stereo_diarization.wav"
PYANNOTE = SPEECH / "pyannote-sample"
JFK = SPEECH / "whisper-jfk" / "jfk.flac"

needs_data = pytest.mark.skipif(
    not STEREO.is_file() or not PYANNOTE.is_dir(),
    reason="../shared/data/speech (real speech clips) is not here",
)
needs_voice = pytest.mark.skipif(
    not voice_available(),
    reason="voice separation needs the [speakers] extra: "
    "pip install torch==2.13.0 && pip install -e '.[speakers]'",
)

VOICE_ACCURACY_FLOOR = 0.8
"""Measured 0.88 on the pyannote sample (bench/speakers_bench.py); a regression shows here."""


@needs_data
def test_stereo_file_with_one_speaker_per_channel_is_split_by_channel() -> None:
    channels = decode_channels(STEREO)
    assert channels.shape == (2, 5 * 16_000)
    assert one_speaker_per_channel(channels)
    assert resolve_mode("auto", [STEREO]) == "channels"
    turns = channel_turns(channels)
    assert {t.speaker for t in turns} == {"channel-1", "channel-2"}
    # The left speaker's long sentence runs on alone after the right one has finished
    # ("The horizon seems extremely distant." is over by about 2.5 s).
    assert [t.speaker for t in turns if t.start >= 2.5] == ["channel-1"]
    assert max(t.end for t in turns if t.speaker == "channel-2") < 2.5


@needs_data
def test_same_sound_on_both_channels_is_not_split() -> None:
    """A mono recording saved as stereo, and a real stereo recording of one voice."""
    mono = load_recordings([PYANNOTE / "sample.wav"]).samples
    assert not one_speaker_per_channel(np.stack([mono, mono]))
    assert not one_speaker_per_channel(decode_channels(JFK))
    assert resolve_mode("auto", [JFK]) == "none"
    assert resolve_mode("auto", [PYANNOTE / "sample.wav"]) == "none"


@needs_data
def test_channels_setting_refuses_a_mono_recording() -> None:
    with pytest.raises(AudioError) as caught:
        resolve_mode("channels", [PYANNOTE / "sample.wav"])
    assert str(caught.value) == (
        'speakers = "channels" needs stereo recordings, one speaker per channel '
        f"({PYANNOTE / 'sample.wav'})"
    )


def reference_turns() -> list[SpeakerTurn]:
    data = json.loads((PYANNOTE / "reference_turns.json").read_text(encoding="utf-8"))
    return [SpeakerTurn(t["start"], t["end"], t["speaker"]) for t in data]


@needs_data
@needs_voice
def test_voice_clusters_match_the_human_turns_of_the_pyannote_sample() -> None:
    turns = voice_turns(load_recordings([PYANNOTE / "sample.wav"]).samples)
    assert {t.speaker for t in turns} == {"speaker-1", "speaker-2"}
    score = score_turns(reference_turns(), turns)
    assert score.accuracy >= VOICE_ACCURACY_FLOOR, score


def test_score_turns_maps_labels_and_counts_errors() -> None:
    reference = [SpeakerTurn(0.0, 1.0, "Ana"), SpeakerTurn(1.0, 2.0, "Beto")]
    perfect = [SpeakerTurn(0.0, 1.0, "speaker-2"), SpeakerTurn(1.0, 2.0, "speaker-1")]
    assert score_turns(reference, perfect).accuracy == pytest.approx(1.0)
    half = [SpeakerTurn(0.0, 2.0, "speaker-1"), SpeakerTurn(2.0, 3.0, "speaker-2")]
    score = score_turns(reference, half)
    assert score.accuracy == pytest.approx(0.5)
    assert score.error_rate == pytest.approx(1.0)  # 1 s confused + 1 s false alarm of 2 s


def words(*spec: tuple[str, float, float]) -> tuple[Word, ...]:
    return tuple(Word(start, end, f" {text}", 0.9) for text, start, end in spec)


def test_a_segment_spanning_a_change_of_speaker_is_split_between_words() -> None:
    segment = Segment(
        0.0,
        4.0,
        " How are you? Fine thanks.",
        words(("How", 0.0, 0.5), ("are", 0.5, 1.0), ("you?", 1.0, 1.8))
        + words(("Fine", 2.2, 3.0), ("thanks.", 3.0, 4.0)),
    )
    untimed = Segment(5.0, 6.0, " Bye.")
    turns = [
        SpeakerTurn(0.0, 2.0, "speaker-1"),
        SpeakerTurn(2.0, 4.5, "speaker-2"),
        SpeakerTurn(4.5, 7.0, "speaker-1"),
    ]
    labelled = label_segments([segment, untimed], turns)
    assert [(s.speaker, s.text, s.start, s.end) for s in labelled] == [
        ("speaker-1", " How are you?", 0.0, 1.8),
        ("speaker-2", " Fine thanks.", 2.2, 4.0),
        ("speaker-1", " Bye.", 5.0, 6.0),
    ]


@needs_data
def test_transcription_of_a_stereo_recording_goes_channel_by_channel(
    tmp_path: Path, fake_engine: FakeTranscriber
) -> None:
    """Each channel is transcribed and labelled on its own; a word said where its channel
    is silent and the other one speaks (cross-talk) is dropped; the way is in the cache key."""
    root = write_study(tmp_path / "study")
    shutil.copy(STEREO, root / "audio" / "felipe-ochoa.wav")
    fake_engine.script = (
        ("He began a confused complaint", 0.0, 2.0),
        ("against the wizard who had vanished behind the curtain.", 2.6, 4.9),
    )
    first = invoke("transcribe", root, "-i", "felipe-ochoa")
    assert first.exit_code == 0, first.output
    assert len(fake_engine.calls) == 2  # one per channel
    transcript = load_transcript(root / "transcripts" / "felipe-ochoa.json")
    assert transcript.provenance.settings["speakers"] == "channels"
    # The second sentence lies where only the left channel speaks: channel 2 heard it
    # only as cross-talk, so only channel 1 keeps it.
    assert [(s.speaker, s.text.strip()) for s in transcript.segments if "wizard" in s.text] == [
        ("channel-1", "against the wizard who had vanished behind the curtain.")
    ]
    assert {s.speaker for s in transcript.segments} == {"channel-1", "channel-2"}
    assert [s.start for s in transcript.segments] == sorted(s.start for s in transcript.segments)
    assert "channel-1: against the wizard" in (
        (root / "transcripts" / "felipe-ochoa.txt").read_text("utf-8")
    )

    again = invoke("transcribe", root, "-i", "felipe-ochoa")
    assert again.stdout.startswith("felipe-ochoa: cached")
    unlabelled = invoke("transcribe", root, "-i", "felipe-ochoa", "--speakers", "none")
    assert unlabelled.stdout.startswith("felipe-ochoa: transcribed")
    transcript = load_transcript(root / "transcripts" / "felipe-ochoa.json")
    assert "speakers" not in transcript.provenance.settings
    assert {s.speaker for s in transcript.segments} == {""}
    assert len(fake_engine.calls) == 3


@needs_data
@needs_voice
def test_voice_setting_labels_segments_by_voice(
    tmp_path: Path, fake_engine: FakeTranscriber
) -> None:
    root = write_study(tmp_path / "study")
    shutil.copy(PYANNOTE / "sample.wav", root / "audio" / "felipe-ochoa.wav")
    fake_engine.script = tuple((t.speaker, t.start, t.end) for t in reference_turns())
    result = invoke("transcribe", root, "-i", "felipe-ochoa", "--speakers", "voice")
    assert result.exit_code == 0, result.output
    transcript = load_transcript(root / "transcripts" / "felipe-ochoa.json")
    assert transcript.provenance.settings["speakers"] == "voice"
    # The fake "says" each human turn's speaker name: labels should follow the names.
    pairs = [(w.text.strip(), s.speaker) for s in transcript.segments for w in s.words]
    mapping = {
        name: max({"speaker-1", "speaker-2"}, key=lambda x: pairs.count((name, x)))
        for name in ("Diane", "Sheila")
    }
    agreeing = sum(mapping[name] == label for name, label in pairs)
    assert mapping["Diane"] != mapping["Sheila"]
    assert agreeing / len(pairs) >= VOICE_ACCURACY_FLOOR


def test_mono_recordings_keep_their_cache_key(
    study_root: Path, fake_engine: FakeTranscriber
) -> None:
    """ "auto" on mono recordings labels nothing and leaves the key as it was before the
    setting existed, so earlier transcripts stay valid."""
    result = invoke("transcribe", study_root, "-i", "felipe-ochoa")
    assert result.exit_code == 0, result.output
    transcript = load_transcript(study_root / "transcripts" / "felipe-ochoa.json")
    assert "speakers" not in transcript.provenance.settings
    assert {s.speaker for s in transcript.segments} == {""}


def test_speakers_setting_is_checked(tmp_path: Path) -> None:
    root = write_study(tmp_path / "study", audio=False)
    toml = STUDY_TOML.format(title="t", honorific="Magister") + 'speakers = "diarize"\n'
    (root / "study.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(StudyError) as caught:
        load_study(root)
    assert caught.value.message == (
        "transcription.speakers must be one of: auto, voice, channels, none"
    )
    result = invoke("transcribe", root, "--speakers", "diarize")
    assert result.exit_code == 2
    assert "Invalid value for '--speakers'" in result.stderr


def test_help_lists_the_speakers_option() -> None:
    result = invoke("run", "--help")
    assert result.exit_code == 0
    assert "--speakers [auto|voice|channels|none]" in result.stdout


@needs_data
@pytest.mark.model
def test_real_model_gives_each_channel_its_own_sentence() -> None:
    """The bundled Whisper on the stereo clip, where both people talk at once: channel by
    channel, each sentence comes out whole and with its channel's label."""
    references = json.loads((STEREO.parent / "references.json").read_text("utf-8"))
    expected = references[STEREO.name]
    decoded = transcribe_channels(
        create_transcriber(TranscriptionSettings()), [STEREO], language="en", vocabulary=()
    )
    for label, key in (("channel-1", "left_channel"), ("channel-2", "right_channel")):
        said = " ".join(s.text for s in decoded.segments if s.speaker == label)
        heard = set(normalise(said).split())
        words = set(normalise(expected[key]).split())
        assert len(words & heard) / len(words) >= 0.8, (label, heard)
