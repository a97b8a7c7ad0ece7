"""The `interviews` command: parses options, calls the library, prints. No logic lives here."""

from __future__ import annotations

import functools
import sys
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .archive import build_archive, verify_bag
from .batch import BatchProgress
from .errors import ArchiveError, PipelineError
from .export import ANSWER_LANGUAGES, DEFAULT_FORMATS, FORMATS, ExportOptions
from .guide import GuideWarning
from .lock import study_lock
from .models import Guide, Interviewee, Study
from .privacy import Pseudonyms, build_pseudonyms, read_terms
from .speakers import SPEAKER_MODES
from .study import TASKS, init_study
from .transcribe import ENGINES, ProgressCallback
from .transcribe.convert import convert_bundled_model
from .transcribe.embedded import BUNDLED_MODELS
from .workflow import (
    Outcome,
    SummaryRow,
    align_study,
    export_study,
    open_study,
    run_study,
    select,
    transcribe_study,
)

EXPORT_FORMATS = tuple(FORMATS)
F = TypeVar("F", bound=Callable[..., Any])


def _fail(error: PipelineError) -> None:
    where = f" ({error.file})" if error.file else ""
    click.echo(f"Error: {error.message}{where}", err=True)


def reports_errors(command: F) -> F:
    """Turn a PipelineError into `Error: <what> (<file>)` and exit status 1, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PipelineError as error:
            _fail(error)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _warn(warning: GuideWarning) -> None:
    click.echo(f"Warning: {warning}", err=True)


def _open(study_dir: Path, **options: Any) -> tuple[Study, Guide]:
    """Open the study (printing guide warnings) and hold its lock until the command ends,
    so two commands never write the same files at once."""
    study, guide = open_study(study_dir, on_warning=_warn, **options)
    click.get_current_context().with_resource(study_lock(study.root))
    return study, guide


def _pseudonyms(guide: Guide, pseudonymise: bool, terms: Path | None) -> Pseudonyms | None:
    if terms is not None and not pseudonymise:
        raise click.UsageError("--terms only makes sense with --pseudonymise")
    if not pseudonymise:
        return None
    return build_pseudonyms(guide, read_terms(terms) if terms else ())


def _print_outcome(outcome: Outcome) -> None:
    """Errors go to stderr; per-interviewee export successes are implied by `Wrote ...`."""
    if outcome.error:
        _fail(outcome.error)
        click.echo(f"{outcome.interviewee_id}: skipped in {outcome.stage}", err=True)
    elif outcome.stage != "export":
        click.echo(f"{outcome.interviewee_id}: {outcome.detail}")


def _print_summary(rows: Sequence[SummaryRow]) -> None:
    """The end-of-batch table: every interviewee, done / skipped / failed, and why."""
    table = [("interviewee", "status", "reason")] + [
        (r.interviewee_id, r.status, r.reason) for r in rows
    ]
    widths = [max(len(row[column]) for row in table) for column in range(2)]
    click.echo("Summary:")
    for interviewee_id, status, reason in table:
        line = f"  {interviewee_id:<{widths[0]}}  {status:<{widths[1]}}  {reason}"
        click.echo(line.rstrip())


def _finish(failed: Sequence[str], total: int, stage: str) -> None:
    """Exit non-zero at the end of a batch in which anything failed."""
    if failed:
        click.echo(
            f"Error: {stage} failed for {len(failed)} of {total} interviewees: {', '.join(failed)}",
            err=True,
        )
        sys.exit(1)


def _finish_stage(outcomes: Sequence[Outcome], stage: str) -> None:
    _finish([o.interviewee_id for o in outcomes if not o.ok], len(outcomes), stage)


class _ProgressPrinter:
    """Transcription progress on stderr. On a terminal: one live line for the whole batch
    (recordings and audio minutes done, ETA, each running file's percentage). In a log:
    each file's progress in 25% steps and an overall line whenever a recording finishes."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.finished = 0

    def __call__(self, interviewee: Interviewee) -> ProgressCallback | None:
        if self.live:
            return None
        last_step = -1

        def report(done: float, total: float) -> None:
            nonlocal last_step
            percent = int(100 * done / total) if total else 100
            if percent // 25 > last_step:
                last_step = percent // 25
                message = f"{interviewee.id}: transcribing {percent:3d}% ({done:.0f}/{total:.0f} s)"
                click.echo(message, err=True)

        return report

    def batch(self, progress: BatchProgress) -> None:
        eta = "" if progress.eta is None else f", ETA {_minutes(progress.eta)}"
        line = (
            f"[{progress.recordings_done}/{progress.recordings_total} recordings, "
            f"{progress.audio_done / 60:.1f}/{progress.audio_total / 60:.1f} min of audio{eta}]"
        )
        finished = progress.recordings_done > self.finished
        self.finished = progress.recordings_done
        if self.live:
            running = ", ".join(
                f"{f.interviewee_id} {int(100 * f.done / f.total) if f.total else 0}%"
                for f in progress.running
            )
            click.echo(f"\r\x1b[K{line} {running}", nl=finished, err=True)
        elif finished:
            click.echo(line, err=True)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


BATCH_OPTIONS = (
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        help="Transcription worker processes, each using cores/N threads. Default: one per "
        "core (as memory allows) when there are 10 minutes of audio or more to transcribe.",
    ),
    click.option(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="Transcribe on this Dask cluster instead (extra [dask]; workers need "
        "interview-pipeline installed). Results are written here.",
    ),
)


def batch_options(command: F) -> F:
    """--workers / --scheduler, checked for use together (a usage error, exit status 2)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs["workers"] and kwargs["scheduler"]:
            raise click.UsageError("use --workers or --scheduler, not both")
        return command(*args, **kwargs)

    for option in reversed(BATCH_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


study_argument = click.argument(
    "study_dir",
    metavar="STUDY",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
interviewee_option = click.option(
    "--interviewee",
    "-i",
    "only",
    multiple=True,
    metavar="ID",
    help="Only this interviewee (guide id); repeat for several. Default: all.",
)
COMPUTE_TYPES = ("default", "int8", "int8_float32", "int16", "float32")
TRANSCRIPTION_OPTIONS = (
    click.option("--engine", type=click.Choice(tuple(ENGINES)), help="Transcription engine."),
    click.option(
        "--model",
        metavar="NAME|PATH",
        help="base or tiny.en (bundled), a CTranslate2 model folder, or a .pt for openai-whisper.",
    ),
    click.option(
        "--language",
        metavar="CODE",
        help="Spoken language (es, en, ...) for interviewees whose guide entry has none.",
    ),
    click.option(
        "--task",
        type=click.Choice(TASKS),
        help="translate: Whisper writes English whatever the spoken language.",
    ),
    click.option("--beam-size", type=click.IntRange(min=1), help="Beam search width."),
    click.option("--threads", type=click.IntRange(min=0), help="CPU threads (0: all cores)."),
    click.option("--compute-type", type=click.Choice(COMPUTE_TYPES), help="Weight precision."),
    click.option(
        "--speakers",
        type=click.Choice(SPEAKER_MODES),
        help="Speaker labels: by channel (stereo, one speaker each), by voice (extra "
        "[speakers]), auto (channels when they fit), or none.",
    ),
)


def transcription_options(command: F) -> F:
    """Options that override study.toml's [transcription] for this run, passed as one dict."""
    names = ("engine", "model", "language", "task", "beam_size", "threads", "compute_type")
    names += ("speakers",)

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        overrides = {name: kwargs.pop(name) for name in names}
        overrides = {name: value for name, value in overrides.items() if value is not None}
        return command(*args, transcription=overrides, **kwargs)

    for option in reversed(TRANSCRIPTION_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


pseudonymise_option = click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace interviewee names, ids and organisations from the guide (and --terms) by "
    "codes P01, ORG1, ... in every output; the key is written separately.",
)
terms_option = click.option(
    "--terms",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="With --pseudonymise: more names or terms to hide, one per line.",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="Redo finished work and overwrite outputs even if they were edited by hand.",
)


def _format_names(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str]:
    """`-f a,b -f c` -> [a, b, c]; an unknown name is a usage error (exit status 2)."""
    names = list(dict.fromkeys(n.strip() for value in values for n in value.split(",")))
    for name in filter(None, names):
        if name not in EXPORT_FORMATS:
            raise click.BadParameter(
                f"unknown format {name!r} (choose from: {', '.join(EXPORT_FORMATS)})"
            )
    return [name for name in names if name]


EXPORT_OPTIONS = (
    click.option(
        "--format",
        "-f",
        "formats",
        multiple=True,
        callback=_format_names,
        metavar="NAME[,NAME...]",
        help=f"Export formats, comma-separated or repeated: {', '.join(EXPORT_FORMATS)}. "
        f"Default: {','.join(DEFAULT_FORMATS)}.",
    ),
    click.option("--all", "all_formats", is_flag=True, help="Export every format."),
    click.option(
        "--per-interviewee",
        is_flag=True,
        help="Appendix 1 DOCX: one document per interviewee (appendix1-<id>.docx).",
    ),
    click.option(
        "--answers",
        type=click.Choice(ANSWER_LANGUAGES),
        default="original",
        show_default=True,
        help="Answers in Appendix 1 (DOCX) and 2: as spoken, the English translation from "
        "review (the original, with a note, where there is none), or both.",
    ),
    click.option(
        "--timestamps",
        is_flag=True,
        help="Appendix 1 DOCX: add each answer's time, [12:03\N{EN DASH}14:10], after it.",
    ),
)


def export_options(command: F) -> F:
    """The export options, passed to the command as `formats` and `options`."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        formats, all_formats = kwargs.pop("formats"), kwargs.pop("all_formats")
        if formats and all_formats:
            raise click.UsageError("use --format or --all, not both")
        options = ExportOptions(
            per_interviewee=kwargs.pop("per_interviewee"),
            answers=kwargs.pop("answers"),
            timestamps=kwargs.pop("timestamps"),
        )
        chosen = list(EXPORT_FORMATS) if all_formats else formats or list(DEFAULT_FORMATS)
        return command(*args, formats=chosen, options=options, **kwargs)

    for option in reversed(EXPORT_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="interviews")
def cli() -> None:
    """Turn recorded interviews into thesis appendices, offline.

    A study folder holds study.toml, guides/guide.yaml, audio/, transcripts/ and
    exports/. STUDY defaults to the current folder. Typical use:

    \b
      interviews init my-study      # create the folders and a starter guide
      interviews run my-study       # transcribe, align and export everything
    """


@cli.command()
@click.argument("study_dir", metavar="STUDY", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="Study title written to study.toml (default: folder name).")
@reports_errors
def init(study_dir: Path, title: str | None) -> None:
    """Create a study folder with study.toml, a starter guide and empty folders.

    \b
    Example:
      interviews init fieldwork-2026 --title "Youth and public space"
    """
    study = init_study(study_dir, title)
    click.echo(f"Created study {study.title!r} in {study.root}")
    click.echo(f"Next: put recordings in {study.audio_dir}, edit {study.guide_path},")
    click.echo(f"then run: interviews run {study.root}")


@cli.command()
@study_argument
@interviewee_option
@transcription_options
@batch_options
@force_option
@reports_errors
def transcribe(
    study_dir: Path,
    only: tuple[str, ...],
    force: bool,
    transcription: dict[str, Any],
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Transcribe each interviewee's recordings with Whisper, offline.

    Writes transcripts/<id>.json (segments, words, quality flags, provenance) and
    <id>.txt, .srt and .vtt. Finished transcripts are reused while audio, engine,
    model and settings are unchanged, so an interrupted batch resumes. Options
    override study.toml's [transcription] settings for this run.

    \b
    Examples:
      interviews transcribe my-study -i felipe-ochoa
      interviews transcribe my-study --task translate      # English text
      interviews transcribe my-study --engine openai-whisper
      interviews transcribe my-study --workers 2
      interviews transcribe my-study --scheduler tcp://10.0.0.5:8786
    """
    study, guide = _open(study_dir, check_recordings=True, transcription=transcription)
    printer = _ProgressPrinter()
    outcomes = transcribe_study(
        study,
        guide,
        select(guide, only),
        force=force,
        progress=printer,
        on_outcome=_print_outcome,
        workers=workers,
        scheduler=scheduler,
        on_batch=printer.batch,
    )
    _finish_stage(outcomes, "transcription")


def _typed_transcripts(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Path]:
    """`--transcript ID=FILE` (repeatable) -> {ID: FILE}; a malformed one is a usage error."""
    result: dict[str, Path] = {}
    for value in values:
        interviewee_id, sep, file = value.partition("=")
        if not sep or not interviewee_id.strip() or not file.strip():
            raise click.BadParameter(f"expected ID=FILE, got {value!r}")
        result[interviewee_id.strip()] = Path(file.strip())
    return result


@cli.command()
@study_argument
@interviewee_option
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    callback=_typed_transcripts,
    metavar="ID=FILE",
    help="Align this typed transcript (TXT, DOCX, VTT or SRT with speaker labels) for "
    "interviewee ID instead of a Whisper one; repeat for several.",
)
@force_option
@reports_errors
def align(
    study_dir: Path, only: tuple[str, ...], transcripts: dict[str, Path], force: bool
) -> None:
    """Locate each guide question in the transcripts and cut out the answers.

    Writes transcripts/<id>.aligned.json with each answer's text, start/end
    time, confidence and status ("found", "low-confidence", "not-asked" or
    "merged-with qN"; see README, "How alignment works"). With --transcript, a typed
    transcript is imported first (only those interviewees are aligned unless -i
    says otherwise).

    \b
    Examples:
      interviews align my-study
      interviews align my-study --transcript felipe-ochoa=felipe.docx
    """
    study, guide = _open(study_dir)
    outcomes = align_study(
        study,
        guide,
        select(guide, tuple(dict.fromkeys((*only, *transcripts)))),
        force=force,
        transcripts=transcripts,
        on_outcome=_print_outcome,
    )
    _finish_stage(outcomes, "alignment")


@cli.command(name="export")
@study_argument
@interviewee_option
@export_options
@pseudonymise_option
@terms_option
@force_option
@reports_errors
def export_command(
    study_dir: Path,
    only: tuple[str, ...],
    formats: list[str],
    options: ExportOptions,
    pseudonymise: bool,
    terms: Path | None,
    force: bool,
) -> None:
    """Write the Appendix 1 interview matrix and the other exports into exports/.

    By default exports/appendix1.docx and appendix1.csv; --format picks others
    (Appendix 2, Table 1, a REFI-QDA project, transcripts), --all writes them all.

    \b
    Examples:
      interviews export my-study --format appendix1-docx --timestamps
      interviews export my-study --format appendix2-docx,qdpx
      interviews export my-study --all --answers both
      interviews export my-study --pseudonymise --terms names.txt

    With --pseudonymise the files go to exports/pseudonymised/ (the identified
    exports stay as they are) and the key to exports/pseudonym-key.csv.
    """
    study, guide = _open(study_dir)
    paths, outcomes = export_study(
        study,
        guide,
        select(guide, only),
        formats,
        options=options,
        force=force,
        pseudonyms=_pseudonyms(guide, pseudonymise, terms),
        on_outcome=_print_outcome,
    )
    for path in paths:
        click.echo(f"Wrote {path}")
    _finish_stage(outcomes, "export")


@cli.command()
@study_argument
@interviewee_option
@export_options
@transcription_options
@batch_options
@force_option
@reports_errors
def run(
    study_dir: Path,
    only: tuple[str, ...],
    formats: list[str],
    options: ExportOptions,
    force: bool,
    transcription: dict[str, Any],
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Transcribe, align and export in one go (resumes finished work).

    An interviewee whose recording fails is reported and left out; the others
    still reach the appendix, and the command exits with status 1 at the end.

    \b
    Examples:
      interviews run                 # the study in the current folder
      interviews run my-study -i javier-reyes
      interviews run my-study --workers 2          # two transcription processes
      interviews run my-study --scheduler tcp://10.0.0.5:8786   # a Dask cluster
    """
    study, guide = _open(study_dir, check_recordings=True, transcription=transcription)
    interviewees = select(guide, only)
    printer = _ProgressPrinter()
    result = run_study(
        study,
        guide,
        interviewees,
        formats,
        options=options,
        force=force,
        progress=printer,
        on_outcome=_print_outcome,
        workers=workers,
        scheduler=scheduler,
        on_batch=printer.batch,
    )
    for path in result.paths:
        click.echo(f"Wrote {path}")
    _print_summary(result.summary())
    _finish(result.failed, len(interviewees), "the run")


@cli.command()
@study_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="New (or empty) folder to write the bag to.",
)
@click.option(
    "--include-audio", is_flag=True, help="Also archive the recordings (only with consent)."
)
@pseudonymise_option
@terms_option
@click.option(
    "--include-key",
    is_flag=True,
    help="With --pseudonymise: put the pseudonym key inside the bag (restrict access!).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="With --pseudonymise: where to write the key (default: pseudonym-key.csv beside DIR).",
)
@click.option(
    "--verify",
    "bag",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="BAG",
    help="Check an archive instead: report every changed or missing file.",
)
@reports_errors
def archive(
    study_dir: Path,
    out: Path | None,
    include_audio: bool,
    pseudonymise: bool,
    terms: Path | None,
    include_key: bool,
    key_path: Path | None,
    bag: Path | None,
) -> None:
    """Archive the study as a BagIt package, or check one with --verify.

    The bag holds the guide, transcripts, aligned answers (with review edits),
    exports, provenance.json (recording sha256, engine, model, settings, package
    versions, when transcribed and edited) and trace.csv (per answer: interviewee,
    question, start/end, transcript sha256). The same study gives identical
    manifests every time.

    \b
    Examples:
      interviews archive my-study --out my-study-bag
      interviews archive my-study --out share-bag --pseudonymise --terms names.txt
      interviews archive --verify my-study-bag
    """
    if bag is not None:
        if out is not None:
            raise click.UsageError("--verify checks an existing bag; leave out --out")
        checked, problems = verify_bag(bag)
        for problem in problems:
            click.echo(f"{problem.problem}: {problem.path}", err=True)
        if problems:
            raise ArchiveError(
                f"bag failed verification: {len(problems)} of {checked} files changed, "
                "missing or unlisted",
                bag,
            )
        click.echo(f"Bag is valid: {checked} files match their checksums ({bag})")
        return
    if out is None:
        raise click.UsageError("give --out DIR for the new bag, or --verify BAG")
    if (include_key or key_path) and not pseudonymise:
        raise click.UsageError("--include-key and --key only make sense with --pseudonymise")
    if include_key and key_path:
        raise click.UsageError("--include-key puts the key in the bag; leave out --key")
    study, guide = _open(study_dir)
    result = build_archive(
        study,
        guide,
        out,
        include_audio=include_audio,
        pseudonyms=_pseudonyms(guide, pseudonymise, terms),
        include_key=include_key,
        key_path=key_path,
    )
    for interviewee_id in result.left_out:
        click.echo(f"{interviewee_id}: no transcript yet, left out of the archive", err=True)
    click.echo(f"Wrote bag {result.bag} ({result.files} files)")
    if result.key:
        click.echo(f"Wrote pseudonym key {result.key} (keep it apart from the bag)")


@cli.command()
@study_argument
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port on 127.0.0.1 (default: a free one).",
)
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option(
    "--editor",
    metavar="NAME",
    help="Who is editing, saved with each edit (default: your user name).",
)
@click.option(
    "--export-sheet",
    "sheet_out",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="Write an editable review sheet instead (.xlsx or .docx; "
    "default exports/review-sheet.xlsx).",
)
@click.option(
    "--import-sheet",
    "sheet_in",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Read the corrections of a review sheet back into the aligned files.",
)
@force_option
@reports_errors
def review(
    study_dir: Path,
    port: int,
    no_browser: bool,
    editor: str | None,
    sheet_out: str | None,
    sheet_in: Path | None,
    force: bool,
) -> None:
    """Correct transcripts and answers in your browser, or with a review sheet.

    Starts a web page on 127.0.0.1 (never reachable from other machines) with the
    recording, each guide question and its answer: play from any question or
    sentence, edit answers, translations and statuses, move a question to where
    it was really asked, and write the Appendix 2 synthesis. Edits are saved in
    transcripts/<id>.aligned.json with who and when, and kept when you run
    `interviews align` again. Ctrl+C stops the server.

    \b
    Examples:
      interviews review my-study
      interviews review my-study --export-sheet review.docx
      interviews review my-study --import-sheet review.docx
    """
    from .review.api import Review
    from .review.edits import default_editor
    from .review.server import serve_forever, start_server
    from .review.sheet import export_sheet, import_sheet

    if sheet_out is not None and sheet_in is not None:
        raise click.UsageError("use --export-sheet or --import-sheet, not both")
    study, guide = open_study(study_dir, on_warning=_warn)
    who = editor or default_editor()
    if sheet_out is not None:
        path = Path(sheet_out) if sheet_out else study.exports_dir / "review-sheet.xlsx"
        rows = export_sheet(study, guide, path, force=force)
        click.echo(f"Wrote {path} ({rows} answers); edit it, then run:")
        click.echo(f"  interviews review {study.root} --import-sheet {path}")
        return
    if sheet_in is not None:
        changes = import_sheet(study, guide, sheet_in, editor=who)
        for change in changes:
            click.echo(str(change))
        click.echo(f"Imported {len(changes)} changes from {sheet_in}")
        return
    server = start_server(Review(study, guide, who), port)
    click.echo(f"Reviewing {study.title!r} at {server.url} as {who} (Ctrl+C stops)")
    if not no_browser:
        webbrowser.open(server.url)
    serve_forever(server)
    click.echo("Stopped.")


@cli.group()
def models() -> None:
    """Manage the offline transcription models."""


@models.command()
@click.option(
    "--model",
    "model_name",
    type=click.Choice(tuple(BUNDLED_MODELS)),
    default="base",
    show_default=True,
    help="Bundled model to convert.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Checkpoint path (default: the user cache, where --engine openai-whisper finds it).",
)
@reports_errors
def convert(model_name: str, out: Path | None) -> None:
    """Build an openai-whisper checkpoint from a bundled model, offline.

    openai-whisper would download its weights; this writes the same weights,
    taken from the bundled CTranslate2 model, as a .pt checkpoint instead.
    Needs the [openai] extra (PyTorch).

    \b
    Example:
      interviews models convert --model base
      interviews transcribe my-study --engine openai-whisper
    """
    path = convert_bundled_model(model_name, out)
    click.echo(f"Wrote {path}")


def main() -> None:
    cli()
