"""Reads behind the public pages, built on catalog.selectors.

Each function costs a fixed number of queries, whatever the size of the catalog: rows come in
one query per table (select_related / prefetch_related) and section labels come from the
section tree, which is loaded whole once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Max, Prefetch, QuerySet
from django.http import Http404

from catalog.models import Link, Paper, Placement, ReadmeDocument
from catalog.selectors import SectionNode, SectionTree, placements_by_section

NEWEST_LIMIT = 8


def readme_document() -> ReadmeDocument | None:
    return ReadmeDocument.objects.first()


def published_count() -> int:
    return Paper.objects.published().count()


def _links_in_order() -> Prefetch:
    return Prefetch("links", queryset=Link.objects.order_by("position", "id"))


def _placements_in_order() -> Prefetch:
    return Prefetch("placements", queryset=Placement.objects.order_by("section_id", "id"))


def newest_papers(limit: int = NEWEST_LIMIT) -> list[Paper]:
    """The latest additions to the list. Two queries.

    A paper is "added" when it is placed in a section (a submission approved, an import), so
    the newest placement dates it; the paper's own creation date breaks ties.
    """
    return list(
        Paper.objects.published()
        .annotate(added_at=Max("placements__created_at"))
        .prefetch_related(_placements_in_order())
        .order_by("-added_at", "-created_at", "-id")[:limit]
    )


@dataclass
class SectionBlock:
    """A section of the section page with its own papers; subsections nest inside."""

    node: SectionNode
    placements: list[Placement]
    heading_level: int
    children: list[SectionBlock] = field(default_factory=list)

    @property
    def paper_count(self) -> int:
        return len(self.placements) + sum(child.paper_count for child in self.children)


def section_blocks(tree: SectionTree, slug: str) -> SectionBlock:
    """The section and everything under it, with papers in order. Two queries.

    Raises Http404 for an unknown slug.
    """
    node = tree.by_slug.get(slug)
    if node is None:
        raise Http404("No such section.")
    subtree = [node, *node.descendants()]
    grouped = placements_by_section(section_ids=[n.pk for n in subtree])

    def build(current: SectionNode, level: int) -> SectionBlock:
        return SectionBlock(
            node=current,
            placements=grouped.get(current.pk, []),
            # The page's h1 is the section itself; subsections start at h2, capped at h6.
            heading_level=min(level, 6),
            children=[build(child, level + 1) for child in current.children],
        )

    return build(node, 1)


def published_paper(pk: int) -> Paper:
    """One public paper with its links and placements. Three queries; Http404 otherwise."""
    paper = (
        Paper.objects.published()
        .prefetch_related(_links_in_order(), _placements_in_order())
        .filter(pk=pk)
        .first()
    )
    if paper is None:
        raise Http404("No such paper.")
    return paper


def searchable_papers() -> QuerySet[Paper]:
    """The public set the search page filters: newest years first, links prefetched."""
    return (
        Paper.objects.published()
        .prefetch_related(_links_in_order())
        .order_by(F("year").desc(nulls_last=True), "title", "id")
    )


def distinct_venues() -> list[str]:
    """Venues of published papers, for the venue filter. One query."""
    return list(
        Paper.objects.published()
        .exclude(venue="")
        .order_by("venue")
        .values_list("venue", flat=True)
        .distinct()
    )


def section_labels(tree: SectionTree, placements: list[Placement]) -> list[SectionNode]:
    """The tree nodes of a paper's placements, in README order."""
    order = {node.pk: index for index, node in enumerate(tree.walk())}
    nodes = [tree.by_pk[p.section_id] for p in placements if p.section_id in tree.by_pk]
    return sorted(nodes, key=lambda node: order[node.pk])
