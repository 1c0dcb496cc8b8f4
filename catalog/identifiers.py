"""Identifiers extracted from links, so one paper is recognised behind different URLs.

`identifier_for_url` returns one canonical, prefixed string per URL:
`arxiv:2401.12086`, `doi:10.1145/3630106.3658979`, `openreview:SJgdnAVKDH`, or
`url:example.org/path?query` for anything else.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from functools import cache
from urllib.parse import parse_qs, unquote, urlsplit

ARXIV_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
# Any page of one arXiv paper: abs, pdf or html, on any of arXiv's hosts, with a version, a
# query (`?context=cs`), a fragment or a full stop copied from the end of a sentence.
ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html)/"
    + ARXIV_ID
    + r"(?:\.pdf)?/?\.?(?:[?#].*)?$",
    re.IGNORECASE | re.DOTALL,
)
ARXIV_BARE = re.compile(r"^(?:arxiv:\s*)?" + ARXIV_ID + r"$", re.IGNORECASE)
# The DOI arXiv gives every paper (10.48550/arXiv.2401.10020) names the same paper.
ARXIV_DOI = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\." + ARXIV_ID + r"/?$",
    re.IGNORECASE,
)
DOI = re.compile(r"(?P<doi>10\.\d{4,9}/[^\s?#]+)")
DOI_HOSTS = ("doi.org", "dx.doi.org", "dl.acm.org", "www.science.org", "science.org")

PREFIX_LABELS = {
    "arxiv": "arXiv",
    "doi": "DOI",
    "openreview": "OpenReview",
    "url": "URL",
}


def arxiv_id(value: str) -> str:
    """The arXiv id (without version) in an id or any arXiv URL form; "" if there is none."""
    value = value.strip()
    match = ARXIV_URL.match(value) or ARXIV_BARE.match(value) or ARXIV_DOI.match(value)
    return match.group("id") if match else ""


def arxiv_abs_url(identifier: str) -> str:
    return f"https://arxiv.org/abs/{identifier}"


def normalize_url(url: str) -> str:
    """Scheme-less, lower-cased host without `www.`, no trailing slash, no fragment."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


# The identifier columns' length (Link, SubmissionLink). A link may be 1,000 characters and
# lowercasing its host can lengthen it (`İ` becomes two code points), so a longer identifier
# keeps its start and ends in a digest of the whole: still one per address, and it fits.
MAX_IDENTIFIER_LENGTH = 1100


def identifier_for_url(url: str) -> str:
    identifier = _identifier_for_url(url)
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        digest = hashlib.sha256(identifier.encode()).hexdigest()
        identifier = f"{identifier[: MAX_IDENTIFIER_LENGTH - len(digest) - 1]}#{digest}"
    return identifier


def _identifier_for_url(url: str) -> str:
    if not url:
        return ""
    found = arxiv_id(url)
    if found:
        return f"arxiv:{found}"
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in DOI_HOSTS or host.endswith(".doi.org"):
        match = DOI.search(unquote(parts.path))
        if match:
            return f"doi:{match.group('doi').lower()}"
    if host.removeprefix("www.") == "openreview.net":
        forum = parse_qs(parts.query).get("id")
        if forum:
            return f"openreview:{forum[0]}"
    return f"url:{normalize_url(url)}"


# What a search box may hold to ask for one paper (identifier_for_query): a DOI as written on
# a paper (`10.1145/3630106.3658979`, `doi:10.1145/…`), an OpenReview id as the paper page
# shows it (`openreview:SJgdnAVKDH`), or an address of arXiv, doi.org or OpenReview copied
# without its `https://`.
DOI_BARE = re.compile(r"^(?:doi:\s*)?(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)
OPENREVIEW_BARE = re.compile(r"^openreview:\s*(?P<id>[\w-]+)$", re.IGNORECASE)
SCHEMELESS_PAPER_URL = re.compile(
    r"^(?:www\.|export\.|browse\.|dx\.)?(?:arxiv\.org|doi\.org|openreview\.net)/\S*$",
    re.IGNORECASE,
)
HTTP_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# Any other address copied without its scheme, as the submission form takes it
# (`github.com/x/y`): a host whose last label is letters, then a path. "gpt-3.5/turbo" or
# "e.g./x" are no such host, so they stay words.
SCHEMELESS_URL = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}/\S+$", re.IGNORECASE)


def identifier_for_query(text: str) -> str:
    """The identifier of the paper a search asks for when the whole query is one paper's
    address or identifier, as links store it (`Link.identifier`); "" for anything else.

    `2401.10020`, `2401.10020v3`, `arXiv:2401.10020` and any arXiv address give
    `arxiv:2401.10020`; `10.1145/3630106.3658979`, `doi:10.1145/…` and a doi.org or ACM
    address give `doi:10.1145/3630106.3658979`; `openreview:SJgdnAVKDH` and an OpenReview
    forum or pdf address give `openreview:SJgdnAVKDH`; any other http(s) address gives its
    `url:` identifier. Words, even words beside an identifier, give "".
    """
    text = text.strip()
    if not text:
        return ""
    found = arxiv_id(text)
    if found:
        return f"arxiv:{found}"
    match = DOI_BARE.match(text)
    if match:
        identifier = identifier_for_url(f"https://doi.org/{match.group('doi')}")
        return identifier if identifier.startswith(("doi:", "arxiv:")) else ""
    match = OPENREVIEW_BARE.match(text)
    if match:
        return f"openreview:{match.group('id')}"
    if SCHEMELESS_PAPER_URL.match(text) or SCHEMELESS_URL.match(text):
        text = f"https://{text}"
    if HTTP_URL.match(text) and "." in (urlsplit(text).hostname or ""):
        return identifier_for_url(text)
    return ""


def normalize_title(title: str) -> str:
    """A title's matching key: casefolded, punctuation dropped, whitespace collapsed.

    "Constitutional AI: Harmlessness from AI Feedback." and "constitutional ai harmlessness
    from ai feedback" share a key.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(folded.translate(_punctuation_to_space()).split())


@cache
def _punctuation_to_space() -> dict[int, str]:
    """Every punctuation (P*) and symbol (S*) code point mapped to a space: str.translate then
    does in C what a per-character category test did in Python (the duplicate check normalizes
    every title of the catalog)."""
    return {
        code: " "
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code))[0] in "PS"
    }


def describe(identifier: str) -> tuple[str, str]:
    """("arXiv", "2401.12086") for display."""
    prefix, _, value = identifier.partition(":")
    return PREFIX_LABELS.get(prefix, prefix), value


def recompute_identifiers(link_model) -> None:
    """Give every row of `link_model` (a link model with `url` and `identifier`, real or a
    migration's historical one) the identifier today's rules derive; only changed rows are
    written. For data migrations after a change to these rules."""
    changed = []
    for link in link_model.objects.only("pk", "url", "identifier").iterator(chunk_size=2000):
        identifier = identifier_for_url(link.url)
        if identifier != link.identifier:
            link.identifier = identifier
            changed.append(link)
    link_model.objects.bulk_update(changed, ["identifier"], batch_size=500)
