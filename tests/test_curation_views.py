"""The public submission pages through the Django test client."""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog.models import Link
from curation.forms import initial_from_paper
from curation.models import Submission
from curation.services import SUSPECTED_DUPLICATE, submission_approve, submission_request_changes
from tests.factories import LinkFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db

SUBMIT = "/submit/"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def debate():
    part = SectionFactory(title="Aligning through self-play")
    return SectionFactory(title="Debate", parent=part, position=1)


def form_data(section, **overrides):
    data = {
        "title": "Debate Helps Supervise Unreliable Experts.",
        "authors": "Michael et al.",
        "venue": "arXiv",
        "year": "2023",
        "paper_url": "arxiv.org/pdf/2311.08702v2",
        "code_url": "",
        "extra_label_0": "",
        "extra_url_0": "",
        "sections": [str(section.pk)],
        "contributor_name": "Ada Lovelace",
        "contributor_email": "ada@example.org",
        "is_author": "on",
        "note": "",
        "website": "",
        "action": "send",
    }
    data.update(overrides)
    return data


def correction_data(section, paper, **overrides):
    """The correction form of `paper` (listed with arXiv 2305.00001) as sent, with `overrides`
    (a code link added unless they say otherwise)."""
    fields = {
        "title": paper.title,
        "authors": paper.authors,
        "paper_url": "https://arxiv.org/abs/2305.00001",
        "code_url": "https://github.com/a/b",
    }
    return form_data(section, **{**fields, **overrides})


def test_form_shows_sections_grouped_with_numbers_and_a_hidden_honeypot(client, debate):
    response = client.get(SUBMIT)
    html = response.content.decode()
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", html)
    # Checkboxes grouped under their part, each numbered.
    assert "<strong>1 Aligning through self-play</strong>" in text
    assert re.search(r'type="checkbox"[^>]*name="sections" value="\d+"', text)
    assert "> 1.1 Debate </label>" in text
    # The part can be picked too, without repeating the group's label as an option.
    assert "> 1 In general (no subsection) </label>" in text
    assert "> 1 Aligning through self-play </label>" not in text
    assert 'name="website"' in html and 'class="honeypot"' in html
    assert "csrfmiddlewaretoken" in html
    # The asterisk of each required field is explained, once, at the top of the form.
    assert "are required." in text and text.count("asteriskField") >= 5
    assert "Approved</strong> papers appear on the site" in text
    assert "status" not in re.findall(r'name="(\w+)"', html)


def test_each_section_checkbox_has_one_class_attribute_with_both_classes(client, debate):
    """The form's widget class (section-choices) came as a second class attribute after the
    template's form-check-input, and a browser keeps only the first of two."""

    class Checkboxes(HTMLParser):
        def __init__(self):
            super().__init__()
            self.classes: list[list[str]] = []

        def handle_starttag(self, tag, attrs):
            if tag == "input" and ("name", "sections") in attrs:
                self.classes.append([value for name, value in attrs if name == "class"])

    for response in (client.get(SUBMIT), client.post(SUBMIT, form_data(debate, sections=[]))):
        parser = Checkboxes()
        parser.feed(response.content.decode())
        assert parser.classes, "no section checkbox"
        for classes in parser.classes:
            assert len(classes) == 1, classes
            assert {"form-check-input", "section-choices"} <= set(classes[0].split()), classes


def test_a_section_page_leads_to_the_form_with_that_section_ticked(client, debate):
    section_page = client.get(reverse("catalog:section", args=[debate.slug])).content.decode()
    link = f"{SUBMIT}?section={debate.slug}"
    assert f'href="{link}"' in section_page and "Propose a paper for this section" in section_page
    ticked = re.findall(
        r'<input type="checkbox"[^>]*name="sections"[^>]*>', client.get(link).content.decode()
    )
    assert [box for box in ticked if "checked" in box] == [
        box for box in ticked if f'value="{debate.pk}"' in box
    ]
    assert len([box for box in ticked if "checked" in box]) == 1
    for unknown in ("no-such-section", "", "../x"):
        page = client.get(f"{SUBMIT}?section={unknown}")
        assert page.status_code == 200 and " checked" not in page.content.decode()
    # Several, as a link may name them.
    other = SectionFactory(title="Math", slug="math", position=9)
    both = client.get(f"{SUBMIT}?section={debate.slug}&section=math&section=nope").content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*name="sections"[^>]*>', both)
    assert sorted(
        re.search(r'value="(\d+)"', box)[1] for box in boxes if "checked" in box
    ) == sorted([str(debate.pk), str(other.pk)])


def test_preview_shows_the_readme_line_and_stores_nothing(client, debate):
    response = client.post(SUBMIT, form_data(debate, action="preview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "**Debate Helps Supervise Unreliable Experts.** *Michael et al.* arXiv 2023." in html
    assert "[[paper](https://arxiv.org/abs/2311.08702)]" in html
    assert "Filed under 1.1 Debate" in html  # the chosen section, numbered
    assert not Submission.objects.exists()


def test_send_stores_a_normalized_submission_and_shows_a_private_status_link(client, debate):
    response = client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("curation:thanks", kwargs={"token": submission.token})
    assert submission.title == "Debate Helps Supervise Unreliable Experts"
    assert [link.url for link in submission.links.all()] == ["https://arxiv.org/abs/2311.08702"]
    assert submission.state == "pending" and submission.is_author
    thanks = client.get(response.url).content.decode()
    assert reverse("curation:status", kwargs={"token": submission.token}) in thanks


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("paper_url", "javascript:alert(1)", "http:// or https://"),
        ("paper_url", "ftp://example.org/paper.pdf", "http:// or https://"),
        ("code_url", "data:text/html,hi", "http:// or https://"),
        ("title", "TBD", "“TBD” looks like a placeholder; enter the real one."),
        ("authors", "N/A", "“N/A” looks like a placeholder; enter the real one."),
        ("title", "x" * 501, "at most 500"),
        ("year", "1800", "Enter a year from 1900 to"),
        ("year", "3000", "Enter a year from 1900 to"),
        ("title", "Bell\x07 title", "control character"),
        ("sections", ["999999"], "Select a valid choice"),
        ("website", "http://spam.example", "must stay empty"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message_and_nothing_stored(
    client, debate, field, value, message
):
    response = client.post(SUBMIT, form_data(debate, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exists()


def test_no_section_ticked_is_said_under_the_sections_label_not_on_every_choice(client, debate):
    response = client.post(SUBMIT, form_data(debate, sections=[]))
    assert response.status_code == 400
    html = response.content.decode()
    field = html[html.index('id="div_id_sections"') :]
    message = field.index("Tick at least one section.")
    assert message < field.index('type="checkbox"')  # before the choices, under the label
    assert field.index("Sections") < message
    boxes = re.findall(r'<input type="checkbox"[^>]*name="sections"[^>]*>', html)
    assert boxes and not any("is-invalid" in box for box in boxes)
    assert all('aria-describedby="id_sections_error"' in box for box in boxes)
    assert 'id="id_sections_error"' in html


def test_a_repeated_address_is_marked_on_the_field_that_repeats_it(client, debate):
    paper = "https://example.org/paper"
    data = form_data(
        debate, paper_url=paper, code_url=paper, extra_label_0="blog", extra_url_0=paper
    )
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["code_url"] == ["The same address is given as the paper link."]
    assert errors["extra_url_0"] == ["The same address is given as the paper link."]
    assert "paper_url" not in errors and "__all__" not in errors
    # Between the other links too.
    blog = "https://example.org/blog"
    data = form_data(debate, code_url=blog, extra_label_0="blog", extra_url_0=blog)
    errors = client.post(SUBMIT, data).context["form"].errors
    assert errors["extra_url_0"] == ["The same address is given as the code link."]
    assert not Submission.objects.exists()


def test_a_link_kind_chosen_without_its_address_is_pointed_out(client, debate):
    response = client.post(SUBMIT, form_data(debate, extra_label_0="data", action="preview"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["extra_url_0"] == ["Give the address of this link, or clear its kind."]
    assert form["extra_label_0"].value() == "data"  # what was typed stays
    assert not Submission.objects.exists()


def test_an_over_long_other_link_is_not_told_to_give_its_address(client, debate):
    long_url = "https://blog.example.org/" + "p" * 1000
    response = client.post(
        SUBMIT, form_data(debate, extra_label_0="blog", extra_url_0=long_url, action="preview")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["extra_url_0"]
    assert errors == ["Ensure this value has at most 1000 characters (it has 1025)."]


def test_a_refused_add_to_does_not_offer_send_for_a_listed_papers_own_link(client, debate):
    placement = PlacementFactory(section=debate)
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    response = client.post(
        SUBMIT, form_data(debate, action="add_to", add_to=str(placement.paper.pk))
    )
    assert response.status_code == 400  # already in every section chosen
    html = response.content.decode()
    assert "Same paper link" in html
    assert 'value="send"' not in html
    assert 'type="checkbox" name="send_anyway"' not in html
    assert "tick “send it anyway” below" not in html


def test_a_duplicate_is_shown_with_its_sections_and_not_sent_silently(client, debate):
    placement = PlacementFactory(
        section=debate, paper__title="Debate helps supervise unreliable experts"
    )
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    response = client.post(SUBMIT, form_data(debate))
    html = response.content.decode()
    assert response.status_code == 400  # a "Send" that did not send says so
    assert "already on the list: a paper link names one paper" in html
    assert "Already on the list" in html
    assert placement.paper.get_absolute_url() in html and "Debate" in html
    assert not Submission.objects.exists()
    # The hidden copies the duplicate box carries have no ids: each label reaches its field.
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # The same paper link: it is that paper, so "send it anyway" is not offered, and a send
    # is refused with the way out.
    assert "Same paper link" in html
    assert 'name="send_anyway" id="id_send_anyway"' not in html
    assert "cannot be sent as a new paper" in html
    assert 'value="send"' not in html  # no Send button: the link must change first
    anyway = client.post(SUBMIT, form_data(debate, send_anyway="on", note="A different paper"))
    assert anyway.status_code == 400
    assert "already on the list: a paper link names one paper" in anyway.content.decode()
    assert not Submission.objects.exists()

    # The listed link in another row of kind "paper": the message names that link.
    extra = form_data(
        debate,
        paper_url="https://example.org/mine",
        extra_label_0="paper",
        extra_url_0="https://arxiv.org/abs/2311.08702",
        send_anyway="on",
        note="A different paper",
    )
    refused = client.post(SUBMIT, extra).content.decode()
    assert "The paper link https://arxiv.org/abs/2311.08702 is the paper link of" in refused
    assert not Submission.objects.exists()

    # Only the title alike: maybe another paper, which may be sent anyway with a note.
    other_link = {"paper_url": "https://example.org/another-debate-paper"}
    previewed = client.post(SUBMIT, form_data(debate, action="preview", **other_link))
    assert previewed.status_code == 200 and not previewed.context["form"].errors
    # "Send" without the tick: not sent, and told so at the box to tick.
    refused = client.post(SUBMIT, form_data(debate, **other_link))
    assert refused.status_code == 400
    assert refused.context["form"].errors["send_anyway"] == [SUSPECTED_DUPLICATE]
    similar = refused.content.decode()
    assert "This may already be listed" in similar and "Same paper link" not in similar
    assert not Submission.objects.exists()
    # The tick box, the note and a Send button stand in the warning box, tied to the form.
    warning = similar[similar.index('id="duplicates-heading"') : similar.index("</section>")]
    checkbox = re.search(r'<input type="checkbox" name="send_anyway"[^>]*>', warning).group(0)
    note = re.search(r'<textarea name="note"[^>]*>', warning).group(0)
    for field in (checkbox, note):
        assert 'form="submission-form"' in field and 'id="id_' in field
    assert re.search(
        r'<button type="submit" form="submission-form" name="action" value="send"', warning
    )
    assert similar.count('<textarea name="note"') == 1  # not in the form as well
    anyway = client.post(
        SUBMIT, form_data(debate, send_anyway="on", note="A different paper", **other_link)
    )
    assert anyway.status_code == 302
    assert Submission.objects.get().duplicate_suspected


@pytest.mark.parametrize(
    "copied",
    [
        "https://arxiv.org/abs/2311.08702?context=cs",
        "https://arxiv.org/pdf/2311.08702v2.pdf#page=3",
        "https://browse.arxiv.org/abs/2311.08702",
        "https://doi.org/10.48550/arXiv.2311.08702",
    ],
)
def test_a_copied_arxiv_address_is_the_listed_paper(client, debate, copied):
    """Another title, and the paper's address as a browser copies it: still the listed paper."""
    placement = PlacementFactory(section=debate, paper__title="Debate helps supervise experts")
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    response = client.post(SUBMIT, form_data(debate, title="A different title", paper_url=copied))
    assert response.status_code == 400  # "Send", refused
    assert "Already on the list" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_duplicate_can_become_a_proposal_to_add_it_to_another_section(
    client, debate, mailoutbox, django_capture_on_commit_callbacks
):
    other = SectionFactory(title="Scalar reward")
    placement = PlacementFactory(section=debate)
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SUBMIT, form_data(other, action="add_to", add_to=str(placement.paper.pk))
        )
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert submission.kind == "correction" and submission.paper == placement.paper
    assert set(submission.sections.all()) == {debate, other}
    assert submission.title == placement.paper.title
    # Its pages call it what it is: adding the paper to sections, not correcting it.
    assert submission.proposes_sections_only
    thanks = client.get(response.url).content.decode()
    assert "Your proposal to list" in thanks and "in more sections" in thanks
    status = client.get(reverse("curation:status", args=[submission.token])).content.decode()
    assert "Adding to sections · sent" in status
    # The mail says so too, not "your correction of".
    assert f'your proposal to list "{placement.paper.title}" in more sections' in (
        mailoutbox[0].body
    )


def test_add_to_refuses_a_paper_that_is_not_a_duplicate(client, debate):
    stranger = PlacementFactory().paper
    response = client.post(SUBMIT, form_data(debate, action="add_to", add_to=str(stranger.pk)))
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_posts_over_the_rate_limit_get_a_clear_429(client, debate, settings):
    settings.SUBMISSION_RATE_LIMIT = 2
    for n in range(2):
        data = form_data(debate, title=f"Paper number {n}", paper_url=f"2402.0000{n}")
        assert client.post(SUBMIT, data).status_code == 302
    response = client.post(SUBMIT, form_data(debate, title="Paper three", paper_url="2402.00009"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Not sent: too many submissions from your network" in html
    # What was typed is kept, in the form, to send later.
    assert 'value="Paper three"' in html and 'value="2402.00009"' in html
    assert Submission.objects.count() == 2
    assert client.get(SUBMIT).status_code == 200


def test_previews_do_not_use_up_the_sends_and_have_a_limit_of_their_own(client, debate, settings):
    settings.SUBMISSION_RATE_LIMIT = 2
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 4
    for _ in range(4):
        assert client.post(SUBMIT, form_data(debate, action="preview")).status_code == 200
    refused = client.post(SUBMIT, form_data(debate, action="preview", title="Kept title"))
    assert refused.status_code == 429 and 'value="Kept title"' in refused.content.decode()
    assert "Not previewed: too many previews" in refused.content.decode()
    # The sends are still all there.
    for n in range(2):
        data = form_data(debate, title=f"Paper number {n}", paper_url=f"2402.0000{n}")
        assert client.post(SUBMIT, data).status_code == 302
    assert Submission.objects.count() == 2


def test_a_lookup_over_the_limit_is_not_told_to_correct_fields_it_has_not_filled(
    client, debate, settings
):
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 0
    data = {"lookup": "2402.00001", "action": "lookup"}
    response = client.post(SUBMIT, data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Not previewed: too many previews" in html and 'value="2402.00001"' in html
    assert "Please correct" not in html
    assert "is-invalid" not in html and "This field is required" not in html


def test_a_correction_over_the_limit_keeps_what_was_typed(client, debate, settings):
    paper = PlacementFactory(section=debate).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2402.00001")
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 0
    url = reverse("curation:correct", args=[paper.pk])
    response = client.post(url, form_data(debate, action="preview", venue="ICLR 2025 Oral"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Not previewed: too many previews" in html and 'value="ICLR 2025 Oral"' in html
    assert "Suggest a correction" in html and paper.title in html


def test_pending_submissions_per_email_are_capped(client, debate, settings):
    settings.SUBMISSION_MAX_PENDING_PER_EMAIL = 1
    assert client.post(SUBMIT, form_data(debate)).status_code == 302
    response = client.post(
        SUBMIT, form_data(debate, title="A second paper", paper_url="2402.00001")
    )
    assert response.status_code == 400
    assert "waiting for review" in response.content.decode()
    assert Submission.objects.count() == 1


def test_status_page_shows_state_and_note_and_a_wrong_token_is_404(client, debate, admin_user):
    client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    submission_request_changes(submission=submission, reviewer=admin_user, note="Add the venue")
    html = client.get(reverse("curation:status", args=[submission.token])).content.decode()
    assert "Changes requested" in html and "Add the venue" in html
    assert client.get(reverse("curation:status", args=["not-a-token"])).status_code == 404


def test_status_page_shows_what_was_sent_as_the_readme_would(client, debate):
    client.post(SUBMIT, form_data(debate, code_url="https://github.com/a/b"))
    submission = Submission.objects.get()
    html = client.get(reverse("curation:status", args=[submission.token])).content.decode()
    sent = html.split('id="sent-title"')[1].split("</section>")[0]
    assert "<strong>Debate Helps Supervise Unreliable Experts.</strong>" in sent
    assert "<em>Michael et al.</em>" in sent
    assert 'href="https://github.com/a/b"' in sent
    assert "Section: 1.1 Debate" in sent
    assert "What it changes" not in sent  # a new paper changes no listed paper
    # Pending: the page says how to fix something before the review.
    assert "Withdraw it below and send a corrected one" in html


def test_a_correction_s_status_page_lists_what_it_changes(client, debate):
    """The preview listed the changes; the status page keeps them, against the paper as it
    was when sent, even after the paper changed (and says nothing of the sort for a new paper,
    as the test above shows)."""
    from tests.factories import SectionFactory

    paper = PlacementFactory(section=debate, paper__venue="arXiv", paper__year=2023).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    games = SectionFactory(title="Games", parent=debate, position=1)
    data = correction_data(debate, paper, venue="NeurIPS", year="2023")
    data["sections"] = [str(debate.pk), str(games.pk)]
    assert client.post(reverse("curation:correct", args=[paper.pk]), data).status_code == 302
    correction = Submission.objects.get()
    paper.venue = "ICML"  # edited meanwhile: the list still names what the contributor sent
    paper.save()
    html = client.get(reverse("curation:status", args=[correction.token])).content.decode()
    sent = html.split('id="sent-title"')[1].split("</section>")[0]
    assert "What it changes in the listed paper, as it was when you sent it:" in sent
    assert "<li>Venue: &quot;arXiv&quot; → &quot;NeurIPS&quot;</li>" in sent
    assert "<li>Links: + code https://github.com/a/b</li>" in sent
    assert "<li>Sections: + 1.1.1 Games</li>" in sent


def test_withdraw_is_a_post_only_action(client, debate):
    client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    url = reverse("curation:withdraw", args=[submission.token])
    # A GET (the address pasted) changes nothing and leads to the page with the button.
    assert client.get(url)["Location"] == reverse("curation:status", args=[submission.token])
    assert client.head(url).status_code == 302  # a link checker's HEAD too
    submission.refresh_from_db()
    assert submission.state == "pending"
    # Final, so asked first: a post without the confirmation changes nothing.
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 400
    assert "Nothing was withdrawn" in unconfirmed.content.decode()
    submission.refresh_from_db()
    assert submission.state == "pending"
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    submission.refresh_from_db()
    assert submission.state == "withdrawn"
    again = client.post(url, {"confirm": "yes"})
    assert again.status_code == 409
    assert "withdrawn" in again.content.decode()
    # Not a dead end: the status page leads to the form filled in with what was sent.
    status = client.get(reverse("curation:status", args=[submission.token])).content.decode()
    resend = re.search(r'href="([^"]+)">open the form with what you sent</a>', status)[1]
    form = client.get(resend.replace("&amp;", "&")).content.decode()
    assert 'value="Debate Helps Supervise Unreliable Experts"' in form
    assert re.search(rf'name="sections" value="{debate.pk}"[^>]* checked', form)
    # Only a withdrawn submission's status link fills it in.
    assert "Debate Helps" not in client.get(f"{SUBMIT}?again=not-a-token").content.decode()


def test_edit_and_resend_after_changes_were_requested(client, debate, admin_user):
    client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    edit_url = reverse("curation:edit", args=[submission.token])
    assert client.get(edit_url).status_code == 409
    submission_request_changes(submission=submission, reviewer=admin_user, note="Venue?")
    page = client.get(edit_url)
    assert page.status_code == 200
    assert "Venue?" in page.content.decode()
    assert 'value="Debate Helps Supervise Unreliable Experts"' in page.content.decode()
    # A reply for this round (earlier notes stay in the history), and a way back.
    assert "Your reply to the maintainers" in page.content.decode()
    # Its "How it works" is a resend's: the status link exists already.
    assert "goes back to the review queue, under the same status link" in page.content.decode()
    assert "you get a private status link" not in page.content.decode()
    status_url = reverse("curation:status", args=[submission.token])
    assert f'href="{status_url}">Back to the status page, unchanged</a>' in page.content.decode()
    # The form shows the contributor's fields: what is edited there is kept too.
    edited = form_data(
        debate,
        venue="NeurIPS",
        note="Now at NeurIPS",
        contributor_name="Ada L.",
        contributor_email="ada.l@example.org",
    )
    del edited["is_author"]  # unticked
    response = client.post(edit_url, edited)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.state, submission.venue) == ("pending", "NeurIPS")
    assert (submission.contributor_name, submission.contributor_email, submission.is_author) == (
        "Ada L.",
        "ada.l@example.org",
        False,
    )
    # The audit trail keeps what the contact was.
    resent = submission.events.get(action="resubmitted")
    assert resent.detail == (
        'Venue: "arXiv" → "NeurIPS"; '
        'Name: "Ada Lovelace" → "Ada L."; Email: "ada@example.org" → "ada.l@example.org"; '
        "I am an author: yes → no"
    )


def test_correction_form_starts_from_the_paper_and_sends_a_correction(client, debate):
    placement = PlacementFactory(section=debate, paper__venue="arXiv", paper__year=2023)
    paper = placement.paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    url = reverse("curation:correct", args=[paper.pk])
    page = client.get(url).content.decode()
    assert f'value="{paper.title}"' in page
    assert "https://arxiv.org/abs/2305.00001" in page
    # Its "How it works" is a correction's, not a new paper's.
    assert "the corrected entry and what it changes" in page
    assert 'id="corrections-waiting"' not in page
    assert "Approved</strong> changes show on the site" in page
    assert "Approved</strong> papers appear" not in page
    data = correction_data(debate, paper, venue="ICLR", year="2024")
    preview = client.post(url, {**data, "action": "preview"}).content.decode()
    assert "What this correction changes in the listed paper:" in preview
    assert "<li>Venue: &quot;arXiv&quot; → &quot;ICLR&quot;</li>" in preview
    assert "<li>Links: + code https://github.com/a/b</li>" in preview
    # Only the order of two links of one kind (which the README line follows).
    LinkFactory(paper=paper, label="blog", url="https://blog.example.org/1")
    LinkFactory(paper=paper, label="blog", url="https://blog.example.org/2")
    swapped = {
        **data,
        "venue": "arXiv",
        "year": "2023",
        "code_url": "",
        "extra_label_0": "blog",
        "extra_url_0": "https://blog.example.org/2",
        "extra_label_1": "blog",
        "extra_url_1": "https://blog.example.org/1",
        "action": "preview",
    }
    reordered = client.post(url, swapped).content.decode()
    assert "<li>Links: reordered</li>" in reordered
    Link.objects.filter(label="blog").delete()
    assert client.post(url, data).status_code == 302
    correction = Submission.objects.get()
    assert correction.kind == "correction" and correction.paper == paper
    assert correction.original["venue"] == "arXiv"
    assert not correction.proposes_sections_only
    # The next contributor is told a correction waits (not what it proposes).
    page = client.get(url).content.decode()
    assert "A correction of this paper was already sent and is not decided yet" in page
    assert 'value="ICLR"' not in page
    assert client.get(reverse("curation:correct", args=[999999])).status_code == 404


def test_a_correction_that_changes_nothing_is_refused_with_a_message(client, debate):
    placement = PlacementFactory(
        section=debate, paper__title="Debate at scale.", paper__venue="ICLR", paper__year=2024
    )
    paper = placement.paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    url = reverse("curation:correct", args=[paper.pk])
    unchanged = correction_data(
        debate,
        paper,
        title="Debate at scale",  # the form drops the period the README adds back
        venue="ICLR",
        year="2024",
        code_url="",
    )
    response = client.post(url, unchanged)
    assert response.status_code == 400
    assert "This changes nothing in the list" in response.content.decode()
    assert not Submission.objects.exists()
    # One real change, and it goes through.
    assert client.post(url, {**unchanged, "year": "2025"}).status_code == 302
    assert Submission.objects.get().year == 2025


def posted_back(section, paper, **overrides) -> dict:
    """The correction form of `paper` sent as it is shown (its initial data), with
    `overrides`: what a contributor who changes only those fields posts."""
    initial = initial_from_paper(paper)
    data = form_data(
        section,
        **{name: str(initial[name] or "") for name in ("title", "authors", "venue", "year")},
        paper_url=initial["paper_url"],
        code_url=initial["code_url"],
        sections=[str(pk) for pk in initial["sections"]],
    )
    for index, (label, url) in enumerate(initial["extra_links"]):
        data[f"extra_label_{index}"], data[f"extra_url_{index}"] = label, url
    return {**data, **overrides}


def test_a_stored_link_posted_back_untouched_stays_as_stored(client, debate):
    """Some listed papers link arXiv's /pdf/ page; a new arXiv link is stored as /abs/. The
    correction form shows the stored address, and posting it back is no change."""
    paper = PlacementFactory(section=debate, paper__venue="ICLR", paper__year=2024).paper
    LinkFactory(paper=paper, url="https://arxiv.org/pdf/2307.09288")
    LinkFactory(paper=paper, label="blog", url="https://arxiv.org/pdf/2307.09299v2")
    url = reverse("curation:correct", args=[paper.pk])
    response = client.post(url, posted_back(debate, paper))
    assert response.status_code == 400
    assert "This changes nothing in the list" in response.content.decode()
    assert client.post(url, posted_back(debate, paper, year="2025")).status_code == 302
    correction = Submission.objects.get()
    assert [(link.label, link.url) for link in correction.links.order_by("position")] == [
        ("paper", "https://arxiv.org/pdf/2307.09288"),
        ("blog", "https://arxiv.org/pdf/2307.09299v2"),
    ]
    # An address typed anew is still cleaned: another arXiv /pdf/ link becomes its /abs/ page.
    correction.delete()
    changed = posted_back(debate, paper, paper_url="arxiv.org/pdf/2307.09300")
    assert client.post(url, changed).status_code == 302
    assert Submission.objects.get().links.get(label="paper").url == (
        "https://arxiv.org/abs/2307.09300"
    )


def test_a_correction_keeps_a_venue_alias_left_as_shown(client, debate):
    """The venue vocabulary writes aliases as the list does, but only for what is typed: an
    untouched venue of a paper listed under an alias changes nothing."""
    paper = PlacementFactory(section=debate, paper__venue="NIPS", paper__year=2017).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/1706.00001")
    url = reverse("curation:correct", args=[paper.pk])
    response = client.post(url, posted_back(debate, paper))
    assert response.status_code == 400
    assert "This changes nothing in the list" in response.content.decode()
    # Typed anew (another case), it is written as the list writes it.
    assert client.post(url, posted_back(debate, paper, venue="nips")).status_code == 302
    assert Submission.objects.get().venue == "NeurIPS"


@pytest.mark.parametrize(
    "typed", ["NIPS", "neurips", "Advances in Neural Information Processing Systems"]
)
def test_a_venue_alias_is_sent_as_the_list_writes_it(client, debate, typed):
    preview = client.post(SUBMIT, form_data(debate, venue=typed, action="preview"))
    assert "NeurIPS 2023." in preview.content.decode()
    assert client.post(SUBMIT, form_data(debate, venue=typed)).status_code == 302
    assert Submission.objects.get().venue == "NeurIPS"


def test_adding_a_duplicate_to_sections_it_is_already_in_is_refused(client, debate):
    placement = PlacementFactory(section=debate)
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    response = client.post(
        SUBMIT, form_data(debate, action="add_to", add_to=str(placement.paper.pk))
    )
    assert response.status_code == 400
    assert "already in every section you chose" in response.content.decode()
    assert not Submission.objects.exists()


def test_previews_and_failed_posts_do_not_pile_up_empty_link_rows(client, debate):
    def link_rows(response) -> int:
        return response.content.decode().count('name="extra_url_')

    assert link_rows(client.get(SUBMIT)) == 1
    data = form_data(debate, title="", action="preview")  # invalid: no title
    for _ in range(3):
        response = client.post(SUBMIT, data)
        assert response.status_code == 400
        assert link_rows(response) == 1
        # Post back every row the page showed, empty, as a browser would.
        data.update({f"extra_label_{n}": "" for n in range(link_rows(response))})
        data.update({f"extra_url_{n}": "" for n in range(link_rows(response))})
    # A filled row is kept, with one empty row after it.
    filled = {**data, "extra_label_0": "blog", "extra_url_0": "https://blog.example.org/p"}
    response = client.post(SUBMIT, filled)
    assert link_rows(response) == 2
    assert "https://blog.example.org/p" in response.content.decode()


def test_a_correction_keeps_every_link_of_the_paper(client, debate):
    paper = PlacementFactory(section=debate).paper
    urls = [
        ("paper", "https://openreview.net/forum?id=abc123"),
        ("paper", "https://arxiv.org/abs/2311.08685"),
        ("blog", "https://blog.example.org/post"),
        ("video", "https://video.example.org/talk"),
    ]
    for position, (label, url) in enumerate(urls, start=1):
        LinkFactory(paper=paper, label=label, url=url, position=position)
    url = reverse("curation:correct", args=[paper.pk])
    page = client.get(url).content.decode()
    for _label, link in urls:
        assert link in page
    # The form posts back what it showed: every row, plus a new code link.
    data = form_data(
        debate,
        title=paper.title,
        authors=paper.authors,
        paper_url=urls[0][1],
        code_url="https://github.com/a/b",
        extra_label_0="paper",
        extra_url_0=urls[1][1],
        extra_label_1="blog",
        extra_url_1=urls[2][1],
        extra_label_2="video",
        extra_url_2=urls[3][1],
        extra_label_3="",
        extra_url_3="",
    )
    assert client.post(url, data).status_code == 302
    stored = list(Submission.objects.get().links.values_list("label", "url"))
    assert stored == [urls[0], ("code", "https://github.com/a/b"), *urls[1:]]


def test_a_correction_of_a_paper_with_more_links_than_new_entries_may_have_keeps_them(
    client, debate
):
    """An admin may give a paper more than 10 other links; its correction form shows each one,
    so posting it back as shown keeps every link."""
    paper = PlacementFactory(section=debate).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2311.08685", position=1)
    extras = [f"https://models.example.org/{n}" for n in range(12)]
    for position, link in enumerate(extras, start=2):
        LinkFactory(paper=paper, label="model", url=link, position=position)
    url = reverse("curation:correct", args=[paper.pk])
    page = client.get(url).content.decode()
    shown = dict(re.findall(r'name="(extra_url_\d+)"[^>]*value="([^"]*)"', page))
    assert sorted(shown.values()) == sorted(extras)  # every link, and no empty row past 10
    labels = dict.fromkeys((f"extra_label_{n}" for n in range(len(shown))), "model")
    data = form_data(
        debate, title=paper.title, authors=paper.authors, venue="FAccT", **shown, **labels
    )
    data["paper_url"] = "https://arxiv.org/abs/2311.08685"
    assert client.post(url, data).status_code == 302
    stored = [u for label, u in Submission.objects.get().links.values_list("label", "url")]
    assert stored == ["https://arxiv.org/abs/2311.08685", *extras]
    # New entries keep the limit of 10 other links.
    too_many = form_data(debate, **{f"extra_url_{n}": e for n, e in enumerate(extras)})
    too_many.update({f"extra_label_{n}": "model" for n in range(12)})
    assert "At most 10 other links" in client.post(SUBMIT, too_many).content.decode()


def test_a_correction_may_not_take_another_listed_papers_link(client, debate):
    paper = PlacementFactory(section=debate).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2311.08685")
    other = PlacementFactory(section=debate, paper__title="Another Listed Paper").paper
    LinkFactory(paper=other, url="https://arxiv.org/abs/2401.10020")
    url = reverse("curation:correct", args=[paper.pk])
    data = form_data(debate, title=paper.title, authors=paper.authors, paper_url="2401.10020")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "is the paper link of “Another Listed Paper”, another paper on the list" in (
        response.content.decode()
    )
    assert not Submission.objects.exists()
    # Its own link, with another change, goes through.
    data.update(paper_url="2311.08685", venue="ICLR")
    assert client.post(url, data).status_code == 302


def test_a_paper_link_two_papers_already_share_does_not_stop_their_corrections(
    client, debate, admin_user
):
    """Shared through an admin edit or an import (or two copies of one arXiv address): the
    correction only changes the venue, and is sent and approved."""
    paper = PlacementFactory(section=debate).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2311.08702")
    other = PlacementFactory(section=debate, paper__title="Another Listed Paper").paper
    LinkFactory(paper=other, url="https://arxiv.org/abs/2311.08702?context=cs")
    url = reverse("curation:correct", args=[paper.pk])
    data = form_data(
        debate,
        title=paper.title,
        authors=paper.authors,
        paper_url="https://arxiv.org/abs/2311.08702",
        code_url="https://github.com/a/b",  # the links change too: approval checks them
        venue="ICLR",
    )
    assert client.post(url, data).status_code == 302
    correction = Submission.objects.get()
    submission_approve(submission=correction, reviewer=admin_user)
    paper.refresh_from_db()
    assert paper.venue == "ICLR"
    assert paper.links.filter(label="code").exists()


def test_another_link_needs_a_kind_and_a_valid_address(client, debate):
    response = client.post(
        SUBMIT, form_data(debate, extra_url_0="https://demo.example.org", extra_label_0="")
    )
    assert response.status_code == 400
    assert "Say what kind of link this is." in response.content.decode()
    response = client.post(
        SUBMIT, form_data(debate, extra_url_0="javascript:alert(1)", extra_label_0="demo")
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_posted_link_rows_are_bounded(client, debate):
    data = form_data(debate, action="preview")
    data.update({f"extra_url_{n}": f"https://l{n}.example.org" for n in range(50)})
    data.update({f"extra_label_{n}": "demo" for n in range(50)})
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    assert "At most 10 other links" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"action": "add_to", "add_to": "abc"},
        {"action": "add_to", "add_to": "9" * 5000},
        {"action": "lookup", "lookup": "", "sections": ["²"]},
        {"action": "lookup", "lookup": "", "sections": ["7" * 5000]},
        {"action": "preview", "extra_url_" + "9" * 5000: "https://x.example"},
    ],
)
def test_hostile_keys_and_actions_never_500(client, debate, extra):
    data = form_data(debate)
    data.update(extra)
    response = client.post(SUBMIT, data)
    assert response.status_code in {200, 400}
    assert not Submission.objects.exists()


def test_sending_a_suspected_duplicate_anyway_needs_a_note_saying_why(client, debate):
    placement = PlacementFactory(
        section=debate, paper__title="Debate helps supervise unreliable experts"
    )
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    other_link = {"paper_url": "https://example.org/another-debate-paper"}
    response = client.post(SUBMIT, form_data(debate, send_anyway="on", note="  ", **other_link))
    assert response.status_code == 400
    assert "how your paper differs from the one already listed" in response.content.decode()
    assert not Submission.objects.exists()


def test_an_edit_over_the_limit_keeps_the_form_only_while_it_can_be_edited(
    client, debate, settings, admin_user
):
    client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 0
    url = reverse("curation:edit", kwargs={"token": submission.token})
    pending = client.post(url, form_data(debate, action="preview", title="Edited title"))
    assert pending.status_code == 429
    assert "Too many submissions from your network" in pending.content.decode()
    assert 'value="Edited title"' not in pending.content.decode()  # no form: nothing to edit
    submission_request_changes(submission=submission, reviewer=admin_user, note="Which venue?")
    editable = client.post(url, form_data(debate, action="preview", title="Edited title"))
    assert editable.status_code == 429 and 'value="Edited title"' in editable.content.decode()


def test_a_name_that_is_a_placeholder_gets_a_readable_message(client, debate):
    response = client.post(SUBMIT, form_data(debate, contributor_name="X", action="preview"))
    assert response.status_code == 400
    html = response.content.decode()
    message = "“X” looks like a placeholder; enter the real one."
    assert response.context["form"].errors["contributor_name"] == [message]
    assert "the real your name" not in html
    # The summary names the field once, before the message.
    summary = re.search(r'<ul class="error-summary[^"]*">(.*?)</ul>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary).strip() == f"Your name: {message}"


def test_an_over_long_title_is_refused_with_a_message_not_cut(client, debate):
    page = client.get(SUBMIT).content.decode()
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert "maxlength" not in title_input  # a browser would cut a pasted title silently
    response = client.post(SUBMIT, form_data(debate, title="Very " * 124, action="preview"))
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()


def test_a_listed_duplicate_offers_a_correction_and_only_useful_additions(client, debate):
    other = SectionFactory(title="Scalar reward")
    placement = PlacementFactory(section=debate)
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    correct_url = reverse("curation:correct", args=[placement.paper.pk])
    # Filed where it already is: nothing to add, but a correction is offered.
    same = client.post(SUBMIT, form_data(debate, action="preview")).content.decode()
    assert f'href="{correct_url}"' in same and "Suggest a correction of it" in same
    assert "Listed in 1.1 Debate" in same  # where it is, numbered
    assert "Propose adding this paper to my sections" not in same
    # Filed elsewhere: adding it there is offered too.
    elsewhere = client.post(SUBMIT, form_data(other, action="preview")).content.decode()
    assert "Propose adding this paper to my sections" in elsewhere
    assert f'href="{correct_url}"' in elsewhere


def test_a_title_in_capitals_gets_a_hint_in_the_preview(client, debate):
    shouted = client.post(
        SUBMIT, form_data(debate, title="DEBATE HELPS SUPERVISE EXPERTS", action="preview")
    )
    assert shouted.status_code == 200
    assert "The title is all in capitals" in shouted.content.decode()
    normal = client.post(SUBMIT, form_data(debate, action="preview")).content.decode()
    assert "The title is all in capitals" not in normal
    acronym = client.post(SUBMIT, form_data(debate, title="GPT-4", action="preview"))
    assert "The title is all in capitals" not in acronym.content.decode()


def test_withdrawing_counts_apart_from_sending(client, debate, settings):
    """A network that used up its sends can still withdraw; over the withdraw limit, the
    status page comes back with a 429 and says nothing was withdrawn."""
    settings.SUBMISSION_RATE_LIMIT = 2
    for title in ("First Paper", "Second Paper"):
        assert (
            client.post(
                SUBMIT, form_data(debate, title=title, paper_url=f"https://x.org/{title[0]}")
            ).status_code
            == 302
        )
    assert (
        client.post(
            SUBMIT, form_data(debate, title="Third Paper", paper_url="https://x.org/t")
        ).status_code
        == 429
    )
    first, second = Submission.objects.order_by("id")
    response = client.post(reverse("curation:withdraw", args=[first.token]), {"confirm": "yes"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "withdrawn"
    client.post(
        reverse("curation:withdraw", args=[first.token]), {"confirm": "yes"}
    )  # 409, counted
    response = client.post(reverse("curation:withdraw", args=[second.token]), {"confirm": "yes"})
    assert response.status_code == 429
    assert "nothing was withdrawn" in response.content.decode()
    assert response["Retry-After"]
    second.refresh_from_db()
    assert second.state == "pending"


def test_status_page_of_a_paper_removed_since_its_approval(client, debate, admin_user):
    from catalog.models import Paper
    from curation.services import paper_delete, submission_approve

    client.post(SUBMIT, form_data(debate))
    submission = Submission.objects.get()
    submission_approve(submission=submission, reviewer=admin_user)
    status = reverse("curation:status", args=[submission.token])
    paper = Paper.objects.get()
    assert f'href="{paper.get_absolute_url()}"' in client.get(status).content.decode()
    paper.placements.all().delete()  # in no section: not on the list
    html = client.get(status).content.decode()
    assert "the maintainers have since removed the paper from the list" in html
    assert f'href="{paper.get_absolute_url()}"' not in html
    paper_delete(paper=paper, actor=admin_user)
    assert "have since removed the paper" in client.get(status).content.decode()
    client.force_login(admin_user)
    review = client.get(reverse("admin:curation_submission_change", args=[submission.pk]))
    assert "Removed from the list since (deleted, or in no section)." in review.content.decode()


def test_a_link_without_its_scheme_is_taken_as_https(client, debate):
    response = client.post(
        SUBMIT,
        form_data(
            debate, code_url="github.com/ada/debate", paper_url="openreview.net/forum?id=abc"
        ),
    )
    assert response.status_code == 302
    links = list(Submission.objects.get().links.values_list("label", "url"))
    assert links == [
        ("paper", "https://openreview.net/forum?id=abc"),
        ("code", "https://github.com/ada/debate"),
    ]
    for wrong in ("not a link", "javascript:alert(1)", "localhost/x"):
        response = client.post(SUBMIT, form_data(debate, title=wrong, code_url=wrong))
        assert response.status_code == 400, wrong
        assert "Enter a full http:// or https:// address." in response.content.decode()


def test_the_preview_points_out_a_venue_holding_a_year(client, debate):
    def preview(venue: str, year: str = "2023") -> str:
        data = form_data(debate, venue=venue, year=year, action="preview")
        return " ".join(client.post(SUBMIT, data).content.decode().split())

    html = preview("NeurIPS 2023")
    assert "The venue holds a year (2023)" in html
    assert "Check the year" not in html
    # Another year than the Year field's: the entry would name two years.
    html = preview("NeurIPS 2023", year="2025")
    assert "The venue holds a year (2023)" in html
    assert "Check the year too: the venue says 2023, the Year field 2025." in html
    assert "The venue holds a year" not in preview("NeurIPS")
    assert "The venue holds a year" not in preview("Workshop on 10000 Tokens")


def test_adding_to_sections_says_the_listed_entry_keeps_its_details(client, debate):
    other = SectionFactory(title="Scalar reward")
    placement = PlacementFactory(
        section=other, paper__title="Debate Helps Supervise Unreliable Experts"
    )
    LinkFactory(paper=placement.paper, url="https://arxiv.org/abs/2311.08702")
    html = client.post(SUBMIT, form_data(debate, action="preview")).content.decode()
    assert "Propose adding this paper to my sections instead (sends now)" in html
    assert "This sends at once, with your name, email and note" in html
    assert "it proposes only your sections, and the listed entry keeps its title" in html


def test_the_error_summary_lists_the_fields_in_error_beside_a_form_wide_error(client, debate):
    """A form-wide error ("At most 10 other links") and field errors: the summary at the top
    says both, so nobody fixes the first and sends again only to meet the second."""
    data = form_data(debate, title="", year="1066")
    for n in range(12):
        data[f"extra_url_{n}"] = f"https://example.org/resource-{n}"
        data[f"extra_label_{n}"] = "model"
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger".*?</div>', html, re.S).group(0)
    assert "At most 10 other links" in summary
    assert "Please correct these fields:" in summary
    items = re.findall(r'<li><a href="#div_id_(\w+)">', summary)
    assert items == ["title", "year"]
    assert Submission.objects.count() == 0
