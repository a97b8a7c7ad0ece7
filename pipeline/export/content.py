"""What the exports say, independent of file format: answer texts, times, matrix cells,
table rows and transcript turns. The format modules only lay these out."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..align import LOW_CONFIDENCE
from ..models import (
    AlignedAnswer,
    AnswerStatus,
    Interviewee,
    InterviewMatrix,
    Transcript,
    Word,
    join_words,
)
from ..turns import INTERVIEWEE as INTERVIEWEE_ROLE
from ..turns import INTERVIEWER as INTERVIEWER_ROLE
from . import AnswerLanguage, AppendixData

NOT_FOUND_TEXT = "[Question not found in the recording]"
MERGED_TEXT = "[Asked together with question {number}: see its answer]"
EARLY_ANSWER_TEXT = "[Possibly answered early, under question {number} {span}: {text}]"
LOW_CONFIDENCE_TEXT = "[Low confidence ({confidence:.2f}): check against the recording]"
NO_TRANSLATION_TEXT = "[No English translation yet; original answer shown]"
MISSING_TRANSLATION_TEXT = "[No English translation yet]"
INTERVIEWER = "Interviewer"
SPEAKER_NOTE = (
    "Speaker labels come from aligning the interview guide, not from voice recognition: "
    "located guide questions are labelled as the interviewer, the answers cut out after "
    "them as the interviewee; other passages have no label."
)
TYPED_SPEAKER_NOTE = "Speaker labels come from the typed transcript."
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clock(seconds: float) -> str:
    """12:03, or 1:02:03 from the first hour on; seconds are truncated like a player's."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def time_span(answer: AlignedAnswer) -> str:
    """The answer's place in the recording, "[12:03\N{EN DASH}14:10]"; "" without times."""
    if answer.start is None or answer.end is None:
        return ""
    return f"[{clock(answer.start)}\N{EN DASH}{clock(answer.end)}]"


def xml_safe(text: str) -> str:
    """Drop control characters XML 1.0 cannot hold (Word and REFI-QDA files are XML)."""
    return _XML_INVALID.sub("", text)


def escape_formula(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def is_low_confidence(answer: AlignedAnswer) -> bool:
    """Machine answers that are probably wrong (a weak match, unsure words or a flagged
    recognition failure such as a repetition loop); a reviewed answer is trusted as edited.
    Answers below LOW_CONFIDENCE (pipeline.align) are marked for checking."""
    return (
        answer.status in (AnswerStatus.FOUND, AnswerStatus.LOW_CONFIDENCE)
        and not answer.edited_answer
        and (answer.confidence < LOW_CONFIDENCE or bool(answer.flags))
    )


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an answer cell: interview speech, its translation, or our note."""

    text: str
    kind: Literal["answer", "translation", "note"]


def answer_paragraphs(
    answer: AlignedAnswer, language: AnswerLanguage, interviewee: Interviewee
) -> list[Paragraph]:
    """The answer as edited (else as aligned) in the chosen language, with visible marks.

    A missing English translation is never invented: the original is shown with a note,
    unless the guide says the interview was held in English.
    """
    if (interviewee.language or "").startswith("en") and not answer.translation:
        language = "original"
    original = answer.final_answer
    if answer.status is AnswerStatus.NOT_ASKED and not original:
        return [Paragraph(NOT_FOUND_TEXT, "note"), *_early_notes(answer, interviewee)]
    if answer.status is AnswerStatus.MERGED and not original:
        number = _number_of(answer.merged_with, interviewee)
        return [Paragraph(MERGED_TEXT.format(number=number), "note")]
    paragraphs = []
    if is_low_confidence(answer):
        note = LOW_CONFIDENCE_TEXT.format(confidence=answer.confidence)
        if answer.flags:
            note = f"{note[:-1]}; flagged: {', '.join(answer.flags)}]"
        paragraphs.append(Paragraph(note, "note"))
    if language == "original":
        paragraphs.append(Paragraph(original, "answer"))
    elif language == "english" and answer.translation:
        paragraphs.append(Paragraph(answer.translation, "translation"))
    elif language == "english":
        paragraphs += [Paragraph(NO_TRANSLATION_TEXT, "note"), Paragraph(original, "answer")]
    else:
        paragraphs.append(Paragraph(original, "answer"))
        paragraphs.append(
            Paragraph(answer.translation, "translation")
            if answer.translation
            else Paragraph(MISSING_TRANSLATION_TEXT, "note")
        )
    return paragraphs


def _number_of(question_id: str, interviewee: Interviewee) -> int:
    """A question's number in the interviewee's matrix (its place in their list)."""
    return interviewee.question_ids.index(question_id) + 1


def _early_notes(answer: AlignedAnswer, interviewee: Interviewee) -> list[Paragraph]:
    """Where an unasked question seems to have been answered under another one."""
    return [
        Paragraph(
            EARLY_ANSWER_TEXT.format(
                number=_number_of(early.under_question, interviewee),
                span=f"[{clock(early.start)}\N{EN DASH}{clock(early.end)}]",
                text=early.text,
            ),
            "note",
        )
        for early in answer.early_answers
    ]


# --- Appendix 1 rows (CSV, XLSX) -----------------------------------------------------------

APPENDIX1_COLUMNS = (
    "interviewee_id",
    "name",
    "role",
    "number",
    "question_id",
    "question",
    "categories",
    "answer",
    "start",
    "end",
    "confidence",
    "status",
    "answer_translation",
    "source_file",
    "transcript_sha256",
)
Cell = str | int | float | None


def appendix1_rows(data: AppendixData) -> Iterator[tuple[Cell, ...]]:
    """One typed row per interviewee x question, in APPENDIX1_COLUMNS order."""
    for interviewee, matrix in data.interviews():
        sources = "; ".join(matrix.source_files)
        for answer in matrix.answers:
            yield (
                interviewee.id,
                interviewee.name,
                interviewee.role,
                answer.number,
                answer.question_id,
                answer.question,
                data.category_names(answer.categories),
                answer.final_answer,
                answer.start,
                answer.end,
                answer.confidence,
                answer.status_label,
                answer.translation,
                sources,
                matrix.transcript_sha256,
            )


# --- Appendix 2 cells --------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """An answer quoted in an Appendix 2 cell, with where it was said."""

    paragraphs: tuple[Paragraph, ...]
    reference: str
    """The question number and the time in the recording, e.g. "Q3, [12:03-14:10]"."""


@dataclass(frozen=True)
class CategoryCell:
    """The researcher's synthesis if written, else the answers tagged with the category."""

    synthesis: str = ""
    evidence: tuple[Evidence, ...] = ()

    def plain_text(self) -> str:
        if self.synthesis:
            return self.synthesis
        return "\n".join(
            " ".join([*(p.text for p in e.paragraphs), f"({e.reference})"]) for e in self.evidence
        )


def appendix2_header(data: AppendixData, interviewee: Interviewee) -> str:
    """ "Magister. Felipe Ochoa Director of ...", as the thesis heads each column."""
    return f"{data.display_name(interviewee)} {interviewee.role}"


def category_cell(
    data: AppendixData, interviewee: Interviewee, matrix: InterviewMatrix, category_id: str
) -> CategoryCell:
    if matrix.synthesis.get(category_id):
        return CategoryCell(synthesis=matrix.synthesis[category_id])
    evidence = []
    for answer in matrix.answers:
        if category_id in answer.categories:
            reference = ", ".join(filter(None, (f"Q{answer.number}", time_span(answer))))
            paragraphs = answer_paragraphs(answer, data.options.answers, interviewee)
            evidence.append(Evidence(tuple(paragraphs), reference))
    return CategoryCell(evidence=tuple(evidence))


def appendix2_rows(data: AppendixData) -> Iterator[tuple[str, list[CategoryCell]]]:
    """(category name, one cell per interviewee) for each guide category, in guide order."""
    interviews = data.interviews()
    for category in data.guide.categories:
        yield category.name, [category_cell(data, i, m, category.id) for i, m in interviews]


# --- Table 1 -----------------------------------------------------------------------------

CATEGORY_COLUMNS = ("Categories", "Conceptualization", "Subcategories", "Indicators")


# --- Transcripts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """A stretch of one segment said by one (inferred) speaker; "" when unknown."""

    start: float
    end: float
    speaker: str
    text: str


def has_roles(transcript: Transcript) -> bool:
    """Whether segments carry interviewer/interviewee roles (a typed transcript)."""
    return any(s.speaker in (INTERVIEWER_ROLE, INTERVIEWEE_ROLE) for s in transcript.segments)


def speaker_note(transcript: Transcript) -> str:
    return TYPED_SPEAKER_NOTE if has_roles(transcript) else SPEAKER_NOTE


def stamp(transcript: Transcript, turn: Turn) -> str:
    """ "[12:03] " before a turn; nothing for an untimed transcript, whose times are made up."""
    return f"[{clock(turn.start)}] " if transcript.timed else ""


def turns(transcript: Transcript, matrix: InterviewMatrix, interviewee: Interviewee) -> list[Turn]:
    """The transcript cut into labelled turns: a typed transcript's own turns, else cut at
    segment and question/answer boundaries."""
    if has_roles(transcript):
        names = {INTERVIEWER_ROLE: INTERVIEWER, INTERVIEWEE_ROLE: interviewee.name}
        return [
            Turn(s.start, s.end, names.get(s.speaker, ""), s.text.strip())
            for s in transcript.segments
            if s.text.strip()
        ]
    spans = sorted(
        [
            (a.question_start, a.question_end, INTERVIEWER)
            for a in matrix.answers
            if a.question_start is not None and a.question_end is not None
        ]
        + [
            (a.start, a.end, interviewee.name)
            for a in matrix.answers
            if a.start is not None and a.end is not None
        ]
    )
    starts = [start for start, _, _ in spans]

    def speaker(word: Word) -> str:
        middle = (word.start + word.end) / 2
        index = bisect_right(starts, middle) - 1
        if index >= 0 and middle <= spans[index][1]:
            return spans[index][2]
        return ""

    result: list[Turn] = []
    for segment in transcript.segments:
        run: list[Word] = []
        label = ""
        for word in segment.timed_words:
            current = speaker(word)
            if run and current != label:
                result.append(_turn(run, label))
                run = []
            run.append(word)
            label = current
        if run:
            result.append(_turn(run, label))
    return [t for t in result if t.text]


def _turn(words: list[Word], speaker: str) -> Turn:
    return Turn(words[0].start, words[-1].end, speaker, join_words(words))


@dataclass(frozen=True)
class TranscriptView:
    """One interview's transcript as the transcript exports show it."""

    interviewee: Interviewee
    matrix: InterviewMatrix
    transcript: Transcript
    turns: tuple[Turn, ...]


def transcript_views(data: AppendixData) -> list[TranscriptView]:
    return [
        TranscriptView(i, m, t, tuple(turns(t, m, i)))
        for i, m in data.interviews()
        for t in (data.transcript(i.id),)
    ]


def plain_transcript(view: TranscriptView) -> tuple[str, list[tuple[int, int]]]:
    """The readable transcript ("[mm:ss] Speaker: text" lines under a short header) and,
    per turn, the character range of its text, for coded selections in REFI-QDA.
    XML-safe, because the REFI-QDA project embeds the same text."""
    header = [
        f"{view.interviewee.name} ({view.interviewee.role})",
        f"Recordings: {', '.join(view.matrix.source_files) or 'unknown'}",
        speaker_note(view.transcript),
        "",
    ]
    text = xml_safe("\n".join(header)) + "\n"
    ranges = []
    for turn in view.turns:
        prefix = stamp(view.transcript, turn) + (f"{turn.speaker}: " if turn.speaker else "")
        start = len(text) + len(prefix)
        spoken = xml_safe(turn.text)
        text += f"{prefix}{spoken}\n"
        ranges.append((start, start + len(spoken)))
    return text, ranges
