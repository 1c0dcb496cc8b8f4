"""Caching of the public pages, invalidated by a "catalog version".

Every change to a catalog row (post_save / post_delete, registered in CatalogConfig.ready(),
so admin edits, approvals, loaddata and import_readme all count) bumps one counter in Django's
cache — Redis in production, so every web process sees the bump at once. Cached pages and
fragments carry the version they were built at; one with an older version is a miss.

The bump happens twice: at once (so the writing request and in-transaction tests see it) and
again after the commit, because a reader could otherwise re-cache the pre-commit rows under
the new version between the first bump and the commit.

Derived data (the section tree with its counts, the venues, the rendered taxonomy) is memoized
in each process under the same version, so an uncached page skips those queries too.

Only anonymous GETs are served from or stored in the cache: a request with a session or
messages cookie is rendered fresh, and a response is stored only if it is a 200 without
cookies, without a CSRF token and without messages. Staff views are never decorated.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "catalog:version"
PAGE_KEY_PREFIX = "catalog:page:"


def catalog_version() -> int:
    """The current version; created on first use (and after an eviction) with a fresh value,
    so entries built before an eviction can never match again."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing: any new value invalidates everything
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _bump_after_commit(using: str) -> None:
    connection = connections[using]
    # One after-commit bump per transaction is enough; an import writes thousands of rows.
    if any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump, using=using)


def catalog_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Invalidate every cached page and fragment built from the catalog."""
    _bump()
    if connections[using].in_atomic_block:
        _bump_after_commit(using)


def on_catalog_change(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Signal receiver for the catalog models (raw=True from loaddata included)."""
    catalog_changed(using=using)


# Values derived from the catalog (the section tree, rendered fragments), kept in this process
# and checked against the shared version before use, so no process serves an outdated one.
_memo: dict[str, tuple[int, object]] = {}


def memoized(name: str, build: Callable[[], object], *, version: int | None = None):
    """`build()`, reused in this process until the catalog version changes."""
    if version is None:
        version = catalog_version()
    hit = _memo.get(name)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = build()
    _memo[name] = (version, value)
    return value


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.CATALOG_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (messages is not None and len(messages))
    )


def cached_public_page(view):
    """Serve an anonymous GET from the cache while the catalog version is unchanged.

    A page entry is (version, content type, body) under a key of the path and query string,
    so a hit costs one round trip to the cache (the version and the page in one get_many).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        page_key = PAGE_KEY_PREFIX + digest
        found = cache.get_many([VERSION_KEY, page_key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = catalog_version()
        stored = found.get(page_key)
        if stored is not None and stored[0] == version:
            return HttpResponse(stored[2], content_type=stored[1])
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            cache.set(
                page_key,
                (version, response["Content-Type"], response.content),
                settings.CATALOG_CACHE_SECONDS,
            )
        return response

    return wrapper
