"""Markup of the rows that repeat on the public pages, built in Python.

A paper row or a tree node through nested template includes costs tens of microseconds; a
section page of 50 rows plus a taxonomy of hundreds of sections would spend most of its time
there. These functions produce the same markup as the templates they replace
(formerly `_paper_item.html` and `_tree.html`); every value is escaped.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import QueryDict
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.cache import memoized
from catalog.models import Link
from catalog.selectors import SectionNode, SectionTree
from catalog.selectors_pages import PaperRow
from catalog.templatetags.catalog_tags import link_host

LABELS = dict(Link.Label.choices)
NEWLINE = "\n"


def _pluralize(count: int) -> str:
    return "" if count == 1 else "s"


@functools.lru_cache(maxsize=4096)
def _host(url: str) -> str:
    return escape(link_host(url))


@functools.lru_cache(maxsize=64)
def _label(label: str) -> tuple[str, str]:
    return escape(label), escape(LABELS.get(label, label))


def paper_items_html(papers: Iterable[PaperRow], tree: SectionTree | None = None) -> SafeString:
    """`<li class="paper-item">` rows: title, authors, venue and year, link chips and, given
    the tree, chips of the sections each row's `section_ids` names, in README order.

    Plain string formatting with html.escape (what django.utils.html.escape does) on every
    value: at 50 rows a page, format_html's lazy wrappers cost more than the page's queries.
    """
    url_prefix = reverse("catalog:paper", kwargs={"pk": 0})[:-2]
    rows = []
    for paper in papers:
        title = escape(paper.title)
        meta = []
        if paper.authors:
            meta.append(f'<span class="paper-authors">{escape(paper.authors)}</span>')
        if paper.venue or paper.year:
            year = "" if paper.year is None else paper.year
            gap = " " if paper.venue and paper.year else ""
            meta.append(f'<span class="paper-venue">{escape(paper.venue)}{gap}{year}</span>')
        chips = ""
        if paper.links:
            items = []
            labels = [label for label, _url in paper.links]
            for label, url in paper.links:
                css, caption = _label(label)
                host = _host(url)
                if labels.count(label) > 1:
                    # Two "paper" chips (arXiv and the proceedings) told apart by their host.
                    caption = f'{caption} <span class="link-chip-host">{host}</span>'
                    hidden = f" of “{title}”"
                else:
                    hidden = f" of “{title}” ({host})"
                items.append(
                    f'<li><a class="link-chip link-chip-{css}" href="{escape(url)}" '
                    f'rel="noopener">{caption}<span class="visually-hidden">{hidden}</span>'
                    "</a></li>"
                )
            chips = f'\n  <ul class="link-chips" aria-label="Links">{"".join(items)}</ul>'
        if tree is not None and paper.section_ids:
            chips += _section_chips(tree, paper.section_ids)
        rows.append(
            f'<li class="paper-item">\n  <a class="paper-title" href="{url_prefix}{paper.pk}/">'
            f'{title}</a>\n  <p class="paper-meta">{NEWLINE.join(meta)}</p>{chips}\n</li>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def _section_chips(tree: SectionTree, section_ids: tuple[int, ...]) -> str:
    order = tree.reading_order
    nodes = sorted(
        (tree.by_pk[pk] for pk in section_ids if pk in tree.by_pk), key=lambda n: order[n.pk]
    )
    links = "".join(
        f'<a class="section-chip" href="{escape(node.get_absolute_url())}">{escape(node.label)}</a>'
        for node in nodes
    )
    return f'\n  <p class="paper-sections"><span class="visually-hidden">In </span>{links}</p>'


CURRENT_MARK = "\x00current\x00"


def _tree_html(nodes: list[SectionNode], depth: int, expanded: set[int] | None = None) -> str:
    """Nested lists of `nodes` and their descendants; with `expanded`, only those nodes' children
    are listed."""
    items = []
    for node in nodes:
        count = node.paper_count
        plural = _pluralize(count)
        children = (
            _tree_html(node.children, node.depth + 1, expanded)
            if node.children and (expanded is None or node.pk in expanded)
            else ""
        )
        items.append(
            format_html(
                '<li>\n<a class="tree-link" href="{}"{}>\n'
                '<span class="sec-num">{}</span>\n<span class="tree-title">{}</span>\n'
                '<span class="tree-count" title="{} paper{}, including subsections">'
                '<span class="visually-hidden">(</span>{}'
                '<span class="visually-hidden"> paper{})</span></span>\n</a>\n{}</li>',
                node.get_absolute_url(),
                mark_safe(CURRENT_MARK + node.slug + CURRENT_MARK),  # noqa: S308 - a slug
                node.number,
                node.title,
                count,
                plural,
                count,
                plural,
                mark_safe(children),  # noqa: S308 - built by format_html
            )
        )
    return format_html(
        '<ul class="tree tree-depth-{}">\n{}</ul>\n', depth, mark_safe("\n".join(items))
    )


def tree_html(tree: SectionTree, nodes: list[SectionNode], *, depth: int, current=None) -> str:
    """The taxonomy as nested lists, the current section marked; cached per catalog version."""
    key = f"tree-html:{depth}:" + ",".join(str(node.pk) for node in nodes[:1])
    marked = memoized(key, lambda: _tree_html(nodes, depth), version=tree.version)
    if current is not None:
        marked = marked.replace(
            f"{CURRENT_MARK}{current.slug}{CURRENT_MARK}", ' aria-current="page"', 1
        )
    return mark_safe(_strip_marks(marked))  # noqa: S308 - built by format_html


def local_tree_html(tree: SectionTree, current: SectionNode) -> str:
    """The section page's navigation: the top-level sections, opened along the way down to the
    current one (its ancestors' siblings, its own siblings) and its children, the current one
    marked. The whole taxonomy (hundreds of sections) stays on the home page."""
    expanded = {node.pk for node in current.ancestors()} | {current.pk}
    marked = memoized(
        f"local-tree-html:{current.pk}",
        lambda: _tree_html(tree.roots, 0, expanded),
        version=tree.version,
    )
    marked = marked.replace(
        f"{CURRENT_MARK}{current.slug}{CURRENT_MARK}", ' aria-current="page"', 1
    )
    return mark_safe(_strip_marks(marked))  # noqa: S308 - built by format_html


def _strip_marks(html: str) -> str:
    parts = html.split(CURRENT_MARK)
    # Marks come in pairs around a slug: keep the text outside them.
    return "".join(parts[0::2])


SLUG_MARKER = "section-slug-marker"


@functools.cache
def _section_url_pattern(name: str, script_prefix: str) -> str:
    return reverse(name, kwargs={"slug": SLUG_MARKER})


def section_urls(slug: str) -> dict[str, str]:
    """The section page's download and feed links, reversed once per process (a slug is
    URL-safe, so it goes into the reversed pattern as it is)."""
    prefix = get_script_prefix()
    return {
        key: _section_url_pattern(name, prefix).replace(SLUG_MARKER, slug)
        for key, name in (
            ("bibtex", "exports:bibtex-section"),
            ("atom", "exports:feed-section-atom"),
            ("rss", "exports:feed-section-rss"),
        )
    }


DISABLED_ITEM = '<li class="page-item disabled"><span class="page-link">'
# The words only from the small breakpoint up: on a phone the arrows keep the row to one line.
PREVIOUS = '‹<span class="d-none d-sm-inline"> Previous</span>'
NEXT = '<span class="d-none d-sm-inline">Next </span>›'


def pagination_html(query: QueryDict, page_obj: Page) -> SafeString:
    """Links to the pages of `page_obj`, keeping every other parameter of `query` (what
    `{% querystring page=n %}` gives, without copying the QueryDict for each link)."""
    paginator = page_obj.paginator
    if paginator.num_pages <= 1:
        return mark_safe("")
    before, after, seen_page = [], [], False
    for key, values in query.lists():
        if key == "page":
            seen_page = True
            continue
        encoded = "&".join(urlencode({key: str(value)}) for value in values)
        (after if seen_page else before).append(encoded)

    def href(number: int) -> str:
        return escape("?" + "&".join([*before, f"page={number}", *after]))

    items = []
    if page_obj.has_previous():
        items.append(
            '<li class="page-item"><a class="page-link" '
            f'href="{href(page_obj.previous_page_number())}" rel="prev" '
            f'aria-label="Previous page">{PREVIOUS}</a></li>'
        )
    else:
        items.append(f"{DISABLED_ITEM}{PREVIOUS}</span></li>")
    # A page either side and the first and last: one row on a phone.
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append(f"{DISABLED_ITEM}…</span></li>")
        elif number == page_obj.number:
            items.append(
                '<li class="page-item active"><span class="page-link" aria-current="page">'
                f'<span class="visually-hidden">Page </span>{number}</span></li>'
            )
        else:
            items.append(
                f'<li class="page-item"><a class="page-link" href="{href(number)}">'
                f'<span class="visually-hidden">Page </span>{number}</a></li>'
            )
    if page_obj.has_next():
        items.append(
            '<li class="page-item"><a class="page-link" '
            f'href="{href(page_obj.next_page_number())}" rel="next" '
            f'aria-label="Next page">{NEXT}</a></li>'
        )
    else:
        items.append(f"{DISABLED_ITEM}{NEXT}</span></li>")
    return mark_safe(  # noqa: S308 - numbers, fixed markup and escaped links
        '<nav class="pagination-nav" aria-label="Pages of results">\n'
        '  <ul class="pagination flex-wrap">\n    ' + "\n    ".join(items) + "\n  </ul>\n</nav>\n"
    )
