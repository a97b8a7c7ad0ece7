"""Read an existing, hand-made transcript (TXT, DOCX, WebVTT or SRT) with speaker labels.

Many researchers already typed their interviews. Such a transcript becomes a `Transcript`
like Whisper's, each turn a segment whose `speaker` is "interviewer" or "interviewee", so
the same alignment and exports work on it. Rules, in order:

1. A turn starts at a line `Label: text`, optionally with a time stamp
   (`[00:01:02] Label: text`, `Label (00:01:02): text`) or, in WebVTT, a voice tag
   (`<v Label>text`). Lines without a
   label continue the turn above; text before the first label (a title, a date) is skipped.
2. Known labels (case and accents ignored): interviewer ones (`Interviewer`, `I`, `Q`,
   `Entrevistador(a)`, `E`, `P`, `Pregunta`, the study's author) and interviewee ones
   (`Interviewee`, `Respondent`, `R`, `A`, `Answer`, `Entrevistado(a)`, `Respuesta`, the
   interviewee's name, first name or surname). Any other label counts only if it starts at
   least two lines, so "Note: ..." inside an answer stays text.
3. Other labels fill the roles the known ones left open: with none known and exactly two
   other labels, the one whose turns hold more questions ("?" and guide-question wording)
   is the interviewer; with one role known, the most frequent other label takes the other
   role. Any further label is a third voice, kept with no role.
4. Times come from VTT/SRT cues, or from stamps before every TXT/DOCX turn. Without them
   the transcript is *untimed* (`Transcript.timed` false): its words get made-up, evenly
   spaced times only so alignment can run, and no time reaches the aligned answers or
   the exports.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from .errors import TranscriptError
from .files import sha256_file, write_json, write_output
from .models import (
    AudioSource,
    Guide,
    Interviewee,
    Provenance,
    Segment,
    Study,
    Transcript,
    Word,
)
from .transcribe import now_utc, package_versions, transcript_path, try_load_transcript
from .transcribe.writers import TRANSCRIPT_WRITERS
from .turns import INTERVIEWEE, INTERVIEWER

FORMATS = ("txt", "docx", "vtt", "srt")
"""The file extensions read."""

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "i", "q", "question", "entrevistador", "entrevistadora", "e"}
    | {"p", "pregunta", "investigador", "investigadora", "moderator", "moderador"}
)
INTERVIEWEE_LABELS = frozenset(
    {"interviewee", "respondent", "r", "a", "answer", "entrevistado", "entrevistada"}
    | {"respuesta", "participant", "participante", "informant", "informante"}
)
UNTIMED_WORD_SECONDS = 0.5
"""Made-up length of a word in an untimed transcript (never shown)."""
UNTIMED_TURN_GAP = 2.0
"""Made-up pause between turns of an untimed transcript: longer than alignment's sentence
pause, so a change of speaker also starts a new sentence there."""
LAST_TURN_WORD_SECONDS = 0.4
"""A timed TXT's last turn has no next stamp to end it: this long per word."""
MAX_LABEL_WORDS = 4
MAX_LABEL_CHARS = 40

_STAMP = r"[\[(]?(?P<stamp>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[\])]?"
_LABEL_LINE = re.compile(
    rf"^\s*(?:{_STAMP}\s*[-\u2013]?\s*)?(?P<label>[^\W\d_][^:(\n]{{0,{MAX_LABEL_CHARS}}}?)"
    r"(?:\s*\((?P<note>[^)]*)\))*\s*:\s*(?P<text>.*)$"
)
_VOICE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+(?P<label>[^>]+)>(?P<text>.*)$")
_CUE_TIME = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_TAG = re.compile(r"</?[^>]+>")
_NOTE_STAMP = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?$")
"""A time given after the label instead of before it: `Interviewer (00:01:02): ...`."""


@dataclass(frozen=True)
class Line:
    """One line of the transcript's text, with its line number (1-based) in the file."""

    number: int
    text: str
    start: float | None = None
    end: float | None = None
    voice: str = ""
    """The WebVTT voice tag (`<v Name>`) this line opens with."""


@dataclass(frozen=True)
class Turn:
    """Consecutive text of one labelled speaker (before roles are known)."""

    label: str
    text: str
    line: int
    start: float | None
    end: float | None


@dataclass(frozen=True)
class ManualTranscript:
    """What a hand-made transcript holds: role-labelled segments, and whether it has times."""

    segments: tuple[Segment, ...]
    timed: bool
    duration: float
    roles: dict[str, str]
    """Each label found -> "interviewer", "interviewee" or "" (a third voice)."""


@dataclass(frozen=True)
class Names:
    """Who may appear as a label besides the generic ones."""

    interviewee: str = ""
    interviewer: str = ""
    questions: tuple[str, ...] = ()
    """Guide question texts, to tell the asking speaker from the answering one."""


def read_manual_transcript(path: Path, names: Names = Names()) -> ManualTranscript:
    """Read a TXT, DOCX, VTT or SRT transcript into role-labelled segments."""
    known = _known_labels(names)
    turns = _turns(read_lines(path), known, path)
    roles = _roles(turns, known, names.questions, path)
    timed = all(t.start is not None for t in turns)
    segments = _timed_segments(turns, roles) if timed else _untimed_segments(turns, roles)
    return ManualTranscript(
        segments=segments,
        timed=timed,
        duration=max(s.end for s in segments),
        roles=roles,
    )


# --- Reading the file ----------------------------------------------------------------------


def read_lines(path: Path) -> list[Line]:
    """The text lines of any supported format; subtitle cues carry their times."""
    suffix = check_format(path)
    if suffix == "docx":
        return _docx_lines(path)
    text = _text(path)
    if suffix == "vtt":
        return _cue_lines(text, webvtt=True)
    if suffix == "srt":
        return _cue_lines(text, webvtt=False)
    return [Line(number, line) for number, line in enumerate(text.splitlines(), start=1)]


def check_format(path: Path | str) -> str:
    """The format named by the file's extension; anything else is refused up front."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        hint = "; save it as .docx" if suffix in {"doc", "odt", "rtf"} else ""
        raise TranscriptError(
            f"unsupported transcript format {Path(path).suffix or '(no extension)'!r} "
            f"(use {', '.join('.' + f for f in FORMATS)}){hint}",
            path,
        )
    return suffix


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError("transcript file not found", path) from None
    except OSError as exc:
        raise TranscriptError(f"cannot read transcript ({exc.strerror})", path) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            f"line {line}: not UTF-8 text; save the transcript as UTF-8", path
        ) from None


def _docx_lines(path: Path) -> list[Line]:
    """Paragraphs (and table cells, row by row) of a Word file; a line break inside a
    paragraph starts a new line, as it looks on the page."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        if not path.exists():
            raise TranscriptError("transcript file not found", path) from None
        raise TranscriptError(f"cannot read the Word file ({exc})", path) from None
    texts: list[str] = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
            texts.append(": ".join(c for c in cells if c))
    return [
        Line(number, line)
        for number, line in enumerate(
            (line for text in texts for line in text.splitlines() or [""]), start=1
        )
    ]


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value


def _cue_lines(text: str, *, webvtt: bool) -> list[Line]:
    """Text lines of subtitle cues, each with its cue's times; cue numbers, headers,
    NOTE/STYLE blocks and cue settings are skipped."""
    lines: list[Line] = []
    start = end = None
    skipping = False
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            start = end = None
            skipping = False
            continue
        if skipping:
            continue
        timing = _CUE_TIME.match(stripped)
        if timing:
            start, end = _seconds(timing["start"]), _seconds(timing["end"])
            continue
        if start is None:
            # Outside a cue: the header, a cue number or identifier, a NOTE or STYLE block.
            skipping = webvtt and stripped.split()[0] in {"NOTE", "STYLE", "REGION"}
            continue
        voiced = _VOICE.match(stripped) if webvtt else None
        voice = voiced["label"].strip() if voiced else ""
        if voiced:
            stripped = voiced["text"]
        cleaned = _unescape(_TAG.sub("", stripped)).strip()
        lines.append(Line(number, cleaned, start, end, voice))
    return lines


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&")
    )


# --- Turns and labels ----------------------------------------------------------------------


def label_key(label: str) -> str:
    """Lower-case, accent-free label without dots: "Entrevistadora." -> "entrevistadora"."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace(".", " ").split())


def _candidate(line: Line) -> tuple[str, str, float | None] | None:
    """(label, text, stamp seconds) when the line looks like `Label: text`."""
    if line.voice:
        match = _LABEL_LINE.match(line.text)
        if match and label_key(match["label"]) == label_key(line.voice):
            return line.voice, match["text"], None
        return line.voice, line.text, None
    match = _LABEL_LINE.match(line.text)
    if not match:
        return None
    label = match["label"].strip().strip("*_").strip()
    if not label or len(label.split()) > MAX_LABEL_WORDS or any(c in label for c in "?!¿¡"):
        return None
    note = (match["note"] or "").strip()
    stamp = match["stamp"] or (note if _NOTE_STAMP.match(note) else "")
    return label, match["text"].strip(), _seconds(stamp) if stamp else None


def _turns(lines: Sequence[Line], known: dict[str, str], path: Path) -> list[Turn]:
    """Group lines into labelled turns (rules 1 and 2 of the module docstring)."""
    candidates = [_candidate(line) for line in lines]
    counts = Counter(label_key(c[0]) for c in candidates if c)
    turns: list[Turn] = []
    current: dict[str, object] | None = None

    def close() -> None:
        if current and str(current["text"]).strip():
            turns.append(Turn(**current))  # type: ignore[arg-type]

    for line, candidate in zip(lines, candidates, strict=True):
        if candidate and (counts[label_key(candidate[0])] >= 2 or label_key(candidate[0]) in known):
            close()
            label, text, stamp = candidate
            current = {
                "label": label,
                "text": text,
                "line": line.number,
                "start": stamp if stamp is not None else line.start,
                "end": line.end,
            }
            continue
        if current is None:
            continue  # a header before the first speaker label
        current["text"] = f"{current['text']} {line.text.strip()}".strip()
        if line.end is not None:
            current["end"] = line.end
    close()
    if not turns:
        raise TranscriptError(
            "line 1: no speaker labels found; start each turn with one, e.g. "
            "'Interviewer: ...' and 'Interviewee: ...' (or 'Entrevistador:' / 'Entrevistado:')",
            path,
        )
    return turns


def _roles(
    turns: Sequence[Turn], known: dict[str, str], questions: Sequence[str], path: Path
) -> dict[str, str]:
    """Map each label to a role (rules 2 and 3 of the module docstring)."""
    labels = list(dict.fromkeys(t.label for t in turns))
    roles = {label: known.get(label_key(label), "") for label in labels}
    open_roles = [r for r in (INTERVIEWER, INTERVIEWEE) if r not in roles.values()]
    others = [label for label in labels if not roles[label]]
    if len(open_roles) == 2 and len(others) >= 2:
        if len(others) > 2:
            first = next(t for t in turns if t.label == others[2])
            raise TranscriptError(
                f"line {first.line}: {len(others)} speakers ({', '.join(others)}) and none "
                "labelled as interviewer or interviewee; rename the two main ones to "
                "'Interviewer:' and 'Interviewee:'",
                path,
            )
        scores = {label: _question_score(turns, label, questions) for label in others}
        asking = max(others, key=lambda label: scores[label])
        roles[asking] = INTERVIEWER
        roles[next(label for label in others if label != asking)] = INTERVIEWEE
    elif len(open_roles) == 1 and others:
        frequency = Counter(t.label for t in turns if t.label in others)
        roles[frequency.most_common(1)[0][0]] = open_roles[0]
    elif len(open_roles) == 2:
        label = others[0]
        first = next(t for t in turns if t.label == label)
        raise TranscriptError(
            f"line {first.line}: only one speaker ({label}) found; label the turns of both "
            "the interviewer and the interviewee",
            path,
        )
    return roles


def _known_labels(names: Names) -> dict[str, str]:
    known = dict.fromkeys(INTERVIEWER_LABELS, INTERVIEWER)
    known.update(dict.fromkeys(INTERVIEWEE_LABELS, INTERVIEWEE))
    for name, role in ((names.interviewee, INTERVIEWEE), (names.interviewer, INTERVIEWER)):
        key = label_key(name)
        if key:
            parts = key.split()
            known.update(dict.fromkeys({key, parts[0], parts[-1]}, role))
    return known


def _question_score(turns: Sequence[Turn], label: str, questions: Sequence[str]) -> float:
    """How much a speaker asks: question marks, plus turns that read like a guide question."""
    score = 0.0
    for turn in (t for t in turns if t.label == label):
        score += turn.text.count("?")
        if questions:
            text = turn.text.casefold()
            score += max(fuzz.partial_ratio(q.casefold(), text) for q in questions) / 100
    return score


# --- Segments --------------------------------------------------------------------------------


def _words(text: str, start: float, end: float) -> tuple[Word, ...]:
    """Words spread evenly over [start, end]; a typed transcript is certain of its words."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    return tuple(
        Word(round(start + i * step, 3), round(start + (i + 1) * step, 3), f" {token}", 1.0)
        for i, token in enumerate(tokens)
    )


def _segment(turn: Turn, start: float, end: float, roles: dict[str, str]) -> Segment:
    words = _words(turn.text, start, end)
    return Segment(
        start=words[0].start,
        end=words[-1].end,
        text=f" {turn.text}",
        words=words,
        speaker=roles[turn.label],
    )


def _timed_segments(turns: Sequence[Turn], roles: dict[str, str]) -> tuple[Segment, ...]:
    """Cue times as given; a stamped TXT turn ends where the next one starts."""
    segments = []
    for index, turn in enumerate(turns):
        start = turn.start or 0.0
        end = turn.end
        if end is None or end <= start:
            following = turns[index + 1].start if index + 1 < len(turns) else None
            estimate = start + LAST_TURN_WORD_SECONDS * len(turn.text.split())
            end = following if following is not None and following > start else estimate
        segments.append(_segment(turn, start, end, roles))
    return tuple(segments)


def _untimed_segments(turns: Sequence[Turn], roles: dict[str, str]) -> tuple[Segment, ...]:
    """Made-up, evenly spaced times, only so alignment can order and split the words."""
    segments = []
    clock = 0.0
    for turn in turns:
        end = clock + UNTIMED_WORD_SECONDS * len(turn.text.split())
        segments.append(_segment(turn, clock, end, roles))
        clock = end + UNTIMED_TURN_GAP
    return tuple(segments)


# --- Importing into a study ------------------------------------------------------------------

ENGINE = "manual"
_SPANISH = frozenset({"el", "la", "los", "las", "de", "que", "y", "es", "por", "con", "para"})
_ENGLISH = frozenset({"the", "and", "of", "to", "is", "that", "it", "for", "with", "we", "you"})


def source_name(study: Study, path: Path) -> str:
    """How provenance names the file: relative to the study folder when inside it."""
    try:
        return path.resolve().relative_to(study.root.resolve()).as_posix()
    except ValueError:
        return path.name


def guess_language(segments: Sequence[Segment]) -> str:
    """ "es" or "en" by common words, for transcripts whose language the guide does not give."""
    words = [w.text.strip(" ¿¡.,;:!?").casefold() for s in segments for w in s.words]
    spanish = sum(w in _SPANISH for w in words)
    return "es" if spanish > sum(w in _ENGLISH for w in words) else "en"


def import_transcript(
    study: Study,
    guide: Guide,
    interviewee: Interviewee,
    path: Path | None = None,
    *,
    force: bool = False,
) -> tuple[Transcript, bool]:
    """Read a hand-made transcript into transcripts/<id>.json (and .txt, plus .srt/.vtt
    when it is timed); `path` defaults to the guide's `transcript`. Returns (transcript,
    was_cached): the stored one is reused while the file (sha256) and the names that decide
    the speaker roles are unchanged."""
    path = path if path is not None else study.root / interviewee.transcript
    names = Names(
        interviewee=interviewee.name,
        interviewer=study.author,
        questions=tuple(
            text for q in interviewee.question_ids for text in guide.question(q).text.values()
        ),
    )
    if not path.is_file():
        raise TranscriptError("transcript file not found", path)
    check_format(path)
    sha256 = sha256_file(path)
    settings = {
        "engine": ENGINE,
        "interviewee_name": names.interviewee,
        "interviewer_name": names.interviewer,
        "questions": list(names.questions),
    }
    target = transcript_path(study, interviewee.id)
    if target.exists() and not force:
        cached = try_load_transcript(target)
        prov = cached.provenance if cached else None
        if prov and [s.sha256 for s in prov.sources] == [sha256] and prov.settings == settings:
            return cached, True  # type: ignore[return-value]
    started = now_utc()
    manual = read_manual_transcript(path, names)
    transcript = Transcript(
        interviewee_id=interviewee.id,
        language=interviewee.language
        or study.transcription.language
        or guess_language(manual.segments),
        duration=round(manual.duration, 3) if manual.timed else 0.0,
        segments=manual.segments,
        provenance=Provenance(
            sources=(
                AudioSource(
                    name=source_name(study, path),
                    size=path.stat().st_size,
                    sha256=sha256,
                    duration=round(manual.duration, 3) if manual.timed else 0.0,
                ),
            ),
            engine=ENGINE,
            model="",
            model_sha256="",
            settings=settings,
            versions=package_versions(),
            started=started,
            finished=now_utc(),
        ),
        timed=manual.timed,
    )
    write_json(target, transcript.to_dict(), force=force)
    for suffix, render in TRANSCRIPT_WRITERS.items():
        if transcript.timed or suffix == "txt":
            write_output(target.with_suffix(f".{suffix}"), render(transcript).encode(), force=force)
    return transcript, False
