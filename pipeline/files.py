"""Safe output writing: atomic replace, and never clobber a file a person edited.

Every file we write is recorded (name -> sha256) in a small manifest in its folder.
If a file's current content no longer matches what we wrote, someone edited it,
and we refuse to overwrite it unless told to.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .errors import EditedFileError, WriteError

MANIFEST_NAME = ".interviews-manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    _commit(_stage(path, data), path)


def _stage(path: Path, data: bytes) -> Path:
    """`data`, complete and on disk, in a temp file beside `path`; the target is untouched.

    A temp file left by a run that was killed (kill -9, power cut) is removed first.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            leftover.unlink(missing_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(exc, path) from None
        raise
    return Path(tmp_name)


def _commit(staged: Path, path: Path) -> None:
    try:
        os.replace(staged, path)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise write_error(exc, path) from None


def write_error(exc: OSError, path: Path) -> WriteError:
    """A one-line reason and remedy for a failed write, naming the file."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "disk full; free some space and run the command again"
    elif exc.errno == errno.EROFS:
        reason = "the disk is read-only; write the study to a writable disk"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = (
            "permission denied: the folder is read-only or the file is open in another "
            "program; make it writable or close the file, then run the command again"
        )
    elif exc.errno in (errno.EBUSY, errno.ETXTBSY):
        reason = "the file is in use by another program; close it and run the command again"
    else:
        reason = f"{exc.strerror or exc}; nothing was changed"
    return WriteError(f"cannot write file: {reason}", path)


def _umask() -> int:
    """The process umask, so our files get the same permissions as any other new file."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def is_hand_edited(path: Path) -> bool:
    """True when `path` exists and is not byte-identical to what we last wrote there."""
    if not path.exists():
        return False
    recorded = _read_manifest(path.parent).get(path.name)
    return recorded != sha256_file(path)


def write_output(path: Path, data: bytes, *, force: bool = False) -> None:
    """Atomically write a generated file, refusing to replace a hand-edited one."""
    if not force and is_hand_edited(path):
        raise EditedFileError(
            "file was changed by hand since it was generated; rename it to keep your edits, "
            "or pass --force to overwrite it",
            path,
        )
    manifest = _read_manifest(path.parent)
    manifest[path.name] = hashlib.sha256(data).hexdigest()
    manifest_path = path.parent / MANIFEST_NAME
    # Both files are staged before either is replaced: a full disk fails while staging,
    # leaving the old file and its manifest entry as they were.
    staged = _stage(path, data)
    try:
        staged_manifest = _stage(
            manifest_path, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
        )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    try:
        _commit(staged, path)
    except WriteError:
        staged_manifest.unlink(missing_ok=True)
        raise
    _commit(staged_manifest, manifest_path)


def write_json(path: Path, payload: object, *, force: bool = False) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    write_output(path, text.encode("utf-8"), force=force)
