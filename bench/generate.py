"""`python -m bench.generate --papers N --sections M`: fills the database DATABASE_URL names
(migrated, empty) with a synthetic catalog."""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--sections", type=int, default=600)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from bench.catalog_generator import generate_catalog

    started = time.perf_counter()
    catalog = generate_catalog(papers=args.papers, sections=args.sections, seed=args.seed)
    print(
        f"generated {catalog.papers} papers, {catalog.links} links, {catalog.placements} "
        f"placements in {catalog.sections} sections (depth {catalog.max_depth}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
