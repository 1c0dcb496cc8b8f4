"""Finding what a submission may duplicate: a published paper or another open submission.

Identifiers (arXiv id, DOI, OpenReview id, normalized URL) match exactly where one is the
other's paper link (a code repository or a dataset, often shared by a paper and its
follow-up, does not); titles match when nearly identical (rapidfuzz), so "Self-rewarding
language models" finds "Self-Rewarding Language Models." but neither a different paper that
shares a few words nor "Llama 3" for "Llama 2".

The title rule is one on every database: rapidfuzz ratio ≥ 95 on normalize_title and the same
numbers, applied in Python to the current rows. Only the shortlist of candidates it is applied
to is found differently, because comparing with every title costs a second at 100,000 papers:

- PostgreSQL: pg_trgm. `title % query` is answered from a GIN trigram index (migration
  0003_dup_title_trigram), with the similarity threshold of `%` raised from pg_trgm's 0.3 to
  TRIGRAM_THRESHOLD for that query (a SET LOCAL). A ratio ≥ 95 changes at most 5% of the
  characters; over 11,680 such near copies of the seed's titles (typos, dropped and inserted
  letters and spaces, plurals, case) the lowest trigram similarity was 0.59, so 0.5 misses
  nothing the rule accepts, while it shortlists tens of titles instead of thousands on a large
  catalog of similar titles (169 instead of 2,673 of 100,000 generated ones).
- SQLite: no similarity index exists, and an exact index on a stored title key would miss
  "model" for "models". So each process keeps every paper's title key in memory, rebuilt when
  the catalog version (catalog.cache) changes, grouped by the title's numbers (which must be
  equal) and sorted by length (a ratio ≥ 95 needs lengths within about 10%): a check compares
  against that slice only, in rapidfuzz's C code.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.lookups import TrigramSimilar
from django.db import connections, transaction
from django.db.models import F, QuerySet, Value
from rapidfuzz import fuzz, process

from catalog import identifiers
from catalog.cache import memoized
from catalog.identifiers import normalize_title
from catalog.models import Paper
from curation.models import Submission

PAPER_LABEL = "paper"  # Link.Label.PAPER and SubmissionLink's, the same value
TITLE_SIMILARITY_CUTOFF = 95
TRIGRAM_THRESHOLD = 0.5
NUMBERS = re.compile(r"\d+")


@dataclass
class DuplicateReport:
    papers: list[Paper] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    # The one of `papers` whose paper link the submission gives as its own: certainly the same
    # paper (set by the caller, which knows which link is the paper link).
    same_paper_link: Paper | None = None

    def __bool__(self) -> bool:
        return bool(self.papers or self.submissions)


def find_duplicates(
    *,
    title: str,
    urls: list[str],
    exclude_paper_id: int | None = None,
    exclude_submission_id: int | None = None,
) -> DuplicateReport:
    """What a paper of this title and these links may duplicate: papers and open submissions
    whose paper link (a link labelled "paper") is one of `urls`, under whatever label, or
    whose title is nearly the same. Their other links are not compared: a code repository or
    a dataset is often shared by a paper and its follow-up."""
    wanted_ids = {identifiers.identifier_for_url(url) for url in urls if url}
    wanted_ids.discard("")
    normalized = normalize_title(title)
    same_paper_link = {"links__label": PAPER_LABEL, "links__identifier__in": wanted_ids}

    papers = Paper.objects.published()
    if exclude_paper_id:
        papers = papers.exclude(pk=exclude_paper_id)
    paper_ids = set(papers.filter(**same_paper_link).values_list("pk", flat=True))
    paper_ids |= _similar_titles(normalized, title_candidates(papers, normalized))

    submissions = Submission.objects.open()
    if exclude_submission_id:
        submissions = submissions.exclude(pk=exclude_submission_id)
    if exclude_paper_id:
        submissions = submissions.exclude(
            kind=Submission.Kind.CORRECTION, paper_id=exclude_paper_id
        )
    submission_ids = set(submissions.filter(**same_paper_link).values_list("pk", flat=True))
    submission_ids |= _similar_titles(normalized, submissions.values_list("pk", "title"))

    return DuplicateReport(
        papers=list(
            Paper.objects.filter(pk__in=paper_ids)
            .prefetch_related("placements__section")
            .order_by("title", "pk")
        ),
        submissions=list(Submission.objects.filter(pk__in=submission_ids).order_by("-created_at")),
    )


def title_candidates(papers: QuerySet[Paper], normalized: str) -> Iterable[tuple[int, str]]:
    """(pk, title) of the papers whose titles may pass the title rule: a shortlist."""
    if not normalized:
        return papers.none().values_list("pk", "title")
    if connections[papers.db].vendor == "postgresql":
        shortlist = papers.filter(TrigramSimilar(F("title"), Value(normalized)))
        with transaction.atomic(using=papers.db), connections[papers.db].cursor() as cursor:
            # SET LOCAL, three at once. The planner prices `%` like a cheap comparison, so on a
            # catalog of thousands of papers it compares every title (a table or primary-key
            # scan) instead of reading the trigram index: 117 ms against 8 ms at 10,000
            # generated papers. Hence no sequential and no plain index scan for this query.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true),"
                " set_config('enable_seqscan', 'off', true),"
                " set_config('enable_indexscan', 'off', true)",
                [str(TRIGRAM_THRESHOLD)],
            )
            rows = list(shortlist.order_by().values_list("pk", "title"))
            # Roll this read-only block back, which undoes the three settings: neither the
            # caller's transaction (this block is then a savepoint) nor the pooled connection
            # keeps them.
            transaction.set_rollback(True, using=papers.db)
        return rows
    else:
        shortlist = papers.filter(pk__in=title_index().candidates(normalized))
    return shortlist.order_by().values_list("pk", "title")


@dataclass
class TitleIndex:
    """Every paper's title key, by the numbers in it, sorted by length."""

    buckets: dict[tuple[str, ...], tuple[list[int], list[str], list[int]]]

    @classmethod
    def build(cls, rows) -> TitleIndex:
        grouped: dict[tuple[str, ...], list[tuple[int, str, int]]] = {}
        for pk, title in rows:
            key = normalize_title(title)
            grouped.setdefault(tuple(NUMBERS.findall(key)), []).append((len(key), key, pk))
        buckets = {}
        for numbers, entries in grouped.items():
            entries.sort()
            lengths, keys, pks = (list(column) for column in zip(*entries, strict=True))
            buckets[numbers] = (lengths, keys, pks)
        return cls(buckets=buckets)

    def candidates(self, normalized: str) -> list[int]:
        bucket = self.buckets.get(tuple(NUMBERS.findall(normalized)))
        if bucket is None:
            return []
        lengths, keys, pks = bucket
        # ratio = 100 * (1 - distance / (len1 + len2)) and distance >= |len1 - len2|.
        share = TITLE_SIMILARITY_CUTOFF / 100
        size = len(normalized)
        low = bisect_left(lengths, int(size * share / (2 - share)))
        high = bisect_right(lengths, int(size * (2 - share) / share) + 1)
        matches = process.extract(
            normalized,
            keys[low:high],
            scorer=fuzz.ratio,
            score_cutoff=TITLE_SIMILARITY_CUTOFF,
            limit=None,
            processor=None,
        )
        return [pks[low + index] for _choice, _score, index in matches]


def title_index() -> TitleIndex:
    """This process's index of every paper title, current with the catalog version."""
    return memoized(
        "curation.duplicates.title_index",
        lambda: TitleIndex.build(Paper.objects.order_by().values_list("pk", "title").iterator()),
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
    numbers = NUMBERS.findall(normalized)
    return {key for choice, _score, key in matches if NUMBERS.findall(choice) == numbers}
