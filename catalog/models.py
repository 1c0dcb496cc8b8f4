"""The catalog: a section tree, one record per paper, and the paper's placements in sections.

The README's preamble (title, intro, News, Citation, Abstract, workshops) is data here too, so
nothing of the list's content lives in templates or code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connections, models, router
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse

from catalog import identifiers
from catalog.validators import LINK_MAX_BYTES, MaxUTF8BytesValidator

# A part is a README heading of level 3 (###), its subsections 4 to 6: four levels in all.
MAX_SECTION_DEPTH = 3

# Positions from 1 to a million, on both databases: PostgreSQL's integer stops at 2^31 - 1 and
# SQLite's at 2^63 - 1, and a row placed at the end of a list sits one past the last (a
# position typed at the top of the range then made every approval into that list fail).
POSITION_MAX = 1_000_000
POSITION_VALIDATORS = [MinValueValidator(1), MaxValueValidator(POSITION_MAX)]


def position_after(last: int | None) -> int:
    """The position of a row added at the end of a list whose last position is `last` (None:
    an empty list). At the limit, tied with the last: ties read in id order, so it still
    comes last."""
    return min((last or 0) + 1, POSITION_MAX)


class Section(models.Model):
    """A node of the numbered taxonomy. Its number (`1.5.2`) is derived from the tree."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    position = models.PositiveIntegerField(
        help_text="Order among the siblings, from 1.", validators=POSITION_VALIDATORS
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)

    # Positions are not unique: swapping two rows in the admin must not trip a constraint
    # halfway; ties fall back to the id.
    class Meta:
        ordering = ["parent_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(position__gte=1), name="section_position_from_one"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="section_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        number = getattr(self, "number", None)
        return f"{number} {self.title}" if number else self.title

    def save(self, *args, **kwargs) -> None:
        # A new slug keeps the old address working (FormerSlug): links to a section are
        # shared, and renaming it must not break them.
        old = None
        if self.pk is not None:
            old = Section.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        if old != self.slug:
            FormerSlug.objects.filter(slug=self.slug).delete()  # its own again, or taken
            if old:
                FormerSlug.objects.update_or_create(slug=old, defaults={"section": self})

    def get_absolute_url(self) -> str:
        return reverse("catalog:section", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """A parent that keeps the tree a tree, no deeper than the README's headings go.

        The constraint section_not_own_parent only catches the section itself: a parent that
        is one of its subsections would make a cycle, and a cycle is in no numbered tree, so
        its sections and papers would vanish from the site and the README."""
        super().clean()
        _lock_section_tree(self._state.db or router.db_for_write(Section))
        # The ancestors read afresh, after the lock: the parent instance the form loaded may
        # predate a move committed meanwhile.
        depth, ancestor_id, seen = 0, self.parent_id, set()
        while ancestor_id is not None and ancestor_id not in seen:
            if self.pk is not None and ancestor_id == self.pk:
                raise ValidationError(
                    {"parent": "A section cannot sit inside itself or one of its subsections."}
                )
            seen.add(ancestor_id)
            depth += 1
            ancestor_id = (
                Section.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
            )
        # Downwards too, each section once: a cycle saved before this check existed must not
        # keep the walk going (clearing its parent is how it gets repaired).
        below, level, visited = 0, [self.pk] if self.pk is not None else [], set()
        while level:
            visited.update(level)
            level = [
                pk
                for pk in Section.objects.filter(parent_id__in=level).values_list("pk", flat=True)
                if pk not in visited
            ]
            below += bool(level)
        if depth + below > MAX_SECTION_DEPTH:
            raise ValidationError(
                {
                    "parent": f"Sections nest at most {MAX_SECTION_DEPTH + 1} levels deep"
                    " (1.2.3.4), as far as the README's headings can tell them apart; this"
                    f" parent would put {'this section' if not below else 'its subsections'}"
                    f" at level {depth + below + 1}."
                }
            )


def _lock_section_tree(using: str) -> None:
    """Two sections moved under each other at the same moment would each pass the checks of
    Section.clean, which read the tree, and together save a cycle. On PostgreSQL a
    transaction-level advisory lock makes the second wait until the first commits, then read
    the tree as it left it (the admin's save is one transaction); SQLite's BEGIN IMMEDIATE
    already serializes writers."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('catalog:sections', 0))")


class FormerSlug(models.Model):
    """A slug a section had before it was renamed: its old address redirects to the new."""

    slug = models.SlugField(max_length=220, unique=True)
    section = models.ForeignKey(Section, related_name="former_slugs", on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"{self.slug} → {self.section.slug}"


def is_publication_year(year: int) -> bool:
    """From 1900 to next year (accepted papers are dated by their venue)."""
    return 1900 <= year <= datetime.date.today().year + 1


def validate_publication_year(year: int | None) -> None:
    """A year a paper can have been published in (is_publication_year). Forms show this next
    to the field; the database constraint paper_year_plausible is the wider backstop."""
    latest = datetime.date.today().year + 1
    if year is not None and not is_publication_year(year):
        raise ValidationError(
            "Enter a year from 1900 to %(latest)s.", code="year", params={"latest": latest}
        )


class YearOrZero(models.Func):
    """`COALESCE(year, 0)` with the 0 written into the SQL, not passed as a parameter, so the
    search page's ORDER BY matches the expression of its index (paper_newest_then_title)."""

    template = "COALESCE(%(expressions)s, 0)"
    output_field = models.IntegerField()


class PublishedPaperQuerySet(models.QuerySet):
    def published(self) -> PublishedPaperQuerySet:
        """The public set: papers placed in at least one section."""
        return self.filter(Exists(Placement.objects.filter(paper=OuterRef("pk"))))


class Paper(models.Model):
    """One paper, however many sections list it."""

    title = models.CharField(max_length=500)
    authors = models.CharField(
        max_length=500, blank=True, help_text="As the list displays them, e.g. “Bai et al.”"
    )
    venue = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[validate_publication_year]
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The BibTeX key before its uniqueness suffix (catalog.bibtex), derived from the fields
    # above on every save (and loaddata, see CatalogConfig): a paper page finds the few papers
    # sharing its key through this index instead of computing every paper's key.
    key_base = models.CharField(max_length=1100, blank=True, editable=False, db_index=True)

    objects = PublishedPaperQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            # The search page's order (catalog.selectors_pages.searchable_papers), so its LIMIT
            # reads the index instead of sorting every paper. An expression (no year sorts
            # last, as 0) rather than `year`, so year filters keep scanning the table, which
            # SQLite does faster than visiting most rows through this index. Titles in
            # lowercase, so "AUTOACT" sorts among the A's, not before "Adversarial".
            models.Index(
                YearOrZero("year").desc(),
                Lower("title"),
                models.F("id"),
                name="paper_newest_then_title_ci",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="paper_title_not_empty"),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="paper_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.set_key_base()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEY_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, "key_base"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:paper", kwargs={"pk": self.pk})

    def set_key_base(self) -> None:
        from catalog.bibtex import citation_key_base  # bibtex imports this module

        self.key_base = citation_key_base(self.authors, self.year, self.title)


# The fields Paper.key_base is derived from.
KEY_FIELDS = frozenset({"authors", "year", "title"})


class Link(models.Model):
    """A labelled link of a paper; its identifier (arXiv id, DOI, ...) is derived from the URL."""

    class Label(models.TextChoices):
        # The order here is the order links are rendered in.
        PAPER = "paper", "paper"
        CODE = "code", "code"
        MODEL = "model", "model"
        DATA = "data", "data"
        DEMO = "demo", "demo"
        PROJECT = "project", "project"
        BLOG = "blog", "blog"
        VIDEO = "video", "video"
        SLIDES = "slides", "slides"
        POSTER = "poster", "poster"

    paper = models.ForeignKey(Paper, related_name="links", on_delete=models.CASCADE)
    label = models.CharField(max_length=20, choices=Label.choices, default=Label.PAPER)
    # http(s) only: the list links to pages a reader opens (not ftp:, javascript: or data:).
    url = models.URLField(
        max_length=1000,
        validators=[
            URLValidator(schemes=["http", "https"]),
            MaxUTF8BytesValidator(LINK_MAX_BYTES),
        ],
    )
    position = models.PositiveIntegerField(default=1, validators=POSITION_VALIDATORS)
    identifier = models.CharField(
        max_length=identifiers.MAX_IDENTIFIER_LENGTH,
        blank=True,
        db_index=True,
        editable=False,
        help_text="arxiv:…, doi:…, openreview:… or url:… — used to find duplicates.",
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "url"], name="link_unique_url_per_paper"),
        ]

    def __str__(self) -> str:
        return f"[{self.label}] {self.url}"

    def save(self, *args, **kwargs) -> None:
        self.identifier = identifiers.identifier_for_url(self.url)
        super().save(*args, **kwargs)

    @property
    def identifier_display(self) -> tuple[str, str]:
        return identifiers.describe(self.identifier)


T = TypeVar("T")

# The order of kinds in which every page and the README list a paper's links.
LINK_LABEL_ORDER = {label.value: index for index, label in enumerate(Link.Label)}


def in_reading_order(
    links: Iterable[T], *, label: Callable[[T], str] = attrgetter("label")
) -> list[T]:
    """A paper's links as the README lists them: by kind (paper, code, … in Link.Label's
    order), then as given. Given in position order, each kind keeps it."""
    return sorted(links, key=lambda link: LINK_LABEL_ORDER.get(label(link), len(LINK_LABEL_ORDER)))


class Placement(models.Model):
    """A paper listed in a section at a position."""

    paper = models.ForeignKey(Paper, related_name="placements", on_delete=models.CASCADE)
    section = models.ForeignKey(Section, related_name="placements", on_delete=models.PROTECT)
    position = models.PositiveIntegerField(validators=POSITION_VALIDATORS)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["section_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "section"], name="placement_unique_paper_in_section"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="placement_position_from_one"
            ),
        ]
        indexes = [
            # The reading order: a section page reads its slice of one section in index order
            # (LIMIT/OFFSET, no sort), and the export reads every placement in this order.
            models.Index(fields=["section", "position", "id"], name="placement_reading_order"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} in {self.section}"


class ReadmeDocument(models.Model):
    """The README's framing text. One row; the export reads it."""

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Markdown shown under the title.")
    news_heading = models.CharField(max_length=100, default="News")
    citation_heading = models.CharField(max_length=100, default="Citation")
    citation_intro = models.TextField(blank=True)
    citation = models.TextField(blank=True, help_text="BibTeX, shown as a code block.")
    abstract_heading = models.CharField(max_length=100, default="Abstract")
    abstract = models.TextField(blank=True)
    contents_heading = models.CharField(max_length=100, default="Table of Contents")
    paper_list_heading = models.CharField(max_length=100, default="Paper List")
    workshops_heading = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "README document"
        verbose_name_plural = "README document"
        constraints = [
            # A singleton: the only row allowed has id 1.
            models.CheckConstraint(condition=Q(id=1), name="readme_document_singleton"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)


class NewsItem(models.Model):
    date = models.DateField()
    text = models.TextField(help_text="Markdown, one paragraph.")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.text[:60]}"


class Workshop(models.Model):
    """A row of the closing table of recommended tutorials and workshops."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    description = models.TextField()
    position = models.PositiveIntegerField(validators=POSITION_VALIDATORS)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
