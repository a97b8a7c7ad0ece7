"""Pseudonymisation: no listed name survives in any output, file name or DOCX internals."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from fakes import GUIDE_YAML, FakeTranscriber, invoke, write_study

from pipeline.errors import PrivacyError
from pipeline.guide import load_guide
from pipeline.privacy import build_pseudonyms, read_terms

# The scripted interview mentions these; the guide lists the people and the organisation.
LISTED = ("Felipe Ochoa", "Fabián Bermeo", "Fabian Bermeo", "felipe-ochoa", "fabian-bermeo")
LISTED += ("GAD Municipal de Cuenca", "Ochoa", "Bermeo", "cámara de comercio")


@pytest.fixture
def done_study(tmp_path: Path, fake_engine: FakeTranscriber) -> Path:
    """A study whose transcripts name the interviewees and a term from the terms file."""
    root = write_study(tmp_path / "study")
    script = (
        ("Buenos días, Magister Ochoa, gracias por recibirnos en GAD Municipal de Cuenca.", 0, 3),
        ("¿Cuáles son los principales desafíos que enfrenta Cuenca?", 4, 9),
        ("Como dijo FELIPE OCHOA, la Cámara de Comercio nos ayudó.", 10, 14),
        ("¿Cómo coopera el municipio con las universidades y las empresas privadas?", 15, 19),
        ("Con Fabian Bermeo firmamos convenios.", 20, 24),
    )
    fake_engine.script = script
    assert invoke("run", root).exit_code == 0
    (tmp_path / "terms.txt").write_text("# third parties\ncámara de comercio\n\n", "utf-8")
    return root


def all_text(folder: Path) -> str:
    """Every file name and every file's text under `folder`, zip members unpacked."""
    parts = []
    for path in sorted(folder.rglob("*")):
        parts.append(path.relative_to(folder).as_posix())
        if path.is_file() and path.read_bytes()[:2] == b"PK":
            with zipfile.ZipFile(path) as container:
                for member in container.namelist():
                    parts += [member, container.read(member).decode("utf-8", "ignore")]
        elif path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "ignore"))
    return "\n".join(parts)


def assert_no_listed_name(text: str) -> None:
    for name in LISTED:
        assert name.casefold() not in text.casefold(), name


def test_replacement_is_consistent_whole_word_and_accent_blind(tmp_path: Path) -> None:
    path = tmp_path / "guide.yaml"
    path.write_text(GUIDE_YAML, encoding="utf-8")
    pseudonyms = build_pseudonyms(load_guide(path), ["ICLEI"])
    text = (
        "Fabian BERMEO and felipe-ochoa met Ochoa at GAD municipal de Cuenca and ICLEI; "
        "Ochoal and Cuenca stay."
    )
    assert pseudonyms.text(text) == "P02 and P01 met P01 at ORG1 and TERM1; Ochoal and Cuenca stay."
    assert [(e.code, e.kind, e.term) for e in pseudonyms.entries[:4]] == [
        ("P01", "person", "Felipe Ochoa"),
        ("P02", "person", "Fabián Bermeo"),
        ("ORG1", "organisation", "GAD Municipal de Cuenca"),
        ("TERM1", "term", "ICLEI"),
    ]


def test_terms_file(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text("\ufeff# comment\n  ICLEI \n\nSafe Cities\n", encoding="utf-8")
    assert read_terms(path) == ("ICLEI", "Safe Cities")
    with pytest.raises(PrivacyError) as caught:
        read_terms(tmp_path / "nope.txt")
    assert str(caught.value) == f"terms file not found ({tmp_path / 'nope.txt'})"


def test_export_pseudonymise(done_study: Path) -> None:
    exports = done_study / "exports"
    identified = (exports / "appendix1.csv").read_bytes()
    terms = done_study.parent / "terms.txt"
    result = invoke("export", done_study, "--pseudonymise", "--terms", terms)
    assert result.exit_code == 0, result.output
    folder = exports / "pseudonymised"
    assert result.stdout.splitlines() == [
        f"Wrote {folder / 'appendix1.docx'}",
        f"Wrote {folder / 'appendix1.csv'}",
        f"Wrote {exports / 'pseudonym-key.csv'}",
    ]
    assert (exports / "appendix1.csv").read_bytes() == identified  # not overwritten
    assert_no_listed_name(all_text(folder))
    rows = list(csv.DictReader(io.StringIO((folder / "appendix1.csv").read_text("utf-8-sig"))))
    assert {r["interviewee_id"] for r in rows} == {"P01", "P02"}
    assert {r["name"] for r in rows} == {"P01", "P02"}
    assert "la TERM1 nos ayudó" in rows[0]["answer"]
    key = (exports / "pseudonym-key.csv").read_text("utf-8-sig")
    assert "P01,person,Felipe Ochoa" in key
    assert "TERM1,term,cámara de comercio" in key


def test_archive_pseudonymise_keeps_the_key_out(done_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "share" / "bag"
    terms = done_study.parent / "terms.txt"
    result = invoke(
        "archive", done_study, "--out", out, "--pseudonymise", "--terms", terms, "--include-audio"
    )
    assert result.exit_code == 0, result.output
    key = tmp_path / "share" / "pseudonym-key.csv"
    assert result.stdout.splitlines()[-1] == (
        f"Wrote pseudonym key {key} (keep it apart from the bag)"
    )
    assert key.is_file()
    everything = all_text(out)
    assert_no_listed_name(everything)
    assert "data/transcripts/P01.json" in everything
    assert "data/audio/P01.wav" in everything
    assert "data/exports/appendix1.docx" in everything
    assert "pseudonym-key" not in everything
    assert invoke("archive", "--verify", out).exit_code == 0
    # The same study and terms give the same bag.
    again = tmp_path / "again"
    args = ("--pseudonymise", "--terms", terms, "--include-audio", "--key", tmp_path / "k.csv")
    assert invoke("archive", done_study, "--out", again, *args).exit_code == 0
    for tag_file in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        assert (out / tag_file).read_bytes() == (again / tag_file).read_bytes()


def test_archive_include_key(done_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    result = invoke("archive", done_study, "--out", out, "--pseudonymise", "--include-key")
    assert result.exit_code == 0, result.output
    assert (out / "data" / "pseudonym-key.csv").is_file()
    assert not (tmp_path / "pseudonym-key.csv").exists()


def test_a_different_key_is_never_overwritten(done_study: Path, tmp_path: Path) -> None:
    key = tmp_path / "pseudonym-key.csv"
    key.write_text("an older key\n", encoding="utf-8")
    result = invoke("archive", done_study, "--out", tmp_path / "bag", "--pseudonymise")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: a different pseudonym key already exists")
    assert key.read_text(encoding="utf-8") == "an older key\n"
    assert not (tmp_path / "bag").exists()


def test_a_name_that_would_survive_stops_the_export(
    done_study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last check catches a writer that took a name from outside the data model."""
    from pipeline.export import appendix1_csv

    original = appendix1_csv.Appendix1Csv.render

    def leaky(self: object, data: object) -> dict[str, bytes]:
        rendered = original(self, data)  # type: ignore[arg-type]
        return {name: content + b"Felipe Ochoa" for name, content in rendered.items()}

    monkeypatch.setattr(appendix1_csv.Appendix1Csv, "render", leaky)
    result = invoke("export", done_study, "--pseudonymise", "-f", "appendix1-csv")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: pseudonymisation would leave the listed term 'felipe ochoa' in its text; "
        "nothing was written (appendix1.csv)\n"
    )
    assert not (done_study / "exports" / "pseudonymised").exists()
