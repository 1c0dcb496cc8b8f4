"""A BibTeX entry for a paper, written with bibtexparser.

The citation key follows the Google Scholar habit readers already paste into their papers:
first author's surname + year + first significant title word, e.g. `bai2022constitutional`.
It depends only on the paper's own fields, so it stays the same between visits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import bibtexparser
from bibtexparser.model import Entry, Field

from catalog.models import Link, Paper
from catalog.readme.export import percent_encoded

# Words Scholar skips when it picks the title word of a key.
_STOPWORD_TEXT = """
a an the on of in for to and or with from by at as is are be do does via towards toward
how what when why can your our its into over under
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Venues that are journals rather than proceedings.
JOURNAL_HINTS = ("journal", "transactions", "nature", "science", "tmlr", "jmlr", "tacl")
# Characters that break LaTeX, or BibTeX's braces, when left bare in a field.
LATEX_SPECIALS = re.compile(r"[&%$#_{}\\~^]")
# Braces as commands: BibTeX counts every brace, escaped or not, to find a field's end.
LATEX_ESCAPES = {
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# Inline TeX maths as titles on arXiv write it (`SOTOPIA-$\pi$`): a $-span holding a command.
TEX_MATH = re.compile(r"\$(?=[^$]*\\[A-Za-z])[^$\s][^$]*\$")
# The commands such maths may hold and still be copied as written: symbols and letters, never
# one that reads a file or writes (\input, \write18). Any other makes it plain text.
_MATH_COMMAND_TEXT = """
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
    Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega mathcal mathbb mathbf mathrm mathit mathsf
    mathtt boldsymbol frac sqrt cdot cdots ldots dots times div pm mp le leq ge geq neq approx
    sim propto infty ell partial nabla sum prod log exp min max to rightarrow leftarrow
    Rightarrow leftrightarrow mapsto in notin subset subseteq cup cap star ast circ prime hat
    tilde bar vec dot ddot overline underline lvert rvert lVert rVert mid top bot forall
    exists neg oplus otimes emptyset
"""
MATH_COMMANDS = frozenset(_MATH_COMMAND_TEXT.split())
MATH_ESCAPE = re.compile(r"\\(?:([A-Za-z]+)|[,;:! |])")
MATH_BARE_SPECIAL = re.compile(r"(?<!\\)([%#&])")
# Characters that would end a BibTeX field or start a command inside an address.
URL_UNSAFE = re.compile(r"[{}\\^\s]")
# A DOI as Crossref recommends them; another is left out of the entry rather than escaped.
PLAIN_DOI = re.compile(r"10\.[0-9]{4,9}/[-._;()/:A-Za-z0-9]+")
ET_AL = re.compile(r"\s*(?:,\s*)?\bet\s+al\.?\s*$", re.IGNORECASE)
AUTHOR_SEPARATORS = re.compile(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+)\s*")


def ascii_letters(text: str) -> str:
    """Lower-case ASCII letters and digits only: `Gödel-Net` -> `godelnet`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def split_authors(authors: str) -> tuple[list[str], bool]:
    """The named authors and whether the list ends with "et al."."""
    truncated = bool(ET_AL.search(authors.strip()))
    text = ET_AL.sub("", authors.strip()).strip().rstrip(",")
    names = [name.strip() for name in AUTHOR_SEPARATORS.split(text) if name.strip()]
    return names, truncated


def first_surname(authors: str) -> str:
    names, _ = split_authors(authors)
    if not names:
        return ""
    # "Hugo Touvron" -> "Touvron"; "Bai" -> "Bai".
    return names[0].split()[-1]


def first_title_word(title: str) -> str:
    for word in re.split(r"[^\w]+", title):
        letters = ascii_letters(word)
        if letters and letters not in STOPWORDS:
            return letters
    return ""


def citation_key(paper: Paper) -> str:
    """The key from the paper's own fields; two papers may share it (see unique_keys)."""
    return citation_key_base(paper.authors, paper.year, paper.title)


def citation_key_base(authors: str, year: int | None, title: str) -> str:
    """The key before the uniqueness suffix; stored as Paper.key_base (indexed)."""
    surname = ascii_letters(first_surname(authors)) or "anonymous"
    return f"{surname}{year or ''}{first_title_word(title)}"


def unique_keys(rows: Iterable[tuple[int, str, int | None, str]]) -> dict[int, str]:
    """Keys unique across the list, from (pk, authors, year, title) rows: the oldest paper
    (lowest id) with a key keeps it, later ones get `b`, `c`, … (`wang2023selfb`). A paper's
    key so changes only if an older paper with the same key is deleted."""
    taken: dict[str, int] = {}
    keys: dict[int, str] = {}
    for pk, authors, year, title in sorted(rows):
        base = citation_key_base(authors, year, title)
        count = taken.get(base, 0)
        taken[base] = count + 1
        keys[pk] = base if count == 0 else f"{base}{_suffix(count)}"
    return keys


def _suffix(count: int) -> str:
    # 1 -> b, 2 -> c, … 25 -> z, 26 -> ba: letters only, as BibTeX users expect.
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[count] if count < 26 else letters[count // 26] + letters[count % 26]


def published_keys() -> dict[int, str]:
    """Unique keys of every published paper. One query."""
    rows = Paper.objects.published().values_list("pk", "authors", "year", "title")
    return unique_keys(rows)


def _escape_text(text: str) -> str:
    return LATEX_SPECIALS.sub(lambda m: LATEX_ESCAPES.get(m[0], "\\" + m[0]), text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def safe_math(span: str) -> bool:
    """A `$…$` span that typesets as written and can do nothing else: braces balanced, no
    `^^` escape, and every command one of MATH_COMMANDS (or spacing)."""
    # `^^5c` is a backslash to TeX (and `^^7b` a brace): a command written another way.
    if not _balanced(span) or "^^" in span:
        return False
    commands = MATH_ESCAPE.findall(span)
    return span.count("\\") == len(commands) and all(
        not name or name in MATH_COMMANDS for name in commands
    )


def latex_escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters and braces escaped, so no value can
    end the field or run a command, except safe TeX maths (`SOTOPIA-$\\pi$`), kept as written
    so it typesets, with a bare %, # or & in it escaped."""
    text = " ".join(text.split())
    parts, start = [], 0
    for math in TEX_MATH.finditer(text):
        if not safe_math(math.group()):
            continue
        kept = MATH_BARE_SPECIAL.sub(r"\\\1", math.group())
        parts += [_escape_text(text[start : math.start()]), kept]
        start = math.end()
    parts.append(_escape_text(text[start:]))
    return "".join(parts)


def bibtex_url(url: str) -> str:
    """An address for the url field: braces, backslashes, `^` and spaces percent-encoded (the
    same address to a browser), so it cannot end the field or spell a command (`^^5c`)."""
    return percent_encoded(URL_UNSAFE, url)


def bibtex_authors(authors: str) -> str:
    names, truncated = split_authors(authors)
    if truncated:
        names.append("others")
    return " and ".join(names)


def _links(paper: Paper) -> list[Link]:
    # Uses the prefetched links when the caller loaded them; no extra query then.
    return list(paper.links.all())


def paper_entry(paper: Paper, key: str | None = None) -> Entry:
    links = _links(paper)
    identifiers = dict(link.identifier.split(":", 1) for link in links if ":" in link.identifier)
    arxiv = identifiers.get("arxiv", "")
    venue = " ".join(paper.venue.split())

    fields = [Field("title", latex_escape(paper.title.strip().rstrip(".")))]
    if paper.authors.strip():
        fields.append(Field("author", latex_escape(bibtex_authors(paper.authors))))
    if venue.lower() == "arxiv":
        entry_type = "article"
        journal = f"arXiv preprint arXiv:{arxiv}" if arxiv else "arXiv preprint"
        fields.append(Field("journal", journal))
    elif any(hint in venue.lower() for hint in JOURNAL_HINTS):
        entry_type = "article"
        fields.append(Field("journal", latex_escape(venue)))
    elif venue:
        entry_type = "inproceedings"
        fields.append(Field("booktitle", latex_escape(venue)))
    else:
        entry_type = "misc"
    if paper.year:
        fields.append(Field("year", str(paper.year)))
    if arxiv:
        fields += [Field("eprint", arxiv), Field("archivePrefix", "arXiv")]
    # Styles print the doi field as plain text: one outside the usual characters stays out.
    if "doi" in identifiers and PLAIN_DOI.fullmatch(identifiers["doi"]):
        fields.append(Field("doi", identifiers["doi"]))
    paper_links = [link for link in links if link.label == Link.Label.PAPER] or links
    if paper_links:
        fields.append(Field("url", bibtex_url(paper_links[0].url)))
    return Entry(entry_type=entry_type, key=key or citation_key(paper), fields=fields)


def paper_bibtex(paper: Paper, key: str | None = None) -> str:
    """The entry as text, two-space indented, ready to paste into a .bib file. Without a key,
    the paper's key unique across the list (one query)."""
    if key is None:
        key = unique_key(paper)
    return library_bibtex([paper], {paper.pk: key})


def unique_key(paper: Paper) -> str:
    """The paper's key as unique_keys gives it among the published papers, the paper as given
    (it may be unsaved, or edited) counted in: its base, suffixed by how many older published
    papers share that base. One indexed query on Paper.key_base, whatever the catalog's size."""
    base = citation_key_base(paper.authors, paper.year, paper.title)
    if not paper.pk:
        return base  # unsaved: sorted first (id 0), as unique_keys would
    older = Paper.objects.published().filter(key_base=base, pk__lt=paper.pk).count()
    return base if older == 0 else f"{base}{_suffix(older)}"


def library_bibtex(papers: Iterable[Paper], keys: dict[int, str]) -> str:
    """Entries for the papers, in order, each under its key from `keys`."""
    library = bibtexparser.Library()
    for paper in papers:
        library.add(paper_entry(paper, keys.get(paper.pk)))
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    return bibtexparser.write_string(library, bibtex_format=layout).strip() + "\n"
