"""Archive a study as a BagIt package (RFC 8493), and check a package's fixity later.

The bag holds what a reader of the thesis needs to trace every appendix cell back to a
recording: the guide, transcripts, aligned answers (with review edits), exports, a
provenance record and a per-answer trace table. Audio goes in only when asked, because
consent for sharing recordings is often narrower than for transcripts.

The same study archived twice gives byte-identical manifests: files are written in a
fixed order, zip containers get fixed times, and the bagging date is taken from the
study (the newest transcription or edit) instead of the clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import bagit

from . import __version__
from .errors import ArchiveError, PrivacyError
from .files import atomic_write_bytes, is_hand_edited, write_error
from .models import Guide, Interviewee, Study
from .privacy import KEY_NAME, Pseudonyms, check_no_leaks, render_pseudonymised
from .transcribe import load_transcript, transcript_path
from .workflow import aligned_path, load_matrix

logging.getLogger("bagit").addHandler(logging.NullHandler())

CHECKSUMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TRANSCRIPT_SUFFIXES = (".json", ".txt", ".srt", ".vtt", ".aligned.json")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

Payload = dict[str, bytes | Path]
"""Path inside data/ -> content, or the file to copy (recordings can be large)."""


@dataclass(frozen=True)
class ArchiveResult:
    bag: Path
    files: int
    key: Path | None
    """Where the pseudonym key was written outside the bag, if anywhere."""
    left_out: tuple[str, ...]
    """Interviewees without a transcript yet."""


@dataclass(frozen=True)
class BagProblem:
    path: str
    problem: str
    """"changed", "missing" or "not in the manifest"."""


def build_archive(
    study: Study,
    guide: Guide,
    out: Path,
    *,
    include_audio: bool = False,
    pseudonyms: Pseudonyms | None = None,
    include_key: bool = False,
    key_path: Path | None = None,
) -> ArchiveResult:
    """Write the bag to `out` (a new or empty folder); nothing is left there on failure."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchiveError("output folder exists and is not empty; choose a new --out", out)
    archived = [i for i in guide.interviewees if transcript_path(study, i.id).is_file()]
    if not archived:
        raise ArchiveError(
            "nothing to archive: no interviewee has a transcript; run `interviews run` first",
            study.transcripts_dir,
        )
    payload = _payload(study, guide, archived, include_audio, pseudonyms)
    key = None
    if pseudonyms is not None:
        check_no_leaks({k: v for k, v in payload.items() if isinstance(v, bytes)}, pseudonyms)
        if include_key:
            payload[KEY_NAME] = pseudonyms.key_csv()
        else:
            key = _write_key(pseudonyms, key_path or out.parent / KEY_NAME)
    info = {
        "Bagging-Date": _bagging_date(study, archived),
        "Bag-Software-Agent": f"interview-pipeline {__version__} (bagit.py {bagit.VERSION})",
        "External-Description": _text(study.title, pseudonyms),
        "Interviews-Audio-Included": "yes" if include_audio else "no",
        "Interviews-Pseudonymised": "yes" if pseudonyms else "no",
    }
    _write_bag(out, payload, info, _readme(include_audio, pseudonyms, include_key))
    left_out = tuple(i.id for i in guide.interviewees if i not in archived)
    return ArchiveResult(out, len(payload), key, left_out)


def _text(text: str, pseudonyms: Pseudonyms | None) -> str:
    return pseudonyms.text(text) if pseudonyms else text


def _payload(
    study: Study,
    guide: Guide,
    archived: list[Interviewee],
    include_audio: bool,
    pseudonyms: Pseudonyms | None,
) -> Payload:
    """Everything under data/, keyed by its (pseudonymised) path."""
    texts: dict[str, bytes] = {
        "study.toml": (study.root / "study.toml").read_bytes(),
        "guides/guide.yaml": study.guide_path.read_bytes(),
    }
    for interviewee in archived:
        for suffix in TRANSCRIPT_SUFFIXES:
            path = study.transcripts_dir / f"{interviewee.id}{suffix}"
            if path.is_file():
                texts[f"transcripts/{path.name}"] = path.read_bytes()
    if pseudonyms is None:
        texts.update(_existing_exports(study))
    else:
        texts = {
            pseudonyms.text(name): _scrub(name, data, pseudonyms) for name, data in texts.items()
        }
        exports = _pseudonymised_exports(study, guide, archived, pseudonyms)
        texts.update({f"exports/{n}": _pin_zip_times(c) for n, c in exports.items()})
    records = [_record(study, i, texts, pseudonyms) for i in archived]
    texts["provenance.json"] = _provenance(study, texts, records, pseudonyms)
    texts["trace.csv"] = _trace(study, archived, records, pseudonyms)
    payload: Payload = dict(texts)
    if include_audio:
        for interviewee in archived:
            for name in interviewee.recordings:
                payload[f"audio/{_text(name, pseudonyms)}"] = study.audio_dir / name
    return payload


def _scrub(name: str, data: bytes, pseudonyms: Pseudonyms) -> bytes:
    try:
        return pseudonyms.text(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        raise PrivacyError("cannot pseudonymise a file that is not UTF-8 text", name) from None


def _pseudonymised_exports(
    study: Study, guide: Guide, archived: list[Interviewee], pseudonyms: Pseudonyms
) -> dict[str, bytes]:
    """The exports made again from pseudonymised data (a DOCX cannot be safely edited)."""
    from .export import AppendixData, needs_transcripts

    formats = _present_formats(study, archived)
    aligned = [i for i in archived if aligned_path(study, i.id).is_file()]
    if not formats or not aligned:
        return {}
    transcripts = (
        {i.id: load_transcript(transcript_path(study, i.id)) for i in aligned}
        if needs_transcripts(formats)
        else {}
    )
    matrices = tuple(load_matrix(aligned_path(study, i.id)) for i in aligned)
    data = AppendixData(study, guide, matrices, transcripts=transcripts)
    return render_pseudonymised(data, formats, pseudonyms)


def _existing_exports(study: Study) -> dict[str, bytes]:
    """Every export as written (hand edits included); our manifests, temp files and the
    pseudonym key are not exports."""
    if not study.exports_dir.is_dir():
        return {}
    found = {}
    for path in sorted(study.exports_dir.rglob("*")):
        relative = path.relative_to(study.exports_dir)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and not hidden and path.name != KEY_NAME:
            found[f"exports/{relative.as_posix()}"] = path.read_bytes()
    return found


def _present_formats(study: Study, interviewees: list[Interviewee]) -> list[str]:
    """The export formats whose files exist, so the pseudonymised bag has the same ones."""
    from .export import FORMATS

    def present(output: str) -> bool:
        if "<id>" in output:
            return any(
                (study.exports_dir / output.replace("<id>", i.id)).is_file() for i in interviewees
            )
        return (study.exports_dir / output).is_file()

    return [name for name, entry in FORMATS.items() if present(entry.output)]


def _pin_zip_times(content: bytes) -> bytes:
    """A zip container (DOCX, XLSX, ...) with fixed member times, so it hashes the same."""
    if not content.startswith(b"PK\x03\x04"):
        return content
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            pinned = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
            pinned.compress_type = member.compress_type
            pinned.external_attr = member.external_attr
            target.writestr(pinned, source.read(member))
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _edited(path: Path) -> str | None:
    """When a generated file was last changed by hand (review edits), else None."""
    if not path.is_file() or not is_hand_edited(path):
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")


def _record(
    study: Study,
    interviewee: Interviewee,
    texts: Mapping[str, bytes],
    pseudonyms: Pseudonyms | None,
) -> dict[str, object]:
    """Provenance of one interviewee's transcript: recordings, engine, times, edits."""
    source = transcript_path(study, interviewee.id)
    transcript = load_transcript(source)
    prov = transcript.provenance
    aligned = aligned_path(study, interviewee.id)
    name = _text(f"transcripts/{source.name}", pseudonyms)
    aligned_name = _text(f"transcripts/{aligned.name}", pseudonyms)
    record: dict[str, object] = {
        "interviewee_id": interviewee.id,
        "transcript": name,
        "transcript_sha256": _sha256(texts[name]),
        "aligned": aligned_name if aligned_name in texts else None,
        "language": transcript.language,
        "duration": transcript.duration,
        "recordings": [
            {"name": s.name, "size": s.size, "sha256": s.sha256, "duration": s.duration}
            for s in prov.sources
        ],
        "engine": prov.engine,
        "model": prov.model,
        "model_sha256": prov.model_sha256,
        "settings": prov.settings,
        "versions": prov.versions,
        "transcription_started": prov.started,
        "transcribed": prov.finished,
        "edited": {
            _text(f"transcripts/{path.name}", pseudonyms): when
            for path in (source, aligned)
            if (when := _edited(path))
        },
    }
    return pseudonyms.apply(record) if pseudonyms else record


def _bagging_date(study: Study, archived: list[Interviewee]) -> str:
    """The newest transcription or hand edit: fixed for a given study, unlike the clock."""
    times = []
    for interviewee in archived:
        source = transcript_path(study, interviewee.id)
        times.append(load_transcript(source).provenance.finished)
        times += [t for p in (source, aligned_path(study, interviewee.id)) if (t := _edited(p))]
    return max(times)[:10]


def _provenance(
    study: Study,
    texts: Mapping[str, bytes],
    records: list[dict[str, object]],
    pseudonyms: Pseudonyms | None,
) -> bytes:
    document = {
        "study": _text(study.title, pseudonyms),
        "guide": "guides/guide.yaml",
        "guide_sha256": _sha256(texts["guides/guide.yaml"]),
        "pseudonymised": pseudonyms is not None,
        "archived_with": {
            "interview-pipeline": __version__,
            "bagit": bagit.VERSION,
            "python-docx": _version("python-docx"),
        },
        "interviews": records,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


TRACE_COLUMNS = (
    "interviewee_id",
    "number",
    "question_id",
    "status",
    "start",
    "end",
    "transcript",
    "transcript_sha256",
    "aligned",
)


def _trace(
    study: Study,
    archived: list[Interviewee],
    records: list[dict[str, object]],
    pseudonyms: Pseudonyms | None,
) -> bytes:
    """One row per answer cell: where in which recording's transcript it comes from."""
    buffer = io.StringIO()
    table = csv.writer(buffer, lineterminator="\r\n")
    table.writerow(TRACE_COLUMNS)
    for interviewee, record in zip(archived, records, strict=True):
        if record["aligned"] is None:
            continue
        matrix = load_matrix(aligned_path(study, interviewee.id))
        for answer in matrix.answers:
            table.writerow(
                (
                    record["interviewee_id"],
                    answer.number,
                    answer.question_id,
                    answer.status.value,
                    "" if answer.start is None else f"{answer.start:.2f}",
                    "" if answer.end is None else f"{answer.end:.2f}",
                    record["transcript"],
                    record["transcript_sha256"],
                    record["aligned"],
                )
            )
    return buffer.getvalue().encode("utf-8-sig")


def _write_key(pseudonyms: Pseudonyms, path: Path) -> Path:
    """The key outside the bag; an existing different key is never overwritten, since
    it decodes bags made before."""
    content = pseudonyms.key_csv()
    if path.exists() and path.read_bytes() != content:
        raise PrivacyError(
            "a different pseudonym key already exists; keep it with the bag it belongs to, "
            "or pass --key to write the new one elsewhere",
            path,
        )
    atomic_write_bytes(path, content)
    return path


def _readme(include_audio: bool, pseudonyms: Pseudonyms | None, include_key: bool) -> str:
    lines = [
        "Interview study archive (BagIt, RFC 8493), made by interview-pipeline.",
        "",
        "data/study.toml              study settings",
        "data/guides/guide.yaml       the interview guide: categories, questions, interviewees",
        "data/transcripts/<id>.json   machine transcripts with word times and provenance",
        "data/transcripts/<id>.txt    the same, readable ([mm:ss] stamps); .srt/.vtt if made",
        "data/transcripts/<id>.aligned.json  answers per guide question, with review edits",
        "data/exports/                the appendices (DOCX, CSV, ...)",
        "data/provenance.json         per interviewee: recordings (sha256, duration),",
        "                             engine, model, settings, package versions,",
        "                             when transcribed and when edited by hand",
        "data/trace.csv               per answer: interviewee, question, start/end (s),",
        "                             transcript file and its sha256",
    ]
    if include_audio:
        lines.append("data/audio/                  the recordings (shared with consent)")
    else:
        lines.append("Recordings are not included; provenance.json gives their sha256.")
    if pseudonyms:
        lines += [
            "",
            "Pseudonymised: interviewees are P01, P02, ..., organisations ORG1, ORG2, ...,",
            "other listed terms TERM1, TERM2, ... in every file and file name.",
        ]
        if include_key:
            lines.append(f"data/{KEY_NAME} maps the codes back to the names: restrict access.")
        else:
            lines.append("The key that maps codes to names is kept apart from this bag.")
    lines += [
        "",
        "Check that nothing changed: interviews archive --verify <this folder>",
        "(or any BagIt tool: bagit.py --validate <this folder>).",
    ]
    return "\n".join(lines) + "\n"


def _write_bag(out: Path, payload: Payload, info: dict[str, str], readme: str) -> None:
    """Build the bag in a hidden folder beside `out`, then rename it into place."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for leftover in out.parent.glob(f".{out.name}.*.partial"):
            shutil.rmtree(leftover, ignore_errors=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise write_error(exc, out) from None
    try:
        for name in sorted(payload):
            target = building / name
            target.parent.mkdir(parents=True, exist_ok=True)
            content = payload[name]
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content)
        bagit.make_bag(str(building), dict(info), checksums=list(CHECKSUMS))
        # bagit.py still writes version 0.97; the layout is RFC 8493's, version 1.0.
        (building / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
        (building / "README.txt").write_text(readme, encoding="utf-8")
        _write_tagmanifests(building)
        if out.exists():
            out.rmdir()
        os.replace(building, out)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise write_error(exc, out) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _write_tagmanifests(bag: Path) -> None:
    """Tag manifests in sorted order (bagit.py lists them in directory order), covering
    the README too."""
    tag_files = sorted(
        p.name for p in bag.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")
    )
    for algorithm in CHECKSUMS:
        lines = [
            f"{hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()}  {name}\n"
            for name in tag_files
        ]
        (bag / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


def verify_bag(path: Path) -> tuple[int, tuple[BagProblem, ...]]:
    """(files checked, problems): each changed or missing file, and payload files that the
    manifest does not list."""
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        raise ArchiveError(f"not a readable BagIt bag: {exc}", path) from None
    problems = []
    for relative, hashes in sorted(bag.entries.items()):
        file = path / relative
        if not file.is_file():
            problems.append(BagProblem(relative, "missing"))
            continue
        content = file.read_bytes()
        if any(
            hashlib.new(alg, content).hexdigest() != value.lower() for alg, value in hashes.items()
        ):
            problems.append(BagProblem(relative, "changed"))
    _, unlisted = bag.compare_manifests_with_fs()
    problems += [BagProblem(p, "not in the manifest") for p in sorted(unlisted)]
    return len(bag.entries), tuple(problems)
