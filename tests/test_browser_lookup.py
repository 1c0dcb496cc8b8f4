"""Fill in the form from an arXiv id or DOI, in Chromium, with and without JavaScript, against
recorded arXiv answers on 127.0.0.1."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.factories import SectionFactory
from tests.localhttp import LocalServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recorded(settings):
    server = LocalServer().start()
    settings.ARXIV_API_URL = f"{server.url}/arxiv/api/query"
    settings.CROSSREF_API_URL = f"{server.url}/crossref/works"
    cache.clear()
    yield server
    server.stop()


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_fill_in_from_an_arxiv_link(browser, live_server, recorded, javascript, tmp_path):
    SectionFactory(title="Self-play", slug="self-play")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_contributor_name", "Ann")
    page.fill("#id_lookup", "https://arxiv.org/abs/2401.10020v3")
    page.click("#lookup-button")
    expect(page.locator("#lookup-status")).to_contain_text("Filled in from arXiv")
    expect(page.locator("#id_title")).to_have_value("Self-Rewarding Language Models")
    expect(page.locator("#id_authors")).to_have_value("Yuan et al.")
    expect(page.locator("#id_year")).to_have_value("2024")
    expect(page.locator("#id_venue")).to_have_value("arXiv")
    expect(page.locator("#id_paper_url")).to_have_value("https://arxiv.org/abs/2401.10020")
    expect(page.locator("#id_contributor_name")).to_have_value("Ann")
    # Every field stays editable.
    page.fill("#id_title", "Self-Rewarding Language Models (edited)")
    expect(page.locator("#id_title")).to_have_value("Self-Rewarding Language Models (edited)")
    # The script asks the JSON endpoint; without it the form itself was posted.
    posted = [path for method, path, _ in recorded.requests if method == "GET"]
    assert len(posted) == 1
    assert not errors  # no CSP violation, no script error
    page.screenshot(path=str(tmp_path / "lookup.png"), full_page=True)
    context.close()


def test_a_corrected_id_replaces_the_link_a_lookup_filled_in(browser, live_server, recorded):
    page = browser.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_lookup", "2401.10020")
    page.click("#lookup-button")
    expect(page.locator("#id_paper_url")).to_have_value("https://arxiv.org/abs/2401.10020")
    page.fill("#id_lookup", "10.18653/v1/2023.acl-long.754")
    page.click("#lookup-button")
    expect(page.locator("#lookup-status")).to_contain_text("Filled in from Crossref")
    expect(page.locator("#id_paper_url")).to_have_value(
        "https://doi.org/10.18653/v1/2023.acl-long.754"
    )
    # A link the contributor typed is theirs: the next lookup leaves it.
    page.fill("#id_paper_url", "https://example.org/paper")
    page.fill("#id_lookup", "2401.10020")
    page.click("#lookup-button")
    expect(page.locator("#id_title")).to_have_value("Self-Rewarding Language Models")
    expect(page.locator("#id_paper_url")).to_have_value("https://example.org/paper")
    page.close()


def test_a_failed_lookup_shows_a_message_and_keeps_the_form(browser, live_server, recorded):
    page = browser.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_title", "Typed by hand")
    page.fill("#id_lookup", "10.5555/boom")
    page.click("#lookup-button")
    expect(page.locator("#lookup-status")).to_contain_text("answered with an error (500)")
    expect(page.locator("#lookup-status")).to_contain_text("The paper link is filled in")
    expect(page.locator("#id_title")).to_have_value("Typed by hand")
    # A link typed by hand is kept, and the message does not claim otherwise.
    page.fill("#id_paper_url", "https://example.org/typed")
    page.fill("#id_lookup", "doi:10.5555/boom")
    page.click("#lookup-button")  # the status reads "Looking it up…" until the answer
    expect(page.locator("#lookup-status")).to_contain_text("answered with an error (500)")
    expect(page.locator("#lookup-status")).not_to_contain_text("The paper link is filled in")
    expect(page.locator("#id_paper_url")).to_have_value("https://example.org/typed")
    page.close()


def test_enter_in_the_id_box_looks_it_up(browser, live_server, recorded):
    SectionFactory(title="Self-play", slug="self-play")
    page = browser.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_lookup", "2401.10020")
    page.press("#id_lookup", "Enter")
    expect(page.locator("#lookup-status")).to_contain_text("Filled in from arXiv")
    expect(page.locator("#id_title")).to_have_value("Self-Rewarding Language Models")
    # Still the empty form being filled, not a preview with "required" errors.
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    page.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_looking_up_a_listed_paper_offers_a_correction_of_it(
    browser, live_server, recorded, javascript
):
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__title="Self-Rewarding Language Models").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.10020")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/submit/")
    expect(page.locator("#lookup-listed")).to_be_hidden()
    page.fill("#id_lookup", "2401.10020")
    page.click("#lookup-button")
    listed = page.locator("#lookup-listed")
    expect(listed).to_be_visible()
    expect(listed).to_contain_text("Already on the list: Self-Rewarding Language Models")
    listed.get_by_role("link", name="suggest a correction of it").click()
    expect(page).to_have_url(f"{live_server.url}/submit/correct/{paper.pk}/")
    expect(page.locator("h1")).to_have_text("Suggest a correction")
    context.close()


def test_a_lookup_over_the_rate_limit_says_so(browser, live_server, recorded, settings):
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 1
    page = browser.new_page()
    page.goto(f"{live_server.url}/submit/")
    page.fill("#id_lookup", "2401.10020")
    page.click("#lookup-button")
    expect(page.locator("#id_paper_url")).to_have_value("https://arxiv.org/abs/2401.10020")
    page.fill("#id_lookup", "2401.10021")
    page.click("#lookup-button")
    status = page.locator("#lookup-status")
    expect(status).to_contain_text("Too many lookups and previews from your network")
    expect(status).to_contain_text("or fill in the fields by hand")
    expect(status).to_have_class(re.compile(r"\btext-danger\b"))
    page.close()
