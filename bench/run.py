"""`make bench`: the catalog at 10,000 and 100,000 papers, served by gunicorn (2 workers,
production settings) on 127.0.0.1 and loaded by wrk (or a Python client when wrk is absent),
every figure printed beside its target and its reference from the same run.

Everything lives in a temporary directory (SQLite file, export, a private Redis) or a
temporary PostgreSQL database, removed at the end, with the servers this script started.
The developer's db.sqlite3 is never opened. Slow: never part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

from bench.servers import free_port, start_gunicorn, stop

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"

TARGET_QUERIES = 6
TARGET_CACHED_RATIO = 0.9
TARGET_UNCACHED_RATIO = 0.2  # uncached section and search pages
TARGET_EXPORT_RATIO = 2.0
TARGET_EXPORT_WALL = 1.5
TARGET_DUPLICATE_P50 = 0.020
# Pages loaded a second time as a browser asks for them, `Accept-Encoding: gzip`.
GZIPPED_PAGES = ("readme",)
GZIP = {"Accept-Encoding": "gzip"}


def log(message: str) -> None:
    print(message, flush=True)


def wait_for(url: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {seconds} s")


def run_checked(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=REPO, check=True, **kwargs)


def timed_child(command: list[str], env: dict, **kwargs) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, **kwargs)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited {process.returncode}")
    return elapsed, usage.ru_maxrss


# Load generation ----------------------------------------------------------------------------

UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def load_with_wrk(url: str, *, duration: int, connections: int, headers: dict) -> dict:
    completed = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            *(option for name, value in headers.items() for option in ("-H", f"{name}: {value}")),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    )
    out = completed.stdout
    percentiles = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, flags=re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.+)$", out, flags=re.MULTILINE)
    if "50" not in percentiles:  # no request completed: wrk prints no distribution
        raise RuntimeError(f"wrk measured nothing for {url}:\n{out}\n{completed.stderr}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": _seconds(percentiles["50"]),
        "p99": _seconds(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "errors": int(errors[1]) if errors else 0,
        "socket_errors": socket_errors[1] if socket_errors else "",
    }


def load_with_python(url: str, *, duration: int, connections: int, headers: dict) -> dict:
    """The fallback client: `connections` threads, keep-alive where the server allows it,
    bounded by time (and by 100,000 requests per thread)."""
    target = urllib.request.urlparse(url)
    path = target.path + (f"?{target.query}" if target.query else "")
    deadline = time.monotonic() + duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        mine: list[float] = []
        connection = None
        for _ in range(100_000):
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = HTTPConnection(target.hostname, target.port, timeout=10)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except OSError:
                errors[0] += 1
                connection = None
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "rps": len(latencies) / elapsed,
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "requests": len(latencies),
        "errors": errors[0],
        "socket_errors": "",
    }


def worker_peak_rss_kib(master_pid: int) -> list[int]:
    """VmHWM (peak resident set) of each gunicorn worker, from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]))
    return peaks


# One catalog size on one database --------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, database: str, papers: int) -> None:
        self.args = args
        self.database = database
        self.papers = papers
        self.workdir = Path(tempfile.mkdtemp(prefix="aaa-bench-"))
        self.processes: list[subprocess.Popen] = []
        self.pg_name = f"aaa_bench_{os.getpid()}_{papers}"
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="false",
            BENCH_ENDPOINTS="true",
            README_EXPORT_PATH="",
            CONN_MAX_AGE="600",
            LOG_LEVEL="WARNING",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if database == "sqlite":
            self.env["DATABASE_URL"] = f"sqlite:///{self.workdir / 'bench.sqlite3'}"
        else:
            self.env["DATABASE_URL"] = f"{PG_ADMIN_URL}/{self.pg_name}"

    def cleanup(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        if self.database == "postgresql":
            subprocess.run(
                [
                    "psql",
                    PG_ADMIN_URL + "/postgres",
                    "-q",
                    "-c",
                    f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)",
                ],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start_redis(self) -> None:
        port = free_port()
        process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        self.processes.append(process)
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def prepare(self) -> dict:
        if self.database == "postgresql":
            run_checked(
                ["psql", PG_ADMIN_URL + "/postgres", "-q", "-c", f"CREATE DATABASE {self.pg_name}"],
                self.env,
            )
        if shutil.which("redis-server"):
            self.start_redis()
        run_checked([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], self.env)
        started = time.perf_counter()
        generated = run_checked(
            [
                PYTHON,
                "-m",
                "bench.generate",
                f"--papers={self.papers}",
                f"--sections={self.args.sections}",
            ],
            {**self.env, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
            capture_output=True,
            text=True,
        ).stdout.strip()
        log(f"  {generated} (wall {time.perf_counter() - started:.1f} s)")
        if self.database == "postgresql":
            run_checked(["psql", self.env["DATABASE_URL"], "-q", "-c", "VACUUM ANALYZE"], self.env)
        return {"generated": generated}

    def in_process(self) -> dict:
        env = {**self.env, "CATALOG_PAGE_CACHE": "false"}
        out = run_checked(
            [PYTHON, "-m", "bench.inprocess"], env, capture_output=True, text=True
        ).stdout
        return json.loads(out)

    def export_reference(self, sql: list[str]) -> list[float]:
        """The export's own queries, run by the database's command-line client, output
        discarded: the floor for reading those columns in that order."""
        script = self.workdir / "export.sql"
        script.write_text(";\n".join(sql) + ";\n", encoding="utf-8")
        if self.database == "sqlite":
            command = ["sqlite3", str(self.workdir / "bench.sqlite3")]
        else:
            command = ["psql", self.env["DATABASE_URL"], "-X", "-q", "-A", "-t"]
        times = []
        for _ in range(3):
            with script.open("rb") as stdin:
                seconds, _rss = timed_child(
                    command, self.env, stdin=stdin, stdout=subprocess.DEVNULL
                )
            times.append(seconds)
        return times

    def export_command(self) -> dict:
        output = self.workdir / "README.md"
        walls, peaks = [], []
        for _ in range(3):
            output.unlink(missing_ok=True)
            seconds, peak = timed_child(
                [PYTHON, "manage.py", "export_readme", f"--output={output}"],
                self.env,
                stdout=subprocess.DEVNULL,
            )
            walls.append(seconds)
            peaks.append(peak)
        return {"walls": walls, "peak_rss_kib": max(peaks), "bytes": output.stat().st_size}

    def serve_and_load(self, pages: dict, *, cached: bool) -> dict:
        env = {**self.env, "CATALOG_PAGE_CACHE": "true" if cached else "false"}
        server, base = start_gunicorn(env, extra_args=("--log-level", "warning"))
        self.processes.append(server)
        try:
            wait_for(base + "/bench/ok/")
            load = load_with_wrk if shutil.which("wrk") else load_with_python
            targets = {
                "ok": ("/bench/ok/", {}),
                **{name: (path, {}) for name, path in pages.items()},
                # As a browser asks: a cached page then comes gzipped (catalog.cache).
                **{f"{name}, gzip": (pages[name], GZIP) for name in GZIPPED_PAGES},
            }
            results = {}
            for name, (path, headers) in targets.items():
                for _ in range(4):  # warm: both workers' connections, memoized data, cache
                    warming = urllib.request.Request(base + path, headers=headers)
                    with urllib.request.urlopen(warming, timeout=60) as answer:  # noqa: S310
                        body = answer.read()
                        encoding = answer.headers.get("Content-Encoding", "identity")
                results[name] = load(
                    base + path,
                    duration=self.args.duration,
                    connections=self.args.connections,
                    headers=headers,
                )
                # What the load received, as the last warm-up request got it.
                results[name].update(encoding=encoding, body_bytes=len(body))
            # The reference again at the end: the machine's load may have changed meanwhile.
            again = load(
                base + "/bench/ok/",
                duration=self.args.duration,
                connections=self.args.connections,
                headers={},
            )
            results["ok"]["rps"] = (results["ok"]["rps"] + again["rps"]) / 2
            results["ok_again"] = again
            return {
                "client": "wrk" if load is load_with_wrk else "python",
                "loads": results,
                "worker_peak_rss_kib": worker_peak_rss_kib(server.pid),
            }
        finally:
            stop(server)
            self.processes.remove(server)

    def run(self) -> dict:
        log(f"== {self.database}, {self.papers:,} papers, {self.args.sections} sections")
        result = {"database": self.database, "papers": self.papers}
        result.update(self.prepare())
        log("  in-process: queries per page, export, duplicate check")
        result["inprocess"] = self.in_process()
        result["export_reference"] = self.export_reference(result["inprocess"]["export_sql"])
        log("  export_readme command")
        result["export_command"] = self.export_command()
        for cached in (True, False):
            log(f"  gunicorn, page cache {'on' if cached else 'off'}: load")
            result["cached" if cached else "uncached"] = self.serve_and_load(
                result["inprocess"]["pages"], cached=cached
            )
        return result


# Reporting -------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(results: list[dict], *, machine: dict, command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- date: {machine['date']}",
        f"- machine: {machine['cpus']} CPUs ({machine['cpu']}), {machine['memory']} memory, "
        f"load average at start {machine['load']}",
        f"- software: Python {machine['python']}, Django {machine['django']}, SQLite "
        f"{machine['sqlite']}, PostgreSQL {machine['postgresql']}, wrk: {machine['wrk']}",
        f"- command: `{command}`",
        "- server: gunicorn, 2 sync workers, production settings, 127.0.0.1; cache: a private "
        "Redis (production's cache backend); page cache on, then off (`CATALOG_PAGE_CACHE`)",
        '- reference: `/bench/ok/` (`HttpResponse("ok")`), loaded in the same run, before '
        "and after the pages (mean of the two)",
        "",
    ]
    for result in results:
        inproc = result["inprocess"]
        lines += [
            f"## {result['database']}, {result['papers']:,} papers",
            "",
            f"{result['generated']}",
            "",
            f"### Pages, {result['database']}, {result['papers']:,} papers",
            "",
            "| page | URL | queries, steady (target ≤ 6) | req/s cached | ratio to ok (≥ 0.9) "
            "| p50 / p99 cached | req/s uncached | ratio to ok (section, search ≥ 0.2) "
            "| p50 / p99 uncached |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for mode in ("cached", "uncached"):
            ok = result[mode]["loads"]["ok"]
            lines_for = f"{mode}: ok {ok['rps']:.0f} req/s, p50 {ok['p50'] * 1000:.1f} ms"
            result[mode]["summary"] = lines_for
        rows = []
        for name, url in inproc["pages"].items():
            rows.append((name, name, f"`{url}`"))
            if name in GZIPPED_PAGES:
                rows.append((f"{name}, gzip", name, f"`{url}`, `Accept-Encoding: gzip`"))
        for name, page, url in rows:
            queries = inproc["queries"][page]
            cells = [name, url]
            cells.append(
                f"{queries['steady']} ({queries['after_change']} after a catalog change) "
                f"{verdict(queries['steady'] <= TARGET_QUERIES)}"
            )
            for mode in ("cached", "uncached"):
                load = result[mode]["loads"][name]
                ratio = load["rps"] / result[mode]["loads"]["ok"]["rps"]
                target = TARGET_CACHED_RATIO if mode == "cached" else TARGET_UNCACHED_RATIO
                judged = mode == "cached" or name in ("section", "search", "filter")
                note = f" {verdict(ratio >= target)}" if judged else ""
                errors = f", {load['errors']} errors" if load["errors"] else ""
                if name != page:  # a variant: say what it was answered with
                    errors += f" ({load['encoding']}, {load['body_bytes']:,} bytes)"
                cells += [
                    f"{load['rps']:.0f}{errors}",
                    f"{ratio:.2f}{note}",
                    f"{load['p50'] * 1000:.1f} / {load['p99'] * 1000:.1f} ms",
                ]
            lines.append("| " + " | ".join(cells) + " |")
        lines += [""]
        for mode in ("cached", "uncached"):
            rss = ", ".join(f"{kib / 1024:.0f} MiB" for kib in result[mode]["worker_peak_rss_kib"])
            lines.append(
                f"- reference {result[mode]['summary']} (client {result[mode]['client']}); "
                f"gunicorn workers' peak RSS: {rss}"
            )
        export_in = statistics.median(inproc["export_seconds"])
        reference = statistics.median(result["export_reference"])
        command_wall = statistics.median(result["export_command"]["walls"])
        dup = inproc["duplicates"]
        client = "sqlite3" if result["database"] == "sqlite" else "psql"
        lines += [
            "",
            f"### Export and duplicate check, {result['database']}, {result['papers']:,} papers",
            "",
            "| figure | value | target | reference |",
            "| --- | --- | --- | --- |",
            f"| export, in-process `render_readme()` (median of 3) | {export_in:.3f} s | ≤ 2× "
            f"reference: {export_in / reference:.2f}× "
            f"{verdict(export_in <= TARGET_EXPORT_RATIO * reference)} "
            f"| `{client}` CLI running the export's {len(inproc['export_sql'])} queries, output "
            f"discarded: {reference:.3f} s |",
            f"| `manage.py export_readme --output FILE` wall (median of 3) | {command_wall:.3f} s "
            f"| < {TARGET_EXPORT_WALL} s {verdict(command_wall < TARGET_EXPORT_WALL)} | all runs: "
            + ", ".join(f"{w:.2f}" for w in result["export_command"]["walls"])
            + " s |",
            f"| export peak RSS | {result['export_command']['peak_rss_kib'] / 1024:.0f} MiB | — "
            f"| {result['export_command']['bytes']:,} bytes written |",
            f"| duplicate check p50 ({dup['checks']} submissions) | "
            f"{dup['p50_seconds'] * 1000:.1f} ms "
            f"| ≤ 20 ms {verdict(dup['p50_seconds'] <= TARGET_DUPLICATE_P50)} | p99 "
            f"{dup['p99_seconds'] * 1000:.1f} ms; {dup['with_duplicates']} found a duplicate |",
            f"| duplicate check, first in a process | {dup['first_seconds'] * 1000:.0f} ms | — "
            + (
                "| builds the title index |"
                if result["database"] == "sqlite"
                else "| pg_trgm shortlist, no index to build |"
            ),
            "",
        ]
    return "\n".join(lines)


def machine_facts() -> dict:
    def output(command: list[str]) -> str:
        try:  # not check=True: `wrk --version` exits 1
            done = subprocess.run(command, capture_output=True, text=True)
            return (done.stdout or done.stderr).strip()
        except OSError:
            return "absent"

    cpu = "unknown"
    with contextlib.suppress(OSError):
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found[1] if found else cpu
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    django_version = output([PYTHON, "-c", "import django; print(django.get_version())"])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{int(memory[1]) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "load": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "django": django_version,
        "sqlite": output([PYTHON, "-c", "import sqlite3; print(sqlite3.sqlite_version)"]),
        "postgresql": output(["psql", "--version"]).removeprefix("psql (PostgreSQL) "),
        "wrk": output(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else "absent",
    }


def ensure_wrk() -> None:
    """Debian's wrk, installed when missing and we may (root); else the Python client."""
    if shutil.which("wrk") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    log("installing wrk (apt-get)")
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=False,
        capture_output=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="papers, comma-separated")
    parser.add_argument("--sections", type=int, default=600)
    parser.add_argument(
        "--databases", default="sqlite", help="sqlite and/or postgresql, comma-separated"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--output", default=str(REPO / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    ensure_wrk()
    run_checked(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "collectstatic-only",
        },
    )
    machine = machine_facts()
    results = []
    for database in args.databases.split(","):
        for papers in (int(size) for size in args.sizes.split(",")):
            bench = Bench(args, database.strip(), papers)
            try:
                results.append(bench.run())
            finally:
                bench.cleanup()
    text = report(
        results, machine=machine, command=" ".join(["python -m bench.run", *sys.argv[1:]])
    )
    output = Path(args.output)
    earlier = output.read_text(encoding="utf-8") if output.exists() else ""
    output.write_text(with_run_appended(earlier, text, date=machine["date"]), encoding="utf-8")
    print()
    print(text)
    print(f"{'appended to' if earlier.strip() else 'written to'} {args.output}")


def with_run_appended(earlier: str, run: str, *, date: str) -> str:
    """The results file with this run at its end: the file keeps every run and what was
    written about them, the latest last. A new file is the run itself; otherwise the run's
    title becomes a section of the file ("## Run at DATE") and its headings one level lower."""
    if not earlier.strip():
        return run
    lines = []
    for line in run.splitlines():
        if line == "# Benchmark results":
            line = f"## Run at {date}"
        elif line.startswith("#"):
            line = "#" + line
        lines.append(line)
    return earlier.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
