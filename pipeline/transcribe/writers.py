"""Plain-text and subtitle files written next to each transcript JSON.

Formats follow openai-whisper's writers: SRT with `HH:MM:SS,mmm` and numbered cues, WebVTT
with a `WEBVTT` header and `MM:SS.mmm` (hours only when needed).
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import Transcript


def format_timestamp(seconds: float, *, always_include_hours: bool, decimal_marker: str) -> str:
    milliseconds = round(seconds * 1000)
    hours, milliseconds = divmod(milliseconds, 3_600_000)
    minutes, milliseconds = divmod(milliseconds, 60_000)
    secs, milliseconds = divmod(milliseconds, 1000)
    hours_part = f"{hours:02d}:" if always_include_hours or hours else ""
    return f"{hours_part}{minutes:02d}:{secs:02d}{decimal_marker}{milliseconds:03d}"


def vtt_escape(text: str) -> str:
    """WebVTT cue text is HTML-like: a bare "<" or "&" would break the cue."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_txt(transcript: Transcript) -> str:
    """The transcript with [mm:ss] stamps (none when it is untimed) and speaker labels
    where known, for people who do not read JSON."""
    lines = []
    for segment in transcript.segments:
        minutes, secs = divmod(int(segment.start), 60)
        stamp = f"[{minutes:02d}:{secs:02d}] " if transcript.timed else ""
        speaker = f"{segment.speaker}: " if segment.speaker else ""
        lines.append(f"{stamp}{speaker}{segment.text.strip()}")
    return "\n".join(lines) + "\n"


def to_srt(transcript: Transcript) -> str:
    cues = []
    for number, segment in enumerate(transcript.segments, start=1):
        start, end = (
            format_timestamp(t, always_include_hours=True, decimal_marker=",")
            for t in (segment.start, segment.end)
        )
        cues.append(f"{number}\n{start} --> {end}\n{segment.text.strip().replace('-->', '->')}\n")
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    cues = ["WEBVTT\n"]
    for segment in transcript.segments:
        start, end = (
            format_timestamp(t, always_include_hours=False, decimal_marker=".")
            for t in (segment.start, segment.end)
        )
        cues.append(f"{start} --> {end}\n{vtt_escape(segment.text.strip())}\n")
    return "\n".join(cues)


TRANSCRIPT_WRITERS: dict[str, Callable[[Transcript], str]] = {
    "txt": to_txt,
    "srt": to_srt,
    "vtt": to_vtt,
}
