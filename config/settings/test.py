"""Settings for the test suite: fast hashing, in-memory email, plain static storage."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
README_EXPORT_PATH = ""
if not REDIS_URL:  # noqa: F405
    # Each test starts from an empty cache (conftest clears it); a file cache would outlive
    # the run. The test of development's file cache sets its own.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the finders, as in development: tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# No test may reach the internet: lookups go to a closed local port unless a test points them
# at its own recorded server.
ARXIV_API_URL = "http://127.0.0.1:9/arxiv/api/query"
CROSSREF_API_URL = "http://127.0.0.1:9/crossref/works"
ARXIV_API_DELAY = 0
METADATA_TIMEOUT = 1
LINK_CHECK_TIMEOUT = 1
# The link checker's recorded servers run on 127.0.0.1 (test_quality_links turns it off to
# show the refusal).
LINK_CHECK_PRIVATE_HOSTS = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared-cache in-memory database: only a file has SQLite's real locking
    # (WAL, busy timeout), which the concurrency tests exercise with two connections. One file
    # per test process, so parallel runs in one checkout do not meet.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"aaa-test-{os.getpid()}.sqlite3")
    }
