"""Reads of the catalog. Views, the export and the admin call these, never raw queries.

The section tree is small (tens to hundreds of nodes), so it is loaded whole in one query and
numbered in Python; every page then costs a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Count, QuerySet, Value, When

from catalog.models import Link, Paper, Placement, Section


@dataclass
class SectionNode:
    section: Section
    number: str
    depth: int
    parent: SectionNode | None = None
    children: list[SectionNode] = field(default_factory=list)
    own_paper_count: int = 0

    @property
    def title(self) -> str:
        return self.section.title

    @property
    def slug(self) -> str:
        return self.section.slug

    @property
    def pk(self) -> int:
        return self.section.pk

    @property
    def label(self) -> str:
        return f"{self.number} {self.section.title}"

    def get_absolute_url(self) -> str:
        # Reversed once per node: a page lists dozens of them, and trees are rebuilt whenever
        # the catalog (slugs included) changes.
        url = self.__dict__.get("_url")
        if url is None:
            url = self.__dict__["_url"] = self.section.get_absolute_url()
        return url

    @property
    def paper_count(self) -> int:
        """Distinct placements in this section and everything below it."""
        return self.own_paper_count + sum(child.paper_count for child in self.children)

    def descendants(self) -> list[SectionNode]:
        found: list[SectionNode] = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found

    def ancestors(self) -> list[SectionNode]:
        chain: list[SectionNode] = []
        node = self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


@dataclass
class SectionTree:
    roots: list[SectionNode]
    by_pk: dict[int, SectionNode]
    by_slug: dict[str, SectionNode]
    # The catalog version it was built at, when it comes from catalog.cache (shared, read-only).
    version: int | None = None

    def walk(self) -> list[SectionNode]:
        """Every node, depth first, in README order."""
        nodes: list[SectionNode] = []
        for root in self.roots:
            nodes.append(root)
            nodes.extend(root.descendants())
        return nodes

    @cached_property
    def reading_order(self) -> dict[int, int]:
        """Each section's index in README order, by primary key: a sort key."""
        return {node.pk: index for index, node in enumerate(self.walk())}


def section_tree(*, with_counts: bool = False) -> SectionTree:
    """The whole taxonomy, numbered. One query (two with counts)."""
    sections = list(Section.objects.order_by("parent_id", "position", "id"))
    counts: dict[int, int] = {}
    if with_counts:
        counts = dict(
            Placement.objects.values_list("section_id").annotate(n=Count("id")).order_by()
        )
    children: dict[int | None, list[Section]] = defaultdict(list)
    for section in sections:
        children[section.parent_id].append(section)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.position, s.pk))

    by_pk: dict[int, SectionNode] = {}

    def build(section: Section, prefix: str, depth: int, parent: SectionNode | None, index: int):
        number = f"{prefix}.{index}" if prefix else str(index)
        node = SectionNode(
            section=section,
            number=number,
            depth=depth,
            parent=parent,
            own_paper_count=counts.get(section.pk, 0),
        )
        section.number = number
        by_pk[section.pk] = node
        node.children = [
            build(child, number, depth + 1, node, i)
            for i, child in enumerate(children.get(section.pk, []), start=1)
        ]
        return node

    roots = [build(s, "", 0, None, i) for i, s in enumerate(children.get(None, []), start=1)]
    return SectionTree(roots=roots, by_pk=by_pk, by_slug={n.slug: n for n in by_pk.values()})


def placements_in_order(*, section_ids: list[int] | None = None) -> list[Placement]:
    """Placements with paper and links, ordered by section then position. Two queries.

    The links are selected with a subquery on the placements, not with prefetch_related, whose
    IN list of every paper id exceeds SQLite's variable limit (32,766 in most builds) on a
    large catalog and is slow well before that."""
    queryset = Placement.objects.all()
    if section_ids is not None:
        queryset = queryset.filter(section_id__in=section_ids)
    placements = list(queryset.select_related("paper").order_by("section_id", "position", "id"))
    links = Link.objects.filter(paper_id__in=queryset.values("paper_id")).order_by(
        "paper_id", "position", "id"
    )
    _attach_links([placement.paper for placement in placements], links)
    return placements


def _attach_links(papers: list[Paper], links: QuerySet[Link]) -> None:
    """`paper.links.all()` answered from `links` without a query, as prefetch_related does."""
    by_paper: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        by_paper[link.paper_id].append(link)
    for paper in papers:
        cached = paper.links.all()
        cached._result_cache = by_paper.get(paper.pk, [])
        cached._prefetch_done = True
        paper._prefetched_objects_cache = {"links": cached}


def placement_rows_in_order() -> QuerySet:
    """(section id, paper id, title, authors, venue, year) of every placement, ordered by
    section then position: plain tuples for the export, which renders 100,000 of them."""
    return Placement.objects.order_by("section_id", "position", "id").values_list(
        "section_id", "paper_id", "paper__title", "paper__authors", "paper__venue", "paper__year"
    )


def link_rows_in_readme_order() -> QuerySet:
    """(paper id, label, url) of every link, grouped by paper, in the README's order: label
    (as Link.Label lists them), then position.

    Unfiltered on purpose: callers look links up by the papers they render, and a filter on
    the published set (or an IN list of ids, which exceeds SQLite's variable limit at scale)
    would only make the export's biggest query slower."""
    label_rank = Case(
        *(When(label=label.value, then=Value(rank)) for rank, label in enumerate(Link.Label)),
        default=Value(len(Link.Label)),
    )
    return Link.objects.order_by("paper_id", label_rank, "position", "id").values_list(
        "paper_id", "label", "url"
    )


def paper_link_owner(identifiers: list[str], *, other_than: Paper | None = None) -> Paper | None:
    """The published paper with one of these paper links, if any: one paper is one record.
    With `other_than` (a paper being corrected or edited), another paper, and only for links
    `other_than` does not have yet: a link two papers already share (an admin edit, an
    import) does not stop every later edit of either."""
    wanted = {identifier for identifier in identifiers if identifier}
    owners = Paper.objects.published()
    if other_than is not None:
        wanted -= {
            link.identifier for link in other_than.links.all() if link.label == Link.Label.PAPER
        }
        owners = owners.exclude(pk=other_than.pk)
    if not wanted:
        return None
    return owners.filter(links__label=Link.Label.PAPER, links__identifier__in=wanted).first()


def paper_link_twin(paper: Paper, identifiers: list[str] | None = None) -> Paper | None:
    """Another published paper with one of `paper`'s paper links (or of `identifiers`, its
    paper links as an edit leaves them). While `paper` was in no section (off the list), its
    paper link could be published with another record: listing `paper` again would then list
    one paper twice."""
    if identifiers is None:
        identifiers = [link.identifier for link in paper.links.all() if link.label == "paper"]
    wanted = [identifier for identifier in identifiers if identifier]
    if not wanted:
        return None
    return (
        Paper.objects.published()
        .exclude(pk=paper.pk)
        .filter(links__label=Link.Label.PAPER, links__identifier__in=wanted)
        .first()
    )
