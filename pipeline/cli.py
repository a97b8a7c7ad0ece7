"""The `interviews` command: parses options, calls the library, prints. No logic lives here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import PipelineError
from .models import Interviewee
from .study import init_study
from .transcribe import ProgressCallback
from .workflow import (
    Outcome,
    align_study,
    export_study,
    open_study,
    run_study,
    select,
    transcribe_study,
)

EXPORT_FORMATS = ("docx", "csv")
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


def _print_outcome(outcome: Outcome) -> None:
    """Errors go to stderr; per-interviewee export successes are implied by `Wrote ...`."""
    if outcome.error:
        _fail(outcome.error)
        click.echo(f"{outcome.interviewee_id}: skipped in {outcome.stage}", err=True)
    elif outcome.stage != "export":
        click.echo(f"{outcome.interviewee_id}: {outcome.detail}")


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
    """Transcription progress on stderr: a live line on a terminal, 25% steps in a log."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()

    def __call__(self, interviewee: Interviewee) -> ProgressCallback:
        last_step = -1

        def report(done: float, total: float) -> None:
            nonlocal last_step
            percent = int(100 * done / total) if total else 100
            message = f"{interviewee.id}: transcribing {percent:3d}% ({done:.0f}/{total:.0f} s)"
            if self.live:
                click.echo(f"\r{message}", nl=False, err=True)
                if percent >= 100:
                    click.echo(err=True)
            elif percent // 25 > last_step:
                last_step = percent // 25
                click.echo(message, err=True)

        return report


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
force_option = click.option(
    "--force",
    is_flag=True,
    help="Redo finished work and overwrite outputs even if they were edited by hand.",
)
format_option = click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(EXPORT_FORMATS),
    default=EXPORT_FORMATS,
    show_default=True,
    help="Export format; repeat for several.",
)


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
@force_option
@reports_errors
def transcribe(study_dir: Path, only: tuple[str, ...], force: bool) -> None:
    """Transcribe each interviewee's recordings with Whisper, offline.

    Writes transcripts/<id>.json (segments, words, provenance) and <id>.txt. Finished
    transcripts are reused while audio, engine, model and settings are unchanged.

    \b
    Example:
      interviews transcribe my-study -i felipe-ochoa
    """
    study, guide = open_study(study_dir, check_recordings=True)
    outcomes = transcribe_study(
        study,
        select(guide, only),
        force=force,
        progress=_ProgressPrinter(),
        on_outcome=_print_outcome,
    )
    _finish_stage(outcomes, "transcription")


@cli.command()
@study_argument
@interviewee_option
@force_option
@reports_errors
def align(study_dir: Path, only: tuple[str, ...], force: bool) -> None:
    """Locate each guide question in the transcripts and cut out the answers.

    Writes transcripts/<id>.aligned.json with each answer's text, start/end
    time, confidence and status ("found" or "not found").

    \b
    Example:
      interviews align my-study
    """
    study, guide = open_study(study_dir)
    outcomes = align_study(
        study, guide, select(guide, only), force=force, on_outcome=_print_outcome
    )
    _finish_stage(outcomes, "alignment")


@cli.command(name="export")
@study_argument
@interviewee_option
@format_option
@force_option
@reports_errors
def export_command(
    study_dir: Path, only: tuple[str, ...], formats: tuple[str, ...], force: bool
) -> None:
    """Write the Appendix 1 interview matrix (exports/appendix1.docx and .csv).

    \b
    Example:
      interviews export my-study --format docx
    """
    study, guide = open_study(study_dir)
    paths, outcomes = export_study(
        study,
        guide,
        select(guide, only),
        formats,
        force=force,
        on_outcome=_print_outcome,
    )
    for path in paths:
        click.echo(f"Wrote {path}")
    _finish_stage(outcomes, "export")


@cli.command()
@study_argument
@interviewee_option
@format_option
@force_option
@reports_errors
def run(study_dir: Path, only: tuple[str, ...], formats: tuple[str, ...], force: bool) -> None:
    """Transcribe, align and export in one go (resumes finished work).

    An interviewee whose recording fails is reported and left out; the others
    still reach the appendix, and the command exits with status 1 at the end.

    \b
    Examples:
      interviews run                 # the study in the current folder
      interviews run my-study -i javier-reyes
    """
    study, guide = open_study(study_dir, check_recordings=True)
    interviewees = select(guide, only)
    result = run_study(
        study,
        guide,
        interviewees,
        formats,
        force=force,
        progress=_ProgressPrinter(),
        on_outcome=_print_outcome,
    )
    for path in result.paths:
        click.echo(f"Wrote {path}")
    _finish(result.failed, len(interviewees), "the run")


def main() -> None:
    cli()
