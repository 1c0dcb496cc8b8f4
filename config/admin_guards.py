"""Admin lists that answer a crafted request with a message instead of a 500.

Django's list pages trust what their own forms send: a date drill-down year past 9999
(`?created_at__year=99999999999999999999`), an action on a row id that is not a number, or an
editable list posting a huge or repeated row id all end in an unhandled error. Every list of
this project's admin goes through `GuardedAdminMixin`."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import DataError, IntegrityError, connections, router, transaction
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import _get_foreign_key
from django.http import HttpResponseRedirect

logger = logging.getLogger(__name__)

# A row id as the lists send it: a whole number that fits a 64-bit column.
ROW_ID = re.compile(r"[0-9]{1,18}")


class GuardedChangeList(ChangeList):
    def get_filters(self, request):
        # PostgreSQL refuses a NUL in a query's text, and SQLite takes it: refused on both,
        # before any query (a failed one would spoil an editable list's transaction).
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters("A filter holds a NUL character.")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:  # a date past what Python's dates hold
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        # Filter values that pass the lookups' own checks but not the query's: a year Python's
        # dates cannot hold (?created_at__year=0), an id past 64 bits, an address filter given
        # "abc". Django then shows its "incorrect lookup" page. Without a filter the same error
        # is the list's own bug: raised as it is.
        try:
            return super().get_results(request)
        except (DataError, OverflowError, TypeError, ValueError) as error:
            if not request.GET:
                raise
            logger.warning("Admin list %s refused its filters", request.path, exc_info=True)
            raise IncorrectLookupParameters(error) from error


def crafted_list_post(post) -> str:
    """Why a list's POST cannot have come from its page, or "" when it can."""
    selected = post.getlist(helpers.ACTION_CHECKBOX_NAME)
    if any(not ROW_ID.fullmatch(value) for value in selected):
        return "Nothing was changed: the selection names a row that does not exist."
    # The rows the formset reads: those below TOTAL_FORMS (a number it checks itself).
    total = post.get("form-TOTAL_FORMS", "")
    rows = min(int(total), 1000) if ROW_ID.fullmatch(total) else 0
    edited = [post[f"form-{n}-id"] for n in range(rows) if f"form-{n}-id" in post]
    if any(not ROW_ID.fullmatch(value) for value in edited):
        return "Nothing was changed: the list was sent with a row that does not exist."
    if len(edited) != len(set(edited)):
        return "Nothing was changed: the list was sent with one row twice."
    return ""


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique constraint refused the write (PostgreSQL's SQLSTATE 23505, SQLite's message)."""
    return getattr(error.__cause__, "sqlstate", None) == "23505" or str(error).startswith(
        "UNIQUE constraint failed"
    )


class GuardedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete field shown again with a value that is no row id (a crafted
    `?paper=abc`, a posted "abc"): shown empty beside the form's "Select a valid choice",
    where Django's widget raised a 500 looking the value up."""

    def optgroups(self, name, value, attr=None):
        ids = [v for v in value if v in ("", None) or ROW_ID.fullmatch(str(v))]
        return super().optgroups(name, ids, attr)


class GuardedAutocompleteMixin:
    """For ModelAdmins and inlines: autocomplete fields through GuardedAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GuardedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GuardedAdminMixin(GuardedAutocompleteMixin):
    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL's text holds no NUL: a search (the list's, an autocomplete's) without it.
        queryset, distinct = super().get_search_results(
            request, queryset, search_term.replace("\x00", "")
        )
        # An autocomplete pages its results: in a stable order (a list orders its own).
        return (queryset if queryset.ordered else queryset.order_by("pk")), distinct

    def lookup_allowed(self, lookup, value, request):
        # A regular expression runs in the database, on SQLite in Python under the lock every
        # request waits for: `?title__regex=(.*.*)*%01` hung the site. No list offers one.
        if {"regex", "iregex"} & set(lookup.split(LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            # Two new rows of one form that clash (aliases "FV" and "fv"), or a crafted form
            # posting a stored row as new. Django's transaction rolled the save back. Any other
            # integrity error is a bug: raised as it is.
            if not is_unique_violation(error):
                raise
            logger.warning("Admin save refused by a unique constraint", exc_info=True)
            self.message_user(
                request,
                "Nothing was saved: two rows of the form are the same, or one repeats a row "
                "already stored. Check the rows and save again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def get_changelist_formset(self, request, **kwargs):
        # An editable list's rows: those of a page, or of "Show all" (ROWS_PER_FORM_MAX's
        # reason; the formset also refuses the rows past TOTAL_FORMS).
        rows = max(self.list_per_page, self.list_max_show_all)
        kwargs.setdefault("max_num", rows)
        kwargs.setdefault("absolute_max", rows)
        return super().get_changelist_formset(request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            refusal = crafted_list_post(request.POST)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


def row_state(instance, names: Iterable[str]) -> str:
    """A digest of a row's stored values of the fields `names`, as a form shows them, to
    compare at save time. Only the form's own fields: a save writes the others back as they
    are when it runs, so a change to one of those is not undone."""
    fields = [instance._meta.get_field(name) for name in names]
    values = [(f.attname, f.value_from_object(instance)) for f in fields]
    return hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()


class SeenStateField(forms.CharField):
    """The hidden state of SeenStateForm. Never a change of its own: Django saves the rows
    of a list or an inline that changed, and a row saved only for this would write its
    values over those another row's move just gave it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class SeenStateForm(forms.ModelForm):
    """An admin form (a change page, an inline row, a row of an editable list) that carries
    the row as it showed it. Saving over a row changed since (another maintainer's save, a
    move that made room, an approved correction) would put its old values back: refused,
    nothing saved, to be looked at again. Only a posted state is compared, so a script
    posting without one saves as before."""

    seen_state = SeenStateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_fields = {field.name for field in self._meta.model._meta.concrete_fields}
        self.shown_fields = [name for name in self.fields if name in model_fields]
        if self.instance.pk is not None:
            self.fields["seen_state"].initial = row_state(self.instance, self.shown_fields)
        if self.prefix:  # a row of an editable list or an inline: label_row_fields
            label_row_fields(self)

    def clean(self):
        data = super().clean()
        seen = data.get("seen_state")
        if self.instance.pk is not None and seen:
            rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            if connections[rows.db].in_atomic_block:
                # Held until the save commits (a change page is one transaction).
                rows = rows.select_for_update()
            current = rows.first()
            if current is not None and row_state(current, self.shown_fields) != seen:
                raise forms.ValidationError(STALE_ROW)
        return data


def row_name(form: forms.ModelForm) -> str:
    return f"“{form.instance}”" if form.instance.pk is not None else "the new row"


def label_row_fields(form: forms.ModelForm) -> None:
    """A row's fields sit under column headings, with no <label> of their own: a screen
    reader announced "spin button 3". Each gets a name to hear: "Position of “X in Debate”"."""
    for name, field in form.fields.items():
        if not field.widget.is_hidden:
            label = field.label or name.replace("_", " ").capitalize()
            # The admin's wrapper of a related field (add / change buttons) renders the widget
            # it wraps, whose attrs are the form's own copy; its own attrs are shared.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{label} of {row_name(form)}"


class RowLabelledFormSet(forms.BaseInlineFormSet):
    """An inline formset whose rows' fields, and their Delete boxes, have names to hear."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        label_row_fields(form)  # SeenStateForm rows have theirs; a plain form's rows too
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {row_name(form)}"


# The rows an inline, or an editable list, takes from one POST. Django builds as many forms as
# the posted TOTAL_FORMS asks for, up to max_num + 1,000: a crafted 5,000 took 7 s to render.
# Far more than a paper has links or sections, or a venue aliases.
ROWS_PER_FORM_MAX = 100


class BoundedInlineMixin:
    """For inlines, read-only ones too: at most ROWS_PER_FORM_MAX new rows ("Add another"
    stops there), and a POST of more rows than the object has plus that many gets "Please
    submit at most N rows." and saves nothing. An object that already has more rows is still
    shown and saved whole."""

    max_num = ROWS_PER_FORM_MAX

    def get_formset(self, request, obj=None, **kwargs):
        stored = 0
        if obj is not None and obj.pk is not None:
            fk = _get_foreign_key(self.parent_model, self.model, fk_name=self.fk_name)
            stored = self.model._default_manager.filter(**{fk.name: obj}).count()
        kwargs.setdefault("absolute_max", stored + ROWS_PER_FORM_MAX)
        formset = super().get_formset(request, obj, **kwargs)
        # Django's refusal names max_num, the new rows allowed (0 where none may be added),
        # not the rows a POST may hold. (A class of this call's own: formset_factory's.)
        formset.default_error_messages = {
            **formset.default_error_messages,
            "too_many_forms": f"Please submit at most {formset.absolute_max} rows.",
        }
        return formset


STALE_ROW = (
    "This changed after the page was opened (another maintainer, or a move that made room). "
    "Nothing was saved: open the page again to see it as it is now (not Reload, which sends "
    "this form again), then make your change."
)
DELETED_ROW = (
    "Nothing was saved: a row of this page was deleted by another maintainer after the page "
    "was opened. This is the page as it is now; make your change again."
)
# A formset row's id field: `form-3-id` (an editable list), `links-0-id` (an inline).
ROW_ID_KEY = re.compile(r"(.+)-[0-9]{1,4}-id")


def rows_deleted_since_shown(model_admin, request) -> bool:
    """Whether the POST names a row of its list or of an inline that no longer exists
    (deleted by someone else since the page was shown). Django would show the page again
    with the rows shifted against their values and an error on no visible field."""
    models = {"form": model_admin.model}
    for inline in model_admin.get_inline_instances(request):
        fk = _get_foreign_key(model_admin.model, inline.model, fk_name=inline.fk_name)
        models[fk.remote_field.get_accessor_name(model=inline.model).replace("+", "")] = (
            inline.model
        )
    posted: dict[str, set[int]] = {}
    for key, value in request.POST.items():
        match = ROW_ID_KEY.fullmatch(key)
        if match and match[1] in models and ROW_ID.fullmatch(value):
            posted.setdefault(match[1], set()).add(int(value))
    return any(
        models[prefix]._default_manager.filter(pk__in=ids).count() < len(ids)
        for prefix, ids in posted.items()
    )


class SeenStateAdminMixin:
    """Change pages and editable lists whose rows carry their state as shown (SeenStateForm);
    lists render it with templates/admin/change_list_results.html."""

    form = SeenStateForm

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, **{"form": SeenStateForm, **kwargs})

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        if "_save" in request.POST and rows_deleted_since_shown(self, request):
            self.message_user(request, DELETED_ROW, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        # Django checks an editable list's rows before it opens its transaction to save them:
        # one transaction around both holds each checked row (SeenStateForm's lock) until the
        # save, so a change committed in between waits instead of being overwritten.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and rows_deleted_since_shown(self, request):
            self.message_user(request, DELETED_ROW, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().changeform_view(request, object_id, form_url, extra_context)
