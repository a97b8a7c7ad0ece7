"""Run the stages over a whole study; one bad recording never stops the batch.

Each stage reports every interviewee's outcome as it finishes (for progress output) and
returns all outcomes, so the caller can exit non-zero when any failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .align import align_interview
from .audio import probe_duration
from .batch import BatchCallback, Job, default_workers, run_batch, worker_settings
from .errors import PipelineError, TranscriptError
from .export import DEFAULT_OPTIONS, AppendixData, ExportOptions, export, needs_transcripts
from .files import sha256_file, write_json
from .guide import WarningCallback, load_guide
from .manual import import_transcript
from .models import AnswerStatus, Guide, Interviewee, InterviewMatrix, Study, Transcript
from .privacy import Pseudonyms, export_pseudonymised
from .review.merge import Conflict, keep_edits, review_note
from .study import load_study
from .transcribe import (
    ProgressCallback,
    Transcriber,
    create_transcriber,
    engine_factory,
    guide_vocabulary,
    load_transcript,
    plan_transcription,
    save_transcript,
    transcript_path,
)

CRASH_NOTE = "retried after a worker process crashed"


@dataclass(frozen=True)
class Outcome:
    """What happened to one interviewee in one stage."""

    interviewee_id: str
    stage: str
    detail: str = ""
    error: PipelineError | None = None
    reused: bool = False
    """Finished work from an earlier run was kept (an up-to-date transcript)."""
    crashes: int = 0
    """Times a worker process died on this interviewee's transcription (it was retried)."""

    @property
    def ok(self) -> bool:
        return self.error is None


OutcomeCallback = Callable[[Outcome], None]
ProgressFactory = Callable[[Interviewee], ProgressCallback | None]


def open_study(
    root: Path,
    *,
    check_recordings: bool = False,
    transcription: Mapping[str, Any] | None = None,
    on_warning: WarningCallback | None = None,
) -> tuple[Study, Guide]:
    """Load study.toml and the guide; `transcription` overrides settings for this run."""
    study = load_study(root)
    if transcription:
        study = replace(study, transcription=replace(study.transcription, **transcription))
    audio_dir = study.audio_dir if check_recordings else None
    return study, load_guide(study.guide_path, audio_dir, on_warning=on_warning)


def select(guide: Guide, only: Sequence[str] = ()) -> list[Interviewee]:
    """The interviewees to process; unknown ids are a user error, not silently ignored."""
    known = {i.id for i in guide.interviewees}
    for interviewee_id in only:
        if interviewee_id not in known:
            raise PipelineError(
                f"no interviewee {interviewee_id!r} in the guide "
                f"(known: {', '.join(sorted(known))})"
            )
    return [i for i in guide.interviewees if not only or i.id in only]


def _each(
    stage: str,
    interviewees: Sequence[Interviewee],
    work: Callable[[Interviewee], str | Outcome],
    on_outcome: OutcomeCallback | None,
) -> list[Outcome]:
    outcomes = []
    for interviewee in interviewees:
        try:
            done = work(interviewee)
            outcome = done if isinstance(done, Outcome) else Outcome(interviewee.id, stage, done)
        except PipelineError as error:
            outcome = Outcome(interviewee.id, stage, error=error)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes


def transcribe_study(
    study: Study,
    guide: Guide,
    interviewees: Sequence[Interviewee],
    *,
    transcriber: Transcriber | None = None,
    force: bool = False,
    progress: ProgressFactory | None = None,
    on_outcome: OutcomeCallback | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_batch: BatchCallback | None = None,
) -> list[Outcome]:
    """Transcribe whoever has no up-to-date transcript. `workers`: parallel worker
    processes (None: chosen from the cores, memory and amount of audio; 1: in this
    process, with `transcriber` when given); `scheduler`: a Dask scheduler address instead.
    Workers return transcripts and only this process writes them."""
    engines: list[Transcriber] = [transcriber] if transcriber else []

    def engine() -> Transcriber:
        """Built on first use: a study of typed transcripts never loads a model."""
        if not engines:
            engines.append(create_transcriber(study.transcription))
        return engines[0]

    outcomes: dict[str, Outcome] = {}
    jobs: list[Job] = []
    by_id = {i.id: i for i in interviewees}

    def report(outcome: Outcome) -> None:
        outcomes[outcome.interviewee_id] = outcome
        if on_outcome:
            on_outcome(outcome)

    for interviewee in interviewees:
        try:
            if interviewee.transcript:
                report(_import(study, guide, interviewee, None, force))
                continue
            request, cached = plan_transcription(
                study,
                interviewee,
                engine(),
                vocabulary=guide_vocabulary(guide, interviewee),
                force=force,
            )
        except PipelineError as error:
            report(Outcome(interviewee.id, "transcription", error=error))
            continue
        if cached:
            report(_transcribed(cached, reused=True))
            continue
        duration = sum(probe_duration(path) for path in request.recordings)
        jobs.append(
            Job(request, study.transcription, engine_factory(study.transcription), duration)
        )
    count = workers or default_workers(sum(j.duration for j in jobs), len(jobs))
    if count > 1 and not scheduler:  # Dask workers split their own machine's cores
        jobs = [replace(j, settings=worker_settings(j.settings, count)) for j in jobs]
    results = run_batch(
        jobs,
        workers=count,
        scheduler=scheduler,
        transcriber=engine() if jobs else None,
        on_batch=on_batch,
        part_progress=(lambda i: progress(by_id[i])) if progress else None,
    )
    for result in results:
        try:
            if result.error:
                raise result.error
            assert result.transcript is not None
            save_transcript(study, result.transcript, force=force)
            report(_transcribed(result.transcript, reused=False, crashes=result.crashes))
        except PipelineError as error:
            report(
                Outcome(result.interviewee_id, "transcription", error=error, crashes=result.crashes)
            )
    return [outcomes[i.id] for i in interviewees]


def _transcribed(transcript: Transcript, *, reused: bool, crashes: int = 0) -> Outcome:
    state = "cached" if reused else "transcribed"
    summary = f"{state}, {transcript.duration:.0f} s, language {transcript.language}"
    flagged = [s for s in transcript.segments if s.flags]
    if flagged:
        kinds = sorted({flag for s in flagged for flag in s.flags})
        summary += f", {len(flagged)} segments flagged ({', '.join(kinds)})"
    if crashes:
        summary += f", {CRASH_NOTE}"
    return Outcome(
        transcript.interviewee_id, "transcription", summary, reused=reused, crashes=crashes
    )


def _import(
    study: Study, guide: Guide, interviewee: Interviewee, path: Path | None, force: bool
) -> Outcome:
    """A typed transcript stands in for transcription (see pipeline.manual)."""
    transcript, cached = import_transcript(study, guide, interviewee, path, force=force)
    source = transcript.provenance.sources[0].name
    state = "typed transcript unchanged" if cached else "imported typed transcript"
    timing = "timed" if transcript.timed else "untimed"
    summary = (
        f"{state} {source}, {len(transcript.segments)} turns, {timing}, "
        f"language {transcript.language}"
    )
    return Outcome(interviewee.id, "transcription", summary, reused=cached)


def aligned_path(study: Study, interviewee_id: str) -> Path:
    return study.transcripts_dir / f"{interviewee_id}.aligned.json"


def without_times(matrix: InterviewMatrix) -> InterviewMatrix:
    """Answers of an untimed transcript: its word times were made up, so none is kept."""
    return replace(
        matrix,
        answers=tuple(
            replace(a, start=None, end=None, question_start=None, question_end=None)
            for a in matrix.answers
        ),
    )


def align_study(
    study: Study,
    guide: Guide,
    interviewees: Sequence[Interviewee],
    *,
    force: bool = False,
    transcripts: Mapping[str, Path] | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> list[Outcome]:
    """Align each interviewee's transcript; a typed transcript (`transcripts`, id -> file,
    or the guide's `transcript:`) is imported first, which is cheap when unchanged."""
    typed = transcripts or {}

    def work(interviewee: Interviewee) -> str:
        path = transcript_path(study, interviewee.id)
        if interviewee.id in typed or interviewee.transcript:
            _import(study, guide, interviewee, typed.get(interviewee.id), force)
        transcript = load_transcript(path)
        matrix = replace(
            align_interview(transcript, guide, interviewee, study.language),
            source_files=tuple(s.name for s in transcript.provenance.sources),
            transcript_sha256=sha256_file(path),
        )
        if not transcript.timed:
            matrix = without_times(matrix)
        matrix, conflicts = _keep_review_edits(
            aligned_path(study, interviewee.id), matrix, transcript
        )
        write_json(aligned_path(study, interviewee.id), matrix.to_dict(), force=force)
        return located_summary(matrix) + review_note(matrix, conflicts)

    return _each("alignment", interviewees, work, on_outcome)


def _keep_review_edits(
    path: Path, matrix: InterviewMatrix, transcript: Transcript
) -> tuple[InterviewMatrix, list[Conflict]]:
    """Lay the review edits of the existing aligned file over the new alignment."""
    if not path.exists():
        return matrix, []
    try:
        previous = load_matrix(path)
    except TranscriptError as error:
        raise TranscriptError(
            f"{error.message}; it may hold review edits, so it is not replaced: repair it, "
            "or rename it to align afresh",
            path,
        ) from error
    return keep_edits(previous, matrix, transcript)


def located_summary(matrix: InterviewMatrix) -> str:
    """ "15/17 questions located (2 low-confidence, 1 merged)": what review should look at."""
    statuses = [a.status for a in matrix.answers]
    located = sum(status.located for status in statuses)
    notes = [
        f"{count} {name}"
        for status, name in (
            (AnswerStatus.LOW_CONFIDENCE, "low-confidence"),
            (AnswerStatus.MERGED, "merged"),
        )
        if (count := statuses.count(status))
    ]
    detail = f" ({', '.join(notes)})" if notes else ""
    return f"{located}/{len(statuses)} questions located{detail}"


def load_matrix(path: Path) -> InterviewMatrix:
    try:
        return InterviewMatrix.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise TranscriptError(
            "aligned answers not found; run `interviews align` first", path
        ) from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise TranscriptError(f"aligned answers file is unreadable ({exc})", path) from exc


def _check_matches_guide(
    matrix: InterviewMatrix, guide: Guide, interviewee: Interviewee, path: Path
) -> None:
    """Aligned answers made before the guide was edited would export wrong rows."""
    categories = {c.id for c in guide.categories}
    current = tuple(a.question_id for a in matrix.answers) == interviewee.question_ids and all(
        set(guide.question(a.question_id).categories) == set(a.categories) <= categories
        for a in matrix.answers
    )
    if not current:
        raise TranscriptError(
            "aligned answers are out of date with the guide; run `interviews align` again", path
        )


def export_study(
    study: Study,
    guide: Guide,
    interviewees: Sequence[Interviewee],
    formats: Sequence[str],
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
    force: bool = False,
    pseudonyms: Pseudonyms | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> tuple[list[Path], list[Outcome]]:
    """Export every interviewee that has aligned answers (and a transcript, for the
    formats that show it); the others are reported. With `pseudonyms`, the exports go to
    exports/pseudonymised/ and the key beside them, so identified files stay as they are."""
    matrices: list[InterviewMatrix] = []
    transcripts: dict[str, Transcript] = {}
    with_transcripts = needs_transcripts(formats)

    def work(interviewee: Interviewee) -> str:
        path = aligned_path(study, interviewee.id)
        matrix = load_matrix(path)
        _check_matches_guide(matrix, guide, interviewee, path)
        if with_transcripts:
            transcripts[interviewee.id] = load_transcript(transcript_path(study, interviewee.id))
        matrices.append(matrix)
        return "exported"

    outcomes = _each("export", interviewees, work, on_outcome)
    if not matrices:
        return [], outcomes
    data = AppendixData(study, guide, tuple(matrices), options, transcripts)
    if pseudonyms is not None:
        return export_pseudonymised(data, formats, pseudonyms, force=force), outcomes
    return export(data, formats, force=force), outcomes


@dataclass(frozen=True)
class RunResult:
    paths: list[Path]
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[str]:
        """Interviewees that failed in any stage, each once, in order."""
        return list(dict.fromkeys(o.interviewee_id for o in self.outcomes if not o.ok))

    def summary(self) -> list[SummaryRow]:
        """One row per interviewee for the end-of-batch table: failed (first failing stage
        and why), skipped (transcript unchanged since an earlier run) or done."""
        rows = []
        for interviewee_id in dict.fromkeys(o.interviewee_id for o in self.outcomes):
            mine = [o for o in self.outcomes if o.interviewee_id == interviewee_id]
            failure = next((o for o in mine if o.error), None)
            located = next((o.detail for o in mine if o.stage == "alignment"), "")
            if failure and failure.error:
                rows.append(
                    SummaryRow(interviewee_id, "failed", f"{failure.stage}: {failure.error}")
                )
            elif any(o.reused for o in mine):
                reason = "transcript unchanged since the last run"
                rows.append(SummaryRow(interviewee_id, "skipped", f"{reason}; {located}"))
            else:
                rows.append(SummaryRow(interviewee_id, "done", located))
            if any(o.crashes for o in mine):
                rows[-1] = replace(rows[-1], reason=f"{rows[-1].reason}; {CRASH_NOTE}")
        return rows


@dataclass(frozen=True)
class SummaryRow:
    interviewee_id: str
    status: str
    """"done", "skipped" or "failed"."""
    reason: str


def run_study(
    study: Study,
    guide: Guide,
    interviewees: Sequence[Interviewee],
    formats: Sequence[str],
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
    force: bool = False,
    progress: ProgressFactory | None = None,
    on_outcome: OutcomeCallback | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    on_batch: BatchCallback | None = None,
) -> RunResult:
    """All stages; an interviewee that fails a stage is left out of the later ones."""
    transcribed = transcribe_study(
        study,
        guide,
        interviewees,
        force=force,
        progress=progress,
        on_outcome=on_outcome,
        workers=workers,
        scheduler=scheduler,
        on_batch=on_batch,
    )
    ready = [i for i, o in zip(interviewees, transcribed, strict=True) if o.ok]
    aligned = align_study(study, guide, ready, force=force, on_outcome=on_outcome)
    ready = [i for i, o in zip(ready, aligned, strict=True) if o.ok]
    paths, exported = export_study(
        study, guide, ready, formats, options=options, force=force, on_outcome=on_outcome
    )
    return RunResult(paths, [*transcribed, *aligned, *exported])
