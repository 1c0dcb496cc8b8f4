"""Admin lists that answer a crafted request with a message instead of a 500.

Django's list pages trust what their own forms send: a date drill-down year past 9999
(`?created_at__year=99999999999999999999`), an action on a row id that is not a number, or an
editable list posting a huge or repeated row id all end in an unhandled error. Every list of
this project's admin goes through `GuardedAdminMixin`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import connections, router, transaction
from django.forms.models import _get_foreign_key
from django.http import HttpResponseRedirect

# A row id as the lists send it: a whole number that fits a 64-bit column.
ROW_ID = re.compile(r"[0-9]{1,18}")


class GuardedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:  # a date past what Python's dates hold
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


class GuardedAdminMixin:
    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

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
