"""Shared fixtures. Browser tests use the Debian Chromium; in CI nothing may be skipped."""

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The hand-edited list, as shared beside the repository; a byte-identical copy is committed
# (fixtures/seed/README.md) so a clone on its own still runs every test.
SHARED_SEED_README = REPO_ROOT.parent / "shared" / "seed" / "README.md"
COMMITTED_SEED_README = REPO_ROOT / "fixtures" / "seed" / "README.md"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def seed_readme_path() -> Path:
    if SHARED_SEED_README.exists():
        return SHARED_SEED_README
    return COMMITTED_SEED_README


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium, driven by Playwright."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
    # around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def pytest_sessionfinish(session, exitstatus):
    """A skip in CI hides a missing install step, so CI fails on any skip."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and IN_CI:
        reporter.write_line(
            f"CI=true and {skipped} test(s) were skipped: failing the run.", red=True
        )
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, so a
    page or catalog version cached by an earlier test must not leak into the next one."""
    from django.core.cache import cache

    cache.clear()
    yield
