"""Two maintainers approving one submission at the same moment, in two threads with two
database connections: one paper, one set of placements, one audit entry.

On PostgreSQL the row lock (select_for_update) makes the second approval wait and then see
the submission approved; on SQLite, BEGIN IMMEDIATE (settings) serializes the two writers the
same way. Two different submissions of one paper, or two papers into one section, share no
row to lock: an advisory lock per paper link and a lock on the section serialize those. The
tests run in both CI runs."""

import contextlib
import threading
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connections

from catalog.models import Link, Paper, Placement
from curation.models import Submission, SubmissionEvent
from curation.services import (
    Contributor,
    SubmissionContent,
    TransitionRefused,
    submission_approve,
    submission_create,
    submission_reject,
)
from tests.factories import SectionFactory, sent_submission

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*actions):
    """Start every action at the same moment, each in its own thread (own connection)."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def maintainers(django_user_model):
    group = Group.objects.get(name="Maintainers")
    users = []
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, is_staff=True)
        user.groups.add(group)
        users.append(user)
    return users


def new_submission(sections, *, title="Weak-to-Strong Debate", contributor=None):
    """A new paper of arXiv id 2409.00001, sent."""
    return submission_create(
        content=SubmissionContent(
            title=title,
            authors="Lang et al.",
            venue="arXiv",
            year=2024,
            links=[("paper", "https://arxiv.org/abs/2409.00001"), ("code", "https://g.org/x")],
            sections=sections,
        ),
        contributor=contributor or Contributor(name="Ada"),
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_simultaneous_approvals_publish_once(maintainers, round_):
    sections = [SectionFactory(), SectionFactory()]
    submission = new_submission(sections)
    alice, bob = maintainers
    # Each thread holds its own stale copy, read before either decided, as two admin pages do.
    copies = [Submission.objects.get(pk=submission.pk) for _ in range(2)]

    results = run_together(
        lambda: submission_approve(submission=copies[0], reviewer=alice),
        lambda: submission_approve(submission=copies[1], reviewer=bob),
    )

    refused = [r for r in results if isinstance(r, TransitionRefused)]
    approved = [r for r in results if not isinstance(r, Exception)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "approved and published" in str(refused[0])
    assert Paper.objects.count() == 1
    assert Placement.objects.count() == len(sections)
    assert Link.objects.count() == 2
    assert SubmissionEvent.objects.filter(action="approved").count() == 1
    decisions = LogEntry.objects.filter(
        object_id=str(submission.pk), content_type__model="submission"
    )
    assert decisions.count() == 1
    submission.refresh_from_db()
    assert submission.state == "approved"
    assert submission.reviewed_by == approved[0].submission.reviewed_by


def test_approve_and_reject_at_once_leave_one_consistent_decision(maintainers):
    submission = new_submission([SectionFactory()])
    alice, bob = maintainers
    results = run_together(
        lambda: submission_approve(submission=submission, reviewer=alice),
        lambda: submission_reject(submission=submission, reviewer=bob, note="Out of scope"),
    )
    assert sum(isinstance(r, TransitionRefused) for r in results) == 1, results
    submission.refresh_from_db()
    decisions = SubmissionEvent.objects.exclude(action="created")
    assert decisions.count() == 1
    assert decisions.get().to_state == submission.state
    # Published if and only if the approval won.
    assert Paper.objects.exists() is (submission.state == "approved")


def pause_after(fragment: str, seconds: float = 0.4):
    """An execute wrapper that holds this connection's transaction open for a moment after a
    query containing `fragment`: the other approval then runs its own check in that gap, as it
    would under load, instead of rarely."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if fragment in sql:
            time.sleep(seconds)
        return result

    return wrapper


def approve_pausing(submission, reviewer, fragment):
    with connections["default"].execute_wrapper(pause_after(fragment)):
        return submission_approve(submission=submission, reviewer=reviewer)


def test_two_submissions_of_one_paper_approved_at_once_publish_one_paper(maintainers):
    """Different submissions, same paper link: no row lock covers both, so each approval could
    check for the published paper before the other inserts it."""
    section = SectionFactory()
    first, second = new_submission([section]), new_submission([section])
    alice, bob = maintainers
    check = '"catalog_link"."identifier" IN'  # the "already published?" query
    results = run_together(
        lambda: approve_pausing(first, alice, check),
        lambda: approve_pausing(second, bob, check),
    )
    refused = [r for r in results if isinstance(r, TransitionRefused)]
    assert len(refused) == 1, results
    assert "already published with the same paper link" in str(refused[0])
    assert Paper.objects.count() == 1
    assert Link.objects.filter(identifier="arxiv:2409.00001").count() == 1
    states = sorted(Submission.objects.values_list("state", flat=True))
    assert states == ["approved", "pending"]


def test_two_papers_approved_into_one_section_at_once_take_different_positions(maintainers):
    section = SectionFactory()
    first = new_submission([section])
    second = sent_submission(
        title="Another Paper",
        links=[("paper", "https://arxiv.org/abs/2409.00002")],
        sections=[section],
    )
    alice, bob = maintainers
    last_position = 'MAX("catalog_placement"."position")'
    results = run_together(
        lambda: approve_pausing(first, alice, last_position),
        lambda: approve_pausing(second, bob, last_position),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    positions = sorted(Placement.objects.filter(section=section).values_list("position", flat=True))
    assert positions == [1, 2]


def test_parallel_sends_from_one_address_stop_at_the_cap(settings):
    """The cap on open submissions per email address holds when they arrive together: counted
    in the writing transaction (an advisory lock per address on PostgreSQL)."""
    settings.SUBMISSION_MAX_PENDING_PER_EMAIL = 3
    section = SectionFactory()

    def send(n):
        return lambda: sent_submission(
            sections=[section],
            title=f"Paper number {n}",
            links=[("paper", f"https://arxiv.org/abs/2409.{n:05d}")],
            contributor=Contributor(name="Ada", email=("ADA" if n % 2 else "ada") + "@example.org"),
        )

    results = run_together(*(send(n) for n in range(8)))
    sent = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if not isinstance(r, Submission)]
    assert len(sent) == 3, results
    assert Submission.objects.count() == 3
    assert all("You already have 3 submissions waiting" in str(r) for r in refused), refused


def test_a_send_clicked_four_times_at_once_stores_one_submission(settings):
    """A double click or a retried request: the form's check runs before any of them is
    stored; the service checks again, each send waiting for the others (advisory locks on
    PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # the rate limit's counts
    section = SectionFactory(title="Debate")
    data = {
        "title": "Debate Helps Supervise Unreliable Experts",
        "authors": "Michael et al.",
        "venue": "arXiv",
        "year": "2023",
        "paper_url": "https://arxiv.org/abs/2311.08702",
        "sections": [str(section.pk)],
        "contributor_name": "Ada Lovelace",
        "action": "send",
    }
    responses = run_together(*(lambda: Client().post("/submit/", data) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400], responses
    assert Submission.objects.count() == 1
    stored = Submission.objects.get()
    assert not stored.duplicate_suspected
    for refused in (r for r in responses if r.status_code == 400):
        page = refused.content.decode()
        assert "Not sent: it may already be listed." in page
        # The one stored meanwhile is shown, with the way on.
        assert "Someone already proposed a paper like this" in page
        assert 'name="send_anyway"' in page


def test_two_near_identical_titles_sent_at_once_under_other_links_store_one(settings):
    """Two authors send one paper at the same moment, under different links and with titles
    that differ by a letter: the second send waits for the first (one lock for every new
    paper's send) and sees it, so it is refused as a suspected duplicate, not stored beside it
    unflagged."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # the rate limit's counts
    section = SectionFactory(title="Debate")

    def send(title, url, name):
        data = {
            "title": title,
            "authors": "Michael et al.",
            "venue": "arXiv",
            "year": "2023",
            "paper_url": url,
            "sections": [str(section.pk)],
            "contributor_name": name,
            "action": "send",
        }

        def post():
            # Each send holds its transaction open after storing its row, so the other's
            # check falls in that gap every time rather than rarely.
            with connections["default"].execute_wrapper(pause_after('INSERT INTO "curation_sub')):
                return Client().post("/submit/", data)

        return post

    for round_ in range(3):
        Submission.objects.all().delete()
        responses = run_together(
            send(
                "Debate Helps Supervise Unreliable Experts", "https://arxiv.org/abs/2311.08702", "A"
            ),
            send(
                "Debate Helps Supervise Unreliable Expert",
                "https://openreview.net/forum?id=x1",
                "B",
            ),
        )
        assert sorted(r.status_code for r in responses) == [302, 400], (round_, responses)
        assert Submission.objects.count() == 1
        refused = next(r for r in responses if r.status_code == 400).content.decode()
        assert "Not sent: it may already be listed." in refused


def test_a_send_anyway_while_its_duplicate_is_approved_does_not_deadlock(maintainers, monkeypatch):
    """The send holds the paper link's advisory lock and, at commit, needs a key-share lock
    on the open submission it duplicates (its duplicate_submissions row); the approval holds
    that submission and waits for the same advisory lock. The approval's row lock must not
    block a key-share lock (FOR NO KEY UPDATE), or PostgreSQL aborts one of them."""
    from django.db import connection

    from curation import services

    section = SectionFactory()
    first = new_submission([section])
    send_locked, approval_locked = threading.Event(), threading.Event()
    advisory_locks, lock = services.advisory_locks, services._lock
    # On SQLite the send's BEGIN IMMEDIATE keeps the approval out altogether: no long wait.
    patience = 5 if connection.vendor == "postgresql" else 0.5

    def advisory_then_wait(keys, **options):
        advisory_locks(keys, **options)
        if services.NEW_PAPER_SEND_LOCK in keys:  # submission_create's locks
            send_locked.set()
            approval_locked.wait(timeout=patience)
            time.sleep(0.3)  # the approval now waits for the paper link's lock

    def lock_and_tell(submission, action, **options):
        row = lock(submission, action, **options)
        if action == services.Action.APPROVED:
            approval_locked.set()
        return row

    monkeypatch.setattr(services, "advisory_locks", advisory_then_wait)
    monkeypatch.setattr(services, "_lock", lock_and_tell)

    def send_anyway():
        return new_submission(
            [section],
            title="Weak-to-Strong Debate, a different paper",
            contributor=Contributor(name="Bob", note="Another paper under a mistyped id"),
        )

    def approve():
        send_locked.wait(timeout=5)
        return submission_approve(submission=first, reviewer=maintainers[0])

    results = run_together(send_anyway, approve)
    assert send_locked.is_set(), "the send's locks were not reached: the test proves nothing"
    assert not [r for r in results if isinstance(r, Exception)], results
    first.refresh_from_db()
    assert first.state == "approved"
    sent = results[0]
    assert sent.duplicate_suspected and list(sent.duplicate_submissions.all()) == [first]


def test_a_send_of_a_paper_link_being_published_waits_and_is_refused(maintainers):
    """The send checks whether its paper link is listed after taking that link's lock: an
    approval publishing it at that moment has committed by then."""
    from django.core.exceptions import ValidationError

    section = SectionFactory()
    first = new_submission([section])
    publishing = 'INSERT INTO "catalog_link"'

    def send_same_link():
        time.sleep(0.2)  # the approval holds the link's lock by now
        return new_submission(
            [section],
            title="Another title for that paper",
            contributor=Contributor(name="Bob", note="Sent anyway"),
        )

    results = run_together(
        lambda: approve_pausing(first, maintainers[0], publishing), send_same_link
    )
    assert isinstance(results[1], ValidationError), results
    assert "already on the list" in str(results[1])
    assert Submission.objects.count() == 1 and Paper.objects.count() == 1


def test_two_sections_moved_under_each_other_at_once_do_not_make_a_cycle(
    django_user_model, monkeypatch
):
    """Both admin forms are checked before either saves (held apart by a barrier in
    Section.clean): the second must wait for the first and then see the cycle it would make."""
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Section
    from tests.factories import PlacementFactory

    admin = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
    first = SectionFactory(title="First part", slug="first-part", position=1)
    second = SectionFactory(title="Second part", slug="second-part", position=2)
    PlacementFactory(section=first)
    checked = threading.Barrier(2, timeout=2)
    clean = Section.clean

    def clean_then_wait(self):
        clean(self)
        # Broken when the other one waits for this one's lock instead: then go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()

    monkeypatch.setattr(Section, "clean", clean_then_wait)

    def move(section, under):
        client = Client()
        client.force_login(admin)
        data = {"title": section.title, "slug": section.slug, "position": 1, "parent": under.pk}
        return client.post(reverse("admin:catalog_section_change", args=[section.pk]), data)

    responses = run_together(lambda: move(first, second), lambda: move(second, first))
    assert sorted(r.status_code for r in responses) == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200).content.decode()
    assert "A section cannot sit inside itself or one of its subsections." in refused
    parents = dict(Section.objects.values_list("slug", "parent__slug"))
    assert sorted(parents.values(), key=str) in ([None, "first-part"], [None, "second-part"])


def test_deleting_a_paper_while_its_correction_is_approved_does_not_deadlock(
    maintainers, monkeypatch
):
    """The approval locks the correction, then its paper; the delete locks the paper's open
    corrections before the paper, so it waits for the approval instead of deadlocking.
    The approval holds its first lock a moment, so the delete starts in between."""
    from curation import services
    from tests.factories import LinkFactory, PlacementFactory, sent_correction

    paper = PlacementFactory().paper
    LinkFactory(paper=paper)
    correction = sent_correction(paper, venue="ICLR")
    locked = threading.Event()
    real_lock = services._lock

    def slow_lock(submission, action, **options):
        row = real_lock(submission, action, **options)
        if action == services.Action.APPROVED:
            locked.set()
            time.sleep(1.0)
        return row

    monkeypatch.setattr(services, "_lock", slow_lock)

    def delete():
        locked.wait(timeout=10)
        time.sleep(0.2)
        return services.paper_delete(paper=paper, actor=maintainers[1])

    approved, deleted = run_together(
        lambda: submission_approve(submission=correction, reviewer=maintainers[0]), delete
    )
    assert not isinstance(approved, Exception), approved
    assert deleted == 0, deleted  # the correction was approved first: none left to reject
    assert not Paper.objects.filter(pk=paper.pk).exists()
    correction.refresh_from_db()
    assert correction.state == "approved"


def test_a_correction_approved_while_an_admin_edit_saves_is_not_overwritten(
    client, maintainers, monkeypatch
):
    """The paper form's "changed after you opened it" check holds the paper's row until the
    save commits: an approval arriving between the check and the save waits, then merges
    over the edit, instead of being overwritten by the form's older values."""
    from django.urls import reverse

    from catalog.admin import PaperAdminForm
    from tests.factories import LinkFactory, PlacementFactory, sent_correction

    alice, bob = maintainers
    bob.is_superuser = True
    bob.save()
    paper = PlacementFactory(paper__venue="arXiv", paper__title="Weak Debate").paper
    LinkFactory(paper=paper)
    correction = sent_correction(paper, venue="ICLR")
    client.force_login(bob)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    form = client.get(url).context["adminform"].form
    approval = []

    checked = PaperAdminForm.clean

    def check_then_approval_arrives(self):
        data = checked(self)
        thread = threading.Thread(
            target=lambda: (
                approval.append(submission_approve(submission=correction, reviewer=alice)),
                connections.close_all(),
            )
        )
        thread.start()
        approval.append(thread)
        time.sleep(1)  # an approval not held back by a lock is done well within this
        return data

    monkeypatch.setattr(PaperAdminForm, "clean", check_then_approval_arrives)
    data = {
        "title": "Weak Debate, edited",
        "authors": paper.authors,
        "venue": "arXiv",
        "year": paper.year,
        "seen_version": form["seen_version"].value(),
        "placements-TOTAL_FORMS": 0,
        "placements-INITIAL_FORMS": 0,
    }
    links = list(paper.links.all())
    data["links-TOTAL_FORMS"] = data["links-INITIAL_FORMS"] = len(links)
    for index, link in enumerate(links):
        for name in ("id", "position", "label", "url"):
            data[f"links-{index}-{name}"] = getattr(link, name)
    placements = list(paper.placements.all())
    data["placements-TOTAL_FORMS"] = data["placements-INITIAL_FORMS"] = len(placements)
    for index, placement in enumerate(placements):
        data[f"placements-{index}-id"] = placement.pk
        data[f"placements-{index}-section"] = placement.section_id
        data[f"placements-{index}-position"] = placement.position
    assert client.post(url, data).status_code == 302
    approval[0].join(timeout=30)
    correction.refresh_from_db()
    paper.refresh_from_db()
    assert correction.state == Submission.State.APPROVED
    # Both changes stand: the edit's title, the correction's venue.
    assert (paper.title, paper.venue) == ("Weak Debate, edited", "ICLR")


def test_a_rename_committed_while_an_edited_list_saves_is_not_overwritten(
    client, maintainers, monkeypatch
):
    """The Sections list saves every column of each row it saves: a rename committed between
    the list's check of a row and its save would be undone. The check holds the row until
    the save commits, so the rename waits and then applies."""
    from django.urls import reverse

    from catalog.models import Section
    from config.admin_guards import SeenStateForm
    from tests.factories import SectionFactory
    from tests.html_forms import form_fields

    alice, bob = maintainers
    bob.is_superuser = True
    bob.save()
    part = SectionFactory(title="Part", slug="part", position=1)
    first = SectionFactory(title="Agent", slug="agent", parent=part, position=1)
    SectionFactory(title="Math", slug="math", parent=part, position=2)
    client.force_login(bob)
    url = reverse("admin:catalog_section_changelist") + f"?parent__id__exact={part.pk}"
    shown = form_fields(client.get(url).content.decode(), "changelist-form")
    rows = {shown[f"form-{n}-id"][0]: n for n in range(2)}
    shown[f"form-{rows[str(first.pk)]}-position"] = ["3"]
    renames = []
    checked = SeenStateForm.clean

    def check_then_a_rename_arrives(self):
        data = checked(self)
        if self.instance.pk == first.pk and not renames:

            def rename():
                Section.objects.filter(pk=first.pk).update(title="Agents")
                connections.close_all()

            thread = threading.Thread(target=rename)
            thread.start()
            renames.append(thread)
            time.sleep(1)  # a rename not held back by a lock is done well within this
        return data

    monkeypatch.setattr(SeenStateForm, "clean", check_then_a_rename_arrives)
    assert client.post(url, {**shown, "_save": ["Save"]}).status_code == 302
    renames[0].join(timeout=30)
    first.refresh_from_db()
    assert (first.title, first.position) == ("Agents", 3)


def test_a_paper_link_typed_in_the_admin_waits_for_an_approval_of_that_link(
    maintainers, monkeypatch
):
    """An approval of a new paper holds its paper link's lock from its check to its commit; a
    maintainer giving a listed paper that link in the Links admin meanwhile waits, then sees
    the approved paper and is refused: one published record per paper link. (SQLite's BEGIN
    IMMEDIATE serializes the two; PostgreSQL needs the admin's check to take the lock.)"""
    from django.test import Client
    from django.urls import reverse

    from curation import services
    from tests.factories import LinkFactory, PlacementFactory

    section = SectionFactory(title="Debate")
    listed = PlacementFactory(section=section, paper__title="Weak-to-strong debate").paper
    LinkFactory(paper=listed, label="code", url="https://github.com/x/debate")
    submission = new_submission([section])
    checked, go_on = threading.Event(), threading.Event()
    place = services._place

    def place_after_a_pause(paper, sections):
        checked.set()  # the approval checked the link and created the paper, not committed
        go_on.wait(timeout=10)
        return place(paper, sections)

    monkeypatch.setattr(services, "_place", place_after_a_pause)

    def approve():
        return submission_approve(submission=submission, reviewer=maintainers[0])

    def add_the_link():
        checked.wait(timeout=10)
        # The approval commits a moment later (on SQLite the login's session write waits
        # for it already).
        threading.Timer(1.0, go_on.set).start()
        other = Client()
        other.force_login(maintainers[1])
        return other.post(
            reverse("admin:catalog_link_add"),
            {"paper": listed.pk, "label": "paper", "url": "https://arxiv.org/abs/2409.00001"},
        )

    approval, added = run_together(approve, add_the_link)
    assert not isinstance(approval, Exception), approval
    assert added.status_code == 200, added
    assert "already has this paper link" in added.content.decode()
    owners = Paper.objects.published().filter(
        links__label="paper", links__identifier="arxiv:2409.00001"
    )
    assert list(owners) == [approval.paper]


def test_links_typed_in_the_admin_and_an_approval_of_them_do_not_deadlock(maintainers, monkeypatch):
    """Two paper links typed on a paper's page in the other order than an approval of both
    locks them: the page locks every paper link it concerns at once, sorted, as approvals do,
    so one waits for the other instead of a deadlock (PostgreSQL; SQLite serializes)."""
    from django.test import Client
    from django.urls import reverse

    from catalog import admin as catalog_admin
    from tests.factories import PlacementFactory, sent_submission

    section = SectionFactory(title="Debate")
    listed = PlacementFactory(section=section, paper__title="Some listed paper").paper
    reviewer = maintainers[0]
    superuser = type(reviewer).objects.create_superuser("root", "r@example.org", "pw")
    # Sorted, the approval locks paper:arxiv:… first, then paper:openreview:….
    submission = sent_submission(
        sections=[section],
        links=[
            ("paper", "https://arxiv.org/abs/2409.00001"),
            ("paper", "https://openreview.net/forum?id=abc123"),
        ],
    )
    admin_first = threading.Event()
    real_lock = catalog_admin.paper_links_lock
    calls = []

    def admin_lock(identifiers):
        real_lock(identifiers)
        calls.append(identifiers)
        if len(calls) == 1:
            admin_first.set()
            time.sleep(0.6)  # the approval takes the arXiv lock and waits for OpenReview's

    monkeypatch.setattr(catalog_admin, "paper_links_lock", admin_lock)

    def edit():
        client = Client()
        client.force_login(superuser)
        data = {
            "title": listed.title,
            "authors": listed.authors,
            "venue": listed.venue,
            "year": listed.year,
            "links-TOTAL_FORMS": 2,
            "links-INITIAL_FORMS": 0,
            "links-0-position": 1,
            "links-0-label": "paper",
            "links-0-url": "https://openreview.net/forum?id=abc123",
            "links-1-position": 2,
            "links-1-label": "paper",
            "links-1-url": "https://arxiv.org/abs/2409.00001",
            "placements-TOTAL_FORMS": 0,
            "placements-INITIAL_FORMS": 0,
        }
        return client.post(reverse("admin:catalog_paper_change", args=[listed.pk]), data)

    def approve():
        admin_first.wait(timeout=10)
        time.sleep(0.1)
        return submission_approve(submission=submission, reviewer=reviewer)

    results = run_together(edit, approve)
    # A refusal (the other committed first) is fine; an error is not.
    errors = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, TransitionRefused)
    ]
    assert not errors, errors
    assert calls, "the page's locks were not reached: the test proves nothing"
    assert isinstance(results[1], TransitionRefused) or results[0].status_code == 200
    # One record per paper link: the paper admin's rows were refused, or the approval was.
    assert Link.objects.filter(identifier="arxiv:2409.00001").count() == 1
