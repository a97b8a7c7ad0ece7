"""The study folder: study.toml settings and the audio/ guides/ transcripts/ exports/ layout."""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from .errors import StudyError
from .files import atomic_write_bytes
from .models import Study, TranscriptionSettings
from .speakers import SPEAKER_MODES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

STUDY_FILE = "study.toml"
TASKS = ("transcribe", "translate")
FOLDERS = ("audio", "guides", "transcripts", "exports")
PAPER_SIZES = ("A4", "Letter")

STUDY_TEMPLATE = """\
# Settings of this interview study. Paths are relative to this folder.
title = "{title}"
# Language of the appendices (question text is taken in this language from the guide).
language = "en"
# Academic title printed before each interviewee's name, unless the guide gives one.
honorific = "Magister"
# The researcher: author of the exported documents and user of the REFI-QDA project.
author = ""
# Page size of the Word exports: "A4" or "Letter".
paper = "A4"

[transcription]
# "faster-whisper" (default, offline, bundled model) or "openai-whisper" (extra [openai]).
engine = "faster-whisper"
# "base" (bundled multilingual), "tiny.en" (bundled, English only) or a model folder path.
model = "base"
compute_type = "int8"
beam_size = 5
# CPU threads; 0 means all available cores.
threads = 0
# Spoken language ("es", "en") for interviewees whose guide entry gives none; leave out
# to auto-detect.
# language = "es"
# "transcribe" keeps the spoken language; "translate" makes Whisper write English.
task = "transcribe"
# Prime the decoder with the guide's vocabulary and each interviewee's name and organisation.
guide_vocabulary = true
# 0 = automatic (batched inference for recordings over a minute), 1 = never batch, N = batch N.
batch_size = 0
# Speaker labels: "auto" (by channel when a stereo file has one speaker per channel),
# "channels", "voice" (voice clustering; extra [speakers]) or "none".
speakers = "auto"
"""

GUIDE_TEMPLATE = """\
# Interview guide. See README.md, "The guide format", for every field.
title: {title}
language: en
categories:
  - id: example-category
    name: Example category
    conceptualization: What this category means in your study, with its source.
    subcategories: [First subcategory]
    indicators: [First indicator]
questions:
  - id: q1
    text:
      en: What are the main challenges you face?
      es: ¿Cuáles son los principales desafíos que enfrenta?
    categories: [example-category]
interviewees:
  - id: first-interviewee
    honorific: Magister
    name: First Interviewee
    role: Director
    organisation: Example organisation
    language: es
    questions: [q1]
    recordings: [first-interviewee.mp3]
"""


def init_study(root: Path, title: str | None = None) -> Study:
    """Create a study folder with a starter study.toml and guide; never overwrite files."""
    if (root / STUDY_FILE).exists():
        raise StudyError("a study already exists here; edit its study.toml instead", root)
    title = title or root.resolve().name
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(root / STUDY_FILE, STUDY_TEMPLATE.format(title=title).encode("utf-8"))
    guide = root / "guides" / "guide.yaml"
    if not guide.exists():
        atomic_write_bytes(guide, GUIDE_TEMPLATE.format(title=title).encode("utf-8"))
    return load_study(root)


def load_study(root: Path) -> Study:
    """Read study.toml; a missing file is an error that says how to create one."""
    config_path = root / STUDY_FILE
    if not root.is_dir():
        raise StudyError("study folder not found", root)
    if not config_path.is_file():
        raise StudyError(
            "not a study folder: study.toml is missing; run `interviews init` to create one", root
        )
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudyError(f"invalid TOML: {exc}", config_path) from None
    transcription = config.pop("transcription", {})
    known = {"title", "language", "honorific", "author", "paper"}
    _reject_unknown(config, known, config_path, "")
    return Study(
        root=root,
        title=str(config.get("title") or root.resolve().name),
        language=str(config.get("language", "en")),
        honorific=str(config.get("honorific", "Magister")),
        author=str(config.get("author", "")),
        paper=_paper(config.get("paper", "A4"), config_path),
        transcription=_transcription(transcription, config_path),
    )


def _paper(value: Any, config_path: Path) -> str:
    """The page size spelled as Word spells it, whatever the case it was written in."""
    sizes = {size.casefold(): size for size in PAPER_SIZES}
    if not isinstance(value, str) or value.casefold() not in sizes:
        raise StudyError(f"paper must be one of: {', '.join(PAPER_SIZES)}", config_path)
    return sizes[value.casefold()]


def _transcription(raw: Any, config_path: Path) -> TranscriptionSettings:
    if not isinstance(raw, dict):
        raise StudyError("[transcription] must be a table", config_path)
    names = {f.name for f in fields(TranscriptionSettings)}
    _reject_unknown(raw, names, config_path, "transcription.")
    for key, minimum in (("beam_size", 1), ("threads", 0), ("batch_size", 0)):
        value = raw.get(key, minimum)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise StudyError(
                f"transcription.{key} must be a whole number >= {minimum}", config_path
            )
    if raw.get("task", "transcribe") not in TASKS:
        raise StudyError(f"transcription.task must be one of: {', '.join(TASKS)}", config_path)
    if raw.get("speakers", "auto") not in SPEAKER_MODES:
        modes = ", ".join(SPEAKER_MODES)
        raise StudyError(f"transcription.speakers must be one of: {modes}", config_path)
    if not isinstance(raw.get("guide_vocabulary", True), bool):
        raise StudyError("transcription.guide_vocabulary must be true or false", config_path)
    return TranscriptionSettings(**raw)


def _reject_unknown(config: dict[str, Any], known: set[str], path: Path, prefix: str) -> None:
    unknown = sorted(set(config) - known)
    if unknown:
        allowed = ", ".join(sorted(known))
        raise StudyError(f"unknown setting {prefix}{unknown[0]} (allowed: {allowed})", path)
