"""Generate the bundled example interview recordings in audio/.

This script is for maintainers only: the committed MP3 files are what users
and CI run on, so it only needs to be re-run when
scripts/example_interviews.yaml changes. It synthesises every turn of the
spoken script with espeak-ng (a different voice for interviewer and
interviewee) and joins the turns into one mono 16 kHz MP3 per interviewee.

Requires the ``espeak-ng`` and ``ffmpeg`` executables on PATH, plus PyYAML and
pydub.

Usage::

    python scripts/make_example_audio.py [--script PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

import yaml
from pydub import AudioSegment

REPO_ROOT = Path(__file__).resolve().parent.parent

# espeak-ng voices per interview language: a female interviewer and a male
# interviewee, so the two speakers are clearly distinguishable.
VOICES: dict[str, dict[str, str]] = {
    "es": {"interviewer": "es-419+f4", "interviewee": "es-419"},
    "en": {"interviewer": "en-gb+f3", "interviewee": "en-us"},
}
WORDS_PER_MINUTE = 155
SAMPLE_RATE = 16_000
BITRATE = "32k"
PAUSE_MS = 800  # silence between turns
QUESTION_PAUSE_MS = 1200  # silence before an interviewer question
EDGE_MS = 300  # silence at the start and end of each recording


def synthesise(text: str, voice: str, workdir: Path) -> AudioSegment:
    """Speak ``text`` with espeak-ng and return it as mono 16 kHz audio."""
    wav = workdir / "turn.wav"
    subprocess.run(
        ["espeak-ng", "-b", "1", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), text],
        check=True,
    )
    return AudioSegment.from_wav(wav).set_channels(1).set_frame_rate(SAMPLE_RATE)


def silence(ms: int) -> AudioSegment:
    """Return ``ms`` milliseconds of mono 16 kHz silence."""
    return AudioSegment.silent(duration=ms, frame_rate=SAMPLE_RATE)


def render_interview(turns: list[dict], language: str, workdir: Path) -> AudioSegment:
    """Synthesise all turns of one interview into a single recording."""
    voices = VOICES[language]
    audio = silence(EDGE_MS)
    for index, turn in enumerate(turns):
        if index:
            audio += silence(QUESTION_PAUSE_MS if "question" in turn else PAUSE_MS)
        audio += synthesise(turn["text"], voices[turn["speaker"]], workdir)
    return audio + silence(EDGE_MS)


def export_atomic(audio: AudioSegment, target: Path) -> None:
    """Encode ``audio`` as MP3 next to ``target``, then move it into place."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".mp3")
    os.close(fd)
    try:
        audio.export(
            tmp_name,
            format="mp3",
            bitrate=BITRATE,
            parameters=["-ac", "1", "-ar", str(SAMPLE_RATE), "-fflags", "+bitexact"],
        )
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> None:
    """Generate one MP3 per interviewee in the spoken script."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--script",
        type=Path,
        default=REPO_ROOT / "scripts" / "example_interviews.yaml",
        help="spoken script (default: scripts/example_interviews.yaml)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "audio",
        help="output folder (default: audio/)",
    )
    args = parser.parse_args(argv)

    interviews = yaml.safe_load(args.script.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for interviewee, interview in interviews.items():
            audio = render_interview(interview["turns"], interview["language"], Path(tmp))
            target = args.out / f"{interviewee}.mp3"
            export_atomic(audio, target)
            size_kb = target.stat().st_size / 1024
            print(f"wrote {target} ({audio.duration_seconds:.1f} s, {size_kb:.0f} KiB)")


if __name__ == "__main__":
    main()
