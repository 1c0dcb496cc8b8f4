"""A reader in a real browser: search from the home page, open a paper, follow its section.

Also renders every public page of the seed catalog at desktop and phone widths into
test-artifacts/ (gitignored) for a human to look at, and checks that nothing overflows sideways.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from catalog.models import Link, Paper
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TITLE = "Constitutional AI: Harmlessness from AI Feedback"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_catalog():
    part = SectionFactory(
        title="Aligning through inductive bias", slug="inductive-bias", position=1
    )
    SectionFactory(
        title="Uncertainty Filtering", slug="uncertainty-filtering", parent=part, position=1
    )
    critique = SectionFactory(
        title="Self-Judge / Critique / Refine", slug="self-judge", parent=part, position=2
    )
    paper = PaperFactory(title=TITLE, authors="Bai et al.", venue="arXiv", year=2022)
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2212.08073")
    PlacementFactory(paper=paper, section=critique, position=1)
    neighbour = PaperFactory(title="Self-rewarding language models", authors="Yuan et al.")
    PlacementFactory(paper=neighbour, section=critique, position=2)
    return paper


def read_like_a_reader(page, live_server, paper, *, javascript: bool) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    # 1. Search from the home page's search box.
    page.get_by_label("Search papers by title or author").fill("constitutional bai")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/\?q=constitutional\+bai$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Browse & search papers")
    expect(page.get_by_role("heading", name="1 matching paper")).to_be_visible()
    # The filter form shows the query the reader typed.
    expect(page.get_by_label("Title or authors")).to_have_value("constitutional bai")
    expect(page.get_by_role("link", name="Self-rewarding language models")).to_have_count(0)

    # 2. Open the paper.
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/papers/{paper.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Bai et al.")).to_be_visible()
    expect(page.locator("pre.bibtex")).to_contain_text("@article{bai2022constitutional,")
    copy = page.get_by_role("button", name="Copy BibTeX")
    if javascript:
        expect(copy).to_be_visible()
    else:
        expect(copy).to_be_hidden()  # without the script there is nothing to click

    # 3. Follow its section link.
    page.get_by_role("complementary").get_by_role(
        "link", name="1.2 Self-Judge / Critique / Refine"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/sections/self-judge/")
    expect(page.get_by_role("heading", level=1)).to_have_text("1.2 Self-Judge / Critique / Refine")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb).to_contain_text("1 Aligning through inductive bias")
    papers = page.locator("main ol.paper-list .paper-title")
    expect(papers).to_have_text([TITLE, "Self-rewarding language models"])


def test_reader_searches_opens_a_paper_and_follows_its_section(page, live_server, small_catalog):
    read_like_a_reader(page, live_server, small_catalog, javascript=True)


def test_the_same_path_works_without_javascript(browser, live_server, small_catalog):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        read_like_a_reader(context.new_page(), live_server, small_catalog, javascript=False)
    finally:
        context.close()


def copied_by_button(browser, live_server, path: str, button: str) -> str:
    """What clicking the copy button named `button` on the page at `path` puts on the
    clipboard (the button says "Copied" meanwhile)."""
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        return page.evaluate("navigator.clipboard.readText()")
    finally:
        context.close()


def test_copy_button_puts_the_bibtex_on_the_clipboard(browser, live_server, small_catalog):
    path = f"/papers/{small_catalog.pk}/"
    copied = copied_by_button(browser, live_server, path, "Copy BibTeX")
    assert copied.startswith("@article{bai2022constitutional,")


def test_on_a_phone_the_bibtex_reads_as_code_and_scrolls_sideways(
    browser, live_server, small_catalog
):
    """Each BibTeX field stays on its one line, as in a .bib file: wrapped, the key's comma
    and `url =` landed on lines of their own. A line too long scrolls within the block, which
    the keyboard reaches (focusable, and named)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/papers/{small_catalog.pk}/")
    block = page.get_by_role("region", name="BibTeX entry")
    lines, rendered, overflows = block.evaluate(
        """pre => {
            const code = pre.querySelector('code');
            const tops = new Set([...code.getClientRects()].map(rect => Math.round(rect.top)));
            return [code.textContent.trim().split('\\n').length, tops.size,
                    pre.scrollWidth > pre.clientWidth];
        }"""
    )
    assert rendered == lines, f"{lines} lines of BibTeX rendered as {rendered}"
    assert overflows, "no line is wider than the block: the test needs a longer one"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page stays put
    block.focus()
    page.keyboard.press("ArrowRight")
    expect(block).not_to_have_js_property("scrollLeft", 0)
    context.close()


def test_screenshots_of_the_seed_catalog(browser, live_server):
    """Desktop and phone renders of every page, from the real seed list."""
    call_command("loaddata", "catalog", verbosity=0)
    paper = (
        Paper.objects.published()
        .filter(links__label=Link.Label.CODE, title__icontains="constitutional")
        .first()
    ) or Paper.objects.published().first()
    pages = {
        "home": "/",
        "section": "/sections/self-play/",
        "paper": paper.get_absolute_url(),
        "search": "/search/?q=self&section=aligning-through-inductive-bias",
        "search-error": "/search/?year_min=abc",
        # An unknown value, quoted in its error message, wraps rather than widen the page.
        "search-long-error": "/search/?section=" + "a" * 300 + "&venue=" + "b" * 300,
        "not-found": "/sections/no-such-section/",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    for device, width in (("desktop", 1280), ("phone", 390)):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            for name, path in pages.items():
                page.goto(live_server.url + path)
                expect(page.get_by_role("heading", level=1)).to_have_count(1)
                # Responsive: nothing wider than the screen.
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, f"{name} is {overflow}px wide on a {width}px {device}"
                page.screenshot(path=ARTIFACTS / f"{name}-{device}.png", full_page=True)
        finally:
            context.close()


def test_keyboard_focus_is_outlined_on_links_buttons_and_fields(page, live_server, small_catalog):
    # Bootstrap gives .btn, .nav-link and fields a faint focus shadow instead of an outline;
    # the site's amber outline must win on each, as on plain links.
    page.goto(live_server.url + "/search/")
    outlined = []
    for _ in range(25):
        page.keyboard.press("Tab")
        outlined.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return [el.tagName + ' ' + el.className, style.outlineStyle,
                            style.outlineColor];
                }"""
            )
        )
    kinds = {kind for name, _style, _color in outlined for kind in name.split()}
    assert {"nav-link", "form-control", "form-select", "btn"} <= kinds
    for name, style, color in outlined:
        if not name.startswith("BODY"):  # past the last control, focus returns to the page
            assert style == "solid", name
            # WCAG 1.4.11: a focus indicator 3:1 against the white page and the dark header.
            assert contrast(color, "rgb(255, 255, 255)") >= 3, (name, color)
            assert contrast(color, "rgb(15, 23, 42)") >= 3, (name, color)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(r, g, b)` colours."""

    def luminance(color: str) -> float:
        channels = [int(value) / 255 for value in re.findall(r"\d+", color)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_on_the_narrowest_phone_every_menu_link_is_in_full_view(
    browser, live_server, small_catalog
):
    """At 320 px the menu wraps rather than scroll: "Submit a paper" was cut to "Submit a",
    with its focus ring clipped, in a row whose scrollbar was hidden."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + "/")
    menu = page.locator(".site-nav")
    assert menu.evaluate("el => el.scrollWidth <= el.clientWidth")
    for link in menu.get_by_role("link").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, link.inner_text()
    expect(menu.get_by_role("link", name="Submit a paper")).to_be_in_viewport(ratio=1)
    context.close()


def test_on_a_phone_header_and_footer_links_are_finger_sized(browser, live_server, small_catalog):
    """At 390 px the menu's links were 31 px tall and the footer's 17 px: each tap target in
    the header and footer is at least 44 px tall there. A wide screen with a mouse keeps its
    compact header."""
    targets = ".site-brand, .site-nav .nav-link, .site-footer a"
    heights = "els => els.map(el => [el.textContent.trim(), el.getBoundingClientRect().height])"
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(live_server.url + "/")
    measured = page.eval_on_selector_all(targets, heights)
    assert len(measured) >= 8, measured
    short = [(name, height) for name, height in measured if height < 44]
    assert not short, f"shorter than 44 px at 390 px: {short}"
    phone.close()
    desktop = browser.new_context(viewport={"width": 1366, "height": 900})
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    menu = page.eval_on_selector_all(".site-nav .nav-link", heights)
    assert all(height < 44 for _name, height in menu), menu
    desktop.close()


def test_on_a_phone_search_results_come_into_view_first(browser, live_server, small_catalog):
    """The secondary filters fold away on a phone while unused, so the first result is on the
    first screen; in use (or on a wide screen) they stay open."""
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{live_server.url}/search/?q=constitutional")
    first = page.get_by_role("link", name=TITLE, exact=True)
    expect(first).to_be_in_viewport()
    expect(page.get_by_label("Venue")).to_be_hidden()
    page.get_by_text("Section, year, venue, code").click()
    expect(page.get_by_label("Venue")).to_be_visible()
    page.goto(f"{live_server.url}/search/?q=constitutional&venue=arXiv")
    expect(page.get_by_label("Venue")).to_be_visible()  # in use: left open
    phone.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 900})
    page = wide.new_page()
    page.goto(f"{live_server.url}/search/?q=constitutional")
    expect(page.get_by_label("Venue")).to_be_visible()
    expect(page.get_by_text("Section, year, venue, code")).to_be_hidden()
    wide.close()


def test_the_thanks_page_copies_the_status_link(browser, live_server, small_catalog):
    from curation.services import Contributor
    from tests.factories import sent_submission

    submission = sent_submission(
        sections=[small_catalog.placements.get().section], contributor=Contributor(name="Ada")
    )
    path = f"/submit/thanks/{submission.token}/"
    copied = copied_by_button(browser, live_server, path, "Copy the link")
    assert copied.strip() == f"{live_server.url}/submit/status/{submission.token}/"


def test_the_status_and_thanks_pages_label_reads_against_the_page(
    browser, live_server, small_catalog
):
    """The small label above the title ("Sent for review") was the hero's pale teal on the
    light page, 1.4:1; text needs 4.5:1. The withdraw button's red too."""
    from curation.services import Contributor
    from tests.factories import sent_submission

    submission = sent_submission(
        sections=[small_catalog.placements.get().section], contributor=Contributor(name="Ada")
    )
    page = browser.new_page()
    for path in (f"/submit/thanks/{submission.token}/", f"/submit/status/{submission.token}/"):
        page.goto(live_server.url + path)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        label = page.locator(".eyebrow").evaluate("el => getComputedStyle(el).color")
        assert contrast(label, background) >= 4.5, (path, label, background)
    withdraw = page.get_by_text("Withdraw this submission").evaluate(
        "el => getComputedStyle(el).color"
    )
    assert contrast(withdraw, background) >= 4.5, withdraw
    page.close()


def test_a_long_venue_that_wraps_on_a_phone_starts_its_line_with_the_venue(
    browser, live_server, small_catalog
):
    """The dot between authors and venue stays at the end of the authors' line: a venue that
    wraps (a phone, a long proceedings name) starts its own line with its first word."""
    long_venue = "Proceedings of the 61st Annual Meeting of the Association for Computational"
    paper = PaperFactory(title="Long venue", authors="Someone et al.", venue=long_venue, year=2023)
    PlacementFactory(paper=paper, section=small_catalog.placements.get().section, position=3)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(f"{live_server.url}/search/?q=long+venue")
    item = page.locator(".paper-item", has_text="Long venue")
    gap = item.evaluate(
        """item => {
            const meta = item.querySelector('.paper-meta');
            const venue = item.querySelector('.paper-venue');
            const text = document.createRange();
            text.selectNodeContents(venue.firstChild);
            return [text.getClientRects()[0].left - meta.getBoundingClientRect().left,
                    venue.getBoundingClientRect().top > item.querySelector('.paper-authors')
                        .getBoundingClientRect().top];
        }"""
    )
    assert gap[1], "the venue did not wrap: the test needs a longer venue"
    assert gap[0] < 1, f"the venue's line starts {gap[0]:.0f} px before its first word"
    phone.close()
