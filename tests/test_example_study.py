"""The bundled example study, end to end, on the real embedded Whisper model.

This is what README's first command does for a newcomer; here it runs on a copy of the
study so the repository's own folders stay untouched.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from pipeline.align import normalise
from pipeline.cli import cli
from pipeline.files import sha256_file
from pipeline.guide import load_guide
from pipeline.models import AnswerStatus
from pipeline.transcribe import load_transcript, transcript_path
from pipeline.transcribe.embedded import BUNDLED_MODELS, resolve_model
from pipeline.workflow import aligned_path, load_matrix, open_study

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.model


def _expected_phrases() -> dict[tuple[str, str], list[str]]:
    """(interviewee, question id) -> key phrases the spoken answer contains."""
    script = yaml.safe_load((REPO / "scripts" / "example_interviews.yaml").read_text("utf-8"))
    expected: dict[tuple[str, str], list[str]] = {}
    for interviewee_id, interview in script.items():
        question_id = None
        for turn in interview["turns"]:
            if turn.get("question"):
                question_id = turn["question"]
            elif turn.get("key_phrases") and question_id:
                expected.setdefault((interviewee_id, question_id), []).extend(turn["key_phrases"])
    return expected


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Copy the example study and run `interviews run` on it once, with the network cut off."""
    study_dir = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "study.toml", study_dir / "study.toml")
    for folder in ("guides", "audio"):
        shutil.copytree(REPO / folder, study_dir / folder)
    with pytest.MonkeyPatch.context() as patch:  # offline at run time: no socket may open
        for name in ("socket", "create_connection", "getaddrinfo"):
            patch.setattr(socket, name, _no_network)
        result = CliRunner().invoke(cli, ["run", str(study_dir)])
    assert result.exit_code == 0, result.output
    return study_dir, result.output


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("network access attempted")


def test_run_writes_both_appendix_files(example_run: tuple[Path, str]) -> None:
    study_dir, output = example_run
    for name in ("appendix1.docx", "appendix1.csv"):
        assert (study_dir / "exports" / name).is_file()
        assert f"Wrote {study_dir / 'exports' / name}" in output


def test_at_least_80_percent_of_asked_questions_are_located(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    study, guide = open_study(study_dir)
    answers = [
        answer
        for interviewee in guide.interviewees
        for answer in load_matrix(aligned_path(study, interviewee.id)).answers
    ]
    located = [a for a in answers if a.status.located]
    assert len(answers) == sum(len(i.question_ids) for i in guide.interviewees)
    assert len(located) / len(answers) >= 0.8, [a.question_id for a in answers if a not in located]


def test_answers_contain_the_expected_key_phrases(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    study, _ = open_study(study_dir)
    expected = _expected_phrases()
    assert expected, "the example script lists key phrases per answer"
    hits = 0
    misses = []
    for (interviewee_id, question_id), phrases in expected.items():
        matrix = load_matrix(aligned_path(study, interviewee_id))
        answer = next(a for a in matrix.answers if a.question_id == question_id)
        for phrase in phrases:
            if normalise(phrase) in normalise(answer.answer):
                hits += 1
            else:
                misses.append((interviewee_id, question_id, phrase))
    assert hits / (hits + len(misses)) >= 0.8, misses


def test_located_answers_have_times_and_confidence(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    study, guide = open_study(study_dir)
    for interviewee in guide.interviewees:
        for answer in load_matrix(aligned_path(study, interviewee.id)).answers:
            if answer.status in (AnswerStatus.FOUND, AnswerStatus.LOW_CONFIDENCE):
                assert answer.start is not None and answer.end is not None
                assert 0 <= answer.start < answer.end
                assert 0 < answer.confidence <= 1


def test_docx_has_one_titled_matrix_per_interviewee(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    guide = load_guide(study_dir / "guides" / "guide.yaml")
    document = Document(str(study_dir / "exports" / "appendix1.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert len(document.tables) == len(guide.interviewees) == 3
    for interviewee, table in zip(guide.interviewees, document.tables, strict=True):
        assert f"Magister. {interviewee.name}" in paragraphs
        assert interviewee.role.upper() in paragraphs
        assert [c.text for c in table.rows[0].cells] == ["Questions", "Answers"]
        numbers = [row.cells[0].text.split(".")[0] for row in table.rows[1:]]
        assert numbers == [str(n) for n in range(1, len(interviewee.question_ids) + 1)]


def test_second_run_reuses_the_transcripts(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    result = CliRunner().invoke(cli, ["run", str(study_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": cached,") == 3


def test_transcripts_trace_back_to_the_audio_and_the_model(example_run: tuple[Path, str]) -> None:
    study_dir, _ = example_run
    study, guide = open_study(study_dir)
    model_dir, model_sha = resolve_model("base")
    assert sha256_file(model_dir / "model.bin") == model_sha == BUNDLED_MODELS["base"].sha256
    for interviewee in guide.interviewees:
        provenance = load_transcript(transcript_path(study, interviewee.id)).provenance
        assert provenance.model_sha256 == model_sha
        assert [s.sha256 for s in provenance.sources] == [
            sha256_file(study.audio_dir / name) for name in interviewee.recordings
        ]
        assert provenance.settings["vocabulary"][: len(guide.vocabulary)] == list(guide.vocabulary)
