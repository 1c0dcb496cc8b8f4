"""`make bench` adds its run to bench/RESULTS.md, keeping the earlier runs and the notes
written about them (the benchmark itself is too slow for the suite)."""

from bench.run import with_run_appended

RUN = "# Benchmark results\n\n- date: D\n\n## sqlite, 10 papers\n\n### Pages\n\n| a |\n"


def test_a_first_run_is_the_whole_file():
    assert with_run_appended("", RUN, date="D") == RUN


def test_a_later_run_is_appended_as_a_section_with_its_headings_one_level_lower():
    earlier = "# Benchmark results\n\n## Why the targets are missed\n\nNotes.\n"
    text = with_run_appended(earlier, RUN, date="2026-12-08 01:00 UTC")
    assert text.startswith(earlier)
    assert text[len(earlier) :] == (
        "\n## Run at 2026-12-08 01:00 UTC\n\n- date: D\n\n### sqlite, 10 papers\n\n"
        "#### Pages\n\n| a |\n"
    )
    assert text.count("# Benchmark results") == 1
