import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db import models, transaction
from django.db.models import Case, Count, Max, Prefetch, QuerySet, Value, When
from django.urls import reverse
from django.utils.functional import cached_property

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
    validate_publication_year,
)
from catalog.selectors import paper_link_owner, section_tree
from catalog.services import (
    paper_links_lock,
    paper_relisting_twin,
    placement_log_on_paper,
    position_make_room,
    positions_arrange,
)
from config.admin_guards import (
    BoundedInlineMixin,
    GuardedAdminMixin,
    GuardedAutocompleteMixin,
    GuardedChangeList,
    RowLabelledFormSet,
    SeenStateAdminMixin,
    SeenStateForm,
)

# Addresses typed without a scheme get https:// (Django 6's default; silences its warning).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def moves(form, change: bool) -> bool:
    """A new row, or one given another position or other siblings: only then may it take a
    sibling's place (a plain edit leaves an existing tie alone)."""
    return not change or bool({"position", "parent", "section"} & set(form.changed_data))


PLAIN_NUMBER = re.compile(r"[0-9]{1,9}")
SECTION_NUMBER = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}")


def rows_moving(request, model) -> dict[int, tuple[int, int]]:
    """The rows a list's submit (list_editable) gives new positions, read once per request
    before any is saved, as {pk: (its list, the position typed)}: swapping two rows moves
    both, and neither makes room for the other."""
    if not hasattr(request, "_rows_moving"):
        posted = {}
        total = request.POST.get("form-TOTAL_FORMS", "")
        for index in range(min(int(total), 1000) if PLAIN_NUMBER.fullmatch(total) else 0):
            pk = request.POST.get(f"form-{index}-id", "")
            position = request.POST.get(f"form-{index}-position", "")
            if PLAIN_NUMBER.fullmatch(pk) and PLAIN_NUMBER.fullmatch(position):
                posted[int(pk)] = int(position)
        group = "section_id" if model is Placement else "parent_id"
        current = model.objects.filter(pk__in=posted).values_list("pk", "position", group)
        request._rows_moving = {
            pk: (in_list, posted[pk]) for pk, at, in_list in current if posted[pk] != at
        }
    return request._rows_moving


def place_in_list(request, obj, form, change: bool, model) -> None:
    """Before a section or placement is saved at its position: room made for it
    (position_make_room), or, when a list's save moves several rows of its list, that whole
    list arranged once (positions_arrange) and the row given its place there."""
    if not moves(form, change):
        return
    moving = rows_moving(request, model)
    group = obj.section_id if model is Placement else obj.parent_id
    together = {pk: typed for pk, (in_list, typed) in moving.items() if in_list == group}
    if obj.pk in together and len(together) > 1:
        arranged = request.__dict__.setdefault("_arranged", {})
        if group not in arranged:
            arranged[group] = positions_arrange(item=obj, targets=together, actor=request.user)
        obj.position = arranged[group][obj.pk]
        return
    position_make_room(item=obj, actor=request.user, moving=frozenset(moving))


class NumberedSectionChoices:
    """Section fields labelled as the site numbers them ("1.5.2 Debate"): several parts
    hold sections of one title, and a maintainer places papers by number."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Section:
            labels = {pk: node.label for pk, node in section_tree().by_pk.items()}
            field.label_from_instance = lambda section: labels.get(section.pk, section.title)
        return field


def taken_paper_link(data: dict, paper: Paper | None) -> str | None:
    """The refusal for a link row (`data`: its cleaned values) giving `paper` a paper link
    another paper already has; None when it is not one."""
    if data.get("label") != Link.Label.PAPER or not data.get("url"):
        return None
    identifier = identifiers.identifier_for_url(data["url"])
    # An approval publishing this link meanwhile commits first; then the check sees its paper.
    paper_links_lock([identifier])
    owner = paper_link_owner([identifier], other_than=paper)
    if owner is None:
        return None
    return (
        f"Paper {owner.pk}, “{owner.title}”, already has this paper link: one paper is one "
        "record. Edit that paper instead, or give this one its own paper link."
    )


def stored_paper_link_ids(paper: Paper) -> list[str]:
    return [link.identifier for link in paper.links.all() if link.label == Link.Label.PAPER]


def relisting_refusal(
    paper: Paper | None,
    *,
    other_than: Placement | None = None,
    paper_link_ids: list[str] | None = None,
) -> str | None:
    """The refusal for placing `paper` in a section when it is in none (but for the row
    `other_than`, being edited) and another published paper got one of its paper links while
    it was off the list: one paper would be listed twice. None when it may be placed.
    `paper_link_ids`: its paper links as the same save leaves them (the paper's own page)."""
    if paper is None or paper.pk is None:
        return None
    twin = paper_relisting_twin(paper=paper, paper_link_ids=paper_link_ids, other_than=other_than)
    if twin is None:
        return None
    ids = paper_link_ids if paper_link_ids is not None else stored_paper_link_ids(paper)
    shared = next(
        link.identifier
        for link in twin.links.all()
        if link.label == Link.Label.PAPER and link.identifier in ids
    )
    kind, value = identifiers.describe(shared)
    return (
        f"Paper {twin.pk}, “{twin.title}”, was published with this paper's paper link "
        f"({kind} {value}) while this one was in no section: placing this one would list one "
        f"paper twice. Place paper {twin.pk} instead, or replace or remove that link here "
        "first."
    )


class AddedLastForm(SeenStateForm):
    """A new row whose position is left empty goes after the others of its list (a link
    after its paper's links, a placement after its section's papers), not at the model's 1
    before them; a position typed still makes room there."""

    position_help = "Leave empty to add it after the others."

    def list_rows(self, data: dict) -> QuerySet | None:
        """The rows of the list the new row joins, from its cleaned values."""
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "position" in self.fields:
            position = self.fields["position"]
            position.required, position.initial = False, None
            position.help_text = self.position_help

    def clean(self):
        data = super().clean()
        adding = self.instance.pk is None and "position" in self.fields
        typed = data.get("position") is not None or "position" in self.errors
        rows = self.list_rows(data) if adding and not typed else None
        if rows is not None:
            data["position"] = position_after(rows.aggregate(last=Max("position"))["last"])
        return data


class PlacementAdminForm(AddedLastForm):
    position_help = "Leave empty to list the paper after the section's others."

    def list_rows(self, data: dict) -> QuerySet | None:
        return data["section"].placements.all() if data.get("section") else None

    def clean(self):
        data = super().clean()
        paper = data.get("paper")
        if paper is not None and paper.pk != self.instance.paper_id:  # new, or another paper
            refusal = relisting_refusal(paper, other_than=self.instance)
            if refusal:
                self.add_error("paper", refusal)
        return data


class PaperPlacementsFormSet(RowLabelledFormSet):
    """A paper's placements: placing a paper that is in no section is refused when another
    published paper has its paper link (`relisting_refusal`)."""

    def clean(self):
        super().clean()
        adding = any(
            form.has_changed()
            and not (getattr(form, "cleaned_data", None) or {}).get("DELETE")
            and form.instance.pk is None
            for form in self.forms
        )
        if adding and self.instance.pk is not None:
            # Its links as this same save leaves them: a new paper link typed beside the
            # placement is what the refusal asks for (PaperAdmin._create_formsets pairs them).
            links = getattr(self, "links_formset", None)
            posted = links.paper_link_ids_after_save() if links and links.is_valid() else None
            refusal = relisting_refusal(self.instance, paper_link_ids=posted)
            if refusal:
                raise forms.ValidationError(refusal)


class LinkAdminForm(AddedLastForm):
    # As on the paper's page (PaperLinksFormSet).
    position_help = "Leave empty to add the link after the paper's other links."

    def list_rows(self, data: dict) -> QuerySet | None:
        return data["paper"].links.all() if data.get("paper") else None

    def clean(self):
        data = super().clean()
        if self.has_changed() and data.get("paper") is not None:
            refusal = taken_paper_link(data, data["paper"])
            if refusal:
                self.add_error("url", refusal)
        return data


class PaperLinksFormSet(RowLabelledFormSet):
    """A paper's links. One paper is one record: a paper link another paper already has is
    refused where it is typed, as approval refuses it. Only rows added or changed here: a
    link two papers already share (an old import) does not stop every edit of either."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None or index >= self.initial_form_count():
            # A new link goes after the paper's others, not before them at the model's 1. The
            # posted rows get the same initial, so a row added and left empty stays unchanged.
            kwargs["initial"] = {"position": self.next_position}
        return kwargs

    @cached_property
    def next_position(self) -> int:
        return position_after(max((link.position for link in self.get_queryset()), default=0))

    def paper_link_ids_after_save(self) -> list[str]:
        """The identifiers of the paper's paper links as this save leaves them: its rows as
        posted, and its stored links the post has no row for (which it leaves alone)."""
        posted_rows = {form.instance.pk for form in self.initial_forms if form.instance.pk}
        kept = [
            link.identifier
            for link in (self.instance.links.all() if self.instance.pk else [])
            if link.label == Link.Label.PAPER and link.pk not in posted_rows
        ]
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("label") != Link.Label.PAPER or not data.get("url"):
                continue
            kept.append(identifiers.identifier_for_url(data["url"]))
        return kept

    def clean(self):
        super().clean()
        changed = [
            form
            for form in self.forms
            if form.has_changed() and not (getattr(form, "cleaned_data", None) or {}).get("DELETE")
        ]
        if not changed:
            return
        # Every paper link this save concerns, locked at once and in order, as approvals lock
        # theirs: one lock per row, in the order typed, could wait in a cycle with an approval.
        stored = stored_paper_link_ids(self.instance) if self.instance.pk else []
        paper_links_lock(stored + self.paper_link_ids_after_save())
        paper = self.instance if self.instance.pk else None
        for form in changed:
            refusal = taken_paper_link(form.cleaned_data, paper)
            if refusal:
                form.add_error("url", refusal)


class LinkInline(BoundedInlineMixin, admin.TabularInline):
    model = Link
    form = SeenStateForm
    formset = PaperLinksFormSet
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0
    fields = ["position", "label", "url", "identifier", "seen_state"]
    readonly_fields = ["identifier"]
    ordering = ["position", "id"]


class PlacementInline(
    NumberedSectionChoices, GuardedAutocompleteMixin, BoundedInlineMixin, admin.TabularInline
):
    model = Placement
    form = SeenStateForm
    formset = PaperPlacementsFormSet
    extra = 0
    fields = ["section", "position", "seen_state"]
    autocomplete_fields = ["section"]
    ordering = ["section__parent_id", "section__position", "position", "id"]


class ReadingOrderChangeList(GuardedChangeList):
    """The Sections list in the taxonomy's reading order (1, 1.1, 1.1.1, 1.2, 2 …), as the site
    and the README list them, until a column's header asks for another order. Only the list:
    other querysets of sections (filters, autocomplete) have no reading_order to sort by."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["reading_order", *getattr(self.model_admin, "within_section_order", []), "pk"]

    def get_ordering_field_columns(self):
        # No column header claims the reading order as its own.
        return super().get_ordering_field_columns() if ORDER_VAR in self.params else {}


def reading_order(section_field: str) -> Case:
    """The index of the section `section_field` names in the taxonomy's reading order."""
    order = {node.pk: index for index, node in enumerate(section_tree().walk())}
    return Case(
        *(When(**{section_field: pk}, then=Value(index)) for pk, index in order.items()),
        default=Value(len(order)),
        output_field=models.IntegerField(),
    )


@admin.register(Section)
class SectionAdmin(
    NumberedSectionChoices, SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin
):
    list_display = ["number", "title", "parent", "position", "placement_count"]
    list_display_links = ["title"]
    list_editable = ["position"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    ordering = ["parent_id", "position", "id"]

    def get_changelist(self, request, **kwargs):
        return ReadingOrderChangeList

    # Deleting goes through the curation service, which keeps the section's name in the
    # history of the submissions that proposed it.
    def delete_model(self, request, obj):
        from curation.services import sections_delete

        sections_delete(sections=[obj], actor=request.user)

    def delete_queryset(self, request, queryset):
        from curation.services import sections_delete

        sections_delete(sections=list(queryset), actor=request.user)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A contributor's choice of section is not dropped from their open submission: it
        # is decided (or sent back) first.
        from curation.models import Submission

        waiting = Submission.objects.open().filter(sections__in=list(objs)).distinct()
        protected = [
            *protected,
            *(f"Open submission: {submission} (decide it first)" for submission in waiting),
        ]
        return deleted, counts, perms_needed, protected

    def get_search_results(self, request, queryset, search_term):
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "autocomplete":
            return super().get_search_results(request, queryset, search_term)
        # The section pickers of the other forms: numbered choices in reading order, found
        # by title or by number (`1.5` finds 1.5 and everything under it).
        nodes = list(section_tree().walk())
        term = search_term.replace("\x00", "").strip().rstrip(".")
        if SECTION_NUMBER.fullmatch(term):
            found = [n.pk for n in nodes if n.number == term or n.number.startswith(term + ".")]
        else:
            # Every word in the label as shown ("2.2.4 Agent", typed as it reads) or the slug.
            words = term.lower().split()
            found = [
                n.pk for n in nodes if all(word in f"{n.label} {n.slug}".lower() for word in words)
            ]
        queryset, distinct = queryset.filter(pk__in=found), False
        numbers = [When(pk=node.pk, then=Value(node.number)) for node in nodes]
        # Section.__str__ shows an annotated number.
        queryset = queryset.annotate(
            number=Case(*numbers, default=Value(""), output_field=models.CharField())
        )
        return queryset.order_by("reading_order", "pk"), distinct

    def save_model(self, request, obj, form, change):
        place_in_list(request, obj, form, change, Section)
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        # The taxonomy's reading order (1, 1.1, 1.1.1, 1.2, 2 …) by default, as the site and
        # the README list them; a column's header still sorts by that column.
        return (
            super()
            .get_queryset(request)
            .annotate(placement_total=Count("placements"), reading_order=reading_order("pk"))
        )

    def changelist_view(self, request, extra_context=None):
        # One tree load numbers every row of the page.
        self._numbers = {pk: node.number for pk, node in section_tree().by_pk.items()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Number")
    def number(self, obj: Section) -> str:
        numbers = getattr(self, "_numbers", None) or {}
        return numbers.get(obj.pk, "")

    @admin.display(description="Own papers", ordering="placement_total")
    def placement_count(self, obj: Section) -> int:
        return obj.placement_total


class PaperAdminForm(forms.ModelForm):
    # The paper's updated_at when the form was opened: a save over a newer version (a
    # correction approved, another maintainer's edit meanwhile) would put old values back.
    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # One message for any impossible year, the list's own range: not Django's "greater than
    # or equal to 0" for -5, nor the column's 64-bit bound beside it for a huge number.
    year = forms.IntegerField(required=False, validators=[validate_publication_year])

    class Meta:
        model = Paper
        fields = ["title", "authors", "venue", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every entry names its authors ("Bai et al." at least), as the public form asks.
        self.fields["authors"].required = True
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.updated_at.isoformat()

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        # Stored as the public form stores it: the README ends every title with one period
        # (a title ending "..." keeps its dots, and gets none).
        return _required(title.rstrip(" .") if not title.endswith("..") else title)

    def clean_authors(self):
        authors = _required(self.cleaned_data["authors"].strip().rstrip(" ."))
        # The README adds the final period, except after "et al", where it is part of it.
        return f"{authors}." if authors.endswith("et al") else authors

    def clean(self):
        data = super().clean()
        if "venue" in data and "year" in data:
            from quality.venues import venue_and_year

            # "Safety Workshop 2023" with no year is "Safety Workshop", 2023, as an export of
            # the entry would read back (venue_and_year).
            data["venue"], data["year"] = venue_and_year(data["venue"], data["year"])
        seen = data.get("seen_version")
        if self.instance.pk is not None and seen:
            # Locked until the save commits (the admin's change view is one transaction): an
            # approval arriving after this check waits, rather than being overwritten.
            current = (
                Paper.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
            )
            if current and current[0].isoformat() != seen:
                raise forms.ValidationError(
                    "This paper was changed after you opened it (an approved correction, or "
                    "another maintainer). Nothing was saved: open it again to see it as it is "
                    "now, then make your change."
                )
        return data

    def clean_venue(self):
        from quality.venues import Vocabulary

        venue = " ".join(self.cleaned_data["venue"].split())
        # An alias or another case of a listed venue is saved as the list writes it: `NIPS`
        # becomes `NeurIPS`, as the catalog report would ask.
        return Vocabulary.load().canonical_name(venue) or venue if venue else ""


def _required(value: str) -> str:
    """A value left empty by its cleaning (a title of only periods) is a missing one."""
    if not value:
        raise forms.ValidationError("This field is required.", code="required")
    return value


class NumberedSectionFilter(admin.SimpleListFilter):
    """Sections in taxonomy order, with their numbers ("1.2 Self-Judge / Critique / Refine")."""

    title = "section"
    parameter_name = "section"
    section_lookup = "section_id"  # how the listed model reaches its section

    def sections_offered(self, request, model_admin) -> set[int] | None:
        """The sections to offer (None: all)."""
        return None

    def lookups(self, request, model_admin):
        offered = self.sections_offered(request, model_admin)
        return [
            (str(node.pk), node.label)
            for node in section_tree().walk()
            if offered is None or node.pk in offered
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not PLAIN_NUMBER.fullmatch(self.value()):
            return queryset.none()
        return queryset.filter(**{self.section_lookup: int(self.value())}).distinct()


class PaperSectionFilter(NumberedSectionFilter):
    """Papers placed in a section (numbered, in the taxonomy's order)."""

    section_lookup = "placements__section_id"


class VenueFilter(admin.SimpleListFilter):
    """The papers' venues, and "(no venue)" for those without one: Django's own filter listed
    the blank venue as a link with no text (invisible, yet reached by the keyboard)."""

    title = "venue"
    parameter_name = "venue"
    BLANK = "(none)"

    def lookups(self, request, model_admin):
        venues = Paper.objects.order_by("venue").values_list("venue", flat=True).distinct()
        return [(venue or self.BLANK, venue or "(no venue)") for venue in venues]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(venue="" if value == self.BLANK else value)


@admin.register(Paper)
class PaperAdmin(SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    form = PaperAdminForm
    list_display = ["title", "authors", "venue", "year", "section_numbers", "updated_at"]
    list_filter = [PaperSectionFilter, "year", VenueFilter]
    search_fields = ["title", "authors", "venue", "links__url", "links__identifier"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [LinkInline, PlacementInline]
    date_hierarchy = "created_at"

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        # The placements' check reads the links as this save leaves them (PaperPlacementsFormSet).
        links = next((formset for formset in formsets if formset.model is Link), None)
        for formset in formsets:
            if formset.model is Placement:
                formset.links_formset = links
        return formsets, inline_instances

    def get_queryset(self, request):
        papers = (
            super().get_queryset(request).annotate(section_total=Count("placements", distinct=True))
        )
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "catalog_paper_changelist":
            # The list's Sections column; not on the change form, which edits placements.
            only = Placement.objects.only("paper_id", "section_id")
            papers = papers.prefetch_related(Prefetch("placements", queryset=only))
        return papers

    def changelist_view(self, request, extra_context=None):
        self._numbers = {pk: node.number for pk, node in section_tree().by_pk.items()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Sections", ordering="section_total")
    def section_numbers(self, obj: Paper) -> str:
        """The numbers of its sections ("1.5.2, 3.1"), from the prefetched placements."""
        numbers = getattr(self, "_numbers", {})
        return (
            ", ".join(
                sorted(
                    (numbers.get(p.section_id, "?") for p in obj.placements.all()),
                    key=lambda number: [
                        int(part) if part.isdigit() else 0 for part in number.split(".")
                    ],
                )
            )
            or "—"
        )

    def save_model(self, request, obj, form, change):
        from quality.venues import Vocabulary

        super().save_model(request, obj, form, change)
        typed = " ".join(form.data.get("venue", "").split())
        if typed and typed != obj.venue:
            moved = obj.year is not None and typed.endswith(str(obj.year))
            how = f"and the year as {obj.year}" if moved else "the list's name"
            self.message_user(request, f"Venue “{typed}” saved as “{obj.venue}”, {how}.")
        if obj.venue and Vocabulary.load().canonical_name(obj.venue) is None:
            self.message_user(
                request,
                f"“{obj.venue}” is not in the venue list: if it is right, add it (or an alias) "
                f"under Data quality › Venues ({reverse('admin:quality_venue_add')}); the "
                "catalog report flags it until then.",
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_if_in_no_section(self, request, [form.instance])

    def save_formset(self, request, form, formset, change):
        if formset.model is not Placement:
            return super().save_formset(request, form, formset, change)
        placements = formset.save(commit=False)
        for placement in formset.deleted_objects:
            placement.delete()
        changed = {id(f.instance) for f in formset.forms if moves(f, f.instance.pk is not None)}
        for placement in placements:
            if id(placement) in changed:
                position_make_room(item=placement, actor=request.user)
            placement.save()
        formset.save_m2m()
        return None

    # Deleting goes through the curation service, which first closes open corrections.
    def delete_model(self, request, obj):
        from curation.services import paper_delete

        paper_delete(paper=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        from curation.services import paper_delete

        # One transaction: the catalog changes once (one README rewrite, not one per paper).
        with transaction.atomic():
            for paper in queryset:
                paper_delete(paper=paper, actor=request.user)


@admin.register(Placement)
class PlacementAdmin(
    NumberedSectionChoices, SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin
):
    # Position and section first: they stay in view beside long titles and the filters.
    form = PlacementAdminForm
    list_display = ["position", "numbered_section", "paper"]
    list_display_links = ["paper"]
    list_editable = ["position"]
    list_filter = [NumberedSectionFilter]
    search_fields = ["paper__title", "section__title"]
    autocomplete_fields = ["paper", "section"]
    list_select_related = ["paper", "section"]
    ordering = ["section__parent_id", "section__position", "position", "id"]
    # The list: sections in reading order (1.5.2, 2.1, 2.1.1 …), papers in order within each.
    within_section_order = ["position"]

    def get_changelist(self, request, **kwargs):
        return ReadingOrderChangeList

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reading_order=reading_order("section_id"))

    def changelist_view(self, request, extra_context=None):
        self._labels = {pk: node.label for pk, node in section_tree().by_pk.items()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Section")
    def numbered_section(self, obj: Placement) -> str:
        return getattr(self, "_labels", {}).get(obj.section_id, obj.section.title)

    def save_model(self, request, obj, form, change):
        # Where the row was before this save: a change of its paper or section is told in
        # the History of each paper it concerns (log_change).
        obj.listed_before = (
            Placement.objects.filter(pk=obj.pk).values_list("paper_id", "section_id").first()
            if change
            else None
        )
        place_in_list(request, obj, form, change, Placement)
        super().save_model(request, obj, form, change)
        if obj.listed_before and obj.listed_before[0] != obj.paper_id:
            warn_if_in_no_section(self, request, [Paper.objects.get(pk=obj.listed_before[0])])

    # Each change here is written in the paper's History too (catalog.services).
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        placement_log_on_paper(
            placement=obj, actor=request.user, message=f"Listed at position {obj.position}."
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if not message:  # saved unchanged: nothing to tell in the paper's History
            return entry
        before = getattr(obj, "listed_before", None)
        if before and before[0] != obj.paper_id:  # the row now lists another paper
            placement_log_on_paper(
                placement=Placement(paper_id=before[0], section_id=before[1]),
                actor=request.user,
                message=f"Taken out of this section: its row now lists “{obj.paper.title}”.",
            )
            said = f"Listed at position {obj.position}, in the row that listed another paper."
        elif before and before[1] != obj.section_id:
            node = section_tree().by_pk.get(before[1])
            was = node.label if node else Section.objects.get(pk=before[1]).title
            said = f"Moved here from “{was}”, to position {obj.position}."
        else:
            said = f"{entry.get_change_message()} Now at position {obj.position}."
        placement_log_on_paper(placement=obj, actor=request.user, message=said)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for placement in queryset:
            placement_log_on_paper(
                placement=placement, actor=request.user, message="Taken out of this section."
            )
        return entries

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        warn_if_in_no_section(self, request, [obj.paper])

    def delete_queryset(self, request, queryset):
        papers = list(Paper.objects.filter(placements__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        warn_if_in_no_section(self, request, papers)


def warn_if_in_no_section(model_admin, request, papers) -> None:
    """A paper in no section is off the site and the README (Paper.objects.published()): an
    edit that leaves it so says it, rather than "changed successfully" alone."""
    for paper in papers:
        # Asked of the table, not of paper.placements: the list prefetches those.
        if paper.pk is not None and not Placement.objects.filter(paper_id=paper.pk).exists():
            model_admin.message_user(
                request,
                f"“{paper.title}” is in no section now, so it is off the site and the README"
                " until it is placed in one.",
                messages.WARNING,
            )


@admin.register(Link)
class LinkAdmin(GuardedAdminMixin, admin.ModelAdmin):
    form = LinkAdminForm
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ["url", "label", "paper", "identifier"]
    list_filter = ["label"]
    search_fields = ["url", "identifier", "paper__title"]
    autocomplete_fields = ["paper"]
    list_select_related = ["paper"]


@admin.register(ReadmeDocument)
class ReadmeDocumentAdmin(SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["title", "intro", "seen_state"]}),
        (
            "Headings",
            {
                "fields": [
                    "news_heading",
                    "citation_heading",
                    "abstract_heading",
                    "contents_heading",
                    "paper_list_heading",
                    "workshops_heading",
                ]
            },
        ),
        ("Citation", {"fields": ["citation_intro", "citation"]}),
        ("Abstract", {"fields": ["abstract"]}),
    ]

    def has_add_permission(self, request):
        return not ReadmeDocument.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NewsItem)
class NewsItemAdmin(SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "text"]
    date_hierarchy = "date"
    search_fields = ["text"]


@admin.register(Workshop)
class WorkshopAdmin(SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ["name", "url", "position"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
