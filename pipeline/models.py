"""Typed records shared by every stage; each stage takes some of these and returns others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Category:
    """One row of the thesis' analysis-categories matrix (Table 1)."""

    id: str
    name: str
    conceptualization: str = ""
    subcategories: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A guide question with its text per language (e.g. {"en": ..., "es": ...})."""

    id: str
    text: dict[str, str]
    categories: tuple[str, ...]
    follow_ups: tuple[str, ...] = ()

    def text_in(self, language: str) -> str:
        """The text in `language`, else the first text given (the guide's own language)."""
        return self.text.get(language) or next(iter(self.text.values()))


@dataclass(frozen=True)
class Interviewee:
    """A person interviewed, the questions they were asked, and their recording files."""

    id: str
    name: str
    role: str
    question_ids: tuple[str, ...]
    recordings: tuple[str, ...]
    honorific: str | None = None
    organisation: str = ""
    language: str | None = None
    transcript: str = ""
    """A hand-made transcript (path relative to the study folder) used instead of
    transcribing the recordings; see pipeline.manual."""


@dataclass(frozen=True)
class Guide:
    """The interview guide: categories, questions and who was asked what."""

    title: str
    language: str
    categories: tuple[Category, ...]
    questions: tuple[Question, ...]
    interviewees: tuple[Interviewee, ...]
    vocabulary: tuple[str, ...] = ()
    """Proper names and key terms that transcription should spell right (e.g. "ICLEI")."""

    def question(self, question_id: str) -> Question:
        return _by_id(self.questions, question_id)

    def category(self, category_id: str) -> Category:
        return _by_id(self.categories, category_id)

    def interviewee(self, interviewee_id: str) -> Interviewee:
        return _by_id(self.interviewees, interviewee_id)

    def categories_of(self, interviewee: Interviewee) -> tuple[Category, ...]:
        """Categories touched by an interviewee's questions, in guide order."""
        used = {c for q in interviewee.question_ids for c in self.question(q).categories}
        return tuple(c for c in self.categories if c.id in used)


def _by_id(items: tuple[Any, ...], item_id: str) -> Any:
    """Look up a guide item; a KeyError (not StopIteration) when the id is unknown."""
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


@dataclass(frozen=True)
class TranscriptionSettings:
    """Engine, model and decoding parameters; part of the transcript cache key."""

    engine: str = "faster-whisper"
    model: str = "base"
    compute_type: str = "int8"
    beam_size: int = 5
    threads: int = 0
    language: str | None = None
    task: str = "transcribe"
    guide_vocabulary: bool = True
    batch_size: int = 0
    speakers: str = "auto"
    """Speaker labels: "auto", "voice", "channels" or "none" (see pipeline.speakers)."""

    def cache_key(self) -> dict[str, Any]:
        """Only what changes the output: threads do not, and `speakers` enters as the way
        it resolves to for the recordings (see transcribe_interviewee)."""
        key = asdict(self)
        del key["threads"], key["speakers"]
        return key


@dataclass(frozen=True)
class Study:
    """A study folder: settings from study.toml plus the fixed folder layout."""

    root: Path
    title: str
    language: str = "en"
    honorific: str = "Magister"
    author: str = ""
    paper: str = "A4"
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)

    @property
    def guide_path(self) -> Path:
        return self.root / "guides" / "guide.yaml"

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def transcripts_dir(self) -> Path:
        return self.root / "transcripts"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


def join_words(words: Sequence[Word]) -> str:
    """Whisper words carry their own leading spaces: joined as they are, then trimmed."""
    return "".join(w.text for w in words).strip()


@dataclass(frozen=True)
class Segment:
    """A decoded stretch of speech with its words and Whisper's own quality numbers."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    flags: tuple[str, ...] = ()
    """Suspected recognition failures (see pipeline.transcribe.quality)."""
    speaker: str = ""
    """Who speaks: a role ("interviewer", "interviewee") from a labelled manual transcript,
    a voice-cluster label ("speaker-1", ...) from speaker separation, or "" when unknown."""

    @property
    def timed_words(self) -> tuple[Word, ...]:
        """The words, or the whole segment as one word when no word timings were kept."""
        return self.words or (Word(self.start, self.end, self.text, 1.0),)

    @property
    def confidence(self) -> float:
        """Mean word probability: how sure the recogniser was of this segment's words."""
        if not self.words:
            return 0.0
        return sum(w.probability for w in self.words) / len(self.words)


@dataclass(frozen=True)
class AudioSource:
    """One input file as it was when transcribed, so a result can be traced to it."""

    name: str
    size: int
    sha256: str
    duration: float


@dataclass(frozen=True)
class Provenance:
    sources: tuple[AudioSource, ...]
    engine: str
    model: str
    model_sha256: str
    settings: dict[str, Any]
    versions: dict[str, str]
    started: str
    finished: str


@dataclass(frozen=True)
class Transcript:
    """The machine transcript of one interviewee's recordings (concatenated in order)."""

    interviewee_id: str
    language: str
    duration: float
    segments: tuple[Segment, ...]
    provenance: Provenance
    timed: bool = True
    """False for a hand-made transcript without times: its word times are made up (only
    to order the words), so no time of it may be shown."""

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments).strip()

    def to_dict(self) -> dict[str, Any]:
        """Plain data, with each segment's confidence spelt out for people reading the file."""
        data = asdict(self)
        for segment, raw in zip(self.segments, data["segments"], strict=True):
            raw["confidence"] = round(segment.confidence, 4)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        prov = data["provenance"]
        return cls(
            interviewee_id=data["interviewee_id"],
            language=data["language"],
            duration=data["duration"],
            segments=tuple(
                Segment(
                    **{
                        **{k: v for k, v in s.items() if k != "confidence"},
                        "words": tuple(Word(**w) for w in s["words"]),
                        "flags": tuple(s.get("flags", ())),
                    }
                )
                for s in data["segments"]
            ),
            provenance=Provenance(
                **{**prov, "sources": tuple(AudioSource(**a) for a in prov["sources"])}
            ),
            timed=data.get("timed", True),
        )


class AnswerStatus(str, Enum):
    """What alignment made of a guide question (see README, "How alignment works")."""

    FOUND = "found"
    LOW_CONFIDENCE = "low-confidence"
    """Located, but the match or the recognition is weak: check it against the recording."""
    NOT_ASKED = "not-asked"
    """Not located in the recording: skipped by the interviewer, or asked beyond recognition."""
    MERGED = "merged-with"
    """Asked in one breath with another question (`merged_with`), which holds the answer."""

    @property
    def located(self) -> bool:
        """The question was found in the recording (with whatever certainty)."""
        return self is not AnswerStatus.NOT_ASKED


_OLD_STATUSES = {"not found": AnswerStatus.NOT_ASKED}
"""Status values of aligned files written by earlier versions."""


@dataclass(frozen=True)
class EarlyAnswer:
    """Interviewee speech that seems to answer a question before (or without) it being asked."""

    under_question: str
    """Id of the question whose answer holds this passage."""
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class AlignedAnswer:
    """A guide question located in a transcript and the answer cut out after it.

    `edited_answer` and `translation` are filled in review (by a person); exports prefer
    the edited text and never invent a translation.
    """

    question_id: str
    number: int
    question: str
    categories: tuple[str, ...]
    status: AnswerStatus
    answer: str = ""
    start: float | None = None
    end: float | None = None
    confidence: float = 0.0
    heard_question: str = ""
    question_start: float | None = None
    question_end: float | None = None
    edited_answer: str = ""
    translation: str = ""
    flags: tuple[str, ...] = ()
    """Quality flags of the transcript segments the answer was cut from."""
    edited: tuple[str, ...] = ()
    """What a person changed in review ("answer", "translation", "status", "anchor"):
    a re-run of alignment keeps these and never overwrites them."""
    edited_by: str = ""
    edited_at: str = ""
    """Who made the last review edit, and when (ISO 8601, UTC)."""
    machine_answer: str = ""
    """A conflict: a newer machine answer from a re-run, kept beside the edited one until
    the reviewer decides (see pipeline.review.merge)."""
    segment_ids: tuple[int, ...] = ()
    """Indexes (into the transcript's segments) of the segments the answer was cut from."""
    merged_with: str = ""
    """For status MERGED: id of the question asked together with this one."""
    early_answers: tuple[EarlyAnswer, ...] = ()
    """Passages under other questions that seem to answer this one early."""

    @property
    def status_label(self) -> str:
        """The status as written in exports: "merged-with q3" names the other question."""
        if self.status is AnswerStatus.MERGED:
            return f"{self.status.value} {self.merged_with}"
        return self.status.value

    @property
    def final_answer(self) -> str:
        """The answer as edited in review, else as aligned."""
        return self.edited_answer or self.answer


@dataclass(frozen=True)
class InterviewMatrix:
    """One interviewee's rows of the Appendix 1 matrix, and where they came from.

    `synthesis` (category id -> text) is the researcher's Appendix 2 summary, written in
    review; `source_files` and `transcript_sha256` trace the rows to the recordings and
    to the transcript file they were aligned from.
    """

    interviewee_id: str
    answers: tuple[AlignedAnswer, ...]
    synthesis: dict[str, str] = field(default_factory=dict)
    source_files: tuple[str, ...] = ()
    transcript_sha256: str = ""
    synthesis_edited_by: str = ""
    synthesis_edited_at: str = ""
    """Who last edited the synthesis in review, and when."""
    detached: tuple[AlignedAnswer, ...] = ()
    """Reviewed answers to questions no longer asked in the guide: kept, never exported,
    so an edit is not lost when the guide changes."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for answer in (*data["answers"], *data["detached"]):
            answer["status"] = answer["status"].value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterviewMatrix:
        """Also reads aligned files written before the review, provenance and alignment-detail
        fields existed; their "not found" status reads as not-asked."""
        return cls(
            interviewee_id=data["interviewee_id"],
            answers=tuple(_answer_from_dict(a) for a in data["answers"]),
            synthesis=dict(data.get("synthesis", {})),
            source_files=tuple(data.get("source_files", ())),
            transcript_sha256=data.get("transcript_sha256", ""),
            synthesis_edited_by=data.get("synthesis_edited_by", ""),
            synthesis_edited_at=data.get("synthesis_edited_at", ""),
            detached=tuple(_answer_from_dict(a) for a in data.get("detached", ())),
        )


def _answer_from_dict(a: dict[str, Any]) -> AlignedAnswer:
    return AlignedAnswer(
        **{
            **a,
            "categories": tuple(a["categories"]),
            "status": _OLD_STATUSES.get(a["status"]) or AnswerStatus(a["status"]),
            "flags": tuple(a.get("flags", ())),
            "segment_ids": tuple(a.get("segment_ids", ())),
            "early_answers": tuple(EarlyAnswer(**e) for e in a.get("early_answers", ())),
            "edited": tuple(a.get("edited", ())),
        }
    )
