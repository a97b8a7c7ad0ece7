"""Safe output writing: atomic replace, and never clobber a file a person edited.

Every file we write is recorded (name -> sha256) in a small manifest in its folder.
If a file's current content no longer matches what we wrote, someone edited it,
and we refuse to overwrite it unless told to.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .errors import EditedFileError

MANIFEST_NAME = ".interviews-manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp_name, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


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
    atomic_write_bytes(path, data)
    manifest = _read_manifest(path.parent)
    manifest[path.name] = hashlib.sha256(data).hexdigest()
    atomic_write_bytes(
        path.parent / MANIFEST_NAME,
        json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"),
    )


def write_json(path: Path, payload: object, *, force: bool = False) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    write_output(path, text.encode("utf-8"), force=force)
