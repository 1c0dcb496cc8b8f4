"""Security settings that are not permissions: headers, status tokens, the login lockout and
the production configuration."""

import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from curation.models import Submission, status_token_digest
from curation.services import Contributor, SubmissionContent, submission_create
from tests.conftest import REPO_ROOT
from tests.factories import PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission():
    section = SectionFactory(title="Debate")
    return submission_create(
        content=SubmissionContent(
            title="Weak-to-Strong Debate",
            authors="Lang et al.",
            venue="arXiv",
            year=2024,
            links=[("paper", "https://arxiv.org/abs/2409.00001")],
            sections=[section],
        ),
        contributor=Contributor(name="Ada"),
    )


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/search/", "/submit/", "/admin/login/"])
def test_every_page_sends_a_csp_without_inline_script_and_the_other_headers(client, path):
    PlacementFactory()
    response = client.get(path)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_event_handler():
    """The CSP would block them, so a new one would silently break a page."""
    offenders = []
    for template in (REPO_ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        lowered = text.lower()
        for start in range(len(lowered)):
            if lowered.startswith("<script", start):
                tag = lowered[start : lowered.index(">", start)]
                if "src=" not in tag:
                    offenders.append(f"{template.name}: inline <script>")
        if " onclick=" in lowered or " onload=" in lowered or " onchange=" in lowered:
            offenders.append(f"{template.name}: event handler attribute")
        if "<style" in lowered or ' style="' in lowered:
            offenders.append(f"{template.name}: inline style")
    assert offenders == []


def test_production_settings_pass_djangos_deployment_checks():
    """HSTS, secure cookies, SSL redirect, X-Frame-Options and the rest: `check --deploy`
    fails on any warning."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "aaa.example.org",
        "SITE_URL": "https://aaa.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    values = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY)",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    hsts, session_secure, csrf_secure, redirect, frames, referrer = values.stdout.split()
    assert int(hsts) >= 31_536_000
    assert (session_secure, csrf_secure, redirect) == ("True", "True", "True")
    assert (frames, referrer) == ("DENY", "same-origin")


# Status tokens ------------------------------------------------------------------------------


def test_status_tokens_are_long_random_and_stored_with_their_digest(submission):
    other = Submission.objects.create(title="T", authors="A", contributor_name="B")
    assert len(submission.token) >= 43 and submission.token != other.token
    assert submission.token_digest == status_token_digest(submission.token)
    assert submission.token not in submission.token_digest


def test_the_status_link_works_and_any_other_token_is_a_404(client, submission):
    token = submission.token
    for name in ("curation:status", "curation:thanks", "curation:edit"):
        assert client.get(reverse(name, args=[token])).status_code in {200, 409}
    wrong = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off
        token[:20],  # a prefix
        token + "x",
        token.upper() if token.upper() != token else token.lower(),
        "é" * 43,
        "%00" + token,
    ]
    for guess in wrong:
        for name in ("curation:status", "curation:thanks", "curation:edit"):
            assert client.get(reverse(name, args=[guess])).status_code == 404, (name, guess)
        withdraw = client.post(reverse("curation:withdraw", args=[guess]))
        assert withdraw.status_code == 404
    submission.refresh_from_db()
    assert submission.state == Submission.State.PENDING


def test_a_digest_match_with_a_different_token_is_still_refused(client, submission):
    """The constant-time comparison is the final word, not the digest lookup."""
    Submission.objects.filter(pk=submission.pk).update(token="x" * 43)
    response = client.get(reverse("curation:status", args=[submission.token]))
    assert response.status_code == 404


# Login lockout ------------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_admin_login(client, django_user_model, settings):
    user = django_user_model.objects.create_user("maint", password="right-horse", is_staff=True)
    user.groups.add(Group.objects.get(name="Maintainers"))
    login_url = reverse("admin:login")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login_url, {"username": "maint", "password": f"guess-{attempt}"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = client.post(login_url, {"username": "maint", "password": "last-guess"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()

    # Now even the right password is refused from this address ...
    refused = client.post(login_url, {"username": "maint", "password": "right-horse"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302

    # ... while another address still logs in, and success resets its count.
    other = Client(REMOTE_ADDR="10.1.2.3")
    ok = other.post(login_url, {"username": "maint", "password": "right-horse"})
    assert ok.status_code == 302
    assert other.get(reverse("admin:index")).status_code == 200


def test_a_successful_login_resets_the_failure_count(client, django_user_model, settings):
    django_user_model.objects.create_user("maint", password="right-horse", is_staff=True)
    login_url = reverse("admin:login")
    for _round in range(2):
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post(login_url, {"username": "maint", "password": f"guess-{attempt}"})
        assert (
            client.post(login_url, {"username": "maint", "password": "right-horse"}).status_code
            == 302
        )
        client.logout()


def test_a_failed_login_with_a_long_username_is_an_ordinary_failure(
    client, django_user_model, settings
):
    """django-axes records each failure with the username typed; PostgreSQL refused one past
    its column's 255 characters (Django's login form sets no length limit): a 500 on the login
    page. It is cut to fit, and still counts toward the lockout. A NUL, which the form
    refuses, is no login attempt at all."""
    from axes.models import AccessAttempt

    django_user_model.objects.create_user("maint", password="right-horse", is_staff=True)
    login_url = reverse("admin:login")
    nul = client.post(login_url, {"username": "ma\x00int", "password": "guess"})
    assert nul.status_code == 200 and "Null characters are not allowed" in nul.content.decode()
    username = "m" * 300
    response = client.post(login_url, {"username": username, "password": "guess"})
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (username[:255], 1)
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login_url, {"username": username, "password": f"g{guess}"})
    assert response.status_code == 429
