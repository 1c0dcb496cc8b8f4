import pytest

from catalog import identifiers


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2401.12086", "arxiv:2401.12086"),
        ("https://arxiv.org/pdf/2307.09288", "arxiv:2307.09288"),
        ("https://arxiv.org/abs/2405.15116v1", "arxiv:2405.15116"),
        ("https://www.arxiv.org/abs/2407.14622", "arxiv:2407.14622"),
        # Copies of one arXiv paper's address, as people paste them.
        ("https://arxiv.org/abs/2401.10020?context=cs", "arxiv:2401.10020"),
        ("https://arxiv.org/abs/2401.10020#comments", "arxiv:2401.10020"),
        ("https://arxiv.org/abs/2401.10020?", "arxiv:2401.10020"),
        ("https://arxiv.org/abs/2401.10020.", "arxiv:2401.10020"),
        ("https://arxiv.org/pdf/2401.10020v1.pdf?download=1", "arxiv:2401.10020"),
        ("https://browse.arxiv.org/abs/2401.10020", "arxiv:2401.10020"),
        ("https://doi.org/10.48550/arXiv.2401.10020", "arxiv:2401.10020"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "arxiv:hep-th/9901001"),
        # Not one paper's page: the listing and a search stay addresses.
        ("https://arxiv.org/list/cs.CL/recent", "url:arxiv.org/list/cs.CL/recent"),
        ("https://arxiv.org/abs/2401.10020/extra", "url:arxiv.org/abs/2401.10020/extra"),
        ("https://dl.acm.org/doi/10.1145/3630106.3658979", "doi:10.1145/3630106.3658979"),
        ("https://www.science.org/doi/10.1126/science.aar6404", "doi:10.1126/science.aar6404"),
        ("https://openreview.net/forum?id=SJgdnAVKDH", "openreview:SJgdnAVKDH"),
        ("https://openreview.net/pdf?id=3iGjh_NmoG", "openreview:3iGjh_NmoG"),
        ("https://www.Example.org/path/?q=1#frag", "url:example.org/path?q=1"),
        ("", ""),
    ],
)
def test_identifier_for_url(url, expected):
    assert identifiers.identifier_for_url(url) == expected


def test_copies_of_one_url_share_an_identifier():
    assert identifiers.identifier_for_url(
        "https://github.com/x/y/"
    ) == identifiers.identifier_for_url("http://www.github.com/x/y")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Constitutional AI: Harmlessness from AI feedback.",
            "constitutional ai harmlessness from ai feedback",
        ),
        (
            "Does Fine-Tuning LLMs Encourage Hallucinations?.",
            "does fine tuning llms encourage hallucinations",
        ),
        ("SOTOPIA-$\\pi$:  Interactive", "sotopia pi interactive"),
    ],
)
def test_normalize_title(a, b):
    assert identifiers.normalize_title(a) == b


def test_normalize_title_keeps_distinct_titles_apart():
    assert identifiers.normalize_title(
        "CriticBench: Benchmarking LLMs for Critique-Correct Reasoning"
    ) != identifiers.normalize_title("CriticBench: Evaluating Large Language Models as Critic")


def test_arxiv_id_and_describe():
    assert identifiers.arxiv_id("arXiv:2401.12086v3") == "2401.12086"
    assert identifiers.arxiv_id("not an id") == ""
    assert identifiers.describe("arxiv:2401.12086") == ("arXiv", "2401.12086")


def test_an_identifier_fits_its_column_whatever_the_link():
    """Lowercasing a host can lengthen it ("İ" is two code points in lower case): a valid
    1,000-character link gave a 1,116-character identifier, which PostgreSQL refused (a 500)."""
    from catalog.identifiers import MAX_IDENTIFIER_LENGTH, identifier_for_url

    host = ".".join(["\u0130" * 30] * 4)
    url = f"https://{host}/" + "p" * (1000 - len(f"https://{host}/"))
    other = url[:-1] + "q"
    identifier = identifier_for_url(url)
    assert len(url) == 1000 and len(identifier) == MAX_IDENTIFIER_LENGTH
    assert identifier.startswith("url:")
    assert identifier_for_url(other) != identifier  # still one per address
    assert identifier_for_url(url) == identifier  # and the same every time
    assert identifier_for_url("https://example.org/x") == "url:example.org/x"


@pytest.mark.django_db(transaction=True)
def test_migrations_recompute_identifiers_stored_before_and_a_partial_migrate_works():
    """catalog 0012 and curation 0006 give links stored under the older rules the identifiers
    of today's; `migrate catalog 0011` (a partial plan) runs without the later apps' tables."""
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Link
    from curation.models import SubmissionLink
    from tests.factories import LinkFactory, SectionFactory, sent_submission

    # Rows made with today's models first: going back also undoes later curation migrations.
    link = LinkFactory(url="https://arxiv.org/abs/2401.00001")
    submission = sent_submission(sections=[SectionFactory()])
    submitted = submission.links.first()
    call_command("migrate", "catalog", "0011", verbosity=0)
    copied = "https://arxiv.org/abs/2311.08702?context=cs"
    old = "url:arxiv.org/abs/2311.08702?context=cs"
    with connection.cursor() as cursor:
        for table, pk in (
            (Link._meta.db_table, link.pk),
            (SubmissionLink._meta.db_table, submitted.pk),
        ):
            cursor.execute(
                f"UPDATE {table} SET url = %s, identifier = %s WHERE id = %s", [copied, old, pk]
            )
    call_command("migrate", verbosity=0)
    assert Link.objects.get(pk=link.pk).identifier == "arxiv:2311.08702"
    assert SubmissionLink.objects.get(pk=submitted.pk).identifier == "arxiv:2311.08702"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2401.10020v3", "arxiv:2401.10020"),
        (" arXiv: 2401.10020 ", "arxiv:2401.10020"),
        ("hep-th/9901001", "arxiv:hep-th/9901001"),
        ("10.48550/arXiv.2401.10020", "arxiv:2401.10020"),
        ("DOI:10.1145/3630106.3658979", "doi:10.1145/3630106.3658979"),
        ("openreview.net/forum?id=SJgdnAVKDH", "openreview:SJgdnAVKDH"),
        ("openreview:SJgdnAVKDH", "openreview:SJgdnAVKDH"),
        ("http://www.github.com/x/y", "url:github.com/x/y"),
        ("github.com/tatsu-lab/stanford_alpaca", "url:github.com/tatsu-lab/stanford_alpaca"),
        ("gpt-3.5/turbo", ""),
        ("e.g./x", ""),
        ("github.com", ""),
        # Words, or words beside an identifier: a word search.
        ("debate", ""),
        ("self-rewarding", ""),
        ("reward model 2401.10020", ""),
        ("10.1145", ""),
        ("https://", ""),
        ("http://localhost/x", ""),
    ],
)
def test_identifier_for_query(query, expected):
    assert identifiers.identifier_for_query(query) == expected
