"""Submissions proposed by the public and the audit trail of their review.

A submission never touches the catalog until a maintainer approves it; the state moves only
through the service functions in curation/services.py.
"""

from __future__ import annotations

import hashlib
import secrets
from operator import itemgetter

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog import identifiers
from catalog.models import Link, Paper, Section, in_reading_order
from catalog.validators import LINK_MAX_BYTES, MaxUTF8BytesValidator


def new_status_token() -> str:
    # 256 bits: the private status link is the contributor's only credential.
    return secrets.token_urlsafe(32)


def status_token_digest(token: str) -> str:
    """What status links are looked up by: the database compares digests, never the token, so
    the lookup's timing tells nothing about a stored token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SubmissionQuerySet(models.QuerySet):
    def open(self) -> SubmissionQuerySet:
        """Waiting for someone: the maintainers (pending) or the contributor (changes)."""
        return self.filter(state__in=Submission.OPEN_STATES)


class Submission(models.Model):
    class Kind(models.TextChoices):
        NEW_PAPER = "new", "New paper"
        CORRECTION = "correction", "Correction"

    class State(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved and published"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Waiting for someone: the maintainers (pending) or the contributor (changes requested).
    OPEN_STATES = (State.PENDING, State.CHANGES_REQUESTED)

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEW_PAPER)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    paper = models.ForeignKey(
        Paper,
        null=True,
        blank=True,
        related_name="submissions",
        on_delete=models.SET_NULL,
        help_text="The paper a correction is about; the published paper once approved.",
    )

    # What was proposed: for a correction, the whole desired record.
    title = models.CharField(max_length=500)
    authors = models.CharField(max_length=500)
    venue = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sections = models.ManyToManyField(Section, related_name="submissions")
    original = models.JSONField(
        default=dict, blank=True, help_text="The paper as it was when a correction was sent."
    )

    contributor_name = models.CharField(max_length=200)
    contributor_email = models.EmailField(blank=True)
    is_author = models.BooleanField("I am an author of this paper", default=False)
    note = models.TextField("Note to the maintainers", blank=True, max_length=5000)

    duplicate_papers = models.ManyToManyField(
        Paper, blank=True, related_name="suspected_duplicate_submissions"
    )
    duplicate_submissions = models.ManyToManyField("self", blank=True, symmetrical=False)
    duplicate_suspected = models.BooleanField(default=False, db_index=True)

    token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="reviewed_submissions",
        # A decision keeps who made it: an approval needs its reviewer (the constraint below),
        # so a maintainer who decided anything is deactivated, not deleted (accounts admin).
        on_delete=models.PROTECT,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_submission", "Can review and publish submissions")]
        constraints = [
            # An open correction needs its paper; a closed one keeps its history when the
            # paper is later deleted (curation.services.paper_delete closes open ones first).
            models.CheckConstraint(
                condition=~Q(kind="correction")
                | Q(paper__isnull=False)
                | Q(state__in=["approved", "rejected", "withdrawn"]),
                name="submission_open_correction_has_paper",
            ),
            models.CheckConstraint(
                condition=~Q(state="approved")
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="submission_approval_has_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="submission_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.token_digest = status_token_digest(self.token)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def proposes_sections_only(self) -> bool:
        """A correction that leaves the entry as it was and changes only its sections (the
        form's "propose adding this paper to my sections"). One query, for the links."""
        if self.kind != self.Kind.CORRECTION or not self.original:
            return False
        fields = ("title", "authors", "venue", "year")
        if any(getattr(self, name) != self.original.get(name) for name in fields):
            return False
        # Compared as the README lists them: the snapshot and the rows may be in other orders.
        links = links_as_listed((link.label, link.url) for link in self.links.all())
        return links == links_as_listed(self.original.get("links") or [])


def links_as_listed(links) -> list[list[str]]:
    """(label, url) pairs as [label, url] in the README's order (by kind, then as given): a
    paper stores its blog before its paper link, the form lists the paper link first, and the
    two are the same links. For comparing snapshots, stored ones included."""
    return [[label, url] for label, url in in_reading_order(links, label=itemgetter(0))]


class SubmissionLink(models.Model):
    submission = models.ForeignKey(Submission, related_name="links", on_delete=models.CASCADE)
    label = models.CharField(max_length=20, choices=Link.Label.choices)
    url = models.URLField(max_length=1000, validators=[MaxUTF8BytesValidator(LINK_MAX_BYTES)])
    position = models.PositiveIntegerField(default=1)
    identifier = models.CharField(
        max_length=identifiers.MAX_IDENTIFIER_LENGTH, blank=True, db_index=True, editable=False
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "url"], name="submission_link_unique_url"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.label}] {self.url}"

    def save(self, *args, **kwargs) -> None:
        self.identifier = identifiers.identifier_for_url(self.url)
        super().save(*args, **kwargs)


class SubmissionEvent(models.Model):
    """One row per state change (and per duplicate found later): who, when, from what to
    what, and why."""

    class Action(models.TextChoices):
        CREATED = "created", "Sent"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        RESUBMITTED = "resubmitted", "Edited and resent"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # Not a state change: a like paper or submission came after it (maintainers only).
        FLAGGED = "flagged", "Flagged as a possible duplicate"
        # Not a state change: a section it proposed was deleted; the row keeps its name.
        SECTION_DELETED = "section_deleted", "A proposed section was deleted"

    submission = models.ForeignKey(Submission, related_name="events", on_delete=models.CASCADE)
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(
        max_length=200, help_text="The maintainer's username, or “contributor”."
    )
    note = models.TextField(blank=True)
    detail = models.TextField(
        "also changed",
        blank=True,
        # A default in the database too: hosts still running the code before this column
        # insert events without it while a deploy rolls out.
        db_default="",
        help_text="What else the action changed, e.g. the contributor's address (old → new).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label}"
