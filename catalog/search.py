"""Text search of the catalog: PostgreSQL full-text search, with a portable fallback.

One contract on both databases: every word of the query must match the title or the authors
(a word matches a prefix, so `debat` finds "debate" and "Debating"), and results come best
first — title matches before author-only matches — then newest year, title, id.

- PostgreSQL: `catalog_paper.search_vector`, a stored generated column (title weighted A,
  authors B, English stemming) with a GIN index, created by migration 0002_search. Generated
  by the database, it is current after every write, including `QuerySet.update()`, bulk
  inserts and `loaddata`, which bypass model code; it is not a model field, so SQLite never
  sees it. Words become prefix terms (`'debat':*`) matched with `@@`; `ts_rank` orders.
- SQLite (and anything else): `icontains` per word, ranked by how many words hit the title.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from catalog.models import Paper

SEARCH_CONFIG = "english"
# Letters and digits only: what is left can go into to_tsquery() without any escaping.
LEXEME = re.compile(r"\w+")


def uses_full_text_search(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def prefix_tsquery(text: str) -> str:
    """`Constitutional BAI` -> `'constitutional':* & 'bai':*` (raw to_tsquery syntax)."""
    return " & ".join(f"'{word}':*" for word in LEXEME.findall(text.lower()))


def papers_matching(queryset: QuerySet[Paper], text: str) -> QuerySet[Paper]:
    """The papers of `queryset` matching every word of `text`, best first."""
    newest_then_title = (F("year").desc(nulls_last=True), "title", "id")
    if uses_full_text_search(queryset):
        raw = prefix_tsquery(text)
        if not raw:
            return queryset.none()
        query = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
        vector = RawSQL(
            f'"{Paper._meta.db_table}"."search_vector"', [], output_field=SearchVectorField()
        )
        return (
            queryset.alias(search_vector=vector)
            .filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", *newest_then_title)
        )

    words = text.split()
    for word in words:
        queryset = queryset.filter(Q(title__icontains=word) | Q(authors__icontains=word))
    in_title = sum(
        (Case(When(title__icontains=word, then=Value(1)), default=Value(0)) for word in words),
        Value(0, output_field=IntegerField()),
    )
    return queryset.annotate(rank=in_title).order_by("-rank", *newest_then_title)
