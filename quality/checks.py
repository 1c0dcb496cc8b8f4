"""The catalog report: what `check_catalog` prints and the admin shows.

A selector: it only reads, in a fixed number of queries, and returns findings. Errors are
things the README and the site show wrong; warnings ask a maintainer to look.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from catalog.bibtex import TEX_MATH, safe_math
from catalog.models import Link, Paper
from catalog.selectors import section_tree
from quality.venues import Vocabulary

ERROR, WARNING = "error", "warning"

# Formatting left over from Markdown or copy-paste, and what to call it.
STRAY_FORMATTING = [
    (re.compile(r"[*_`]"), "Markdown emphasis characters (* _ `)"),
    (re.compile(r"[\[\]{}<>]"), "brackets ([ ] { } < >)"),
    (re.compile(r"\s{2,}"), "a double space"),
    (re.compile(r"^\s|\s$"), "leading or trailing space"),
    (re.compile(r"\\"), "a backslash"),
    (re.compile(r"&(?:amp|lt|gt|quot|#\d+);"), "an HTML entity"),
]
TRAILING_PERIOD = re.compile(r"(?<!\.)\.$")  # "…" and "..." are kept: they are part of a title
AUTHORS_ENDING = re.compile(r"[,;:]$")


@dataclass(frozen=True)
class Finding:
    severity: str
    check: str
    subject: str
    message: str
    admin_url: str = ""


@dataclass
class CatalogReport:
    findings: list[Finding] = field(default_factory=list)

    def add(self, severity: str, check: str, subject: str, message: str, url: str = "") -> None:
        self.findings.append(Finding(severity, check, subject, message, url))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def by_check(self) -> dict[str, list[Finding]]:
        """Findings by check, the checks with errors first."""
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(self.findings, key=lambda f: f.severity != ERROR):
            grouped[finding.check].append(finding)
        return dict(grouped)


def _paper_admin(pk: int) -> str:
    return reverse("admin:catalog_paper_change", args=[pk])


def stray_formatting(text: str) -> list[str]:
    # Safe TeX maths (`SOTOPIA-$\pi$`, as arXiv writes the title) is meant, not left over.
    text = TEX_MATH.sub(lambda math: "x" if safe_math(math[0]) else math[0], text)
    return [name for pattern, name in STRAY_FORMATTING if pattern.search(text)]


def catalog_report(*, preprint_max_age_years: int | None = None, today=None) -> CatalogReport:
    """Every check over the whole catalog. Five queries, whatever its size."""
    max_age = (
        settings.PREPRINT_MAX_AGE_YEARS
        if preprint_max_age_years is None
        else preprint_max_age_years
    )
    this_year = (today or datetime.date.today()).year
    report = CatalogReport()
    vocabulary = Vocabulary.load()  # 2 queries
    papers = list(Paper.objects.order_by("id").values("id", "title", "authors", "venue", "year"))
    links = list(Link.objects.order_by("id").values("paper_id", "label", "url", "identifier"))
    links_of: dict[int, list[dict]] = defaultdict(list)
    for link in links:
        links_of[link["paper_id"]].append(link)

    for paper in papers:
        pk, title, authors = paper["id"], paper["title"], paper["authors"]
        subject, url = f"paper {pk}: {title.strip()[:80]}", _paper_admin(pk)
        missing = [name for name in ("title", "authors", "year") if paper[name] in ("", None)]
        if not links_of[pk]:
            missing.append("a link")
        if missing:
            report.add(ERROR, "required", subject, "missing " + ", ".join(missing), url)
        for field_name, value in (("title", title), ("authors", authors)):
            for problem in stray_formatting(value):
                report.add(ERROR, "formatting", subject, f"{field_name} has {problem}", url)
        if TRAILING_PERIOD.search(title.strip()):
            report.add(ERROR, "formatting", subject, "title is stored with a trailing period", url)
        if AUTHORS_ENDING.search(authors.strip()):
            report.add(ERROR, "formatting", subject, "authors end with punctuation", url)
        venue = paper["venue"]
        if not venue.strip():
            report.add(WARNING, "venue", subject, "no venue (use “arXiv” for a preprint)", url)
        elif venue not in vocabulary.canonical.values():
            canonical = vocabulary.canonical_name(venue)
            if canonical:
                report.add(
                    WARNING,
                    "venue",
                    subject,
                    f"venue “{venue}” is an alias: the list's name is “{canonical}”",
                    url,
                )
            else:
                report.add(
                    ERROR,
                    "venue",
                    subject,
                    f"venue “{venue}” is not in the venue vocabulary "
                    "(add it, or an alias, under Data quality › Venues)",
                    url,
                )
        elif (
            vocabulary.is_preprint(venue) and paper["year"] and this_year - paper["year"] >= max_age
        ):
            report.add(
                WARNING,
                "preprint-age",
                subject,
                f"still a preprint ({venue} {paper['year']}, "
                f"{this_year - paper['year']} years old): published since?",
                url,
            )

    # One address on two different papers: a copy-paste slip, or one paper entered twice.
    papers_by_identifier: dict[str, set[int]] = defaultdict(set)
    for link in links:
        # Papers may share a code repository or a blog; only paper links must be unique.
        if link["label"] == Link.Label.PAPER:
            papers_by_identifier[link["identifier"] or link["url"]].add(link["paper_id"])
    titles = {paper["id"]: paper["title"] for paper in papers}
    for identifier, paper_ids in sorted(papers_by_identifier.items()):
        if len(paper_ids) > 1:
            ids = sorted(paper_ids)
            names = "; ".join(f"{pk} “{titles[pk][:60]}”" for pk in ids)
            report.add(
                ERROR,
                "shared-link",
                identifier,
                f"the same paper link is attached to {len(ids)} papers: {names}",
                _paper_admin(ids[0]),
            )

    tree = section_tree(with_counts=True)  # 2 queries
    for node in tree.walk():
        if node.paper_count == 0:
            report.add(
                WARNING,
                "empty-section",
                f"section {node.label}",
                "no papers in it or below it",
                reverse("admin:catalog_section_change", args=[node.pk]),
            )
    return report
