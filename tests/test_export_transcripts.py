"""Transcript exports: speaker labels inferred from the alignment, TXT/SRT/VTT/JSON/DOCX."""

from __future__ import annotations

import json
from pathlib import Path

from export_fixtures import FELIPE_SHA, docx_paragraphs, with_transcripts
from fakes import A1, A2, A3, A4, GREETING, Q1_ES, Q2_ES, Q3_ES, Q4_ES

from pipeline.export.content import INTERVIEWER, SPEAKER_NOTE, plain_transcript, turns
from pipeline.export.transcript_docx import TranscriptDocx
from pipeline.export.transcripts import TranscriptJson, TranscriptSrt, TranscriptTxt, TranscriptVtt

FELIPE = "Felipe Ochoa"


def test_turns_are_labelled_from_the_alignment(tmp_path: Path) -> None:
    """Questions located -> interviewer; answers -> interviewee; the greeting: no label.

    Felipe was not asked q3, so its question and answer belong to his answer to q2:
    the labels say what the alignment found, not who really spoke.
    """
    data = with_transcripts(tmp_path)
    [matrix] = data.matrices
    transcript = data.transcripts["felipe-ochoa"]
    felipe = data.guide.interviewee("felipe-ochoa")
    assert [(t.speaker, t.text) for t in turns(transcript, matrix, felipe)] == [
        ("", GREETING),
        (INTERVIEWER, Q1_ES),
        (FELIPE, A1),
        (INTERVIEWER, Q2_ES),
        (FELIPE, A2),
        (FELIPE, Q3_ES),
        (FELIPE, A3),
        (INTERVIEWER, Q4_ES),
        (FELIPE, A4),
    ]


def test_txt(tmp_path: Path) -> None:
    rendered = TranscriptTxt().render(with_transcripts(tmp_path))
    text = rendered["transcripts/felipe-ochoa.txt"].decode("utf-8")
    lines = text.splitlines()
    assert lines[:4] == [
        "Felipe Ochoa (Director of Planning)",
        "Recordings: felipe-ochoa.wav",
        SPEAKER_NOTE,
        "",
    ]
    assert lines[4:7] == [
        f"[00:00] {GREETING}",
        f"[00:04] Interviewer: {Q1_ES}",
        f"[00:10] Felipe Ochoa: {A1}",
    ]
    assert len(lines) == 4 + 9


def test_plain_transcript_ranges_point_at_the_turn_texts(tmp_path: Path) -> None:
    data = with_transcripts(tmp_path)
    from pipeline.export.content import transcript_views

    [view] = transcript_views(data)
    text, ranges = plain_transcript(view)
    assert [text[a:b] for a, b in ranges] == [t.text for t in view.turns]


def test_srt(tmp_path: Path) -> None:
    text = TranscriptSrt().render(with_transcripts(tmp_path))["transcripts/felipe-ochoa.srt"]
    cues = text.decode("utf-8").split("\n\n")
    assert cues[0] == f"1\n00:00:00,000 --> 00:00:03,000\n{GREETING}"
    assert cues[1] == f"2\n00:00:04,000 --> 00:00:09,000\nInterviewer: {Q1_ES}"
    assert cues[2] == f"3\n00:00:10,000 --> 00:00:14,000\nFelipe Ochoa: {A1}"
    assert len(cues) == 9


def test_vtt(tmp_path: Path) -> None:
    text = TranscriptVtt().render(with_transcripts(tmp_path))["transcripts/felipe-ochoa.vtt"]
    blocks = text.decode("utf-8").split("\n\n")
    assert blocks[0] == "WEBVTT"
    assert blocks[1] == f"NOTE {SPEAKER_NOTE}"
    assert blocks[2] == f"00:00:00.000 --> 00:00:03.000\n{GREETING}"
    assert blocks[3] == f"00:00:04.000 --> 00:00:09.000\n<v Interviewer>{Q1_ES}"
    assert blocks[4] == f"00:00:10.000 --> 00:00:14.000\n<v Felipe Ochoa>{A1}"


def test_json(tmp_path: Path) -> None:
    raw = TranscriptJson().render(with_transcripts(tmp_path))["transcripts/felipe-ochoa.json"]
    payload = json.loads(raw)
    assert {k: v for k, v in payload.items() if k != "turns"} == {
        "interviewee_id": "felipe-ochoa",
        "name": "Felipe Ochoa",
        "role": "Director of Planning",
        "language": "es",
        "duration": 43.0,
        "source_files": ["felipe-ochoa.wav"],
        "transcript_sha256": FELIPE_SHA,
        "speaker_labels": SPEAKER_NOTE,
    }
    assert payload["turns"][1] == {
        "start": 4.0,
        "end": 9.0,
        "speaker": "Interviewer",
        "text": Q1_ES,
    }
    assert "¿Cuáles" in raw.decode("utf-8")  # not \u-escaped


def test_docx(tmp_path: Path) -> None:
    rendered = TranscriptDocx().render(with_transcripts(tmp_path))["transcripts/felipe-ochoa.docx"]
    paragraphs = docx_paragraphs(rendered)
    assert paragraphs[:4] == [
        "Transcript: Magister. Felipe Ochoa",
        "DIRECTOR OF PLANNING",
        "Recordings: felipe-ochoa.wav",
        SPEAKER_NOTE,
    ]
    assert paragraphs[4:6] == [f"[00:00] {GREETING}", f"[00:04] Interviewer: {Q1_ES}"]
    assert len(paragraphs) == 4 + 9
