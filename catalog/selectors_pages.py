"""Reads behind the public pages, built on catalog.selectors.

Each function costs a fixed number of queries, whatever the size of the catalog: rows come in
one query per table (select_related / prefetch_related) and section labels come from the
section tree, which is loaded whole once per request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from operator import itemgetter

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    QuerySet,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.http import Http404

from catalog.cache import catalog_version, memoized
from catalog.models import (
    Link,
    NewsItem,
    Paper,
    Placement,
    ReadmeDocument,
    Workshop,
    YearOrZero,
    in_reading_order,
)
from catalog.selectors import SectionNode, SectionTree, section_tree

NEWEST_LIMIT = 8


def readme_document() -> ReadmeDocument | None:
    return ReadmeDocument.objects.first()


def news_items() -> list[NewsItem]:
    return list(NewsItem.objects.order_by("-date", "-id"))


def workshops() -> list[Workshop]:
    return list(Workshop.objects.order_by("position", "id"))


def published_count() -> int:
    """How many papers are public; one query, reused in this process until the catalog
    changes (counting 100,000 papers costs tens of milliseconds)."""
    return memoized("published-count", lambda: Paper.objects.published().count())


def _links_in_order() -> Prefetch:
    return Prefetch("links", queryset=Link.objects.order_by("position", "id"))


def _placements_in_order() -> Prefetch:
    return Prefetch("placements", queryset=Placement.objects.order_by("section_id", "id"))


# Placements of one paper made this close to its newest one were made together.
ADDED_TOGETHER = datetime.timedelta(minutes=1)


def newest_papers(limit: int = NEWEST_LIMIT) -> list[Paper]:
    """The latest additions to the list. Two queries, whatever the catalog's size (more only
    when many placements share the boundary's timestamp).

    A paper is "added" when it is placed in a section (a submission approved, an import), so
    the newest placement dates it; the paper's own creation date, then its year, break ties.
    The newest placements are read through the index on Placement.created_at (a paper's first
    one in that order is its newest), with their papers, until every paper that could rank
    among the first `limit` is seen: grouping every placement by paper would read the whole
    table.
    """
    added: dict[int, Paper] = {}
    # Usually one batch; ties at the boundary (a bulk import stamps one time) may need more.
    batch, offset = max(limit * 8, 64), 0
    while True:
        rows = list(
            Placement.objects.select_related("paper").order_by("-created_at", "-id")[
                offset : offset + batch
            ]
        )
        for placement in rows:
            if placement.paper_id not in added:
                placement.paper.added_at = placement.created_at
                added[placement.paper_id] = placement.paper
        if len(rows) < batch:
            break
        if len(added) >= limit:
            boundary = list(added.values())[limit - 1].added_at
            if rows[-1].created_at < boundary:  # ties with the boundary are all seen
                break
        offset, batch = offset + batch, batch * 2
    # Papers added at one moment (an import, the seed) show their newest publications first.
    newest = sorted(
        added.values(),
        key=lambda p: (p.added_at, p.created_at, p.year or 0, p.pk),
        reverse=True,
    )[:limit]
    prefetch_related_objects(newest, _placements_in_order())
    # Where each was added, and where it was listed before: a paper listed long ago and placed
    # in one more section now is new there, not a new paper. Placements made together (one
    # approval, one import) are one addition.
    for paper in newest:
        paper.added_to, paper.also_in = [], []
        for placement in paper.placements.all():
            together = paper.added_at - placement.created_at <= ADDED_TOGETHER
            (paper.added_to if together else paper.also_in).append(placement.section_id)
    return newest


def current_tree() -> SectionTree:
    """The numbered tree with paper counts, shared by this process's requests until the
    catalog changes (two queries when rebuilt, none otherwise). Treat it as read-only."""
    version = catalog_version()

    def build() -> SectionTree:
        tree = section_tree(with_counts=True)
        tree.version = version
        return tree

    return memoized("section-tree", build, version=version)


SECTION_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class PaperRow:
    """What a list row shows of a paper: plain values, its links as (label, url) in order.

    A page of rows is two queries of tuples (papers, then their links), not model instances
    through prefetch_related: building 50 papers, 50 placements and their links as instances
    cost more than the rest of a section page."""

    pk: int
    title: str
    authors: str
    venue: str
    year: int | None
    links: tuple[tuple[str, str], ...] = ()
    # The sections it is placed in (ids, unordered); filled where a row stands outside its
    # section: in search results.
    section_ids: tuple[int, ...] = ()


def _fetch(sql: str, params: list, *, prepared: bool = False) -> list[tuple]:
    """Rows of a query written out in SQL. Used where the ORM spent longer building the
    query than the database spent running it (a page's two row queries); plain columns of
    two tables, the same SQL on SQLite and PostgreSQL.

    `prepared`: a statement run again and again with other values, which PostgreSQL plans
    once per connection (config.postgresql). SQLite's driver keeps its compiled statements
    anyway."""
    open_cursor = getattr(connection, "prepared_cursor", None) if prepared else None
    with (open_cursor or connection.cursor)() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in_reading_order(links) -> tuple[tuple[str, str], ...]:
    """(label, url) pairs, fetched in position order, in the README's order."""
    return tuple(in_reading_order(links, label=itemgetter(0)))


# The papers' links in position order and, as rows without a label, their placements' section
# ids: one query, not two, since a search page after a catalog change already runs six.
LINK_AND_SECTION_ROWS_SQL = (
    f"SELECT paper_id, label, url, position, id FROM {Link._meta.db_table}"
    " WHERE paper_id IN ({ids})"
    f" UNION ALL SELECT paper_id, NULL, NULL, section_id, id FROM {Placement._meta.db_table}"
    " WHERE paper_id IN ({ids})"
    " ORDER BY 1, 4, 5"
)


def paper_rows(rows: list[tuple]) -> list[PaperRow]:
    """Rows of (paper id, title, authors, venue, year), with their links and the ids of the
    sections they are in: one query."""
    links: dict[int, list[tuple[str, str]]] = {}
    sections: dict[int, list[int]] = {}
    ids = list({row[0] for row in rows})
    if ids:
        sql = LINK_AND_SECTION_ROWS_SQL.format(ids=", ".join(["%s"] * len(ids)))
        for paper_id, label, url, position, _id in _fetch(sql, ids + ids):
            if label is None:
                sections.setdefault(paper_id, []).append(position)
            else:
                links.setdefault(paper_id, []).append((label, url))
    return [
        PaperRow(
            *row,
            _in_reading_order(links.get(row[0], ())),
            tuple(sections.get(row[0], ())),
        )
        for row in rows
    ]


# One section's share of a page, in the reading order: a range of the index
# placement_reading_order (no sort). A page touching several sections (the end of one, the
# start of the next) joins one such part per section, numbered to keep them in order.
SECTION_PART_SQL = (
    "SELECT * FROM (SELECT {part} AS part, placement.position, placement.id,"
    " placement.section_id, placement.paper_id, paper.title, paper.authors, paper.venue,"
    f" paper.year FROM {Placement._meta.db_table} placement"
    f" INNER JOIN {Paper._meta.db_table} paper ON paper.id = placement.paper_id"
    " WHERE placement.section_id = %s ORDER BY placement.position, placement.id"
    " LIMIT %s OFFSET %s) part{part}"
)
# The parts with each paper's links joined on (a row per link, or one without), in order: the
# page's papers and links in one query, on SQLite and PostgreSQL alike.
SECTION_PAGE_SQL = (
    "SELECT parts.part, parts.position, parts.id, parts.section_id, parts.paper_id,"
    " parts.title, parts.authors, parts.venue, parts.year, link.label, link.url"
    " FROM ({parts}) parts"
    f" LEFT JOIN {Link._meta.db_table} link ON link.paper_id = parts.paper_id"
    " ORDER BY parts.part, parts.position, parts.id, link.position, link.id"
)


@dataclass
class SectionBlock:
    """A section of the section page with this page's share of its own papers; subsections
    nest inside. `visible` says whether the block appears on this page at all."""

    node: SectionNode
    papers: list[PaperRow]
    heading_level: int
    children: list[SectionBlock] = field(default_factory=list)
    visible: bool = True
    first_page: int = 1
    # Its own papers began on an earlier page: this page goes on from number `first_number`.
    continued: bool = False
    first_number: int = 1

    @property
    def paper_count(self) -> int:
        return self.node.paper_count


def section_page(tree: SectionTree, slug: str, page_number) -> tuple[SectionBlock, Page]:
    """The section and everything under it, SECTION_PAGE_SIZE papers a page. One query.

    The reading order is the README's: the section's papers in order, then each subsection's,
    depth first. A page holds the slice [lo, hi) of that order; the per-section counts of the
    tree say which sections the slice touches and which range of each, and one query reads
    those ranges with their papers' links. Raises Http404 for an unknown slug.
    """
    node = tree.by_slug.get(slug)
    if node is None:
        raise Http404("No such section.")
    subtree = [node, *node.descendants()]
    starts, total = {}, 0
    for current in subtree:
        starts[current.pk] = total
        total += current.own_paper_count
    page = Paginator(range(total), SECTION_PAGE_SIZE).get_page(page_number)
    lo = (page.number - 1) * SECTION_PAGE_SIZE
    hi = min(lo + SECTION_PAGE_SIZE, total)
    touched = [n for n in subtree if starts[n.pk] < hi and starts[n.pk] + n.own_paper_count > lo]
    grouped: dict[int, list[PaperRow]] = {}
    if touched:
        parts, params = [], []
        for index, current in enumerate(touched):
            first = max(lo, starts[current.pk])
            last = min(hi, starts[current.pk] + current.own_paper_count)
            parts.append(SECTION_PART_SQL.format(part=index))
            params += [current.pk, last - first, first - starts[current.pk]]
        sql = SECTION_PAGE_SQL.format(parts=" UNION ALL ".join(parts))
        placement, fields, links = None, None, []
        # Prepared: planning this query took longer than running it (0.4 against 0.2 ms).
        rows = _fetch(sql, params, prepared=True)
        for row in [*rows, None]:  # None: the end, which closes the last paper
            if row is None or row[:3] != placement:
                if placement is not None:
                    grouped.setdefault(fields[0], []).append(
                        PaperRow(*fields[1:], _in_reading_order(links))
                    )
                if row is None:
                    break
                placement, fields, links = row[:3], row[3:9], []
            if row[9] is not None:
                links.append((row[9], row[10]))
    last_page = page.number == page.paginator.num_pages

    def build(current: SectionNode, level: int) -> SectionBlock:
        start, count = starts[current.pk], current.own_paper_count
        children = [build(child, level + 1) for child in current.children]
        on_page = (
            (start < hi and start + count > lo)
            if count
            else (lo <= start < hi or (last_page and start == total))
        )
        return SectionBlock(
            node=current,
            papers=grouped.get(current.pk, []),
            # The page's h1 is the section itself; subsections start at h2, capped at h6.
            heading_level=min(level, 6),
            children=children,
            visible=on_page or any(child.visible for child in children),
            first_page=min(start, max(total - 1, 0)) // SECTION_PAGE_SIZE + 1,
            continued=start < lo < start + count,
            first_number=max(lo - start, 0) + 1,
        )

    return build(node, 1), page


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
        # The order of the index paper_newest_then_title_ci; years are 1900-2100, so a paper
        # without one (0) comes last; titles regardless of case.
        .order_by(YearOrZero("year").desc(), Lower("title"), "id")
    )


class Venues(list):
    """A list of venue names that can carry derived values (the filter's choices)."""


def distinct_venues() -> Venues:
    """Venues of published papers, for the venue filter, regardless of case ("arXiv" among
    the A's, not after "TMLR"), each as stored. One query, reused in this process until the
    catalog changes. Sorted here, not by the database: SQLite's and a C collation's order
    put every capital first, and ORDER BY LOWER() beside DISTINCT would select it too."""
    return memoized(
        "venues",
        lambda: Venues(
            sorted(
                Paper.objects.published()
                .exclude(venue="")
                .order_by()  # no ordering column beside DISTINCT: one row per venue
                .values_list("venue", flat=True)
                .distinct(),
                key=lambda venue: (venue.casefold(), venue),
            )
        ),
    )


ROW_COLUMNS = ("id", "title", "authors", "venue", "year")
# Page numbers as the views take them (catalog.views.requested_page): up to 9 digits.
MAX_RANKED_PAGE = 999_999_999


def page_rows(queryset: QuerySet[Paper]) -> list[PaperRow]:
    """A page of a Paper queryset (in its order) as rows with their links: two queries of
    tuples instead of model instances and a prefetch."""
    return paper_rows(list(queryset.prefetch_related(None).values_list(*ROW_COLUMNS)))


def ranked_page(paginator: Paginator, asked: str) -> Page:
    """`paginator.get_page(asked)` with its rows (PaperRow), for a list the database sorts
    whole (search results in rank order): the count comes with the page's rows, `COUNT(*)
    OVER ()`, one query instead of a COUNT and then the page, which both found every match
    (at 100,000 papers, a word in 5,000 of them: 20 against 28 ms). Not for a list an index
    gives in order, where a page stops reading early and the window would read it all.

    A number that is not one means the first page; past the end (no rows, so no count) the
    matches are counted and the last page is shown, as get_page does."""
    try:
        number = max(int(asked), 1)
    except (TypeError, ValueError):
        number = 1
    per_page = paginator.per_page
    offset = (number - 1) * per_page
    # An offset no list reaches is past the end without asking: the databases refuse one
    # past 64 bits (SQLite's "datatype mismatch", PostgreSQL's "bigint out of range").
    rows = (
        list(
            paginator.object_list.prefetch_related(None)
            .annotate(match_count=Window(Count("pk")))
            .values_list(*ROW_COLUMNS, "match_count")[offset : offset + per_page]
        )
        if number <= MAX_RANKED_PAGE
        else []
    )
    if rows or number == 1:
        paginator.count = rows[0][-1] if rows else 0
        page = paginator.page(number)
        page.object_list = paper_rows([row[:-1] for row in rows])
        return page
    page = paginator.get_page(number)
    page.object_list = page_rows(page.object_list)
    return page


def section_labels(tree: SectionTree, placements: list[Placement]) -> list[SectionNode]:
    """The tree nodes of a paper's placements, in README order."""
    nodes = [tree.by_pk[p.section_id] for p in placements if p.section_id in tree.by_pk]
    return sorted(nodes, key=lambda node: tree.reading_order[node.pk])
