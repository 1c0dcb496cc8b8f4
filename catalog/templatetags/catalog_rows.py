"""Tags for the rows that repeat on the public pages, rendered in Python (catalog.rendering)."""

from __future__ import annotations

from django import template

from catalog.filters import filter_field_html
from catalog.rendering import local_tree_html, pagination_html, paper_items_html, tree_html

register = template.Library()


@register.simple_tag
def paper_rows(papers, tree=None) -> str:
    """`{% paper_rows block.papers %}`: papers (catalog.selectors_pages.PaperRow) as list
    rows; `{% paper_rows page_obj tree %}` adds each row's sections."""
    return paper_items_html(papers, tree)


@register.simple_tag
def taxonomy(tree, nodes, depth=0, current=None) -> str:
    """`{% taxonomy tree nodes depth current %}`: the nested section list."""
    return tree_html(tree, nodes, depth=depth, current=current)


@register.simple_tag
def local_taxonomy(tree, current) -> str:
    """`{% local_taxonomy tree section %}`: the sections around `current` as a nested list."""
    return local_tree_html(tree, current)


@register.simple_tag(takes_context=True)
def page_links(context, page_obj) -> str:
    """`{% page_links page_obj %}`: links to the other pages, keeping the request's filters."""
    return pagination_html(context.request.GET, page_obj)


@register.simple_tag
def filter_field(field) -> str:
    """`{% filter_field form.q %}`: a search filter with its label and errors, in
    crispy-forms' Bootstrap 5 markup (catalog.filters.filter_field_html)."""
    return filter_field_html(field)
