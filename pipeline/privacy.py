"""Pseudonymisation: replace the names the guide lists by codes in everything we write.

Interviewees become P01, P02, ... (their ids, full names and, where unambiguous, each
part of a name), organisations ORG1, ORG2, ..., and extra terms from a user file TERM1,
TERM2, .... Matching is whole-word, case- and accent-insensitive and tolerant of the
separator ("Felipe Ochoa", "FELIPE OCHOA", "felipe-ochoa", "Fabian Bermeo" for "Fabián
Bermeo"), because speech recognition and file names spell names every way. The mapping
is applied to the data model before any writer runs, so every format and every file
name derived from an id is covered.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import PrivacyError
from .files import write_output
from .models import Guide

if TYPE_CHECKING:
    from .export import AppendixData

KEY_NAME = "pseudonym-key.csv"
PSEUDONYMISED_DIR = "pseudonymised"
_MIN_NAME_PART = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Pseudonym:
    """One term and the code that replaces it."""

    code: str
    kind: str
    """"person", "organisation" or "term"."""
    term: str


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text plus, per folded character, its index in `text`."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        for out in base.casefold():
            folded.append(out)
            origin.append(index)
    return "".join(folded), origin


def _tokens(term: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", _fold(term)[0]))


@dataclass(frozen=True)
class Pseudonyms:
    """A consistent term -> code mapping and the means to apply it."""

    entries: tuple[Pseudonym, ...]

    @cached_property
    def _codes(self) -> dict[tuple[str, ...], str]:
        codes: dict[tuple[str, ...], str] = {}
        for entry in self.entries:
            codes.setdefault(_tokens(entry.term), entry.code)
        return codes

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        """One alternation, longest terms first, so "Felipe Ochoa" wins over "Felipe"."""
        keys = sorted(self._codes, key=lambda k: (-sum(map(len, k)), k))
        if not keys:
            return None
        alternatives = (r"[\W_]{1,3}".join(map(re.escape, key)) for key in keys)
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")

    def text(self, text: str) -> str:
        """`text` with every listed term replaced by its code."""
        if self._pattern is None or not text:
            return text
        folded, origin = _fold(text)
        pieces: list[str] = []
        position = 0
        for match in self._pattern.finditer(folded):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            pieces += [text[position:start], self._codes[tuple(re.findall(r"\w+", match[0]))]]
            position = end
        return "".join([*pieces, text[position:]])

    def leak(self, text: str) -> str | None:
        """The first listed term still present in `text`, if any (a last safety check)."""
        if self._pattern is None:
            return None
        match = self._pattern.search(_fold(text)[0])
        return match[0] if match else None

    def apply(self, value: T) -> T:
        """A copy of a model object (Guide, matrix, transcript, ...) with every string
        field pseudonymised, including dictionary keys such as interviewee ids.

        Walking every field, rather than naming the ones that may hold a name, keeps
        fields added later covered too. Enums (answer status) and numbers are kept.
        """
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, tuple):
            return tuple(self._walk(v) for v in value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, Mapping):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self._walk(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            }
            return dataclasses.replace(value, **changes)
        return value

    def key_csv(self) -> bytes:
        """The key (code, kind, original term), for the researcher only."""
        buffer = io.StringIO()
        table = csv.writer(buffer, lineterminator="\r\n")
        table.writerow(("code", "kind", "term"))
        for entry in self.entries:
            table.writerow((entry.code, entry.kind, entry.term))
        return buffer.getvalue().encode("utf-8-sig")


def build_pseudonyms(guide: Guide, extra_terms: Sequence[str] = ()) -> Pseudonyms:
    """Codes in guide order: interviewees P01.., organisations ORG1.., extra terms TERM1.."""
    entries: list[Pseudonym] = []
    taken: set[tuple[str, ...]] = set()

    def add(code: str, kind: str, term: str) -> None:
        key = _tokens(term)
        if key and key not in taken:
            taken.add(key)
            entries.append(Pseudonym(code, kind, term))

    people = list(guide.interviewees)
    width = max(2, len(str(len(people))))
    codes = {p.id: f"P{n:0{width}d}" for n, p in enumerate(people, start=1)}
    for person in people:
        add(codes[person.id], "person", person.name)
        add(codes[person.id], "person", person.id)
    organisations: list[tuple[str, ...]] = []
    for person in people:
        key = _tokens(person.organisation)
        if key and key not in organisations:
            organisations.append(key)
            add(f"ORG{len(organisations)}", "organisation", person.organisation)
    for number, term in enumerate(extra_terms, start=1):
        add(f"TERM{number}", "term", term)
    for part, code in _name_parts(people, codes).items():
        add(code, "person", part)
    return Pseudonyms(tuple(entries))


def _name_parts(people: Sequence[Any], codes: dict[str, str]) -> dict[str, str]:
    """First names and surnames alone ("Magister Ochoa"), when only one person has them."""
    owners: dict[tuple[str, ...], set[str]] = {}
    spelling: dict[tuple[str, ...], str] = {}
    for person in people:
        for part in person.name.split():
            word = part.strip(".,")
            if len(word) >= _MIN_NAME_PART and word[:1].isupper():
                owners.setdefault(_tokens(word), set()).add(person.id)
                spelling.setdefault(_tokens(word), word)
    return {spelling[key]: codes[next(iter(ids))] for key, ids in owners.items() if len(ids) == 1}


def read_terms(path: Path) -> tuple[str, ...]:
    """Extra terms to hide, one per line; blank lines and `#` comments are ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PrivacyError("terms file not found", path) from None
    except UnicodeDecodeError:
        raise PrivacyError("terms file is not UTF-8 text", path) from None
    except OSError as exc:
        raise PrivacyError(f"cannot read terms file ({exc.strerror})", path) from None
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def render_pseudonymised(
    data: AppendixData, formats: Sequence[str], pseudonyms: Pseudonyms
) -> dict[str, bytes]:
    """Each format's files (path -> content) made from pseudonymised data, checked for
    any listed name that a writer might have taken from elsewhere."""
    from .export import writer

    private = pseudonyms.apply(data)
    rendered = {
        path: content for name in formats for path, content in writer(name).render(private).items()
    }
    check_no_leaks(rendered, pseudonyms)
    return rendered


def check_no_leaks(files: Mapping[str, bytes], pseudonyms: Pseudonyms) -> None:
    """Refuse to write pseudonymised output in which a listed term survived, in a file
    name, a text file or inside a zip container (DOCX, XLSX)."""
    for name, content in files.items():
        for where, text in _texts(name, content):
            term = pseudonyms.leak(text)
            if term is not None:
                raise PrivacyError(
                    f"pseudonymisation would leave the listed term {term!r} in {where}; "
                    "nothing was written",
                    name,
                )


def _texts(name: str, content: bytes) -> list[tuple[str, str]]:
    texts = [("the file name", name)]
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as container:
            for member in container.infolist():
                inner = container.read(member).decode("utf-8", errors="ignore")
                texts += [(member.filename, member.filename), (member.filename, inner)]
    else:
        texts.append(("its text", content.decode("utf-8", errors="ignore")))
    return texts


def export_pseudonymised(
    data: AppendixData, formats: Sequence[str], pseudonyms: Pseudonyms, *, force: bool = False
) -> list[Path]:
    """Write the pseudonymised exports to exports/pseudonymised/ and the key to
    exports/pseudonym-key.csv, outside the folder that is meant to be shared."""
    rendered = render_pseudonymised(data, formats, pseudonyms)
    folder = data.study.exports_dir / PSEUDONYMISED_DIR
    written = []
    for relative, content in rendered.items():
        write_output(folder / relative, content, force=force)
        written.append(folder / relative)
    key = data.study.exports_dir / KEY_NAME
    write_output(key, pseudonyms.key_csv(), force=force)
    return [*written, key]
