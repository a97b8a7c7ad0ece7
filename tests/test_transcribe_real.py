"""The real bundled models on real public speech (../shared/data), measured by word error rate."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz.distance import Levenshtein

from pipeline.align import normalise
from pipeline.audio import SAMPLE_RATE, load_recordings
from pipeline.cli import cli
from pipeline.files import sha256_file
from pipeline.models import TranscriptionSettings
from pipeline.transcribe import create_transcriber, load_transcript

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not SPEECH.is_dir(), reason="shared test data not found beside the repository (../shared)"
    ),
]


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return Levenshtein.distance(ref, hyp) / len(ref)


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Spaces ignored: on a 3-second Spanish clip the base model splits words oddly."""
    ref, hyp = normalise(reference).replace(" ", ""), normalise(hypothesis).replace(" ", "")
    return Levenshtein.distance(ref, hyp) / len(ref)


def transcribe_file(path: Path, model: str, language: str | None) -> tuple[str, str]:
    transcriber = create_transcriber(TranscriptionSettings(model=model))
    audio = load_recordings([path])
    decoded = transcriber.transcribe(audio.samples, language=language)
    return decoded.language, " ".join(s.text for s in decoded.segments)


@pytest.mark.parametrize("model", ["base", "tiny.en"])
def test_english_stereo_flac_is_transcribed_accurately(model: str) -> None:
    """jfk.flac is 44.1 kHz stereo: exercises down-mixing and resampling too."""
    reference = (SPEECH / "whisper-jfk" / "reference.txt").read_text("utf-8")
    language, text = transcribe_file(SPEECH / "whisper-jfk" / "jfk.flac", model, None)
    assert language == "en"
    assert word_error_rate(reference, text) <= 0.1, text


def test_spanish_is_detected_and_transcribed() -> None:
    references = json.loads((SPEECH / "picovoice-cheetah" / "references.json").read_text("utf-8"))
    reference = references["test_es.wav"]["transcript"]
    language, text = transcribe_file(SPEECH / "picovoice-cheetah" / "test_es.wav", "base", None)
    assert language == "es"
    assert character_error_rate(reference, text) <= 0.4, text


def test_two_speaker_phone_call_is_transcribed_with_ordered_word_times() -> None:
    path = SPEECH / "pyannote-sample" / "sample.wav"
    transcriber = create_transcriber(TranscriptionSettings(model="base"))
    audio = load_recordings([path])
    decoded = transcriber.transcribe(audio.samples, language="en")
    reference = (SPEECH / "pyannote-sample" / "reference.txt").read_text("utf-8")
    assert word_error_rate(reference, " ".join(s.text for s in decoded.segments)) <= 0.25
    words = [w for s in decoded.segments for w in s.words]
    assert len(words) > 30
    assert all(a.start <= b.start for a, b in pairwise(words))
    assert all(0 <= w.start <= w.end <= audio.duration + 0.5 for w in words)
    assert all(0 <= w.probability <= 1 for w in words)


def test_translate_task_gives_english_from_spanish_speech() -> None:
    """The first answer of the Spanish example interview, translated by Whisper itself."""
    repo = Path(__file__).resolve().parents[1]
    audio = load_recordings([repo / "audio" / "felipe-ochoa.mp3"])
    transcriber = create_transcriber(TranscriptionSettings(task="translate"))
    decoded = transcriber.transcribe(audio.samples[: 40 * SAMPLE_RATE], language="es")
    words = set(normalise(" ".join(s.text for s in decoded.segments)).split())
    assert {"the", "of"} <= words
    assert words & {"challenge", "challenges", "sustainable", "development", "voice"}


@pytest.fixture(scope="module")
def openai_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled base model converted for openai-whisper (needs the [openai] extra)."""
    pytest.importorskip("whisper", reason="openai-whisper not installed (extra [openai])")
    from pipeline.transcribe.convert import convert_bundled_model

    return convert_bundled_model("base", tmp_path_factory.mktemp("openai") / "base.pt")


def test_both_engines_give_the_same_words_from_the_same_weights(openai_checkpoint: Path) -> None:
    reference = (SPEECH / "whisper-jfk" / "reference.txt").read_text("utf-8")
    _, ours = transcribe_file(SPEECH / "whisper-jfk" / "jfk.flac", "base", None)
    audio = load_recordings([SPEECH / "whisper-jfk" / "jfk.flac"])
    settings = TranscriptionSettings(engine="openai-whisper", model=str(openai_checkpoint))
    decoded = create_transcriber(settings).transcribe(audio.samples, language=None)
    theirs = " ".join(s.text for s in decoded.segments)
    assert decoded.language == "en"
    assert word_error_rate(ours, theirs) <= 0.05, (ours, theirs)
    assert word_error_rate(reference, theirs) <= 0.1
    words = [w for s in decoded.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= audio.duration + 0.5 for w in words)


def test_openai_engine_from_the_command_line(openai_checkpoint: Path, tmp_path: Path) -> None:
    study = tmp_path / "study"
    assert CliRunner().invoke(cli, ["init", str(study)]).exit_code == 0
    shutil.copy(SPEECH / "whisper-jfk" / "jfk.flac", study / "audio" / "first-interviewee.flac")
    guide = study / "guides" / "guide.yaml"
    text = guide.read_text("utf-8").replace("first-interviewee.mp3", "first-interviewee.flac")
    guide.write_text(text.replace("language: es", "language: en"), "utf-8")
    result = CliRunner().invoke(
        cli,
        ["transcribe", str(study), "--engine", "openai-whisper", "--model", str(openai_checkpoint)],
    )
    assert result.exit_code == 0, result.output
    transcript = load_transcript(study / "transcripts" / "first-interviewee.json")
    assert transcript.provenance.engine == "openai-whisper"
    assert transcript.provenance.model_sha256 == sha256_file(openai_checkpoint)
    reference = (SPEECH / "whisper-jfk" / "reference.txt").read_text("utf-8")
    assert word_error_rate(reference, transcript.text) <= 0.1
