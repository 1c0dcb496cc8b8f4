"""The submission services: every transition, every refusal, the audit trail, side effects."""

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Link, Paper, Placement
from curation.models import Submission, SubmissionEvent
from curation.services import (
    Contributor,
    SubmissionContent,
    TransitionRefused,
    content_from_paper,
    correction_fields,
    submission_approve,
    submission_create,
    submission_reject,
    submission_request_changes,
    submission_resubmit,
    submission_withdraw,
)
from tests.factories import LinkFactory, PlacementFactory, SectionFactory, sent_submission

pytestmark = pytest.mark.django_db

State = Submission.State


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("maria", "maria@example.org", "pw", is_staff=True)


@pytest.fixture
def sections():
    part = SectionFactory(title="Aligning through debate")
    return part, SectionFactory(title="Debate games", parent=part, position=1)


def content(sections, **overrides):
    values = {
        "title": "Debate Helps Supervise Unreliable Experts",
        "authors": "Michael et al.",
        "venue": "arXiv",
        "year": 2023,
        "links": [
            ("paper", "https://arxiv.org/abs/2311.08702"),
            ("code", "https://github.com/x/y"),
        ],
        "sections": list(sections),
    }
    values.update(overrides)
    return SubmissionContent(**values)


def make_submission(sections, email="ada@example.org", **overrides):
    return submission_create(
        content=content(sections, **overrides),
        contributor=Contributor(name="Ada", email=email, is_author=True, note="Please add"),
    )


def test_create_stores_the_proposal_pending_with_an_audit_row(sections):
    submission = make_submission(sections)
    assert submission.state == State.PENDING
    assert submission.kind == Submission.Kind.NEW_PAPER
    assert [(link.label, link.identifier) for link in submission.links.all()] == [
        ("paper", "arxiv:2311.08702"),
        ("code", "url:github.com/x/y"),
    ]
    assert set(submission.sections.all()) == set(sections)
    assert len(submission.token) >= 40
    event = submission.events.get()
    assert (event.action, event.from_state, event.to_state, event.actor_label) == (
        "created",
        "",
        "pending",
        "contributor",
    )
    assert not Paper.objects.exists()


def test_approve_publishes_a_new_paper_at_the_end_of_each_section(
    sections, reviewer, django_capture_on_commit_callbacks
):
    part, debate = sections
    existing = PlacementFactory(section=debate, position=7)
    submission = make_submission(sections)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submission_approve(submission=submission, reviewer=reviewer, note="Welcome")

    paper = outcome.paper
    assert paper.title == "Debate Helps Supervise Unreliable Experts"
    assert [link.url for link in paper.links.all()] == [
        "https://arxiv.org/abs/2311.08702",
        "https://github.com/x/y",
    ]
    positions = dict(Placement.objects.filter(paper=paper).values_list("section", "position"))
    assert positions == {part.pk: 1, debate.pk: existing.position + 1}
    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    assert submission.paper == paper
    assert submission.reviewed_by == reviewer and submission.reviewed_at
    assert submission.review_note == "Welcome"
    event = submission.events.latest("id")
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "approved",
        "pending",
        "approved",
        reviewer,
    )
    log = LogEntry.objects.get(object_id=str(submission.pk), content_type__model="submission")
    assert log.user == reviewer and "Approved" in log.change_message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "Approved" in mail.outbox[0].subject
    assert submission.token in mail.outbox[0].body
    site = django_settings.SITE_URL
    assert f"The paper on the list: {site}/papers/{paper.pk}/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "service, state",
    [(submission_reject, State.REJECTED), (submission_request_changes, State.CHANGES_REQUESTED)],
)
def test_reject_and_request_changes_record_the_note_and_mail_it(
    sections, reviewer, service, state, django_capture_on_commit_callbacks
):
    submission = make_submission(sections)
    with django_capture_on_commit_callbacks(execute=True):
        service(submission=submission, reviewer=reviewer, note="Out of scope for this list")
    submission.refresh_from_db()
    assert submission.state == state
    assert submission.review_note == "Out of scope for this list"
    assert submission.events.latest("id").note == "Out of scope for this list"
    assert "Out of scope for this list" in mail.outbox[0].body
    assert not Paper.objects.exists()


def test_no_email_is_sent_without_an_address(
    sections, reviewer, django_capture_on_commit_callbacks
):
    submission = make_submission(sections, email="")
    with django_capture_on_commit_callbacks(execute=True):
        submission_reject(submission=submission, reviewer=reviewer, note="No")
    assert mail.outbox == []


def test_failed_email_never_undoes_the_decision(
    sections, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    submission = make_submission(sections)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submission_approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    assert Paper.objects.count() == 1
    assert any("email" in warning for warning in outcome.warnings)


def test_the_status_link_is_mailed_when_a_submission_is_stored(
    sections, settings, django_capture_on_commit_callbacks, caplog
):
    long_title = "Debate Helps Supervise Unreliable Experts " * 3
    with django_capture_on_commit_callbacks(execute=True):
        submission = make_submission(sections, title=long_title.strip())
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ada@example.org"]
    # Cut at a word and marked as cut.
    assert sent.subject == (
        "We received your submission “Debate Helps Supervise Unreliable Experts Debate Helps"
        " Supervise Unreliable…”"
    )
    # A title with nowhere to cut at a word is cut at 79 characters.
    with django_capture_on_commit_callbacks(execute=True):
        make_submission(sections, title="自" * 120, links=[("paper", "https://x.org/cjk")])
    assert mail.outbox[1].subject == f"We received your submission “{'自' * 79}…”"
    del mail.outbox[1]
    status = f"{django_settings.SITE_URL}/submit/status/{submission.token}/"
    assert status in sent.body and "withdraw" in sent.body
    # Sent before anyone has looked at it, to any address typed: no name the sender chose.
    assert sent.body.startswith("Hello,\n") and "Ada" not in sent.body
    # Without an address nothing is sent; a failing mail server leaves the submission stored.
    with django_capture_on_commit_callbacks(execute=True):
        make_submission(sections, email="", links=[("paper", "https://x.org/no-mail")])
    assert len(mail.outbox) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        stored = make_submission(sections, links=[("paper", "https://x.org/mail-fails")])
    assert Submission.objects.filter(pk=stored.pk, state=State.PENDING).exists()
    assert "Could not email the status link" in caplog.text


def section_label(section) -> str:
    from catalog.selectors import section_tree

    return section_tree().by_pk[section.pk].label


def test_resubmit_after_changes_requested_returns_to_the_queue(sections, reviewer):
    submission = make_submission(sections)
    submission_request_changes(submission=submission, reviewer=reviewer, note="Add the venue")
    submission_resubmit(
        submission=submission,
        content=content(sections[:1], venue="NeurIPS", links=[("paper", "https://example.org/p")]),
        note="Venue added",
    )
    submission.refresh_from_db()
    assert submission.state == State.PENDING
    assert submission.venue == "NeurIPS"
    assert [link.url for link in submission.links.all()] == ["https://example.org/p"]
    assert list(submission.sections.all()) == [sections[0]]
    assert list(submission.events.values_list("action", flat=True)) == [
        "created",
        "changes_requested",
        "resubmitted",
    ]
    # The reviewer sees what the resend changed in the entry.
    part, debate = sections
    assert submission.events.get(action="resubmitted").detail == (
        'Venue: "arXiv" → "NeurIPS"; Links: + paper https://example.org/p, '
        "− paper https://arxiv.org/abs/2311.08702, − code https://github.com/x/y; "
        f"Sections: − {section_label(debate)}"
    )


def test_withdraw_from_pending_and_from_changes_requested(sections, reviewer):
    first = make_submission(sections)
    submission_withdraw(submission=first)
    first.refresh_from_db()
    assert first.state == State.WITHDRAWN

    second = make_submission(sections, title="Another paper on debate")
    submission_request_changes(submission=second, reviewer=reviewer, note="Fix")
    submission_withdraw(submission=second)
    second.refresh_from_db()
    assert second.state == State.WITHDRAWN
    assert second.events.latest("id").actor_label == "contributor"


# Every state an action may not leave, with the action.
REFUSALS = [
    (State.APPROVED, "approve"),
    (State.APPROVED, "reject"),
    (State.APPROVED, "changes"),
    (State.APPROVED, "withdraw"),
    (State.APPROVED, "resubmit"),
    (State.REJECTED, "approve"),
    (State.REJECTED, "reject"),
    (State.REJECTED, "changes"),
    (State.REJECTED, "withdraw"),
    (State.REJECTED, "resubmit"),
    (State.WITHDRAWN, "approve"),
    (State.WITHDRAWN, "reject"),
    (State.WITHDRAWN, "changes"),
    (State.WITHDRAWN, "withdraw"),
    (State.WITHDRAWN, "resubmit"),
    (State.CHANGES_REQUESTED, "approve"),
    (State.CHANGES_REQUESTED, "changes"),
    (State.PENDING, "resubmit"),
]


def reach(state, submission, reviewer):
    if state == State.APPROVED:
        submission_approve(submission=submission, reviewer=reviewer)
    elif state == State.REJECTED:
        submission_reject(submission=submission, reviewer=reviewer, note="no")
    elif state == State.WITHDRAWN:
        submission_withdraw(submission=submission)
    elif state == State.CHANGES_REQUESTED:
        submission_request_changes(submission=submission, reviewer=reviewer, note="fix")


@pytest.mark.parametrize("state, action", REFUSALS)
def test_actions_refuse_a_submission_in_a_state_they_may_not_leave(
    sections, reviewer, state, action
):
    submission = make_submission(sections)
    reach(state, submission, reviewer)
    events_before = SubmissionEvent.objects.count()
    papers_before = list(Paper.objects.values_list("pk", "title"))
    act = {
        "approve": lambda: submission_approve(submission=submission, reviewer=reviewer),
        "reject": lambda: submission_reject(submission=submission, reviewer=reviewer, note="n"),
        "changes": lambda: submission_request_changes(
            submission=submission, reviewer=reviewer, note="n"
        ),
        "withdraw": lambda: submission_withdraw(submission=submission),
        "resubmit": lambda: submission_resubmit(submission=submission, content=content(sections)),
    }[action]
    with pytest.raises(TransitionRefused):
        act()
    submission.refresh_from_db()
    assert submission.state == state
    assert SubmissionEvent.objects.count() == events_before
    assert list(Paper.objects.values_list("pk", "title")) == papers_before


def test_a_stale_copy_cannot_approve_twice(sections, reviewer):
    submission = make_submission(sections)
    stale = Submission.objects.get(pk=submission.pk)
    submission_approve(submission=submission, reviewer=reviewer)
    with pytest.raises(TransitionRefused):
        submission_approve(submission=stale, reviewer=reviewer)
    assert Paper.objects.count() == 1
    assert SubmissionEvent.objects.filter(action="approved").count() == 1


def test_a_correction_that_changes_nothing_is_refused_and_nothing_is_stored(sections, reviewer):
    _part, debate = sections
    paper = PlacementFactory(section=debate).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    contributor = Contributor(name="Ada", email="ada@example.org")
    with pytest.raises(ValidationError, match="changes nothing"):
        submission_create(content=content_from_paper(paper), contributor=contributor, paper=paper)
    assert not Submission.objects.exists() and not SubmissionEvent.objects.exists()
    # A section more is a change.
    other = SectionFactory(title="Self-play")
    added = content_from_paper(paper, sections=[debate, other])
    correction = submission_create(content=added, contributor=contributor, paper=paper)
    # Sent back, then edited back to the paper as published: refused too, and kept as it was.
    submission_request_changes(submission=correction, reviewer=reviewer, note="Why both?")
    with pytest.raises(ValidationError, match="changes nothing"):
        submission_resubmit(submission=correction, content=content_from_paper(paper))
    correction.refresh_from_db()
    assert correction.state == State.CHANGES_REQUESTED
    assert set(correction.sections.all()) == {debate, other}


def test_approving_a_correction_updates_the_paper_links_and_sections(sections, reviewer):
    part, debate = sections
    other = SectionFactory(title="Self-play")
    placement = PlacementFactory(section=debate, paper__venue="arXiv", paper__year=2023)
    paper = placement.paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    LinkFactory(paper=paper, url="https://wrong.example.org/paper", label="blog", position=2)
    correction = submission_create(
        content=content(
            [other],
            title=paper.title,
            authors=paper.authors,
            venue="ICLR",
            year=2024,
            links=[
                ("paper", "https://arxiv.org/abs/2305.00001"),
                ("code", "https://git.example/c"),
            ],
        ),
        contributor=Contributor(name="Bo"),
        paper=paper,
    )
    assert correction.kind == Submission.Kind.CORRECTION
    assert correction.original["venue"] == "arXiv"
    submission_approve(submission=correction, reviewer=reviewer)
    paper.refresh_from_db()
    assert (paper.venue, paper.year) == ("ICLR", 2024)
    assert list(paper.links.values_list("label", "url")) == [
        ("paper", "https://arxiv.org/abs/2305.00001"),
        ("code", "https://git.example/c"),
    ]
    assert list(paper.placements.values_list("section", flat=True)) == [other.pk]
    assert Paper.objects.count() == 1


def test_duplicates_are_flagged_by_identifier_and_by_near_identical_title(sections):
    published = PlacementFactory(paper__title="Self-Rewarding Language Models").paper
    LinkFactory(paper=published, url="https://arxiv.org/abs/2401.10020")
    LinkFactory(paper=published, label="code", url="https://github.com/a/self-rewarding")
    # Its paper link given as another kind of link (as the paper link it is refused outright).
    by_id = make_submission(
        sections,
        title="Something else entirely",
        links=[("paper", "https://x.org/c"), ("blog", "https://arxiv.org/abs/2401.10020")],
    )
    # Only its code repository: a follow-up often shares one, and that is no duplicate.
    same_repo = make_submission(
        sections,
        title="Self-Rewarding Agents",
        links=[("paper", "https://x.org/d"), ("code", "https://github.com/a/self-rewarding")],
    )
    assert not same_repo.duplicate_suspected
    by_title = make_submission(
        sections, title="Self-rewarding language models", links=[("paper", "https://x.org/a")]
    )
    unrelated = make_submission(
        sections, title="Reward models for self play", links=[("paper", "https://x.org/b")]
    )
    assert list(by_id.duplicate_papers.all()) == [published]
    assert list(by_title.duplicate_papers.all()) == [published]
    assert by_id.duplicate_suspected and by_title.duplicate_suspected
    assert not unrelated.duplicate_papers.exists()
    # An open submission with the same identifier is a suspected duplicate too.
    again = make_submission(sections, title="Yet another", links=[("paper", "https://x.org/b")])
    assert list(again.duplicate_submissions.all()) == [unrelated]


def test_readme_is_regenerated_after_approval(
    sections, reviewer, settings, tmp_path, django_capture_on_commit_callbacks
):
    # A folder that does not exist yet, as the default var/ on a fresh clone.
    target = tmp_path / "var" / "README.md"
    settings.README_EXPORT_PATH = str(target)
    submission = make_submission(sections)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submission_approve(submission=submission, reviewer=reviewer)
    assert outcome.warnings == []
    assert "Debate Helps Supervise Unreliable Experts" in target.read_text(encoding="utf-8")


def test_readme_failure_is_reported_and_the_approval_stands(
    sections, reviewer, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.README_EXPORT_PATH = str(blocker / "README.md")
    submission = make_submission(sections)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = submission_approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    assert any("README" in warning for warning in outcome.warnings)


def test_links_are_stored_with_identifiers_on_publish(sections, reviewer):
    submission = make_submission(sections)
    paper = submission_approve(submission=submission, reviewer=reviewer).paper
    assert Link.objects.get(paper=paper, label="paper").identifier == "arxiv:2311.08702"


def test_titles_differing_only_in_a_number_are_not_duplicates(sections):
    PlacementFactory(paper__title="Llama 2: Open Foundation and Fine-Tuned Chat Models")
    submission = make_submission(
        sections,
        title="Llama 3: Open Foundation and Fine-Tuned Chat Models",
        links=[("paper", "https://x.org/llama3")],
    )
    assert not submission.duplicate_suspected


def test_a_new_paper_whose_paper_link_is_published_is_refused(sections, reviewer):
    published = PlacementFactory().paper
    LinkFactory(paper=published, url="https://arxiv.org/abs/2311.08702")
    # Refused when sent, and when resent: a paper link names one paper.
    with pytest.raises(ValidationError, match="already on the list") as refused:
        make_submission(sections, title="A renamed copy")
    assert "paper_url" in refused.value.message_dict
    assert not Submission.objects.exists()
    # Sent while the link was not listed yet (changes requested meanwhile)...
    Link.objects.filter(paper=published).update(url="https://x.org/elsewhere", identifier="")
    submission = make_submission(sections, title="A renamed copy")
    submission_request_changes(submission=submission, reviewer=reviewer, note="Add the code")
    Link.objects.filter(paper=published).update(
        url="https://arxiv.org/abs/2311.08702", identifier="arxiv:2311.08702"
    )
    with pytest.raises(ValidationError, match="already on the list"):
        submission_resubmit(
            submission=submission, content=content(sections, title="A renamed copy"), note="Resent"
        )
    # ... and, should one reach the queue, at approval.
    submission.refresh_from_db()
    submission.state = State.PENDING
    submission.save()
    with pytest.raises(TransitionRefused, match="already published"):
        submission_approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.state == State.PENDING
    assert Paper.objects.count() == 1


def test_an_older_correction_does_not_undo_a_newer_one(sections, reviewer):
    paper = PlacementFactory(section=sections[1], paper__venue="arXiv", paper__year=2023).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")

    def correction(**changes):
        return submission_create(
            content=content_from_paper(paper, **changes),
            contributor=Contributor(name="C"),
            paper=paper,
        )

    venue_fix = correction(venue="ICML")
    year_fix = correction(year=2024)
    submission_approve(submission=year_fix, reviewer=reviewer)
    submission_approve(submission=venue_fix, reviewer=reviewer)
    paper.refresh_from_db()
    assert (paper.venue, paper.year) == ("ICML", 2024)


def test_a_correction_cannot_give_a_paper_another_listed_papers_link(sections, reviewer):
    """One record per paper: the link of another published paper is refused at approval
    (and on the public form, see test_curation_views), and nothing changes."""
    paper = PlacementFactory(section=sections[1], paper__venue="arXiv").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    other = PlacementFactory(section=sections[1], paper__title="Another Listed Paper").paper
    LinkFactory(paper=other, url="https://arxiv.org/abs/2401.10020")
    taking = submission_create(
        content=content_from_paper(
            paper, venue="ICML", links=[("paper", "https://arxiv.org/abs/2401.10020")]
        ),
        contributor=Contributor(name="A"),
        paper=paper,
    )
    with pytest.raises(TransitionRefused, match="“Another Listed Paper” \\(paper \\d+\\)"):
        submission_approve(submission=taking, reviewer=reviewer)
    paper.refresh_from_db()
    assert paper.venue == "arXiv"
    assert list(paper.links.values_list("url", flat=True)) == ["https://arxiv.org/abs/2305.00001"]
    taking.refresh_from_db()
    assert taking.state == State.PENDING


def test_a_correction_conflicting_with_a_newer_change_is_refused(sections, reviewer):
    paper = PlacementFactory(section=sections[1], paper__venue="arXiv").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    first = submission_create(
        content=content_from_paper(paper, venue="ICML"),
        contributor=Contributor(name="A"),
        paper=paper,
    )
    second = submission_create(
        content=content_from_paper(paper, venue="NeurIPS"),
        contributor=Contributor(name="B"),
        paper=paper,
    )
    submission_approve(submission=first, reviewer=reviewer)
    with pytest.raises(TransitionRefused, match="venue"):
        submission_approve(submission=second, reviewer=reviewer)
    # Overriding another field than the one in conflict does not approve it either.
    with pytest.raises(TransitionRefused, match="venue"):
        submission_approve(submission=second, reviewer=reviewer, overriding=["year"])
    paper.refresh_from_db()
    assert paper.venue == "ICML"
    second.refresh_from_db()
    assert second.state == State.PENDING
    assert not second.events.filter(action=SubmissionEvent.Action.APPROVED).exists()


def test_a_reviewer_may_take_the_correction_s_value_over_a_conflict(sections, reviewer):
    paper = PlacementFactory(
        section=sections[1], paper__venue="arXiv", paper__authors="Yao et al."
    ).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    late = submission_create(
        content=content_from_paper(paper, venue="NeurIPS", authors="Shunyu Yao et al."),
        contributor=Contributor(name="B"),
        paper=paper,
    )
    paper.venue, paper.year = "ICML", 2021  # a maintainer's edit meanwhile
    paper.save()
    outcome = submission_approve(submission=late, reviewer=reviewer, overriding=["venue"])
    paper.refresh_from_db()
    # The conflict takes the correction's value, the other change applies, and the newer
    # edit to a field the correction left alone stays.
    assert (paper.venue, paper.authors, paper.year) == ("NeurIPS", "Shunyu Yao et al.", 2021)
    assert outcome.submission.state == State.APPROVED
    event = late.events.get(action=SubmissionEvent.Action.APPROVED)
    assert event.actor == reviewer
    assert event.detail == "Took the correction's value over a newer change to the paper: venue"
    paper_history = LogEntry.objects.filter(content_type__model="paper", object_id=str(paper.pk))
    history = paper_history.latest("action_time")
    assert "over a newer change to venue" in history.change_message


def test_a_submission_whose_sections_were_deleted_is_not_approved(reviewer):
    lonely = SectionFactory(title="Soon gone")
    submission = make_submission([lonely])
    lonely.delete()
    with pytest.raises(TransitionRefused, match="no section"):
        submission_approve(submission=submission, reviewer=reviewer)
    assert not Paper.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_readme_file_follows_every_catalog_change_once_per_transaction(
    sections, reviewer, settings, tmp_path, admin_client, caplog
):
    """Not only approvals: an admin edit or delete and a fixture load rewrite the file too,
    each once, after its transaction commits (here for real: a transactional test)."""
    import logging

    from django.core.management import call_command

    target = tmp_path / "README.md"
    settings.README_EXPORT_PATH = str(target)
    caplog.set_level(logging.INFO, logger="catalog.readme.export")

    def regenerations():
        count = sum(r.getMessage().startswith(f"README at {target}") for r in caplog.records)
        caplog.clear()
        return count

    submission = make_submission(sections)
    regenerations()
    paper = submission_approve(submission=submission, reviewer=reviewer).paper
    assert regenerations() == 1
    assert paper.title in target.read_text(encoding="utf-8")

    response = admin_client.post(
        reverse("admin:catalog_section_change", args=[sections[0].pk]),
        {"title": "Debate, renamed", "slug": sections[0].slug, "position": 1},
    )
    assert response.status_code == 302
    assert regenerations() == 1
    assert "Debate, renamed" in target.read_text(encoding="utf-8")

    response = admin_client.post(
        reverse("admin:catalog_paper_delete", args=[paper.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert regenerations() == 1
    assert paper.title not in target.read_text(encoding="utf-8")

    call_command("loaddata", "catalog", verbosity=0)
    assert regenerations() == 1  # 700 rows, one rewrite
    assert "AI safety via debate." in target.read_text(encoding="utf-8")


def test_an_approval_is_in_the_paper_s_admin_history(sections, reviewer):
    from django.contrib.admin.models import ADDITION, CHANGE

    submission = make_submission(sections)
    paper = submission_approve(submission=submission, reviewer=reviewer).paper
    correction = submission_create(
        content=content(sections, title="Debate Helps Supervise Unreliable Experts!"),
        contributor=Contributor(name="Ada"),
        paper=paper,
    )
    submission_approve(submission=correction, reviewer=reviewer)
    history = LogEntry.objects.filter(object_id=str(paper.pk), content_type__model="paper")
    assert list(history.order_by("id").values_list("action_flag", "change_message", "user")) == [
        (ADDITION, f"Published by approving submission {submission.pk}", reviewer.pk),
        (CHANGE, f"Corrected (title) by approving submission {correction.pk}", reviewer.pk),
    ]


def test_an_event_written_without_the_newer_detail_column_is_stored(sections):
    """During a rolling deploy, hosts running the code before curation 0007 insert events
    without `detail`: the database's own default takes them."""
    from django.db import connection
    from django.utils import timezone

    from curation.models import SubmissionEvent

    submission = sent_submission(sections=[sections[1]])
    table = SubmissionEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (submission_id, action, from_state, to_state, actor_label, "
            "note, created_at) VALUES (%s, 'withdrawn', 'pending', 'withdrawn', 'contributor', "
            "'', %s)",
            [submission.pk, timezone.now()],
        )
    assert submission.events.get(action="withdrawn").detail == ""


@pytest.mark.parametrize("paper_first", [True, False])
def test_two_open_submissions_sharing_a_paper_link_are_flagged_with_each_other_in_any_order(
    sections, django_capture_on_commit_callbacks, paper_first
):
    """One gives an arXiv page as its paper link, the other the same page as a blog link:
    each is flagged with the other, whichever was sent first (the later one's duplicate
    check used to find the earlier only when the earlier gave it as its paper link)."""
    paper = {"title": "The paper itself", "links": [("paper", "https://arxiv.org/abs/2401.10020")]}
    post = {
        "title": "A post about it",
        "links": [("paper", "https://x.org/p"), ("blog", "https://arxiv.org/abs/2401.10020")],
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = make_submission(sections, **(paper if paper_first else post))
        second = make_submission(sections, **(post if paper_first else paper))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.duplicate_suspected and second.duplicate_suspected
    assert list(first.duplicate_submissions.all()) == [second]
    assert list(second.duplicate_submissions.all()) == [first]


def test_a_venue_only_correction_of_a_paper_whose_links_are_stored_out_of_readme_order(
    sections, reviewer
):
    """A paper stored with its blog before its paper link (as two seed papers are): the form
    lists the paper link first. A correction of the venue alone changes only the venue, and a
    link a maintainer adds meanwhile survives its approval."""
    paper = PlacementFactory(section=sections[1], paper__venue="arXiv", paper__year=2024).paper
    LinkFactory(paper=paper, label="blog", url="https://openai.example/blog/pvg", position=1)
    LinkFactory(paper=paper, label="paper", url="https://arxiv.org/abs/2407.13692", position=2)
    correction = submission_create(
        content=content_from_paper(
            paper,
            venue="ICLR",
            links=[
                ("paper", "https://arxiv.org/abs/2407.13692"),
                ("blog", "https://openai.example/blog/pvg"),
            ],
        ),
        contributor=Contributor(name="Ada"),
        paper=paper,
    )
    changed = [item.name for item in correction_fields(correction) if item.changed]
    assert changed == ["venue"]
    Link.objects.create(paper=paper, label="code", url="https://github.com/o/pvg", position=3)
    submission_approve(submission=correction, reviewer=reviewer)
    paper.refresh_from_db()
    assert paper.venue == "ICLR"
    assert list(paper.links.order_by("position").values_list("label", flat=True)) == [
        "blog",
        "paper",
        "code",
    ]
    messages = LogEntry.objects.filter(object_id=str(paper.pk)).values_list(
        "change_message", flat=True
    )
    assert any(message.startswith("Corrected (venue)") for message in messages), list(messages)


def test_adding_a_paper_stored_out_of_readme_order_to_a_section_proposes_only_that(sections):
    paper = PlacementFactory(section=sections[1]).paper
    LinkFactory(paper=paper, label="blog", url="https://openai.example/blog/x", position=1)
    LinkFactory(paper=paper, label="paper", url="https://arxiv.org/abs/2407.00001", position=2)
    other = SectionFactory(title="Another section")
    sections = [placement.section for placement in paper.placements.all()] + [other]
    adding = submission_create(
        content=content_from_paper(paper, sections=sections),
        contributor=Contributor(name="Ada"),
        paper=paper,
    )
    assert adding.proposes_sections_only


def test_a_correction_placing_a_paper_whose_link_was_published_since_is_refused(reviewer):
    """A correction adding a section, approved after its paper was taken out of its last
    section and its paper link approved as another record: placing it again would list one
    paper twice. Refused; nothing changes. Had the correction given the paper its own paper
    link, it would pass (the check reads the links as corrected)."""
    from tests.factories import sent_correction

    debate, math = SectionFactory(title="Debate"), SectionFactory(title="Math")
    first = PlacementFactory(section=debate, paper__title="Tree of Thoughts").paper
    LinkFactory(paper=first, url="https://arxiv.org/abs/2305.10601")
    correction = sent_correction(first, sections=[debate, math])
    first.placements.get().delete()  # a maintainer takes it off the list
    newer = sent_submission(
        sections=[debate],
        title="Tree of Thoughts: Deliberate Problem Solving",
        links=[("paper", "https://arxiv.org/abs/2305.10601")],
    )
    second = submission_approve(submission=newer, reviewer=reviewer).paper

    with pytest.raises(TransitionRefused, match=f"paper {second.pk}\\) was published since"):
        # Its sections changed since it was sent (none left): the reviewer takes the
        # correction's, having compared them.
        submission_approve(submission=correction, reviewer=reviewer, overriding=["sections"])
    assert not first.placements.exists()
    correction.refresh_from_db()
    assert correction.state == State.PENDING

    own_link = sent_correction(
        first, sections=[math], links=[("paper", "https://arxiv.org/abs/2305.99999")]
    )
    submission_approve(submission=own_link, reviewer=reviewer)
    assert list(first.placements.values_list("section__title", flat=True)) == ["Math"]
    assert Paper.objects.published().count() == 2


def test_a_correction_of_a_paper_taken_off_the_list_since_is_refused(reviewer):
    """Approving it would change a paper on no page and tell its contributor "published": it
    is refused, nothing changes, and the correction stays to be decided."""
    from tests.factories import sent_correction

    paper = PlacementFactory(paper__venue="arXiv").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2212.08073")
    correction = sent_correction(paper, venue="ICLR")
    paper.placements.all().delete()  # a maintainer takes it off the list
    with pytest.raises(TransitionRefused, match="This paper is in no section now"):
        submission_approve(submission=correction, reviewer=reviewer)
    paper.refresh_from_db()
    correction.refresh_from_db()
    assert paper.venue == "arXiv" and correction.state == State.PENDING
