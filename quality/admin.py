"""Admin: the venue vocabulary (editable), link check results (read-only), the report."""

from django.contrib import admin
from django.utils.html import format_html

from catalog.admin import HTTPS_URL_FIELDS
from config.admin_guards import (
    BoundedInlineMixin,
    GuardedAdminMixin,
    RowLabelledFormSet,
    SeenStateAdminMixin,
)
from quality.models import LinkCheck, Venue, VenueAlias


class VenueAliasFormSet(RowLabelledFormSet):
    """Two rows of one save naming one alias ("FV" and "fv"): an error on the second, as the
    database's case-blind unique constraint would refuse the pair."""

    def clean(self):
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            alias = (data.get("alias") or "").strip()
            if not alias or data.get("DELETE"):
                continue
            if alias.lower() in seen:
                form.add_error(
                    "alias",
                    f"“{seen[alias.lower()]}” is in this list already: aliases match without "
                    "regard to case.",
                )
            else:
                seen[alias.lower()] = alias


class VenueAliasInline(BoundedInlineMixin, admin.TabularInline):
    model = VenueAlias
    formset = VenueAliasFormSet
    extra = 1


@admin.register(Venue)
class VenueAdmin(SeenStateAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_preprint", "alias_list"]
    list_filter = ["is_preprint"]
    search_fields = ["name", "aliases__alias"]
    inlines = [VenueAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="Aliases")
    def alias_list(self, venue: Venue) -> str:
        return ", ".join(alias.alias for alias in venue.aliases.all())


@admin.register(LinkCheck)
class LinkCheckAdmin(GuardedAdminMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ["url", "paper", "outcome", "status_code", "method", "checked_at", "detail"]
    list_filter = ["outcome", "checked_at", "link__label"]
    search_fields = ["link__url", "link__paper__title"]
    list_select_related = ["link__paper"]
    date_hierarchy = "checked_at"

    # Results come from `check_links`; nobody edits them by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Link", ordering="link__url")
    def url(self, check: LinkCheck) -> str:
        return format_html('<a href="{0}" rel="noopener">{0}</a>', check.link.url)

    @admin.display(description="Paper", ordering="link__paper__title")
    def paper(self, check: LinkCheck) -> str:
        return format_html(
            '<a href="../../catalog/paper/{}/change/">{}</a>',
            check.link.paper_id,
            check.link.paper.title[:80],
        )
