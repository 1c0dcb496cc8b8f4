"""Reads of the review queue."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from curation.models import Submission


def review_queue_counts() -> dict[str, int]:
    """How many submissions wait for a maintainer and how many for their contributor."""
    return Submission.objects.aggregate(
        pending=Count("pk", filter=Q(state=Submission.State.PENDING)),
        changes_requested=Count("pk", filter=Q(state=Submission.State.CHANGES_REQUESTED)),
    )


def other_open_corrections(submission: Submission) -> QuerySet[Submission]:
    """The other open corrections of the paper `submission` corrects (none for a new paper):
    approving one may make another moot or a conflict."""
    if submission.kind != Submission.Kind.CORRECTION or submission.paper_id is None:
        return Submission.objects.none()
    return open_corrections_of(submission.paper_id).exclude(pk=submission.pk)


def with_other_open_corrections(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """`submissions` annotated with `other_open_corrections` (a count; 0 for new papers), in
    the query itself, for a list of many."""
    others = (
        Submission.objects.open()
        .filter(kind=Submission.Kind.CORRECTION, paper_id=OuterRef("paper_id"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("paper_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return submissions.annotate(
        other_open_corrections=Coalesce(Subquery(others, output_field=IntegerField()), Value(0))
    )


def open_corrections_of(paper) -> QuerySet[Submission]:
    """The corrections of `paper` waiting for a maintainer or their contributor."""
    return Submission.objects.open().filter(kind=Submission.Kind.CORRECTION, paper=paper)


def next_pending(after: Submission) -> Submission | None:
    """The submission waiting longest for review, other than `after`: where a maintainer who
    has just decided `after` goes on (first come, first served)."""
    return (
        Submission.objects.filter(state=Submission.State.PENDING)
        .exclude(pk=after.pk)
        .order_by("created_at", "id")
        .first()
    )
