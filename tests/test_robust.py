"""Bad input and hostile conditions: one-line errors naming the file, exit 1, nothing partial.

Covers the guide (unknown keys warn; the error cases not in test_guide.py), the study
(read-only exports, full disk, a file held open, two commands at once), kill -9 in each
stage followed by a re-run, a batch summary, and a full run with the network disabled.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import Result
from fakes import FakeTranscriber, invoke, write_study

import pipeline.files
import pipeline.transcribe
from pipeline.guide import load_guide
from pipeline.lock import LOCK_NAME, study_lock

TESTS = Path(__file__).parent
REPO = TESTS.parent


def guide_file(root: Path) -> Path:
    return root / "guides" / "guide.yaml"


def edit_guide(root: Path, old: str, new: str) -> Path:
    path = guide_file(root)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def leftovers(root: Path) -> list[str]:
    """Temp files or partial folders anywhere under `root`."""
    return sorted(str(p) for p in root.rglob("*") if ".tmp" in p.name or "partial" in p.name)


# --- guide ---------------------------------------------------------------------------------


def test_unknown_keys_warn_and_are_ignored(study_root: Path) -> None:
    path = edit_guide(study_root, "    organisation: GAD", "    organization: GAD")
    text = path.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\nauthor: me\n", 1
    )
    text = text.replace("    name: Alliances\n", "    name: Alliances\n    colour: red\n")
    path.write_text(text, encoding="utf-8")
    warnings: list[str] = []
    guide = load_guide(path, on_warning=lambda w: warnings.append(str(w)))
    assert guide.interviewee("felipe-ochoa").organisation == ""
    assert warnings == [
        f"line 3, author: unknown key 'author' (ignored) ({path})",
        f"line {line_of(path, 'colour')}, categories[2].colour: unknown key 'colour' (ignored) "
        f"({path})",
        f"line {line_of(path, 'organization')}, interviewees[0].organization: unknown key "
        f"'organization' (ignored) ({path})",
    ]
    result = invoke("align", study_root)
    assert result.stderr.splitlines()[:3] == [f"Warning: {w}" for w in warnings]


def test_missing_categories_section(study_root: Path) -> None:
    path = guide_file(study_root)
    text = path.read_text(encoding="utf-8")
    start, end = text.index("categories:\n  - id"), text.index("questions:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = invoke("align", study_root)
    assert result.exit_code == 1
    assert result.stderr == f"Error: line 1, categories: expected a non-empty list ({path})\n"


@pytest.mark.parametrize("recordings", ["    recordings: []\n", ""])
def test_interviewee_without_recording(study_root: Path, recordings: str) -> None:
    path = edit_guide(study_root, "    recordings: [fabian-bermeo.mp3]\n", recordings)
    result = invoke("run", study_root)
    assert result.exit_code == 1
    line = line_of(path, "recordings: []" if recordings else "- id: fabian-bermeo")
    assert result.stderr == (
        f"Error: line {line}, interviewees[1].recordings: list at least one recording file "
        f"(or give a typed `transcript`) ({path})\n"
    )
    assert list((study_root / "transcripts").iterdir()) == []


# --- study: writes that fail ---------------------------------------------------------------


def run_csv(root: Path) -> Result:
    return invoke("run", root, "-f", "appendix1-csv")


def test_disk_full_while_exporting(
    study_root: Path, fake_engine: FakeTranscriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_csv(study_root).exit_code == 0
    target = study_root / "exports" / "appendix1.csv"
    before = target.read_bytes()
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(study_root / "exports")):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(pipeline.files.os, "fsync", full)
    result = invoke("export", study_root, "-f", "appendix1-csv", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot write file: disk full; free some space and run the command again "
        f"({target})\n"
    )
    assert target.read_bytes() == before
    assert leftovers(study_root) == []


@pytest.fixture
def read_only_exports(study_root: Path) -> Path:
    """exports/ made read-only for real: chmod for a normal user; root ignores modes, so as
    root the folder is also made immutable (chattr +i)."""
    folder = study_root / "exports"
    folder.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        immutable = (
            chattr is not None
            and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
        )
    try:
        probe = folder / "probe"
        try:
            probe.write_bytes(b"")
        except OSError:
            yield folder
        else:
            probe.unlink()
            pytest.skip("cannot make a folder read-only here (root without chattr +i)")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_read_only_exports_folder(
    study_root: Path, fake_engine: FakeTranscriber, read_only_exports: Path
) -> None:
    result = run_csv(study_root)
    assert result.exit_code == 1
    target = read_only_exports / "appendix1.csv"
    assert result.stderr.splitlines()[-1] == (
        "Error: cannot write file: permission denied: the folder is read-only or the file is "
        "open in another program; make it writable or close the file, then run the command "
        f"again ({target})"
    )
    assert list(read_only_exports.iterdir()) == []
    assert not (study_root / LOCK_NAME).exists()


def test_export_file_open_in_another_program(
    study_root: Path, fake_engine: FakeTranscriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file that Excel has open; Linux reports EBUSY for
    some locked files. Both come out as one line naming the file."""
    assert run_csv(study_root).exit_code == 0
    target = study_root / "exports" / "appendix1.csv"
    before = target.read_bytes()
    real_replace = os.replace

    def locked(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise OSError(errno.EBUSY, "Device or resource busy")
        real_replace(src, dst)

    monkeypatch.setattr(pipeline.files.os, "replace", locked)
    result = invoke("export", study_root, "-f", "appendix1-csv", "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot write file: the file is in use by another program; close it and run "
        f"the command again ({target})\n"
    )
    assert target.read_bytes() == before
    assert leftovers(study_root) == []


# --- two commands at once ------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipeline.lock import study_lock
with study_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_second_command_refuses_while_the_first_runs(
    study_root: Path, fake_engine: FakeTranscriber
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(study_root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        lock = study_root / LOCK_NAME
        since = json.loads(lock.read_text())["started"]
        result = invoke("run", study_root)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: another interviews command is running on this study (pid {holder.pid} "
            f"since {since}); wait for it or remove {LOCK_NAME} if it crashed ({lock})\n"
        )
        assert fake_engine.calls == []
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its lock is stale and the next command takes it over.
    assert invoke("run", study_root).exit_code == 0
    assert not (study_root / LOCK_NAME).exists()


def test_lock_is_released_after_an_error(study_root: Path) -> None:
    with study_lock(study_root):
        pass
    assert not (study_root / LOCK_NAME).exists()
    assert invoke("export", study_root).exit_code == 1  # nothing aligned yet
    assert not (study_root / LOCK_NAME).exists()


# --- kill -9 and re-run --------------------------------------------------------------------

SLOW_RUN = """
import sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from fakes import FakeTranscriber
import pipeline.transcribe
import pipeline.workflow as workflow
import pipeline.files as files
from pipeline.workflow import open_study, run_study

stage = sys.argv[3]
marker = Path(sys.argv[1]).parent / "started"

def slow_down():
    marker.write_text("now")
    time.sleep(30)

class SlowTranscriber(FakeTranscriber):
    def transcribe(self, samples, **options):
        if stage == "transcription" and self.calls:
            slow_down()  # the second recording: the first transcript is finished
        return super().transcribe(samples, **options)

pipeline.transcribe.ENGINES["faster-whisper"] = lambda settings: SlowTranscriber()
if stage == "alignment":
    real_align = workflow.align_interview
    def align_interview(transcript, *args, **kwargs):
        if transcript.interviewee_id == "fabian-bermeo":
            slow_down()
        return real_align(transcript, *args, **kwargs)
    workflow.align_interview = align_interview
if stage == "export":
    real_fsync = files.os.fsync
    def fsync(fd):  # killed with a half-written temp file of the export on disk
        import os
        if "appendix1" in os.readlink(f"/proc/self/fd/{fd}"):
            slow_down()
        real_fsync(fd)
    files.os.fsync = fsync

study, guide = open_study(Path(sys.argv[1]), check_recordings=True)
run_study(study, guide, guide.interviewees, ["appendix1-csv"])
"""


def outputs(root: Path) -> dict[str, bytes]:
    """Every output file, with the transcription times (which differ per run) blanked, and
    the transcripts' sha256 (which follow from those times) named instead."""
    digests = {
        pipeline.files.sha256_file(path).encode(): path.name.encode()
        for path in (root / "transcripts").glob("*.json")
        if not path.name.endswith(".aligned.json")
    }
    return {name: _replace_all(content, digests) for name, content in _outputs(root).items()}


def _replace_all(content: bytes, replacements: dict[bytes, bytes]) -> bytes:
    for old, new in replacements.items():
        content = content.replace(old, new)
    return content


def _outputs(root: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted((root / "transcripts").iterdir()) + sorted((root / "exports").iterdir()):
        if path.name.startswith("."):
            continue  # our manifests (they follow the files) and temp files
        content = path.read_bytes()
        if path.name.endswith(".json") and not path.name.endswith(".aligned.json"):
            data = json.loads(content)
            data["provenance"]["started"] = data["provenance"]["finished"] = ""
            content = json.dumps(data).encode()
        found[path.name] = content
    return found


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = write_study(tmp_path_factory.mktemp("baseline") / "study")
    subprocess.run(
        [sys.executable, "-c", SLOW_RUN, str(root), str(TESTS), "none"], check=True, cwd=REPO
    )
    return outputs(root)


@pytest.mark.parametrize("stage", ["transcription", "alignment", "export"])
def test_kill_9_then_rerun(
    tmp_path: Path, stage: str, uninterrupted: dict[str, bytes], fake_engine: FakeTranscriber
) -> None:
    root = write_study(tmp_path / "study")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, str(root), str(TESTS), stage], cwd=REPO
    )
    marker = tmp_path / "started"
    deadline = time.monotonic() + 15
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert marker.exists(), "the run never reached the slow point"
    # Whatever was finished is complete: every output file parses or equals the baseline.
    for name, content in outputs(root).items():
        assert content == uninterrupted[name], name
    if stage == "export":
        assert leftovers(root)  # the killed write left its temp file behind ...
    result = invoke("run", root, "-f", "appendix1-csv")
    assert result.exit_code == 0, result.output
    assert leftovers(root) == []  # ... which the re-run removed
    assert outputs(root) == uninterrupted
    # Finished transcripts were kept, not redone.
    assert len(fake_engine.calls) == (1 if stage == "transcription" else 0)


# --- batch summary -------------------------------------------------------------------------


def test_batch_summary(study_root: Path, fake_engine: FakeTranscriber) -> None:
    assert invoke("transcribe", study_root, "-i", "felipe-ochoa").exit_code == 0
    bad = study_root / "audio" / "fabian-bermeo.mp3"
    bad.write_bytes(b"not audio" * 100)
    result = run_csv(study_root)
    assert result.exit_code == 1
    summary = result.stdout.split("Summary:\n")[1].splitlines()
    assert summary[0].split() == ["interviewee", "status", "reason"]
    assert summary[1].split(None, 2) == [
        "felipe-ochoa",
        "skipped",
        "transcript unchanged since the last run; 3/3 questions located",
    ]
    assert summary[2].split(None, 2)[:2] == ["fabian-bermeo", "failed"]
    assert summary[2].split(None, 2)[2].startswith("transcription: ")
    assert summary[2].endswith(f"({bad})")
    assert result.stderr.splitlines()[-1] == (
        "Error: the run failed for 1 of 2 interviewees: fabian-bermeo"
    )


# --- no network ----------------------------------------------------------------------------


def test_full_pipeline_with_sockets_disabled(
    study_root: Path, fake_engine: FakeTranscriber, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert invoke("run", study_root).exit_code == 0
    assert invoke("archive", study_root, "--out", tmp_path / "bag").exit_code == 0
    assert invoke("archive", "--verify", tmp_path / "bag").exit_code == 0
    assert invoke("export", study_root, "--pseudonymise").exit_code == 0
