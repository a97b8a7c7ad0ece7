"""Plain transcripts per interview, with inferred speaker labels and timestamps:
TXT for reading, SRT and WebVTT for media players and subtitle editors, JSON for tools.

Speaker labels come from the alignment (see content.SPEAKER_NOTE), not from diarization,
or from a typed transcript's own labels. An untimed typed transcript has no subtitles.
"""

from __future__ import annotations

import json

from ..transcribe.writers import format_timestamp, vtt_escape
from . import AppendixData
from .content import TranscriptView, plain_transcript, speaker_note, transcript_views


class TranscriptTxt:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        return {
            f"transcripts/{view.interviewee.id}.txt": plain_transcript(view)[0].encode("utf-8")
            for view in transcript_views(data)
        }


def _srt_time(seconds: float) -> str:
    return format_timestamp(seconds, always_include_hours=True, decimal_marker=",")


def _vtt_time(seconds: float) -> str:
    return format_timestamp(seconds, always_include_hours=True, decimal_marker=".")


def _srt(view: TranscriptView) -> str:
    cues = []
    for number, turn in enumerate(view.turns, start=1):
        times = f"{_srt_time(turn.start)} --> {_srt_time(turn.end)}"
        text = f"{turn.speaker}: {turn.text}" if turn.speaker else turn.text
        cues.append(f"{number}\n{times}\n{text}\n")
    return "\n".join(cues)


class TranscriptSrt:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        return {
            f"transcripts/{view.interviewee.id}.srt": _srt(view).encode("utf-8")
            for view in transcript_views(data)
            if view.transcript.timed
        }


def _vtt(view: TranscriptView) -> str:
    blocks = ["WEBVTT", f"NOTE {speaker_note(view.transcript)}"]
    for turn in view.turns:
        times = f"{_vtt_time(turn.start)} --> {_vtt_time(turn.end)}"
        voice = f"<v {vtt_escape(turn.speaker)}>" if turn.speaker else ""
        blocks.append(f"{times}\n{voice}{vtt_escape(turn.text)}")
    return "\n\n".join(blocks) + "\n"


class TranscriptVtt:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        return {
            f"transcripts/{view.interviewee.id}.vtt": _vtt(view).encode("utf-8")
            for view in transcript_views(data)
            if view.transcript.timed
        }


def _json(view: TranscriptView) -> str:
    timed = view.transcript.timed
    payload = {
        "interviewee_id": view.interviewee.id,
        "name": view.interviewee.name,
        "role": view.interviewee.role,
        "language": view.transcript.language,
        "duration": view.transcript.duration,
        "source_files": list(view.matrix.source_files),
        "transcript_sha256": view.matrix.transcript_sha256,
        "speaker_labels": speaker_note(view.transcript),
        "turns": [
            {
                "start": t.start if timed else None,
                "end": t.end if timed else None,
                "speaker": t.speaker,
                "text": t.text,
            }
            for t in view.turns
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


class TranscriptJson:
    def render(self, data: AppendixData) -> dict[str, bytes]:
        return {
            f"transcripts/{view.interviewee.id}.json": _json(view).encode("utf-8")
            for view in transcript_views(data)
        }
