"""Load and validate the interview guide (guides/guide.yaml).

Every problem is reported as one line naming the file, the line and the field,
because a fieldworker edits this file by hand and must find the mistake fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import GuideError, TranscriptError
from .manual import check_format
from .models import Category, Guide, Interviewee, Question

FieldPath = tuple[str | int, ...]
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# The fields each part of the guide may have; anything else is reported and ignored, so a
# misspelt optional field ("organization") does not silently vanish.
KNOWN_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"title", "language", "vocabulary", "categories", "questions", "interviewees"}),
    "categories": frozenset({"id", "name", "conceptualization", "subcategories", "indicators"}),
    "questions": frozenset({"id", "text", "categories", "follow_ups"}),
    "interviewees": frozenset(
        {"id", "honorific", "name", "role", "organisation", "language", "questions"}
        | {"recordings", "transcript"}
    ),
}


@dataclass(frozen=True)
class GuideWarning:
    """A problem that does not stop the work, e.g. an unknown (ignored) field."""

    message: str
    file: Path

    def __str__(self) -> str:
        return f"{self.message} ({self.file})"


WarningCallback = Callable[[GuideWarning], None]


class _Document:
    """Plain YAML data plus the line on which each field starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[FieldPath, int] = {}
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise GuideError(
                "interview guide not found; create it or run `interviews init`", path
            ) from None
        except UnicodeDecodeError:
            raise GuideError("guide is not UTF-8 text", path) from None
        try:
            node = yaml.compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise GuideError(f"{where}invalid YAML: {problem}", path) from None
        self.data = self._to_python(node, ()) if node is not None else None

    def _to_python(self, node: yaml.Node, path: FieldPath) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return {
                str(key.value): self._to_python(value, (*path, str(key.value)))
                for key, value in node.value
            }
        if isinstance(node, yaml.SequenceNode):
            return [self._to_python(item, (*path, i)) for i, item in enumerate(node.value)]
        return yaml.safe_load(yaml.serialize(node))

    def error(self, path: FieldPath, message: str) -> GuideError:
        line = self._line_of(path)
        return GuideError(f"line {line}, {_field_name(path)}: {message}", self.path)

    def _line_of(self, path: FieldPath) -> int:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def _field_name(path: FieldPath) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or "(top level)"


class _Reader:
    """Typed accessors that raise precise errors."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc

    def mapping(self, value: Any, path: FieldPath) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.doc.error(path, "expected a mapping of `field: value` lines")
        return value

    def items(self, value: Any, path: FieldPath, *, required: bool = True) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.doc.error(path, "expected a non-empty list")
        return value

    def text(
        self, data: dict[str, Any], path: FieldPath, key: str, *, required: bool = True
    ) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if value is None:
            raise self.doc.error((*path, key), "missing required field")
        return self.scalar(value, (*path, key))

    def scalar(self, value: Any, path: FieldPath) -> str:
        if not isinstance(value, (str, int, float)) or not str(value).strip():
            raise self.doc.error(path, "must be non-empty text")
        return str(value).strip()

    def texts(self, data: dict[str, Any], path: FieldPath, key: str) -> tuple[str, ...]:
        values = self.items(data.get(key), (*path, key), required=False)
        return tuple(self.scalar(v, (*path, key, i)) for i, v in enumerate(values))

    def ident(self, data: dict[str, Any], path: FieldPath, seen: set[str]) -> str:
        value = self.text(data, path, "id")
        if not _ID_PATTERN.match(value):
            raise self.doc.error(
                (*path, "id"), f"id {value!r} may only use letters, digits, '-', '_' and '.'"
            )
        if value in seen:
            raise self.doc.error((*path, "id"), f"duplicate id {value!r}")
        seen.add(value)
        return value


def load_guide(
    path: Path, audio_dir: Path | None = None, *, on_warning: WarningCallback | None = None
) -> Guide:
    """Parse and fully validate a guide; with `audio_dir`, also check recordings exist.

    Unknown keys are not errors: each is passed to `on_warning` after the guide is valid.
    """
    doc = _Document(path)
    read = _Reader(doc)
    top = read.mapping(doc.data, ())
    language = read.text(top, (), "language", required=False) or "en"
    categories = _categories(read, top)
    questions = _questions(read, top, language, {c.id for c in categories})
    interviewees = _interviewees(read, top, {q.id for q in questions}, audio_dir)
    guide = Guide(
        title=read.text(top, (), "title"),
        language=language,
        categories=categories,
        questions=questions,
        interviewees=interviewees,
        vocabulary=read.texts(top, (), "vocabulary"),
    )
    if on_warning:
        for warning in _unknown_keys(doc, top):
            on_warning(warning)
    return guide


def _unknown_keys(doc: _Document, top: dict[str, Any]) -> list[GuideWarning]:
    """Unknown keys at the top level and in each category, question and interviewee."""
    places: list[tuple[FieldPath, dict[str, Any], frozenset[str]]] = [((), top, KNOWN_KEYS[""])]
    for section in ("categories", "questions", "interviewees"):
        places += [
            ((section, i), entry, KNOWN_KEYS[section]) for i, entry in enumerate(top[section])
        ]
    warnings = []
    for path, data, known in places:
        for key in data:
            if key not in known:
                where = (*path, key)
                warnings.append(
                    GuideWarning(
                        f"line {doc._line_of(where)}, {_field_name(where)}: "
                        f"unknown key {key!r} (ignored)",
                        doc.path,
                    )
                )
    return warnings


def _categories(read: _Reader, top: dict[str, Any]) -> tuple[Category, ...]:
    seen: set[str] = set()
    result = []
    for i, raw in enumerate(read.items(top.get("categories"), ("categories",))):
        path: FieldPath = ("categories", i)
        data = read.mapping(raw, path)
        result.append(
            Category(
                id=read.ident(data, path, seen),
                name=read.text(data, path, "name"),
                conceptualization=read.text(data, path, "conceptualization", required=False),
                subcategories=read.texts(data, path, "subcategories"),
                indicators=read.texts(data, path, "indicators"),
            )
        )
    return tuple(result)


def _questions(
    read: _Reader, top: dict[str, Any], language: str, category_ids: set[str]
) -> tuple[Question, ...]:
    seen: set[str] = set()
    result = []
    for i, raw in enumerate(read.items(top.get("questions"), ("questions",))):
        path: FieldPath = ("questions", i)
        data = read.mapping(raw, path)
        question_id = read.ident(data, path, seen)
        categories = read.texts(data, path, "categories")
        if not categories:
            raise read.doc.error(
                (*path, "categories"), "tag the question with at least one category"
            )
        for j, category in enumerate(categories):
            if category not in category_ids:
                known = ", ".join(sorted(category_ids))
                raise read.doc.error(
                    (*path, "categories", j), f"unknown category {category!r} (defined: {known})"
                )
        result.append(
            Question(
                id=question_id,
                text=_question_text(read, data, path, language),
                categories=categories,
                follow_ups=read.texts(data, path, "follow_ups"),
            )
        )
    return tuple(result)


def _question_text(
    read: _Reader, data: dict[str, Any], path: FieldPath, language: str
) -> dict[str, str]:
    """A plain string is in the guide's language; a mapping gives one text per language."""
    raw = data.get("text")
    if isinstance(raw, dict):
        if not raw:
            raise read.doc.error((*path, "text"), "give at least one language, e.g. `en: ...`")
        texts = {str(lang): read.text(raw, (*path, "text"), lang) for lang in raw}
        if language in texts:
            texts = {language: texts[language], **texts}
        return texts
    return {language: read.text(data, path, "text")}


def _interviewees(
    read: _Reader, top: dict[str, Any], question_ids: set[str], audio_dir: Path | None
) -> tuple[Interviewee, ...]:
    seen: set[str] = set()
    result = []
    for i, raw in enumerate(read.items(top.get("interviewees"), ("interviewees",))):
        path: FieldPath = ("interviewees", i)
        data = read.mapping(raw, path)
        interviewee_id = read.ident(data, path, seen)
        asked = read.texts(data, path, "questions")
        if not asked:
            raise read.doc.error((*path, "questions"), "list the ids of the questions asked")
        for j, question_id in enumerate(asked):
            if question_id not in question_ids:
                raise read.doc.error(
                    (*path, "questions", j),
                    f"question {question_id!r} is not defined in `questions`",
                )
        if len(set(asked)) != len(asked):
            raise read.doc.error((*path, "questions"), "a question is listed twice")
        recordings = read.texts(data, path, "recordings")
        transcript = _transcript(read, data, path, audio_dir)
        if not recordings and not transcript:
            raise read.doc.error(
                (*path, "recordings"),
                "list at least one recording file (or give a typed `transcript`)",
            )
        for j, name in enumerate(recordings if not transcript else ()):
            if audio_dir is not None and not (audio_dir / name).is_file():
                raise read.doc.error(
                    (*path, "recordings", j), f"recording {name!r} not found in {audio_dir}"
                )
        result.append(
            Interviewee(
                id=interviewee_id,
                name=read.text(data, path, "name"),
                role=read.text(data, path, "role"),
                question_ids=asked,
                recordings=recordings,
                honorific=read.text(data, path, "honorific", required=False) or None,
                organisation=read.text(data, path, "organisation", required=False),
                language=read.text(data, path, "language", required=False) or None,
                transcript=transcript,
            )
        )
    return tuple(result)


def _transcript(
    read: _Reader, data: dict[str, Any], path: FieldPath, audio_dir: Path | None
) -> str:
    """A hand-made transcript, relative to the study folder; with `audio_dir` (the study's
    audio/ folder) it must exist."""
    name = read.text(data, path, "transcript", required=False)
    if not name:
        return ""
    try:
        check_format(name)
    except TranscriptError as exc:
        raise read.doc.error((*path, "transcript"), exc.message) from None
    if audio_dir is not None and not (audio_dir.parent / name).is_file():
        raise read.doc.error(
            (*path, "transcript"), f"transcript {name!r} not found in {audio_dir.parent}"
        )
    return name
