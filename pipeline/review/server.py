"""The local review web server: standard library only, bound to 127.0.0.1.

Static page files come from the package; the JSON API is api.py; the recording is
served with HTTP Range support so the player can seek. Requests naming another host or
origin (a web page trying to reach this server through the browser) get 403, and
nothing outside the study folder or the package's static files is ever served.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import LockError, PipelineError, ReviewError, StaleEditError
from . import api, media

HOST = "127.0.0.1"
STATIC_FILES = {
    "review.js": "text/javascript; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
}
_PAGE = "index.html"
_API = re.compile(r"^/api/interviews/([\w.-]+)/(answer|anchor|resolve|synthesis)/([\w.-]+)$")
_MAX_BODY = 1 << 20
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 1 << 16


class ReviewServer(ThreadingHTTPServer):
    """Serves one study; `url` is what to open in the browser."""

    daemon_threads = True

    def __init__(self, review: api.Review, port: int = 0) -> None:
        super().__init__((HOST, port), ReviewHandler)
        self.review = review
        self.save_lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A player that drops a connection mid-file is normal, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def allowed_hosts(self) -> set[str]:
        return {f"{HOST}:{self.port}", f"localhost:{self.port}"}


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL, not every request."""

    def do_GET(self) -> None:
        if not self._trusted():
            return
        path = self._path()
        if path is None:
            return
        if path == "/" or path.startswith("/interview/"):
            self._static(_PAGE, "text/html; charset=utf-8")
        elif path.startswith("/static/") and path[8:] in STATIC_FILES:
            self._static(path[8:], STATIC_FILES[path[8:]])
        elif path == "/api/interviews":
            self._json(api.interview_list(self.server.review))
        elif path.startswith("/api/interviews/"):
            self._answer(lambda: api.interview(self.server.review, path[16:]))
        elif path.startswith("/audio/"):
            self._audio(path[7:])
        else:
            self._error(HTTPStatus.NOT_FOUND, "not found")

    def do_POST(self) -> None:
        if not self._trusted():
            return
        path = self._path()
        if path is None:
            return
        match = _API.match(path)
        if match is None:
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= _MAX_BODY:
                raise ValueError(length)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError(body)
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, "the request body is not a JSON object")
            return
        person, action, target = match.groups()
        with self.server.save_lock:
            self._answer(lambda: api.change(self.server.review, person, action, target, body))

    # --- checks ----------------------------------------------------------------------------

    def _trusted(self) -> bool:
        """Only this server's own pages: Host must name it, Origin (if sent) must be it.

        A foreign Host is DNS rebinding, a foreign Origin another web site's script."""
        allowed = self.server.allowed_hosts()
        origin = self.headers.get("Origin")
        if self.headers.get("Host") not in allowed:
            self._error(HTTPStatus.FORBIDDEN, "forbidden host")
            return False
        if origin is not None and origin not in {f"http://{h}" for h in allowed}:
            self._error(HTTPStatus.FORBIDDEN, "forbidden origin")
            return False
        return True

    def _path(self) -> str | None:
        """The decoded path; any dot segment, backslash or NUL is refused outright."""
        path = unquote(urlsplit(self.path).path)
        parts = path.split("/")
        if any(p in (".", "..") for p in parts) or "\\" in path or "\0" in path:
            self._error(HTTPStatus.FORBIDDEN, "forbidden path")
            return None
        return path

    # --- responses ---------------------------------------------------------------------------

    def _answer(self, produce: Any) -> None:
        try:
            self._json(produce())
        except (StaleEditError, LockError) as error:
            self._error(HTTPStatus.CONFLICT, str(error))
        except ReviewError as error:
            self._error(HTTPStatus.BAD_REQUEST, str(error))
        except PipelineError as error:
            self._error(HTTPStatus.NOT_FOUND, str(error))

    def _json(self, data: object, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json({"error": message}, status)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; media-src 'self'")
        if status >= 400:
            # A refused request's body may be unread: never parse it as the next request.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _static(self, name: str, content_type: str) -> None:
        body = resources.files(__package__).joinpath("static", name).read_bytes()
        self._send(HTTPStatus.OK, body, content_type)

    def _audio(self, interviewee_id: str) -> None:
        review = self.server.review
        try:
            path, content_type = media.playable_audio(
                review.study, review.interviewee(interviewee_id)
            )
        except PipelineError as error:
            self._error(HTTPStatus.NOT_FOUND, str(error))
            return
        size = path.stat().st_size
        first, last = 0, size - 1
        status = HTTPStatus.OK
        wanted = _RANGE.match(self.headers.get("Range") or "")
        if wanted and any(wanted.groups()):
            start, end = wanted.groups()
            if start:
                first, last = int(start), min(int(end), size - 1) if end else size - 1
            else:
                first = max(0, size - int(end))
            if first > last or first >= size:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if status is HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        with path.open("rb") as handle:
            handle.seek(first)
            remaining = last - first + 1
            while remaining > 0:
                block = handle.read(min(_CHUNK, remaining))
                if not block:
                    break
                self.wfile.write(block)
                remaining -= len(block)


def start_server(review: api.Review, port: int = 0) -> ReviewServer:
    """A server bound to 127.0.0.1 (`port` 0: any free one), not yet serving."""
    try:
        return ReviewServer(review, port)
    except OSError as exc:
        raise ReviewError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc})") from None


def serve_forever(server: ReviewServer) -> None:
    """Serve until Ctrl+C, then close the socket cleanly."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
