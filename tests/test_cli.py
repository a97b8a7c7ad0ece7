"""The `interviews` command: help texts, exact user-facing messages and exit codes.

Click 8.2+ keeps stderr apart in CliRunner results: `result.stdout` and `result.stderr`
are separate, `result.output` is both interleaved as a terminal would show them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from fakes import FakeTranscriber, invoke


def line_number(path: Path, needle: str) -> int:
    """1-based line of the only line of `path` containing `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert len(found) == 1, needle
    return found[0]


def assert_clean_exit(result: Result, code: int) -> None:
    """Expected exit status, and no Python traceback shown to the user."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code:
        assert isinstance(result.exception, SystemExit)


# --- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "phrase"),
    [
        ((), "Turn recorded interviews into thesis appendices, offline."),
        (("init",), "Create a study folder with study.toml, a starter guide"),
        (("transcribe",), "Transcribe each interviewee's recordings with Whisper, offline."),
        (("align",), "Locate each guide question in the transcripts"),
        (("export",), "Write the Appendix 1 interview matrix"),
        (("run",), "Transcribe, align and export in one go"),
    ],
)
def test_help(command: tuple[str, ...], phrase: str) -> None:
    result = invoke(*command, "--help")
    assert_clean_exit(result, 0)
    assert phrase in result.stdout
    assert result.stderr == ""


def test_group_help_lists_commands() -> None:
    result = invoke("-h")
    assert_clean_exit(result, 0)
    for name in ("init", "transcribe", "align", "export", "run"):
        assert f"  {name} " in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("interviews, version ")


# --- init ----------------------------------------------------------------------------------


def test_init_creates_a_study(tmp_path: Path) -> None:
    root = tmp_path / "fieldwork"
    result = invoke("init", root, "--title", "Youth and public space")
    assert_clean_exit(result, 0)
    assert result.stdout.splitlines() == [
        f"Created study 'Youth and public space' in {root}",
        f"Next: put recordings in {root / 'audio'}, edit {root / 'guides' / 'guide.yaml'},",
        f"then run: interviews run {root}",
    ]
    assert result.stderr == ""
    assert (root / "study.toml").is_file()
    assert (root / "guides" / "guide.yaml").is_file()


def test_init_twice_is_an_error(tmp_path: Path) -> None:
    invoke("init", tmp_path / "s")
    result = invoke("init", tmp_path / "s")
    assert_clean_exit(result, 1)
    assert result.stderr == (
        f"Error: a study already exists here; edit its study.toml instead ({tmp_path / 's'})\n"
    )


# --- user errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["transcribe", "align", "export", "run"])
def test_not_a_study_folder(tmp_path: Path, command: str) -> None:
    result = invoke(command, tmp_path)
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    assert result.stderr == (
        "Error: not a study folder: study.toml is missing; run `interviews init` to create one "
        f"({tmp_path})\n"
    )


def test_bad_guide(study_root: Path) -> None:
    guide = study_root / "guides" / "guide.yaml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(
        text.replace(
            "categories: [sustainability]\n    follow_ups",
            "categories: [sustainabilty]\n    follow_ups",
        ),
        encoding="utf-8",
    )
    line = line_number(guide, "[sustainabilty]")
    result = invoke("align", study_root)
    assert_clean_exit(result, 1)
    assert result.stderr == (
        f"Error: line {line}, questions[0].categories[0]: unknown category 'sustainabilty' "
        f"(defined: alliances, cooperation, sustainability) ({guide})\n"
    )


def test_missing_recording_is_reported_before_any_work(
    study_root: Path, fake_engine: FakeTranscriber
) -> None:
    (study_root / "audio" / "fabian-bermeo.mp3").unlink()
    guide = study_root / "guides" / "guide.yaml"
    line = line_number(guide, "[fabian-bermeo.mp3]")
    result = invoke("run", study_root)
    assert_clean_exit(result, 1)
    assert result.stderr == (
        f"Error: line {line}, interviewees[1].recordings[0]: recording 'fabian-bermeo.mp3' not "
        f"found in {study_root / 'audio'} ({guide})\n"
    )
    assert fake_engine.calls == []


def test_unknown_format_is_a_usage_error(study_root: Path) -> None:
    result = invoke("export", study_root, "--format", "pdf")
    assert_clean_exit(result, 2)
    assert "Invalid value for '--format' / '-f': unknown format 'pdf' (choose from: " in (
        result.stderr
    )


def test_unknown_interviewee(study_root: Path) -> None:
    result = invoke("align", study_root, "-i", "nobody")
    assert_clean_exit(result, 1)
    assert result.stderr == (
        "Error: no interviewee 'nobody' in the guide (known: fabian-bermeo, felipe-ochoa)\n"
    )


def test_export_before_align_fails_per_interviewee(study_root: Path) -> None:
    result = invoke("export", study_root)
    assert_clean_exit(result, 1)
    transcripts = study_root / "transcripts"
    assert result.stderr.splitlines() == [
        "Error: aligned answers not found; run `interviews align` first "
        f"({transcripts / 'felipe-ochoa.aligned.json'})",
        "felipe-ochoa: skipped in export",
        "Error: aligned answers not found; run `interviews align` first "
        f"({transcripts / 'fabian-bermeo.aligned.json'})",
        "fabian-bermeo: skipped in export",
        "Error: export failed for 2 of 2 interviewees: felipe-ochoa, fabian-bermeo",
    ]


# --- transcribe / run with the fake engine ------------------------------------------------


def test_transcribe_then_cached(study_root: Path, fake_engine: FakeTranscriber) -> None:
    result = invoke("transcribe", study_root)
    assert_clean_exit(result, 0)
    assert result.stdout.splitlines() == [
        "felipe-ochoa: transcribed, 44 s, language es",
        "fabian-bermeo: transcribed, 44 s, language es",
    ]
    # Progress goes to stderr, in steps when stderr is not a terminal.
    assert "felipe-ochoa: transcribing 100% (44/44 s)" in result.stderr
    again = invoke("transcribe", study_root, "-i", "fabian-bermeo")
    assert_clean_exit(again, 0)
    assert again.stdout == "fabian-bermeo: cached, 44 s, language es\n"
    assert len(fake_engine.calls) == 2


def test_run_exports(study_root: Path, fake_engine: FakeTranscriber) -> None:
    result = invoke("run", study_root)
    assert_clean_exit(result, 0)
    exports = study_root / "exports"
    assert result.stdout.splitlines() == [
        "felipe-ochoa: transcribed, 44 s, language es",
        "fabian-bermeo: transcribed, 44 s, language es",
        "felipe-ochoa: 3/3 questions located",
        "fabian-bermeo: 2/2 questions located",
        f"Wrote {exports / 'appendix1.docx'}",
        f"Wrote {exports / 'appendix1.csv'}",
        "Summary:",
        "  interviewee    status  reason",
        "  felipe-ochoa   done    3/3 questions located",
        "  fabian-bermeo  done    2/2 questions located",
    ]
    assert (exports / "appendix1.docx").is_file()
    assert (exports / "appendix1.csv").is_file()


def test_run_with_one_undecodable_recording(study_root: Path, fake_engine: FakeTranscriber) -> None:
    bad = study_root / "audio" / "fabian-bermeo.mp3"
    bad.write_bytes(b"this is not audio at all\n" * 200)
    result = invoke("run", study_root, "--format", "appendix1-csv")
    assert_clean_exit(result, 1)
    csv_path = study_root / "exports" / "appendix1.csv"
    stdout = result.stdout.splitlines()
    assert stdout[:5] == [
        "felipe-ochoa: transcribed, 44 s, language es",
        "felipe-ochoa: 3/3 questions located",
        f"Wrote {csv_path}",
        "Summary:",
        "  interviewee    status  reason",
    ]
    assert stdout[5] == "  felipe-ochoa   done    3/3 questions located"
    assert stdout[6].startswith("  fabian-bermeo  failed  transcription: ")
    assert stdout[6].endswith(f"({bad})")
    errors = result.stderr.splitlines()
    assert f"Error: not an audio file: ffmpeg finds no audio stream in it ({bad})" in errors
    assert "fabian-bermeo: skipped in transcription" in errors
    assert errors[-1] == "Error: the run failed for 1 of 2 interviewees: fabian-bermeo"
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert "felipe-ochoa" in text and "fabian-bermeo" not in text
    assert not (study_root / "exports" / "appendix1.docx").exists()


def test_rerun_refuses_to_overwrite_hand_edited_export(
    study_root: Path, fake_engine: FakeTranscriber
) -> None:
    assert invoke("run", study_root, "-f", "appendix1-csv").exit_code == 0
    csv_path = study_root / "exports" / "appendix1.csv"
    csv_path.write_bytes(csv_path.read_bytes() + b"my note\r\n")
    result = invoke("export", study_root, "-f", "appendix1-csv")
    assert_clean_exit(result, 1)
    assert result.stderr.startswith("Error: file was changed by hand since it was generated")
    assert result.stderr.endswith(f"({csv_path})\n")
    assert csv_path.read_bytes().endswith(b"my note\r\n")
    forced = invoke("export", study_root, "-f", "appendix1-csv", "--force")
    assert_clean_exit(forced, 0)
    assert not csv_path.read_bytes().endswith(b"my note\r\n")


def test_export_after_renaming_a_category_has_no_traceback(
    study_root: Path, fake_engine: FakeTranscriber
) -> None:
    """Editing the guide after `align` (renaming a category id) is a user action, not a crash.

    Either the export uses the current guide or it says to re-align; it must never end in
    an uncaught exception.
    """
    assert invoke("run", study_root, "-f", "appendix1-csv").exit_code == 0
    guide = study_root / "guides" / "guide.yaml"
    text = guide.read_text(encoding="utf-8").replace("alliances", "partnerships")
    guide.write_text(text, encoding="utf-8")
    result = invoke("export", study_root, "-f", "appendix1-csv")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code:
        assert result.stderr.startswith("Error: ")
