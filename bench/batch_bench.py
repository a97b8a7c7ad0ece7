"""Batch throughput: the same recordings transcribed by 1 and 2 local workers and by a Dask
LocalCluster of 2 single-threaded workers; then alignment + export of 100 interviews.

For each configuration a fresh child process transcribes a fresh copy of a study of
RECORDINGS recordings (cut from the bundled example audio, MINUTES each) and prints wall
time, audio-hours transcribed per hour and the peak resident memory of each worker process.

    python bench/batch_bench.py                     # 8 recordings x 3 minutes
    python bench/batch_bench.py --recordings 4 --minutes 2
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIGS = {"workers=1": {"workers": 1}, "workers=2": {"workers": 2}, "Dask LocalCluster(2)": {}}


def make_study(folder: Path, recordings: int, minutes: float) -> Path:
    """A study of `recordings` interviewees, each one recording cut from the example audio
    (the three example files joined and repeated, each cut starting somewhere else)."""
    root = folder / "study"
    (root / "audio").mkdir(parents=True)
    (root / "guides").mkdir()
    shutil.copy(REPO / "study.toml", root / "study.toml")
    listing = folder / "list.txt"
    sources = sorted((REPO / "audio").glob("*.mp3"))
    listing.write_text("".join(f"file '{p}'\n" for _ in range(recordings) for p in sources))
    guide = yaml.safe_load((REPO / "guides" / "guide.yaml").read_text("utf-8"))
    template = guide["interviewees"][0]
    guide["interviewees"] = []
    for index in range(recordings):
        name = f"person-{index + 1:02d}"
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing)),
                *("-ss", str(index * 53), "-t", str(minutes * 60)),
                *("-c", "copy", str(root / "audio" / f"{name}.mp3")),
            ],
            check=True,
        )
        guide["interviewees"].append({**template, "id": name, "recordings": [f"{name}.mp3"]})
    text = yaml.safe_dump(guide, allow_unicode=True, sort_keys=False)
    (root / "guides" / "guide.yaml").write_text(text, "utf-8")
    return root


def child(config: dict[str, Any], root: str) -> None:
    """One configuration, timed in its own process; prints a JSON line."""
    from pipeline.transcribe import load_transcript, transcript_path
    from pipeline.workflow import open_study, transcribe_study

    study, guide = open_study(Path(root), check_recordings=True)
    cluster = None
    if not config:
        import dask
        from distributed import LocalCluster

        from pipeline.batch import DASK_TRIM_SETTING

        with dask.config.set({DASK_TRIM_SETTING: None}):  # see README, "Scaling up"
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
        config = {"scheduler": cluster.scheduler_address}
    started = time.perf_counter()
    outcomes = transcribe_study(study, guide, guide.interviewees, **config)
    wall = time.perf_counter() - started
    audio = sum(
        load_transcript(transcript_path(study, i.id)).duration
        for i, o in zip(guide.interviewees, outcomes, strict=True)
        if o.ok
    )
    if cluster is not None:
        from distributed import Client

        with Client(cluster) as client:
            peaks = list(client.run(_peak_mb).values())
        cluster.close()
    elif config["workers"] > 1:
        peaks = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]  # the largest
    else:
        peaks = [_peak_mb()]
    failed = [o.interviewee_id for o in outcomes if not o.ok]
    print(json.dumps({"wall": wall, "audio": audio, "peaks": peaks, "failed": failed}))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def align_and_export(root: Path, count: int) -> tuple[float, float]:
    """Seconds to align and to export `count` interviewees, their transcripts copied from
    the ones just made (alignment and export do not depend on how many there are)."""
    from pipeline.workflow import align_study, export_study, open_study

    guide_path = root / "guides" / "guide.yaml"
    guide = yaml.safe_load(guide_path.read_text("utf-8"))
    made = [root / "transcripts" / f"{i['id']}.json" for i in guide["interviewees"]]
    template = guide["interviewees"][0]
    guide["interviewees"] = []
    for index in range(count):
        name = f"many-{index + 1:03d}"
        data = json.loads(made[index % len(made)].read_text("utf-8"))
        data["interviewee_id"] = name
        (root / "transcripts" / f"{name}.json").write_text(json.dumps(data), "utf-8")
        recording = data["provenance"]["sources"][0]["name"]
        guide["interviewees"].append({**template, "id": name, "recordings": [recording]})
    guide_path.write_text(yaml.safe_dump(guide, allow_unicode=True, sort_keys=False), "utf-8")
    study, loaded = open_study(root)
    started = time.perf_counter()
    align_study(study, loaded, loaded.interviewees)
    aligned = time.perf_counter()
    export_study(study, loaded, loaded.interviewees, ["appendix1-docx", "appendix1-csv"])
    return aligned - started, time.perf_counter() - aligned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--interviews", type=int, default=100, help="for align + export")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        child(json.loads(args.child), rest[0])
        return
    with tempfile.TemporaryDirectory() as folder:
        template = make_study(Path(folder), args.recordings, args.minutes)
        print(f"{args.recordings} recordings x {args.minutes:g} min")
        print(f"{'configuration':22s} {'wall s':>7s} {'audio h/h':>9s}  peak MB per worker")
        last = template
        for name, config in CONFIGS.items():
            root = Path(shutil.copytree(template, Path(folder) / name.replace(" ", "_")))
            command = [sys.executable, __file__, "--child", json.dumps(config), str(root)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{name:22s} skipped: {done.stderr.strip().splitlines()[-1]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rate = result["audio"] / result["wall"]
            peaks = ", ".join(f"{p:.0f}" for p in result["peaks"])
            failed = f"  FAILED: {result['failed']}" if result["failed"] else ""
            print(f"{name:22s} {result['wall']:7.1f} {rate:9.1f}  {peaks}{failed}")
            last = root
        align_s, export_s = align_and_export(last, args.interviews)
        print(
            f"{args.interviews} interviews: align {align_s:.1f} s, "
            f"export Appendix 1 DOCX+CSV {export_s:.1f} s"
        )


if __name__ == "__main__":
    main()
