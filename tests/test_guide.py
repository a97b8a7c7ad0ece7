"""The guide loader: a valid guide reads back fully; every mistake is one precise line."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import GUIDE_YAML, Q1_EN, Q1_ES

from pipeline.errors import GuideError
from pipeline.guide import load_guide

# Line numbers below refer to this text (line 1 is `title: Guide`).
BASE = """\
title: Guide
language: en
categories:
  - id: c1
    name: Category one
  - id: c2
    name: Category two
questions:
  - id: q1
    text: What do you do?
    categories: [c1]
  - id: q2
    text:
      en: Why?
      es: ¿Por qué?
    categories: [c1, c2]
interviewees:
  - id: ana
    name: Ana Pérez
    role: Director
    questions: [q1, q2]
    recordings: [ana.wav]
"""


def write_guide(tmp_path: Path, text: str) -> Path:
    """Write a guide file so each test controls exact line numbers."""
    path = tmp_path / "guide.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str, text: str = BASE) -> str:
    """BASE with exactly one occurrence of `old` replaced, so the edit is unambiguous."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def error_for(path: Path, audio_dir: Path | None = None) -> GuideError:
    """The GuideError raised for `path`; also checks it names the file."""
    with pytest.raises(GuideError) as caught:
        load_guide(path, audio_dir)
    assert caught.value.file == path
    return caught.value


def assert_message(error: GuideError, path: Path, message: str) -> None:
    """The whole one-line message, including the file in parentheses."""
    assert str(error) == f"{message} ({path})"
    assert "\n" not in str(error)


def test_base_guide_is_valid(tmp_path: Path) -> None:
    """The fixture text the error tests edit is itself accepted."""
    guide = load_guide(write_guide(tmp_path, BASE))
    assert [q.id for q in guide.questions] == ["q1", "q2"]


def test_loads_every_field(tmp_path: Path) -> None:
    """All fields of a full guide reach the Guide object."""
    guide = load_guide(write_guide(tmp_path, GUIDE_YAML))
    assert guide.title == "Test guide — Cuenca"
    assert guide.language == "en"
    assert [c.id for c in guide.categories] == ["sustainability", "cooperation", "alliances"]
    first = guide.categories[0]
    assert first.name == "Sustainable Development"
    assert first.conceptualization.startswith("Meeting present needs")
    assert first.subcategories == ("Economic sustainability", "Social sustainability")
    assert first.indicators == ("Poverty reduction",)
    assert guide.categories[1].subcategories == ()
    q1 = guide.question("q1")
    assert q1.text == {"en": Q1_EN, "es": Q1_ES}
    assert q1.categories == ("sustainability",)
    assert q1.follow_ups == ("How does Cuenca compare with Bogotá?",)
    assert guide.question("q3").categories == ("alliances", "cooperation")
    felipe = guide.interviewee("felipe-ochoa")
    assert felipe.name == "Felipe Ochoa"
    assert felipe.honorific == "Magister"
    assert felipe.role == "Director of Planning"
    assert felipe.organisation == "GAD Municipal de Cuenca"
    assert felipe.language == "es"
    assert felipe.question_ids == ("q1", "q2", "q4")
    assert felipe.recordings == ("felipe-ochoa.wav",)
    fabian = guide.interviewee("fabian-bermeo")
    assert fabian.name == "Fabián Bermeo"
    assert fabian.honorific is None
    assert fabian.organisation == ""


def test_plain_text_is_in_the_guide_language(tmp_path: Path) -> None:
    """A plain string is stored under the guide's language; a mapping keeps every language."""
    guide = load_guide(write_guide(tmp_path, edit("language: en", "language: es")))
    assert guide.question("q1").text == {"es": "What do you do?"}
    q2 = guide.question("q2")
    assert q2.text == {"es": "¿Por qué?", "en": "Why?"}
    # The guide's own language comes first, so it is the fallback for other languages.
    assert list(q2.text) == ["es", "en"]
    assert q2.text_in("fr") == "¿Por qué?"
    assert q2.text_in("en") == "Why?"


def test_language_defaults_to_english(tmp_path: Path) -> None:
    """Without `language`, plain question text counts as English."""
    guide = load_guide(write_guide(tmp_path, edit("language: en\n", "")))
    assert guide.language == "en"
    assert guide.question("q1").text == {"en": "What do you do?"}


def test_unknown_category(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("categories: [c1]", "categories: [c1, c9]"))
    assert_message(
        error_for(path),
        path,
        "line 11, questions[0].categories[1]: unknown category 'c9' (defined: c1, c2)",
    )


def test_question_without_category(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("    categories: [c1]\n", ""))
    assert_message(
        error_for(path),
        path,
        "line 9, questions[0].categories: tag the question with at least one category",
    )


def test_duplicate_category_id(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("  - id: c2", "  - id: c1"))
    assert_message(error_for(path), path, "line 6, categories[1].id: duplicate id 'c1'")


def test_duplicate_question_id(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("  - id: q2", "  - id: q1"))
    assert_message(error_for(path), path, "line 12, questions[1].id: duplicate id 'q1'")


def test_duplicate_interviewee_id(tmp_path: Path) -> None:
    second = "  - id: ana\n    name: Ana Two\n    role: Deputy\n    questions: [q1]\n"
    second += "    recordings: [ana2.wav]\n"
    path = write_guide(tmp_path, BASE + second)
    assert_message(error_for(path), path, "line 23, interviewees[1].id: duplicate id 'ana'")


def test_question_not_defined(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("questions: [q1, q2]", "questions: [q1, q7]"))
    assert_message(
        error_for(path),
        path,
        "line 21, interviewees[0].questions[1]: question 'q7' is not defined in `questions`",
    )


def test_question_listed_twice(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("questions: [q1, q2]", "questions: [q2, q2]"))
    assert_message(
        error_for(path), path, "line 21, interviewees[0].questions: a question is listed twice"
    )


def test_missing_recording(tmp_path: Path) -> None:
    """With an audio folder, every listed recording must exist in it."""
    path = write_guide(tmp_path, BASE)
    audio = tmp_path / "audio"
    audio.mkdir()
    assert_message(
        error_for(path, audio),
        path,
        f"line 22, interviewees[0].recordings[0]: recording 'ana.wav' not found in {audio}",
    )
    (audio / "ana.wav").write_bytes(b"RIFF")
    assert load_guide(path, audio).interviewee("ana").recordings == ("ana.wav",)


def test_recordings_are_not_checked_without_audio_dir(tmp_path: Path) -> None:
    """Alignment and export work from transcripts, so they must not need the audio."""
    assert load_guide(write_guide(tmp_path, BASE)).interviewee("ana").recordings == ("ana.wav",)


def test_empty_question_text(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("text: What do you do?", 'text: ""'))
    assert_message(error_for(path), path, "line 10, questions[0].text: must be non-empty text")


def test_empty_question_text_in_one_language(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("es: ¿Por qué?", "es: '  '"))
    assert_message(error_for(path), path, "line 15, questions[1].text.es: must be non-empty text")


def test_empty_text_mapping(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("text: What do you do?", "text: {}"))
    assert_message(
        error_for(path),
        path,
        "line 10, questions[0].text: give at least one language, e.g. `en: ...`",
    )


def test_empty_name(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("name: Ana Pérez", 'name: ""'))
    assert_message(error_for(path), path, "line 19, interviewees[0].name: must be non-empty text")


def test_missing_title(tmp_path: Path) -> None:
    """A missing top-level field points at the start of the document."""
    path = write_guide(tmp_path, edit("title: Guide\n", ""))
    assert_message(error_for(path), path, "line 1, title: missing required field")


def test_missing_role(tmp_path: Path) -> None:
    """A missing field points at the entry that lacks it."""
    path = write_guide(tmp_path, edit("    role: Director\n", ""))
    assert_message(error_for(path), path, "line 18, interviewees[0].role: missing required field")


def test_missing_question_text(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("    text: What do you do?\n", ""))
    assert_message(error_for(path), path, "line 9, questions[0].text: missing required field")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    path = write_guide(tmp_path, "- title\n- questions\n")
    assert_message(
        error_for(path), path, "line 1, (top level): expected a mapping of `field: value` lines"
    )


def test_entry_not_a_mapping(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("  - id: c1\n    name: Category one\n", "  - Category one\n"))
    assert_message(
        error_for(path), path, "line 4, categories[0]: expected a mapping of `field: value` lines"
    )


def test_empty_file(tmp_path: Path) -> None:
    path = write_guide(tmp_path, "# nothing yet\n")
    assert_message(
        error_for(path), path, "line 1, (top level): expected a mapping of `field: value` lines"
    )


def test_section_not_a_list(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("questions: [q1, q2]", "questions: q1"))
    assert_message(
        error_for(path), path, "line 21, interviewees[0].questions: expected a non-empty list"
    )


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("name: Category two", "name: Category: two"))
    assert_message(
        error_for(path), path, "line 7: invalid YAML: mapping values are not allowed here"
    )


def test_bad_id_characters(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("  - id: ana", "  - id: Ana Pérez"))
    assert_message(
        error_for(path),
        path,
        "line 18, interviewees[0].id: id 'Ana Pérez' may only use letters, digits, "
        "'-', '_' and '.'",
    )


def test_id_may_not_start_with_punctuation(tmp_path: Path) -> None:
    path = write_guide(tmp_path, edit("  - id: q2", "  - id: -q2"))
    assert "questions[1].id: id '-q2' may only use" in str(error_for(path))


def test_guide_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "guides" / "guide.yaml"
    assert_message(
        error_for(path), path, "interview guide not found; create it or run `interviews init`"
    )


def test_guide_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "guide.yaml"
    path.write_bytes("title: Guía\n".encode("latin-1"))
    assert_message(error_for(path), path, "guide is not UTF-8 text")
