import pytest

from catalog import identifiers


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2401.12086", "arxiv:2401.12086"),
        ("https://arxiv.org/pdf/2307.09288", "arxiv:2307.09288"),
        ("https://arxiv.org/abs/2405.15116v1", "arxiv:2405.15116"),
        ("https://www.arxiv.org/abs/2407.14622", "arxiv:2407.14622"),
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
