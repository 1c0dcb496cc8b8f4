"""Who may open what: every URL of the URL conf and every admin action, for six kinds of
visitor. The URLs are generated from django.urls.get_resolver(), so a new URL (or a new admin
model) that nobody classified below makes this test fail instead of going untested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from catalog.models import NewsItem, ReadmeDocument, Workshop
from curation.models import Submission
from curation.services import Contributor, SubmissionContent, submission_create
from quality.models import LinkCheck, Venue
from tests.factories import LinkFactory, PlacementFactory, queue_post, review_post

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "contributor", "other_contributor", "staff", "maintainer", "superuser"]
VISITORS = {"anonymous", "contributor", "other_contributor"}
STAFF = {"staff", "maintainer", "superuser"}


@dataclass
class Route:
    pattern: str  # e.g. "submit/status/<str:token>/"
    name: str  # "namespace:name", or "" when unnamed


def all_routes(patterns=None, prefix="", namespace="") -> list[Route]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += all_routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            routes.append(Route(prefix + str(entry.pattern), name))
    return routes


# The world every URL is tried in -----------------------------------------------------------


@pytest.fixture
def world(django_user_model):
    cache.clear()
    placement = PlacementFactory()
    paper, section = placement.paper, placement.section
    link = LinkFactory(paper=paper)

    def submission(title):
        return submission_create(
            content=SubmissionContent(
                title=title,
                authors="Lang et al.",
                venue="arXiv",
                year=2024,
                links=[("paper", f"https://example.org/{title}")],
                sections=[section],
            ),
            contributor=Contributor(name=title),
        )

    mine, theirs = submission("Mine"), submission("Theirs")
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    superuser = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
    objects = {
        "catalog.paper": paper,
        "catalog.section": section,
        "catalog.placement": placement,
        "catalog.link": link,
        "catalog.readmedocument": ReadmeDocument.objects.create(title="Awesome"),
        "catalog.newsitem": NewsItem.objects.create(date="2024-01-01", text="News"),
        "catalog.workshop": Workshop.objects.create(
            name="W", url="https://w.org", description="D", position=1
        ),
        "curation.submission": mine,
        "auth.user": staff,
        "auth.group": Group.objects.get(name="Maintainers"),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="10.0.0.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="10.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="x", ip_address="10.0.0.1"
        ),
        "quality.venue": Venue.objects.get_or_create(name="Permission Matrix Venue")[0],
        "quality.linkcheck": LinkCheck.objects.create(
            link=link, checked_at=timezone.now(), outcome=LinkCheck.Outcome.OK
        ),
    }
    return {
        "objects": objects,
        "mine": mine,
        "theirs": theirs,
        "users": {"staff": staff, "maintainer": maintainer, "superuser": superuser},
    }


def client_for(role: str, world) -> Client:
    client = Client()
    if role in STAFF:
        client.force_login(world["users"][role])
    return client


# Expectations ------------------------------------------------------------------------------

PUBLIC_PAGES = {
    "healthz",
    "robots",
    "exports:bibtex-all",
    "exports:bibtex-section",
    "exports:bibtex-paper",
    "exports:api",
    "exports:api-sections",
    "exports:api-section",
    "exports:api-papers",
    "exports:api-paper",
    "exports:feed-atom",
    "exports:feed-rss",
    "exports:feed-section-atom",
    "exports:feed-section-rss",
    "exports:sitemap",
    "catalog:home",
    "catalog:search",
    "catalog:about",
    "catalog:section",
    "catalog:paper",
    "readme-markdown",
    "curation:submit",
    "curation:correct",
}
# POST only, for everyone (the form's "fill in from arXiv/DOI" button).
PUBLIC_POST_ONLY = {"metadata-lookup"}
# Shortened URLs that send everyone on to a public page.
REDIRECTS = {"catalog:sections", "catalog:papers"}
# Benchmark endpoints: 404 unless BENCH_ENDPOINTS is set, for everyone.
DISABLED = {"catalog:bench-ok"}
# Maintainer pages outside the model admins: (name, permission they need).
ADMIN_EXTRA_PAGES = {"quality-report"}
TOKEN_PAGES = {"curation:thanks", "curation:status", "curation:edit", "curation:withdraw"}

# Admin models: which of its views (changelist, add, change, delete, history) a maintainer may
# open; the superuser may open all but those the model's admin forbids to everyone.
MAINTAINER_VIEWS = {
    "catalog.paper": {"changelist", "add", "change", "delete", "history"},
    "catalog.section": {"changelist", "add", "change", "delete", "history"},
    "catalog.placement": {"changelist", "add", "change", "delete", "history"},
    "catalog.link": {"changelist", "add", "change", "delete", "history"},
    "catalog.newsitem": {"changelist", "add", "change", "delete", "history"},
    "catalog.workshop": {"changelist", "add", "change", "delete", "history"},
    "catalog.readmedocument": {"changelist", "change", "history"},
    "curation.submission": {"changelist", "change", "history"},
    "auth.user": set(),
    "auth.group": set(),
    "axes.accessattempt": set(),
    "axes.accesslog": set(),
    "axes.accessfailurelog": set(),
    "quality.venue": {"changelist", "add", "change", "delete", "history"},
    "quality.linkcheck": {"changelist", "change", "delete", "history"},
}
FORBIDDEN_TO_ALL = {
    "curation.submission": {"add", "delete"},  # submissions come from the public form only
    "catalog.readmedocument": {"add", "delete"},  # a singleton
    "axes.accessattempt": {"add"},  # written by django-axes only
    "axes.accesslog": {"add"},
    "axes.accessfailurelog": {"add"},
    "quality.linkcheck": {"add"},  # written by the link checker only
}
ADMIN_VIEW_SUFFIX = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/change/": "change",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/history/": "history",
    "<path:object_id>/": "legacy_change",  # redirects to change/
    "<path:object_id>/review/": "review",
    "<id>/password/": "password",  # auth.user: set a password
}
ADMIN_SITE_PAGES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
}


def admin_model_routes() -> dict[str, str]:
    """{"admin/<app>/<model>/": "app.model"} for every registered model."""
    return {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": model._meta.label_lower
        for model in admin.site._registry
    }


def classify(route: Route) -> tuple[str, str, str]:
    """(kind, subject, view) for a route, or an AssertionError naming the unclassified URL."""
    if route.name in PUBLIC_PAGES:
        return ("public", route.name, "")
    if route.name in TOKEN_PAGES:
        return ("token", route.name, "")
    for kind, names in (
        ("post_only", PUBLIC_POST_ONLY),
        ("redirect", REDIRECTS),
        ("disabled", DISABLED),
        ("admin_extra", ADMIN_EXTRA_PAGES),
    ):
        if route.name in names:
            return (kind, route.name, "")
    for prefix, label in admin_model_routes().items():
        if route.pattern.startswith(prefix):
            view = ADMIN_VIEW_SUFFIX.get(route.pattern.removeprefix(prefix))
            assert view, f"unclassified admin URL {route.pattern!r} ({route.name})"
            return ("admin_model", label, view)
    if route.name in ADMIN_SITE_PAGES:
        return ("admin_site", route.name, "")
    if route.pattern.startswith("admin/") and route.name == "":
        return ("admin_catch_all", "", "")
    raise AssertionError(f"unclassified URL {route.pattern!r} (name {route.name!r})")


def expected_status(kind, subject, view, role, world) -> set[int]:
    login_redirect = {302}
    if kind == "public":
        return {200}
    if kind == "post_only":
        return {405}
    if kind == "redirect":
        return {302}
    if kind == "disabled":
        return {404}
    if kind == "admin_extra":
        if role in VISITORS:
            return login_redirect
        return {403} if role == "staff" else {200}
    if kind == "admin_site":
        if subject == "admin:login":
            return {302} if role in STAFF else {200}
        if role in VISITORS:
            return login_redirect
        if subject == "admin:logout":
            return {405}  # POST only
        return {
            "admin:index": {200},
            "admin:password_change": {200},
            "admin:password_change_done": {200},
            "admin:jsi18n": {200},
            "admin:autocomplete": {403},  # no field named: refused, for everyone
            "admin:view_on_site": {302},
            # staff without permissions see no app; maintainers see the catalog
            "admin:app_list": {404} if role == "staff" else {200},
        }[subject]
    if kind == "admin_catch_all":
        return login_redirect if role in VISITORS else {404}
    if kind == "admin_model":
        if role in VISITORS:
            return login_redirect
        if view == "review":
            return {405}  # GET; the POST is checked below
        if view == "legacy_change":
            return {302}
        if subject in FORBIDDEN_TO_ALL and view in FORBIDDEN_TO_ALL[subject]:
            return {403}
        if role == "superuser":
            return {200}
        if role == "maintainer" and view in MAINTAINER_VIEWS[subject]:
            return {200}
        return {403}
    raise AssertionError(kind)


def fill(route: Route, kind, subject, role, world) -> str:
    """The route's path with its parameters taken from the world."""
    path = route.pattern
    token = {
        "contributor": world["mine"].token,
        "other_contributor": world["theirs"].token,
    }.get(role, "a-guessed-token-" + "x" * 27)
    paper = world["objects"]["catalog.paper"]
    values = {
        "slug": world["objects"]["catalog.section"].slug,
        "pk": paper.pk,
        "token": token,
        "app_label": "catalog",
        "content_type_id": ContentType.objects.get_for_model(paper).pk,
    }
    if kind == "admin_model":
        values["object_id"] = values["id"] = world["objects"][subject].pk
    if route.name == "admin:view_on_site":
        values["object_id"] = paper.pk

    def replace(match):
        name = match[2]
        assert name in values, f"no value for <{match[1]}:{name}> in {route.pattern}"
        return str(values[name])

    # The admin's two regex patterns: the app index and the catch-all.
    path = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "catalog/", path)
    path = path.replace("(?P<url>.*)$", "no-such-page/")
    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, path)
    return "/" + path


def test_every_url_for_every_role(world):
    routes = all_routes()
    assert len(routes) > 40  # the admin's and ours
    failures = []
    for route in routes:
        kind, subject, view = classify(route)
        for role in ROLES:
            if kind == "token":
                continue  # below, with their own expectations
            path = fill(route, kind, subject, role, world)
            response = client_for(role, world).get(path)
            allowed = expected_status(kind, subject, view, role, world)
            if response.status_code not in allowed:
                failures.append(f"{role} GET {path}: {response.status_code}, expected {allowed}")
            if kind == "redirect":
                # Everyone is sent on to a public page (whose own row the matrix checks).
                target = resolve(urlsplit(response.url).path).view_name
                if target not in PUBLIC_PAGES:
                    failures.append(f"{role} GET {path}: redirected to {response.url}")
                continue
            redirected = response.status_code == 302 and allowed == {302}
            to_login = response.url.startswith("/admin/login/") if redirected else True
            if role in VISITORS and route.name != "admin:logout" and not to_login:
                failures.append(f"{role} GET {path}: redirected to {response.url}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_status_links_open_only_the_submission_they_belong_to(world, role):
    client = client_for(role, world)
    for route in all_routes():
        if classify(route)[0] != "token":
            continue
        path = fill(route, "token", route.name, role, world)
        post = route.name == "curation:withdraw"
        response = client.post(path, {"confirm": "yes"}) if post else client.get(path)
        if role == "contributor":
            # Their own submission: the page, or (edit/withdraw) the page's refusal or redirect.
            assert response.status_code in {200, 302, 409}, path
        elif role == "other_contributor":
            # Their token opens their own submission, never "Mine".
            assert response.status_code in {200, 302, 409}, path
            assert "Mine" not in response.content.decode()
        else:
            # Staff included: the admin account is no key to a contributor's private page.
            assert response.status_code == 404, (role, path)
    world["theirs"].refresh_from_db()
    world["mine"].refresh_from_db()
    withdrawn = {s.title for s in Submission.objects.filter(state="withdrawn")}
    assert withdrawn == {"contributor": {"Mine"}, "other_contributor": {"Theirs"}}.get(role, set())


@pytest.mark.parametrize("role", ROLES)
def test_the_review_post_and_every_admin_action_for_every_role(world, role):
    client = client_for(role, world)
    mine = world["mine"]
    review = client.post(
        f"/admin/curation/submission/{mine.pk}/review/", review_post(mine, decision="approve")
    )
    mine.refresh_from_db()
    may_review = role in {"maintainer", "superuser"}
    assert (mine.state == "approved") is may_review
    if not may_review:
        assert review.status_code in ({302} if role in VISITORS else {403})

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        assert label in MAINTAINER_VIEWS, f"unclassified admin model {label}"
        request = type("Request", (), {"user": world["users"]["superuser"], "GET": {}})()
        for action in model_admin.get_actions(request):
            obj = world["objects"][label]
            response = client.post(
                f"/admin/{model._meta.app_label}/{model._meta.model_name}/",
                {"action": action, "_selected_action": [obj.pk]},
            )
            if role in VISITORS:
                assert response.status_code == 302, (label, action)
                assert response.url.startswith("/admin/login/")
            elif role == "superuser" or (
                role == "maintainer" and "changelist" in MAINTAINER_VIEWS[label]
            ):
                assert response.status_code in {200, 302}, (role, label, action)
            else:
                assert response.status_code == 403, (role, label, action)
            assert model.objects.filter(pk=obj.pk).exists() or action == "delete_selected"

    theirs = world["theirs"]
    client.post(
        "/admin/curation/submission/",
        queue_post(action="approve_selected", _selected_action=[theirs.pk]),
    )
    theirs.refresh_from_db()
    assert (theirs.state == "approved") is may_review
    assert User.objects.filter(username="root").exists()
