"""Load test of the public submission form: SUBMISSIONS posts from CLIENTS concurrent clients
against gunicorn on 127.0.0.1, on SQLite (WAL) and on PostgreSQL. Prints accepted, rejected,
5xx and the rows stored; the goal is zero 5xx and stored == accepted.

    .venv/bin/python -m bench.load_submit                # both databases, 2,000 x 50
    .venv/bin/python -m bench.load_submit --db sqlite --submissions 500

Each client GETs the form once (CSRF cookie and token), then POSTs its share of submissions,
one in ten of them invalid on purpose (a year out of range, a javascript: link), so the
rejection path is under load too. The rate limit is raised for the run through
SUBMISSION_RATE_LIMIT (the per-email cap through SUBMISSION_MAX_PENDING_PER_EMAIL).
Everything lives in a temporary directory or a temporary PostgreSQL database, removed at the
end with the server. Slow: never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

from bench.servers import start_gunicorn, stop

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECTION_CHOICE = re.compile(r'name="sections" value="(\d+)"')


def server_env(database_url: str, static_root: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "README_EXPORT_PATH": "",
            "SUBMISSION_RATE_LIMIT": "1000000",
            "SUBMISSION_MAX_PENDING_PER_EMAIL": "1000000",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(static_root),
        }
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from catalog.models import Section\n"
        "part = Section.objects.create(title='Scalable oversight', slug='oversight', position=1)\n"
        "Section.objects.create(title='Debate', slug='debate', position=1, parent=part)",
    )


class Client:
    def __init__(self, port: int):
        self.port = port
        self.connection = HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                break
            except (ConnectionError, OSError):
                # A keep-alive connection the server closed: reconnect once.
                self.connection.close()
                self.connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text


def submission_form(number: int, token: str, section: str) -> str:
    invalid = number % 10 == 9
    fields = {
        "csrfmiddlewaretoken": token,
        "title": f"Load Test Paper {number}: Scalable Oversight Under Pressure",
        "authors": f"Author{number} et al.",
        "venue": "arXiv",
        "year": "1800" if invalid and number % 20 == 9 else "2024",
        "paper_url": (
            "javascript:alert(1)"
            if invalid and number % 20 == 19
            else f"https://arxiv.org/abs/2401.{number:05d}"
        ),
        "code_url": "",
        "sections": section,
        "contributor_name": f"Client {number}",
        "contributor_email": f"load{number}@example.org",
        "note": "",
        "website": "",
        "action": "send",
        "send_anyway": "on",
    }
    return urllib.parse.urlencode(fields)


def run_load(port: int, submissions: int, clients: int) -> dict:
    statuses: Counter = Counter()
    errors: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(submissions))
    start_gate = threading.Barrier(clients)

    def client_loop() -> None:
        client = Client(port)
        status, page = client.request("GET", "/submit/")
        token, section = CSRF_INPUT.search(page)[1], SECTION_CHOICE.search(page)[1]
        start_gate.wait()
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            began = time.perf_counter()
            try:
                status, _ = client.request(
                    "POST", "/submit/", submission_form(number, token, section)
                )
            except Exception as error:  # counted and printed: a dropped connection is a failure
                with lock:
                    errors[type(error).__name__] += 1
                continue
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"statuses": statuses, "errors": errors, "latencies": latencies, "seconds": elapsed}


def stored_rows(env: dict) -> int:
    out = manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from curation.models import Submission, SubmissionEvent\n"
        "print(Submission.objects.count(), SubmissionEvent.objects.count())",
    )
    submissions, events = (int(x) for x in out.split())
    assert submissions == events, (submissions, events)  # one "created" event per submission
    return submissions


def run_one(kind: str, args, workdir: Path) -> dict:
    if kind == "sqlite":
        database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
        drop = None
    else:
        import psycopg

        name = f"aaa_load_{os.getpid()}"
        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = f"{PG_ADMIN_URL}/{name}"

        def drop():
            with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    env = server_env(database_url, workdir / "static")
    try:
        prepare(env)
        log = workdir / "gunicorn.log"
        server, base = start_gunicorn(
            env,
            workers=args.workers,
            extra_args=(
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--backlog",
                "512",
                "--log-level",
                "warning",
            ),
            log_path=log,
        )
        try:
            result = run_load(urlsplit(base).port, args.submissions, args.clients)
        finally:
            stop(server, seconds=60)
        result["stored"] = stored_rows(env)
        result["server_errors_logged"] = log.read_text(errors="replace").count("Traceback")
        return result
    finally:
        if drop:
            drop()


def report(kind: str, result: dict, args) -> bool:
    statuses, latencies = result["statuses"], sorted(result["latencies"])
    accepted = statuses.get(302, 0)
    rejected = sum(n for code, n in statuses.items() if 400 <= code < 500)
    failed = sum(n for code, n in statuses.items() if code >= 500)
    dropped = sum(result["errors"].values())
    ok = failed == 0 and dropped == 0 and result["stored"] == accepted
    p50 = statistics.median(latencies) * 1000 if latencies else 0
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0
    print(f"== {kind}: {args.submissions} submissions from {args.clients} clients")
    print(f"   accepted (302)      {accepted}")
    print(f"   rejected (4xx)      {rejected}   {dict(sorted(statuses.items()))}")
    print(f"   5xx                 {failed}")
    print(f"   connection errors   {dropped}   {dict(result['errors'])}")
    print(f"   rows stored         {result['stored']}")
    print(f"   tracebacks logged   {result['server_errors_logged']}")
    print(
        f"   {len(latencies) / result['seconds']:.0f} posts/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms,"
        f" {result['seconds']:.1f} s"
    )
    print(f"   {'OK' if ok else 'FAIL'}: zero 5xx and stored == accepted")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads (gthread), "
        f"production settings, 127.0.0.1; {os.cpu_count()} CPUs"
    )
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="aaa-load-") as tmp:
        workdir = Path(tmp)
        env = server_env("sqlite:///unused", workdir / "static")
        manage(env, "collectstatic", "--noinput", "-v0")
        for kind in kinds:
            all_ok &= report(kind, run_one(kind, args, workdir), args)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
