"""A contributor proposes a paper in Chromium; a maintainer approves it in the admin; it is
published on the section page and in the exported README."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from curation.models import Submission
from curation.services import Contributor
from tests.factories import SectionFactory, sent_correction, sent_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maintainer(django_user_model):
    user = django_user_model.objects.create_user(
        "maint", password="a-long-passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Maintainers"))
    return user


def fill_in(page, values: dict[str, str]) -> None:
    """Type each value into the field of that label."""
    for label, value in values.items():
        page.get_by_label(label).fill(value)


def test_submit_review_publish(browser, live_server, maintainer, tmp_path):
    cache.clear()
    part = SectionFactory(title="Aligning through self-play", position=1)
    debate = SectionFactory(title="Debate", parent=part, position=1)

    contributor = browser.new_context(viewport={"width": 390, "height": 844})
    page = contributor.new_page()
    page.goto(f"{live_server.url}/submit/")
    assert page.locator("h1").inner_text() == "Submit a paper"
    fill_in(
        page,
        {
            "Title": "Debate Helps Supervise Unreliable Experts",
            "Authors": "Michael et al.",
            "Venue": "arXiv",
            "Year": "2023",
            "Paper link": "https://arxiv.org/pdf/2311.08702v2",
            "Code link": "https://github.com/julianmichael/debate",
            "Your name": "Julian",
            "Your email": "julian@example.org",
        },
    )
    page.get_by_label("1.1 Debate").check()
    page.get_by_label("I am an author of this paper").check()

    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".entry-preview")
    expect(preview).to_contain_text("Debate Helps Supervise Unreliable Experts.")
    assert preview.locator("a", has_text="paper").get_attribute("href") == (
        "https://arxiv.org/abs/2311.08702"
    )
    # On a phone the form's own Send is a long scroll away; the preview has one in reach.
    send = page.locator("#send-from-preview")
    expect(send).to_be_in_viewport()
    send.click()
    expect(page.locator("h1")).to_have_text("Thank you, Julian")
    status_url = page.locator("a.status-link").get_attribute("href")
    submission = Submission.objects.get()
    assert submission.token in status_url
    contributor.close()

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = reviewer.new_page()
    admin.goto(f"{live_server.url}/admin/")
    admin.get_by_label("Username").fill("maint")
    admin.get_by_label("Password").fill("a-long-passphrase")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Submissions").click()
    admin.get_by_role("link", name="Debate Helps Supervise Unreliable Experts").click()
    expect(admin.locator(".field-readme_line")).to_contain_text("*Michael et al.* arXiv 2023.")
    admin.locator("#id_note").fill("Thanks, welcome to the list")
    admin.get_by_role("button", name="Approve and publish").click()
    # expect() waits: the page after the click may still be loading its message list.
    expect(admin.locator(".messagelist")).to_contain_text("1 submission approved and published")
    reviewer.close()

    reader = browser.new_page()
    reader.goto(f"{live_server.url}{debate.get_absolute_url()}")
    entry = reader.get_by_role("link", name=re.compile("Debate Helps Supervise Unreliable Experts"))
    assert entry.count() >= 1
    reader.goto(f"{live_server.url}{status_url}")
    expect(reader.locator("main")).to_contain_text("Approved and published")
    reader.close()

    exported = tmp_path / "README.md"
    call_command("export_readme", output=str(exported))
    assert (
        "- **Debate Helps Supervise Unreliable Experts.** *Michael et al.* arXiv 2023. "
        "[[paper](https://arxiv.org/abs/2311.08702)] [[code](https://github.com/julianmichael/debate)]"
    ) in exported.read_text(encoding="utf-8")


def test_withdrawing_asks_first_and_then_is_final(browser, live_server):
    section = SectionFactory(title="Debate")
    submission = sent_submission(
        title="A paper to withdraw",
        authors="Doe et al.",
        venue="arXiv",
        year=2025,
        links=[("paper", "https://arxiv.org/abs/2501.00001")],
        sections=[section],
        contributor=Contributor(name="Ada"),
    )
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/submit/status/{submission.token}/")
    confirm = page.get_by_role("button", name="Yes, withdraw it")
    assert not confirm.is_visible()  # one tap only opens the question
    page.get_by_text("Withdraw this submission").click()
    assert page.get_by_text("Withdrawing is final").is_visible()
    submission.refresh_from_db()
    assert submission.state == "pending"
    confirm.click()
    expect(page.get_by_text("Your submission was withdrawn.")).to_be_visible()
    submission.refresh_from_db()
    assert submission.state == "withdrawn"


def test_a_failed_submission_says_so_in_the_title_and_focuses_the_message(browser, live_server):
    cache.clear()
    SectionFactory(title="Debate")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/submit/")
    page.get_by_label("Title").fill("A paper without authors")
    page.get_by_role("button", name="Preview").last.click()
    expect(page).to_have_title(re.compile(r"^Check the form — Submit a paper"))
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused.startswith("Please correct these fields:")
    # The summary names each field, with its message, and leads to it.
    summary = page.locator(".error-summary li")
    expect(summary.filter(has_text="Authors: This field is required.")).to_have_count(1)
    expect(summary.filter(has_text="Sections: Tick at least one section.")).to_have_count(1)
    page.locator(".error-summary a", has_text="Sections").click()
    expect(page.locator("#div_id_sections")).to_be_in_viewport()
    # A mistyped year stays as typed, beside its message (no type=number to drop letters).
    page.get_by_label("Year").fill("2O24")
    page.get_by_role("button", name="Preview").last.click()
    expect(page.get_by_label("Year")).to_have_value("2O24")
    expect(page.locator("#div_id_year")).to_contain_text("Enter the year as a number, e.g. 2024.")


def test_a_near_duplicate_is_sent_anyway_from_the_warning(browser, live_server):
    """A title like a listed paper's: "Send" says it was not sent, and the warning itself
    holds the way on (tick, note, send), which reaches the form it belongs to."""
    from tests.factories import LinkFactory, PlacementFactory

    cache.clear()
    part = SectionFactory(title="Aligning through self-play", position=1)
    section = SectionFactory(title="Debate", parent=part, position=1)
    listed = PlacementFactory(section=section, paper__title="Self-Rewarding Language Models")
    LinkFactory(paper=listed.paper, url="https://arxiv.org/abs/2401.10020")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/submit/")
    fill_in(
        page,
        {
            "Title": "Self Rewarding Language Model",
            "Authors": "Doe et al.",
            "Year": "2024",
            "Paper link": "https://example.org/another-paper",
            "Your name": "Ada",
        },
    )
    page.get_by_label("1.1 Debate").check()
    page.locator("#submission-form").get_by_role("button", name="Send for review").click()

    expect(page).to_have_title(re.compile(r"^Check the form — Submit a paper"))
    warning = page.locator(".panel-warning")
    expect(warning).to_contain_text("Self-Rewarding Language Models")
    expect(warning.locator("#div_id_send_anyway")).to_contain_text("Not sent: it may already")
    assert not Submission.objects.exists()

    warning.get_by_label("This is a different paper: send it anyway").check()
    warning.get_by_label("Note to the maintainers").fill("A different paper, on rewarding.")
    # Enter in a field still previews (the warning's Send comes first in the page).
    title = page.locator("#submission-form").get_by_label("Title")
    title.fill("Self Rewarding Language Models")
    title.press("Enter")
    expect(page.locator("#preview-heading")).to_be_visible()
    assert not Submission.objects.exists(), "sent without a preview by Enter"
    expect(page.locator("#id_title")).to_have_value("Self Rewarding Language Models")
    warning.get_by_label("This is a different paper: send it anyway").check()
    warning.get_by_role("button", name="Send it anyway").click()
    expect(page.locator("h1")).to_have_text("Thank you, Ada")
    submission = Submission.objects.get()
    assert submission.duplicate_suspected
    assert submission.note == "A different paper, on rewarding."


def test_a_correction_s_review_page_fits_a_phone(browser, live_server, maintainer):
    from tests.factories import LinkFactory, PlacementFactory

    section = SectionFactory(title="Debate", position=1)
    paper = PlacementFactory(section=section, paper__venue="arXiv", paper__year=2023).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    long_link = "https://github.com/example/" + "a-very-long-repository-name-" * 4
    correction = sent_correction(
        paper,
        venue="ICLR",
        year=2024,
        links=[("paper", "https://arxiv.org/abs/2305.00001"), ("code", long_link)],
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("maint")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/curation/submission/{correction.pk}/change/")
    diff = page.locator(".correction-diff")
    expect(diff).to_contain_text("ICLR")
    # Every column, the proposed one with its long link included, is within the screen.
    box = diff.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The links and decisions tables, wider than the screen, scroll sideways to their last
    # column (the note) instead of cutting it off.
    decisions = page.locator(".inline-group .tabular").last
    decisions.scroll_into_view_if_needed()
    box = decisions.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.wheel(600, 0)  # a sideways swipe over the table
    note = page.locator(".inline-group").last.locator("td.field-note").first
    expect(note).to_be_in_viewport(ratio=1)
    context.close()
