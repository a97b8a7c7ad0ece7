"""Output writing: atomic, and never clobbers a file someone edited by hand."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import EditedFileError
from pipeline.files import (
    MANIFEST_NAME,
    atomic_write_bytes,
    is_hand_edited,
    sha256_file,
    write_json,
    write_output,
)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """Pin the umask so the expected permissions are deterministic, then restore it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_write_cleans_up_after_a_failure(tmp_path: Path) -> None:
    """A failed write keeps the old content and leaves no stray temp file."""
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_output_records_a_manifest(tmp_path: Path) -> None:
    target = tmp_path / "appendix1.csv"
    write_output(target, b"a,b\r\n")
    assert target.read_bytes() == b"a,b\r\n"
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest == {"appendix1.csv": sha256_file(target)}
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "appendix1.csv"]
    assert not is_hand_edited(target)


def test_rewriting_an_unedited_file_works(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_output(target, b"one")
    write_output(target, b"two")
    assert target.read_bytes() == b"two"
    assert not is_hand_edited(target)


def test_refuses_to_overwrite_a_hand_edited_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_output(target, b"generated")
    target.write_bytes(b"generated, then corrected by hand")
    assert is_hand_edited(target)
    with pytest.raises(EditedFileError) as caught:
        write_output(target, b"regenerated")
    assert caught.value.file == target
    assert "--force" in caught.value.message
    assert target.read_bytes() == b"generated, then corrected by hand"


def test_force_overwrites_a_hand_edited_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_output(target, b"generated")
    target.write_bytes(b"edited")
    write_output(target, b"regenerated", force=True)
    assert target.read_bytes() == b"regenerated"
    # Once overwritten, it is ours again and may be regenerated without --force.
    write_output(target, b"again")
    assert target.read_bytes() == b"again"


def test_a_file_we_never_wrote_counts_as_hand_edited(tmp_path: Path) -> None:
    target = tmp_path / "appendix1.docx"
    target.write_bytes(b"someone's own document")
    assert is_hand_edited(target)
    with pytest.raises(EditedFileError):
        write_output(target, b"generated")
    assert target.read_bytes() == b"someone's own document"


def test_missing_file_is_not_hand_edited(tmp_path: Path) -> None:
    assert not is_hand_edited(tmp_path / "absent.txt")


def test_corrupt_manifest_is_treated_as_empty(tmp_path: Path) -> None:
    """A broken manifest must not crash; unknown files then count as edited."""
    (tmp_path / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    target = tmp_path / "new.txt"
    write_output(target, b"fresh")
    assert not is_hand_edited(target)


def test_new_files_get_normal_permissions(tmp_path: Path, umask_022: None) -> None:
    """mkstemp makes 0o600 files; ours must be readable like any other (0o644)."""
    target = tmp_path / "out.txt"
    write_output(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / MANIFEST_NAME).stat().st_mode) == 0o644
    assert os.umask(0o022) == 0o022  # the umask was left as it was


def test_write_json_is_utf8_and_readable(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    write_json(target, {"name": "Fabián", "n": 1})
    text = target.read_text(encoding="utf-8")
    assert "Fabián" in text
    assert text.endswith("\n")
    assert json.loads(text) == {"name": "Fabián", "n": 1}
