"""Reads of the review queue."""

from __future__ import annotations

from django.db.models import Count, Q

from curation.models import Submission


def review_queue_counts() -> dict[str, int]:
    """How many submissions wait for a maintainer and how many for their contributor."""
    return Submission.objects.aggregate(
        pending=Count("pk", filter=Q(state=Submission.State.PENDING)),
        changes_requested=Count("pk", filter=Q(state=Submission.State.CHANGES_REQUESTED)),
    )
