"""The search page's filters.

The section choices come from the numbered tree and the venue choices from the data, so the
view loads the tree once and passes it in; the filter set never queries for it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.forms import BoundField
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe

from catalog.identifiers import identifier_for_query
from catalog.models import Link, Paper, Placement
from catalog.search import papers_matching, papers_with_identifier
from catalog.selectors import SectionTree
from catalog.selectors_pages import Venues

YEAR_ERRORS = {"invalid": "Enter a year as a number, e.g. 2023."}


def _attrs_html(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options_html(choices: Iterable[tuple[str, str]]) -> str:
    """The options of a select, none selected (django/forms/widgets/select_option.html)."""
    return "".join(
        f'\n  <option value="{escape(value)}">{escape(label)}</option>\n'
        for value, label in choices
    )


class FixedChoices(BaseChoiceIterator):
    """Choices built once and shared by every form until the catalog changes (the section
    tree and the venue list are memoized per catalog version; see `fixed_choices`).

    Django normalizes a plain list of 600 choices whenever a field is built and copies it
    whenever a form is (once per request each); an iterator is taken as normalized, and this
    one is immutable, so a deep copy is the object itself. Its options are rendered once."""

    def __init__(self, pairs: Iterable[tuple[object, object]]) -> None:
        self.pairs = tuple((str(value), str(label)) for value, label in pairs)
        self._options: dict[tuple, str] = {}

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __deepcopy__(self, memo) -> FixedChoices:
        return self

    def options_html(self, head: tuple[tuple[str, str], ...]) -> str:
        """The options, after `head` (the empty choice), none selected."""
        options = self._options.get(head)
        if options is None:
            options = self._options[head] = _options_html((*head, *self.pairs))
        return options


def fixed_choices(owner: object, name: str, pairs: Callable[[], Iterable]) -> FixedChoices:
    """The FixedChoices kept on `owner` (a memoized, read-only object) under `name`."""
    choices = owner.__dict__.get(name)
    if choices is None:
        choices = owner.__dict__[name] = FixedChoices(pairs())
    return choices


class PlainInput:
    """An input rendered in Python with the markup of django/forms/widgets/input.html: the
    filter form is on every search request, and widget templates cost more than its query."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        return mark_safe(  # noqa: S308 - every value escaped
            f'<input type="{escape(widget["type"])}" name="{escape(name)}"{shown}'
            f"{_attrs_html(widget['attrs'])}>"
        )


class PlainTextInput(PlainInput, forms.TextInput):
    pass


class PlainCheckboxInput(PlainInput, forms.CheckboxInput):
    """A box that reads `on` (what a browser sends), `true`, `1`, `yes` as ticked and `off`,
    `false`, `0`, `no` or nothing as unticked. Django's CheckboxInput takes any other text,
    `0` and `no` included, as ticked; such a value is passed on for the field to refuse."""

    TICKED = {"on", "true", "1", "yes"}
    UNTICKED = {"", "off", "false", "0", "no"}

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return False
        value = str(data.get(name)).strip().lower()
        if value in self.TICKED:
            return True
        if value in self.UNTICKED:
            return False
        return data.get(name)


class StrictBooleanField(forms.NullBooleanField):
    def to_python(self, value):
        if value is True or value is False:
            return value
        raise ValidationError("Tick the box or leave it: has_code=on, or nothing.", code="invalid")


class PlainSelect(forms.Select):
    """A select with the markup of Django's select templates (no option groups), built in
    Python: 600 section options through the option template cost tens of milliseconds a page.
    The options are built once per list of choices (the section tree and the venues change
    only with the catalog); the chosen one is then marked."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        fixed = getattr(self.choices, "choices", None)  # django-filter wraps the field's choices
        if isinstance(fixed, FixedChoices):
            field = self.choices.field
            # What django_filters.fields.ChoiceIterator puts before the choices.
            head = []
            if field.empty_label is not None:
                head.append(("", str(field.empty_label)))
            if field.null_label is not None:
                head.append((str(field.null_value), str(field.null_label)))
            options = fixed.options_html(tuple(head))
        else:
            if any(isinstance(label, list | tuple) for _value, label in self.choices):
                return super().render(name, value, attrs, renderer)  # option groups: unused
            options = _options_html((str(v), str(label)) for v, label in self.choices)
        chosen = self.format_value(value)
        if chosen:
            option = f'<option value="{escape(chosen[0])}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        return mark_safe(  # noqa: S308 - every value escaped
            f'<select name="{escape(name)}"'
            f"{_attrs_html(self.build_attrs(self.attrs, attrs))}>{options}\n</select>"
        )


# The Bootstrap 5 class crispy-forms gives each kind of widget, after the widget's class name
# in lower case (crispy_forms/templates/bootstrap5/field.html). The search form renders its
# fields with filter_field_html below instead: the same markup without crispy's templates,
# which cost about 3 ms of every search request.
BOOTSTRAP_CLASSES = {"select": "form-select", "checkbox": "form-check-input"}


def filter_field_html(field: BoundField) -> SafeString:
    """One field of the filter form: label, widget and errors, as crispy-forms' bootstrap5
    `as_crispy_field` renders it (tests compare the two)."""
    widget = field.field.widget
    html_id = escape(field.auto_id)
    bootstrap = BOOTSTRAP_CLASSES.get(widget.input_type, "form-control")
    classes = f"{type(widget).__name__.lower()} {bootstrap}"
    attrs = {}
    errors = ""
    if field.errors:
        classes += " is-invalid"
        attrs = {"aria-invalid": "true", "aria-describedby": f"{html_id}_error"}
        errors = (
            f'<div id="{html_id}_error" class="invalid-feedback">'
            + "".join(
                f'<p id="error_{number}_{html_id}"><strong>{escape(str(error))}</strong></p>'
                for number, error in enumerate(field.errors, start=1)
            )
            + "</div>"
        )
    attrs = {"class": classes, **attrs, "id": html_id}
    control = field.as_widget(attrs=attrs)
    label = escape(str(field.label))
    if isinstance(widget, forms.CheckboxInput):
        return mark_safe(  # noqa: S308 - every value escaped
            f'<div class="mb-3"><div id="div_{html_id}" class="form-check">{control}'
            f'<label for="{html_id}" class="form-check-label">{label}</label>{errors}</div></div>'
        )
    return mark_safe(  # noqa: S308 - every value escaped
        f'<div id="div_{html_id}" class="mb-3"><label for="{html_id}" class="form-label">'
        f"{label}</label>{control}{errors}</div>"
    )


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
        max_length=200,  # bounds the number of words one query can hold
        # A paper's address or id finds it too (catalog.identifiers.identifier_for_query).
        widget=PlainTextInput(
            attrs={"type": "search", "placeholder": "e.g. debate, Bai or an arXiv link"}
        ),
    )
    section = django_filters.ChoiceFilter(
        label="Section",
        method="filter_section",
        empty_label="All sections",
        widget=PlainSelect,
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
        widget=PlainTextInput(attrs={"inputmode": "numeric", "placeholder": "Any"}),
    )
    year_max = YearFilter(
        field_name="year",
        lookup_expr="lte",
        label="To year",
        min_value=1900,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        widget=PlainTextInput(attrs={"inputmode": "numeric", "placeholder": "Any"}),
    )
    venue = django_filters.ChoiceFilter(
        label="Venue",
        empty_label="All venues",
        widget=PlainSelect,
        error_messages={"invalid_choice": "There is no venue “%(value)s”. Pick one from the list."},
    )
    has_code = django_filters.BooleanFilter(
        label="Has code",
        method="filter_has_code",
        widget=PlainCheckboxInput,
    )
    has_code.field_class = StrictBooleanField

    class Meta:
        model = Paper
        fields: list[str] = []
        form = PaperSearchForm

    def __init__(self, data=None, queryset=None, *, tree: SectionTree, venues: Venues, **kw):
        super().__init__(data, queryset, **kw)
        self.tree = tree
        self.filters["section"].extra["choices"] = fixed_choices(
            tree, "section_choices", lambda: [(n.slug, n.label) for n in tree.walk()]
        )
        self.filters["venue"].extra["choices"] = fixed_choices(
            venues, "venue_choices", lambda: [(venue, venue) for venue in venues]
        )

    def filter_text(self, queryset: QuerySet[Paper], name: str, value: str) -> QuerySet[Paper]:
        # A paper's address or identifier, the whole query (`arXiv:2401.10020`, a DOI, an
        # OpenReview forum): the papers with that link.
        identifier = identifier_for_query(value)
        if identifier:
            return papers_with_identifier(queryset, identifier)
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
