"""In Chromium: submitted HTML and script stay inert on every page that shows them, and the
Content-Security-Policy breaks no page (no violation in the console)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from catalog.models import Link
from curation.models import Submission
from curation.services import (
    Contributor,
    SubmissionContent,
    submission_create,
    submission_request_changes,
)
from tests.factories import LinkFactory, PlacementFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each payload sets window.__pwned if a browser ever runs it.
PAYLOAD = (
    "<script>window.__pwned=1</script>"
    '<img src=x onerror="window.__pwned=2">'
    '"><svg onload=window.__pwned=3>'
    "'><iframe srcdoc='<script>parent.__pwned=4</script>'>"
    "[x](javascript:window.__pwned=5)"
)


@pytest.fixture
def hostile_world(django_user_model):
    cache.clear()
    section = SectionFactory(title=f"Debate {PAYLOAD}", slug="debate")
    placement = PlacementFactory(
        section=section,
        paper__title=f"Title {PAYLOAD}",
        paper__authors=f"Authors {PAYLOAD}",
        paper__venue=f"Venue {PAYLOAD}",
    )
    paper = placement.paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.00001")
    # What an import or a script could store: the admin form itself refuses it (tested below).
    Link.objects.create(paper=paper, label="code", url="javascript:window.__pwned=6", position=2)
    maintainer = django_user_model.objects.create_user(
        "maint", password="a-long-passphrase", is_staff=True
    )
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    submission = submission_create(
        content=SubmissionContent(
            title=f"Sub {PAYLOAD}",
            authors=f"Authors {PAYLOAD}",
            venue=f"Venue {PAYLOAD}",
            year=2024,
            links=[("paper", "https://example.org/a%22%3E%3Cscript%3E")],
            sections=[section],
        ),
        contributor=Contributor(name=f"Name {PAYLOAD}", note=f"Note {PAYLOAD}"),
    )
    submission_request_changes(submission=submission, reviewer=maintainer, note=f"Fix {PAYLOAD}")
    return {"paper": paper, "section": section, "submission": submission}


def watch(page) -> dict:
    seen = {"dialogs": [], "csp": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda message: (
            seen["csp"].append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


def assert_inert(page, seen, url) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined", url
    assert page.evaluate("document.querySelectorAll('svg[onload], img[onerror]').length") == 0
    assert seen["dialogs"] == [], url
    assert seen["csp"] == [], (url, seen["csp"])


def test_payloads_are_inert_on_public_pages_and_the_status_page(
    browser, live_server, hostile_world
):
    context = browser.new_context()
    page = context.new_page()
    seen = watch(page)
    paper, section = hostile_world["paper"], hostile_world["section"]
    token = Submission.objects.get().token
    urls = [
        "/",
        f"/sections/{section.slug}/",
        f"/papers/{paper.pk}/",
        "/search/?q=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
        "/search/?q=Title",
        f"/submit/correct/{paper.pk}/",
        f"/submit/status/{token}/",
        f"/submit/status/{token}/edit/",
        "/submit/",
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        assert_inert(page, seen, url)
    # The text is shown as text, not lost.
    page.goto(f"{live_server.url}/papers/{paper.pk}/")
    assert "<script>window.__pwned=1</script>" in page.locator("h1").inner_text()

    # A preview echoes the hostile entry back through the README renderer.
    page.goto(live_server.url + "/submit/")
    page.get_by_label("Title").fill(f"Preview {PAYLOAD}")
    page.get_by_label("Authors").fill(f"Authors {PAYLOAD}")
    page.get_by_label("Venue").fill(PAYLOAD)
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Paper link").fill("https://example.org/x")
    page.locator("input[name=sections]").first.check()
    page.get_by_label("Your name").fill(PAYLOAD)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state("load")
    assert "Preview <script>" in page.locator(".entry-preview").inner_text()
    assert_inert(page, seen, "preview")

    # A javascript: link stored behind the admin's back does nothing when clicked: the CSP
    # refuses it (and says so in the console).
    page.goto(f"{live_server.url}/papers/{paper.pk}/")
    page.locator('a[href^="javascript:"]').first.click()
    page.wait_for_timeout(100)  # let a navigation that should not happen settle
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Refused" in text or "Content Security Policy" in text for text in seen["csp"])
    context.close()


def test_payloads_are_inert_in_the_admin(browser, live_server, hostile_world):
    context = browser.new_context()
    page = context.new_page()
    seen = watch(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("maint")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    submission, paper = hostile_world["submission"], hostile_world["paper"]
    urls = [
        "/admin/",
        "/admin/curation/submission/",
        "/admin/curation/submission/?q=%3Cscript%3E",
        f"/admin/curation/submission/{submission.pk}/change/",
        "/admin/catalog/paper/",
        f"/admin/catalog/paper/{paper.pk}/change/",
        "/admin/catalog/section/",
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        assert_inert(page, seen, url)
    page.goto(f"{live_server.url}/admin/curation/submission/{submission.pk}/change/")
    assert "Sub <script>" in page.locator("#content").inner_text()

    # The admin refuses a javascript: or data: link outright.
    link = paper.links.get(label="paper")
    page.goto(f"{live_server.url}/admin/catalog/link/{link.pk}/change/")
    for url in ("javascript:window.__pwned=7", "data:text/html,<script>parent.__pwned=8</script>"):
        page.locator("#id_url").fill(url)
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state("load")
        assert "Enter a valid URL." in page.locator(".errorlist").first.inner_text()
        assert_inert(page, seen, "link add")
    link.refresh_from_db()
    assert link.url == "https://arxiv.org/abs/2401.00001"
    context.close()
