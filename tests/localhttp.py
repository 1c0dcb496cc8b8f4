"""A real HTTP server on 127.0.0.1 for tests: recorded arXiv and Crossref answers, and links
that answer 200, 301, 404, 405, 500 or never.

Tests point ARXIV_API_URL / CROSSREF_API_URL (or the links they check) at it; nothing leaves
the machine.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils.text import slugify

RECORDINGS = Path(__file__).resolve().parent / "recordings"
ENTRY = re.compile(rb"  <entry>.*?</entry>\n", re.DOTALL)
# How long a "hanging" answer waits before giving up on its own; tests time out long before.
HANG_SECONDS = 10
SLOW_SECONDS = 0.3


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def arxiv_answer(query: dict[str, list[str]]) -> Answer:
    atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
    search = query.get("search_query", [""])[0]
    if search.startswith("ti:"):
        path = RECORDINGS / "arxiv" / f"search-{slugify(search[3:].strip(chr(34)))}.xml"
        if path.exists():
            return Answer(200, path.read_bytes(), atom)
        return Answer(200, empty_feed(), atom)
    ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
    entries = []
    for arxiv_id in ids:
        path = RECORDINGS / "arxiv" / f"{arxiv_id}.xml"
        if path.exists():
            entries.extend(ENTRY.findall(path.read_bytes()))
    # Unknown ids are simply missing from the feed, as on arXiv.
    return Answer(200, empty_feed(b"".join(entries)), atom)


def empty_feed(entries: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<feed xmlns="http://www.w3.org/2005/Atom">\n'
        b'  <title type="html">ArXiv Query</title>\n'
        b"  <id>http://arxiv.org/api/local</id>\n" + entries + b"</feed>\n"
    )


def crossref_answer(doi: str) -> Answer:
    path = RECORDINGS / "crossref" / f"{doi.replace('/', '_')}.json"
    if path.exists():
        return Answer(200, path.read_bytes(), {"Content-Type": "application/json"})
    not_found = (RECORDINGS / "crossref" / "not-found.txt").read_bytes()
    return Answer(404, not_found, {"Content-Type": "text/plain"})


class LocalServer:
    """Routes:
    /arxiv/api/query            recorded arXiv answers
    /crossref/works/<doi>       recorded Crossref answers; DOIs 10.5555/slow hang, 10.5555/boom 500
    /status/<code>              answers that status (301/302 redirect to /status/200)
    /no-head/<code>             405 to HEAD, <code> to GET (checks the ranged GET)
    /slow/<code>                answers <code> after a moment, so concurrent requests overlap
    /hang                       never answers (until the server stops)
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        # The most requests this server was answering at once (the per-host limit's proof).
        self.active_now = 0
        self.max_active = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_HEAD(self) -> None:
                self.counted(
                    lambda: self.answer(
                        server.route("HEAD", self.path, dict(self.headers)), body=False
                    )
                )

            def do_GET(self) -> None:
                self.counted(
                    lambda: self.answer(
                        server.route("GET", self.path, dict(self.headers)), body=True
                    )
                )

            def counted(self, respond) -> None:
                with server.lock:
                    server.active_now += 1
                    server.max_active = max(server.max_active, server.active_now)
                try:
                    respond()
                finally:
                    with server.lock:
                        server.active_now -= 1

            def answer(self, answer: Answer | None, *, body: bool) -> None:
                if answer is None:  # hang
                    server.stopping.wait(HANG_SECONDS)
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if body:
                    self.wfile.write(answer.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method: str, raw_path: str, headers: dict[str, str]) -> Answer | None:
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        with self.lock:
            self.requests.append((method, raw_path, headers))
        if path == "/arxiv/api/query":
            return arxiv_answer(query)
        if path.startswith("/crossref/works/"):
            doi = path.removeprefix("/crossref/works/")
            if doi == "10.5555/slow":
                return None
            if doi == "10.5555/boom":
                return Answer(500, b"Internal Server Error", {"Content-Type": "text/plain"})
            return crossref_answer(doi)
        if path == "/hang":
            return None
        if match := re.fullmatch(r"/slow/(\d{3})(?:/.*)?", path):
            # Slow enough that concurrent requests overlap on the server.
            self.stopping.wait(SLOW_SECONDS)
            return Answer(int(match.group(1)), b"x" * 10, {"Content-Type": "text/html"})
        if match := re.fullmatch(r"/(status|no-head)/(\d{3})(?:/.*)?", path):
            kind, code = match.group(1), int(match.group(2))
            if kind == "no-head" and method == "HEAD":
                return Answer(405, headers={"Allow": "GET"})
            if code in (301, 302):
                return Answer(code, headers={"Location": f"{self.url}/status/200"})
            return Answer(code, b"x" * 10, {"Content-Type": "text/html"})
        return Answer(404, b"no such route")
