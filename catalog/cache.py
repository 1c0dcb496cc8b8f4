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
cookies, without a CSRF token and without messages. Staff views are never decorated. A request
with a query parameter its view does not read (`?x=<random>`), or a `?page=` that shows another
page (page_number_shown), is rendered and not stored, so nobody can fill the cache with
variants of one page; searches stay out of the shared cache (their free text has endless
variants) and live in each process's bounded store only.

Page bodies live in each process's memory (a bounded LRU store keyed by path and query, each
with the catalog version it was built at), with the headers the middleware below it added.
CachedPageMiddleware answers a hit near the top of the middleware stack, as Django's own
cache middleware does, so a hit skips sessions, CSRF, messages, URL resolution and the view.
Each process learns of version bumps through Redis pub/sub (catalog.version_watch), so a hit
costs no network round trip; the version itself is shared, so a change made on any host still
retires every host's copies at once.

A client that accepts gzip gets a stored page gzipped, compressed once per page and version
(the README export is 17 MB at 100,000 papers, 2.3 MB gzipped), with `Vary: Accept-Encoding`
on every stored page. Compressing these pages cannot leak a secret (BREACH): a stored page holds
no CSRF token, no session and no message.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from catalog.version_watch import VersionWatch

VERSION_KEY = "catalog:version"
PAGE_KEY_PREFIX = "catalog:page:"


def build_files(folders: Iterable[Path], code: Iterable[Path] = ()) -> list[Path]:
    """Every file under `folders`, and every Python file under `code`, sorted."""
    files = [p for folder in folders for p in Path(folder).rglob("*") if p.is_file()]
    files += [p for folder in code for p in Path(folder).rglob("*.py")]
    return sorted(files)


def build_id(folders: Iterable[Path], code: Iterable[Path] = ()) -> str:
    """A digest of the files a cached page was rendered with (names and contents): the
    templates and static files (`folders`) and the application's Python code (`code`). Pages
    in the shared cache are keyed by it, so a deploy that changes a template, a stylesheet or
    a view never serves pages from the old code (they would otherwise live until
    CATALOG_CACHE_SECONDS); nor does `make run` after it reloads edited code, its file cache
    outliving the process."""
    digest = hashlib.sha256()
    roots = [Path(folder) for folder in (*folders, *code)]
    for path in build_files(folders, code):
        root = next(r for r in roots if path.is_relative_to(r))
        name = f"{root.name}/{path.relative_to(root)}"
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


BUILD_FOLDERS = [settings.BASE_DIR / "templates", settings.BASE_DIR / "static"]
BUILD_CODE = [settings.BASE_DIR / name for name in ("catalog", "curation", "quality", "config")]
BUILD_ID = build_id(BUILD_FOLDERS, BUILD_CODE)


def page_key(path: str) -> str:
    """The shared cache's key for a page: its path, under this build's templates and files."""
    return f"{PAGE_KEY_PREFIX}{BUILD_ID}:{hashlib.sha256(path.encode()).hexdigest()}"


version_watch = VersionWatch(VERSION_KEY)


def catalog_version() -> int:
    """The current version; created on first use (and after an eviction) with a fresh value,
    so entries built before an eviction can never match again."""
    version = version_watch.current()
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:  # missing: any new value invalidates everything
        version = time.time_ns()
        cache.set(VERSION_KEY, version, timeout=None)
    version_watch.publish(version)


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


def page_number_shown(request: HttpRequest, number: int) -> None:
    """Tells the cache which page of a list a view showed. `?page=junk`, `?page=007` or a page
    past the end show another page (the first, 7, the last): rendered, but not stored, so
    such variants cannot fill the cache with copies of one page."""
    asked = request.GET.get("page")
    if asked is not None and asked != str(number):
        request.catalog_page_not_canonical = True


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    messages = getattr(request, "_messages", None)
    return (
        not getattr(request, "catalog_page_not_canonical", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (messages is not None and len(messages))
    )


# Smaller bodies gain too little from gzip to be worth the CPU.
GZIP_MIN_BYTES = 1024


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether Accept-Encoding takes gzip: named (or `*`, when gzip is not named) without q=0."""
    weights: dict[str, float] = {}
    for coding in request.headers.get("Accept-Encoding", "").split(","):
        name, _, parameters = coding.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


class PageStore:
    """Rendered pages in this process's memory, least recently used dropped first once the
    bodies pass `max_bytes`. One entry per path (with its query): the version it was built
    at, its headers, its body and, once a client asked for it, its gzipped variant. An entry of
    an older version is never served; it is replaced when the page is rendered again, or ages
    out."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        # path: (version, headers, body, gzipped variant: (headers, body), or None not made yet)
        self._entries: OrderedDict[
            str, tuple[int, dict[str, str], bytes, tuple[dict[str, str], bytes] | None]
        ] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (tests, runserver) share one store

    def __contains__(self, path: str) -> bool:
        return path in self._entries

    def get(
        self, path: str, version: int, *, gzipped: bool = False
    ) -> tuple[dict[str, str], bytes] | None:
        """(headers, body) of the page, gzipped if asked and worth it; None on a miss."""
        with self._lock:
            entry = self._entries.get(path)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(path)
            if not gzipped or len(entry[2]) < GZIP_MIN_BYTES:
                return entry[1], entry[2]
            if entry[3] is not None:
                return entry[3]
        # Compressed outside the lock: 17 MB takes a while, and other pages are served meanwhile.
        variant = self._gzip_variant(entry[1], entry[2])
        with self._lock:
            if self._entries.get(path) is entry:
                stored = (*entry[:3], variant)
                if self._entry_size(stored) > self.max_bytes:
                    # Both bodies cannot fit: later hits get the plain body rather than
                    # compressing it again each time.
                    stored = (*entry[:3], (entry[1], entry[2]))
                self._entries[path] = stored
                self._entries.move_to_end(path)
                self.size += self._entry_size(stored) - len(entry[2])
                self._evict(keep=path)
        return variant

    @staticmethod
    def _gzip_variant(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        if len(compressed) >= len(body):
            return headers, body
        return {**headers, "Content-Encoding": "gzip", "Content-Length": str(len(compressed))}, (
            compressed
        )

    def put(self, path: str, version: int, headers: dict[str, str], body: bytes) -> None:
        with self._lock:
            previous = self._entries.pop(path, None)
            if previous is not None:
                self.size -= self._entry_size(previous)
            if len(body) > self.max_bytes:
                return
            self._entries[path] = (version, headers, body, None)
            self.size += len(body)
            self._evict(keep=path)

    @staticmethod
    def _entry_size(entry) -> int:
        """The bytes an entry holds: its body and its gzipped body, if one was made."""
        variant = entry[3]
        return len(entry[2]) + (len(variant[1]) if variant and variant[1] is not entry[2] else 0)

    def _evict(self, *, keep: str) -> None:
        """Drop least recently used entries until the store fits (`keep`, just used, stays)."""
        while self.size > self.max_bytes:
            oldest = next(iter(self._entries))
            if oldest == keep:
                break
            self.size -= self._entry_size(self._entries.pop(oldest))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


page_store = PageStore(settings.CATALOG_PAGE_MEMORY_BYTES)


def _known_parameters_only(request: HttpRequest, params: frozenset[str]) -> bool:
    # Each parameter the view reads, once: anything else would be another key for one page.
    return all(name in params and len(request.GET.getlist(name)) == 1 for name in request.GET)


def cached_public_page(view=None, *, params: Iterable[str] = (), shared: bool = True):
    """Mark a public view's anonymous GETs as cacheable until the catalog version changes.

    `params` names the query parameters the view reads; a request with any other is rendered
    and never stored. Hits are answered by CachedPageMiddleware before this view is reached;
    here, on a miss in this process, the shared cache is asked for the page (it keeps a worker
    that just started from rendering every page again), and the request is marked so the
    middleware keeps the response, with its final headers, in this process's store.

    `shared=False` keeps the pages out of the shared cache (each process's bounded store
    only): free-text searches have endless variants, which would only pile up in Redis.
    """
    if view is None:
        return lambda function: cached_public_page(function, params=params, shared=shared)
    known = frozenset(params)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request) or not _known_parameters_only(request, known):
            return view(request, *args, **kwargs)
        # Read before rendering: a change during the render leaves the page already outdated.
        version = catalog_version()
        request.catalog_page_version = version
        if not shared:
            return view(request, *args, **kwargs)
        path = request.get_full_path()
        key = page_key(path)
        stored = cache.get(key)
        if stored is not None and stored[0] == version:
            return HttpResponse(stored[2], content_type=stored[1])
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            content_type, body = response["Content-Type"], response.content
            cache.set(key, (version, content_type, body), settings.CATALOG_CACHE_SECONDS)
        return response

    return wrapper


class CachedPageMiddleware:
    """Answers a cached page before the rest of the stack (put it right after WhiteNoise).

    Only paths a cacheable view has stored are looked up, so other requests pay one dict
    lookup. A hit replays the body and the headers the inner middleware added (CSP,
    X-Frame-Options, ...); the middleware above (SecurityMiddleware) still runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cacheable = _cacheable_request(request)
        if cacheable:
            path = request.get_full_path()
            if path in page_store:
                stored = page_store.get(path, catalog_version(), gzipped=accepts_gzip(request))
                if stored is not None:
                    return HttpResponse(stored[1], headers=stored[0])
        response = self.get_response(request)
        version = getattr(request, "catalog_page_version", None)
        if cacheable and version is not None and _cacheable_response(request, response):
            # Its hits may come gzipped: a shared cache must keep the two variants apart.
            patch_vary_headers(response, ("Accept-Encoding",))
            page_store.put(path, version, dict(response.items()), response.content)
        return response
