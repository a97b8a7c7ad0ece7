"""Transcribe many interviewees at once: in this process, in N local worker processes, or on
an existing Dask cluster.

Transcription is the only expensive stage, so it is the only one spread out. Every worker
runs one task function, `run_job`, which transcribes one interviewee and *returns* the
transcript; only the calling process writes into the study (atomically, once per
interviewee), so a crashed or duplicated worker can never leave a half-written file.
Decoding is deterministic (same settings, no sampling), so the transcripts are the same
whatever the number of workers or threads.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .models import Transcript, TranscriptionSettings
from .transcribe import Transcriber, TranscriptionRequest, transcribe_request
from .transcribe.base import ProgressCallback

EngineFactory = Callable[[TranscriptionSettings], Transcriber]
PARALLEL_FROM_SECONDS = 600.0
"""Below this much audio to transcribe, worker processes are not worth starting (each
loads its own copy of the model, a few seconds): the batch runs in this process."""
WORKER_MEMORY_BYTES = 1_000_000_000
"""Peak resident memory of one worker with the base model (measured about 0.6-0.9 GB),
so the default never starts more workers than the machine's memory holds."""
CRASH_RETRIES = 1
"""How often a recording whose worker process died is tried again before it is failed."""
DASK_EXTRA = "pip install 'interview-pipeline[dask]'"
DASK_TRIM_SETTING = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which made transcription
2.5x slower in a worker (measured); clusters for this should set it to None (README)."""


@dataclass(frozen=True)
class Job:
    """One interviewee's transcription as sent to a worker: the request, the settings and
    the engine factory (pickled by reference, so workers build the same engine)."""

    request: TranscriptionRequest
    settings: TranscriptionSettings
    factory: EngineFactory
    duration: float = 0.0
    """Probed length of the audio in seconds, for progress and ETA only."""


@dataclass(frozen=True)
class JobResult:
    interviewee_id: str
    transcript: Transcript | None = None
    error: PipelineError | None = None
    crashes: int = 0
    """How many times a worker process died while transcribing this interviewee."""


@dataclass(frozen=True)
class FileProgress:
    interviewee_id: str
    done: float
    """Seconds of audio transcribed so far (0 while only queued on a Dask cluster)."""
    total: float


@dataclass(frozen=True)
class BatchProgress:
    """The whole batch at one moment: for one overall progress line and an ETA."""

    recordings_done: int
    recordings_total: int
    audio_done: float
    audio_total: float
    elapsed: float
    running: tuple[FileProgress, ...] = ()

    @property
    def eta(self) -> float | None:
        """Seconds left, from the audio-seconds-per-second rate so far; None before any."""
        if self.audio_done <= 0 or self.elapsed <= 0:
            return None
        return max(0.0, self.elapsed * (self.audio_total - self.audio_done) / self.audio_done)


BatchCallback = Callable[[BatchProgress], None]
PartProgress = Callable[[str], ProgressCallback | None]
"""Per-interviewee progress callbacks (seconds done, total), by interviewee id."""


def default_workers(audio_seconds: float, jobs: int, cores: int | None = None) -> int:
    """One single-threaded worker per core, measured 1.3x the throughput of one worker
    using both cores on a 2-core machine; fewer when memory or the batch is small."""
    cores = cores or os.cpu_count() or 1
    if audio_seconds < PARALLEL_FROM_SECONDS or jobs < 2:
        return 1
    memory = _physical_memory()
    by_memory = max(1, memory // WORKER_MEMORY_BYTES) if memory else cores
    return max(1, min(cores, jobs, by_memory))


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def worker_settings(settings: TranscriptionSettings, workers: int) -> TranscriptionSettings:
    """Split the cores between the workers (threads = cores / N) unless threads are set."""
    if settings.threads:
        return settings
    return replace(settings, threads=max(1, (os.cpu_count() or 1) // workers))


_ENGINES: dict[tuple[EngineFactory, TranscriptionSettings], Transcriber] = {}


def _engine(factory: EngineFactory, settings: TranscriptionSettings) -> Transcriber:
    """One engine per worker process, reused across its tasks (the model loads once)."""
    key = (factory, settings)
    if key not in _ENGINES:
        _ENGINES.clear()
        _ENGINES[key] = factory(settings)
    return _ENGINES[key]


def run_job(
    job: Job, *audio: bytes, on_progress: ProgressCallback | None = None
) -> Transcript | PipelineError:
    """The task every worker runs. `audio`: the recordings' bytes, for workers that cannot
    see the client's files (Dask); written to a private temporary folder under their own
    names, so checksums and provenance are those of the originals. A user-fixable problem
    (bad recording, missing model) is returned, not raised, so it is never retried."""
    try:
        transcriber = _engine(job.factory, job.settings)
        if not audio:
            return transcribe_request(job.request, transcriber, on_progress=on_progress)
        with tempfile.TemporaryDirectory(prefix="interviews-job-") as folder:
            copies = []
            for index, (path, data) in enumerate(zip(job.request.recordings, audio, strict=True)):
                copy = Path(folder) / str(index) / path.name
                copy.parent.mkdir()
                copy.write_bytes(data)
                copies.append(copy)
            request = replace(job.request, recordings=tuple(copies))
            try:
                return transcribe_request(request, transcriber, on_progress=on_progress)
            except PipelineError as error:
                originals = dict(zip(copies, job.request.recordings, strict=True))
                if error.file in originals:
                    error.file = originals[error.file]  # name the user's file, not the copy
                raise
    except PipelineError as error:
        return error


def _result(job: Job, value: Transcript | PipelineError, crashes: int = 0) -> JobResult:
    interviewee_id = job.request.interviewee_id
    if isinstance(value, PipelineError):
        return JobResult(interviewee_id, error=value, crashes=crashes)
    return JobResult(interviewee_id, transcript=value, crashes=crashes)


@dataclass
class _Tracker:
    """Turns start / progress / finish events into BatchProgress for the callback."""

    jobs: Sequence[Job]
    on_batch: BatchCallback | None
    started: float = field(default_factory=time.monotonic)
    finished: set[str] = field(default_factory=set)
    running: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.durations = {job.request.interviewee_id: job.duration for job in self.jobs}

    def start(self, interviewee_id: str) -> None:
        self.running[interviewee_id] = 0.0
        self.emit()

    def advance(self, interviewee_id: str, done: float) -> None:
        if interviewee_id not in self.finished:
            self.running[interviewee_id] = done
            self.emit()

    def finish(self, interviewee_id: str) -> None:
        self.running.pop(interviewee_id, None)
        self.finished.add(interviewee_id)
        self.emit()

    def emit(self) -> None:
        if not self.on_batch:
            return
        done = sum(self.durations[i] for i in self.finished)
        done += sum(min(d, self.durations[i]) for i, d in self.running.items())
        running = tuple(FileProgress(i, d, self.durations[i]) for i, d in self.running.items())
        self.on_batch(
            BatchProgress(
                recordings_done=len(self.finished),
                recordings_total=len(self.jobs),
                audio_done=done,
                audio_total=sum(self.durations.values()),
                elapsed=time.monotonic() - self.started,
                running=running,
            )
        )


def run_batch(
    jobs: Sequence[Job],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    transcriber: Transcriber | None = None,
    on_batch: BatchCallback | None = None,
    part_progress: PartProgress | None = None,
) -> Iterator[JobResult]:
    """Transcribe the jobs, yielding each result as it is ready (any order). workers=1:
    in this process with `transcriber`; more: that many local processes; `scheduler`:
    the Dask cluster at that address."""
    tracker = _Tracker(jobs, on_batch)
    if not jobs:
        return
    if scheduler:
        yield from _run_dask(jobs, scheduler, tracker)
    elif workers > 1:
        yield from _run_pool(jobs, workers, tracker, part_progress)
    else:
        yield from _run_here(jobs, transcriber, tracker, part_progress)


def _run_here(
    jobs: Sequence[Job],
    transcriber: Transcriber | None,
    tracker: _Tracker,
    part_progress: PartProgress | None,
) -> Iterator[JobResult]:
    for job in jobs:
        interviewee_id = job.request.interviewee_id
        tracker.start(interviewee_id)
        report = part_progress(interviewee_id) if part_progress else None

        def progress(
            done: float,
            total: float,
            report: ProgressCallback | None = report,
            id_: str = interviewee_id,
        ) -> None:
            tracker.advance(id_, done)
            if report:
                report(done, total)

        try:
            engine = transcriber or _engine(job.factory, job.settings)
            value = transcribe_request(job.request, engine, on_progress=progress)
        except PipelineError as error:
            value = error
        tracker.finish(interviewee_id)
        yield _result(job, value)


# Local worker processes --------------------------------------------------------------

_EVENTS: Any = None
"""In a worker process: the queue that start and progress events go back to the parent on."""


def _init_worker(events: Any) -> None:
    global _EVENTS
    _EVENTS = events


def _pool_task(job: Job) -> Transcript | PipelineError:
    interviewee_id = job.request.interviewee_id
    _EVENTS.put(("start", interviewee_id, 0.0, 0.0))

    def progress(done: float, total: float) -> None:
        _EVENTS.put(("progress", interviewee_id, done, total))

    return run_job(job, on_progress=progress)


def _run_pool(
    jobs: Sequence[Job], workers: int, tracker: _Tracker, part_progress: PartProgress | None
) -> Iterator[JobResult]:
    """Rounds of a process pool. A worker that dies (killed for memory, a crash in native
    code) breaks the whole pool: the recordings that were being transcribed at that moment
    are charged a crash, and every unfinished one goes to a fresh pool; a recording charged
    more than CRASH_RETRIES crashes is failed."""
    context = multiprocessing.get_context("spawn")
    crashes: dict[str, int] = {}
    pending = list(jobs)
    reporters = {
        job.request.interviewee_id: part_progress(job.request.interviewee_id)
        if part_progress
        else None
        for job in jobs
    }
    while pending:
        events = context.SimpleQueue()
        started: set[str] = set()

        def drain(events: Any = events, started: set[str] = started) -> None:
            while not events.empty():
                kind, interviewee_id, done, total = events.get()
                if kind == "start":
                    started.add(interviewee_id)
                    tracker.start(interviewee_id)
                else:
                    tracker.advance(interviewee_id, done)
                    if reporters[interviewee_id]:
                        reporters[interviewee_id](done, total)

        broken: list[Job] = []
        with ProcessPoolExecutor(
            max_workers=min(workers, len(pending)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(events,),
        ) as pool:
            futures: dict[Future[Any], Job] = {pool.submit(_pool_task, job): job for job in pending}
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, timeout=0.5, return_when=FIRST_COMPLETED)
                drain()
                for future in done:
                    job = futures[future]
                    try:
                        value = future.result()
                    except BrokenProcessPool:
                        broken.append(job)
                        continue
                    tracker.finish(job.request.interviewee_id)
                    yield _result(job, value, crashes.get(job.request.interviewee_id, 0))
        drain()
        pending = []
        charged = [job for job in broken if job.request.interviewee_id in started] or broken
        for job in charged:
            crashes[job.request.interviewee_id] = crashes.get(job.request.interviewee_id, 0) + 1
        for job in broken:
            interviewee_id = job.request.interviewee_id
            if crashes.get(interviewee_id, 0) > CRASH_RETRIES:
                tracker.finish(interviewee_id)
                error = PipelineError(
                    f"the transcription worker process died {crashes[interviewee_id]} times "
                    "on this interviewee (out of memory, or a crash in the engine)"
                )
                yield JobResult(interviewee_id, error=error, crashes=crashes[interviewee_id])
            else:
                pending.append(job)


# Dask --------------------------------------------------------------------------------


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise PipelineError(
            f"--scheduler needs the Dask distributed package; install it with: {DASK_EXTRA}"
        ) from None
    try:
        return Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise PipelineError(f"cannot reach the Dask scheduler at {address} ({exc})") from None


def _dask_task(job: Job, host_threads: dict[str, int], *audio: bytes) -> Transcript | PipelineError:
    """Runs on a Dask worker: split that machine's cores between all worker threads on it."""
    from distributed import get_worker

    settings = job.settings
    if not settings.threads:
        cores = os.cpu_count() or 1
        share = host_threads.get(get_worker().ip, 1)
        settings = replace(settings, threads=max(1, cores // share))
    return run_job(replace(job, settings=settings), *audio)


def _suspicious(dask_scheduler: Any, key: str) -> int:
    """On the scheduler: how many workers died while running this task."""
    task = dask_scheduler.tasks.get(key)
    return task.suspicious if task is not None else 0


def _run_dask(jobs: Sequence[Job], address: str, tracker: _Tracker) -> Iterator[JobResult]:
    """Audio goes to the workers as the recordings' own (compressed) bytes inside the task,
    so workers on other machines need no shared folder and the scheduler can hand the task
    to another worker if one dies (bytes scattered to a worker would die with it). At most
    two tasks per worker thread are in flight, so neither the client nor the scheduler
    holds every recording at once. The scheduler re-runs a
    task whose worker died (up to its allowed-failures setting, default 3); `retries=1`
    covers an unexpected exception in the task."""
    client = _connect(address)
    from distributed import as_completed

    with client:
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        host_threads: dict[str, int] = {}
        for info in workers:
            host = info["host"]
            host_threads[host] = host_threads.get(host, 0) + info["nthreads"]
        window = max(1, 2 * sum(host_threads.values()))
        queue = list(jobs)
        futures: dict[Any, Job] = {}

        def submit() -> Any:
            job = queue.pop(0)
            audio = [path.read_bytes() for path in job.request.recordings]
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                future = client.submit(_dask_task, job, host_threads, *audio, retries=1, pure=False)
            futures[future] = job
            tracker.start(job.request.interviewee_id)
            return future

        running = as_completed([submit() for _ in range(min(window, len(queue)))], loop=client.loop)
        for future in running:
            job = futures.pop(future)
            crashes = client.run_on_scheduler(_suspicious, key=future.key)
            try:
                value = future.result()
            except PipelineError as error:
                value = error
            except Exception as exc:  # KilledWorker, or the task failed twice
                value = PipelineError(f"transcription failed on the Dask cluster ({exc!r})")
            future.release()
            tracker.finish(job.request.interviewee_id)
            yield _result(job, value, crashes)
            if queue:
                running.add(submit())
