"""Reading a README in the list's format into plain data, without touching the database.

The parser is forgiving about the variations hand editing produced (see the seed) but never
drops a line silently: whatever it cannot place becomes a `LineWarning` with its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import ftfy

# Only the encoding repair: curly quotes, ligatures and full-width characters are content.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
)

# An optional closing sequence of `#` follows a space (CommonMark); an escaped `\#` is text.
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
# "1.", "1.5", "1.5.2" before a section title; the number is derived from the tree instead.
HEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+")
BULLET = re.compile(r"^[-*+]\s+(?P<body>.*)$")
# A bold title; `\x` escapes are part of it, the first unescaped `**` ends it.
BOLD_TITLE = re.compile(r"^\*\*(?P<title>(?:\\.|[^\\])+?)\*\*\s*(?P<rest>.*)$")
ITALIC_AUTHORS = re.compile(r"^\*(?P<authors>(?:\\.|[^\\*])+)\*\s*(?P<rest>.*)$")
# Authors without italics, as in `Huang et al. 2024.` or `OpenAI. 2023.`.
PLAIN_AUTHORS = re.compile(r"^(?P<authors>.+?(?:et al\.|\.))(?:\s+(?P<rest>.*))?$")
# A final year, alone or after a space or comma: "SemEval-2023" is a venue without one.
VENUE_YEAR = re.compile(r"^(?:(?P<venue>.*?)[\s,]+)?(?P<year>(?:19|20)\d{2})\s*\.?$")
LINK = re.compile(r"\[\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]*)\)\]")
LINKS_START = re.compile(r"(?<!\\)\[\[")
NEWS_ITEM = re.compile(r"^\*\*\[(?P<date>[^\]]+)\]\*\*\s*(?P<text>.*)$")
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>\S*)\s*$")
TABLE_ROW = re.compile(r"^\|(?P<cells>.*)\|$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
MARKDOWN_LINK = re.compile(r"^\[(?P<text>(?:\\.|[^\]\\])+)\]\((?P<url>[^)\s]+)\)$")
# Backslash escapes CommonMark defines: a backslash before ASCII punctuation.
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")

# The seed's intro is HTML (a centred <div> with an <img>). The export must pass markdownlint's
# MD033 (no inline HTML), so the intro is stored as Markdown: <div> wrappers are dropped (the
# centring is lost, GitHub Markdown has no other way to centre) and <img src="X"> becomes
# `![<README title>](X)` (the width attribute is lost; the title doubles as alt text, MD045).
DIV_TAG = re.compile(r"</?div\b[^>]*>", re.IGNORECASE)
IMG_TAG = re.compile(r"<img\b[^>]*?\bsrc=[\"'](?P<src>[^\"']+)[\"'][^>]*>", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass
class LineWarning:
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.text!r}"


@dataclass
class ParsedLink:
    label: str
    url: str


@dataclass
class ParsedEntry:
    line: int
    title: str
    authors: str
    venue: str
    year: int | None
    links: list[ParsedLink] = field(default_factory=list)


@dataclass
class ParsedSection:
    line: int
    title: str
    level: int
    children: list[ParsedSection] = field(default_factory=list)
    entries: list[ParsedEntry] = field(default_factory=list)


@dataclass
class ParsedNews:
    line: int
    date: date
    text: str


@dataclass
class ParsedWorkshop:
    line: int
    name: str
    url: str
    description: str


@dataclass
class ParsedReadme:
    title: str = ""
    intro: str = ""
    news_heading: str = ""
    news: list[ParsedNews] = field(default_factory=list)
    citation_heading: str = ""
    citation_intro: str = ""
    citation: str = ""
    abstract_heading: str = ""
    abstract: str = ""
    contents_heading: str = ""
    paper_list_heading: str = ""
    workshops_heading: str = ""
    workshops: list[ParsedWorkshop] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    warnings: list[LineWarning] = field(default_factory=list)
    repaired_lines: list[int] = field(default_factory=list)

    def walk(self) -> list[ParsedSection]:
        """Every section, depth first, in file order."""
        found: list[ParsedSection] = []

        def visit(sections: list[ParsedSection]) -> None:
            for section in sections:
                found.append(section)
                visit(section.children)

        visit(self.sections)
        return found


def final_year(text: str) -> tuple[str, int] | None:
    """("NeurIPS", 2023) for "NeurIPS 2023." (the venue, then the year, as the README writes
    them); None when the text does not end in a year, alone or after a space or comma, that a
    paper can have been published in ("Conference 2099" is a venue)."""
    from catalog.models import is_publication_year

    found = VENUE_YEAR.match(text)
    if found is None or not is_publication_year(int(found["year"])):
        return None
    return found["venue"] or "", int(found["year"])


def unescape(text: str) -> str:
    return ESCAPED.sub(r"\1", text)


def clean_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines with mis-decoded UTF-8 repaired and trailing whitespace stripped.

    Returns the lines and the (1-based) numbers of the lines ftfy changed.
    """
    lines: list[str] = []
    repaired: list[int] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        fixed = ftfy.fix_text(line, FTFY_CONFIG)
        if fixed != line:
            repaired.append(number)
        lines.append(fixed.rstrip())
    return lines, repaired


def strip_heading_number(text: str) -> str:
    return HEADING_NUMBER.sub("", text, count=1).strip()


def parse_entry(body: str, *, line: int) -> ParsedEntry | str:
    """One list item's text (after the bullet) as an entry, or the reason it is unreadable."""
    match = BOLD_TITLE.match(body)
    if not match:
        return "no **bold title**"
    title = " ".join(unescape(match["title"]).split())
    # The export adds one period to a title; a title ending in ".." ("...") got none.
    title = title if title.endswith("..") else title.removesuffix(".").strip()
    if not title:
        return "empty title"
    rest = match["rest"]

    links: list[ParsedLink] = []
    start = LINKS_START.search(rest)
    if start:
        links_text = rest[start.start() :]
        rest = rest[: start.start()].strip()
        position = 0
        for link in LINK.finditer(links_text):
            if links_text[position : link.start()].strip():
                return f"unreadable text among the links: {links_text[position : link.start()]!r}"
            links.append(ParsedLink(label=link["label"].strip(), url=link["url"]))
            position = link.end()
        if links_text[position:].strip() or not links:
            return "unreadable links"

    authors = ""
    italic = ITALIC_AUTHORS.match(rest)
    if italic:
        authors, rest = italic["authors"], italic["rest"]
    elif rest:
        plain = PLAIN_AUTHORS.match(rest)
        if not plain:
            return "no authors"
        authors, rest = plain["authors"], plain["rest"] or ""
    authors = " ".join(unescape(authors).split())
    # "Bai et al." keeps its period; "OpenAI." does not (the export adds it back).
    authors = authors if authors.endswith("et al.") else authors.rstrip(".").strip()

    rest = rest.strip()
    year: int | None = None
    venue_year = final_year(rest)
    if venue_year:
        venue, year = venue_year
    else:
        venue = rest.rstrip(".")
    venue = " ".join(unescape(venue).split()).strip(" ,")
    return ParsedEntry(line=line, title=title, authors=authors, venue=venue, year=year, links=links)


def intro_to_markdown(lines: list[str], *, title: str) -> str:
    text = "\n".join(lines)
    text = IMG_TAG.sub(lambda m: f"![{title}]({m['src']})", text)
    text = DIV_TAG.sub("", text)
    return squeeze_blank_lines(text)


def squeeze_blank_lines(text: str) -> str:
    """Trailing whitespace off every line, at most one blank line in a row, none at the ends."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def classify_heading(text: str) -> str:
    key = text.casefold()
    for kind, words in (
        ("contents", ("table of contents", "contents")),
        ("paper_list", ("paper list",)),
        ("news", ("news",)),
        ("citation", ("citation",)),
        ("abstract", ("abstract",)),
    ):
        if any(word in key for word in words):
            return kind
    return "other"


def parse_readme(text: str) -> ParsedReadme:
    lines, repaired = clean_lines(text)
    result = ParsedReadme(repaired_lines=repaired)
    # Split the file into blocks: (heading level, heading text, heading line, body lines).
    blocks: list[tuple[int, str, int, list[tuple[int, str]]]] = [(0, "", 0, [])]
    in_fence = False
    for number, line in enumerate(lines, start=1):
        fence = FENCE.match(line)
        if fence:
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            blocks.append((len(heading["hashes"]), heading["text"], number, []))
        else:
            blocks[-1][3].append((number, line))

    def warn_all(body: list[tuple[int, str]], reason: str) -> None:
        for number, line in body:
            if line.strip():
                result.warnings.append(LineWarning(number, line, reason))

    warn_all(blocks[0][3], "text before the title")
    paper_list_level: int | None = None
    stack: list[ParsedSection] = []
    for level, heading_text, number, body in blocks[1:]:
        if paper_list_level is not None and level > paper_list_level:
            section = ParsedSection(
                line=number, title=unescape(strip_heading_number(heading_text)), level=level
            )
            while stack and stack[-1].level >= level:
                stack.pop()
            (stack[-1].children if stack else result.sections).append(section)
            stack.append(section)
            parse_entries(body, section=section, result=result)
            continue
        paper_list_level = None
        if level == 1 and not result.title:
            result.title = heading_text
            result.intro = intro_to_markdown([line for _, line in body], title=heading_text)
            for tag_line, line in body:
                if HTML_TAG.search(IMG_TAG.sub("", DIV_TAG.sub("", line))):
                    result.warnings.append(LineWarning(tag_line, line, "inline HTML in intro"))
            continue
        kind = classify_heading(heading_text)
        if kind == "paper_list" and not result.paper_list_heading:
            result.paper_list_heading = heading_text
            paper_list_level = level
            stack = []
            warn_all(body, "text in the paper list outside any section")
        elif kind == "contents" and not result.contents_heading:
            # Generated by the export, so nothing under it is stored.
            result.contents_heading = heading_text
        elif kind == "news" and not result.news_heading:
            result.news_heading = heading_text
            parse_news(body, result=result)
        elif kind == "citation" and not result.citation_heading:
            result.citation_heading = heading_text
            parse_citation(body, result=result)
        elif kind == "abstract" and not result.abstract_heading:
            result.abstract_heading = heading_text
            result.abstract = squeeze_blank_lines("\n".join(line for _, line in body))
        elif not result.workshops_heading and any(TABLE_ROW.match(line) for _, line in body):
            result.workshops_heading = heading_text
            parse_workshops(body, result=result)
        else:
            result.warnings.append(
                LineWarning(number, lines[number - 1], "heading not part of the format")
            )
            warn_all(body, "text under a heading not part of the format")
    return result


def parse_entries(
    body: list[tuple[int, str]], *, section: ParsedSection, result: ParsedReadme
) -> None:
    for number, line in body:
        if not line.strip():
            continue
        bullet = BULLET.match(line)
        if not bullet:
            result.warnings.append(LineWarning(number, line, "not a list entry"))
            continue
        entry = parse_entry(bullet["body"], line=number)
        if isinstance(entry, str):
            result.warnings.append(LineWarning(number, line, entry))
        else:
            section.entries.append(entry)


def parse_news(body: list[tuple[int, str]], *, result: ParsedReadme) -> None:
    current: ParsedNews | None = None
    for number, line in body:
        if not line.strip():
            current = None
            continue
        item = NEWS_ITEM.match(line)
        if item:
            try:
                when = datetime.strptime(item["date"].strip(), "%B %d, %Y").date()
            except ValueError:
                result.warnings.append(LineWarning(number, line, "news date not understood"))
                current = None
                continue
            current = ParsedNews(line=number, date=when, text=item["text"])
            result.news.append(current)
        elif current is not None:
            current.text += "\n" + line
        else:
            result.warnings.append(LineWarning(number, line, "news item without a date"))


def parse_citation(body: list[tuple[int, str]], *, result: ParsedReadme) -> None:
    intro: list[str] = []
    block: list[str] = []
    state = "intro"
    for number, line in body:
        if FENCE.match(line) and state in {"intro", "block"}:
            state = "block" if state == "intro" else "after"
        elif state == "intro":
            intro.append(line)
        elif state == "block":
            block.append(line)
        elif line.strip():
            result.warnings.append(LineWarning(number, line, "text after the citation block"))
    result.citation_intro = squeeze_blank_lines("\n".join(intro))
    result.citation = "\n".join(block).strip("\n")


def split_cells(row: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", TABLE_ROW.match(row)["cells"])
    return [cell.strip() for cell in cells]


def parse_workshops(body: list[tuple[int, str]], *, result: ParsedReadme) -> None:
    rows = [(number, line) for number, line in body if line.strip()]
    # The header row and the |---| rule are regenerated by the export.
    if rows and TABLE_ROW.match(rows[0][1]) and not TABLE_RULE.match(rows[0][1]):
        rows = rows[1:]
    if rows and TABLE_RULE.match(rows[0][1]):
        rows = rows[1:]
    for number, line in rows:
        cells = split_cells(line) if TABLE_ROW.match(line) else []
        link = MARKDOWN_LINK.match(cells[0]) if len(cells) == 2 else None
        if not link:
            result.warnings.append(LineWarning(number, line, "not a workshop row"))
            continue
        result.workshops.append(
            ParsedWorkshop(
                line=number,
                name=unescape(link["text"]),
                url=link["url"],
                description=unescape(cells[1]),
            )
        )
