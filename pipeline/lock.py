"""One command at a time per study: a lock file in the study folder.

Two `interviews run` on the same study would write the same transcripts and exports at
once. The lock file holds the owner's pid, host and start time, so a second command can
say who holds it, and a lock left by a killed command (its pid is gone) is taken over.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from .errors import LockError

LOCK_NAME = ".interviews.lock"


@contextmanager
def study_lock(root: Path) -> Iterator[Path]:
    """Hold the study's lock for the duration of the block; refuse if another holds it."""
    path = root / LOCK_NAME
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if not _create(path, owner):
        holder = _read(path)
        if holder is not None and _is_alive(holder):
            raise LockError(
                f"another interviews command is running on this study "
                f"(pid {holder.get('pid')} since {holder.get('started')}); "
                f"wait for it or remove {LOCK_NAME} if it crashed",
                path,
            )
        path.unlink(missing_ok=True)  # left behind by a command that was killed
        if not _create(path, owner):
            raise LockError(
                "another interviews command took this study's lock just now; wait for it", path
            )
    try:
        yield path
    finally:
        if _read(path) == owner:
            path.unlink(missing_ok=True)


def _create(path: Path, owner: dict[str, object]) -> bool:
    """Create the lock file only if none exists (atomic on local file systems)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    except OSError as exc:
        raise LockError(f"cannot create the study lock ({exc.strerror})", path) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(owner, handle)
    return True


def _read(path: Path) -> dict[str, object] | None:
    """The holder, or None when the file is gone or was cut short by a kill."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _is_alive(holder: dict[str, object]) -> bool:
    """A holder on another host cannot be checked, so it counts as alive."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname():
        return True
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True
