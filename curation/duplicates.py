"""Finding what a submission may duplicate: a published paper or another open submission.

Identifiers (arXiv id, DOI, OpenReview id, normalized URL) match exactly; titles match when
nearly identical (rapidfuzz), so "Self-rewarding language models" finds
"Self-Rewarding Language Models." but neither a different paper that shares a few words
nor "Llama 3" for "Llama 2".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from catalog import identifiers
from catalog.identifiers import normalize_title
from catalog.models import Paper
from curation.models import Submission

TITLE_SIMILARITY_CUTOFF = 95


@dataclass
class DuplicateReport:
    papers: list[Paper] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.papers or self.submissions)


def find_duplicates(
    *,
    title: str,
    urls: list[str],
    exclude_paper_id: int | None = None,
    exclude_submission_id: int | None = None,
) -> DuplicateReport:
    wanted_ids = {identifiers.identifier_for_url(url) for url in urls if url}
    wanted_ids.discard("")
    normalized = normalize_title(title)

    papers = Paper.objects.published()
    if exclude_paper_id:
        papers = papers.exclude(pk=exclude_paper_id)
    paper_ids = set(papers.filter(links__identifier__in=wanted_ids).values_list("pk", flat=True))
    paper_ids |= _similar_titles(normalized, papers.values_list("pk", "title"))

    submissions = Submission.objects.open()
    if exclude_submission_id:
        submissions = submissions.exclude(pk=exclude_submission_id)
    if exclude_paper_id:
        submissions = submissions.exclude(
            kind=Submission.Kind.CORRECTION, paper_id=exclude_paper_id
        )
    submission_ids = set(
        submissions.filter(links__identifier__in=wanted_ids).values_list("pk", flat=True)
    )
    submission_ids |= _similar_titles(normalized, submissions.values_list("pk", "title"))

    return DuplicateReport(
        papers=list(
            Paper.objects.filter(pk__in=paper_ids)
            .prefetch_related("placements__section")
            .order_by("title", "pk")
        ),
        submissions=list(Submission.objects.filter(pk__in=submission_ids).order_by("-created_at")),
    )


def _similar_titles(normalized: str, rows) -> set[int]:
    if not normalized:
        return set()
    choices = {pk: normalize_title(title) for pk, title in rows}
    matches = process.extract(
        normalized,
        choices,
        scorer=fuzz.ratio,
        score_cutoff=TITLE_SIMILARITY_CUTOFF,
        limit=10,
        processor=None,
    )
    # "Llama 2" and "Llama 3" are different papers however alike the rest of the title is.
    numbers = re.findall(r"\d+", normalized)
    return {key for choice, _score, key in matches if re.findall(r"\d+", choice) == numbers}
