"""Production: settings from the environment, /healthz, and several gunicorn hosts sharing one
PostgreSQL and one Redis.

The gunicorn tests start real servers on 127.0.0.1 with production settings. They always use
PostgreSQL (a database of their own, dropped afterwards) and Redis (under a key prefix of their
own, deleted afterwards), so they run, identically, in the SQLite and the PostgreSQL CI runs.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis
from django.test import override_settings

from bench.servers import free_port, gunicorn
from config.postgresql.base import socket_has_input
from config.redaction import redact_status_tokens
from tests.conftest import REPO_ROOT

POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser fixture, refused by check --deploy.
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # No TLS proxy in front of these servers.
        SECURE_SSL_REDIRECT="false",
        README_EXPORT_PATH="",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, exit_code: int = 0) -> str:
    """The output of `manage.py ARGS`, which must exit with `exit_code`."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == exit_code, result.stdout + result.stderr
    return result.stdout + result.stderr


def settings_values(env: dict[str, str], expressions: str) -> list:
    """The values of `expressions` (Python over the settings, named `s`), as `manage.py`
    started with `env` reads them."""
    script = (
        f"import json; from django.conf import settings as s; print(json.dumps([{expressions}]))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url: str, *, data: dict | None = None, headers: dict | None = None):
    """(status, headers, body) of one HTTP request; errors are answers too."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with OPENER.open(req, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def production_database():
    """A PostgreSQL database of this test's own, migrated and loaded with the seed catalog."""
    name = f"aaa_deploy_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        # A developer's machine may have no PostgreSQL; CI has one and fails on any skip.
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES} ({error})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES}/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the shared Redis; its keys are deleted afterwards."""
    prefix = f"aaa-test-{secrets.token_hex(6)}"
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"Redis is not reachable at {REDIS} ({error})")
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def seeded_production_env(
    database_url: str, redis_prefix: str, static_root: str, **extra: str
) -> dict[str, str]:
    """Production settings on the test's own PostgreSQL database, migrated and loaded with the
    seed catalog, and its own keys in the shared Redis."""
    env = production_env(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS,
        CACHE_KEY_PREFIX=redis_prefix,
        STATIC_ROOT=static_root,
        **extra,
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "catalog", "-v0")
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> str:
    """Hashed, compressed static files, as `make serve` collects them."""
    root = tmp_path_factory.mktemp("staticfiles")
    manage(
        production_env(STATIC_ROOT=str(root), DATABASE_URL="sqlite:///:memory:"),
        "collectstatic",
        "--noinput",
        "-v0",
    )
    assert any(root.glob("css/site.*.css.gz"))
    return str(root)


def test_production_settings_read_the_environment():
    env = production_env(
        ALLOWED_HOSTS="aaa.example.org,www.aaa.example.org",
        DATABASE_URL=f"{POSTGRES}/aaa_prod",
        REDIS_URL="redis://127.0.0.1:6379/3",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="curators@example.org",
        README_EXPORT_PATH="/srv/aaa/README.md",
        TRUST_X_FORWARDED_FOR="true",
    )
    values = settings_values(
        env,
        "s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE,"
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL,"
        "s.README_EXPORT_PATH, s.TRUST_X_FORWARDED_FOR, s.DEBUG,"
        "s.STORAGES['staticfiles']['BACKEND'],"
        "s.SECRET_KEY == __import__('os').environ['SECRET_KEY']",
    )
    assert values == [
        ["aaa.example.org", "www.aaa.example.org"],
        "config.postgresql",
        "aaa_prod",
        "config.cache_backends.RedisCache",
        "redis://127.0.0.1:6379/3",
        "django.contrib.sessions.backends.cached_db",
        "smtp.example.org",
        587,
        True,
        "curators@example.org",
        "/srv/aaa/README.md",
        True,
        False,
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        True,
    ]
    # Without a secret key the production settings refuse to start.
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO_ROOT, env=env, capture_output=True
    )
    assert result.returncode != 0
    assert b"SECRET_KEY must be set" in result.stderr


def test_development_settings_read_smtp_and_take_empty_variables_as_unset():
    """EMAIL_HOST and the rest apply whatever the settings (a developer trying the SMTP
    backend); a variable set empty means its default (DATABASE_URL: the SQLite file), not a
    crash."""
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL="",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        # Set empty, as an env file may leave them: their defaults.
        EMAIL_TIMEOUT="",
        SUBMISSION_RATE_LIMIT=" ",
        METADATA_TIMEOUT="",
        DJANGO_DEBUG="",
    )
    values = settings_values(
        env,
        "s.DATABASES['default']['ENGINE'], str(s.DATABASES['default']['NAME']),"
        "s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS,"
        "s.EMAIL_TIMEOUT, s.SUBMISSION_RATE_LIMIT, s.METADATA_TIMEOUT, s.DEBUG",
    )
    assert values == [
        "django.db.backends.sqlite3",
        str(REPO_ROOT / "db.sqlite3"),
        "django.core.mail.backends.console.EmailBackend",
        "smtp.example.org",
        587,
        True,
        10,
        20,
        8,
        True,
    ]


# Each variable with a default, and the setting it gives (Python over the settings `s`).
DEFAULTED_VARIABLES = {
    "SECRET_KEY": "s.SECRET_KEY",
    "ALLOWED_HOSTS": "s.ALLOWED_HOSTS",
    "LOG_LEVEL": "s.LOGGING['root']['level']",
    "EMAIL_BACKEND": "s.EMAIL_BACKEND",
    "EMAIL_HOST": "s.EMAIL_HOST",
    "DEFAULT_FROM_EMAIL": "s.DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL": "s.SERVER_EMAIL",
    "SITE_URL": "s.SITE_URL",
    "ARXIV_API_URL": "s.ARXIV_API_URL",
    "CROSSREF_API_URL": "s.CROSSREF_API_URL",
    "LINK_CHECK_SKIP_HOSTS": "s.LINK_CHECK_SKIP_HOSTS",
    "STATIC_ROOT": "str(s.STATIC_ROOT)",
    "DATABASE_URL": "s.DATABASES['default']['ENGINE']",
    "REDIS_URL": "s.CACHES['default']['BACKEND']",
    "CACHE_KEY_PREFIX": "s.CACHES['default'].get('KEY_PREFIX', '')",
    "FILE_CACHE_LOCATION": "s.CACHES['default'].get('LOCATION', '')",
}


@pytest.mark.parametrize("module", ["config.settings.base", "config.settings.production"])
def test_a_variable_set_empty_takes_its_default(module):
    """As an env file may leave them: `LOG_LEVEL=` neither crashes every command nor
    `SITE_URL=` makes the emailed links relative."""
    variables = dict(DEFAULTED_VARIABLES)
    if module.endswith("production"):
        del variables["SECRET_KEY"]  # required there, below
    else:
        del variables["STATIC_ROOT"]  # production's
    base_env = production_env(DJANGO_SETTINGS_MODULE=module)
    unset = {key: value for key, value in base_env.items() if key not in variables}
    expressions = ", ".join(variables.values())
    defaults = settings_values(unset, expressions)
    assert settings_values({**unset, **dict.fromkeys(variables, "")}, expressions) == defaults
    assert settings_values({**unset, **dict.fromkeys(variables, "  ")}, expressions) == defaults
    by_name = dict(zip(variables, defaults, strict=True))
    assert by_name["LOG_LEVEL"] == "INFO"
    assert by_name["SITE_URL"].startswith("http")
    assert by_name["DATABASE_URL"] == "django.db.backends.sqlite3"
    # Without Redis: development's file cache (shared by the processes of one machine), and
    # production's memory cache with the page cache off.
    assert by_name["REDIS_URL"] == (
        "django.core.cache.backends.locmem.LocMemCache"
        if module.endswith("production")
        else "django.core.cache.backends.filebased.FileBasedCache"
    )
    if module.endswith("production"):
        output = manage({**base_env, "SECRET_KEY": ""}, "check", exit_code=1)
        assert "SECRET_KEY must be set in the environment." in output
    else:
        assert by_name["SECRET_KEY"].startswith("dev-only")


def test_check_deploy_with_the_production_layout_gives_no_warning():
    env = production_env(
        ALLOWED_HOSTS="aaa.example.org",
        DATABASE_URL=f"{POSTGRES}/aaa_prod",
        REDIS_URL="redis://127.0.0.1:6379/3",
        SITE_URL="https://aaa.example.org",
    )
    env.pop("SECURE_SSL_REDIRECT")  # the default: on
    output = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def admin_registrations_seen(script: str) -> dict:
    """What a fresh process with the production settings reports of the admin after
    `django.setup()` and then `script`."""
    program = (
        "import json, sys, django; django.setup()\n"
        "from django.contrib import admin\n"
        "from catalog.models import Paper\n"
        "seen = {'modules_at_start': sorted(m for m in sys.modules if m.endswith('.admin')"
        " and m.split('.')[0] in ('catalog', 'curation', 'quality'))}\n"
        f"{script}\n"
        "seen['paper_registered'] = admin.site.is_registered(Paper)\n"
        "print(json.dumps(seen))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO_ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_admin_modules_load_with_the_urlconf_and_the_checks_not_at_start():
    """A management command (export_readme) does not import the admin's modules; the URLconf
    (imported by config.wsgi as a worker starts) and the system checks do, so the admin and
    `manage.py check` see every registration."""
    started = admin_registrations_seen("")
    assert started == {"modules_at_start": [], "paper_registered": False}
    checked = admin_registrations_seen(
        "from django.core.checks import run_checks\n"
        "seen['admin_errors'] = [str(e) for e in run_checks(tags=['admin'])]"
    )
    assert checked == {"modules_at_start": [], "admin_errors": [], "paper_registered": True}
    served = admin_registrations_seen("import config.wsgi")
    assert served["paper_registered"] is True


def test_make_bytecode_compiles_every_module_of_the_application(tmp_path):
    """A deploy's `make bytecode`: every Python file of the application gets its current
    bytecode, which later processes load instead of compiling the module again."""
    import importlib.util
    import shutil

    packages = ("config", "catalog", "curation", "quality")
    for name in (*packages, "Makefile", "manage.py"):
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    sources = [tmp_path / "manage.py"]
    sources += [path for package in packages for path in (tmp_path / package).rglob("*.py")]
    assert len(sources) > 50
    assert not any(Path(importlib.util.cache_from_source(path)).exists() for path in sources)

    def make_bytecode() -> subprocess.CompletedProcess:
        return subprocess.run(
            ["make", "-s", "bytecode", f"PY={sys.executable}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = make_bytecode()
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    missing = [p for p in sources if not Path(importlib.util.cache_from_source(p)).exists()]
    assert missing == []

    # Where bytecode cannot be written (here a file stands where quality's cache directory
    # would go, which stops root too), the deploy goes on and says so.
    shutil.rmtree(tmp_path / "quality" / "__pycache__")
    (tmp_path / "quality" / "__pycache__").write_text("in the way")
    result = make_bytecode()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not all bytecode written" in result.stdout

    # A module that does not compile stops the deploy, named.
    (tmp_path / "catalog" / "broken.py").write_text("def broken(:\n")
    result = make_bytecode()
    assert result.returncode != 0
    assert "catalog/broken.py" in result.stderr and "SyntaxError" in result.stderr


@pytest.mark.parametrize("site_url", [None, "http://aaa.example.org", "https://localhost:8443"])
def test_check_deploy_warns_when_emailed_links_would_not_reach_the_site(site_url):
    env = production_env(ALLOWED_HOSTS="aaa.example.org", REDIS_URL="redis://127.0.0.1:6379/3")
    env.pop("SITE_URL", None)
    if site_url:
        env["SITE_URL"] = site_url
    output = manage(env, "check", "--deploy", "--fail-level", "WARNING", exit_code=1)
    assert "(curation.W001) SITE_URL is" in output
    assert "emailed to contributors would not reach the site" in output


@pytest.mark.django_db
def test_healthz_answers_200_with_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_a_probe_by_address_while_pages_still_check_the_host(client):
    """A load balancer probes each host by its own address, which ALLOWED_HOSTS leaves out."""
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert client.head("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_healthz_answers_503_when_the_database_is_unreachable(static_root):
    closed_port = free_port()  # bound, released, and nothing listens there
    env = production_env(
        STATIC_ROOT=static_root, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/x"
    )
    with gunicorn(env) as base:
        status, headers, body = request(base + "/healthz")
        # Probed by address, over plain HTTP: neither the Host check nor the HTTPS redirect.
        by_address, _headers, _body = request(base + "/healthz", headers={"Host": "10.0.0.5"})
        page_by_address, _headers, _body = request(base + "/", headers={"Host": "10.0.0.5"})
    assert status == by_address == 503
    assert page_by_address == 400
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}


def end_database_sessions(database_url: str) -> int:
    """End every client session of the database at `database_url`, as a restart of
    PostgreSQL would (the server tells each client why and closes its socket), and wait until
    they are gone. Returns how many it ended."""
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    sessions = (
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
    )
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        pids = [pid for (pid,) in admin.execute(sessions, [name])]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # pg_terminate_backend only asks; the backend ends in its time
            if not set(pids) & {pid for (pid,) in admin.execute(sessions, [name])}:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"sessions {pids} did not end")
    return len(pids)


def test_a_database_session_ended_between_requests_costs_no_request(
    production_database, redis_prefix, static_root
):
    env = seeded_production_env(
        production_database,
        redis_prefix,
        static_root,
        CATALOG_PAGE_CACHE="false",  # every request reads the database
        CONN_MAX_AGE="600",
    )
    with gunicorn(env, workers=1) as base:
        for _ in range(3):
            status, _headers, page = request(base + "/search/?q=debate")
            assert status == 200 and "Debate" in page
        # The worker's kept connection is gone when its next request begins.
        assert end_database_sessions(production_database) >= 1
        for _ in range(3):
            status, _headers, page = request(base + "/search/?q=debate")
            assert status == 200, page[:2000]
            assert "Debate" in page


def test_the_health_check_sends_nothing_on_an_idle_connection_and_finds_an_ended_one(
    production_database, tmp_path, django_db_blocker
):
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler(
        {"default": dj_database_url.parse(production_database, engine="config.postgresql")}
    )
    database = handler["default"]
    trace = tmp_path / "libpq.trace"

    def traced_check() -> tuple[bool, str]:
        """is_usable(), and everything libpq sent and received meanwhile."""
        with trace.open("w") as sink:
            database.connection.pgconn.trace(sink.fileno())
            try:
                usable = database.is_usable()
            finally:
                database.connection.pgconn.untrace()
        return usable, trace.read_text()

    with django_db_blocker.unblock():
        try:
            database.ensure_connection()
            # An idle session: nothing is sent.
            assert traced_check() == (True, "")
            # In a transaction the socket says nothing about it: Django's `SELECT 1` decides.
            with database.connection.transaction():
                usable, traced = traced_check()
            assert usable and "SELECT 1" in traced

            assert end_database_sessions(production_database) == 1
            socket_fileno = database.connection.fileno()
            for _ in range(100):  # the server ends the session in its own time
                if socket_has_input(socket_fileno):
                    break
                time.sleep(0.05)
            assert not database.is_usable()
        finally:
            database.close()


@pytest.mark.parametrize("enabled", ["", "false"])
def test_prepared_statements_are_kept_per_connection_unless_turned_off(
    production_database, django_db_blocker, enabled
):
    """PG_PREPARED_STATEMENTS=false, for a pooler that cannot keep them: prepared_cursor()
    then prepares nothing."""
    from django.db.utils import ConnectionHandler

    env = production_env(DATABASE_URL=production_database, PG_PREPARED_STATEMENTS=enabled)
    [options] = settings_values(env, "s.DATABASES['default']['OPTIONS']")
    assert options.get("prepare_threshold") == (None if enabled == "false" else 5)
    settings = dj_database_url.parse(production_database, engine="config.postgresql")
    settings["OPTIONS"] = options
    database = ConnectionHandler({"default": settings})["default"]
    with django_db_blocker.unblock():
        try:
            for value in (1, 2, 3):
                with database.prepared_cursor() as cursor:
                    cursor.execute("SELECT %s + 1", [value])
                    assert cursor.fetchone() == (value + 1,)
            with database.cursor() as cursor:
                cursor.execute(
                    "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                )
                kept = cursor.fetchall()
        finally:
            database.close()
    assert kept == ([] if enabled == "false" else [("SELECT $1 + 1", 3)])


def test_a_prepared_statement_survives_a_migration_that_changes_its_columns(
    production_database, django_db_blocker
):
    """PostgreSQL refuses a kept statement once a column it returns changes type ("cached
    plan must not change result type"), as a deploy's migration run by another process may
    do: the cursor prepares it afresh instead of failing on that connection until it ends."""
    from django.db.utils import ConnectionHandler

    with psycopg.connect(production_database, autocommit=True) as other:
        other.execute("CREATE TABLE venue (name varchar(10))")
        other.execute("INSERT INTO venue VALUES ('NeurIPS')")
    settings = dj_database_url.parse(production_database, engine="config.postgresql")
    settings["OPTIONS"] = {"prepare_threshold": 5}
    database = ConnectionHandler({"default": settings})["default"]

    def venues() -> list[tuple]:
        with database.prepared_cursor() as cursor:
            cursor.execute("SELECT name FROM venue WHERE name <> %s", ["ICML"])
            return cursor.fetchall()

    with django_db_blocker.unblock():
        try:
            assert venues() == [("NeurIPS",)]
            with psycopg.connect(production_database, autocommit=True) as other:
                other.execute("ALTER TABLE venue ALTER COLUMN name TYPE varchar(400)")
            assert [venues() for _ in range(3)] == [[("NeurIPS",)]] * 3
            with database.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_prepared_statements")
                assert cursor.fetchone() == (1,)  # prepared again, and kept
        finally:
            database.close()


def submission_form(base: str) -> tuple[dict, str]:
    """The public form's fields, a section to file under, and the CSRF cookie."""
    status, headers, html = request(base + "/submit/")
    assert status == 200, html[:2000]
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    section = re.search(r'name="sections" value="(\d+)"', html).group(1)
    data = {
        "csrfmiddlewaretoken": token,
        "title": "Debate Helps Supervise Unreliable Experts",
        "authors": "Michael et al.",
        "venue": "arXiv",
        "year": "2023",
        "paper_url": "https://arxiv.org/abs/2311.08702",
        "sections": [section],
        "contributor_name": "Ada Lovelace",
        "action": "send",
        "send_anyway": "on",
    }
    return data, f"csrftoken={cookie}"


def test_two_gunicorn_hosts_share_submissions_rate_limits_and_the_page_cache(
    production_database, redis_prefix, static_root
):
    env = seeded_production_env(
        production_database,
        redis_prefix,
        static_root,
        SUBMISSION_RATE_LIMIT="3",
        SUBMISSION_PREVIEW_RATE_LIMIT="2",
    )
    with gunicorn(env) as host_a, gunicorn(env) as host_b:
        # A page cached through B (in each of its two workers' memory)...
        for _ in range(6):
            status, _headers, search_before = request(host_b + "/search/?q=supervise+unreliable")
            assert status == 200 and "No matching papers" in search_before

        # ...a submission sent to A...
        data, cookie = submission_form(host_a)
        status, headers, body = request(host_a + "/submit/", data=data, headers={"Cookie": cookie})
        assert status == 302, body[:3000]
        token = re.search(r"/submit/thanks/([^/]+)/", headers["Location"]).group(1)

        # ...is visible through B, by its private status link.
        status, _headers, page = request(f"{host_b}/submit/status/{token}/")
        assert status == 200
        assert "Debate Helps Supervise Unreliable Experts" in page

        # The per-IP limit counts the POSTs of both hosts: two previews on A reach the previews'
        # limit...
        for _ in range(2):
            status, _headers, body = request(
                host_a + "/submit/", data={**data, "action": "preview"}, headers={"Cookie": cookie}
            )
            assert status == 200, body[:2000]
        # ...and B refuses the next one.
        status, headers, body = request(
            host_b + "/submit/", data={**data, "action": "preview"}, headers={"Cookie": cookie}
        )
        assert status == 429
        assert int(headers["Retry-After"]) > 0

        # Publishing (here: a maintainer's command on a third process) reaches B's cache.
        manage(
            env,
            "shell",
            "-c",
            "from catalog.models import Paper, Placement, Section;"
            "p = Paper.objects.create(title='Supervise unreliable experts by debate');"
            "Placement.objects.create(paper=p, section=Section.objects.first(), position=999)",
        )
        # Every worker of B heard of the change (Redis pub/sub) by the time it answers next.
        for _ in range(6):
            status, _headers, search_after = request(host_b + "/search/?q=supervise+unreliable")
            assert status == 200 and "Supervise unreliable experts by debate" in search_after

        # B's workers answer the README gzipped to a client that takes gzip, and current.
        encodings = set()
        for _ in range(6):
            readme = urllib.request.Request(
                host_b + "/README.md", headers={"Accept-Encoding": "gzip"}
            )
            with OPENER.open(readme, timeout=30) as response:
                encoding = response.headers.get("Content-Encoding", "identity")
                body = response.read()
            text = (gzip.decompress(body) if encoding == "gzip" else body).decode()
            assert "Supervise unreliable experts by debate" in text
            encodings.add(encoding)
        assert "gzip" in encodings  # the first answer of each worker renders it: not yet gzipped

        # Both hosts are healthy and serve the hashed, compressed static files.
        for base in (host_a, host_b):
            assert request(base + "/healthz")[0] == 200
            status, _headers, home = request(base + "/")
            stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1)
            assert request(base + stylesheet)[0] == 200

    # Everything shared lives in Redis under this test's prefix.
    assert list(redis.Redis.from_url(REDIS).scan_iter(match=f"{redis_prefix}:*"))


@pytest.mark.django_db
def test_bench_endpoint_only_when_enabled(client):
    assert client.get("/bench/ok/").status_code == 404
    with override_settings(BENCH_ENDPOINTS=True):
        response = client.get("/bench/ok/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_production_without_redis_turns_the_page_cache_off():
    """Several workers with per-process caches would serve stale pages; without a shared
    Redis, production renders every page afresh."""
    show = "from django.conf import settings; print('page cache', settings.CATALOG_PAGE_CACHE)"
    assert "page cache False" in manage(production_env(), "shell", "-c", show)
    with_redis = production_env(REDIS_URL="redis://127.0.0.1:6379/3")
    assert "page cache True" in manage(with_redis, "shell", "-c", show)


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("GET /submit/status/abc123/ 200", "GET /submit/status/[token]/ 200"),
        ("GET /submit/thanks/abc123?x=1", "GET /submit/thanks/[token]?x=1"),
        ("GET /submit/%73tatus/abc123/edit/", "GET /submit/status/[token]/edit/"),
        ("GET /submit/status/%61bc123/", "GET /submit/status/[token]/"),
        ("GET /%73ubmit%2Fthanks/abc123/", "GET /submit/thanks/[token]/"),
        ("GET /submit/%2573tatus/abc123/", "GET /submit/status/[token]/"),
        (
            '"https://x.org/accounts/login/?next=%2Fsubmit%2Fstatus%2Fabc123%2F&a=%61"',
            '"https://x.org/accounts/login/?next=/submit/status/[token]/&a=a"',
        ),
        ("GET /papers/%61/ and /search/?q=status", "GET /papers/%61/ and /search/?q=status"),
        # A decoded line break stays escaped: no forged log line.
        (
            "GET /submit/status/abc%0A6.6.6.6%20-%20-%20%22GET%20/admin/%22 HTTP/1.1",
            "GET /submit/status/[token]%0A6.6.6.6%20-%20-%20%22GET%20/admin/%22 HTTP/1.1",
        ),
    ],
)
def test_status_token_redaction(line, redacted):
    assert redact_status_tokens(line) == redacted


def test_status_tokens_stay_out_of_the_logs(static_root, tmp_path):
    """Django's log line for a failed request and gunicorn's access line (with the Referer a
    status page sends) both name the status page's address, with the token replaced."""
    closed_port = free_port()  # the database is down, so Django logs the request it failed
    env = production_env(
        STATIC_ROOT=static_root, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/x"
    )
    log = tmp_path / "gunicorn.log"
    token = secrets.token_urlsafe(32)
    page = f"/submit/status/{token}/"
    options = (
        "--access-logfile",
        "-",
        "--logger-class",
        "config.redaction.RedactingGunicornLogger",
    )
    # The server decodes %-escapes before routing: this address opens the same page.
    encoded_token = secrets.token_urlsafe(32)
    encoded_page = f"/submit/%73tatus/{encoded_token}/"
    with gunicorn(env, extra_args=options, log_path=log) as base:
        status, _headers, _body = request(base + page, headers={"Referer": base + page + "edit/"})
        encoded_status, _headers, _body = request(base + encoded_page)
    assert status == encoded_status == 503
    output = log.read_text()
    assert "Database unavailable on GET /submit/status/[token]/" in output
    assert '"GET /submit/status/[token]/ HTTP/1.1" 503' in output
    assert "/submit/status/[token]/edit/" in output  # the Referer
    assert token not in output
    assert encoded_token not in output
