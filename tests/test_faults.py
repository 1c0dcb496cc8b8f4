"""Faults, made real: an export killed in the middle of writing, a database that cannot be
reached, a mail server that refuses, and a backup restored into an empty database."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection

from bench.servers import free_port, start_gunicorn, stop
from catalog.models import Paper, Placement
from catalog.readme.export import STALE_TEMPORARY_SECONDS, render_readme
from curation.models import Submission
from curation.services import Contributor, SubmissionContent, submission_create
from tests.conftest import REPO_ROOT
from tests.factories import SectionFactory, review_post

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The URL of the test database this test runs on, for a subprocess."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"], settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def subprocess_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def big_catalog(papers: int = 10_000) -> None:
    section = SectionFactory(title="Scalable oversight", slug="oversight")
    created = Paper.objects.bulk_create(
        Paper(title=f"A Long Enough Paper Title Number {n}", authors=f"Author{n} et al.", year=2024)
        for n in range(papers)
    )
    Placement.objects.bulk_create(
        Placement(paper=paper, section=section, position=n)
        for n, paper in enumerate(created, start=1)
    )


# An export killed halfway ------------------------------------------------------------------


def export_command(path: Path) -> list[str]:
    return [sys.executable, "manage.py", "export_readme", "--output", str(path)]


def temporaries(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def test_an_export_killed_while_writing_leaves_the_old_readme_intact(tmp_path):
    big_catalog()
    readme = tmp_path / "README.md"
    old = b"# The previous README\n\n- **An entry.**\n"
    readme.write_bytes(old)
    new = render_readme().encode()
    assert len(new) > 500_000
    env = subprocess_env(DATABASE_URL=database_url())

    # SIGKILL the exporter the moment its temporary file appears, i.e. while it writes.
    killed_mid_write = 0
    for _attempt in range(5):
        process = subprocess.Popen(
            export_command(readme),
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not any(
            name.endswith(".tmp") for name in os.listdir(tmp_path)
        ):
            pass
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if process.returncode == -signal.SIGKILL and temporaries(readme):
            killed_mid_write += 1
            assert readme.read_bytes() == old  # byte-identical
            break
        readme.write_bytes(old)  # it finished first: try again
    assert killed_mid_write == 1
    [left] = temporaries(readme)  # SIGKILL: its own cleanup never ran

    # A write that fails (the file size limit: EFBIG) cleans up after itself.
    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    failed = subprocess.run(
        export_command(readme),
        cwd=REPO_ROOT,
        env=env,
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert failed.returncode == 1 and "File too large" in failed.stderr
    assert readme.read_bytes() == old
    assert temporaries(readme) == [left]

    # The next export replaces the file whole and removes what a killed writer left behind
    # (a temporary file is stale after STALE_TEMPORARY_SECONDS; a live writer's is not).
    stale = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(left, (stale, stale))
    subprocess.run(export_command(readme), cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    assert readme.read_bytes() == new
    assert temporaries(readme) == []


# The database unreachable ------------------------------------------------------------------


def test_public_pages_answer_503_when_the_database_is_unreachable(tmp_path):
    closed = free_port()  # nothing listens here: every connection is refused
    log = tmp_path / "gunicorn.log"
    server, base = start_gunicorn(
        subprocess_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/aaa"),
        workers=1,
        log_path=log,
    )
    try:
        for path in ("/", "/search/?q=debate", "/sections/oversight/", "/papers/1/", "/submit/"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(f"{base}{path}", timeout=30)
            body = answer.value.read().decode()
            assert answer.value.code == 503, path
            assert answer.value.headers["Retry-After"] == "30"
            assert "The catalog is temporarily unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body
        # Static files do not need the database.
        css = urllib.request.urlopen(f"{base}/static/css/site.css", timeout=30)
        assert css.status == 200
    finally:
        stop(server)
    assert "Database unavailable on GET /" in log.read_text()


# A mail server that refuses ---------------------------------------------------------------


class RefusingSmtpServer:
    """A real socket on 127.0.0.1: greets with 554 and hangs up, or accepts and hangs up."""

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.behaviour == "554":
                client.sendall(b"554 5.3.2 No SMTP service here\r\n")
            client.close()

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("behaviour", ["554", "hang-up", "closed-port"])
def test_a_refusing_mail_server_leaves_the_decision_standing_and_tells_the_maintainer(
    client, django_user_model, settings, caplog, behaviour
):
    cache.clear()
    server = RefusingSmtpServer(behaviour)
    port = server.port
    if behaviour == "closed-port":
        server.close()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    submission = submission_create(
        content=SubmissionContent(
            title="Debate Helps",
            authors="Michael et al.",
            venue="arXiv",
            year=2023,
            links=[("paper", "https://arxiv.org/abs/2311.08702")],
            sections=[SectionFactory()],
        ),
        contributor=Contributor(name="Julian", email="julian@example.org"),
    )
    client.force_login(maintainer)
    response = client.post(
        f"/admin/curation/submission/{submission.pk}/review/",
        review_post(submission, decision="approve"),
        follow=True,
    )
    server.close()
    html = response.content.decode()
    submission.refresh_from_db()
    assert submission.state == "approved"
    assert Paper.objects.filter(title="Debate Helps").exists()
    assert "1 submission approved and published" in html
    assert "The decision stands, but the email to julian@example.org failed" in html
    assert "Could not email the contributor of submission" in caplog.text
    if behaviour != "closed-port":
        assert server.connections >= 1


# Backup and restore ------------------------------------------------------------------------


@pytest.fixture
def empty_database_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"aaa_restore_{os.getpid()}"
    settings = connection.settings_dict
    admin_url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{admin_url}/{name}"
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_make(target: str, *, backup: Path, url: str) -> None:
    result = subprocess.run(
        ["make", "-s", target, f"BACKUP={backup}", f"PY={sys.executable}"],
        cwd=REPO_ROOT,
        # No README file: a restore is a catalog change, and base settings would rewrite the
        # repository's var/README.md.
        env=subprocess_env(
            DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.base", README_EXPORT_PATH=""
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_backup_and_restore_into_an_empty_database_give_the_same_readme(
    tmp_path, django_user_model, empty_database_url
):
    from django.core.management import call_command

    call_command("loaddata", "catalog", verbosity=0)
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    submission_create(
        content=SubmissionContent(
            title="A Pending Paper",
            authors="Ada et al.",
            venue="",
            year=2025,
            links=[("paper", "https://example.org/pending")],
            sections=[SectionFactory()],
        ),
        contributor=Contributor(name="Ada", email="ada@example.org"),
    )
    token = Submission.objects.get().token
    # The admin history (who edited which paper) is part of what people entered.
    from django.contrib.admin.models import CHANGE, LogEntry

    from catalog.models import Paper

    edited = Paper.objects.order_by("pk").last()
    LogEntry.objects.log_actions(
        user_id=maintainer.pk,
        queryset=Paper.objects.filter(pk=edited.pk),
        action_flag=CHANGE,
        change_message="Changed venue.",
        single_object=True,
    )
    readme = render_readme()

    backup = tmp_path / "backups" / "backup.json"  # make backup creates the folder
    run_make("backup", backup=backup, url=database_url())
    assert backup.stat().st_size > 100_000
    run_make("restore", backup=backup, url=empty_database_url)

    exported = subprocess.run(
        [sys.executable, "manage.py", "export_readme", "--output", "-"],
        cwd=REPO_ROOT,
        env=subprocess_env(DATABASE_URL=empty_database_url),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert exported.stdout == readme
    counts = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup();"
            "from curation.models import Submission; from django.contrib.auth.models import User;"
            "s = Submission.objects.get(); u = User.objects.get(username='maint');"
            "from django.contrib.admin.models import LogEntry; e = LogEntry.objects.get();"
            "print(s.token, s.token_digest != '', u.check_password('pw'),"
            " u.groups.filter(name='Maintainers').exists(), s.events.count(),"
            " e.user == u, e.get_edited_object().pk, e.change_message)",
        ],
        cwd=REPO_ROOT,
        env=subprocess_env(DATABASE_URL=empty_database_url),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert counts.stdout.split() == [
        *(token, "True", "True", "True", "1"),
        *("True", str(edited.pk), "Changed", "venue."),
    ]


def test_export_and_backup_of_a_database_never_migrated_say_so_and_keep_the_last_backup(
    tmp_path,
):
    """A newcomer's first `make export` or `make backup` against a new database: a sentence,
    not a traceback; and a failed backup leaves the previous one as it was, not half a file."""
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    env = subprocess_env(DATABASE_URL=url, README_EXPORT_PATH="")
    exported = subprocess.run(
        [sys.executable, "manage.py", "export_readme", "--output", "-"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert exported.returncode == 1
    assert "The database is not migrated: run `python manage.py migrate`" in exported.stderr
    assert "Traceback" not in exported.stderr
    backup = tmp_path / "backup.json"
    backup.write_text("the last good backup")
    made = subprocess.run(
        ["make", "-s", "backup", f"BACKUP={backup}", f"PY={sys.executable}"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode != 0
    assert "Unable to serialize database: no such table" in made.stderr
    assert "Traceback" not in made.stderr
    assert backup.read_text() == "the last good backup"
    assert [path.name for path in tmp_path.iterdir() if "backup" in path.name] == ["backup.json"]
