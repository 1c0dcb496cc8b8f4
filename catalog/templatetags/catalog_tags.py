"""Small display helpers for the catalog templates."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# Raw HTML stays escaped and unsafe link schemes are refused by markdown-it's defaults, so the
# output of curated Markdown is safe to mark as such.
_markdown = MarkdownIt("commonmark", {"html": False})
# Images are dropped: the README's figures live in its GitHub repository (relative paths that do
# not exist here), and the site must not load anything from elsewhere.
_markdown.add_render_rule("image", lambda self, tokens, idx, options, env: "")


@register.filter
def markdown(text: str) -> str:
    return mark_safe(_render_markdown(text or ""))  # noqa: S308 - raw HTML is disabled above


@functools.lru_cache(maxsize=1024)
def _render_markdown(text: str) -> str:
    # Section descriptions repeat on every request of their pages: render each text once.
    return _markdown.render(text).replace("<p></p>\n", "")


# Pictographs (emoji, dingbats, flags), with the joiners, keycap marks, variation selectors and
# tag characters that compose them; not letters, digits or text symbols such as © or °.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b50-\u2b55\u200d\u20e3\ufe0e\ufe0f\U000e0020-\U000e007f]"
)


@register.filter
def without_emoji(text: str) -> str:
    """`📢 News` -> `News`: a README heading's emoji, which renders as a box where no emoji
    font is installed, left off the site's headings (the README export keeps it)."""
    return " ".join(_EMOJI.sub("", text or "").split())


@register.filter
def link_host(url: str) -> str:
    """`https://www.github.com/a/b` -> `github.com`, for compact link captions."""
    return (urlsplit(url).hostname or url).removeprefix("www.")


@register.filter
def heading_level(level: int) -> str:
    """Clamp a nesting depth to a valid heading tag name, h2..h6."""
    return f"h{max(2, min(int(level), 6))}"


@register.filter
def get_node(nodes_by_pk: dict, pk: int):
    """`tree.by_pk|get_node:placement.section_id`: a section's numbered tree node."""
    return nodes_by_pk.get(pk)


@register.filter
def add_node(nodes: list, node) -> list:
    """`node.ancestors|add_node:node`: a breadcrumb trail ending with the node itself."""
    return [*nodes, node]
