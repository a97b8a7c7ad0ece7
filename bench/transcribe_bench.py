"""Compare transcription engines on the same audio, in one run: speed, memory and accuracy.

For each configuration (faster-whisper sequential, faster-whisper batched, openai-whisper
with the same base weights) this transcribes the bundled example recordings in a fresh
child process and prints real-time factor (processing seconds per audio second), peak
resident memory and word error rate against the text the recordings were made from.

    python bench/transcribe_bench.py            # the three example recordings
    python bench/transcribe_bench.py --long 60  # also a 60-minute recording (memory check)
    python bench/transcribe_bench.py --long 60 --long-only    # just the hour, default settings
    python bench/transcribe_bench.py --long 180 --decode-only # 3 hours, decoding memory only

openai-whisper needs `pip install torch==2.13.0 && pip install -e .[openai]` and
`interviews models convert` once; without it that row is skipped.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parents[1]
DECODE_ONLY = "decode-only"
CONFIGS = {
    "faster-whisper sequential": {"engine": "faster-whisper", "batch_size": 1},
    "faster-whisper batched": {"engine": "faster-whisper", "batch_size": 2},
    "openai-whisper": {"engine": "openai-whisper", "batch_size": 1},
    "decode and read parts only": {"engine": DECODE_ONLY},
}


def reference_texts() -> dict[str, str]:
    """What each example recording says, from the script it was synthesised from."""
    script = yaml.safe_load((REPO / "scripts" / "example_interviews.yaml").read_text("utf-8"))
    return {
        name: " ".join(turn["text"] for turn in interview["turns"])
        for name, interview in script.items()
    }


def child(config: dict[str, object], audio: list[str]) -> None:
    """Runs in a fresh process so peak memory belongs to this configuration alone; decodes
    the way `interviews transcribe` does (to a temporary file, read in parts of a few
    minutes), decoding included in the time."""
    from pipeline.audio import open_recordings
    from pipeline.models import TranscriptionSettings
    from pipeline.transcribe import create_transcriber
    from pipeline.transcribe.parts import transcribe_in_parts

    if config.get("engine") == DECODE_ONLY:
        transcriber: Any = PartReader()
    else:
        transcriber = create_transcriber(TranscriptionSettings(**config))  # type: ignore[arg-type]
    results = {}
    for path in audio:
        started = time.perf_counter()
        with open_recordings([Path(path)]) as samples:
            decoded = transcribe_in_parts(transcriber, samples, language=None)
        elapsed = time.perf_counter() - started
        text = " ".join(s.text for s in decoded.segments)
        results[Path(path).stem] = {
            "seconds": elapsed,
            "audio": len(samples) / 16_000,
            "text": text,
        }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"results": results, "peak_mb": peak_mb}))


class PartReader:
    """Stands in for an engine: takes each part's samples and returns nothing, so the peak
    memory measured is that of decoding and reading parts alone."""

    engine = model_name = DECODE_ONLY
    model_sha256 = ""

    def transcribe(self, samples: Any, **options: Any) -> Any:
        from pipeline.transcribe.base import Decoded

        return Decoded(language="es", segments=())


def word_error_rate(reference: str, hypothesis: str) -> float:
    from pipeline.align import normalise

    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return Levenshtein.distance(ref, hyp) / len(ref)


def run_config(config: dict[str, object], audio: list[Path]) -> dict | None:
    command = [sys.executable, __file__, "--child", json.dumps(config), *map(str, audio)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  skipped: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def long_recording(minutes: int, folder: Path) -> Path:
    """An hour-scale file made by repeating the example recordings."""
    sources = sorted((REPO / "audio").glob("*.mp3"))
    listing = folder / "list.txt"
    repeats = minutes * 60 // 430 + 1
    listing.write_text("".join(f"file '{p}'\n" for _ in range(repeats) for p in sources))
    output = folder / f"long-{minutes}min.mp3"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing)),
            *("-t", str(minutes * 60), "-c", "copy", str(output)),
        ],
        check=True,
    )
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--long", type=int, metavar="MINUTES", help="add a long recording")
    parser.add_argument(
        "--long-only",
        action="store_true",
        help="with --long: only the long recording (decoding alone, then default settings)",
    )
    parser.add_argument(
        "--decode-only",
        action="store_true",
        help="with --long: only decoding and reading the parts, no engine (memory check)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        child(json.loads(args.child), rest)
        return
    long_configs = ["decode and read parts only", "faster-whisper batched"]
    if not args.long_only:
        long_configs.insert(1, "faster-whisper sequential")
    if args.decode_only:
        long_configs = long_configs[:1]
    if args.long and (args.long_only or args.decode_only):
        measure_long(args.long, long_configs)
        return
    references = reference_texts()
    audio = sorted((REPO / "audio").glob("*.mp3"))
    print(f"{'configuration':28s} {'RTF':>6s} {'peak MB':>8s} {'WER':>6s}")
    timings = {}
    for name, config in CONFIGS.items():
        if config["engine"] == DECODE_ONLY:
            continue
        measured = run_config(config, audio)
        if measured is None:
            continue
        results = measured["results"]
        rtf = sum(r["seconds"] for r in results.values()) / sum(
            r["audio"] for r in results.values()
        )
        wer = sum(
            word_error_rate(references[stem], r["text"]) for stem, r in results.items()
        ) / len(results)
        timings[name] = rtf
        print(f"{name:28s} {rtf:6.3f} {measured['peak_mb']:8.0f} {wer:6.1%}")
    if "openai-whisper" in timings:
        for name in ("faster-whisper sequential", "faster-whisper batched"):
            ratio = timings["openai-whisper"] / timings[name]
            print(f"{name} is {ratio:.1f}x faster than openai-whisper")
    if args.long:
        measure_long(args.long, long_configs)


def measure_long(minutes: int, configs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = long_recording(minutes, Path(folder))
        for name in configs:
            measured = run_config(CONFIGS[name], [path])
            if measured:
                result = next(iter(measured["results"].values()))
                rtf = result["seconds"] / result["audio"]
                print(f"{minutes} min, {name}: RTF {rtf:.3f}, peak {measured['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
