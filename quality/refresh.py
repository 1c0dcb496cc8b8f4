"""What refresh_metadata proposes, paper by paper, from arXiv (and Crossref for DOIs)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db.models import Prefetch
from rapidfuzz import fuzz

from catalog import identifiers
from catalog.models import Link, Paper, Placement
from curation.services import content_from_paper
from quality import metadata
from quality.metadata import LookupFailed, Metadata
from quality.services import Proposal
from quality.venues import Vocabulary

BATCH = 20  # arXiv ids per API request
# Titles this similar (0-100, on normalised titles) are the same title: "LLM" vs "LLMs".
SAME_TITLE = 92


def same_title(a: str, b: str) -> bool:
    return fuzz.ratio(identifiers.normalize_title(a), identifiers.normalize_title(b)) >= SAME_TITLE


@dataclass
class RefreshResult:
    proposals: list[Proposal] = field(default_factory=list)
    looked_up: int = 0
    requests: int = 0
    not_found: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def arxiv_papers() -> list[tuple[Paper, Link]]:
    """Published papers with an arXiv link (their paper link first), with what a correction
    needs prefetched."""
    papers = (
        Paper.objects.published()
        .prefetch_related(
            Prefetch("links", queryset=Link.objects.order_by("position", "id")),
            Prefetch("placements", queryset=Placement.objects.select_related("section")),
        )
        .order_by("id")
    )
    found = []
    for paper in papers:
        arxiv_links = [link for link in paper.links.all() if link.identifier.startswith("arxiv:")]
        arxiv_links.sort(key=lambda link: link.label != Link.Label.PAPER)
        if arxiv_links:
            found.append((paper, arxiv_links[0]))
    return found


def refresh(*, say: Callable[[str], None] = lambda line: None) -> RefreshResult:
    result = RefreshResult()
    vocabulary = Vocabulary.load()
    candidates = arxiv_papers()
    with httpx.Client(
        timeout=httpx.Timeout(settings.METADATA_TIMEOUT),
        headers={"User-Agent": metadata.USER_AGENT},
        follow_redirects=True,
    ) as client:
        for start in range(0, len(candidates), BATCH):
            batch = candidates[start : start + BATCH]
            if start:
                time.sleep(settings.ARXIV_API_DELAY)
            ids = [link.identifier.removeprefix("arxiv:") for _paper, link in batch]
            result.requests += 1
            try:
                found = metadata.arxiv_fetch(ids, client=client)
            except LookupFailed as failure:
                result.failures.append(f"arXiv ids {ids[0]}…{ids[-1]}: {failure.reason}")
                say(f"FAILED arXiv ids {ids[0]}…{ids[-1]}: {failure.reason}")
                continue
            for (paper, link), arxiv_id in zip(batch, ids, strict=True):
                result.looked_up += 1
                meta = found.get(arxiv_id)
                if meta is None:
                    result.not_found.append(arxiv_id)
                    say(f"paper {paper.pk}: arXiv has no {arxiv_id}")
                    continue
                proposal = propose(paper, link, meta, vocabulary, client, result, say)
                if proposal is not None:
                    result.proposals.append(proposal)
    return result


def propose(
    paper: Paper,
    link: Link,
    meta: Metadata,
    vocabulary: Vocabulary,
    client: httpx.Client,
    result: RefreshResult,
    say: Callable[[str], None],
) -> Proposal | None:
    arxiv_id = link.identifier.removeprefix("arxiv:")
    if not same_title(paper.title, meta.title):
        return wrong_link(paper, link, meta, client, result, say)
    if paper.venue and not vocabulary.is_preprint(paper.venue):
        return None  # already at a venue
    venue, year, source = "", None, ""
    if meta.doi:
        try:
            published = metadata.crossref_fetch(meta.doi, vocabulary=vocabulary, client=client)
            venue, year, source = published.venue, published.year, f"Crossref (DOI {meta.doi})"
        except LookupFailed as failure:
            result.failures.append(f"DOI {meta.doi}: {failure.reason}")
            say(f"FAILED paper {paper.pk}: Crossref lookup of {meta.doi}: {failure.reason}")
    if not venue and meta.journal_ref:
        venue = metadata.venue_from_journal_ref(meta.journal_ref, vocabulary)
        years = re.findall(r"\b(?:19|20)\d{2}\b", meta.journal_ref)
        year, source = (
            (int(years[-1]) if years else None),
            f"arXiv journal_ref “{meta.journal_ref}”",
        )
    if not venue or vocabulary.is_preprint(venue):
        return None
    year = year or paper.year
    if (venue, year) == (paper.venue, paper.year):
        return None
    say(f"paper {paper.pk}: published since: {venue} {year} ({source})")
    return Proposal(
        paper=paper,
        content=content_from_paper(paper, venue=venue, year=year),
        reason=(
            f"arXiv:{arxiv_id} has since been published: {venue} {year}, according to {source}. "
            f"The list still says “{paper.venue or 'no venue'} {paper.year or ''}”."
        ),
    )


def wrong_link(
    paper: Paper,
    link: Link,
    meta: Metadata,
    client: httpx.Client,
    result: RefreshResult,
    say: Callable[[str], None],
) -> Proposal:
    """The link works but shows another paper. If arXiv has a paper with the stored title,
    propose that link instead; otherwise propose the link's title, for a maintainer to judge."""
    shown = f"{meta.title}” ({meta.short_authors}, {meta.year})"
    try:
        matches = [
            m
            for m in metadata.arxiv_search_title(paper.title, client=client)
            if same_title(m.title, paper.title)
        ]
    except LookupFailed as failure:
        result.failures.append(f"title search for paper {paper.pk}: {failure.reason}")
        say(f"FAILED paper {paper.pk}: arXiv title search: {failure.reason}")
        matches = []
    if matches:
        right = matches[0]
        links = [
            (other.label, right.url if other.pk == link.pk else other.url)
            for other in paper.links.all()
        ]
        say(f"paper {paper.pk}: link {link.url} shows another paper; arXiv has it at {right.url}")
        return Proposal(
            paper=paper,
            content=content_from_paper(paper, links=links),
            reason=(
                f"The link {link.url} leads to “{shown}, not to this paper. arXiv has "
                f"“{right.title}” ({right.short_authors}, {right.year}) at {right.url}: "
                "this correction replaces the link."
            ),
        )
    say(
        f"paper {paper.pk}: link {link.url} shows “{meta.title}”; "
        "no arXiv paper has the stored title"
    )
    return Proposal(
        paper=paper,
        content=content_from_paper(paper, title=meta.title),
        reason=(
            f"The link {link.url} leads to “{shown}, which does not match the stored title "
            f"“{paper.title}”, and arXiv has no paper with the stored title. This correction "
            "takes the link's title; if the link is the mistake instead, request changes."
        ),
    )
