"""Cached public pages: served from the cache, and fresh at once after every catalog change."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import NewsItem, Paper, Placement, ReadmeDocument
from catalog.readme.export import render_readme
from catalog.readme.importer import readme_import
from curation.services import Contributor, submission_approve
from tests.factories import (
    LinkFactory,
    PaperFactory,
    PlacementFactory,
    SectionFactory,
    sent_submission,
)

pytestmark = pytest.mark.django_db

NEW_TITLE = "Debate Helps Supervise Unreliable Experts"


@pytest.fixture
def catalog():
    ReadmeDocument.objects.create(title="Awesome Automated Alignment")
    part = SectionFactory(title="Aligning through debate", slug="debate-part", position=1)
    games = SectionFactory(title="Debate games", slug="debate-games", parent=part, position=1)
    old = PaperFactory(title="AI safety via debate", authors="Irving et al.", year=2018)
    LinkFactory(paper=old, url="https://arxiv.org/abs/1805.00899")
    PlacementFactory(paper=old, section=games, position=1)
    return {"part": part, "games": games, "old": old}


def logged_in(client, user):
    """Another client, logged in through the admin's login form as `user`."""
    other = type(client)()
    response = other.post(
        reverse("admin:login"), {"username": user.username, "password": "password"}
    )
    assert response.status_code == 302
    return other


def listing_urls(catalog) -> dict[str, str]:
    """Every page that lists a paper of the section `debate-games`."""
    return {
        "home": reverse("catalog:home"),
        "section": reverse("catalog:section", kwargs={"slug": "debate-games"}),
        "parent section": reverse("catalog:section", kwargs={"slug": "debate-part"}),
        "search": reverse("catalog:search") + "?q=debate",
        "search all": reverse("catalog:search"),
        "readme": "/README.md",
    }


def warm(client, urls: dict[str, str], django_assert_num_queries) -> None:
    """Render each page, then prove the second request is served from the cache."""
    for name, url in urls.items():
        first = client.get(url)
        assert first.status_code == 200, name
        assert NEW_TITLE not in first.content.decode(), name
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.content == first.content, name


def assert_listed_everywhere(client, urls: dict[str, str], title: str = NEW_TITLE) -> None:
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert title in response.content.decode(), f"{title!r} missing from {name}"


def test_approval_shows_the_new_paper_at_once_on_every_listing_page(
    client, catalog, admin_user, django_assert_num_queries
):
    urls = listing_urls(catalog)
    warm(client, urls, django_assert_num_queries)
    submission = sent_submission(
        title=NEW_TITLE,
        authors="Michael et al.",
        venue="arXiv",
        year=2023,
        links=[("paper", "https://arxiv.org/abs/2311.08702")],
        sections=[catalog["games"]],
        contributor=Contributor(name="Ada"),
    )
    submission_approve(submission=submission, reviewer=admin_user)
    assert_listed_everywhere(client, urls)
    # The home page's "newest additions" lists it first.
    newest = client.get("/").content.decode().split("Newest additions", 1)[1]
    assert newest.index(NEW_TITLE) < newest.index("AI safety via debate")
    paper = Paper.objects.get(title=NEW_TITLE)
    assert NEW_TITLE in client.get(paper.get_absolute_url()).content.decode()


def test_an_admin_edit_shows_at_once(client, catalog, admin_user, django_assert_num_queries):
    unplaced = PaperFactory(title=NEW_TITLE, authors="Michael et al.", year=2023)
    urls = listing_urls(catalog)
    warm(client, urls, django_assert_num_queries)
    maintainer = logged_in(client, admin_user)
    response = maintainer.post(
        reverse("admin:catalog_placement_add"),
        {"paper": unplaced.pk, "section": catalog["games"].pk, "position": 2},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_listed_everywhere(client, urls)

    # A correction of the title in the admin shows too, and the old title is gone.
    paper_url = unplaced.get_absolute_url()
    client.get(paper_url)
    data = {
        "title": "Debate helps supervise experts",
        "authors": "Michael et al.",
        "venue": "ICLR",
        "year": 2024,
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "placements-TOTAL_FORMS": 1,
        "placements-INITIAL_FORMS": 1,
        "placements-0-id": Placement.objects.get(paper=unplaced).pk,
        "placements-0-paper": unplaced.pk,
        "placements-0-section": catalog["games"].pk,
        "placements-0-position": 2,
    }
    response = maintainer.post(reverse("admin:catalog_paper_change", args=[unplaced.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_listed_everywhere(client, {**urls, "paper": paper_url}, "Debate helps supervise experts")
    assert NEW_TITLE not in client.get(urls["section"]).content.decode()


def test_other_catalog_models_invalidate_too(client, catalog, django_assert_num_queries):
    warm(client, {"readme": "/README.md", "about": "/about/"}, django_assert_num_queries)
    NewsItem.objects.create(date="2025-01-02", text="A new survey section on debate.")
    assert "A new survey section on debate." in client.get("/README.md").content.decode()
    assert "A new survey section on debate." in client.get("/about/").content.decode()
    catalog["games"].title = "Debate and consultancy"
    catalog["games"].save()
    assert "Debate and consultancy" in client.get("/").content.decode()


def test_loaddata_invalidates_the_cached_pages(client, catalog, django_assert_num_queries):
    urls = {"home": "/", "search": reverse("catalog:search") + "?q=constitutional"}
    warm(client, urls, django_assert_num_queries)
    before = Paper.objects.published().count()
    call_command("loaddata", "catalog", verbosity=0)
    assert Paper.objects.published().count() > before
    assert "Aligning through inductive bias" in client.get("/").content.decode()
    assert "Constitutional AI" in client.get(urls["search"]).content.decode()


def test_import_readme_invalidates_the_cached_pages(client, catalog, django_assert_num_queries):
    urls = {"home": "/", "readme": "/README.md"}
    warm(client, urls, django_assert_num_queries)
    # The list as exported, with one entry added by hand, read back in.
    exported = render_readme()
    entry = next(line for line in exported.splitlines() if "AI safety via debate" in line)
    added = (
        f"- **{NEW_TITLE}.** *Michael et al.* arXiv 2023. "
        "[[paper](https://arxiv.org/abs/2311.08702)]"
    )
    readme_import(text=exported.replace(entry, f"{entry}\n{added}"))
    assert Paper.objects.published().filter(title=NEW_TITLE).exists()
    assert_listed_everywhere(client, urls)


def test_staff_messages_and_errors_are_never_served_from_or_stored_in_the_cache(
    client, catalog, admin_user, django_assert_max_num_queries
):
    client.get("/")  # cached for anonymous readers, without the admin link
    staff = logged_in(client, admin_user)
    assert reverse("admin:index") in staff.get("/").content.decode()
    assert reverse("admin:index") not in client.get("/").content.decode()

    # A 400 (bad filter) is rendered by the view every time, and never stored.
    from catalog.cache import page_store

    for _ in range(2):
        with django_assert_max_num_queries(10):
            response = client.get(reverse("catalog:search"), {"year_min": "abc"})
        assert response.status_code == 400
        assert hasattr(response.wsgi_request, "catalog_page_version"), "reached the view"
    assert "/search/?year_min=abc" not in page_store

    # A page carrying a message is rendered for its reader, and not stored for the next.
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    reader = type(client)()
    response = reader.get(reverse("catalog:search"))
    storage = CookieStorage(response.wsgi_request)
    storage.add(constants.SUCCESS, "Thanks, your paper was submitted.")
    storage.update(response)
    reader.cookies.update(response.cookies)
    assert (
        "Thanks, your paper was submitted."
        in reader.get(reverse("catalog:search")).content.decode()
    )
    assert "Thanks, your paper" not in client.get(reverse("catalog:search")).content.decode()


def test_a_hit_is_served_from_process_memory_and_a_cold_process_from_the_shared_cache(
    client, catalog, django_assert_num_queries
):
    from django.core.cache import cache

    from catalog.cache import page_key, page_store

    url = reverse("catalog:section", kwargs={"slug": "debate-games"})
    first = client.get(url)
    # Not in the shared cache any more: the next hit can only come from this process's store.
    shared_key = page_key(url)
    stored = cache.get(shared_key)
    assert stored is not None and stored[2] == first.content
    cache.delete(shared_key)
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content
    # A worker that just started (empty store) gets the page from the shared cache.
    cache.set(shared_key, stored)
    page_store.clear()
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content
    assert len(page_store) == 1


def test_a_version_bump_from_another_process_retires_the_pages_in_memory(client, catalog):
    from django.core.cache import cache

    from catalog.cache import VERSION_KEY

    url = reverse("catalog:section", kwargs={"slug": "debate-games"})
    assert "AI safety via debate" in client.get(url).content.decode()
    # A write this process's signals never see (QuerySet.update sends none): still cached...
    Paper.objects.filter(pk=catalog["old"].pk).update(title="AI safety via consultancy")
    assert "AI safety via debate" in client.get(url).content.decode()
    # ...until another process bumps the shared version.
    cache.incr(VERSION_KEY)
    page = client.get(url).content.decode()
    assert "AI safety via consultancy" in page
    assert "AI safety via debate" not in page


def test_the_memory_store_is_bounded_least_recently_used_first_out():
    from catalog.cache import PageStore

    html = {"Content-Type": "text/html"}
    store = PageStore(max_bytes=100)
    store.put("/a", 1, html, b"a" * 40)
    store.put("/b", 1, html, b"b" * 40)
    assert store.get("/a", 1) == (html, b"a" * 40)  # /a is now the most recent
    store.put("/c", 1, html, b"c" * 40)
    assert store.get("/b", 1) is None
    assert store.get("/a", 1) is not None and store.get("/c", 1) is not None
    assert store.size == 80 and len(store) == 2
    store.put("/huge", 1, html, b"h" * 101)  # larger than the whole store: not kept
    assert store.get("/huge", 1) is None and len(store) == 2
    assert store.get("/a", 2) is None  # built at another catalog version: not served
    store.put("/a", 2, html, b"A" * 10)  # rendered again: replaces the old entry
    assert store.get("/a", 2) == (html, b"A" * 10) and store.get("/a", 1) is None
    assert store.size == 50 and len(store) == 2


def test_a_hit_is_answered_before_the_view_with_the_headers_of_the_rendered_page(
    client, catalog, django_assert_num_queries
):
    url = reverse("catalog:section", kwargs={"slug": "debate-games"})
    rendered = client.get(url)
    assert rendered.wsgi_request.catalog_page_version is not None  # the view ran
    with django_assert_num_queries(0):
        hit = client.get(url)
    # Answered by CachedPageMiddleware: no session, no CSRF, no view on the way.
    assert not hasattr(hit.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "catalog_page_version")
    assert hit.content == rendered.content
    assert dict(hit.items()) == dict(rendered.items())
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Content-Type",
        "Content-Length",
    ):
        assert hit[header], header


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=debate&x=1",
        "/search/?q=debate&q=games",
        "/sections/debate-games/?q=debate",
        "/?page=2",
        # Pages other than the one asked for: the first, the 1st again, the last.
        "/sections/debate-games/?page=junk",
        "/sections/debate-games/?page=01",
        "/sections/debate-games/?page=999",
        "/search/?q=debate&page=junk",
        "/search/?q=debate&page=999",
    ],
)
def test_requests_with_unknown_or_repeated_parameters_are_rendered_and_never_stored(
    client, catalog, url
):
    from django.core.cache import cache

    from catalog.cache import page_key, page_store

    page_store.clear()  # the store outlives a test (its keys carry the version)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) >= 1, "rendered afresh"
    assert len(page_store) == 0
    assert cache.get(page_key(url)) is None


def test_every_parameter_the_views_read_is_cached(client, catalog, django_assert_num_queries):
    urls = {
        "search": "/search/?q=debate&section=debate-games&year_min=2000&year_max=2030"
        "&venue=&has_code=on&page=1",
        "section": "/sections/debate-games/?page=1",
    }
    for name, url in urls.items():
        first = client.get(url)
        assert first.status_code == 200, name
        with django_assert_num_queries(0):
            assert client.get(url).content == first.content, name


@pytest.fixture
def longer_catalog(catalog):
    """Enough entries for a README worth compressing."""
    for number in range(2, 30):
        paper = PaperFactory(title=f"Scalable oversight study {number}", year=2020 + number % 5)
        PlacementFactory(paper=paper, section=catalog["games"], position=number)
    return catalog


def test_a_client_that_accepts_gzip_gets_a_stored_page_gzipped(
    client, longer_catalog, django_assert_num_queries
):
    import gzip

    for url in ("/README.md", reverse("catalog:section", kwargs={"slug": "debate-games"})):
        rendered = client.get(url)
        assert "Accept-Encoding" in rendered["Vary"]  # a stored page varies on it
        assert "Content-Encoding" not in rendered
        with django_assert_num_queries(0):
            hit = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert hit["Content-Encoding"] == "gzip"
        assert int(hit["Content-Length"]) == len(hit.content) < len(rendered.content)
        assert gzip.decompress(hit.content) == rendered.content
        assert "Accept-Encoding" in hit["Vary"]
        assert hit["Content-Type"] == rendered["Content-Type"]
        # The gzipped body is made once and then reused.
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).content == hit.content
        # Clients that do not take gzip get the page as rendered.
        for refused in ("", "br", "gzip;q=0", "gzip; q=0, *", "identity"):
            plain = client.get(url, headers={"Accept-Encoding": refused})
            assert "Content-Encoding" not in plain, refused
            assert plain.content == rendered.content, refused
        assert client.get(url, headers={"Accept-Encoding": "*"})["Content-Encoding"] == "gzip"


def test_a_gzipped_page_is_current_after_a_catalog_change(client, longer_catalog, admin_user):
    import gzip

    accepts = {"Accept-Encoding": "gzip"}
    client.get("/README.md")
    before = gzip.decompress(client.get("/README.md", headers=accepts).content).decode()
    assert NEW_TITLE not in before
    submission = sent_submission(
        title=NEW_TITLE,
        authors="Khan et al.",
        venue="ICML",
        year=2024,
        links=[("paper", "https://arxiv.org/abs/2402.06782")],
        sections=[longer_catalog["games"]],
        contributor=Contributor(name="Ada"),
    )
    submission_approve(submission=submission, reviewer=admin_user)
    assert NEW_TITLE in client.get("/README.md").content.decode()
    after = client.get("/README.md", headers=accepts)
    assert after["Content-Encoding"] == "gzip"
    assert NEW_TITLE in gzip.decompress(after.content).decode()


def test_the_memory_store_counts_and_bounds_gzipped_bodies_too():
    import gzip
    import random

    from catalog.cache import GZIP_MIN_BYTES, PageStore

    html = {"Content-Type": "text/html", "Content-Length": "3060"}
    page = b"<p>Debate helps supervise unreliable experts.</p>\n" * 60  # 3,060 bytes
    compressed = gzip.compress(page, compresslevel=6, mtime=0)
    small = b"x" * (GZIP_MIN_BYTES - 1)
    noise = random.Random(4).randbytes(1280)  # gzip cannot shrink it

    # Both pages fit; the gzipped body is what pushes the store over its bound.
    store = PageStore(max_bytes=len(page) + len(small) + len(compressed) - 1)
    store.put("/a", 1, html, page)
    store.put("/small", 1, html, small)
    headers, gzipped = store.get("/a", 1, gzipped=True)
    assert gzipped == compressed
    assert headers["Content-Encoding"] == "gzip" and headers["Content-Length"] == str(len(gzipped))
    assert "/small" not in store  # least recently used, dropped for the gzipped body
    assert store.size == len(page) + len(compressed)
    assert store.get("/a", 1) == (html, page)  # the plain page is kept beside it
    assert store.get("/a", 1, gzipped=True) == (headers, compressed)  # made once
    assert store.get("/a", 2, gzipped=True) is None  # another catalog version: a miss

    # A small page is served as it is; so is one gzip does not shrink, at no extra size.
    store = PageStore(max_bytes=10_000)
    store.put("/small", 1, html, small)
    assert store.get("/small", 1, gzipped=True) == (html, small)
    store.put("/noise", 1, html, noise)
    assert store.get("/noise", 1, gzipped=True) == (html, noise)
    assert store.size == len(small) + len(noise)
    store.put("/noise", 2, html, page)  # rendered again: its old variant is gone with it
    assert store.size == len(small) + len(page)

    # A page that fits alone but not with its gzipped body: gzipped once, then served plain
    # rather than compressed again on every hit.
    store = PageStore(max_bytes=len(page) + len(compressed) - 1)
    store.put("/a", 1, html, page)
    assert store.get("/a", 1, gzipped=True)[1] == compressed
    assert store.get("/a", 1, gzipped=True) == (html, page)
    assert store.size == len(page)


def test_searches_are_kept_in_each_process_only(client, catalog, django_assert_num_queries):
    """Free text has endless variants: they stay out of the shared cache (Redis), in the
    bounded store of each process."""
    from django.core.cache import cache

    from catalog.cache import page_key, page_store

    url = "/search/?q=debate"
    first = client.get(url)
    assert cache.get(page_key(url)) is None
    assert url in page_store
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content


def test_pages_in_the_shared_cache_are_keyed_by_the_build(tmp_path):
    """A deploy that changes a template or a static file changes the key of every shared page,
    so no host serves a page rendered by the code before it."""
    from catalog.cache import BUILD_ID, build_id, page_key

    templates, static = tmp_path / "templates", tmp_path / "static"
    (templates / "catalog").mkdir(parents=True)
    static.mkdir()
    (templates / "catalog" / "home.html").write_text("<h1>Home</h1>")
    (static / "site.css").write_text("body { color: black; }")
    before = build_id([templates, static])
    assert build_id([templates, static]) == before  # the same files, the same build
    (static / "site.css").write_text("body { color: navy; }")
    after_css = build_id([templates, static])
    (templates / "catalog" / "home.html").write_text("<h1>Home page</h1>")
    assert len({before, after_css, build_id([templates, static])}) == 3
    assert page_key("/").startswith(f"catalog:page:{BUILD_ID}:")


def test_the_build_covers_the_application_s_python_code_too(tmp_path, settings):
    """A view's change shows with no template changed: a deploy of it (or `make run` reloading
    it, whose file cache outlives the process) must not serve pages the old view rendered."""
    from catalog.cache import BUILD_CODE, BUILD_FOLDERS, build_files, build_id

    templates, code = tmp_path / "templates", tmp_path / "catalog"
    templates.mkdir()
    (code / "__pycache__").mkdir(parents=True)
    (templates / "home.html").write_text("<h1>{{ title }}</h1>")
    (code / "views.py").write_text("TITLE = 'Home'")
    before = build_id([templates], [code])
    (code / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"\0compiled")
    assert build_id([templates], [code]) == before  # compiled files are not the code
    (code / "views.py").write_text("TITLE = 'Home page'")
    assert build_id([templates], [code]) != before
    used = build_files(BUILD_FOLDERS, BUILD_CODE)
    for name in ("catalog/views.py", "curation/views.py", "templates/catalog/home.html"):
        assert settings.BASE_DIR / name in used


@pytest.mark.django_db(transaction=True)
def test_development_s_file_cache_shows_a_fixture_loaded_by_another_process_at_once(
    client, catalog, settings, tmp_path
):
    """`make run` without Redis: `manage.py loaddata` in another terminal changes the catalog
    from another process. Its version bump lands in the file cache this server reads too, so
    the cached home page shows the new paper on the next request (a per-process memory cache
    kept the old page for a day)."""
    import json
    import subprocess
    import sys

    from config.settings import base
    from tests.conftest import REPO_ROOT
    from tests.test_faults import database_url, subprocess_env

    if not base.REDIS_URL:  # what `make run` gets: a file cache, not one in memory
        assert base.CACHES["default"]["BACKEND"].endswith("filebased.FileBasedCache")
    location = str(tmp_path / "cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
        }
    }
    assert "AI safety via debate" in client.get("/").content.decode()
    assert NEW_TITLE not in client.get("/").content.decode()  # cached, served again

    fixture = tmp_path / "one_more.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "catalog.paper",
                    "pk": 9001,
                    "fields": {
                        "title": NEW_TITLE,
                        "authors": "Michael et al.",
                        "venue": "arXiv",
                        "year": 2023,
                        "created_at": "2023-11-15T00:00:00Z",
                        "updated_at": "2023-11-15T00:00:00Z",
                    },
                },
                {
                    "model": "catalog.placement",
                    "pk": 9001,
                    "fields": {
                        "paper": 9001,
                        "section": catalog["games"].pk,
                        "position": 2,
                        "created_at": "2030-01-01T00:00:00Z",
                    },
                },
            ]
        )
    )
    subprocess.run(
        [sys.executable, "manage.py", "loaddata", str(fixture)],
        cwd=REPO_ROOT,
        env=subprocess_env(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=database_url(),
            FILE_CACHE_LOCATION=location,
            REDIS_URL="",
            README_EXPORT_PATH="",
        ),
        check=True,
        capture_output=True,
    )
    assert NEW_TITLE in client.get("/").content.decode()
