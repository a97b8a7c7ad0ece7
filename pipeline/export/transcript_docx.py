"""A transcript per interview as Word: who, which recordings, then one paragraph per
turn, "[mm:ss] Speaker: text", with the timestamp small and the speaker bold."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from . import AppendixData
from .content import TranscriptView, speaker_note, stamp, transcript_views, xml_safe
from .word import SMALL_COLOUR, SMALL_TEXT, add_text, clear_body, new_document, to_bytes


class TranscriptDocx:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        """One parsed document, emptied between interviews: parsing Word's template for
        each of a hundred transcripts would take most of the export's time."""
        document = new_document(data.study, "Transcript")
        files = {}
        for view in transcript_views(data):
            clear_body(document)
            _fill(document, data, view)
            files[f"transcripts/{view.interviewee.id}.docx"] = to_bytes(document)
        return files


def _fill(document: DocumentObject, data: AppendixData, view: TranscriptView) -> None:
    interviewee = view.interviewee
    document.core_properties.title = xml_safe(
        f"{data.study.title}: Transcript of the interview with {interviewee.name}"
    )
    title = f"Transcript: {data.display_name(interviewee)}"
    add_text(document.add_paragraph(), title).bold = True
    add_text(document.add_paragraph(), interviewee.role.upper())
    recordings = ", ".join(view.matrix.source_files) or "unknown"
    add_text(document.add_paragraph(), f"Recordings: {recordings}")
    document.add_paragraph().add_run(speaker_note(view.transcript)).italic = True
    for turn in view.turns:
        paragraph = document.add_paragraph()
        if view.transcript.timed:
            time = paragraph.add_run(stamp(view.transcript, turn))
            time.font.size = SMALL_TEXT
            time.font.color.rgb = SMALL_COLOUR
        if turn.speaker:
            add_text(paragraph, f"{turn.speaker}: ").bold = True
        add_text(paragraph, turn.text)
