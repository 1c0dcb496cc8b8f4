"""Text search: the same cases on SQLite (FTS5) and PostgreSQL (full-text search).

CI runs this file in both runs; the last tests check which engine answered on each.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Paper
from catalog.search import SECTION_MATCH_LIMIT
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory, papers_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers():
    section = SectionFactory(title="Debate", slug="debate", position=1)
    other = SectionFactory(title="Math", slug="math", position=2)
    made = {
        # "debate" in the authors only, and the newest: must still come after title matches.
        "by_debater": PaperFactory(title="Scalable oversight", authors="Debater et al.", year=2025),
        "debate_old": PaperFactory(
            title="AI safety via debate", authors="Irving et al.", year=2018
        ),
        "debating": PaperFactory(
            title="Debating with more persuasive LLMs", authors="Khan et al.", year=2024
        ),
        "math": PaperFactory(
            title="Let's verify step by step", authors="Lightman et al.", year=2023
        ),
        "unplaced": PaperFactory(title="Debate draft", authors="Hidden et al.", year=2024),
    }
    for position, key in enumerate(("by_debater", "debate_old", "debating"), start=1):
        PlacementFactory(paper=made[key], section=section, position=position)
    PlacementFactory(paper=made["math"], section=other, position=1)
    return made


def search(client, **params) -> list[Paper]:
    response = client.get(reverse("catalog:search"), params)
    assert response.status_code == 200
    return papers_of(response.context["page_obj"])


def test_words_match_prefixes_of_title_or_author_words(client, papers):
    assert set(search(client, q="debat")) == {
        papers["by_debater"],
        papers["debate_old"],
        papers["debating"],
    }
    assert search(client, q="LIGHTMAN verify") == [papers["math"]]
    assert search(client, q="verify irving") == []  # every word must match
    assert search(client, q="draft") == []  # unpublished papers are never found


def test_title_matches_rank_before_author_only_matches_then_newest(client, papers):
    assert search(client, q="debat") == [
        papers["debating"],  # title, 2024
        papers["debate_old"],  # title, 2018
        papers["by_debater"],  # authors only, although the newest
    ]


def test_a_title_beginning_with_the_query_as_typed_comes_first(client, papers):
    """Someone looking for "Self-Rewarding Language Models" types its start; a newer paper
    with the same words further in its title comes after it."""
    section = SectionFactory(title="Self-play", slug="self-play", position=3)
    exact = PaperFactory(title="Self-Rewarding Language Models", authors="Yuan et al.", year=2024)
    newer = PaperFactory(
        title="Direct alignment through self-rewarding contrastive prompts", year=2025
    )
    for position, paper in enumerate((newer, exact), start=1):
        PlacementFactory(paper=paper, section=section, position=position)
    assert search(client, q="self-rewarding") == [exact, newer]
    assert search(client, q="Self-Rewarding Language") == [exact]
    assert search(client, q="rewarding self") == [newer, exact]  # not as typed: newest first


def test_text_search_combines_with_the_other_filters(client, papers):
    assert search(client, q="debat", year_min=2020) == [papers["debating"], papers["by_debater"]]
    assert search(client, q="debat", section="math") == []
    assert search(client, q="step", section="math") == [papers["math"]]


def test_punctuation_only_query_finds_nothing_and_does_not_fail(client, papers):
    assert search(client, q="!!! ???") == []
    assert search(client, q="let's") == [papers["math"]]


def test_nothing_found_says_how_authors_are_listed_and_leads_to_the_form(client, papers):
    page = client.get(reverse("catalog:search"), {"q": "Geoffrey Irving"}).content.decode()
    assert "No matching papers" in page
    assert "search for the first author's name" in page
    assert f'href="{reverse("curation:submit")}">Propose a paper</a>' in page


def test_edits_through_update_are_searchable_at_once(client, papers):
    # QuerySet.update() bypasses model code: the stored vector must still follow.
    Paper.objects.filter(pk=papers["math"].pk).update(title="Process supervision rewards")
    assert search(client, q="supervision") == [papers["math"]]
    assert search(client, q="verify") == []


def test_postgresql_answers_with_the_search_vector_sqlite_with_fts5(client, papers):
    with CaptureQueriesContext(connection) as captured:
        assert search(client, q="debat")
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    if connection.vendor == "postgresql":
        assert '("catalog_paper"."search_vector") @@ (to_tsquery(' in sql
        assert 'ts_rank(("catalog_paper"."search_vector")' in sql
        assert "LIKE" not in sql
    else:
        assert "search_vector" not in sql
        # The words as FTS5 prefix terms; title matches counted with the title column's.
        assert """catalog_paper_fts MATCH '"debat"*'""" in sql
        assert """catalog_paper_fts MATCH 'title : "debat"*'""" in sql
        assert "LIKE" not in sql


def test_postgresql_has_the_gin_index_and_pg_trgm_sqlite_the_fts5_table():
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(cursor, "catalog_paper")
        ]
        if connection.vendor == "postgresql":
            assert "search_vector" in columns
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                ["catalog_paper_search_vector_gin"],
            )
            assert "USING gin (search_vector)" in cursor.fetchone()[0]
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() == (1,)
        else:
            assert "search_vector" not in columns
        tables = connection.introspection.table_names(cursor)
        assert ("catalog_paper_fts" in tables) == (connection.vendor == "sqlite")


def test_bulk_created_and_deleted_papers_follow_at_once(client, papers):
    # bulk_create and delete bypass model code too: the index (FTS5 triggers, PostgreSQL's
    # generated column) must follow every write path.
    (added,) = Paper.objects.bulk_create(
        [Paper(title="Weak-to-strong generalization", authors="Burns et al.", year=2023)]
    )
    PlacementFactory(paper=added, section=papers["math"].placements.get().section, position=2)
    assert search(client, q="weak burns") == [added]
    Paper.objects.filter(pk=papers["debating"].pk).delete()
    assert search(client, q="debat") == [papers["debate_old"], papers["by_debater"]]


def test_more_words_in_the_title_rank_first(client, papers):
    both = PaperFactory(title="Debate with Irving", authors="Someone et al.", year=2010)
    PlacementFactory(paper=both, section=papers["math"].placements.get().section, position=2)
    # "AI safety via debate" has both words too (title and authors): title words count first.
    assert search(client, q="debate irving") == [both, papers["debate_old"]]


@pytest.mark.parametrize(
    ("data", "invalid"),
    [
        (None, []),
        ({"q": 'a<b "c"', "section": "math", "year_min": "2022", "venue": "NeurIPS"}, []),
        (
            {"has_code": "on", "year_min": "abc", "year_max": "1950", "section": "nope"},
            ["section", "year_min"],
        ),
        ({"year_min": "2020", "year_max": "2010", "venue": "Nowhere"}, ["year_max", "venue"]),
    ],
    ids=["empty", "filled", "invalid", "crossed-years"],
)
def test_filter_fields_have_the_markup_crispy_forms_gives_them(papers, data, invalid):
    # The search page renders its filters in Python (filter_field_html) instead of through
    # crispy-forms' templates; the markup must stay what crispy's bootstrap5 pack produces.
    from django.template import engines
    from pytest_django.asserts import assertHTMLEqual

    from catalog import selectors_pages as pages
    from catalog.filters import PaperFilter, filter_field_html

    Paper.objects.filter(pk=papers["math"].pk).update(venue="NeurIPS")
    filterset = PaperFilter(
        data,
        queryset=pages.searchable_papers(),
        tree=pages.current_tree(),
        venues=pages.distinct_venues(),
    )
    if data:
        filterset.is_valid()
    crispy = engines["django"].from_string(
        "{% load crispy_forms_tags %}{{ field|as_crispy_field }}"
    )
    fields = list(filterset.form)
    assert [field.name for field in fields] == [
        "q",
        "section",
        "year_min",
        "year_max",
        "venue",
        "has_code",
    ]
    for field in fields:
        assertHTMLEqual(str(filter_field_html(field)), crispy.render({"field": field}))
    assert [field.name for field in fields if field.errors] == invalid


def test_postgresql_connections_price_index_reads_as_cheap_and_start_no_parallel_workers():
    # Without them PostgreSQL reads every paper instead of the GIN index for a common word,
    # and starts workers that cost more than a page's queries.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone() == ("1.1",)
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone() == ("0",)
    else:
        assert "options" not in connection.settings_dict["OPTIONS"]


def test_titles_sort_regardless_of_case_within_a_year(client):
    section = SectionFactory(title="Agents", slug="agents", position=1)
    for position, title in enumerate(
        ["Zebra alignment", "AUTOACT alignment", "Adversarial alignment", "agents alignment"], 1
    ):
        PlacementFactory(
            paper=PaperFactory(title=title, year=2024), section=section, position=position
        )
    expected = ["Adversarial alignment", "agents alignment", "AUTOACT alignment", "Zebra alignment"]
    assert [paper.title for paper in search(client)] == expected
    assert [paper.title for paper in search(client, q="alignment")] == expected


def test_the_listing_reads_its_order_from_an_index_instead_of_sorting():
    from django.db import transaction

    from catalog.selectors_pages import searchable_papers

    sql, params = searchable_papers()[:25].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny test table is cheaper to sort; forbid that to see whether the index can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "paper_newest_then_title_ci" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_a_query_of_punctuation_only_asks_for_a_word(client, papers):
    response = client.get(reverse("catalog:search"), {"q": "?!*&%"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The search box holds no word to look for" in html
    assert "Try fewer words" not in html


def test_a_page_past_the_end_says_it_shows_the_last_one(client, papers):
    response = client.get(reverse("catalog:search"), {"page": "999"})
    assert response.status_code == 200
    assert "There is no page 999; this is the last page, 1." in response.content.decode()
    assert "There is no page" not in client.get(reverse("catalog:search")).content.decode()
    assert client.get(reverse("catalog:search"), {"page": "²"}).status_code == 200


@pytest.mark.parametrize("asked", ["0", "-1", "-0"])
def test_a_page_before_the_first_shows_the_first(client, asked):
    section = SectionFactory()
    for n in range(30):  # two pages
        PlacementFactory(section=section, position=n + 1, paper__year=2000 + n)
    for url in (reverse("catalog:search"), reverse("catalog:section", args=[section.slug])):
        response = client.get(url, {"page": asked})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 1, url
        assert "There is no page" not in response.content.decode()


def test_a_word_finds_its_other_forms_on_both_databases(client, papers):
    # "debate" finds "Debating", as PostgreSQL's English stemming does and SQLite's light stem.
    assert set(search(client, q="debate")) == {
        papers["by_debater"],
        papers["debate_old"],
        papers["debating"],
    }
    assert search(client, q="verifies") == [papers["math"]]  # "verify"
    assert search(client, q="persuasive debates") == [papers["debating"]]


def test_common_words_are_left_out_of_a_query_on_both_databases(client, papers):
    """PostgreSQL's English configuration drops stop words; SQLite leaves them out too, so "the"
    or "own" match nothing on either instead of every title holding "the…" or "own…"."""
    PlacementFactory(
        paper=PaperFactory(title="Is It Own Goal", authors="Ada et al.", year=2022),
        section=papers["math"].placements.get().section,
    )
    assert search(client, q="of debate") == search(client, q="debate")
    assert search(client, q="the persuasive") == [papers["debating"]]
    # A single letter, "e" or "é", would find every "et al." among the authors.
    for common in ("own", "the", "on", "a is", "e", "é", "Å"):
        response = client.get(reverse("catalog:search"), {"q": common})
        assert papers_of(response.context["page_obj"]) == []
        assert "only words too common or too short to look for" in response.content.decode()
    assert search(client, q="goal own") != []  # with another word, the rest is searched
    assert search(client, q="e persuasive") == [papers["debating"]]


def test_accents_are_ignored_on_both_databases(client, papers):
    """`koksal` finds "Köksal" and `Köksal` finds "Koksal": FTS5 folds diacritics, and on
    PostgreSQL the vector and the query go through unaccent (migration 0011)."""
    section = papers["math"].placements.get().section
    accented = PaperFactory(title="Über robust alignment", authors="Köksal et al.", year=2023)
    plain = PaperFactory(title="Naive reward models", authors="Koksal and Ng", year=2022)
    for position, paper in enumerate((accented, plain), start=2):
        PlacementFactory(paper=paper, section=section, position=position)
    for query in ("koksal", "Köksal", "KÖKSAL", "köks"):
        assert search(client, q=query) == [accented, plain], query
    assert search(client, q="uber robust") == [accented]
    assert search(client, q="naïve") == [plain]
    # Letters unaccent turns into an apostrophe: a query, not a tsquery syntax error, also
    # where a server reads backslashes in string literals the old way.
    settings = ["on", "off"] if connection.vendor == "postgresql" else ["(SQLite)"]
    for conforming in settings:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET standard_conforming_strings = {conforming}")
        for query in ("Hawaiʻi", "doesnʼt", "ŉ", "ʹ ʽ ˈ"):
            response = client.get(reverse("catalog:search"), {"q": query})
            assert response.status_code == 200, (query, conforming)
            api = client.get(reverse("exports:api-papers"), {"q": query})
            assert api.status_code == 200, (query, conforming)
        # (Spelt apart from the queries above, which the page cache now answers.)
        query = {"off": "KOKSAL"}.get(conforming, "Koksal")
        assert search(client, q=query) == [accented, plain], conforming


def test_a_search_names_the_sections_titled_like_it(client, papers):
    """ "debate" finds the papers that say it, and points at the section of that name, whose
    papers need not say it; not when a section is chosen already."""
    debate = papers["math"].placements.get().section.__class__.objects.get(slug="debate")
    SectionFactory(title="Multi-Agent Debate Games", slug="debate-games", parent=debate, position=1)
    html = client.get(reverse("catalog:search"), {"q": "debates"}).content.decode()
    box = html.split('<nav class="section-matches"')[1].split("</nav>")[0]
    named = re.findall(r'<li class="list-inline-item"><a href="([^"]+)">([^<]+)</a>', box)
    assert named == [
        ("/sections/debate/", "1 Debate"),
        ("/sections/debate-games/", "1.1 Multi-Agent Debate Games"),
    ]
    assert "Sections named like “debates”" in html
    html = client.get(reverse("catalog:search"), {"q": "debate games"}).content.decode()
    assert "Section named like “debate games”:" in html and "1.1 Multi-Agent" in html
    chosen = {"q": "debate", "section": "debate"}
    assert "named like" not in client.get(reverse("catalog:search"), chosen).content.decode()
    assert "named like" not in client.get(reverse("catalog:search"), {"q": "zzz"}).content.decode()
    # A word matches the start of a title word, not its middle ("bate" is in "Debate").
    assert "named like" not in client.get(reverse("catalog:search"), {"q": "bate"}).content.decode()
    # At most SECTION_MATCH_LIMIT, in reading order.
    for position in range(2, 8):
        SectionFactory(title=f"Debate {position}", slug=f"debate-{position}", position=position)
    html = client.get(reverse("catalog:search"), {"q": "debate"}).content.decode()
    box = html.split('<nav class="section-matches"')[1].split("</nav>")[0]
    assert box.count('<li class="list-inline-item">') == SECTION_MATCH_LIMIT


def test_a_ranked_search_reads_its_count_with_its_page(client, django_assert_num_queries):
    """Matches are all sorted anyway: their count comes with the page's rows (one query, then
    the links), every page holds the next matches, and past the end is the last page."""
    section = SectionFactory()
    for n in range(60):  # three pages of 25, 25 and 10
        PlacementFactory(
            section=section, position=n + 1, paper__title=f"Ranked study {n:02d}", paper__year=2000
        )
    PlacementFactory(section=section, position=61, paper__title="Unrelated", paper__year=2000)
    client.get(reverse("catalog:search"), {"q": "unrelated"})  # the tree, memoized
    seen = []
    for number in ("1", "2", "3"):
        with django_assert_num_queries(2):  # page with its count, then the page's links
            response = client.get(reverse("catalog:search"), {"q": "ranked", "page": number})
        page = response.context["page_obj"]
        assert (page.paginator.count, page.paginator.num_pages) == (60, 3)
        assert "60 matching papers" in response.content.decode()
        seen += [paper.title for paper in papers_of(page)]
    assert seen == [f"Ranked study {n:02d}" for n in range(60)]
    past = client.get(reverse("catalog:search"), {"q": "ranked", "page": "7"})
    assert past.context["page_obj"].number == 3
    assert "There is no page 7; this is the last page, 3." in past.content.decode()
    assert len(papers_of(past.context["page_obj"])) == 10
    for huge in ("1000000000000000000", "9" * 30):  # past any offset the databases take
        past = client.get(reverse("catalog:search"), {"q": "ranked", "page": huge})
        assert past.status_code == 200
        assert past.context["page_obj"].number == 3
    for asked in ("x", "2.5"):  # not a number: the first page
        first = client.get(reverse("catalog:search"), {"q": "ranked", "page": asked})
        assert first.context["page_obj"].number == 1
    nothing = client.get(reverse("catalog:search"), {"q": "absent"})
    assert nothing.context["page_obj"].paginator.count == 0
    assert nothing.status_code == 200


def test_a_title_holding_the_words_as_typed_comes_before_titles_holding_them_apart(client):
    section = SectionFactory()
    titles = {
        # Newer, and each word twice (PostgreSQL's ts_rank counts them): first but for that.
        "apart": ("Model-Based Reward Shaping: Reward Hacking in Model Alignment", 2024),
        "together": ("Scaling Laws for Reward Model Overoptimization", 2022),
        "authors": ("Something else entirely", 2025),
    }
    made = {}
    for position, (key, (title, year)) in enumerate(titles.items(), start=1):
        made[key] = PlacementFactory(
            section=section,
            position=position,
            paper__title=title,
            paper__year=year,
            paper__authors="Reward Model Team" if key == "authors" else "Someone et al.",
        ).paper
    expected = [made["together"], made["apart"], made["authors"]]
    for query in ("reward  model", '"reward model"', "“reward model”"):  # quoted as a phrase
        assert search(client, q=query) == expected, query
    # One word: the engine's order alone (newest first among title matches).
    assert search(client, q="model")[:2] == [made["apart"], made["together"]]


@pytest.fixture
def linked(papers):
    """The papers' links, one kind of identifier each; the unpublished paper has one too."""
    LinkFactory(paper=papers["debating"], url="https://arxiv.org/abs/2401.10020")
    LinkFactory(paper=papers["debate_old"], url="https://dl.acm.org/doi/10.1145/3630106.3658979")
    LinkFactory(paper=papers["math"], url="https://openreview.net/forum?id=SJgdnAVKDH")
    LinkFactory(
        paper=papers["by_debater"], label="code", url="https://github.com/debater/oversight"
    )
    LinkFactory(paper=papers["unplaced"], url="https://arxiv.org/abs/2402.00001")
    return papers


@pytest.mark.parametrize(
    ("query", "key", "heading"),
    [
        ("2401.10020", "debating", "1 paper with arXiv 2401.10020"),
        ("2401.10020v3", "debating", "1 paper with arXiv 2401.10020"),
        ("arXiv:2401.10020", "debating", "1 paper with arXiv 2401.10020"),
        ("https://arxiv.org/pdf/2401.10020v2", "debating", "1 paper with arXiv 2401.10020"),
        ("arxiv.org/abs/2401.10020 ", "debating", "1 paper with arXiv 2401.10020"),
        ("10.1145/3630106.3658979", "debate_old", "1 paper with DOI 10.1145/3630106.3658979"),
        ("doi:10.1145/3630106.3658979", "debate_old", "1 paper with DOI 10.1145/3630106.3658979"),
        (
            "https://doi.org/10.1145/3630106.3658979",
            "debate_old",
            "1 paper with DOI 10.1145/3630106.3658979",
        ),
        (
            "https://openreview.net/forum?id=SJgdnAVKDH",
            "math",
            "1 paper with OpenReview SJgdnAVKDH",
        ),
        ("https://openreview.net/pdf?id=SJgdnAVKDH", "math", "1 paper with OpenReview SJgdnAVKDH"),
        (
            "https://github.com/debater/oversight/",
            "by_debater",
            "1 paper linking to github.com/debater/oversight",
        ),
    ],
)
def test_a_search_for_a_papers_address_or_identifier_finds_it(client, linked, query, key, heading):
    response = client.get(reverse("catalog:search"), {"q": query})
    assert response.status_code == 200
    assert papers_of(response.context["page_obj"]) == [linked[key]]
    html = " ".join(response.content.decode().split())
    assert f'aria-live="polite"> {heading} </h2>' in html


def test_a_search_for_an_identifier_finds_published_papers_only_and_keeps_the_filters(
    client, linked
):
    response = client.get(reverse("catalog:search"), {"q": "arXiv:2402.00001"})
    assert papers_of(response.context["page_obj"]) == []  # the unplaced paper's
    html = " ".join(response.content.decode().split())
    assert "No paper on the list with arXiv 2402.00001 matches these filters." in html
    assert "first author" not in html  # no words were looked for
    assert search(client, q="2401.10020", year_min=2024) == [linked["debating"]]
    assert search(client, q="2401.10020", year_max=2023) == []
    assert search(client, q="2401.10020", section="math") == []
    # Words beside an identifier are words: every one must be in a title or the authors.
    assert search(client, q="debating 2401.10020") == []
    assert search(client, q="https://arxiv.org/abs/2401.99999") == []


def test_a_search_for_an_identifier_runs_at_most_six_queries(
    client, linked, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):  # nothing memoized yet: the tree and venues too
        response = client.get(reverse("catalog:search"), {"q": "https://arxiv.org/abs/2401.10020"})
    assert papers_of(response.context["page_obj"]) == [linked["debating"]]
    with django_assert_max_num_queries(2):  # then the page with its count, and its links
        response = client.get(reverse("catalog:search"), {"q": "arXiv:2401.10020v1"})
    assert papers_of(response.context["page_obj"]) == [linked["debating"]]


def empty_state(client, **params) -> str:
    """The text of the page's message for no results, tags dropped, whitespace collapsed."""
    response = client.get(reverse("catalog:search"), params)
    assert response.status_code == 200
    assert papers_of(response.context["page_obj"]) == []
    html = response.content.decode()
    message = html.split('<p class="empty-state">')[1].split("</p>")[0]
    return " ".join(re.sub(r"<[^>]+>", "", message).split())


@pytest.mark.parametrize(
    ("params", "advice"),
    [
        # One word alone: no fewer words to try, and no year range was set.
        ({"q": "zzz"}, "Nothing matches these filters. Clear all filters to see every paper."),
        ({"q": "zzz irving"}, "Try fewer words, or clear all filters."),
        ({"q": "debat", "year_min": "2030"}, "Try a wider year range, or clear all filters."),
        ({"year_max": "1990"}, "Try a wider year range, or clear all filters."),
        (
            {"q": "debate irving", "year_min": "2030", "section": "math", "has_code": "on"},
            "Try fewer words, a wider year range, another section or papers without code too,"
            " or clear all filters.",
        ),
        ({"q": "verify", "venue": "arXiv", "section": "debate"}, "Try another section or another"),
        (
            {"q": "arXiv:2401.10020", "year_max": "2000"},
            "No paper on the list with arXiv 2401.10020 matches these filters. Try a wider year"
            " range, or clear the other filters. Not on the list?",
        ),
        (
            {"q": "arXiv:2401.10020"},
            "No paper on the list with arXiv 2401.10020 matches these filters. Not on the list?",
        ),
    ],
)
def test_an_empty_result_suggests_only_what_the_filters_set_allow(client, papers, params, advice):
    LinkFactory(paper=papers["unplaced"], url="https://arxiv.org/abs/2401.10020")
    message = empty_state(client, **params)
    assert advice in message
    assert ("wider year range" in message) == ("year_min" in params or "year_max" in params)
    assert ("fewer words" in message) == (len(params.get("q", "").split()) > 1)
    # The hint on authors is for a search of words.
    searched_words = "q" in params and "arXiv:" not in params["q"]
    assert ("search for the first author's name" in message) == searched_words
    assert message.endswith("Not on the list? Propose a paper.")


def test_an_empty_catalog_says_so_instead_of_suggesting_filters(client):
    assert empty_state(client) == "No paper is on the list yet. Propose a paper."


def test_the_venue_filter_lists_venues_regardless_of_case_as_stored(client, papers):
    for key, venue in [
        ("by_debater", "TMLR"),
        ("debate_old", "arXiv"),
        ("debating", "ICML"),
        ("math", "ACL"),
        ("unplaced", "aaai"),  # unpublished: not a choice
    ]:
        Paper.objects.filter(pk=papers[key].pk).update(venue=venue)
    section = SectionFactory()
    PlacementFactory(paper=PaperFactory(title="Another", venue="icml"), section=section)
    PlacementFactory(paper=PaperFactory(title="A third", venue="arXiv"), section=section)
    html = client.get(reverse("catalog:search")).content.decode()
    select = html.split('<select name="venue"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == [
        "",
        "ACL",
        "arXiv",
        "ICML",  # two spellings both kept, capitals first
        "icml",
        "TMLR",
    ]
    assert papers["debate_old"] in search(client, venue="arXiv")  # the value as stored


def test_clearing_the_other_filters_of_an_address_search_keeps_the_address(client):
    """An identifier search narrowed to nothing by a year: the way out keeps the identifier."""
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__title="Self-Rewarding Language Models", paper__year=2024).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.10020")
    page = client.get("/search/", {"q": "2401.10020", "year_min": "2025"}).content.decode()
    assert "No paper on the list with arXiv 2401.10020 matches these filters." in page
    assert '<a href="/search/?q=2401.10020">clear the other filters</a>' in page
    assert "Self-Rewarding Language Models" in client.get("/search/?q=2401.10020").content.decode()
