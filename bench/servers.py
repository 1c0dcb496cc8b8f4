"""Real gunicorn servers on 127.0.0.1 and free ports, for the benchmarks and for the tests
that need a server process of their own (several hosts, an unreachable database)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(
    env: dict[str, str],
    *,
    workers: int = 2,
    extra_args: tuple[str, ...] = (),
    log_path: Path | None = None,
    seconds: float = 60,
) -> tuple[subprocess.Popen, str]:
    """Start `gunicorn config.wsgi` and wait until it accepts connections (not until a page
    answers: a test may point it at a database that is down). Returns it and its base URL."""
    port = free_port()
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *extra_args,
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if log_path:
        log.close()  # the child holds its own copy
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                output = log_path.read_text(errors="replace") if log_path else ""
                raise RuntimeError(f"gunicorn did not start:\n{output}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen, *, seconds: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(env: dict[str, str], **options) -> Iterator[str]:
    """A gunicorn host for the duration of the block; yields its base URL."""
    process, base = start_gunicorn(env, **options)
    try:
        yield base
    finally:
        stop(process)
