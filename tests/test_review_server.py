"""The review web server over real HTTP: API, audio ranges, and its security checks."""

from __future__ import annotations

import http.client
import json
import threading
import wave
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import A1, write_audio
from review_fixtures import aligned_study, answer

from pipeline.files import is_hand_edited
from pipeline.models import Study
from pipeline.review.api import Review
from pipeline.review.media import playable_audio
from pipeline.review.server import ReviewServer, start_server
from pipeline.workflow import aligned_path, open_study


def serving(root: Path) -> Iterator[ReviewServer]:
    study, guide = aligned_study(root)
    server = start_server(Review(study, guide, "ana"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ReviewServer]:
    """A server on a study of its own, for tests that edit."""
    yield from serving(tmp_path / "study")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewServer]:
    """One server for the tests that only read or are refused (nothing may change)."""
    yield from serving(tmp_path_factory.mktemp("shared") / "study")


def call(
    server: ReviewServer,
    path: str,
    *,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """A raw request; Host defaults to the server's own, anything can be forged."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sent = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        sent.setdefault("Content-Type", "application/json")
        sent["Content-Length"] = str(len(data))
    connection.putrequest("POST" if data else "GET", path, skip_host=True)
    for name, value in sent.items():
        connection.putheader(name, value)
    connection.endheaders(data)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def study_of(server: ReviewServer) -> Study:
    return server.review.study


def test_server_listens_on_localhost_only(shared: ReviewServer) -> None:
    assert shared.server_address[0] == "127.0.0.1"
    assert shared.url == f"http://127.0.0.1:{shared.port}/"


def test_pages_and_static_files_are_served(shared: ReviewServer) -> None:
    status, headers, body = call(shared, "/interview/felipe-ochoa")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<script src="/static/review.js"' in body
    assert b"http" not in body.replace(b"http-equiv", b"")  # no CDN: nothing from elsewhere
    status, headers, body = call(shared, "/static/review.js")
    assert status == 200 and b"function playFrom" in body
    for name in ("review.js", "review.css"):  # works offline: nothing fetched from elsewhere
        assert b"http" not in call(shared, f"/static/{name}")[2]
    assert call(shared, "/static/nothing.js")[0] == 404


def test_interview_data(shared: ReviewServer) -> None:
    status, _, body = call(shared, "/api/interviews")
    assert status == 200
    assert [(i["id"], i["aligned"]) for i in json.loads(body)] == [
        ("felipe-ochoa", True),
        ("fabian-bermeo", True),
    ]
    data = json.loads(call(shared, "/api/interviews/felipe-ochoa")[2])
    assert [a["question_id"] for a in data["answers"]] == ["q1", "q2", "q4"]
    assert data["answers"][0]["final_answer"] == A1
    assert data["statuses"] == ["found", "low-confidence", "not-asked", "merged-with"]
    assert [c["id"] for c in data["categories"]] == ["sustainability", "cooperation"]
    assert data["segments"][1]["start"] == 4.0
    assert data["segments"][1]["words"][0]["text"] == " ¿Cuáles"
    assert call(shared, "/api/interviews/nobody")[0] == 400


def test_edit_is_saved_with_who_and_stays_ours(served: ReviewServer) -> None:
    version = json.loads(call(served, "/api/interviews/felipe-ochoa")[2])["version"]
    status, _, body = call(
        served,
        "/api/interviews/felipe-ochoa/answer/q1",
        body={"version": version, "answer": "Edited.", "translation": "Mobility."},
    )
    assert status == 200, body
    saved = answer(study_of(served), "felipe-ochoa", "q1")
    assert (saved.edited_answer, saved.translation, saved.edited_by) == (
        "Edited.",
        "Mobility.",
        "ana",
    )
    assert json.loads(body)["answers"][0]["edited"] == ["answer", "translation"]
    # Saved through the pipeline's writer: not taken for a file edited by hand.
    assert not is_hand_edited(aligned_path(study_of(served), "felipe-ochoa"))
    # A page still holding the old version is told to reload, and nothing is saved.
    status, _, body = call(
        served,
        "/api/interviews/felipe-ochoa/answer/q1",
        body={"version": version, "answer": "Stale."},
    )
    assert status == 409 and b"changed since it was loaded" in body
    assert answer(study_of(served), "felipe-ochoa", "q1").edited_answer == "Edited."


def test_bad_edits_are_refused(served: ReviewServer) -> None:
    version = json.loads(call(served, "/api/interviews/felipe-ochoa")[2])["version"]
    path = "/api/interviews/felipe-ochoa/answer/q1"
    status, _, body = call(served, path, body={"version": version, "status": "done"})
    assert status == 400 and b"invalid status 'done'" in body
    status, _, body = call(served, path, body={"version": version, "answer": 3})
    assert status == 400 and b"answer must be text" in body
    status, _, _ = call(served, path, body=[1], headers={"Content-Type": "text/plain"})
    assert status == 415
    status, _, body = call(
        served, "/api/interviews/felipe-ochoa/synthesis/alliances", body={"text": "x"}
    )
    assert status == 400 and b"no category 'alliances' for felipe-ochoa" in body


def test_synthesis_is_saved(served: ReviewServer) -> None:
    version = json.loads(call(served, "/api/interviews/felipe-ochoa")[2])["version"]
    status, _, body = call(
        served,
        "/api/interviews/felipe-ochoa/synthesis/cooperation",
        body={"version": version, "text": "Three universities."},
    )
    assert status == 200, body
    assert json.loads(body)["categories"][1]["synthesis"] == "Three universities."


def test_audio_is_served_with_ranges(shared: ReviewServer) -> None:
    wav = study_of(shared).audio_dir / "felipe-ochoa.wav"
    status, headers, body = call(shared, "/audio/felipe-ochoa")
    assert (status, headers["Content-Type"], headers["Accept-Ranges"]) == (
        200,
        "audio/wav",
        "bytes",
    )
    assert body == wav.read_bytes()
    status, headers, body = call(shared, "/audio/felipe-ochoa", headers={"Range": "bytes=100-199"})
    size = wav.stat().st_size
    assert (status, headers["Content-Range"], body) == (
        206,
        f"bytes 100-199/{size}",
        wav.read_bytes()[100:200],
    )
    status, headers, body = call(shared, "/audio/felipe-ochoa", headers={"Range": "bytes=-10"})
    assert (status, body) == (206, wav.read_bytes()[-10:])
    status, headers, _ = call(shared, "/audio/felipe-ochoa", headers={"Range": f"bytes={size}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{size}")


def test_several_recordings_are_joined_into_one_cached_wav(tmp_path: Path) -> None:
    study, guide = aligned_study(tmp_path / "study")
    write_audio(study.audio_dir / "part2.ogg", milliseconds=1500, frequency=300.0)
    person = guide.interviewee("felipe-ochoa")
    person = replace(person, recordings=("felipe-ochoa.wav", "part2.ogg"))
    path, content_type = playable_audio(study, person)
    assert content_type == "audio/wav"
    assert path.parent == study.transcripts_dir / ".review"
    with wave.open(str(path)) as joined:
        assert joined.getframerate() == 16_000 and joined.getnchannels() == 1
        assert joined.getnframes() / 16_000 == pytest.approx(44 + 1.5, abs=0.05)
    assert playable_audio(study, person) == (path, "audio/wav")  # cached


# --- security --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost", "0.0.0.0:{port}"]
)
def test_foreign_host_is_refused(shared: ReviewServer, host: str) -> None:
    status, _, body = call(
        shared, "/api/interviews", headers={"Host": host.format(port=shared.port)}
    )
    assert (status, json.loads(body)) == (403, {"error": "forbidden host"})


def test_localhost_name_is_accepted(shared: ReviewServer) -> None:
    assert call(shared, "/api/interviews", headers={"Host": f"localhost:{shared.port}"})[0] == 200


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"]
)
def test_foreign_origin_is_refused(shared: ReviewServer, origin: str) -> None:
    version = json.loads(call(shared, "/api/interviews/felipe-ochoa")[2])["version"]
    status, _, body = call(
        shared,
        "/api/interviews/felipe-ochoa/answer/q1",
        body={"version": version, "answer": "Forged."},
        headers={"Origin": origin.format(port=shared.port)},
    )
    assert (status, json.loads(body)) == (403, {"error": "forbidden origin"})
    assert answer(study_of(shared), "felipe-ochoa", "q1").edited_answer == ""


def test_own_origin_is_accepted(shared: ReviewServer) -> None:
    headers = {"Origin": f"http://127.0.0.1:{shared.port}"}
    assert call(shared, "/api/interviews", headers=headers)[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/%2E%2E%2F__init__.py",
        "/audio/..%2F..%2Fstudy.toml",
        "/audio/%2e%2e",
        "/interview/../../study.toml",
        "/static/..%5c..%5cserver.py",
        "/api/interviews/..%2Ffelipe-ochoa",
    ],
)
def test_path_traversal_is_refused(shared: ReviewServer, path: str) -> None:
    status, _, body = call(shared, path)
    assert status in (403, 404)
    assert b"root:" not in body and b"title" not in body and b"import" not in body


def test_audio_link_leading_outside_the_study_is_not_served(tmp_path: Path) -> None:
    study, _ = aligned_study(tmp_path / "study")
    outside = write_audio(tmp_path / "secret.wav")
    target = study.audio_dir / "felipe-ochoa.wav"
    target.unlink()
    target.symlink_to(outside)
    server = start_server(Review(*open_study(study.root), "ana"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        status, _, body = call(server, "/audio/felipe-ochoa")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 404 and b"outside the study folder" in body
