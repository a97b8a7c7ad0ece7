"""`interviews archive`: BagIt packages with provenance and trace, and their verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import bagit
import pytest
from fakes import FakeTranscriber, invoke


@pytest.fixture
def done_study(study_root: Path, fake_engine: FakeTranscriber) -> Path:
    """The two-interviewee study after a full `interviews run` with the scripted engine."""
    assert invoke("run", study_root).exit_code == 0
    return study_root


def payload(bag: Path) -> list[str]:
    return sorted(p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file())


def test_help() -> None:
    result = invoke("archive", "--help")
    assert result.exit_code == 0
    assert "Archive the study as a BagIt package, or check one with --verify." in result.stdout


def test_archive_holds_the_study_with_provenance_and_trace(
    done_study: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bag"
    result = invoke("archive", done_study, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote bag {out} (16 files)\n"
    assert bagit.Bag(str(out)).is_valid()
    assert (out / "bagit.txt").read_text() == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    files = payload(out)
    assert "data/guides/guide.yaml" in files
    assert "data/exports/appendix1.docx" in files and "data/exports/appendix1.csv" in files
    for interviewee_id in ("felipe-ochoa", "fabian-bermeo"):
        for suffix in (".json", ".txt", ".aligned.json"):
            assert f"data/transcripts/{interviewee_id}{suffix}" in files
    assert not any(f.startswith("data/audio/") for f in files)  # no audio without consent
    assert not any("/." in f for f in files)  # no manifests of ours, no temp files
    assert "README.txt" in files
    assert "Recordings are not included" in (out / "README.txt").read_text()

    provenance = json.loads((out / "data" / "provenance.json").read_text("utf-8"))
    felipe = provenance["interviews"][0]
    transcript = done_study / "transcripts" / "felipe-ochoa.json"
    audio = done_study / "audio" / "felipe-ochoa.wav"
    assert felipe["transcript_sha256"] == hashlib.sha256(transcript.read_bytes()).hexdigest()
    assert felipe["recordings"][0]["sha256"] == hashlib.sha256(audio.read_bytes()).hexdigest()
    assert felipe["recordings"][0]["duration"] == 44.0
    assert (felipe["engine"], felipe["settings"]["beam_size"]) == ("fake", 5)
    assert "interview-pipeline" in felipe["versions"]
    assert felipe["transcribed"] and felipe["edited"] == {}

    rows = list(csv.DictReader(io.StringIO((out / "data" / "trace.csv").read_text("utf-8-sig"))))
    assert len(rows) == 3 + 2
    aligned = json.loads((done_study / "transcripts" / "felipe-ochoa.aligned.json").read_text())
    first = aligned["answers"][0]
    assert rows[0] == {
        "interviewee_id": "felipe-ochoa",
        "number": "1",
        "question_id": "q1",
        "status": "found",
        "start": f"{first['start']:.2f}",
        "end": f"{first['end']:.2f}",
        "transcript": "transcripts/felipe-ochoa.json",
        "transcript_sha256": felipe["transcript_sha256"],
        "aligned": "transcripts/felipe-ochoa.aligned.json",
    }
    assert not (done_study / ".interviews.lock").exists()


def test_review_edits_are_archived_with_their_time(done_study: Path, tmp_path: Path) -> None:
    aligned = done_study / "transcripts" / "felipe-ochoa.aligned.json"
    aligned.write_text(aligned.read_text("utf-8").replace("movilidad", "MOVILIDAD"), "utf-8")
    assert invoke("archive", done_study, "--out", tmp_path / "bag").exit_code == 0
    bag = tmp_path / "bag"
    assert (bag / "data/transcripts/felipe-ochoa.aligned.json").read_bytes() == aligned.read_bytes()
    provenance = json.loads((bag / "data" / "provenance.json").read_text("utf-8"))
    edited = provenance["interviews"][0]["edited"]
    assert list(edited) == ["transcripts/felipe-ochoa.aligned.json"]


def test_archiving_twice_gives_identical_manifests(done_study: Path, tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert invoke("archive", done_study, "--out", tmp_path / name).exit_code == 0
    for tag_file in (
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "bag-info.txt",
    ):
        one = (tmp_path / "one" / tag_file).read_bytes()
        assert one == (tmp_path / "two" / tag_file).read_bytes(), tag_file
    tags = (tmp_path / "one" / "tagmanifest-sha256.txt").read_text().splitlines()
    assert [line.split()[1] for line in tags] == sorted(line.split()[1] for line in tags)


def test_include_audio(done_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    assert invoke("archive", done_study, "--out", out, "--include-audio").exit_code == 0
    copied = out / "data" / "audio" / "fabian-bermeo.mp3"
    assert copied.read_bytes() == (done_study / "audio" / "fabian-bermeo.mp3").read_bytes()
    assert "Interviews-Audio-Included: yes" in (out / "bag-info.txt").read_text()


def test_verify_reports_changed_and_missing_files(done_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    assert invoke("archive", done_study, "--out", out).exit_code == 0
    ok = invoke("archive", "--verify", out)
    assert ok.exit_code == 0
    assert ok.stdout == f"Bag is valid: 21 files match their checksums ({out})\n"
    csv_file = out / "data" / "exports" / "appendix1.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b"Felipe", b"Felipa"))  # same size
    (out / "data" / "transcripts" / "fabian-bermeo.txt").unlink()
    (out / "data" / "extra.txt").write_text("slipped in")
    result = invoke("archive", "--verify", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "changed: data/exports/appendix1.csv",
        "missing: data/transcripts/fabian-bermeo.txt",
        "not in the manifest: data/extra.txt",
        f"Error: bag failed verification: 3 of 21 files changed, missing or unlisted ({out})",
    ]


def test_verify_something_that_is_not_a_bag(tmp_path: Path) -> None:
    result = invoke("archive", "--verify", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: not a readable BagIt bag: ")
    assert result.stderr.endswith(f"({tmp_path})\n")


def test_out_must_be_new_or_empty(done_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("archive", done_study, "--out", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: output folder exists and is not empty; choose a new --out ({out})\n"
    )
    assert payload(out) == ["keep.txt"]


def test_failed_archive_leaves_nothing(done_study: Path, tmp_path: Path) -> None:
    (done_study / "transcripts" / "fabian-bermeo.aligned.json").write_text("{", "utf-8")
    result = invoke("archive", done_study, "--out", tmp_path / "bag")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: aligned answers file is unreadable")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


def test_nothing_transcribed_yet(study_root: Path, tmp_path: Path) -> None:
    result = invoke("archive", study_root, "--out", tmp_path / "bag")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nothing to archive: no interviewee has a transcript; run `interviews run` "
        f"first ({study_root / 'transcripts'})\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --out DIR for the new bag, or --verify BAG"),
        (("--out", "b", "--verify", "b"), "--verify checks an existing bag; leave out --out"),
        (("--out", "b", "--include-key"), "--include-key and --key only make sense with"),
        (("--out", "b", "--terms", "t.txt"), "--terms only makes sense with --pseudonymise"),
    ],
)
def test_usage_errors(done_study: Path, args: tuple[str, ...], message: str) -> None:
    result = invoke("archive", done_study, *args)
    assert result.exit_code == 2
    assert message in result.stderr
