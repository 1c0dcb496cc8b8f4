"""In-process measurements against the benchmark database (run by bench.run in a subprocess
with the environment of the served site): SQL queries per page, the export's time and SQL,
the duplicate check's latency. Prints one JSON object."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.cache import catalog_changed
    from catalog.models import Paper, Placement, Section
    from catalog.readme.export import render_readme
    from curation.duplicates import find_duplicates

    # A typical leaf section, a paper in it, a word of its title: pages the load test hits.
    leaves = Section.objects.filter(children__isnull=True).order_by("pk")
    section = leaves[leaves.count() // 2]
    scope = section.parent or section
    placement = Placement.objects.filter(section=section).order_by("position").first()
    paper = placement.paper
    word = max(paper.title.split(), key=len).lower()
    pages = {
        "home": "/",
        "section": section.get_absolute_url(),
        "paper": paper.get_absolute_url(),
        "search": f"/search/?q={word}",
        "filter": f"/search/?q={word}&section={scope.slug}&year_min=2022&venue=NeurIPS&has_code=on",
        "readme": "/README.md",
    }

    client = Client()
    queries = {}
    for name, url in pages.items():
        counts = []
        for _ in range(2):  # the second request shows the steady state (memoized tree)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
            counts.append(len(captured.captured_queries))
        catalog_changed()  # a catalog change: everything memoized is rebuilt
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = {"steady": counts[1], "after_change": len(captured.captured_queries)}

    export_times = []
    for _ in range(3):
        started = time.perf_counter()
        render_readme()
        export_times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        render_readme()
    export_sql = [query["sql"] for query in captured.captured_queries]

    # Duplicate check: near-copies of published titles (found) and new titles (not found).
    titles = list(Paper.objects.order_by("?").values_list("title", flat=True)[:100])
    probes = [t.lower() + "s" if i % 2 else f"{t} revisited" for i, t in enumerate(titles)]
    started = time.perf_counter()
    first = find_duplicates(title=probes[0], urls=["https://arxiv.org/abs/2501.99999"])
    first_seconds = time.perf_counter() - started
    latencies, found = [], 0
    for probe in probes:
        started = time.perf_counter()
        report = find_duplicates(title=probe, urls=["https://example.org/new-paper"])
        latencies.append(time.perf_counter() - started)
        found += bool(report.papers)

    json.dump(
        {
            "pages": pages,
            "queries": queries,
            "page_cache": settings.CATALOG_PAGE_CACHE,
            "export_seconds": export_times,
            "export_sql": export_sql,
            "duplicates": {
                "first_seconds": first_seconds,
                "first_found": len(first.papers),
                "p50_seconds": statistics.median(latencies),
                "p99_seconds": percentile(latencies, 0.99),
                "checks": len(latencies),
                "with_duplicates": found,
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
