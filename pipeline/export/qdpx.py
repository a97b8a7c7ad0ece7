"""A REFI-QDA project (.qdpx) for QualCoder, ATLAS.ti, MAXQDA and NVivo.

The zip holds project.qde (QDA-XML 1.0) and sources/<guid>.txt, one plain-text
transcript per interview (the transcript-txt export). The codebook has one code per
guide category (described by its conceptualization) and, under "Guide questions", one
code per question; every located answer is a coded selection of its transcript, coded
with its categories and its question. GUIDs are uuid5 of the study title and guide ids,
so exporting again gives the same project and a QDA program sees the same codes.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile

from .. import __version__
from ..models import AlignedAnswer, Question
from . import AppendixData
from .content import TranscriptView, plain_transcript, transcript_views, xml_safe

NAMESPACE = "urn:QDA-XML:project:1.0"
GUID_NAMESPACE = uuid.UUID("5b0f6c1e-8a57-4c2a-9f3e-1c0d7e2b9a41")
"""Fixed namespace for this program's uuid5 GUIDs."""
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""A fixed date inside the zip, so the same study gives byte-identical projects."""
DEFAULT_USER = "Researcher"


class QdpxProject:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        project = _Project(data)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "project.qde", project.xml())
            for name, text in project.sources.items():
                _add(archive, f"sources/{name}", text.encode("utf-8"))
        return {"project.qdpx": buffer.getvalue()}


def _add(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, content)


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _description(parent: ET.Element, text: str) -> None:
    if text:
        _element(parent, "Description").text = xml_safe(text)


class _Project:
    """Builds project.qde; `sources` collects the text files it refers to."""

    def __init__(self, data: AppendixData) -> None:
        self.data = data
        self.sources: dict[str, str] = {}
        self.user = self.guid("user")

    def guid(self, *parts: str) -> str:
        return str(uuid.uuid5(GUID_NAMESPACE, "/".join((self.data.study.title, *parts))))

    def xml(self) -> bytes:
        root = ET.Element(
            "Project",
            {
                "xmlns": NAMESPACE,
                "name": xml_safe(self.data.study.title),
                "origin": f"interview-pipeline {__version__}",
                "creatingUserGUID": self.user,
            },
        )
        users = _element(root, "Users")
        author = self.data.study.author or DEFAULT_USER
        _element(users, "User", guid=self.user, name=xml_safe(author))
        self._codebook(_element(_element(root, "CodeBook"), "Codes"))
        sources = _element(root, "Sources")
        for view in transcript_views(self.data):
            self._source(sources, view)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def _codebook(self, codes: ET.Element) -> None:
        for category in self.data.guide.categories:
            code = _element(
                codes,
                "Code",
                guid=self.guid("category", category.id),
                name=xml_safe(category.name),
                isCodable="true",
            )
            _description(code, category.conceptualization)
        questions = _element(
            codes, "Code", guid=self.guid("questions"), name="Guide questions", isCodable="false"
        )
        for question in self.data.guide.questions:
            code = _element(
                questions,
                "Code",
                guid=self.guid("question", question.id),
                name=xml_safe(f"{question.id}: {question.text_in(self.data.study.language)}"),
                isCodable="true",
            )
            _description(code, _question_description(question))

    def _source(self, sources: ET.Element, view: TranscriptView) -> None:
        interviewee = view.interviewee
        guid = self.guid("source", interviewee.id)
        text, ranges = plain_transcript(view)
        self.sources[f"{guid}.txt"] = text
        source = _element(
            sources,
            "TextSource",
            guid=guid,
            name=xml_safe(interviewee.name),
            plainTextPath=f"internal://{guid}.txt",
            creatingUser=self.user,
        )
        _description(source, _source_description(view))
        for answer in view.matrix.answers:
            span = _answer_span(view, ranges, answer, interviewee.name)
            if span:
                self._selection(source, interviewee.id, answer, span)

    def _selection(
        self, source: ET.Element, interviewee_id: str, answer: AlignedAnswer, span: tuple[int, int]
    ) -> None:
        selection = _element(
            source,
            "PlainTextSelection",
            guid=self.guid("answer", interviewee_id, answer.question_id),
            name=xml_safe(f"Q{answer.number}: {answer.question}"),
            startPosition=str(span[0]),
            endPosition=str(span[1]),
            creatingUser=self.user,
        )
        codes = [("category", c) for c in answer.categories] + [("question", answer.question_id)]
        for kind, code_id in codes:
            coding = _element(
                selection,
                "Coding",
                guid=self.guid("coding", interviewee_id, answer.question_id, kind, code_id),
                creatingUser=self.user,
            )
            _element(coding, "CodeRef", targetGUID=self.guid(kind, code_id))


def _source_description(view: TranscriptView) -> str:
    lines = [view.interviewee.role, f"Recordings: {', '.join(view.matrix.source_files)}"]
    if view.matrix.transcript_sha256:
        lines.append(f"Transcript sha256: {view.matrix.transcript_sha256}")
    return "\n".join(lines)


def _question_description(question: Question) -> str:
    lines = [f"{language}: {text}" for language, text in question.text.items()]
    lines += [f"Follow-up: {prompt}" for prompt in question.follow_ups]
    return "\n".join(lines)


def _answer_span(
    view: TranscriptView, ranges: list[tuple[int, int]], answer: AlignedAnswer, speaker: str
) -> tuple[int, int] | None:
    """Characters from the first to the last turn of the answer (end exclusive, 0-based
    code points, as the REFI-QDA text selections count them)."""
    if answer.start is None or answer.end is None:
        return None
    inside = [
        span
        for turn, span in zip(view.turns, ranges, strict=True)
        if turn.speaker == speaker and answer.start <= (turn.start + turn.end) / 2 <= answer.end
    ]
    return (inside[0][0], inside[-1][1]) if inside else None
