"""REFI-QDA project export: valid against the official schema, codes, sources, codings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from export_fixtures import with_transcripts
from fakes import A1, A4, Q1_EN
from lxml import etree

from pipeline.export.qdpx import QdpxProject

SCHEMA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def project(tmp_path: Path) -> tuple[zipfile.ZipFile, etree._Element]:
    raw = QdpxProject().render(with_transcripts(tmp_path))["project.qdpx"]
    archive = zipfile.ZipFile(io.BytesIO(raw))
    return archive, etree.fromstring(archive.read("project.qde"))


@pytest.mark.skipif(not SCHEMA.is_file(), reason="../shared/data/refi-qda/Project.xsd is absent")
def test_project_is_valid_against_the_refi_qda_schema(tmp_path: Path) -> None:
    _, root = project(tmp_path)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log


def test_users_and_codebook(tmp_path: Path) -> None:
    data = with_transcripts(tmp_path)
    _, root = project(tmp_path)
    [user] = root.findall("q:Users/q:User", NS)
    assert user.get("name") == "Kiaved Orellana"
    assert root.get("creatingUserGUID") == user.get("guid")
    codes = root.find("q:CodeBook/q:Codes", NS)
    names = [(c.get("name"), c.get("isCodable")) for c in codes.findall("q:Code", NS)]
    assert names == [
        ("Sustainable Development", "true"),
        ("Inter-institutional Cooperation", "true"),
        ("Alliances", "true"),
        ("Guide questions", "false"),
    ]
    description = codes.find("q:Code/q:Description", NS).text
    assert description == "Meeting present needs without compromising future generations."
    questions = codes.findall("q:Code[@name='Guide questions']/q:Code", NS)
    assert [q.get("name") for q in questions] == [
        f"{q.id}: {q.text_in('en')}" for q in data.guide.questions
    ]


def test_source_and_coded_selections(tmp_path: Path) -> None:
    archive, root = project(tmp_path)
    [source] = root.findall("q:Sources/q:TextSource", NS)
    assert source.get("name") == "Felipe Ochoa"
    path = source.get("plainTextPath")
    assert path == f"internal://{source.get('guid')}.txt"
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    selections = source.findall("q:PlainTextSelection", NS)
    assert [s.get("name")[:3] for s in selections] == ["Q1:", "Q2:", "Q3:"]
    first = selections[0]
    assert text[int(first.get("startPosition")) : int(first.get("endPosition"))] == A1
    last = selections[-1]
    assert text[int(last.get("startPosition")) : int(last.get("endPosition"))] == A4
    codes = {c.get("guid"): c.get("name") for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    coded = [codes[ref.get("targetGUID")] for ref in first.findall("q:Coding/q:CodeRef", NS)]
    assert coded == ["Sustainable Development", f"q1: {Q1_EN}"]
    users = {u.get("guid") for u in root.findall("q:Users/q:User", NS)}
    assert {c.get("creatingUser") for c in first.findall("q:Coding", NS)} == users


def test_export_is_deterministic(tmp_path: Path) -> None:
    """Stable GUIDs and zip dates: exporting twice gives the same bytes."""
    first = QdpxProject().render(with_transcripts(tmp_path))
    assert QdpxProject().render(with_transcripts(tmp_path)) == first
