"""Paper metadata from an identifier: the arXiv API (Atom) and Crossref (JSON), over httpx.

Every failure (timeout, HTTP error, unknown id, unreadable answer) raises LookupFailed with a
message a contributor can read; callers fall back to manual entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from defusedxml import ElementTree
from django.conf import settings

from catalog import identifiers
from quality.venues import Vocabulary

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
USER_AGENT = "awesome-automated-alignment-curation/1.0 (mailto:curators@awesome-alignment.local)"
DOI_IN_TEXT = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+)$", re.I
)
YEAR = re.compile(r"\b(19|20)\d{2}\b")


FILL_IN_BY_HAND = "please fill in the fields by hand."


class LookupFailed(Exception):
    """The lookup gave nothing usable. The message says why and what the contributor can do
    on the form; `reason` alone is what a command prints."""

    advice = FILL_IN_BY_HAND

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}; {self.advice}")
        self.reason = reason


class IdentifierUnknown(LookupFailed):
    """The source answered that it has no such identifier: the id itself is wrong."""

    advice = "check it, or fill in by hand."


@dataclass
class Metadata:
    title: str
    authors: list[str]
    year: int | None
    venue: str = ""
    url: str = ""
    doi: str = ""
    journal_ref: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def short_authors(self) -> str:
        return short_authors(self.authors)


def short_authors(names: list[str]) -> str:
    """The list's style: "Yuan et al." for three or more authors, "Yuan and Cho" for two,
    "Yuan" for one (surnames only, as the list shows them)."""
    surnames = [surname(name) for name in names if name.strip()]
    if len(surnames) >= 3:
        return f"{surnames[0]} et al."
    return " and ".join(surnames)


def surname(name: str) -> str:
    name = " ".join(name.split())
    if "," in name:  # "Yuan, Weizhe"
        return name.split(",", 1)[0].strip()
    return name.split(" ")[-1]


def clean_title(title: str) -> str:
    return " ".join(title.split()).rstrip(".")


def parse_identifier(text: str) -> tuple[str, str]:
    """("arxiv", "2401.10020") or ("doi", "10.18653/v1/…"); LookupFailed if neither."""
    text = text.strip()
    with_scheme = (
        text if "://" in text or not text.lower().startswith("arxiv.org") else f"https://{text}"
    )
    found = identifiers.arxiv_id(with_scheme) or identifiers.arxiv_id(text)
    if found:
        return "arxiv", found
    match = DOI_IN_TEXT.match(text)
    if match:
        return "doi", match.group("doi").rstrip(".")
    if "://" in text:
        identifier = identifiers.identifier_for_url(text)
        if identifier.startswith("doi:"):
            return "doi", identifier.removeprefix("doi:")
    raise LookupFailed("Only arXiv ids or links and DOIs can be looked up")


def _client() -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.METADATA_TIMEOUT),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
    )


def _get(
    client: httpx.Client, url: str, *, params: dict | None = None, what: str
) -> httpx.Response:
    try:
        response = client.get(url, params=params)
    except httpx.TimeoutException:
        raise LookupFailed(f"{what} did not answer in time") from None
    except httpx.HTTPError:
        raise LookupFailed(f"{what} could not be reached") from None
    if response.status_code == 404:
        raise IdentifierUnknown(f"{what} does not know this identifier")
    if response.status_code != 200:
        raise LookupFailed(f"{what} answered with an error ({response.status_code})")
    return response


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def parse_arxiv_feed(body: bytes) -> dict[str, Metadata]:
    """The entries of an arXiv API answer, by arXiv id (without version)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:  # defusedxml raises its own subclasses too
        raise LookupFailed("arXiv sent an unreadable answer") from error
    entries: dict[str, Metadata] = {}
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = identifiers.arxiv_id(_text(entry, f"{ATOM}id"))
        title = _text(entry, f"{ATOM}title")
        # An unknown id comes back as an entry titled "Error".
        if not entry_id or not title or title == "Error":
            continue
        published = _text(entry, f"{ATOM}published")
        year = YEAR.search(published)
        entries[entry_id] = Metadata(
            title=clean_title(title),
            authors=[_text(author, f"{ATOM}name") for author in entry.findall(f"{ATOM}author")],
            year=int(year.group(0)) if year else None,
            venue="arXiv",
            url=identifiers.arxiv_abs_url(entry_id),
            doi=_text(entry, f"{ARXIV}doi"),
            journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        )
    return entries


def arxiv_fetch(arxiv_ids: list[str], *, client: httpx.Client | None = None) -> dict[str, Metadata]:
    """Metadata for up to a hundred arXiv ids in one request; unknown ids are left out."""
    own = client is None
    client = client or _client()
    try:
        response = _get(
            client,
            settings.ARXIV_API_URL,
            params={"id_list": ",".join(arxiv_ids), "max_results": str(len(arxiv_ids))},
            what="arXiv",
        )
        return parse_arxiv_feed(response.content)
    finally:
        if own:
            client.close()


def arxiv_search_title(title: str, *, client: httpx.Client) -> list[Metadata]:
    """arXiv papers whose title contains the phrase (the best few)."""
    phrase = re.sub(r"[^\w\s-]", " ", title)
    response = _get(
        client,
        settings.ARXIV_API_URL,
        params={"search_query": f'ti:"{" ".join(phrase.split())}"', "max_results": "5"},
        what="arXiv",
    )
    return list(parse_arxiv_feed(response.content).values())


def crossref_fetch(
    doi: str, *, vocabulary: Vocabulary | None = None, client: httpx.Client | None = None
) -> Metadata:
    own = client is None
    client = client or _client()
    try:
        response = _get(
            client,
            f"{settings.CROSSREF_API_URL.rstrip('/')}/{quote(doi, safe='/')}",
            what="Crossref",
        )
    finally:
        if own:
            client.close()
    try:
        message = response.json()["message"]
        title = clean_title((message.get("title") or [""])[0])
    except (ValueError, KeyError, TypeError, IndexError):
        raise LookupFailed("Crossref sent an unreadable answer") from None
    if not title:
        raise LookupFailed("Crossref has no title for this DOI")
    authors = [
        " ".join(filter(None, [person.get("given", ""), person.get("family", "")]))
        or person.get("name", "")
        for person in message.get("author", [])
        if isinstance(person, dict)
    ]
    return Metadata(
        title=title,
        authors=authors,
        year=_crossref_year(message),
        venue=crossref_venue(message, vocabulary or Vocabulary.load()),
        url=f"https://doi.org/{doi}",
        doi=doi,
    )


def _crossref_year(message: dict) -> int | None:
    for key in ("published-print", "published-online", "published", "issued"):
        parts = (message.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def crossref_venue(message: dict, vocabulary: Vocabulary) -> str:
    """The venue as the list names it: the container title through the vocabulary, else the
    event's acronym, else the container title as it stands."""
    containers = [
        *(message.get("container-title") or []),
        *(message.get("short-container-title") or []),
    ]
    event = message.get("event") or {}
    candidates = [*containers, event.get("acronym", ""), event.get("name", "")]
    for candidate in candidates:
        if candidate and (found := vocabulary.match(candidate)):
            return found
    return (
        " ".join((containers or [event.get("acronym", "")])[0].split())
        if containers or event
        else ""
    )


def venue_from_journal_ref(journal_ref: str, vocabulary: Vocabulary) -> str:
    """A venue named in arXiv's free-text journal_ref ("Published at ICLR 2024"), or ""."""
    found = vocabulary.match(journal_ref)
    if found:
        return found
    for word in re.findall(r"[A-Za-z][A-Za-z-]+", journal_ref):
        found = vocabulary.canonical_name(word)
        if found and found not in vocabulary.preprints:
            return found
    return ""


def lookup(text: str) -> Metadata:
    """Metadata for whatever a contributor pasted: an arXiv id or link, or a DOI."""
    kind, value = parse_identifier(text)
    if kind == "arxiv":
        found = arxiv_fetch([value]).get(value)
        if found is None:
            raise IdentifierUnknown(f"arXiv does not know {value}")
        return found
    return crossref_fetch(value)
