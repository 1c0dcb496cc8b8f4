"""The review queue in the admin: who may see and act, and what each action does."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog.models import Paper
from config.admin_guards import ROWS_PER_FORM_MAX
from curation.models import Submission
from curation.services import (
    Contributor,
    SubmissionContent,
    submission_approve,
    submission_reject,
    submission_request_changes,
    submission_resubmit,
)
from tests.factories import (
    LinkFactory,
    PlacementFactory,
    SectionFactory,
    queue_post,
    review_post,
    sent_correction,
    sent_submission,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:curation_submission_changelist")


def make_submission(
    section, title="Weak-to-Strong Debate", url="https://arxiv.org/abs/2409.00001", is_author=False
):
    return sent_submission(
        title=title,
        authors="Lang et al.",
        venue="arXiv",
        year=2024,
        links=[("paper", url)],
        sections=[section],
        contributor=Contributor(name="Ada", email="ada@example.org", is_author=is_author),
    )


@pytest.fixture
def section():
    return SectionFactory(title="Debate")


@pytest.fixture
def submission(section):
    return make_submission(section)


@pytest.fixture
def users(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    return {"staff": staff, "maintainer": maintainer, "superuser": superuser}


def login(client, users, who):
    if who not in {"anonymous", "contributor"}:
        client.force_login(users[who])
    return client


# who -> expected status for reading the queue and a submission's page
READ_MATRIX = {
    "anonymous": 302,
    "contributor": 302,
    "staff": 403,
    "maintainer": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("who, expected", READ_MATRIX.items())
def test_queue_and_submission_page_permission_matrix(client, users, submission, who, expected):
    login(client, users, who)
    if who == "contributor":
        # The status token opens the contributor's own page, never the admin.
        status = client.get(reverse("curation:status", args=[submission.token]))
        assert status.status_code == 200
    change = reverse("admin:curation_submission_change", args=[submission.pk])
    for url in (CHANGELIST, change):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("anonymous", False),
        ("contributor", False),
        ("staff", False),
        ("maintainer", True),
        ("superuser", True),
    ],
)
def test_review_action_permission_matrix(client, users, submission, who, allowed):
    login(client, users, who)
    url = reverse("admin:curation_submission_review", args=[submission.pk])
    response = client.post(url, review_post(submission, decision="approve"))
    submission.refresh_from_db()
    assert (submission.state == "approved") is allowed
    assert Paper.objects.exists() is allowed
    if not allowed:
        assert response.status_code in {302, 403}
        if response.status_code == 302:
            assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("anonymous", False),
        ("staff", False),
        ("maintainer", True),
        ("superuser", True),
    ],
)
def test_bulk_action_permission_matrix(client, users, section, who, allowed):
    first, second = make_submission(section), make_submission(section, "Other", "https://o.org/2")
    login(client, users, who)
    client.post(
        CHANGELIST,
        queue_post(action="approve_selected", _selected_action=[first.pk, second.pk]),
    )
    assert Submission.objects.filter(state="approved").count() == (2 if allowed else 0)


def test_staff_without_the_permission_do_not_see_the_app_on_the_index(client, users):
    client.force_login(users["staff"])
    assert "Submissions" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(users["maintainer"])
    assert "Submissions" in client.get(reverse("admin:index")).content.decode()


def test_the_queue_fits_its_columns_and_marks_authors(client, users, submission):
    login(client, users, "maintainer")
    html = client.get(CHANGELIST).content.decode()
    header = html.split('id="result_list"')[1].split("</thead>")[0]
    assert "Author?" in header  # not the form's wide "I am an author of this paper"
    assert "I am an author of this paper" not in header
    assert ">Check<" in header and "Duplicate suspected" not in header
    assert "Contributor" in header and "Contributor name" not in header
    filters = html.split('id="changelist-filter"')[1]
    assert "An author of the paper" in filters and "I am an author" not in filters
    assert 'id="nav-sidebar"' not in html  # the table gets the page's width


def test_the_queue_filters_by_who_sent_it(client, users, section):
    make_submission(section, "Sent by its author", "https://a.org/1", is_author=True)
    make_submission(section, "Sent by a reader", "https://r.org/2")
    login(client, users, "maintainer")
    for query, shown, hidden in (
        ("?sent_by=author", "Sent by its author", "Sent by a reader"),
        ("?sent_by=other", "Sent by a reader", "Sent by its author"),
    ):
        rows = client.get(CHANGELIST + query).content.decode().split('id="result_list"')[1]
        assert shown in rows and hidden not in rows, query


def test_review_url_refuses_get(client, users, submission):
    client.force_login(users["maintainer"])
    url = reverse("admin:curation_submission_review", args=[submission.pk])
    assert client.get(url).status_code == 405
    submission.refresh_from_db()
    assert submission.state == "pending"


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        ("Fine\x00", "Null characters are not allowed."),
    ],
)
def test_a_review_note_that_cannot_be_stored_is_named_as_the_problem(
    client, users, submission, note, said
):
    client.force_login(users["maintainer"])
    url = reverse("admin:curation_submission_review", args=[submission.pk])
    response = client.post(url, review_post(submission, decision="reject", note=note), follow=True)
    text = " ".join(response.content.decode().split())
    assert f"Nothing was decided. The note: {said}" in text
    assert "Choose approve, reject or request changes." not in text
    submission.refresh_from_db()
    assert submission.state == "pending"


def test_submission_page_shows_readme_line_duplicates_and_decision_form(client, users, section):
    # A near-identical title (a same paper link is refused when sent).
    published = PlacementFactory(section=section, paper__title="Weak-to-strong debate").paper
    LinkFactory(paper=published, url="https://arxiv.org/abs/2409.00009")
    submission = make_submission(section)
    assert list(submission.duplicate_papers.all()) == [published]
    client.force_login(users["maintainer"])
    html = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert "- **Weak-to-Strong Debate.** *Lang et al.* arXiv 2024." in html
    assert reverse("admin:catalog_paper_change", args=[published.pk]) in html
    assert 'value="approve"' in html and 'value="reject"' in html
    # The decision panel says there is something to compare before its Approve button.
    start = html.index('class="review-panel"')
    panel = html[start : html.index("</form>", start)]
    assert panel.index("It may duplicate a listed paper") < panel.index('value="approve"')
    assert "| Review submission" in html and "Change submission" not in html
    # Only rows that say something: no comparison for a new paper, no reviewer yet.
    for empty_row in ("Changes proposed:", "Reviewed by:", "Review note:", "Paper:"):
        assert empty_row not in html, empty_row
    submission_reject(submission=submission, reviewer=users["maintainer"], note="Off topic")
    decided = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert "Reviewed by:" in decided and "Review note:" in decided and "Off topic" in decided
    assert 'value="approve"' not in decided  # decided: no decision panel
    assert "Published as:" not in decided  # rejected: nothing published


def test_an_approved_submission_links_to_the_paper_it_published(client, users, section):
    submission = make_submission(section)
    paper = submission_approve(submission=submission, reviewer=users["maintainer"]).paper
    login(client, users, "maintainer")
    html = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert "Published as:" in html
    assert f'href="{paper.get_absolute_url()}"' in html
    assert f'href="{reverse("admin:catalog_paper_change", args=[paper.pk])}"' in html


def test_correction_page_shows_a_field_by_field_diff(client, users, section):
    paper = PlacementFactory(section=section, paper__venue="arXiv", paper__year=2023).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    correction = sent_correction(paper, venue="ICLR", year=2024)
    client.force_login(users["maintainer"])
    html = client.get(
        reverse("admin:curation_submission_change", args=[correction.pk])
    ).content.decode()
    assert '<tr class="diff-changed"><th>Venue</th><td>arXiv</td><td>ICLR</td></tr>' in html
    assert '<tr class=""><th>Title</th>' in html
    assert "Changes proposed:" in html and "Paper:" in html
    # Its sections are the paper's as the contributor saw them, not where approval puts it.
    assert "as sent: 1 Debate" in html
    make_submission(section, "A new paper", "https://example.org/new")
    queue = client.get(CHANGELIST).content.decode()
    assert queue.count("as sent: 1 Debate") == 1  # the correction's row, not the new paper's


def test_reject_requires_a_note_and_then_records_it(client, users, submission):
    client.force_login(users["maintainer"])
    url = reverse("admin:curation_submission_review", args=[submission.pk])
    response = client.post(url, review_post(submission, decision="reject", note="  "), follow=True)
    submission.refresh_from_db()
    assert submission.state == "pending"
    assert "Write a note" in response.content.decode()
    client.post(url, review_post(submission, decision="reject", note="Not about alignment"))
    submission.refresh_from_db()
    assert (submission.state, submission.review_note) == ("rejected", "Not about alignment")
    assert submission.reviewed_by == users["maintainer"]


def test_bulk_request_changes_asks_for_a_note_first(client, users, section):
    first, second = make_submission(section), make_submission(section, "Other", "https://o.org/2")
    client.force_login(users["maintainer"])
    data = queue_post(action="request_changes_selected", _selected_action=[first.pk, second.pk])
    page = client.post(CHANGELIST, data)
    assert page.status_code == 200 and "write a note" in page.content.decode()
    assert Submission.objects.filter(state="changes_requested").count() == 0
    client.post(CHANGELIST, {**data, "apply": "1", "note": "Please add the venue"})
    assert set(Submission.objects.values_list("state", "review_note")) == {
        ("changes_requested", "Please add the venue")
    }


def test_bulk_approve_reports_refusals_and_publishes_the_rest(client, users, section):
    first, second = make_submission(section), make_submission(section, "Other", "https://o.org/2")
    client.force_login(users["maintainer"])
    client.post(
        reverse("admin:curation_submission_review", args=[first.pk]),
        review_post(first, decision="reject", note="no"),
    )
    response = client.post(
        CHANGELIST,
        queue_post(action="approve_selected", _selected_action=[first.pk, second.pk]),
        follow=True,
    )
    html = response.content.decode()
    assert "can no longer be approved" in html
    assert "1 submission approved and published" in html
    assert list(Paper.objects.values_list("title", flat=True)) == ["Other"]


def test_create_maintainer_command(django_user_model):
    call_command("create_maintainer", "lena", "--email", "lena@example.org")
    user = django_user_model.objects.get(username="lena")
    assert user.is_staff and not user.has_usable_password()
    assert user.has_perm("curation.review_submission")


def test_deleting_a_paper_closes_its_open_corrections_first(client, users, section):
    paper = PlacementFactory(section=section).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")

    def correction(venue):
        return sent_correction(
            paper, venue=venue, contributor=Contributor(name="Bo", email="bo@example.org")
        )

    open_one, closed_one = correction("ICML"), correction("ICLR")
    client.force_login(users["maintainer"])
    client.post(
        reverse("admin:curation_submission_review", args=[closed_one.pk]),
        review_post(closed_one, decision="reject", note="no"),
    )
    response = client.post(reverse("admin:catalog_paper_delete", args=[paper.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Paper.objects.filter(pk=paper.pk).exists()
    open_one.refresh_from_db()
    closed_one.refresh_from_db()
    assert open_one.state == "rejected" and "removed from the list" in open_one.review_note
    assert open_one.paper is None and closed_one.paper is None
    assert open_one.events.latest("id").actor == users["maintainer"]


def test_the_queue_opens_on_pending_review_and_every_state_is_one_click_away(
    client, users, section
):
    waiting = make_submission(section, "Waiting for review", "https://w.org/1")
    done = make_submission(section, "Already decided", "https://d.org/2")
    submission_reject(submission=done, reviewer=users["maintainer"], note="Out of scope")
    login(client, users, "maintainer")

    def titles(query: str = "") -> set[str]:
        page = client.get(CHANGELIST + query)
        assert page.status_code == 200
        rows = page.content.decode().split('id="result_list"')[1].split("</table>")[0]
        return {t for t in ("Waiting for review", "Already decided") if t in rows}

    assert titles() == {"Waiting for review"}
    assert titles("?state=pending") == {"Waiting for review"}
    assert titles("?state=rejected") == {"Already decided"}
    assert titles("?state=all") == {"Waiting for review", "Already decided"}
    # The filter marks pending review as chosen, and offers "All".
    sidebar = client.get(CHANGELIST).content.decode().split('id="changelist-filter"')[1]
    assert re.search(r'class="selected">\s*<a href="\?state=pending"', sidebar)
    assert 'href="?state=all"' in sidebar
    # "Show counts" counts each state, "All" included.
    faceted = client.get(CHANGELIST + "?_facets=True").content.decode()
    sidebar = faceted.split('id="changelist-filter"')[1]
    assert "Pending review (1)" in sidebar and "Rejected (1)" in sidebar and "All (2)" in sidebar
    # An unknown state lists nothing rather than failing.
    bogus = client.get(CHANGELIST + "?state=bogus")
    assert bogus.status_code == 200
    assert "Waiting for review" not in bogus.content.decode()
    assert "Already decided" not in bogus.content.decode()
    assert waiting.state == "pending"


def test_select_all_acts_only_on_the_rows_the_filter_shows(client, users, section):
    pending = make_submission(section, "Still pending", "https://p.org/1")
    rejected = make_submission(section, "Rejected before", "https://r.org/2")
    submission_reject(submission=rejected, reviewer=users["maintainer"], note="Off topic")
    login(client, users, "maintainer")
    # "Select all" on the rejected list, then approve: the pending one is not in that list.
    client.post(
        CHANGELIST + "?state=rejected",
        {
            "action": "approve_selected",
            "select_across": "1",
            "index": "0",
            "_selected_action": [rejected.pk],
        },
    )
    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert (pending.state, rejected.state) == ("pending", "rejected")
    assert not Paper.objects.exists()


def test_the_admin_index_opens_on_the_review_queue_counts(client, users, section):
    login(client, users, "maintainer")
    empty = client.get(reverse("admin:index")).content.decode()
    assert "Nothing is waiting for review." in empty
    first = make_submission(section, "First", "https://f.org/1")
    make_submission(section, "Second", "https://s.org/2")
    third = make_submission(section, "Third", "https://t.org/3")
    submission_request_changes(submission=first, reviewer=users["maintainer"], note="Venue?")
    submission_reject(submission=third, reviewer=users["maintainer"], note="Off topic")
    page = client.get(reverse("admin:index")).content.decode()
    banner = page.split('class="review-queue-banner"')[1].split("</section>")[0]
    assert re.search(rf'href="{CHANGELIST}"><strong>1</strong> submission pending review', banner)
    assert f'href="{CHANGELIST}?state=changes_requested">1 waiting for its contributor' in banner
    # Staff who may not review see no queue, even with the permission to view submissions.
    client.force_login(users["staff"])
    assert "review-queue-banner" not in client.get(reverse("admin:index")).content.decode()
    users["staff"].user_permissions.add(Permission.objects.get(codename="view_submission"))
    assert "review-queue-banner" not in client.get(reverse("admin:index")).content.decode()


def test_bulk_approve_leaves_suspected_duplicates_to_their_own_page(client, users, section):
    published = PlacementFactory(section=section, paper__title="Self-Rewarding Language Models")
    LinkFactory(paper=published.paper, url="https://arxiv.org/abs/2401.10020")
    suspected = sent_submission(
        title="Self-Rewarding Language Models",
        authors="Yuan et al.",
        venue="ICML",
        year=2024,
        links=[("paper", "https://openreview.net/forum?id=0NphYCmgua")],
        sections=[section],
        contributor=Contributor(name="Bo", note="A different paper"),
    )
    assert suspected.duplicate_suspected
    clean = make_submission(section, "Weak-to-Strong Debate", "https://w.org/1")
    login(client, users, "maintainer")
    queue = client.get(CHANGELIST).content.decode()
    assert queue.count(">Duplicate?</span>") == 1
    response = client.post(
        CHANGELIST,
        queue_post(action="approve_selected", _selected_action=[suspected.pk, clean.pk]),
        follow=True,
    )
    html = response.content.decode()
    assert "may duplicate a listed paper or another open submission. Open it" in html
    assert "1 submission approved and published" in html
    suspected.refresh_from_db()
    clean.refresh_from_db()
    assert (suspected.state, clean.state) == ("pending", "approved")
    # From its own page, with the comparison in view, it can be approved.
    client.post(
        reverse("admin:curation_submission_review", args=[suspected.pk]),
        review_post(suspected, decision="approve"),
    )
    suspected.refresh_from_db()
    assert suspected.state == "approved"


def test_the_review_page_says_what_to_check_and_bulk_approval_leaves_those(client, users, section):
    """The public preview's hints (capitals, a year in the venue) and a venue the list does
    not know are shown to the maintainer too; a bulk approval leaves such a submission."""
    shouting = sent_submission(
        title="WEAK TO STRONG DEBATE AT SCALE",
        venue="NeurIPS 2024",
        links=[("paper", "https://w.org/shout")],
        sections=[section],
    )
    unknown = sent_submission(
        title="A quiet paper",
        venue="Conf of Things",
        links=[("paper", "https://w.org/q")],
        sections=[section],
    )
    clean = make_submission(section, "Weak-to-Strong Debate", "https://w.org/1")
    # A correction that adds a code link to a paper listed under a venue the list does not
    # know: the venue is the catalog report's business, not this correction's.
    odd = PlacementFactory(section=section, paper__title="Odd venue", paper__venue="NA").paper
    LinkFactory(paper=odd, url="https://w.org/odd")
    code_only = sent_correction(
        odd, links=[("paper", "https://w.org/odd"), ("code", "https://g.org/c")]
    )
    login(client, users, "maintainer")

    def review_page(submission) -> str:
        url = reverse("admin:curation_submission_change", args=[submission.pk])
        return client.get(url).content.decode()

    # The queue flags the rows to look at, the sentence in each flag's title.
    rows = {
        row.split('class="field-title"')[1].split("</th>")[0]: row
        for row in client.get(CHANGELIST).content.decode().split("<tr")
        if 'class="field-title"' in row
    }
    flags = {
        title: re.findall(r'<span class="check-flag" title="([^"]*)">([^<]*)</span>', row)
        for title, row in rows.items()
    }
    [shouting_flags] = [f for t, f in flags.items() if "WEAK TO STRONG" in t]
    assert [tag for _text, tag in shouting_flags] == ["Capitals", "Year in venue", "Unknown venue"]
    assert shouting_flags[0][0].startswith("The title is all in capitals")
    [unknown_flags] = [f for t, f in flags.items() if "A quiet paper" in t]
    assert [tag for _text, tag in unknown_flags] == ["Unknown venue"]
    assert [f for t, f in flags.items() if ">Weak-to-Strong Debate<" in t] == [[]]
    assert [f for t, f in flags.items() if ">Odd venue<" in t] == [[]]

    page = review_page(shouting)
    assert "Check before approving" in page
    assert "The title is all in capitals" in page
    start = page.index('class="review-panel"')
    panel = page[start : page.index("</form>", start)]
    assert panel.index("The title is all in capitals") < panel.index('value="approve"')
    assert "The venue holds a year (2024)" in page and "“NeurIPS 2024 2024”" in page
    assert "“Conf of Things” is not in the venue vocabulary" in review_page(unknown)
    assert "Check before approving" not in review_page(clean)
    assert "Check before approving" not in review_page(code_only)
    ticked = [shouting.pk, unknown.pk, clean.pk, code_only.pk]
    response = client.post(
        CHANGELIST, queue_post(action="approve_selected", _selected_action=ticked), follow=True
    )
    html = response.content.decode()
    assert (
        f"“WEAK TO STRONG DEBATE AT SCALE” (submission {shouting.pk}) was not approved: The title"
        " is all in capitals" in html
    )
    assert (
        f"“A quiet paper” (submission {unknown.pk}) was not approved: The venue “Conf of Things”"
        " is not in" in html
    )
    assert "2 submissions approved and published" in html
    states = dict(Submission.objects.values_list("pk", "state"))
    assert [states[pk] for pk in ticked] == ["pending", "pending", "approved", "approved"]


def test_a_new_paper_whose_link_was_published_since_is_not_offered_for_approval(
    client, users, section
):
    submission = make_submission(section, "Debate, again", "https://arxiv.org/abs/2409.00007")
    # Published meanwhile under another title (an import, another submission).
    other = PlacementFactory(section=section, paper__title="Debate at scale").paper
    LinkFactory(paper=other, url="https://arxiv.org/abs/2409.00007")
    login(client, users, "maintainer")
    page = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert "Not approvable: “Debate at scale”" in page
    assert 'value="approve"' not in page and 'value="reject"' in page


def test_suspected_duplicates_say_why_and_name_numbered_sections(client, users):
    part = SectionFactory(title="Scalable Oversight", position=1)
    debate = SectionFactory(title="Debate", parent=part, position=1)
    by_title = PlacementFactory(section=debate, paper__title="Weak-to-strong debate").paper
    LinkFactory(paper=by_title, url="https://arxiv.org/abs/2409.00009")
    by_link = PlacementFactory(section=debate, paper__title="Another paper").paper
    LinkFactory(paper=by_link, url="https://arxiv.org/abs/2409.00001")
    LinkFactory(paper=by_link, label="code", url="https://github.com/x/debate")
    submission = sent_submission(
        title="Weak-to-Strong Debate",
        links=[("paper", "https://w.org/p"), ("blog", "https://arxiv.org/abs/2409.00001")],
        sections=[debate],
    )
    login(client, users, "maintainer")
    page = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert re.search(
        r"Published \(similar title\): <a [^>]*>Weak-to-strong debate</a> \(1\.1 Debate\)", page
    )
    assert re.search(r"Published \(same paper link\): <a [^>]*>Another paper</a>", page)


def test_the_bulk_note_page_says_what_will_happen_and_can_be_left(client, users, section):
    first, second = make_submission(section), make_submission(section, "Other", "https://o.org/2")
    login(client, users, "maintainer")
    page = client.post(
        CHANGELIST, queue_post(action="reject_selected", _selected_action=[first.pk, second.pk])
    ).content.decode()
    assert "Reject 2 submissions: write a note to the contributors" in page
    assert "It is shown to each contributor on their status page" in page
    # The way back, as on every admin page, and the site's icon.
    assert f'› <a href="{CHANGELIST}">Submissions</a> › Reject 2 submissions' in page
    assert 'rel="icon" href="/static/favicon' in page
    assert f'href="{CHANGELIST}" class="button cancel-link"' in page
    assert set(Submission.objects.values_list("state", flat=True)) == {"pending"}
    # A ticked row decided already is named as left out before the note is written.
    submission_reject(submission=second, reviewer=users["maintainer"], note="Out of scope")
    page = client.post(
        CHANGELIST,
        queue_post(action="reject_selected", _selected_action=[first.pk, second.pk]),
    ).content.decode()
    assert "Reject 1 submission: write a note to its contributor" in page
    assert "It is shown to the contributor on their status page" in page
    assert '<label for="id_note">Note to the contributor</label>' in page
    left_out = page.split('class="left-out"')[1].split("</ul>")[0]
    assert "Other (rejected)" in left_out and "Weak-to-Strong Debate" not in left_out
    # Nothing the decision applies to: no note page, a message instead.
    response = client.post(
        CHANGELIST, queue_post(action="reject_selected", _selected_action=[second.pk]), follow=True
    )
    assert "None of the ticked submissions can be rejected: each is decided already." in (
        response.content.decode()
    )


def test_a_resent_submission_shows_the_last_decision_as_the_previous_round(client, users, section):
    submission = make_submission(section)
    submission_request_changes(
        submission=submission, reviewer=users["maintainer"], note="Which venue?"
    )
    submission_resubmit(
        submission=submission,
        content=SubmissionContent(
            title="Weak-to-Strong Debate",
            authors="Lang et al.",
            venue="ICLR",
            year=2025,
            links=[("paper", "https://arxiv.org/abs/2409.00001")],
            sections=[section],
        ),
    )
    login(client, users, "maintainer")
    html = client.get(
        reverse("admin:curation_submission_change", args=[submission.pk])
    ).content.decode()
    assert "Previous round:" in html
    assert "Changes requested by maint on" in html and "Which venue?" in html
    assert "Reviewed by:" not in html and "Review note:" not in html
    # The history says what the resend changed in the entry.
    assert (
        "Venue: &quot;arXiv&quot; → &quot;ICLR&quot;; Year: &quot;2024&quot; → &quot;2025&quot;"
        in html
    )
    status = client.get(reverse("curation:status", args=[submission.token])).content.decode()
    assert "The maintainer's note on your previous version" in status


def test_a_submission_is_flagged_by_a_like_paper_published_or_sent_after_it(
    client, users, section, django_capture_on_commit_callbacks
):
    """A, then B: the same paper under two links. B is flagged against A when sent; A learns
    of B then too, and of B's paper once B is approved, so bulk approval leaves A out rather
    than publish the paper twice."""
    first = sent_submission(
        sections=[section],
        title="Self-Rewarding Language Models",
        authors="Yuan et al.",
        links=[("paper", "https://arxiv.org/abs/2401.10020")],
    )
    assert not first.duplicate_suspected
    with django_capture_on_commit_callbacks(execute=True):
        second = sent_submission(
            sections=[section],
            title="Self-rewarding language models",
            authors="Yuan et al.",
            links=[("paper", "https://openreview.net/forum?id=abc123")],
        )
    first.refresh_from_db()
    assert first.duplicate_suspected and list(first.duplicate_submissions.all()) == [second]
    first.duplicate_suspected = False  # as a send before this change left it
    first.save()
    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(submission=second, reviewer=users["maintainer"])
    first.refresh_from_db()
    paper = Paper.objects.get()
    assert first.duplicate_suspected and list(first.duplicate_papers.all()) == [paper]
    # Each time, in its history for the maintainers, saying who and why; not on the
    # contributor's status page, where nothing happened to it.
    flagged = list(first.events.filter(action="flagged").values_list("actor_label", "detail"))
    assert flagged == [
        ("contributor", f"Like submission {second.pk}, “{second.title}”, sent after it"),
        ("maint", f"Like paper {paper.pk}, “{paper.title}”, published after it was sent"),
    ]
    status = client.get(reverse("curation:status", args=[first.token])).content.decode()
    assert "Flagged" not in status and "Sent" in status
    client.force_login(users["maintainer"])
    page = client.get(reverse("admin:curation_submission_change", args=[first.pk]))
    assert re.search(
        r"Published \(similar title\): <a [^>]*>Self-rewarding language models<",
        page.content.decode(),
    )
    response = client.post(
        CHANGELIST,
        queue_post(action="approve_selected", _selected_action=[first.pk]),
        follow=True,
    )
    assert "may duplicate a listed paper" in response.content.decode()
    assert Paper.objects.count() == 1


def test_approving_over_a_conflict_refuses_a_paper_edited_after_the_page_was_shown(
    client, users, section
):
    """The page showed the paper's authors as "S. Yao et al."; edited again to another
    value meanwhile, the conflict is the same field, but approving with the correction's
    value would overwrite an edit nobody compared: refused, the page then shows it."""
    from tests.html_forms import form_fields

    paper = PlacementFactory(section=section, paper__authors="Yao et al.").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.10601")
    correction = sent_correction(paper, authors="Shunyu Yao et al.")
    paper.authors = "S. Yao et al."
    paper.save()
    client.force_login(users["maintainer"])
    change_url = reverse("admin:curation_submission_change", args=[correction.pk])
    review_url = reverse("admin:curation_submission_review", args=[correction.pk])
    shown = form_fields(client.get(change_url).content.decode())
    paper.authors = "S. Yao, D. Yu et al."  # another maintainer, after the page was shown
    paper.save()
    posted = {name: shown[name] for name in ("seen_version", "seen_paper_version", "overriding")}
    page = client.post(review_url, {**posted, "decision": "approve_overriding"}, follow=True)
    assert "The paper was edited after you opened this page" in page.content.decode()
    paper.refresh_from_db()
    assert paper.authors == "S. Yao, D. Yu et al."
    shown = form_fields(client.get(change_url).content.decode())
    posted = {name: shown[name] for name in ("seen_version", "seen_paper_version", "overriding")}
    client.post(review_url, {**posted, "decision": "approve_overriding"})
    paper.refresh_from_db()
    assert paper.authors == "Shunyu Yao et al."


@pytest.mark.parametrize("edit", ["link", "placement"])
def test_approving_over_a_conflict_refuses_links_or_sections_edited_after_the_page_was_shown(
    client, users, section, edit
):
    """A link added under Catalog › Links, or a placement under Placements, leaves the paper's
    own row (its updated_at) alone: the page's version covers the links and sections too, so
    "approve with the correction's values" does not delete what nobody compared."""
    from tests.html_forms import form_fields

    paper = PlacementFactory(section=section, paper__title="Tree of Thoughts").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.10601")
    other_section = SectionFactory(title="Math")
    correction = sent_correction(
        paper,
        links=[("paper", "https://arxiv.org/abs/2305.10601"), ("code", "https://github.com/a/b")],
        sections=[section, other_section],
    )
    # Conflicts on both: the paper's links and sections changed since the correction was sent.
    LinkFactory(paper=paper, label="blog", url="https://blog.example.org/tot", position=2)
    PlacementFactory(paper=paper, section=SectionFactory(title="Games"))
    client.force_login(users["maintainer"])
    change_url = reverse("admin:curation_submission_change", args=[correction.pk])
    review_url = reverse("admin:curation_submission_review", args=[correction.pk])
    shown = form_fields(client.get(change_url).content.decode())
    assert shown["overriding"] == ["links", "sections"]

    # Another maintainer, after the page was shown, through the lists of links or placements.
    other = Client()
    other.force_login(users["superuser"])
    if edit == "link":
        added = other.post(
            reverse("admin:catalog_link_add"),
            {"paper": paper.pk, "label": "video", "url": "https://video.example.org/tot"},
        )
    else:
        added = other.post(
            reverse("admin:catalog_placement_add"),
            {"paper": paper.pk, "section": SectionFactory(title="Tools").pk, "position": 1},
        )
    assert added.status_code == 302
    kept = {
        "link": lambda: paper.links.filter(label="video").exists(),
        "placement": lambda: paper.placements.filter(section__title="Tools").exists(),
    }[edit]

    posted = {name: shown[name] for name in ("seen_version", "seen_paper_version", "overriding")}
    page = client.post(review_url, {**posted, "decision": "approve_overriding"}, follow=True)
    assert "The paper was edited after you opened this page" in page.content.decode()
    assert kept()
    correction.refresh_from_db()
    assert correction.state == "pending"


def test_a_submission_giving_a_later_paper_s_paper_link_as_another_link_is_flagged(
    users, section, django_capture_on_commit_callbacks
):
    """As a send would flag it: one of its links (a blog link here) is the paper link of a
    paper published after it."""
    early = sent_submission(
        sections=[section],
        title="Something else entirely",
        links=[("paper", "https://x.org/c"), ("blog", "https://arxiv.org/abs/2401.10020")],
    )
    later = sent_submission(
        sections=[section],
        title="Self-Rewarding Language Models",
        links=[("paper", "https://arxiv.org/abs/2401.10020")],
    )
    early.refresh_from_db()
    assert not early.duplicate_suspected
    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(submission=later, reviewer=users["maintainer"])
    early.refresh_from_db()
    assert early.duplicate_suspected
    assert list(early.duplicate_papers.values_list("title", flat=True)) == [later.title]


def seen_on(html: str) -> str:
    """The submission's version a review page names in its decision form."""
    return re.search(r'name="seen_version" value="([^"]+)"', html).group(1)


def sent_back_and_resent_as_other(submission, maintainer) -> None:
    """Changes requested, then resent by its contributor with wholly other content."""
    submission_request_changes(submission=submission, reviewer=maintainer, note="Fix")
    submission_resubmit(
        submission=Submission.objects.get(pk=submission.pk),
        content=SubmissionContent(
            title="Buy Cheap Watches Online",
            authors="Spam et al.",
            venue="",
            year=2024,
            links=[("paper", "https://spam.example/watches")],
            sections=list(submission.sections.all()),
        ),
    )


@pytest.mark.parametrize("decision", ["approve", "reject", "request_changes"])
def test_a_decision_from_a_page_shown_before_a_resend_decides_nothing(
    client, users, section, decision
):
    """Sent back, then resent with other content while a maintainer had the first version's
    page open: a decision from that page would publish (or reject) what nobody looked at."""
    submission = make_submission(section)
    client.force_login(users["maintainer"])
    change_url = reverse("admin:curation_submission_change", args=[submission.pk])
    review_url = reverse("admin:curation_submission_review", args=[submission.pk])
    old_page = client.get(change_url).content.decode()
    sent_back_and_resent_as_other(submission, users["superuser"])
    posted = {"decision": decision, "note": "Seen", "seen_version": seen_on(old_page)}
    page = client.post(review_url, posted, follow=True).content.decode()
    assert "It changed after you opened it" in page
    # The note written is offered again, once.
    assert re.search(r'<textarea name="note"[^>]*>\s*Seen</textarea>', page)
    again = client.get(change_url).content.decode()
    assert not re.search(r'<textarea name="note"[^>]*>\s*Seen</textarea>', again)
    submission.refresh_from_db()
    assert submission.state == "pending" and not Paper.objects.exists()
    # A page without the version (out of date, or crafted) decides nothing either.
    del posted["seen_version"]
    page = client.post(review_url, posted, follow=True).content.decode()
    assert "Nothing was decided: the page was out of date." in page
    submission.refresh_from_db()
    assert submission.state == "pending"
    # Looked at again, it can be decided.
    posted["seen_version"] = seen_on(client.get(change_url).content.decode())
    client.post(review_url, posted)
    submission.refresh_from_db()
    assert submission.state != "pending"


def test_a_bulk_decision_leaves_out_rows_changed_after_the_list_was_shown(client, users, section):
    """The queue names each row's version as shown; a ticked row resent since is left out,
    with a message, and the others are decided."""
    from tests.html_forms import form_fields

    resent = make_submission(section)
    untouched = make_submission(section, "Other", "https://o.org/2")
    third = make_submission(section, "Third", "https://o.org/3")
    decided = make_submission(section, "Decided", "https://o.org/4")
    client.force_login(users["maintainer"])
    shown = form_fields(client.get(CHANGELIST).content.decode(), "changelist-form")
    versions = {name: value for name, value in shown.items() if name.startswith("seen-")}
    assert set(versions) == {f"seen-{s.pk}" for s in (resent, untouched, third, decided)}
    sent_back_and_resent_as_other(resent, users["superuser"])
    submission_reject(submission=decided, reviewer=users["superuser"], note="Out of scope")
    ticked = {"_selected_action": [resent.pk, untouched.pk, decided.pk], **versions}
    page = client.post(CHANGELIST, {"action": "approve_selected", **ticked}, follow=True)
    html = page.content.decode()
    assert "“Buy Cheap Watches Online” was left out: it changed after the list was shown" in html
    assert (
        "“Decided” was left out: it was decided after the list was shown (it is now rejected)"
        in html
    )
    assert "1 submission approved and published" in html
    assert list(Paper.objects.values_list("title", flat=True)) == ["Other"]
    # Through the note page too: the versions shown are carried over.
    ticked["_selected_action"] = [resent.pk, third.pk]
    note_page = client.post(CHANGELIST, {"action": "reject_selected", **ticked}).content.decode()
    assert "Reject 1 submission" in note_page
    carried = form_fields(note_page)
    assert carried[f"seen-{third.pk}"] == versions[f"seen-{third.pk}"]
    client.post(CHANGELIST, {**carried, "apply": "1", "note": ["No"]})
    assert Submission.objects.get(pk=resent.pk).state == "pending"
    assert Submission.objects.get(pk=third.pk).state == "rejected"
    # A ticked row the page did not show (an old page, a crafted post) is left out too.
    page = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [resent.pk]}, follow=True
    )
    assert "was left out: the list that was sent did not show it" in page.content.decode()
    assert Submission.objects.get(pk=resent.pk).state == "pending"
    # "Select all" means every row the filters match, shown or not: taken as they are now.
    across = {"action": "approve_selected", "_selected_action": [resent.pk], "select_across": 1}
    client.post(CHANGELIST, across)
    assert Submission.objects.get(pk=resent.pk).state == "approved"


def test_a_conflict_is_approved_with_the_correction_s_values_only_as_the_page_showed_it(
    client, users, section
):
    paper = PlacementFactory(
        section=section, paper__authors="Yao et al.", paper__venue="arXiv", paper__year=2023
    ).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.10601")
    correction = sent_correction(paper, authors="Shunyu Yao et al.", venue="NeurIPS")
    paper.authors = "S. Yao et al."  # edited meanwhile: a conflict on the authors
    paper.save()
    login(client, users, "maintainer")
    change_url = reverse("admin:curation_submission_change", args=[correction.pk])
    review_url = reverse("admin:curation_submission_review", args=[correction.pk])
    html = client.get(change_url).content.decode()
    shown = re.findall(r'name="overriding" value="([^"]+)"', html)
    assert shown == ["authors"]

    # The venue was edited too after the page was shown: a conflict the reviewer has not
    # seen, so the approval is refused and nothing changes.
    paper.venue = "ICML"
    paper.save()
    posted = {
        "decision": "approve_overriding",
        "overriding": shown,
        "note": "",
        "seen_version": seen_on(html),
    }
    page = client.post(review_url, posted, follow=True).content.decode()
    assert "The paper changed since this correction was sent (venue)" in page
    paper.refresh_from_db()
    assert (paper.authors, paper.venue) == ("S. Yao et al.", "ICML")
    correction.refresh_from_db()
    assert correction.state == Submission.State.PENDING

    # Shown again, both conflicts are offered, and approving takes both values.
    html = client.get(change_url).content.decode()
    shown = re.findall(r'name="overriding" value="([^"]+)"', html)
    assert shown == ["authors", "venue"]
    posted.update(overriding=shown, seen_version=seen_on(html))
    page = client.post(review_url, posted, follow=True).content.decode()
    assert "1 submission approved and published." in page
    paper.refresh_from_db()
    assert (paper.authors, paper.venue, paper.year) == ("Shunyu Yao et al.", "NeurIPS", 2023)
    assert "over a newer change to the paper: authors, venue" in page  # the history


def test_the_correction_page_shows_what_approval_will_leave_after_later_edits(
    client, users, section
):
    from catalog.readme.export import render_readme

    paper = PlacementFactory(
        section=section, paper__authors="Yao et al.", paper__venue="arXiv", paper__year=2023
    ).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.10601")
    correction = sent_correction(paper, venue="NeurIPS")
    # A maintainer edits the authors meanwhile; the correction left them alone.
    paper.authors = "Shunyu Yao et al."
    paper.save()
    login(client, users, "maintainer")
    url = reverse("admin:curation_submission_change", args=[correction.pk])
    html = client.get(url).content.decode()
    assert (
        '<tr class=""><th>Authors</th><td>Shunyu Yao et al.</td><td>Shunyu Yao et al.</td></tr>'
        in html
    )
    assert '<tr class="diff-changed"><th>Venue</th><td>arXiv</td><td>NeurIPS</td></tr>' in html
    line = re.search(r'<code class="readme-line">(.*?)</code>', html, re.S).group(1)
    assert "*Shunyu Yao et al.* NeurIPS 2023." in line
    # Approval publishes exactly the line the page showed.
    submission_approve(submission=correction, reviewer=users["maintainer"])
    assert line.replace("&#x27;", "'") in render_readme()

    # A field changed on both sides, differently, is shown as a conflict.
    second = sent_correction(paper, authors="S. Yao et al.", contributor=Contributor(name="Cy"))
    paper.authors = "Shunyu Yao, Dian Yu et al."
    paper.save()
    html = client.get(
        reverse("admin:curation_submission_change", args=[second.pk])
    ).content.decode()
    assert '<tr class="diff-conflict"><th>Authors</th>' in html
    assert "S. Yao et al. (conflict: the paper changed since it was sent)" in html
    # Plain approval would be refused: the page offers approval with the correction's
    # values instead, for the conflicts it shows.
    assert "The paper changed since this correction was sent" in html and "(authors)" in html
    assert 'value="approve"' not in html and 'value="request_changes"' in html
    assert 'value="approve_overriding"' in html
    assert re.findall(r'name="overriding" value="([^"]+)"', html) == ["authors"]
    assert (
        'value="approve"'
        in client.get(
            reverse("admin:curation_submission_change", args=[make_submission(section).pk])
        ).content.decode()
    )

    # Once decided, the page keeps what the first correction proposed against what it saw.
    html = client.get(url).content.decode()
    assert "<th>Published when sent</th><th>Proposed</th>" in html
    assert '<tr class="diff-changed"><th>Venue</th><td>arXiv</td><td>NeurIPS</td></tr>' in html


def test_an_account_with_decisions_or_admin_history_is_kept_when_deleted(client, users, section):
    """Deleting a maintainer who approved something answered a 500 (the approval's reviewer
    became NULL against its constraint), and deleting one who edited the catalog would erase
    that history. Both are refused on Django's delete page; an account with neither goes."""
    maintainer, superuser = users["maintainer"], users["superuser"]
    submission = make_submission(section)
    submission_approve(submission=submission, reviewer=maintainer)
    client.force_login(superuser)
    editor = type(maintainer).objects.create_user("editor", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Maintainers"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:catalog_section_add"),
        {"title": "Binary feedback", "slug": "binary", "position": 9},
    )
    assert response.status_code == 302
    client.force_login(superuser)
    idle = type(maintainer).objects.create_user("idle", password="pw", is_staff=True)

    for user, reason in ((maintainer, "the reviewer of 1 submission"), (editor, "admin history")):
        url = reverse("admin:auth_user_delete", args=[user.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "would require deleting the following protected related objects" in page
        assert reason in page
        assert type(user).objects.filter(pk=user.pk).exists()
    submission.refresh_from_db()
    assert (submission.state, submission.reviewed_by) == ("approved", maintainer)

    response = client.post(reverse("admin:auth_user_delete", args=[idle.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not type(idle).objects.filter(pk=idle.pk).exists()


def test_the_queue_and_the_review_page_speak_in_labels(client, users, section):
    """The queue is titled as such and filters by numbered section; the review page's list
    of decisions shows states as the filter names them, not their stored values."""
    sub = SectionFactory(title="Games", parent=section, position=1)
    submission = make_submission(sub)
    submission_request_changes(
        submission=submission, reviewer=users["maintainer"], note="Add the venue"
    )
    login(client, users, "maintainer")
    queue = client.get(CHANGELIST + "?state=all").content.decode()
    assert "<h1>Review queue</h1>" in queue
    assert f'href="?section={sub.pk}&amp;state=all"' in queue or f"section={sub.pk}" in queue
    assert "1.1 Games" in queue.split('id="changelist-filter"')[1]
    filtered = client.get(CHANGELIST + f"?state=all&section={sub.pk}")
    assert filtered.status_code == 200 and "Weak-to-Strong Debate" in filtered.content.decode()
    assert client.get(CHANGELIST + "?state=all&section=x²").status_code == 200
    page = client.get(reverse("admin:curation_submission_change", args=[submission.pk]))
    html = page.content.decode()
    assert "Decisions and edits" in html
    events = html.split("Decisions and edits")[1]
    assert "Pending review" in events and "Changes requested" in events
    assert ">changes_requested<" not in events and "Actor label" not in events


def test_the_queue_reads_a_constant_number_of_queries_whatever_its_rows(client, users, section):
    """The Check column reads each row's links, sections and corrected paper: prefetched,
    so a longer queue costs no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            make_submission(section, f"NEW PAPER NUMBER {number}", f"https://n.org/{number}")
            paper = PlacementFactory(section=section, paper__title=f"Listed {number}").paper
            LinkFactory(paper=paper, url=f"https://l.org/{number}")
            sent_correction(paper, venue=f"Venue {number}")

    login(client, users, "maintainer")
    add(1, 0)
    client.get(CHANGELIST)  # once first: the session and the memoized tree are read then
    with CaptureQueriesContext(connection) as few:
        html = client.get(CHANGELIST).content.decode()
    assert html.count(">Unknown venue</span>") == 1  # the correction's new venue
    add(4, 1)
    client.get(CHANGELIST)  # the catalog changed: the memoized tree is rebuilt once
    with CaptureQueriesContext(connection) as many:
        html = client.get(CHANGELIST).content.decode()
    assert html.count(">Capitals</span>") == 5 and html.count(">Unknown venue</span>") == 5
    assert len(many) == len(few)


@pytest.mark.parametrize("prefix", ["links", "events"])
def test_a_crafted_row_count_on_the_review_page_is_refused_without_building_rows(
    client, users, submission, prefix
):
    """The review page's inlines are read-only, but Django still built a form for each row a
    POST claimed, up to 1,000 (a crafted TOTAL_FORMS took about 1 s). The limit is the rows
    stored plus ROWS_PER_FORM_MAX, named in the message; nothing changes."""
    from curation.models import SubmissionEvent, SubmissionLink

    login(client, users, "maintainer")
    url = reverse("admin:curation_submission_change", args=[submission.pk])
    stored = {"links": SubmissionLink, "events": SubmissionEvent}[prefix].objects.filter(
        submission=submission
    )
    before = (Submission.objects.get(pk=submission.pk).updated_at, stored.count())
    crafted = {
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        f"{prefix}-TOTAL_FORMS": "5000",
        "_save": "Save",
    }
    response = client.post(url, crafted)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Please submit at most {before[1] + ROWS_PER_FORM_MAX} rows." in html
    assert len(set(re.findall(rf'name="{prefix}-(\d+)-id"', html))) <= before[1] + ROWS_PER_FORM_MAX
    assert (Submission.objects.get(pk=submission.pk).updated_at, stored.count()) == before


def test_competing_corrections_of_one_paper_are_told_and_one_made_moot_says_so(
    client, users, section
):
    """Two contributors send the same correction (venue → ICML), a third another (→ ICLR).
    The queue and each review page say other corrections of the paper wait; once one is
    approved, its twin "changes nothing", and bulk approval leaves both hinted rows alone."""
    paper = PlacementFactory(section=section, paper__venue="arXiv").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.10601")
    first = sent_correction(paper, venue="ICML")
    twin = sent_correction(paper, venue="ICML")
    other = sent_correction(paper, venue="ICLR")
    login(client, users, "maintainer")

    queue = client.get(CHANGELIST).content.decode()
    assert queue.count(">Other correction</span>") == 3
    page = client.get(reverse("admin:curation_submission_change", args=[first.pk]))
    assert (
        f"2 other corrections of this paper (submissions {twin.pk}, {other.pk}) are open too"
        in page.content.decode()
    )

    submission_approve(submission=first, reviewer=users["maintainer"])
    page = client.get(reverse("admin:curation_submission_change", args=[twin.pk])).content
    assert f"1 other correction of this paper (submission {other.pk}) is open too" in page.decode()
    assert "approving it changes nothing on the list" in page.decode()
    queue = client.get(CHANGELIST).content.decode()
    assert queue.count(">Changes nothing</span>") == 1
    assert queue.count(">Other correction</span>") == 2

    response = client.post(
        CHANGELIST,
        queue_post(action="approve_selected", _selected_action=[twin.pk, other.pk]),
        follow=True,
    )
    twin.refresh_from_db()
    other.refresh_from_db()
    assert twin.state == other.state == "pending", response.content.decode()[:3000]
    # Approved from its own page, the moot one says it changed nothing.
    page = client.post(
        reverse("admin:curation_submission_review", args=[twin.pk]),
        review_post(twin, decision="approve"),
        follow=True,
    ).content.decode()
    assert "changed nothing: the paper already read this way." in page
    assert "1 submission approved and published" in page


def test_after_a_decision_the_page_leads_to_the_submission_waiting_longest(client, users, section):
    """A maintainer working through the queue: once one is decided, its page offers the
    oldest pending one (first come, first served), and says so when none is left."""
    oldest = make_submission(section, "Oldest waiting", "https://o.org/1")
    newest = make_submission(section, "Newest waiting", "https://o.org/2")
    login(client, users, "maintainer")
    change = reverse("admin:curation_submission_change", args=[newest.pk])
    assert "Next waiting for review" not in client.get(change).content.decode()  # undecided
    page = client.post(
        reverse("admin:curation_submission_review", args=[newest.pk]),
        review_post(newest, decision="approve"),
        follow=True,
    ).content.decode()
    assert "1 submission approved and published" in page
    next_url = reverse("admin:curation_submission_change", args=[oldest.pk])
    assert f'href="{next_url}">Next waiting for review: “Oldest waiting” →</a>' in page
    submission_reject(submission=oldest, reviewer=users["maintainer"], note="Out of scope")
    page = client.get(next_url).content.decode()
    assert "No other submission waits for review." in page
