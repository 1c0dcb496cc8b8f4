"""Business actions on submissions. Each is one transaction, refuses a submission that is no
longer in a state it may leave, writes a SubmissionEvent (and, for maintainers, an admin log
entry), and defers side effects (email, README regeneration) until the commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog import identifiers
from catalog.models import Link, Paper, Placement, Section, position_after
from catalog.readme.export import regenerate_readme_file, render_entry
from catalog.selectors import paper_link_owner, section_tree
from catalog.services import (
    admin_history_log,
    advisory_locks,
    paper_links_lock,
    paper_relisting_twin,
)
from curation import notifications
from curation.duplicates import DuplicateReport, find_duplicates
from curation.models import Submission, SubmissionEvent, SubmissionLink, links_as_listed

logger = logging.getLogger(__name__)

State = Submission.State
Action = SubmissionEvent.Action

# Which states each action may leave.
LEAVES = {
    Action.APPROVED: {State.PENDING},
    Action.REJECTED: {State.PENDING, State.CHANGES_REQUESTED},
    Action.CHANGES_REQUESTED: {State.PENDING},
    Action.WITHDRAWN: {State.PENDING, State.CHANGES_REQUESTED},
    Action.RESUBMITTED: {State.CHANGES_REQUESTED},
}


class TransitionRefused(Exception):
    """The submission is not in a state this action may leave."""


@dataclass(frozen=True)
class SubmissionContent:
    """What a contributor proposes: the entry as it should read."""

    title: str
    authors: str
    venue: str
    year: int | None
    links: list[tuple[str, str]]  # (label, url), in order
    sections: list[Section]


@dataclass(frozen=True)
class Contributor:
    name: str
    email: str = ""
    is_author: bool = False
    note: str = ""


@dataclass
class Outcome:
    """The result of an action, with what the maintainer should be told beside it (problems
    met by its after-commit side effects, a correction that changed nothing)."""

    submission: Submission
    paper: Paper | None = None
    warnings: list[str] = field(default_factory=list)


def content_from_paper(paper: Paper, **changes) -> SubmissionContent:
    """The paper as published, as a proposal; `changes` replace fields (a correction)."""
    values = {
        "title": paper.title,
        "authors": paper.authors,
        "venue": paper.venue,
        "year": paper.year,
        "links": [(link.label, link.url) for link in paper.links.all()],
        "sections": [placement.section for placement in paper.placements.all()],
    }
    values.update(changes)
    return SubmissionContent(**values)


def content_from_submission(submission: Submission) -> SubmissionContent:
    """The entry a submission proposes, from its stored fields, links and sections."""
    return SubmissionContent(
        title=submission.title,
        authors=submission.authors,
        venue=submission.venue,
        year=submission.year,
        links=[(link.label, link.url) for link in submission.links.all()],
        sections=list(submission.sections.all()),
    )


def content_readme_line(content: SubmissionContent) -> str:
    """The entry's README line, by the export's own renderer from unsaved rows: exactly what
    approval would publish."""
    paper = Paper(
        title=content.title, authors=content.authors, venue=content.venue, year=content.year
    )
    links = [
        Link(label=label, url=url, position=position)
        for position, (label, url) in enumerate(content.links, start=1)
    ]
    return render_entry(paper, links)


SUSPECTED_DUPLICATE = (
    "Not sent: it may already be listed. If yours is a different paper, tick this box and say "
    "in the note how it differs."
)
# The advisory lock's key that every new paper's send holds while it checks and stores.
NEW_PAPER_SEND_LOCK = "send:new-paper"
NO_CHANGE = (
    "This changes nothing in the list: the paper already reads this way and is in these "
    "sections. Edit a field, a link or the sections, or leave the paper as it is."
)


def correction_changes_nothing(*, paper: Paper, content: SubmissionContent) -> bool:
    """Approving `content` as a correction of `paper` would leave its README line and its
    sections as they are (a trailing period or the order of different kinds of links, which the
    README does not show, is no change)."""
    current = content_from_paper(paper)
    return content_readme_line(content) == content_readme_line(current) and {
        section.pk for section in content.sections
    } == {section.pk for section in current.sections}


def content_snapshot(content: SubmissionContent) -> dict:
    """A JSON-able record of an entry, comparable field by field."""
    return {
        "title": content.title,
        "authors": content.authors,
        "venue": content.venue,
        "year": content.year,
        "links": links_as_listed(content.links),
        "sections": sorted(section.pk for section in content.sections),
    }


def paper_snapshot(paper: Paper) -> dict:
    return content_snapshot(content_from_paper(paper))


@dataclass(frozen=True)
class CorrectionField:
    """One field of a correction, three ways: as the paper was when the correction was sent,
    as it is now, and as the contributor proposes it."""

    name: str
    original: object
    current: object
    proposed: object

    @property
    def changed(self) -> bool:
        """The contributor changed it (relative to what they saw)."""
        return self.proposed != self.original

    @property
    def conflict(self) -> bool:
        """Changed by the contributor and, differently, on the paper since."""
        return self.changed and self.current not in (self.original, self.proposed)

    @property
    def result(self) -> object:
        """The value approval leaves: the proposal where the contributor changed it, else the
        paper's current value (approving an older correction never undoes a newer edit)."""
        return self.proposed if self.changed else self.current


def correction_fields(submission: Submission, paper: Paper | None = None) -> list[CorrectionField]:
    """The three-way view of a correction against its paper (`paper`: a locked copy)."""
    original = dict(submission.original)
    if original.get("links") is not None:
        original["links"] = links_as_listed(original["links"])  # stored before it was sorted
    current = paper_snapshot(paper or submission.paper)
    proposed = submission_snapshot(submission)
    return [
        CorrectionField(name, original.get(name), current[name], proposed[name])
        for name in proposed
    ]


def correction_result(submission: Submission) -> SubmissionContent:
    """The entry as approving this correction would publish it (see CorrectionField.result)."""
    fields = {item.name: item for item in correction_fields(submission)}
    paper, sent = submission.paper, content_from_submission(submission)
    return SubmissionContent(
        title=fields["title"].result,
        authors=fields["authors"].result,
        venue=fields["venue"].result,
        year=fields["year"].result,
        links=sent.links
        if fields["links"].changed
        else [(link.label, link.url) for link in paper.links.all()],
        sections=sent.sections
        if fields["sections"].changed
        else [placement.section for placement in paper.placements.all()],
    )


def content_from_snapshot(snapshot: dict) -> SubmissionContent:
    """An entry as `content_snapshot` recorded it (a correction's paper as it was when sent).
    Its sections stand as their ids only, deleted ones included (see entry_change_list)."""
    return SubmissionContent(
        title=snapshot.get("title", ""),
        authors=snapshot.get("authors", ""),
        venue=snapshot.get("venue", ""),
        year=snapshot.get("year"),
        links=[(label, url) for label, url in snapshot.get("links", [])],
        sections=[Section(pk=pk) for pk in snapshot.get("sections", [])],
    )


def correction_change_list(submission: Submission) -> list[str]:
    """What a correction proposes to change, against its paper as it was when it was sent
    (`entry_change_list`); empty for a new paper."""
    if submission.kind != Submission.Kind.CORRECTION or not submission.original:
        return []
    return entry_change_list(
        content_from_snapshot(submission.original), content_from_submission(submission)
    )


def submission_snapshot(submission: Submission) -> dict:
    return content_snapshot(content_from_submission(submission))


def open_submissions_cap_message() -> str:
    return (
        f"You already have {settings.SUBMISSION_MAX_PENDING_PER_EMAIL} submissions waiting for "
        "review; please wait for a decision before sending more."
    )


def at_open_submissions_cap(email: str, *, other_than: Submission | None = None) -> bool:
    """Whether `email` already has as many open submissions as one address may have."""
    if not email:
        return False
    open_ones = Submission.objects.open().filter(contributor_email__iexact=email)
    if other_than is not None:
        open_ones = open_ones.exclude(pk=other_than.pk)
    return open_ones.count() >= settings.SUBMISSION_MAX_PENDING_PER_EMAIL


def _refuse_over_cap(email: str, *, other_than: Submission | None = None) -> None:
    """The cap, counted inside the writing transaction: the form's count alone let parallel
    sends all pass. An advisory lock on the address makes them count one after another."""
    if email:
        # Upper-cased by the database, as the count's case-insensitive match is.
        advisory_locks([email], key_sql="'email:' || upper(%s)")
    if at_open_submissions_cap(email, other_than=other_than):
        raise ValidationError({"contributor_email": open_submissions_cap_message()})


@transaction.atomic
def submission_create(
    *,
    content: SubmissionContent,
    contributor: Contributor,
    paper: Paper | None = None,
    refuse_suspected_duplicates: bool = False,
) -> Submission:
    """A new paper, or (with `paper`) a correction of that published paper. A correction that
    changes nothing is refused (ValidationError), as the forms refuse it.

    `refuse_suspected_duplicates`: the public form's rule for a new paper sent without "send
    it anyway": refused (ValidationError on `send_anyway`) if it may duplicate a published
    paper or an open submission. Checked here, after waiting for any other send of the same
    paper link or title, so two identical sends at once (a double click) store one."""
    if paper is not None and correction_changes_nothing(paper=paper, content=content):
        raise ValidationError(NO_CHANGE)
    _refuse_over_cap(contributor.email)
    submission = Submission(
        kind=Submission.Kind.CORRECTION if paper else Submission.Kind.NEW_PAPER,
        paper=paper,
        original=paper_snapshot(paper) if paper else {},
        contributor_name=contributor.name,
        contributor_email=contributor.email,
        is_author=contributor.is_author,
        note=contributor.note,
        **_scalar_fields(content),
    )
    _refuse_invalid(submission, content)
    if paper is None:
        # No row exists yet to lock: advisory locks stand in. One per paper link, which
        # approvals take too (_lock_identifiers); and one that every new paper's send takes,
        # so sends check for duplicates one after another and each sees the one before it,
        # near-identical titles under other links included. Sends are rare and short beside
        # the rate limit; SQLite's BEGIN IMMEDIATE serializes them the same way.
        advisory_locks(
            [
                f"paper:{identifiers.identifier_for_url(url)}"
                for label, url in content.links
                if label == Link.Label.PAPER
            ]
            + [NEW_PAPER_SEND_LOCK]
        )
        # After the locks: an approval publishing this paper link meanwhile has committed.
        _refuse_listed_paper_link(content)
    submission.save()
    found = _store_content(submission, content)
    if refuse_suspected_duplicates and paper is None and found:
        raise ValidationError({"send_anyway": SUSPECTED_DUPLICATE})  # rolls back the save
    _record(submission, Action.CREATED, from_state="", actor=None, note=contributor.note)
    if submission.contributor_email:
        transaction.on_commit(lambda: _send_received(submission))
    return submission


@transaction.atomic
def submission_resubmit(
    *,
    submission: Submission,
    content: SubmissionContent,
    note: str = "",
    contributor: Contributor | None = None,
) -> Submission:
    """The contributor's edit after changes were requested; back to the queue. A correction
    edited back to the published paper changes nothing and is refused, as at creation. With
    `contributor`, their name, address and authorship as edited are kept too."""
    submission = _lock(submission, Action.RESUBMITTED)
    correction = submission.kind == Submission.Kind.CORRECTION and submission.paper is not None
    if correction and correction_changes_nothing(paper=submission.paper, content=content):
        raise ValidationError(NO_CHANGE)
    # What the resend changed, for the reviewer: the entry, then the contact.
    changes = entry_change_list(content_from_submission(submission), content)
    for name, value in _scalar_fields(content).items():
        setattr(submission, name, value)
    if contributor is not None:
        _refuse_over_cap(contributor.email, other_than=submission)
        changes.append(_contact_changes(submission, contributor))
        submission.contributor_name = contributor.name
        submission.contributor_email = contributor.email
        submission.is_author = contributor.is_author
    if note:
        submission.note = note
    _refuse_invalid(submission, content)
    if submission.kind == Submission.Kind.NEW_PAPER:
        _refuse_listed_paper_link(content)
    previous = submission.state
    submission.state = State.PENDING
    submission.save()
    submission.links.all().delete()
    _store_content(submission, content)
    _record(
        submission,
        Action.RESUBMITTED,
        from_state=previous,
        actor=None,
        note=note,
        detail="; ".join(change for change in changes if change),
    )
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    submission = _lock(submission, Action.WITHDRAWN)
    previous = submission.state
    submission.state = State.WITHDRAWN
    submission.save(update_fields=["state", "updated_at"])
    _record(submission, Action.WITHDRAWN, from_state=previous, actor=None)
    return submission


def submission_approve(
    *,
    submission: Submission,
    reviewer: AbstractBaseUser,
    note: str = "",
    overriding: Collection[str] = (),
    seen_version: str | None = None,
    seen_paper_version: str | None = None,
) -> Outcome:
    """Publish: a new paper with its placements, or the correction applied to its paper.

    `overriding`: the fields of a correction in conflict (changed on the paper since it was
    sent) that the reviewer, having compared them, takes from the correction all the same.
    `seen_version`: the submission as the reviewer saw it (`submission_version`);
    `seen_paper_version`: for a correction, its paper as the page compared it with
    (`paper_version`): an approval over a later edit of the paper is refused, since the
    page showed another merge."""
    outcome = Outcome(submission=submission)
    detail = ""
    with transaction.atomic():
        submission = _lock(submission, Action.APPROVED, seen_version=seen_version)
        transaction.on_commit(_readme_file_regeneration(outcome))
        if not submission.sections.exists():
            raise TransitionRefused(
                "This submission has no section left (its sections were deleted); "
                "request changes so the contributor picks one."
            )
        if submission.kind == Submission.Kind.CORRECTION:
            # Made moot since it was sent (an edit, another correction): approved all the
            # same, and the maintainer told, rather than "published" alone.
            if correction_changes_nothing(
                paper=submission.paper, content=correction_result(submission)
            ):
                outcome.warnings.append(
                    f"“{submission.title}” changed nothing: the paper already read this way."
                )
            paper, changed, overridden = _apply_correction(
                submission, overriding=overriding, seen_paper_version=seen_paper_version
            )
            flag, message = CHANGE, f"Corrected ({', '.join(changed)})"
            if overridden:
                detail = (
                    "Took the correction's value over a newer change to the paper: "
                    + ", ".join(overridden)
                )
                message += f", over a newer change to {', '.join(overridden)},"
        else:
            paper = _publish_new_paper(submission)
            flag, message = ADDITION, "Published"
        # The paper's own admin history names the approval, as an edit in the admin would.
        admin_history_log(
            actor=reviewer,
            model=Paper,
            pk=paper.pk,
            message=f"{message} by approving submission {submission.pk}",
            flag=flag,
        )
        submission.paper = paper
        _decide(submission, State.APPROVED, Action.APPROVED, reviewer, note, outcome, detail)
        _flag_open_duplicates_of(paper, approved=submission)
        outcome.submission, outcome.paper = submission, paper
    return outcome


def submission_reject(
    *,
    submission: Submission,
    reviewer: AbstractBaseUser,
    note: str,
    seen_version: str | None = None,
) -> Outcome:
    return _decide_without_publishing(
        submission=submission,
        reviewer=reviewer,
        note=note,
        action=Action.REJECTED,
        seen_version=seen_version,
    )


def submission_request_changes(
    *,
    submission: Submission,
    reviewer: AbstractBaseUser,
    note: str,
    seen_version: str | None = None,
) -> Outcome:
    return _decide_without_publishing(
        submission=submission,
        reviewer=reviewer,
        note=note,
        action=Action.CHANGES_REQUESTED,
        seen_version=seen_version,
    )


def paper_delete(*, paper: Paper, actor: AbstractBaseUser) -> int:
    """Remove a paper from the catalog. Open corrections of it are rejected first (audited,
    the contributor told), so no open submission points at nothing. Returns how many."""
    corrections = Submission.objects.open().filter(kind=Submission.Kind.CORRECTION)
    with transaction.atomic():
        # Its open corrections first, then the paper: the order an approval locks them in
        # (the submission, then its paper), so a delete and an approval cannot deadlock.
        list(corrections.filter(paper_id=paper.pk).select_for_update().order_by("pk"))
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        open_corrections = list(corrections.filter(paper=paper))
        for correction in open_corrections:
            submission_reject(
                submission=correction,
                reviewer=actor,
                note=f"The paper “{paper.title}” was removed from the list.",
            )
        paper.delete()
    return len(open_corrections)


# Helpers -----------------------------------------------------------------------------------


def _decide_without_publishing(
    *,
    submission: Submission,
    reviewer: AbstractBaseUser,
    note: str,
    action: str,
    seen_version: str | None = None,
) -> Outcome:
    """Reject or send back: the state, the audit rows and the email; the catalog is untouched."""
    outcome = Outcome(submission=submission)
    with transaction.atomic():
        submission = _lock(submission, action, seen_version=seen_version)
        # The action's value names the state it leads to.
        _decide(submission, State(action), action, reviewer, note, outcome)
        outcome.submission = submission
    return outcome


def _scalar_fields(content: SubmissionContent) -> dict:
    return {
        "title": content.title,
        "authors": content.authors,
        "venue": content.venue,
        "year": content.year,
    }


def _refuse_invalid(submission: Submission, content: SubmissionContent) -> None:
    """What the database would refuse (too long, a year out of range, a link that is not a
    URL, a NUL character), refused first with a ValidationError that says which field."""
    errors: dict[str, list[str]] = {}
    try:
        submission.full_clean(exclude=["token", "token_digest", "original"], validate_unique=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    for position, (label, url) in enumerate(content.links, start=1):
        try:
            SubmissionLink(label=label, url=url, position=position).clean_fields(
                exclude=["submission"]
            )
        except ValidationError as error:
            errors[f"link {position}"] = [m for ms in error.message_dict.values() for m in ms]
    for name in ("title", "authors", "venue", "contributor_name", "contributor_email", "note"):
        if "\x00" in getattr(submission, name):
            errors.setdefault(name, []).append("Null characters are not allowed.")
    if errors:
        raise ValidationError(errors)


def _store_content(submission: Submission, content: SubmissionContent) -> DuplicateReport:
    """Stores the links and sections, and flags what the submission may duplicate; returns
    what the duplicate check found (as the form's check would)."""
    for position, (label, url) in enumerate(content.links, start=1):
        SubmissionLink(submission=submission, label=label, url=url, position=position).save()
    submission.sections.set(content.sections)
    duplicates = find_duplicates(
        title=content.title,
        urls=[url for _label, url in content.links],
        exclude_paper_id=submission.paper_id if submission.kind == "correction" else None,
        exclude_submission_id=submission.pk,
    )
    # And, the other way round, an open submission giving this one's paper link under another
    # label (its blog post of the paper): had it been sent later, its check would have found
    # this one, so the two are flagged with each other whatever the order they came in.
    paper_ids = {
        identifiers.identifier_for_url(url)
        for label, url in content.links
        if label == Link.Label.PAPER
    }
    giving_its_link = (
        Submission.objects.open()
        .filter(links__identifier__in=paper_ids - {""})
        .exclude(pk=submission.pk)
        .exclude(pk__in=[other.pk for other in duplicates.submissions])
    )
    if submission.kind == Submission.Kind.CORRECTION:
        giving_its_link = giving_its_link.exclude(
            kind=Submission.Kind.CORRECTION, paper_id=submission.paper_id
        )
    similar = [*duplicates.submissions, *giving_its_link.distinct().order_by("-created_at")]
    submission.duplicate_papers.set(duplicates.papers)
    submission.duplicate_submissions.set(similar)
    submission.duplicate_suspected = bool(duplicates.papers or similar)
    submission.save(update_fields=["duplicate_suspected"])
    # Each open submission it may duplicate learns of it too, as if sent after it.
    for other in similar:
        _flag_duplicate_after_commit(other, submission=submission)
    return duplicates


def _flag_open_duplicates_of(paper: Paper, *, approved: Submission) -> None:
    """Open submissions that may duplicate `paper`, just published or corrected by
    `approved`, are flagged with it, as if sent after it: the queue, their review pages and
    bulk approval see it."""
    paper_links = [link for link in paper.links.all() if link.label == Link.Label.PAPER]
    found = find_duplicates(
        title=paper.title,
        urls=[link.url for link in paper_links],
        exclude_paper_id=paper.pk,  # its own corrections are not duplicates of it
        exclude_submission_id=approved.pk,
    )
    # And, as a send would find it, one giving its paper link under another label.
    giving_its_link = (
        Submission.objects.open()
        .filter(links__identifier__in=[link.identifier for link in paper_links if link.identifier])
        .exclude(pk=approved.pk)
        .exclude(kind=Submission.Kind.CORRECTION, paper_id=paper.pk)
        .distinct()
    )
    for other in {*found.submissions, *giving_its_link}:
        _flag_duplicate_after_commit(other, paper=paper, actor=approved.reviewed_by)


def _flag_duplicate_after_commit(
    suspect: Submission,
    *,
    paper: Paper | None = None,
    submission: Submission | None = None,
    actor: AbstractBaseUser | None = None,
) -> None:
    """Once this transaction commits, mark the open submission `suspect` as a possible
    duplicate of `paper` or `submission`, found after it was sent. Its version changes (see
    `_lock`): a decision from its page opened before is taken again, with the duplicate in
    view. After the commit, in a transaction of its own: an approval of `suspect` running
    meanwhile holds its row and may wait for this one's locks (one paper link), so taking
    the row here would deadlock the two."""

    def flag() -> None:
        with transaction.atomic():
            locked = (
                Submission.objects.open()
                .select_for_update(no_key=True)
                .filter(pk=suspect.pk)
                .first()
            )
            if locked is None:  # decided meanwhile
                return
            if paper is not None:
                if locked.duplicate_papers.filter(pk=paper.pk).exists():
                    return
                locked.duplicate_papers.add(paper)
                why = f"Like paper {paper.pk}, “{paper.title}”, published after it was sent"
            if submission is not None:
                if locked.duplicate_submissions.filter(pk=submission.pk).exists():
                    return
                locked.duplicate_submissions.add(submission)
                why = f"Like submission {submission.pk}, “{submission.title}”, sent after it"
            locked.duplicate_suspected = True
            locked.save(update_fields=["duplicate_suspected", "updated_at"])
            # Who made it come up: the approving maintainer, or the later contributor.
            _record(locked, Action.FLAGGED, from_state=locked.state, actor=actor, detail=why)

    transaction.on_commit(flag, robust=True)  # a failure is logged; the decision stands


def submission_version(submission: Submission) -> str:
    """What a review page shows the submission as: a decision taken from the page names it,
    and is refused if the submission changed since (see `_lock`)."""
    return submission.updated_at.isoformat()


def paper_version(paper: Paper) -> str:
    """A correction's paper as its review page compares it: its fields, links and sections. An
    approval from the page is refused if this changed since (`_apply_correction`), through
    the paper's own form or through the Links and Placements lists, which leave the paper's
    updated_at alone."""
    snapshot = json.dumps(paper_snapshot(paper), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(snapshot.encode()).hexdigest()[:16]
    return f"{paper.updated_at.isoformat()}/{digest}"


def _lock(submission: Submission, action: str, *, seen_version: str | None = None) -> Submission:
    """Re-read the row under a lock so two reviewers cannot both act on it. With
    `seen_version` (a review page's `submission_version`), refuse a submission changed since
    the reviewer saw it: resent with other content, say, which they would decide unseen."""
    # FOR NO KEY UPDATE: a decision changes no key, and a send storing a row that points at
    # this submission (its suspected duplicate) needs a KEY SHARE lock on it at commit while
    # holding the paper link's advisory lock this decision may wait for. FOR UPDATE would
    # make the two wait on each other.
    locked = Submission.objects.select_for_update(no_key=True).get(pk=submission.pk)
    if locked.state not in LEAVES[action]:
        raise TransitionRefused(
            f"This submission is {locked.get_state_display().lower()}; "
            f"it can no longer be {Action(action).label.lower()}."
        )
    if seen_version is not None and submission_version(locked) != seen_version:
        raise TransitionRefused(
            "It changed after you opened it (resent by its contributor, or found to be like "
            "a paper or submission that came later), so nothing was decided: look at it "
            "again, then decide."
        )
    return locked


def _decide(
    submission: Submission,
    state: str,
    action: str,
    reviewer: AbstractBaseUser,
    note: str,
    outcome: Outcome,
    detail: str = "",
) -> None:
    previous = submission.state
    submission.state = state
    submission.reviewed_by = reviewer
    submission.reviewed_at = timezone.now()
    submission.review_note = note
    submission.save()
    _record(submission, action, from_state=previous, actor=reviewer, note=note, detail=detail)
    admin_history_log(
        actor=reviewer,
        model=Submission,
        pk=submission.pk,
        message=f"{Action(action).label}" + (f": {note}" if note else ""),
    )
    if submission.contributor_email:
        transaction.on_commit(lambda: _notify(submission, outcome))


def _record(
    submission: Submission,
    action: str,
    *,
    from_state: str,
    actor,
    note: str = "",
    detail: str = "",
) -> None:
    SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_state=from_state,
        to_state=submission.state,
        actor=actor,
        actor_label=actor.get_username() if actor else "contributor",
        note=note,
        detail=detail,
    )


def _quoted(value: str) -> str:
    # JSON strings: no value can read as another change.
    return json.dumps(value, ensure_ascii=False)


def _by_label(links: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for label, url in links:
        grouped.setdefault(label, []).append(url)
    return grouped


def entry_change_list(before: SubmissionContent, after: SubmissionContent) -> list[str]:
    """What changes from `before` to `after`, one line a field: `Venue: "arXiv" → "NeurIPS"`,
    `Links: + code https://…`, `Sections: + 1.5.2 Debate` (added +, removed −)."""
    changes = [
        f"{label}: {_quoted(str(old or ''))} → {_quoted(str(new or ''))}"
        for label, old, new in (
            ("Title", before.title, after.title),
            ("Authors", before.authors, after.authors),
            ("Venue", before.venue, after.venue),
            ("Year", before.year, after.year),
        )
        if old != new
    ]
    links = [f"+ {label} {url}" for label, url in after.links if (label, url) not in before.links]
    links += [f"− {label} {url}" for label, url in before.links if (label, url) not in after.links]
    if links:
        changes.append("Links: " + ", ".join(links))
    elif _by_label(before.links) != _by_label(after.links):
        # The same links; the order of two of one kind changed, and with it the README line
        # (it lists links by kind, then in their order).
        changes.append("Links: reordered")
    nodes = section_tree().by_pk
    old_sections, new_sections = {s.pk for s in before.sections}, {s.pk for s in after.sections}

    def label(pk: int) -> str:
        return nodes[pk].label if pk in nodes else str(pk)

    moved = [f"+ {label(pk)}" for pk in sorted(new_sections - old_sections)]
    moved += [f"− {label(pk)}" for pk in sorted(old_sections - new_sections)]
    if moved:
        changes.append("Sections: " + ", ".join(moved))
    return changes


def _contact_changes(submission: Submission, contributor: Contributor) -> str:
    """`Email: "ada@example.org" → "ada.l@example.org"; I am an author: yes → no`, or "".
    Names and addresses are quoted (JSON strings), so none can read as another change."""
    yes_no = {True: "yes", False: "no"}
    pairs = [
        ("Name", _quoted(submission.contributor_name), _quoted(contributor.name)),
        ("Email", _quoted(submission.contributor_email), _quoted(contributor.email)),
        ("I am an author", yes_no[submission.is_author], yes_no[contributor.is_author]),
    ]
    return "; ".join(f"{what}: {old} → {new}" for what, old, new in pairs if old != new)


def _next_position(section: Section) -> int:
    # At the end, whatever positions were typed.
    return position_after(
        Placement.objects.filter(section=section).aggregate(last=Max("position"))["last"]
    )


def _place(paper: Paper, sections) -> None:
    sections = list(sections)
    # Approvals placing papers in one section wait for each other here, so each reads the
    # other's last position (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers).
    # In primary-key order, so two approvals never each hold a section the other waits for.
    list(
        Section.objects.select_for_update(no_key=True)
        .filter(pk__in=[s.pk for s in sections])
        .order_by("pk")
    )
    for section in sections:
        if not Placement.objects.filter(paper=paper, section=section).exists():
            Placement.objects.create(paper=paper, section=section, position=_next_position(section))


def _lock_identifiers(paper_ids: list[str]) -> None:
    """Two approvals of one paper link (two submissions of the same paper) wait for each other
    until the first commits, so the second's check below sees the first's paper: no row exists
    yet to lock, so a transaction-level advisory lock per identifier stands in (PostgreSQL;
    SQLite's BEGIN IMMEDIATE already serializes writers). Sorted, so none waits in a cycle."""
    paper_links_lock(paper_ids)


def content_paper_link_owner(content: SubmissionContent) -> Paper | None:
    """The published paper that already has one of `content`'s paper links, if any."""
    return paper_link_owner(
        [
            identifiers.identifier_for_url(url)
            for label, url in content.links
            if label == Link.Label.PAPER
        ]
    )


def listed_paper_link_message(paper: Paper, url: str = "") -> str:
    link = f"The paper link {url}" if url else "This paper link"
    return (
        f"{link} is the paper link of “{paper.title}”, already on the list: a paper "
        "link names one paper. Suggest a correction of that paper, or propose adding it to "
        "your sections, instead."
    )


def _refuse_listed_paper_link(content: SubmissionContent) -> None:
    """One record per paper: a new paper whose paper link is already published would be
    refused at approval, so it is refused when sent (the form offers a correction instead).
    The error names the form's paper link field when that link is the listed one, else the
    link itself (another row of kind "paper")."""
    owner = content_paper_link_owner(content)
    if owner is None:
        return
    listed = {link.identifier for link in owner.links.all() if link.label == Link.Label.PAPER}
    paper_urls = [url for label, url in content.links if label == Link.Label.PAPER]
    url = next(u for u in paper_urls if identifiers.identifier_for_url(u) in listed)
    if url == paper_urls[0]:
        raise ValidationError({"paper_url": listed_paper_link_message(owner)})
    raise ValidationError(listed_paper_link_message(owner, url))


def _paper_link_owner(submission: Submission, *, other_than: Paper | None = None) -> Paper | None:
    """Locks the submission's paper links (see `_lock_identifiers`), then `paper_link_owner`."""
    paper_ids = [
        link.identifier for link in submission.links.all() if link.label == Link.Label.PAPER
    ]
    _lock_identifiers(paper_ids)
    return paper_link_owner(paper_ids, other_than=other_than)


def _publish_new_paper(submission: Submission) -> Paper:
    # One record per paper: a paper link already published means this is that paper. Title
    # look-alikes stay the reviewer's call (they may be different papers).
    existing = _paper_link_owner(submission)
    if existing is not None:
        raise TransitionRefused(
            f"“{existing.title}” (paper {existing.pk}) is already published with the same "
            "paper link. Reject this submission, or ask the contributor to propose adding "
            "that paper to their sections."
        )
    paper = Paper.objects.create(
        title=submission.title,
        authors=submission.authors,
        venue=submission.venue,
        year=submission.year,
    )
    for link in submission.links.all():
        Link(paper=paper, label=link.label, url=link.url, position=link.position).save()
    _place(paper, submission.sections.order_by("parent_id", "position", "id"))
    return paper


def _apply_correction(
    submission: Submission,
    *,
    overriding: Collection[str] = (),
    seen_paper_version: str | None = None,
) -> tuple[Paper, list[str], list[str]]:
    """Apply what the correction changed, relative to the paper as it was when it was sent.
    Returns the paper, the fields changed and the conflicts overridden.

    A three-way merge: a field the contributor left alone keeps its current value, so
    approving an older correction cannot undo a newer one; a field both changed differently
    since is a conflict, refused unless the reviewer chose the correction's value for it
    (`overriding`, named as the review page showed the conflicts: a conflict that arose
    after the page was shown is refused too).
    """
    paper = Paper.objects.select_for_update(no_key=True).get(pk=submission.paper_id)
    if seen_paper_version is not None and paper_version(paper) != seen_paper_version:
        raise TransitionRefused(
            "The paper was edited after you opened this page, so the comparison you saw is "
            "out of date and nothing was decided: look at it again, then decide."
        )
    fields = correction_fields(submission, paper)
    proposed = {item.name: item.proposed for item in fields}
    changed = [item.name for item in fields if item.changed]
    conflicts = [item.name for item in fields if item.conflict]
    unresolved = [name for name in conflicts if name not in overriding]
    if unresolved:
        raise TransitionRefused(
            "The paper changed since this correction was sent ("
            + ", ".join(unresolved)
            + "); compare again, then approve with the correction's values, ask the "
            "contributor to resend, or reject."
        )

    if "links" in changed:
        # One record per paper: a correction may not give it another listed paper's link.
        owner = _paper_link_owner(submission, other_than=paper)
        if owner is not None:
            raise TransitionRefused(
                f"This correction gives the paper the paper link of “{owner.title}” (paper "
                f"{owner.pk}), already published. Reject it, or ask the contributor to resend "
                "it with the right link."
            )

    for name in ("title", "authors", "venue", "year"):
        if name in changed:
            setattr(paper, name, proposed[name])
    paper.save()

    if "links" in changed:
        wanted_links = list(submission.links.all())
        paper.links.exclude(url__in=[link.url for link in wanted_links]).delete()
        existing = {link.url: link for link in paper.links.all()}
        for link in wanted_links:
            kept = existing.get(link.url) or Link(paper=paper, url=link.url)
            kept.label, kept.position = link.label, link.position
            kept.save()

    if "sections" in changed:
        # Off the list since it was sent, its paper link (as now corrected) may have been
        # published since with another record.
        twin = paper_relisting_twin(paper=paper)
        if twin is not None:
            raise TransitionRefused(
                f"This paper is in no section now, and “{twin.title}” (paper {twin.pk}) was "
                "published since with its paper link: approving would list one paper twice. "
                "Reject this correction, or place that paper instead."
            )

    if "sections" in changed:
        wanted = list(submission.sections.all())
        paper.placements.exclude(section__in=wanted).delete()
        _place(paper, wanted)
    if not paper.placements.exists():
        # Taken off the list after it was sent: approving would publish nothing, yet tell the
        # contributor it was published.
        raise TransitionRefused(
            "This paper is in no section now (it was taken off the list after the correction "
            "was sent), so approving would publish nothing. Place the paper in a section "
            "again first, or reject the correction."
        )
    return paper, changed, [name for name in conflicts if name in overriding]


def _notify(submission: Submission, outcome: Outcome) -> None:
    try:
        notifications.send_decision(submission)
    except Exception as exc:  # a failed email never undoes a decision
        logger.exception("Could not email the contributor of submission %s", submission.pk)
        outcome.warnings.append(
            f"The decision stands, but the email to {submission.contributor_email} failed: {exc}"
        )


def _send_received(submission: Submission) -> None:
    try:
        notifications.send_received(submission)
    except Exception:  # the submission stands; its page shows the link all the same
        logger.exception("Could not email the status link of submission %s", submission.pk)


def _readme_file_regeneration(outcome: Outcome):
    """The on-commit rewrite of the README file for an approval, which tells the maintainer if
    it failed. Scheduled before the approval writes to the catalog, so the rewrite every
    catalog change schedules (catalog.readme.export) sees it and is not scheduled twice."""

    def regenerate() -> None:
        failure = regenerate_readme_file()
        if failure:  # the approval stands; the maintainer is told
            outcome.warnings.append(f"Published, but {failure}")

    regenerate.regenerates_readme_file = True
    return regenerate


@transaction.atomic
def sections_delete(*, sections: list[Section], actor: AbstractBaseUser) -> None:
    """Deletes sections, in one transaction. The submissions that proposed one lose their
    link to it with it, so each keeps a row in its history naming the section and who deleted
    it. The admin refuses first a section an open submission proposes (one that still loses
    its last section is told to ask for changes, see submission_approve), and PROTECT one
    with papers or subsections."""
    tree = section_tree()
    # Every submission concerned locked at once, in primary-key order, as other actions lock.
    proposing = Submission.objects.filter(sections__in=sections).values("pk")
    list(Submission.objects.filter(pk__in=proposing).select_for_update(no_key=True).order_by("pk"))
    for section in sections:
        node = tree.by_pk.get(section.pk)
        label = f"{node.number} {section.title}" if node else section.title
        for submission in Submission.objects.filter(sections=section).order_by("pk"):
            _record(
                submission,
                Action.SECTION_DELETED,
                from_state=submission.state,
                actor=actor,
                note=f"The section “{label}”, which this submission proposed, was deleted.",
            )
    Section.objects.filter(pk__in=[section.pk for section in sections]).delete()
