"""The search page's filters.

The section choices come from the numbered tree and the venue choices from the data, so the
view loads the tree once and passes it in; the filter set never queries for it again.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet

from catalog.models import Link, Paper, Placement
from catalog.search import papers_matching
from catalog.selectors import SectionTree

YEAR_ERRORS = {"invalid": "Enter a year as a number, e.g. 2023."}


class YearFilter(django_filters.NumberFilter):
    """A whole year. Rendered as a text box (numeric keyboard on phones), not type=number,
    so a mistyped value stays visible next to its error instead of being blanked."""

    field_class = forms.IntegerField


class PaperSearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        year_min, year_max = cleaned.get("year_min"), cleaned.get("year_max")
        if year_min is not None and year_max is not None and year_min > year_max:
            self.add_error("year_max", "“To year” must not be before “From year”.")
        return cleaned


class PaperFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Title or authors",
        method="filter_text",
        max_length=200,  # bounds the number of LIKE clauses one request can build
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. debate, Bai"}),
    )
    section = django_filters.ChoiceFilter(
        label="Section",
        method="filter_section",
        empty_label="All sections",
        error_messages={
            "invalid_choice": "There is no section “%(value)s”. Pick one from the list."
        },
    )
    year_min = YearFilter(
        field_name="year",
        lookup_expr="gte",
        label="From year",
        min_value=1900,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "Any"}),
    )
    year_max = YearFilter(
        field_name="year",
        lookup_expr="lte",
        label="To year",
        min_value=1900,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "Any"}),
    )
    venue = django_filters.ChoiceFilter(
        label="Venue",
        empty_label="All venues",
        error_messages={"invalid_choice": "There is no venue “%(value)s”. Pick one from the list."},
    )
    has_code = django_filters.BooleanFilter(
        label="Has code",
        method="filter_has_code",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Paper
        fields: list[str] = []
        form = PaperSearchForm

    def __init__(self, data=None, queryset=None, *, tree: SectionTree, venues: list[str], **kw):
        super().__init__(data, queryset, **kw)
        self.tree = tree
        self.filters["section"].extra["choices"] = [(n.slug, n.label) for n in tree.walk()]
        self.filters["venue"].extra["choices"] = [(venue, venue) for venue in venues]

    def filter_text(self, queryset: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        # Every word must match the title or the authors; best matches first (catalog.search).
        return papers_matching(queryset, value)

    def filter_section(self, queryset: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        node = self.tree.by_slug[value]
        section_ids = [node.pk, *(child.pk for child in node.descendants())]
        # Exists rather than a join: a paper in two matching sections is listed once.
        placed = Placement.objects.filter(paper=OuterRef("pk"), section_id__in=section_ids)
        return queryset.filter(Exists(placed))

    def filter_has_code(self, queryset: QuerySet[Paper], name: str, value: bool) -> QuerySet[Paper]:
        if not value:
            return queryset  # An unticked box means "any", not "without code".
        code = Link.objects.filter(paper=OuterRef("pk"), label=Link.Label.CODE)
        return queryset.filter(Exists(code))
