"""Actions of the data-quality tools: storing link checks, proposing metadata corrections.

Corrections are never applied here: they become correction submissions that maintainers
review like any other (curation.services.submission_create), so every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog.models import Link, Paper
from curation.models import Submission
from curation.services import (
    Contributor,
    SubmissionContent,
    content_snapshot,
    correction_changes_nothing,
    submission_create,
    submission_snapshot,
)
from quality.links import LinkResult
from quality.models import LinkCheck

# Who refresh_metadata's proposals come from, in the review queue.
REFRESH_CONTRIBUTOR = "refresh_metadata (automatic check)"


@transaction.atomic
def link_checks_store(*, results: Iterable[LinkResult]) -> int:
    """Record each link's latest check (one row per link, replaced on every run)."""
    now = timezone.now()
    results = list(results)
    # A run takes minutes; a link deleted meanwhile (a correction, an admin edit) is skipped
    # rather than failing the whole batch on its foreign key.
    alive = set(
        Link.objects.filter(pk__in=[r.link_id for r in results]).values_list("pk", flat=True)
    )
    stored = 0
    for result in results:
        if result.link_id not in alive:
            continue
        LinkCheck.objects.update_or_create(
            link_id=result.link_id,
            defaults={
                "checked_at": now,
                "outcome": result.outcome,
                "status_code": result.status_code,
                "method": result.method,
                "final_url": result.final_url[:1000],
                "detail": result.detail[:500],
            },
        )
        stored += 1
    return stored


@dataclass(frozen=True)
class Proposal:
    paper: Paper
    content: SubmissionContent
    reason: str


def _same_content(submission: Submission, content: SubmissionContent) -> bool:
    return submission_snapshot(submission) == content_snapshot(content)


@transaction.atomic
def metadata_correction_propose(*, proposal: Proposal) -> Submission | None:
    """A correction submission for the paper, unless the same one is already open."""
    paper = Paper.objects.select_for_update().get(pk=proposal.paper.pk)
    open_ones = (
        Submission.objects.open()
        .filter(paper=paper, kind=Submission.Kind.CORRECTION, contributor_name=REFRESH_CONTRIBUTOR)
        .prefetch_related("links", "sections")
    )
    if any(_same_content(submission, proposal.content) for submission in open_ones):
        return None
    if correction_changes_nothing(paper=paper, content=proposal.content):
        return None  # a difference the README does not show (a period, the order of kinds)
    return submission_create(
        content=proposal.content,
        contributor=Contributor(name=REFRESH_CONTRIBUTOR, note=proposal.reason),
        paper=paper,
    )
