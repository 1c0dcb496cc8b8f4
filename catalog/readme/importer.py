"""Importing a README into the catalog: an upsert, in one transaction, that reports what it did.

Matching (so a second run, or a run on an existing catalog, never duplicates):
- sections by their path of titles (casefolded) from the root;
- papers by the identifier of a `paper` link (arXiv id, DOI, OpenReview id, normalised URL),
  else by normalised title. Code/blog links are not used: two papers may share a repository.

Copies of one paper (the same paper listed in several sections, or already in the database)
are merged field by field, keeping the most complete value; every disagreement between the
copies in the file is printed. Nothing is deleted: rows the file does not mention stay, and are
moved after the file's rows where positions would otherwise collide.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from catalog import identifiers
from catalog.models import (
    Link,
    NewsItem,
    Paper,
    Placement,
    ReadmeDocument,
    Section,
    Workshop,
    position_after,
)
from catalog.readme.parse import LineWarning, ParsedEntry, ParsedReadme, parse_readme
from catalog.validators import LINK_MAX_BYTES
from quality.venues import Vocabulary

PREPRINT_VENUES = {"arxiv"}
LABELS = {label.value.casefold(): label.value for label in Link.Label}
# The model's own check of a link's address (http or https, well formed, not too long).
LINK_URL = Link._meta.get_field("url")


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    normalisations: list[str] = field(default_factory=list)
    warnings: list[LineWarning] = field(default_factory=list)
    repaired_lines: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def summary(self) -> str:
        def counts(counter: Counter) -> str:
            return ", ".join(f"{n} {name}" for name, n in sorted(counter.items()) if n) or "none"

        change = (
            f"created: {counts(self.created)}; updated: {counts(self.updated)}"
            if self.changed
            else "no change"
        )
        return (
            f"Import done — {change}. {len(self.conflicts)} conflict(s) resolved, "
            f"{len(self.normalisations)} venue(s) normalised, "
            f"{len(self.repaired_lines)} line(s) with repaired encoding, "
            f"{len(self.warnings)} warning(s)."
        )


def normalize_venue(venue: str, words: dict[str, str] | None = None) -> str:
    """One-word venue names and aliases of the venue vocabulary (quality.Venue, maintained in
    the admin), replaced word by word, case-insensitively: `NIPS 2023` -> `NeurIPS 2023`."""
    words = Vocabulary.load().word_map() if words is None else words
    return re.sub(r"[A-Za-z]+", lambda word: words.get(word[0].casefold(), word[0]), venue)


def title_score(title: str) -> tuple[int, int]:
    """Words starting with a capital, then fewer shouted words: "Constitutional AI: Harmlessness
    from AI Feedback" beats "Constitutional ai: ...", "IterAlign: Iterative Constitutional ..."
    beats "ITERALIGN: Iterative constitutional ...", and "A Good Paper" beats "A GOOD PAPER"."""
    words = title.split()
    capitalised = sum(1 for word in words if word[:1].isupper())
    shouted = sum(1 for word in words if len(word) > 3 and word.isupper())
    return (capitalised, -shouted)


def venue_year_score(pair: tuple[str, int | None]) -> tuple[int, int, int]:
    """A published venue over a preprint over none; then having a year; then the earlier year."""
    venue, year = pair
    published = 0 if not venue else 1 if venue.casefold() in PREPRINT_VENUES else 2
    return (published, year is not None, -(year or 0))


@dataclass
class Candidate:
    value: object
    source: str  # "line 12" or "database"


def pick(candidates: list[Candidate], score: Callable[[object], object]) -> Candidate:
    """The best-scoring candidate; ties keep the earliest (the database, then file order)."""
    best = candidates[0]
    for candidate in candidates[1:]:
        if score(candidate.value) > score(best.value):
            best = candidate
    return best


@dataclass
class PaperGroup:
    """All copies of one paper: the database row, if any, and the file's entries."""

    paper: Paper | None
    entries: list[ParsedEntry] = field(default_factory=list)


class Importer:
    def __init__(self, *, parsed: ParsedReadme, stdout: TextIO | None, now: datetime | None):
        self.parsed = parsed
        self.stdout = stdout
        self.now = now
        self.report = ImportReport(
            warnings=list(parsed.warnings), repaired_lines=list(parsed.repaired_lines)
        )
        self.new_rows: dict[type, list[int]] = defaultdict(list)

    def say(self, line: str) -> None:
        if self.stdout is not None:
            self.stdout.write(line + "\n")

    def warn(self, warning: LineWarning) -> None:
        self.report.warnings.append(warning)
        self.say(f"WARNING {warning}")

    def created(self, instance) -> None:
        self.report.created[type(instance).__name__] += 1
        self.new_rows[type(instance)].append(instance.pk)

    def save_if_changed(self, instance, **values) -> None:
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            instance.save()
            self.report.updated[type(instance).__name__] += 1

    def run(self) -> ImportReport:
        for number in self.parsed.repaired_lines:
            self.say(f"line {number}: repaired mis-decoded UTF-8")
        for warning in self.parsed.warnings:
            self.say(f"WARNING {warning}")
        self.normalise_venues()
        self.import_document()
        paper_ids = self.import_papers()
        self.import_sections_and_placements(paper_ids)
        self.stamp_new_rows()
        return self.report

    # -- preamble -------------------------------------------------------------------------

    def import_document(self) -> None:
        parsed = self.parsed
        values = {
            "title": parsed.title,
            "intro": parsed.intro,
            "citation_intro": parsed.citation_intro,
            "citation": parsed.citation,
            "abstract": parsed.abstract,
            "workshops_heading": parsed.workshops_heading,
        }
        # Headings the file does not have keep their current (or default) wording.
        for name in (
            "news_heading",
            "citation_heading",
            "abstract_heading",
            "contents_heading",
            "paper_list_heading",
        ):
            if getattr(parsed, name):
                values[name] = getattr(parsed, name)
        document = ReadmeDocument.objects.filter(pk=1).first()
        if document is None:
            document = ReadmeDocument(**values)
            document.save()
            self.created(document)
        else:
            self.save_if_changed(document, **values)

        unmatched = list(NewsItem.objects.order_by("date", "id"))
        for item in parsed.news:
            existing = next(
                (n for n in unmatched if n.date == item.date and n.text == item.text), None
            ) or next((n for n in unmatched if n.date == item.date), None)
            if existing is None:
                news = NewsItem.objects.create(date=item.date, text=item.text)
                self.created(news)
            else:
                unmatched.remove(existing)
                self.save_if_changed(existing, text=item.text)

        workshops = list(Workshop.objects.order_by("position", "id"))
        seen: set[int] = set()
        for position, row in enumerate(parsed.workshops, start=1):
            existing = next(
                (
                    w
                    for w in workshops
                    if w.pk not in seen
                    and (w.name.casefold() == row.name.casefold() or w.url == row.url)
                ),
                None,
            )
            values = {"name": row.name, "url": row.url, "description": row.description}
            if existing is None:
                existing = Workshop.objects.create(position=position, **values)
                self.created(existing)
            else:
                self.save_if_changed(existing, position=position, **values)
            seen.add(existing.pk)
        self.move_after(
            [w for w in workshops if w.pk not in seen], first_position=len(parsed.workshops) + 1
        )

    def move_after(self, rows: list, *, first_position: int) -> None:
        """Rows the file does not list keep their order, after the file's rows."""
        for position, row in enumerate(rows, start=first_position):
            self.save_if_changed(row, position=position)

    # -- papers ---------------------------------------------------------------------------

    def normalise_venues(self) -> None:
        words = Vocabulary.load().word_map()
        for section in self.parsed.walk():
            for entry in section.entries:
                venue = normalize_venue(entry.venue, words)
                if venue != entry.venue:
                    message = f"line {entry.line}: venue {entry.venue!r} normalised to {venue!r}"
                    self.report.normalisations.append(message)
                    self.say(message)
                    entry.venue = venue

    def group_entries(self) -> list[PaperGroup]:
        """One group per paper, in order of first appearance in the file."""
        db_papers = {paper.pk: paper for paper in Paper.objects.all()}
        db_by_identifier: dict[str, int] = {}
        for paper_id, identifier in Link.objects.filter(label=Link.Label.PAPER).values_list(
            "paper_id", "identifier"
        ):
            db_by_identifier.setdefault(identifier, paper_id)
        db_by_title: dict[str, int] = {}
        for paper in db_papers.values():
            db_by_title.setdefault(identifiers.normalize_title(paper.title), paper.pk)

        groups: list[PaperGroup] = []
        by_identifier: dict[str, PaperGroup] = {}
        by_title: dict[str, PaperGroup] = {}
        by_paper_pk: dict[int, PaperGroup] = {}

        def group_for_paper(pk: int) -> PaperGroup:
            if pk not in by_paper_pk:
                by_paper_pk[pk] = PaperGroup(paper=db_papers[pk])
                groups.append(by_paper_pk[pk])
            return by_paper_pk[pk]

        for section in self.parsed.walk():
            for entry in section.entries:
                ids = [
                    identifiers.identifier_for_url(link.url)
                    for link in entry.links
                    if link.label.casefold() == Link.Label.PAPER
                ]
                title_key = identifiers.normalize_title(entry.title)
                group = next((by_identifier[i] for i in ids if i in by_identifier), None)
                if group is None:
                    pk = next((db_by_identifier[i] for i in ids if i in db_by_identifier), None)
                    group = group_for_paper(pk) if pk else None
                if group is None:
                    group = by_title.get(title_key)
                if group is None and title_key in db_by_title:
                    group = group_for_paper(db_by_title[title_key])
                if group is None:
                    group = PaperGroup(paper=None)
                    groups.append(group)
                group.entries.append(entry)
                for identifier in ids:
                    by_identifier.setdefault(identifier, group)
                by_title.setdefault(title_key, group)
        return groups

    def resolve(
        self,
        group: PaperGroup,
        *,
        name: str,
        file_values: list[Candidate],
        db_value: object | None,
        score: Callable[[object], object],
        show: Callable[[object], str] = repr,
    ) -> object:
        candidates = ([Candidate(db_value, "database")] if group.paper else []) + file_values
        best = pick(candidates, score)
        distinct = list(dict.fromkeys(c.value for c in file_values))
        if len(distinct) > 1:
            values = "; ".join(f"{show(c.value)} ({c.source})" for c in file_values)
            message = (
                f"conflict: {group.entries[0].title!r}: {name} differs: {values} "
                f"-> kept {show(best.value)}"
            )
            self.report.conflicts.append(message)
            self.say(message)
        return best.value

    def import_papers(self) -> dict[int, int]:
        """Creates or updates every paper; returns {id(entry): paper pk}."""
        paper_for_entry: dict[int, int] = {}
        existing_links: dict[int, list[Link]] = defaultdict(list)
        for link in Link.objects.order_by("position", "id"):
            existing_links[link.paper_id].append(link)

        for group in self.group_entries():
            entries, paper = group.entries, group.paper
            title = self.resolve(
                group,
                name="title",
                file_values=[Candidate(e.title, f"line {e.line}") for e in entries],
                db_value=paper and paper.title,
                score=title_score,
            )
            authors = self.resolve(
                group,
                name="authors",
                file_values=[Candidate(e.authors, f"line {e.line}") for e in entries],
                db_value=paper and paper.authors,
                score=len,
            )
            venue, year = self.resolve(
                group,
                name="venue and year",
                file_values=[Candidate((e.venue, e.year), f"line {e.line}") for e in entries],
                db_value=paper and (paper.venue, paper.year),
                score=venue_year_score,
                show=lambda pair: repr(" ".join(str(part) for part in pair if part)),
            )
            values = {"title": title, "authors": authors, "venue": venue, "year": year}
            if paper is None:
                paper = Paper.objects.create(**values)
                self.created(paper)
            else:
                self.save_if_changed(paper, **values)
            self.merge_links(paper, entries, existing_links[paper.pk])
            for entry in entries:
                paper_for_entry[id(entry)] = paper.pk
        return paper_for_entry

    def merge_links(self, paper: Paper, entries: list[ParsedEntry], links: list[Link]) -> None:
        """The union of every copy's links: no URL twice, and for one label no identifier
        twice (`arxiv.org/abs/2405.15116v1` and `.../2405.15116` are one link)."""
        link_sets = {tuple(f"{x.label} {x.url}" for x in entry.links) for entry in entries}
        if len(link_sets) > 1:
            values = "; ".join(
                f"{' '.join(f'{x.label}:{x.url}' for x in e.links)} (line {e.line})"
                for e in entries
            )
            message = (
                f"conflict: {paper.title!r}: links differ: {values} "
                "-> merged (union, one link per identifier)"
            )
            self.report.conflicts.append(message)
            self.say(message)
        urls = {link.url for link in links}
        keys = {(link.label, link.identifier): link.url for link in links}
        position = max((link.position for link in links), default=0)
        for entry in entries:
            for parsed_link in entry.links:
                label = LABELS.get(parsed_link.label.casefold())
                if label is None:
                    self.warn(
                        LineWarning(
                            entry.line,
                            f"[[{parsed_link.label}]({parsed_link.url})]",
                            f"unknown link label (known: {', '.join(LABELS.values())}); "
                            "link skipped",
                        )
                    )
                    continue
                try:
                    LINK_URL.run_validators(parsed_link.url)
                except ValidationError as error:
                    if len(parsed_link.url) > LINK_URL.max_length:
                        why = f"longer than {LINK_URL.max_length} characters"
                    elif any(e.code == "max_bytes" for e in error.error_list):
                        why = f"longer than {LINK_MAX_BYTES} bytes in UTF-8"
                    else:
                        why = "not an http:// or https:// address"
                    self.warn(
                        LineWarning(
                            entry.line,
                            f"[[{parsed_link.label}]({parsed_link.url})]",
                            f"{why}; link skipped",
                        )
                    )
                    continue
                if parsed_link.url in urls:
                    continue
                key = (label, identifiers.identifier_for_url(parsed_link.url))
                if key in keys:
                    message = (
                        f"conflict: {paper.title!r}: {label} link {parsed_link.url!r} "
                        f"(line {entry.line}) is the same {key[1]!r} as {keys[key]!r} "
                        f"-> kept {keys[key]!r}"
                    )
                    self.report.conflicts.append(message)
                    self.say(message)
                    continue
                position = position_after(position)
                link = Link.objects.create(
                    paper=paper, label=label, url=parsed_link.url, position=position
                )
                self.created(link)
                urls.add(link.url)
                keys[key] = link.url

    # -- sections and placements ---------------------------------------------------------

    def import_sections_and_placements(self, paper_for_entry: dict[int, int]) -> None:
        sections = list(Section.objects.order_by("position", "id"))
        children: dict[int | None, list[Section]] = defaultdict(list)
        for section in sections:
            children[section.parent_id].append(section)
        slugs = {section.slug for section in sections}
        placements: dict[int, list[Placement]] = defaultdict(list)
        for placement in Placement.objects.order_by("position", "id"):
            placements[placement.section_id].append(placement)

        def upsert(parsed_sections, parent: Section | None) -> None:
            siblings = children[parent.pk if parent else None]
            matched: set[int] = set()
            for position, parsed in enumerate(parsed_sections, start=1):
                section = next(
                    (
                        s
                        for s in siblings
                        if s.pk not in matched and s.title.casefold() == parsed.title.casefold()
                    ),
                    None,
                )
                if section is None:
                    section = Section.objects.create(
                        parent=parent,
                        position=position,
                        title=parsed.title,
                        slug=unique_slug(parsed.title, parent=parent, taken=slugs),
                    )
                    slugs.add(section.slug)
                    self.created(section)
                else:
                    self.save_if_changed(section, position=position, title=parsed.title)
                matched.add(section.pk)
                self.place(section, parsed.entries, paper_for_entry, placements[section.pk])
                upsert(parsed.children, section)
            self.move_after(
                [s for s in siblings if s.pk not in matched], first_position=len(matched) + 1
            )

        upsert(self.parsed.sections, None)

    def place(
        self,
        section: Section,
        entries: list[ParsedEntry],
        paper_for_entry: dict[int, int],
        existing: list[Placement],
    ) -> None:
        by_paper = {placement.paper_id: placement for placement in existing}
        placed: set[int] = set()
        for entry in entries:
            paper_id = paper_for_entry[id(entry)]
            if paper_id in placed:
                self.warn(LineWarning(entry.line, entry.title, "same paper twice in this section"))
                continue
            position = len(placed) + 1
            placed.add(paper_id)
            if paper_id in by_paper:
                self.save_if_changed(by_paper[paper_id], position=position)
            else:
                placement = Placement.objects.create(
                    paper_id=paper_id, section=section, position=position
                )
                self.created(placement)
        self.move_after(
            [p for p in existing if p.paper_id not in placed], first_position=len(placed) + 1
        )

    def stamp_new_rows(self) -> None:
        """With a fixed `now`, created rows get it as their timestamps (reproducible fixture)."""
        if self.now is None:
            return
        for model, fields in (
            (Paper, ("created_at", "updated_at")),
            (Placement, ("created_at",)),
            (ReadmeDocument, ("updated_at",)),
        ):
            if self.new_rows[model]:
                model.objects.filter(pk__in=self.new_rows[model]).update(
                    **dict.fromkeys(fields, self.now)
                )


def unique_slug(title: str, *, parent: Section | None, taken: set[str]) -> str:
    """The title's slug; on a clash, prefixed with the parent's slug, then numbered."""
    base = slugify(title)[:200] or "section"
    candidates = [base]
    if parent is not None:
        candidates.append(f"{parent.slug}-{base}"[:200])
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def readme_import(
    *,
    text: str,
    stdout: TextIO | None = None,
    now: datetime | None = None,
    strict: bool = False,
) -> ImportReport:
    """Imports README text into the catalog, all or nothing. Details go to `stdout`.

    Unreadable lines are warnings, not errors: the rest of the file is still worth importing.
    With `strict`, any warning raises ValueError and the transaction is rolled back.
    """
    parsed = parse_readme(text)
    if not parsed.title:
        raise ValueError("no `# Title` heading: this does not look like the list's README")
    with transaction.atomic():
        report = Importer(parsed=parsed, stdout=stdout, now=now).run()
        if strict and report.warnings:
            raise ValueError(f"{len(report.warnings)} warning(s) with --strict: nothing imported")
    return report
