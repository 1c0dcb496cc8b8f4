"""Admin lists that answer a crafted request with a message instead of a 500.

Django's list pages trust what their own forms send: a date drill-down year past 9999
(`?created_at__year=99999999999999999999`), an action on a row id that is not a number, or an
editable list posting a huge or repeated row id all end in an unhandled error. Every list of
this project's admin goes through `GuardedAdminMixin`."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
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
