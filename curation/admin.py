"""The review queue. Only maintainers (the `curation.review_submission` permission) see it;
every decision goes through curation/services.py, one submission at a time."""

from __future__ import annotations

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from catalog.admin import NumberedSectionFilter
from catalog.models import Link
from catalog.selectors import section_tree
from config.admin_guards import BoundedInlineMixin, GuardedAdminMixin, GuardedChangeList
from curation.forms import ReviewNoteForm
from curation.models import Submission, SubmissionEvent, SubmissionLink
from curation.preview import ReviewHint, review_hint_items, review_hints, review_preview
from curation.selectors import next_pending, with_other_open_corrections
from curation.services import (
    LEAVES,
    TransitionRefused,
    content_from_submission,
    content_paper_link_owner,
    correction_fields,
    paper_version,
    submission_approve,
    submission_reject,
    submission_request_changes,
    submission_version,
)
from quality.venues import Vocabulary

REVIEW_PERMISSION = "curation.review_submission"
DUPLICATE_CHECK = (
    "It may duplicate a listed paper or another open submission: compare them under "
    "“Suspected duplicates” below."
)


def seen_versions(request: HttpRequest, submissions) -> dict[int, str | None]:
    """Each ticked submission's version as the list showed it (`seen-<pk>`, from
    templates/admin/change_list_results.html); None for a row the page
    did not show, which only "Select all" (every row the filters match) may tick."""
    return {s.pk: request.POST.get(f"seen-{s.pk}") or None for s in submissions}


# decision name -> (service, needs a note, past tense for messages, the audit action, whose
# LEAVES say which states the decision may leave)
DECISIONS = {
    "approve": (
        submission_approve,
        False,
        "approved and published",
        SubmissionEvent.Action.APPROVED,
    ),
    # A correction in conflict, its values taken for the conflicts the page showed.
    "approve_overriding": (
        submission_approve,
        False,
        "approved and published",
        SubmissionEvent.Action.APPROVED,
    ),
    "reject": (submission_reject, True, "rejected", SubmissionEvent.Action.REJECTED),
    "request_changes": (
        submission_request_changes,
        True,
        "sent back for changes",
        SubmissionEvent.Action.CHANGES_REQUESTED,
    ),
}

# The page asking for the note, before anything is decided.
BULK_NOTE_TITLES = {
    "reject": "Reject {count} submission{s}: write a note to {whom}",
    "request_changes": "Ask for changes on {count} submission{s}: write a note to {whom}",
}


def can_review(request: HttpRequest) -> bool:
    return (
        request.user.is_active
        and request.user.is_staff
        and request.user.has_perm(REVIEW_PERMISSION)
    )


class ReviewerOnlyMixin:
    def has_module_permission(self, request):
        return can_review(request)

    def has_view_permission(self, request, obj=None):
        return can_review(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return can_review(request)

    def has_delete_permission(self, request, obj=None):
        return False


class SubmissionLinkInline(BoundedInlineMixin, ReviewerOnlyMixin, admin.TabularInline):
    model = SubmissionLink
    fields = ["label", "url", "identifier"]
    readonly_fields = fields
    extra = 0


class SubmissionEventInline(BoundedInlineMixin, ReviewerOnlyMixin, admin.TabularInline):
    model = SubmissionEvent
    fields = ["created_at", "action", "from_state_label", "to_state_label", "by", "note", "changes"]
    readonly_fields = fields
    extra = 0
    # Not "History": the page's History button is the admin log, another list.
    verbose_name_plural = "Decisions and edits"

    @admin.display(description="Changes")
    def changes(self, obj: SubmissionEvent) -> str:
        # What a resend changed, in the entry and the contact (SubmissionEvent.detail).
        return obj.detail or "—"

    @admin.display(description="From")
    def from_state_label(self, obj: SubmissionEvent) -> str:
        return Submission.State(obj.from_state).label if obj.from_state else "—"

    @admin.display(description="To")
    def to_state_label(self, obj: SubmissionEvent) -> str:
        return Submission.State(obj.to_state).label

    @admin.display(description="By")
    def by(self, obj: SubmissionEvent) -> str:
        return obj.actor_label


class DuplicateSuspectedFilter(admin.SimpleListFilter):
    title = "duplicate suspected"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(duplicate_suspected=True)
        if self.value() == "no":
            return queryset.filter(duplicate_suspected=False)
        return queryset


class ReviewStateFilter(admin.SimpleListFilter):
    """The queue opens on what waits for a maintainer (pending review); "All" shows the rest."""

    title = "state"
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Submission.State.choices, (self.ALL, "All")]

    def queryset(self, request, queryset):
        value = self.value() or Submission.State.PENDING
        # An action on ticked rows acts on those rows, even one decided meanwhile by someone
        # else: the action then refuses it with a message instead of skipping it. "Select all"
        # (select_across) stays within the filter: it means every row the list shows.
        ticked_rows = request.method == "POST" and request.POST.get("select_across") != "1"
        if value == self.ALL or ticked_rows:
            return queryset
        if value not in Submission.State.values:
            return queryset.none()
        return queryset.filter(state=value)

    def choices(self, changelist):
        # No "All" entry for "no parameter": no parameter means pending review here.
        selected = self.value() or Submission.State.PENDING
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for index, (value, label) in enumerate(self.lookup_choices):
            if counts is not None:  # "Show counts"
                label = f"{label} ({counts.get(f'{index}__c', '-')})"
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class SubmissionSectionFilter(NumberedSectionFilter):
    """The sections submissions were sent to, numbered, in the taxonomy's order."""

    section_lookup = "sections__pk"

    def sections_offered(self, request, model_admin) -> set[int] | None:
        return set(Submission.sections.through.objects.values_list("section_id", flat=True))


class SentByFilter(admin.SimpleListFilter):
    """Who sent it: an author of the paper or someone else (the form's "I am an author")."""

    title = "contributor"
    parameter_name = "sent_by"

    def lookups(self, request, model_admin):
        return [("author", "An author of the paper"), ("other", "Someone else")]

    def queryset(self, request, queryset):
        if self.value() == "author":
            return queryset.filter(is_author=True)
        if self.value() == "other":
            return queryset.filter(is_author=False)
        return queryset


class ReviewQueueChangeList(GuardedChangeList):
    @property
    def row_versions(self) -> list[tuple[int, str]]:
        """Each listed submission's version, posted with a bulk action (`seen_versions`)."""
        return [(submission.pk, submission_version(submission)) for submission in self.result_list]


@admin.register(Submission)
class SubmissionAdmin(GuardedAdminMixin, ReviewerOnlyMixin, admin.ModelAdmin):
    # "Check" early: on a phone the table scrolls sideways and the first columns show.
    list_display = [
        "title",
        "kind",
        "state",
        "to_check",
        "section_list",
        "contributor",
        "by_an_author",
        "created_at",
    ]
    list_filter = [
        ReviewStateFilter,
        "kind",
        SubmissionSectionFilter,
        DuplicateSuspectedFilter,
        SentByFilter,
    ]
    search_fields = ["title", "authors", "contributor_name", "contributor_email", "links__url"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected", "request_changes_selected"]

    def get_changelist(self, request, **kwargs):
        return ReviewQueueChangeList

    inlines = [SubmissionLinkInline, SubmissionEventInline]
    change_form_template = "admin/curation/submission/change_form.html"

    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    "state",
                    "published",
                    "readme_line",
                    "check_before_approving",
                    "duplicates",
                    "correction_diff",
                    "reviewed_by",
                    "reviewed_at",
                    "review_note",
                    "previous_round",
                ]
            },
        ),
        (
            "Proposed entry",
            {"fields": ["kind", "paper", "title", "authors", "venue", "year", "section_list"]},
        ),
        (
            "Contributor",
            {
                "fields": [
                    "contributor_name",
                    "contributor_email",
                    "is_author",
                    "note",
                    "created_at",
                ]
            },
        ),
    ]
    # Maintainers decide through the review panel; nothing of a submission is edited here.
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_fieldsets(self, request, obj=None):
        """Only the rows that say something about this submission: no comparison with a
        published paper for a new one, no reviewer before anyone has decided."""
        if obj is None:
            return self.fieldsets
        hidden = set()
        if obj.kind != Submission.Kind.CORRECTION:
            hidden |= {"correction_diff", "paper"}
        if obj.reviewed_at is None or obj.state == Submission.State.PENDING:
            # Pending again after a resend: the last decision belongs to the previous round.
            hidden |= {"reviewed_by", "reviewed_at", "review_note"}
        if obj.reviewed_at is None or obj.state != Submission.State.PENDING:
            hidden.add("previous_round")
        if obj.state != Submission.State.APPROVED:
            hidden.add("published")
        if not review_hints(obj):
            hidden.add("check_before_approving")
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for title, options in self.fieldsets
        ]

    def get_queryset(self, request):
        submissions = (
            super()
            .get_queryset(request)
            .select_related("paper", "reviewed_by")
            # What the queue's Check column and a bulk approval's hints read, per row.
            .prefetch_related("sections", "links", "paper__links", "paper__placements__section")
        )
        return with_other_open_corrections(submissions)

    def changelist_view(self, request, extra_context=None):
        self._numbers = {pk: node.number for pk, node in section_tree().by_pk.items()}
        self._vocabulary = Vocabulary.load()  # shared by the rows' Check column
        # Not Django's "Select submission to change": nothing is changed here, it is reviewed.
        extra_context = {"title": "Review queue", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._numbers = {pk: node.number for pk, node in section_tree().by_pk.items()}
        # Nothing here is edited (see readonly_fields): the page reviews, it does not change.
        submission = self.get_object(request, object_id)
        if submission is not None:
            # Its own page names the other corrections (review_hint_items), not just a count.
            submission.other_open_corrections = None
        conflicts, listed, checks = [], None, []
        if submission is not None and submission.is_open:
            # Repeated in the decision panel, above its buttons: the page's own rows are below.
            if submission.duplicate_suspected:
                checks.append(DUPLICATE_CHECK)
            checks += review_hints(submission)
        if submission is not None and submission.is_open and submission.paper is not None:
            conflicts = [item.name for item in correction_fields(submission) if item.conflict]
        elif submission is not None and submission.is_open:
            listed = content_paper_link_owner(content_from_submission(submission))
        show_next = submission is not None and submission.state != Submission.State.PENDING
        extra_context = {
            **(extra_context or {}),
            # A note written for a decision that was refused, offered again (review_view).
            "note_form": ReviewNoteForm(
                initial={"note": request.session.pop(f"review-note-{object_id}", "")}
            ),
            "title": "Review submission",
            # Approval refuses a conflicted correction, and a new paper whose paper link is
            # published (sent before that paper was): say so instead of offering it.
            "conflicts": conflicts,
            "listed_paper_link": listed,
            "decide_checks": checks,
            # A decision names the submission as shown; changed since, it is refused.
            "seen_version": submission_version(submission) if submission is not None else "",
            # Decided (or back with its contributor): the way on to the oldest one waiting.
            "show_next": show_next,
            "next_pending": next_pending(submission) if show_next else None,
            # For a correction, its paper as the comparison shows it.
            "seen_paper_version": (
                paper_version(submission.paper)
                if submission is not None and submission.is_open and submission.paper
                else ""
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Read-only displays --------------------------------------------------------------------

    # Short column headings, so the queue's table fits beside its filters at 1280 px.
    @admin.display(description="Author?", boolean=True, ordering="is_author")
    def by_an_author(self, obj: Submission) -> bool:
        return obj.is_author

    # What the review page asks to look at, one flag each, so the queue shows which rows a bulk
    # approval will leave out. Not a boolean icon: a green tick read as "all good".
    @admin.display(description="Check")
    def to_check(self, obj: Submission) -> str:
        hints = review_hint_items(obj, vocabulary=getattr(self, "_vocabulary", None))
        if obj.duplicate_suspected:
            duplicate = "It may duplicate a listed paper or another open submission."
            hints.insert(0, ReviewHint("Duplicate?", duplicate))
        return format_html_join(
            " ",
            '<span class="check-flag" title="{}">{}</span>',
            ((hint.text, hint.tag) for hint in hints),
        )

    @admin.display(description="Contributor", ordering="contributor_name")
    def contributor(self, obj: Submission) -> str:
        return obj.contributor_name

    @admin.display(description="Published as")
    def published(self, obj: Submission) -> str:
        if obj.paper is None or not obj.paper.placements.exists():
            # Deleted, or taken out of every section, after the approval.
            return "Removed from the list since (deleted, or in no section)."
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">edit the paper</a>)',
            obj.paper.get_absolute_url(),
            obj.paper.title,
            reverse("admin:catalog_paper_change", args=[obj.paper.pk]),
        )

    @admin.display(description="Previous round")
    def previous_round(self, obj: Submission) -> str:
        reviewer = obj.reviewed_by.get_username() if obj.reviewed_by else "a maintainer"
        # The note on its own line: a date ending "a.m." and a note ending in a period
        # read as doubled punctuation inline.
        return format_html(
            "Changes requested by {} on {}, with the note:<br>“{}”<br>"
            "The contributor has resent it since (what changed: Decisions and edits, below).",
            reviewer,
            date_format(timezone.localtime(obj.reviewed_at), "DATETIME_FORMAT"),
            obj.review_note,
        )

    @admin.display(description="Sections")
    def section_list(self, obj: Submission) -> str:
        numbers = getattr(self, "_numbers", {})
        listed = ", ".join(
            f"{numbers.get(section.pk, '')} {section.title}".strip()
            for section in obj.sections.all()
        )
        # A correction's sections as sent: approval applies them only if they differ from the
        # paper's when it was sent; otherwise the paper keeps the sections it has by then (an
        # addition approved since stays). Where it will be: "Changes proposed".
        if listed and obj.kind == Submission.Kind.CORRECTION:
            return f"as sent: {listed}"
        return listed

    @admin.display(description="README line")
    def readme_line(self, obj: Submission) -> str:
        preview = review_preview(obj)
        return format_html('<code class="readme-line">{}</code>', preview["markdown"])

    @admin.display(description="Check before approving")
    def check_before_approving(self, obj: Submission) -> str:
        return format_html(
            '<ul class="review-hints">{}</ul>',
            format_html_join("", "<li>{}</li>", ((hint,) for hint in review_hints(obj))),
        )

    @admin.display(description="Suspected duplicates")
    def duplicates(self, obj: Submission) -> str:
        numbers = getattr(self, "_numbers", {})
        own = {link.identifier for link in obj.links.all()}

        def why(paper) -> str:
            # Why it was flagged: that paper's paper link names the same paper; a title may
            # be chance.
            theirs = {
                link.identifier for link in paper.links.all() if link.label == Link.Label.PAPER
            }
            return "same paper link" if own & theirs else "similar title"

        papers = format_html_join(
            "",
            '<li>Published ({}): <a href="{}">{}</a> ({})</li>',
            (
                (
                    why(paper),
                    reverse("admin:catalog_paper_change", args=[paper.pk]),
                    paper.title,
                    ", ".join(
                        f"{numbers.get(p.section_id, '')} {p.section.title}".strip()
                        for p in paper.placements.select_related("section")
                    ),
                )
                for paper in obj.duplicate_papers.prefetch_related("links")
            ),
        )
        submissions = format_html_join(
            "",
            '<li>Submission: <a href="{}">{}</a> ({})</li>',
            (
                (
                    reverse("admin:curation_submission_change", args=[other.pk]),
                    other.title,
                    other.get_state_display(),
                )
                for other in obj.duplicate_submissions.all()
            ),
        )
        if not papers and not submissions:
            return "None found"
        return format_html('<ul class="duplicate-list">{}{}</ul>', papers, submissions)

    @admin.display(description="Changes proposed")
    def correction_diff(self, obj: Submission) -> str:
        if obj.kind != Submission.Kind.CORRECTION or obj.paper is None:
            return "—"
        rows = correction_rows(obj, getattr(self, "_numbers", {}))
        body = format_html_join(
            "",
            '<tr class="{}"><th>{}</th><td>{}</td><td>{}</td></tr>',
            ((css, name, now, after) for name, now, after, css in rows),
        )
        headings = (
            ("Published now", "After approval")
            if obj.is_open
            else ("Published when sent", "Proposed")
        )
        return format_html(
            '<table class="correction-diff"><thead><tr><th>Field</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            *headings,
            body,
        )

    # Decisions ------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="curation_submission_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_review(request):
            raise PermissionDenied
        submission = self.get_object(request, object_id)
        if submission is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        decision = request.POST.get("decision", "")
        form = ReviewNoteForm(request.POST)
        change_url = reverse("admin:curation_submission_change", args=[submission.pk])
        if decision not in DECISIONS:
            self.message_user(request, "Choose approve, reject or request changes.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        if not form.is_valid():
            problems = " ".join(
                message for messages_ in form.errors.values() for message in messages_
            )
            self.message_user(request, f"Nothing was decided. The note: {problems}", messages.ERROR)
            return HttpResponseRedirect(change_url)
        seen = request.POST.get("seen_version", "")
        if not seen:
            self.message_user(
                request,
                "Nothing was decided: the page was out of date. Look at the submission again, "
                "then decide.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        options = {"seen_version": seen}
        if decision in {"approve", "approve_overriding"} and request.POST.get("seen_paper_version"):
            options["seen_paper_version"] = request.POST["seen_paper_version"]
        if decision == "approve_overriding":
            options["overriding"] = request.POST.getlist("overriding")
        note = form.cleaned_data["note"]
        if not self._decide(request, [submission], decision, note, **options) and note.strip():
            # Refused (the page was out of date): the note written is offered again.
            request.session[f"review-note-{submission.pk}"] = note
        return HttpResponseRedirect(change_url)

    def _decide(
        self,
        request,
        submissions,
        decision: str,
        note: str,
        *,
        seen_versions: dict[int, str | None] | None = None,
        **options,
    ) -> int:
        """Apply `decision` to each submission, as shown: `seen_versions` (from the list) or
        `options["seen_version"]` (from its page) name the version seen; a row "Select all"
        ticked unseen is taken as it is now. Returns how many were decided."""
        service, needs_note, done, _action = DECISIONS[decision]
        if needs_note and not note.strip():
            self.message_user(
                request,
                "Write a note for the contributor: it is required to reject or to ask for changes.",
                messages.ERROR,
            )
            return
        decided = 0
        for submission in submissions:
            try:
                seen = (seen_versions or {}).get(submission.pk)
                outcome = service(
                    submission=submission,
                    reviewer=request.user,
                    note=note.strip(),
                    **{"seen_version": seen or submission_version(submission), **options},
                )
            except TransitionRefused as refusal:
                self.message_user(request, f"“{submission.title}”: {refusal}", messages.WARNING)
                continue
            decided += 1
            for warning in outcome.warnings:
                self.message_user(request, warning, messages.WARNING)
        if decided:
            self.message_user(
                request,
                f"{decided} submission{'s' if decided != 1 else ''} {done}.",
                messages.SUCCESS,
            )
        return decided

    def _bulk(self, request, queryset, decision: str):
        _service, needs_note, _done, action = DECISIONS[decision]
        submissions = list(queryset.order_by("created_at", "id"))
        seen = seen_versions(request, submissions)
        across = request.POST.get("select_across") == "1"
        # A row changed after the list was shown (resent with other content, decided by
        # another maintainer) would be decided unseen: left out, to be looked at again. So
        # is a ticked row the page did not show (an old page), unless "Select all" asked for
        # every row the filters match.
        for submission in submissions:
            if seen[submission.pk] is None and not across:
                left_out = "the list that was sent did not show it"
            elif seen[submission.pk] not in (None, submission_version(submission)):
                left_out = (
                    f"it was decided after the list was shown (it is now "
                    f"{submission.get_state_display().lower()})"
                    if not submission.is_open
                    else "it changed after the list was shown (resent by its contributor, or "
                    "found to be like a paper or submission that came later)"
                )
            else:
                continue
            self.message_user(
                request,
                f"“{submission.title}” was left out: {left_out}. Open it to look again, "
                "then decide.",
                messages.WARNING,
            )
            seen.pop(submission.pk)
        submissions = [s for s in submissions if s.pk in seen]
        if decision == "approve":
            # A suspected duplicate is approved only from its own page, where the listed paper
            # it may duplicate is shown beside it: a bulk approval would publish it unseen.
            for submission in [s for s in submissions if s.duplicate_suspected]:
                self.message_user(
                    request,
                    f"“{submission.title}” (submission {submission.pk}) was not approved: it may "
                    "duplicate a listed paper "
                    "or another open submission. Open it to compare, then decide.",
                    messages.WARNING,
                )
            submissions = [s for s in submissions if not s.duplicate_suspected]
            # Likewise a title in capitals or a venue the list does not know: seen on its page.
            vocabulary = Vocabulary.load()
            hints = {s.pk: review_hints(s, vocabulary=vocabulary) for s in submissions}
            for submission in [s for s in submissions if hints[s.pk]]:
                self.message_user(
                    request,
                    f"“{submission.title}” (submission {submission.pk}) was not approved: "
                    f"{hints[submission.pk][0]} "
                    "Open it to check, then decide.",
                    messages.WARNING,
                )
            submissions = [s for s in submissions if not hints[s.pk]]
        if "apply" in request.POST or not needs_note:
            form = ReviewNoteForm(request.POST if "apply" in request.POST else None)
            note = form.cleaned_data["note"] if form.is_bound and form.is_valid() else ""
            if not needs_note or note.strip():
                self._decide(request, submissions, decision, note, seen_versions=seen)
                return None
        # Ask for the note on an intermediate page, as Django's delete confirmation does. It
        # says which ticked rows the decision cannot apply to (decided already), before the
        # note is written.
        leaves = LEAVES[action]
        decidable = [s for s in submissions if s.state in leaves]
        if not decidable:
            self.message_user(
                request,
                "None of the ticked submissions can be "
                f"{DECISIONS[decision][2]}: each is decided already.",
                messages.WARNING,
            )
            return None
        return TemplateResponse(
            request,
            "admin/curation/submission/bulk_note.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": BULK_NOTE_TITLES[decision].format(
                    count=len(decidable),
                    s="s" if len(decidable) != 1 else "",
                    whom="the contributors" if len(decidable) != 1 else "its contributor",
                ),
                "submissions": submissions,
                "decidable": decidable,
                "left_out": [s for s in submissions if s.state not in leaves],
                "action": f"{decision}_selected",
                "note_form": ReviewNoteForm(request.POST if "apply" in request.POST else None),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "seen": [(pk, version) for pk, version in seen.items() if version],
                "select_across": "1" if across else "",
            },
        )

    @admin.action(description="Approve and publish selected submissions")
    def approve_selected(self, request, queryset):
        return self._bulk(request, queryset, "approve")

    @admin.action(description="Reject selected submissions (with a note)")
    def reject_selected(self, request, queryset):
        return self._bulk(request, queryset, "reject")

    @admin.action(description="Request changes on selected submissions (with a note)")
    def request_changes_selected(self, request, queryset):
        return self._bulk(request, queryset, "request_changes")


def correction_rows(submission: Submission, numbers: dict[int, str]):
    """(field, published now, after approval, row class) for each field of a correction. After
    approval is the three-way merge's result (services.CorrectionField), so a field edited on
    the paper since the correction was sent shows as it will stay, not as the correction had
    it."""

    def shown(name, value):
        if name == "links":
            return "; ".join(f"[{label}] {url}" for label, url in value)
        if name == "sections":
            return "; ".join(sorted(numbers.get(pk, str(pk)) for pk in value))
        return value

    rows = []
    for item in correction_fields(submission):
        label = CORRECTION_LABELS[item.name]
        if not submission.is_open:
            # Decided: what it proposed against the paper it was sent for, as a record.
            then, proposed = shown(item.name, item.original), shown(item.name, item.proposed)
            rows.append((label, then, proposed, "diff-changed" if item.changed else ""))
            continue
        current, result = shown(item.name, item.current), shown(item.name, item.result)
        if item.conflict:
            proposed = shown(item.name, item.proposed)
            result = f"{proposed} (conflict: the paper changed since it was sent)"
            css = "diff-conflict"
        else:
            css = "diff-changed" if item.result != item.current else ""
        rows.append((label, current, result, css))
    return rows


CORRECTION_LABELS = {
    "title": "Title",
    "authors": "Authors",
    "venue": "Venue",
    "year": "Year",
    "links": "Links",
    "sections": "Sections",
}


class AccessAttemptAdmin(GuardedAdminMixin, axes_admin.AccessAttemptAdmin):
    """django-axes 8.3's "Clean up expired attempts" reads request.axes_attempt_time, which only
    its login handling sets, so the action answered a 500; it gets the time it needs."""

    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request, queryset):
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)


class AccountAdmin(GuardedAdminMixin, UserAdmin):
    """Django's user admin, except that an account with an audit trail cannot be deleted: its
    decisions name it (Submission.reviewed_by is PROTECT) and deleting it would erase its admin
    history (LogEntry.user cascades). The delete page lists why; "Active" unticked ends the
    access instead."""

    def get_deleted_objects(self, objs, request):
        kept = [reason for user in objs for reason in self._audit_trail(user)]
        if kept:  # Django's page then says "Cannot delete" and lists these
            return [], {}, set(), kept
        return super().get_deleted_objects(objs, request)

    @staticmethod
    def _audit_trail(user) -> list[str]:
        hint = "untick “Active” to end the account's access and keep its record"
        reasons = []
        decided = Submission.objects.filter(reviewed_by=user).count()
        if decided:
            reasons.append(
                f"{user}: the reviewer of {decided} submission{'s' if decided != 1 else ''}"
                f" ({hint})"
            )
        history = LogEntry.objects.filter(user=user).count()
        if history:
            reasons.append(
                f"{user}: {history} admin history entr{'y' if history == 1 else 'ies'} ({hint})"
            )
        return reasons


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)


# The remaining lists (groups, django-axes' logs) get the same guard against crafted requests.
class GroupAdmin(GuardedAdminMixin, auth_admin.GroupAdmin):
    pass


class AccessLogAdmin(GuardedAdminMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(GuardedAdminMixin, axes_admin.AccessFailureLogAdmin):
    pass


for model, guarded in (
    (Group, GroupAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, guarded)
