"""The README, rendered from the catalog: one format throughout, the same bytes for the same data.

Cost: a constant number of queries (document, news, workshops, section tree, placements with
their papers, links) whatever the catalog's size; the text is built as a list of strings and
joined once. Entries come as plain tuples (values_list over the joined columns, in README
order), not model instances: at 100,000 placements building instances cost more than the
rest of the export. Links are fetched with a subquery in one query of their own rather than with
`prefetch_related`, whose IN list of every paper id would exceed SQLite's variable limit on a
large catalog.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import functools
import gc
import glob
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections import defaultdict
from operator import attrgetter
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from catalog.models import Link, NewsItem, Paper, ReadmeDocument, Workshop, in_reading_order
from catalog.selectors import (
    SectionNode,
    link_rows_in_readme_order,
    placement_rows_in_order,
    section_tree,
)

DEFAULT_TITLE = "Awesome Automated Alignment"
# Not strftime("%B"): month names must not depend on the locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Characters that end or break a Markdown link destination (CommonMark: also ASCII controls).
URL_UNSAFE = re.compile(r"[\s()<>\\\x00-\x1f\x7f]")
# A title ending in one of these gets no period added.
FINAL_PUNCTUATION = ("?", "!", ".")


# One pass: a backslash that would escape the next character (or ends the text), a
# metacharacter, or an `&` that would start an entity. Same result as a character-by-character
# scan, at C speed.
ESCAPE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|\Z)"
    r"|[`*_\[\]<>|~#]"
    r"|&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)"
)


def _backslash_before(match: re.Match) -> str:
    return "\\" + match[0]


def escape_inline(text: str) -> str:
    """Plain text made safe inside a Markdown line: nothing in it can change the structure.

    A backslash is literal unless it would escape the next character, so only then is it
    doubled."""
    return ESCAPE.sub(_backslash_before, " ".join(text.split()))


# Authors and venues repeat across thousands of entries: escape each distinct one once.
_escape_repeated = functools.lru_cache(maxsize=65536)(escape_inline)

# ESCAPE over many texts joined by newlines (whitespace is collapsed first, so no text holds
# one): a backslash before a newline ends its text, as before \Z.
ESCAPE_JOINED = re.compile(ESCAPE.pattern.replace(r"|\Z)", r"|\n|\Z)", 1))
assert ESCAPE_JOINED.pattern != ESCAPE.pattern
# Every match of ESCAPE starts with one of these.
ESCAPED_CHARACTER = re.compile(r"[\\`*_\[\]<>|~#&]")


def escape_many(texts: list[str]) -> list[str]:
    """[escape_inline(text) for text in texts], with one regular-expression pass for all."""
    if not texts:
        return []
    joined = "\n".join(" ".join(text.split()) for text in texts)
    if ESCAPED_CHARACTER.search(joined):  # one character class scans four times faster
        joined = ESCAPE_JOINED.sub(_backslash_before, joined)
    return joined.split("\n")


def percent_encoded(pattern: re.Pattern, url: str) -> str:
    """`url` with what `pattern` matches percent-encoded: the same address to a browser."""
    return pattern.sub(lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode()), url)


def safe_url(url: str) -> str:
    """A URL that cannot end a Markdown link destination early."""
    return percent_encoded(URL_UNSAFE, url.strip())


class GithubSlugger:
    """GitHub's heading anchors (github-slugger): lowercase; keep letters, digits, marks, `_`,
    `-` and spaces; spaces become `-`; repeats get `-1`, `-2`, ..."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    @staticmethod
    def base(text: str) -> str:
        kept = "".join(
            char
            for char in text.lower()
            if char in " -" or unicodedata.category(char)[0] in "LNM" or char == "_"
        )
        return kept.replace(" ", "-")

    def slug(self, text: str) -> str:
        original = result = self.base(text)
        while result in self.seen:
            self.seen[original] += 1
            result = f"{original}-{self.seen[original]}"
        self.seen[result] = 0
        return result


def render_entry(paper: Paper, links: list[Link]) -> str:
    ordered = in_reading_order(sorted(links, key=attrgetter("position")))
    return entry_line(
        paper.title,
        paper.authors,
        paper.venue,
        paper.year,
        " ".join(link_markdown(link.label, link.url) for link in ordered),
    )


def link_markdown(label: str, url: str) -> str:
    return f"[[{label}]({safe_url(url)})]"


def entry_line(title: str, authors: str, venue: str, year: int | None, links: str) -> str:
    """One README entry from plain values; `links` is already rendered, in label order."""
    title = title.strip()
    line = f"- **{escape_inline(title if title.endswith(FINAL_PUNCTUATION) else title + '.')}**"
    authors = authors.strip()
    if authors:
        line += f" *{_escape_repeated(authors if authors.endswith('.') else authors + '.')}*"
    venue = _escape_repeated(venue)
    venue_year = f"{venue} {year}" if venue and year else venue or str(year or "")
    if venue_year:
        line += f" {venue_year}" if venue_year.endswith(".") else f" {venue_year}."
    return f"{line} {links}" if links else line


def section_heading(node: SectionNode) -> str:
    number = f"{node.number}." if node.parent is None else node.number
    return f"{number} {node.title}"


def news_date(value) -> str:
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"


def _rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset through the database cursor, fetched at once (the
    queryset's own iteration converts them 100 at a time; these columns need no converter)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def render_readme() -> str:
    # Hundreds of thousands of rows and strings, no reference cycles: the cyclic collector
    # would only rescan them (a tenth of the export's time at 100,000 placements).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _render_readme()
    finally:
        if collecting:
            gc.enable()


def _render_readme() -> str:
    document = ReadmeDocument.objects.filter(pk=1).first() or ReadmeDocument(title=DEFAULT_TITLE)
    news = list(NewsItem.objects.order_by("-date", "-id"))
    workshops = list(Workshop.objects.order_by("position", "id"))
    tree = section_tree()
    nodes = tree.walk()

    links_by_paper: dict[int, str] = {}
    unsafe = URL_UNSAFE.search
    for paper_id, label, url in _rows(link_rows_in_readme_order()):
        url = url.strip()  # link_markdown(label, url), inline: 145,000 calls at scale
        text = f"[[{label}]({safe_url(url) if unsafe(url) else url})]"
        previous = links_by_paper.get(paper_id)
        links_by_paper[paper_id] = text if previous is None else f"{previous} {text}"
    placements = _rows(placement_rows_in_order())
    # Each paper once (one listed in several sections is rendered once), its title escaped in
    # one pass with all the others: the per-row work at 100,000 entries is most of the export.
    papers: dict[int, tuple] = {}
    for row in placements:
        if row[1] not in papers:
            papers[row[1]] = row
    titles = []
    for row in papers.values():
        title = row[2].strip()
        titles.append(title if title.endswith(FINAL_PUNCTUATION) else title + ".")
    rendered: dict[int, str] = {}
    escape_repeated = _escape_repeated
    for (_section, paper_id, _title, authors, venue, year), title in zip(
        papers.values(), escape_many(titles), strict=True
    ):
        line = f"- **{title}**"
        authors = authors.strip()
        if authors:
            line += f" *{escape_repeated(authors if authors.endswith('.') else authors + '.')}*"
        venue = escape_repeated(venue)
        venue_year = f"{venue} {year}" if venue and year else venue or str(year or "")
        if venue_year:
            line += f" {venue_year}" if venue_year.endswith(".") else f" {venue_year}."
        links = links_by_paper.get(paper_id)
        rendered[paper_id] = f"{line} {links}" if links else line
    entries_by_section: dict[int, list[str]] = defaultdict(list)
    for section_id, paper_id, *_rest in placements:
        entries_by_section[section_id].append(rendered[paper_id])

    # Anchors depend on every heading before them (GitHub numbers repeats), so they are
    # computed in document order before anything is written.
    slugger = GithubSlugger()
    preamble_headings = [document.title]
    if news:
        preamble_headings.append(document.news_heading)
    if document.citation or document.citation_intro:
        preamble_headings.append(document.citation_heading)
    if document.abstract:
        preamble_headings.append(document.abstract_heading)
    if nodes:
        preamble_headings += [document.contents_heading, document.paper_list_heading]
    for heading in preamble_headings:
        slugger.slug(heading)
    anchors = {node.pk: slugger.slug(section_heading(node)) for node in nodes}

    out: list[str] = [f"# {document.title}"]
    if document.intro:
        out += ["", document.intro]
    if news:
        out += ["", f"## {document.news_heading}"]
        for item in news:
            out += ["", f"**[{news_date(item.date)}]** {item.text}"]
    if document.citation or document.citation_intro:
        out += ["", f"## {document.citation_heading}"]
        if document.citation_intro:
            out += ["", document.citation_intro]
        if document.citation:
            fence = "````" if "```" in document.citation else "```"
            out += ["", f"{fence}bibtex", document.citation, fence]
    if document.abstract:
        out += ["", f"## {document.abstract_heading}", "", document.abstract]
    if nodes:
        out += ["", f"## {document.contents_heading}", ""]
        out += [
            f"{'  ' * node.depth}- [{escape_inline(section_heading(node))}](#{anchors[node.pk]})"
            for node in nodes
        ]
        out += ["", f"## {document.paper_list_heading}"]
    for node in nodes:
        level = "#" * min(3 + node.depth, 6)
        out += ["", f"{level} {escape_inline(section_heading(node))}"]
        entries = entries_by_section.get(node.pk)
        if entries:  # each entry after an empty line
            out += ["", "\n\n".join(entries)]
    if workshops:
        out += ["", f"## {document.workshops_heading or 'Workshops'}", ""]
        out += ["| Workshop | Description |", "| --- | --- |"]
        out += [
            f"| [{escape_inline(w.name)}]({safe_url(w.url)}) | {escape_inline(w.description)} |"
            for w in workshops
        ]
    return "\n".join(out) + "\n"


def readme_diff(*, path: Path, text: str) -> str:
    """A unified diff from the file at `path` (missing counts as empty) to `text`."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=str(path),
            tofile="export",
        )
    )


# A temporary file this old was left by a writer that was killed (its `except` never ran); a
# live writer's file is seconds old.
STALE_TEMPORARY_SECONDS = 3600


def remove_stale_temporaries(path: Path) -> None:
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for temporary in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if temporary.stat().st_mtime < cutoff:
                temporary.unlink()


def write_atomically(*, path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of it: a temporary file in the same
    directory (same filesystem), then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    # mkstemp creates files 0600; keep the existing file's mode, else a world-readable 0644.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_readme(path: str | Path, *, text: str | None = None) -> bool:
    """Writes the export to `path` if it differs; True if the file changed."""
    path = Path(path)
    text = render_readme() if text is None else text
    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return False
    write_atomically(path=path, text=text)
    return True


logger = logging.getLogger(__name__)


def regenerate_readme_file() -> str:
    """Writes the README to README_EXPORT_PATH (when set) if it changed. Returns "" or why it
    failed; a failure is logged, never raised: the change that asked for it stands."""
    path = settings.README_EXPORT_PATH
    if not path:
        return ""
    try:
        # Render and write under a lock: two changes committing together must not let the
        # older rendering replace the newer file. The lock sits beside the file, so the folder
        # (the default var/ is not in the repository) must exist first.
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            changed = write_readme(path)
    except Exception as exc:
        logger.exception("README regeneration at %s failed", path)
        return f"regenerating the README at {path} failed: {exc}"
    logger.info("README at %s %s", path, "rewritten" if changed else "already current")
    return ""


# Marks an on-commit callback that regenerates the file, so a transaction schedules one.
regenerate_readme_file.regenerates_readme_file = True


def regenerate_readme_file_after_commit(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Any change to the catalog (an approval, an admin edit or delete, an import, a fixture
    load) rewrites the README file once its transaction commits, once per transaction."""
    if not settings.README_EXPORT_PATH:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        regenerate_readme_file()
        return
    scheduled = connection.run_on_commit
    if any(getattr(func, "regenerates_readme_file", False) for _s, func, _r in scheduled):
        return
    transaction.on_commit(regenerate_readme_file, using=using)
