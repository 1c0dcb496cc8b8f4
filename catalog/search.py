"""Text search of the catalog: PostgreSQL full-text search, with a portable fallback.

One contract on both databases: every word of the query must match the title or the authors
(a word matches a prefix, so `debat` finds "debate" and "Debating"; English stop words such
as "the" or "on" are left out, as PostgreSQL's English configuration does), and results come
best first — title matches before author-only matches — then newest year, title (regardless
of case), id.

- PostgreSQL: `catalog_paper.search_vector`, a stored generated column (title weighted A,
  authors B, English stemming, accents folded by `unaccent`) with a GIN index, created by
  migrations 0002_search and 0011_search_ignores_accents. Generated
  by the database, it is current after every write, including `QuerySet.update()`, bulk
  inserts and `loaddata`, which bypass model code; it is not a model field, so SQLite never
  sees it. Words become prefix terms (`'debat':*`) matched with `@@`; `ts_rank` orders.
- SQLite: `catalog_paper_fts`, an FTS5 external-content table over title and authors kept
  current by triggers (migration 0005_search_fts5). Words become quoted prefix terms of their
  light stem (`debate` -> `"debat"*`, so "Debating" is found as on PostgreSQL), all
  required. Order: how many of the words the title holds (one FTS5 query on the title column
  per word), then newest year, title, id. FTS5's bm25 `rank` is left out:
  scoring every match costs 10 of 24 ms for a word in 5,000 of 100,000 papers, and within a
  year it only reorders titles that hold the same words.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, Substr
from django.db.models.lookups import Exact

from catalog.models import Link, Paper
from catalog.selectors import SectionNode, SectionTree

SEARCH_CONFIG = "english"
# Letters and digits: the words of a query.
LEXEME = re.compile(r"\w+")


# PostgreSQL's English stop words (tsearch_data/english.stop): its to_tsquery drops them, so
# they are dropped from every query on both databases; a query of only these finds nothing.
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)


def query_words(text: str) -> list[str]:
    """The words of a query that are searched for: lowercase, each once, stop words and single
    letters left out (a prefix of one letter, `e`, finds nearly every paper through its
    authors' "et al."; a single digit, as in "Llama 3", stays)."""
    return [
        word
        for word in dict.fromkeys(LEXEME.findall(text.lower()))
        if word not in STOP_WORDS and not (len(word) == 1 and word.isalpha())
    ]


FTS_TABLE = "catalog_paper_fts"


def uses_full_text_search(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def fts5_query(text: str) -> str:
    """`Constitutional BAI` -> `"constitutional"* "bai"*` (FTS5 syntax: every word, a prefix;
    quoted, so `AND`, `NOT` or `NEAR` are words too). Each word is first cut to its stem's
    start (`light_stem`)."""
    return " ".join(f'"{light_stem(word)}"*' for word in query_words(text))


def light_stem(word: str) -> str:
    """The start every form of an English word shares, for a prefix match: `debate` ->
    `debat` (so it finds "debating", as PostgreSQL's English stemming does), `models` ->
    `model`, `policies` -> `polic`. Deliberately light: a plural, then a final e, and only
    while five letters are left, so `games` stays `game` (not `gam`, which would find
    "gamma"). FTS5's Porter stemmer was not used: it makes `generation` and `general` one word.
    """
    if len(word) < 5:
        return word
    if word.endswith("ies"):
        word = word[:-3]
    elif word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 5:
        word = word[:-1]
    return word


# One word of a query as a quoted prefix term, its accents folded as in the stored vector
# (migration 0011), in SQL: unaccent turns some letters into punctuation (`ʻ`, `ʼ` and `ŉ`
# give an apostrophe), so the quotes (chr(39)) and backslashes (chr(92)) it yields are escaped
# after it; written with chr() to read the same whatever standard_conforming_strings says.
UNACCENTED_TERM = (
    "chr(39) || replace(replace(catalog_unaccent(%s), chr(92), repeat(chr(92), 2)), "
    "chr(39), repeat(chr(39), 2)) || chr(39) || ':*'"
)


def prefix_tsquery(text: str) -> RawSQL | None:
    """`Constitutional Köksal` -> `'constitutional':* & 'koksal':*`, as SQL for to_tsquery's
    raw syntax; None when no word is left."""
    words = query_words(text)
    if not words:
        return None
    sql = " || ' & ' || ".join([UNACCENTED_TERM] * len(words))
    return RawSQL(f"({sql})", words, output_field=TextField())


def papers_matching(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    """The papers of `queryset` matching every word of `text`, best first: a title that
    begins with the query as typed (`self-rewarding` finds "Self-Rewarding Language Models"
    first), then, for several words, a title holding them as typed, then the engine's order
    (see the module's docstring)."""
    newest_then_title = (F("year").desc(nulls_last=True), Lower("title"), "id")
    # As typed, without the quotes a phrase is often given in (`"reward model"`).
    typed = " ".join(text.split()).strip("\"'“”‘’«»")
    # Its first characters compared, lower-cased (not LIKE: the engines above answer the
    # search; this only orders what they found).
    begins = Exact(Lower(Substr("title", 1, max(len(typed), 1))), Value(typed.lower()))
    title_begins = Case(When(begins, then=Value(1)), default=Value(0), output_field=IntegerField())
    first = [title_begins.desc()]
    if len(query_words(text)) > 1:
        # Then a title holding the words as typed, side by side: `reward model` puts "Scaling
        # Laws for Reward Model Overoptimization" before titles that hold the words apart.
        holds = Case(
            When(title__icontains=typed, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        first.append(holds.desc())
    if uses_full_text_search(queryset):
        raw = prefix_tsquery(text)
        if raw is None:
            return queryset.none()
        query = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
        vector = RawSQL(
            f'"{Paper._meta.db_table}"."search_vector"', [], output_field=SearchVectorField()
        )
        return (
            queryset.alias(search_vector=vector)
            .filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by(*first, "-rank", *newest_then_title)
        )

    match = fts5_query(text)
    if not match:
        return queryset.none()
    table = Paper._meta.db_table
    # Title matches first, as on PostgreSQL: how many words hit the title, each found by one
    # FTS5 query on the title column, run once (a list of rowids), not once per row.
    words = query_words(text)
    in_title = " + ".join(
        [f"({FTS_TABLE}.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))"]
        * len(words)
    )
    # extra(): the FTS5 table is no model; its MATCH needs a join.
    return queryset.extra(  # noqa: S610 - values are passed as parameters
        select={"title_words": in_title},
        select_params=[f'title : "{light_stem(word)}"*' for word in words],
        tables=[FTS_TABLE],
        where=[f'{FTS_TABLE}.rowid = "{table}"."id"', f"{FTS_TABLE} MATCH %s"],
        params=[match],
    ).order_by(*first, "-title_words", *newest_then_title)


def papers_with_identifier(queryset: QuerySet[Paper], identifier: str) -> QuerySet[Paper]:
    """The papers of `queryset` with a link of that identifier (`arxiv:2401.10020`, see
    catalog.identifiers.identifier_for_query), in the queryset's order: a search for one
    paper's address or identifier, through the index on Link.identifier."""
    links = Link.objects.filter(paper=OuterRef("pk"), identifier=identifier)
    return queryset.filter(Exists(links))


SECTION_MATCH_LIMIT = 5


def sections_named(tree: SectionTree, text: str) -> list[SectionNode]:
    """The sections whose titles hold every word of the query (each a prefix of a title word,
    after the light stem, as the paper search matches): `debate` finds 1.5.2 Debate, whose
    papers may not name the word. In reading order, at most SECTION_MATCH_LIMIT."""
    words = [light_stem(word) for word in query_words(text)]
    if not words:
        return []
    # Each section's title words as one string, " debate for alignment", kept with the tree
    # (rebuilt when the catalog changes): " debat" in it says a title word begins with
    # "debat", one substring search per section instead of a loop over its words (600
    # sections cost 1.5 ms a search that way).
    titles = tree.__dict__.get("_title_words")
    if titles is None:
        titles = tree.__dict__["_title_words"] = [
            (node, " " + " ".join(LEXEME.findall(node.title.lower()))) for node in tree.walk()
        ]
    prefixes = [" " + word for word in words]
    found = []
    for node, title in titles:
        for prefix in prefixes:
            if prefix not in title:
                break
        else:
            found.append(node)
            if len(found) == SECTION_MATCH_LIMIT:
                break
    return found
