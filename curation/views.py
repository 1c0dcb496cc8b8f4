"""Public curation pages. Thin: forms validate, services act, templates show."""

from __future__ import annotations

import secrets
from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from catalog.models import Paper
from catalog.selectors_pages import current_tree
from curation.duplicates import DuplicateReport, find_duplicates
from curation.forms import (
    SubmissionForm,
    initial_from_paper,
    initial_from_submission,
    typed_extra_links,
)
from curation.models import Submission, SubmissionEvent, status_token_digest
from curation.preview import entry_preview, section_labels, submission_preview
from curation.ratelimit import rate_limited_post
from curation.selectors import open_corrections_of
from curation.services import (
    SUSPECTED_DUPLICATE,
    SubmissionContent,
    TransitionRefused,
    content_from_paper,
    content_paper_link_owner,
    correction_change_list,
    correction_changes_nothing,
    entry_change_list,
    submission_create,
    submission_resubmit,
    submission_withdraw,
)
from quality.lookup import LINK_FILLED, fill_from_identifier, form_initial, with_listed

SEND_ANYWAY_NEEDS_A_NOTE = (
    "Say in the note how your paper differs from the one already listed or proposed: the "
    "maintainers compare the two before deciding."
)


def _submission_for_token(token: str) -> Submission:
    # Looked up by digest, then compared in constant time: no timing tells how close a guess is.
    submission = (
        Submission.objects.filter(token_digest=status_token_digest(token))
        .select_related("paper")
        .first()
    )
    if submission is None or not secrets.compare_digest(
        submission.token.encode(), token.encode("utf-8", "surrogatepass")
    ):
        raise Http404("No submission has this status link.")
    return submission


def _render_form(request, form, *, status=200, **context) -> HttpResponse:
    return render(request, "curation/submit.html", {"form": form, **context}, status=status)


def _limited(request, form, **context) -> HttpResponse:
    """The form again, as it was typed, when its POST is over the rate limit."""
    minutes = request.rate_limit_minutes
    what = (
        "Not sent: too many submissions"
        if request.rate_limit_sending
        else ("Not previewed: too many previews")
    )
    # Nothing was checked, so the form shows what was typed without field errors (a lookup
    # posted with the other fields still empty would otherwise be told to correct them).
    form._errors = ErrorDict(renderer=form.renderer)
    return _render_form(
        request,
        form,
        status=429,
        error=(
            f"{what} from your network this hour (a limit that keeps the queue free of spam). "
            "What you typed is kept below; try again in about "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        ),
        **context,
    )


def _submit_kept(request: HttpRequest) -> HttpResponse:
    return _limited(request, SubmissionForm(request.POST))


def _correct_kept(request: HttpRequest, pk: int) -> HttpResponse:
    paper = get_object_or_404(Paper.objects.published(), pk=pk)
    return _limited(request, SubmissionForm(request.POST, paper=paper), paper=paper)


def _edit_kept(request: HttpRequest, token: str) -> HttpResponse:
    submission = _submission_for_token(token)
    if submission.state != Submission.State.CHANGES_REQUESTED:  # nothing to edit: no form
        minutes = request.rate_limit_minutes
        return render(request, "curation/rate_limited.html", {"retry_minutes": minutes})
    paper = submission.paper if submission.kind == Submission.Kind.CORRECTION else None
    form = SubmissionForm(request.POST, paper=paper, submission=submission)
    return _limited(request, form, submission=submission, paper=paper, resend=True)


def _submit_initial(request: HttpRequest) -> dict:
    """The new-paper form's start: ?section=<slug> (from a section's page; repeated for
    several) ticks those sections; ?again=<status token> of a withdrawn submission fills in
    what it sent, to send a corrected one. Anything unknown is ignored."""
    again = request.GET.get("again", "")
    if again:
        try:
            withdrawn = _submission_for_token(again)
        except Http404:
            withdrawn = None
        if (
            withdrawn is not None
            and withdrawn.state == Submission.State.WITHDRAWN
            and withdrawn.kind == Submission.Kind.NEW_PAPER
        ):
            return initial_from_submission(withdrawn)
    tree = current_tree()
    nodes = [tree.by_slug.get(slug) for slug in request.GET.getlist("section")[:20]]
    return {"sections": [node.pk for node in nodes if node is not None]} if any(nodes) else {}


def _duplicates_box(content: SubmissionContent) -> DuplicateReport:
    """What the form's duplicates box shows for `content`: the papers and open submissions it
    may duplicate, each paper with its sections and whether adding it to the chosen sections
    would add one."""
    duplicates = find_duplicates(title=content.title, urls=[url for _l, url in content.links])
    # Before "add to my sections": a refused one shows the duplicates box again, which must
    # know whether the paper link is a listed paper's own (no Send, no "send it anyway").
    listed = content_paper_link_owner(content)
    duplicates.same_paper_link = next((p for p in duplicates.papers if p == listed), None)
    chosen_sections = {section.pk for section in content.sections}
    for paper in duplicates.papers:
        # "Add it to my sections" is offered only where it would add a section.
        placed = {p.section_id for p in paper.placements.all()}
        paper.adds_sections = bool(chosen_sections - placed)
        paper.section_labels = section_labels([p.section for p in paper.placements.all()])
    return duplicates


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited_post("submit", keep_form=_submit_kept)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, SubmissionForm(initial=_submit_initial(request)))
    if request.POST.get("action") == "lookup":
        # "Fill in the form" without JavaScript: the form again, with what was found.
        filled = with_listed(fill_from_identifier(request.POST.get("lookup", "")))
        fields = SubmissionForm.base_fields
        initial = form_initial(request.POST, fields, filled, multiple={"sections"})
        initial["extra_links"] = typed_extra_links(request.POST)
        link = filled.values.get("paper_url")
        if not filled.ok and link and initial.get("paper_url") == link:
            filled = replace(filled, message=f"{filled.message} {LINK_FILLED}")
        return _render_form(request, SubmissionForm(initial=initial), lookup=filled)

    form = SubmissionForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    content = form.content()
    duplicates = _duplicates_box(content)
    action = request.POST.get("action", "preview")

    if action == "add_to":
        chosen = request.POST.get("add_to", "")
        paper = next((p for p in duplicates.papers if str(p.pk) == chosen), None)
        adding = paper and _content_adding_sections(paper, content.sections)
        refusal = _add_to_refusal(paper, adding)
        if refusal:
            return _render_form(
                request,
                form,
                status=400,
                preview=entry_preview(content),
                duplicates=duplicates,
                error=refusal,
            )
        try:
            submission = submission_create(
                content=adding, contributor=form.contributor(), paper=paper
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return _render_form(
                request, form, status=400, preview=entry_preview(content), duplicates=duplicates
            )
        return redirect("curation:thanks", token=submission.token)

    if action != "send":
        return _render_form(request, form, preview=entry_preview(content), duplicates=duplicates)
    # Checked here first, without writing anything; submission_create checks again under its
    # locks (a send stored meanwhile). A listed paper's own paper link it refuses itself.
    if duplicates and not duplicates.same_paper_link:
        if not form.cleaned_data.get("send_anyway"):
            # Said, not only shown again: a page unchanged after "Send" reads as sent.
            form.add_error("send_anyway", SUSPECTED_DUPLICATE)
        elif not form.cleaned_data["note"].strip():
            # The maintainers will compare it with the listed paper: they need to know why.
            form.add_error("note", SEND_ANYWAY_NEEDS_A_NOTE)
        if form.errors:
            return _render_form(
                request, form, status=400, preview=entry_preview(content), duplicates=duplicates
            )
    try:
        submission = submission_create(
            content=content,
            contributor=form.contributor(),
            refuse_suspected_duplicates=not form.cleaned_data.get("send_anyway"),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        if "send_anyway" in form.errors and not duplicates:
            # Another send of it was stored meanwhile (a double click): show that one.
            duplicates = _duplicates_box(content)
        return _render_form(
            request, form, status=400, preview=entry_preview(content), duplicates=duplicates
        )
    return redirect("curation:thanks", token=submission.token)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited_post("submit", keep_form=_correct_kept)
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    paper = get_object_or_404(Paper.objects.published(), pk=pk)
    # Said, not shown: what another contributor proposed is theirs until it is published.
    context = {"paper": paper, "corrections_waiting": open_corrections_of(paper).count()}
    if request.method != "POST":
        return _render_form(
            request, SubmissionForm(initial=initial_from_paper(paper), paper=paper), **context
        )
    form = SubmissionForm(request.POST, paper=paper)
    if not form.is_valid():
        return _render_form(request, form, status=400, **context)
    content = form.content()
    if request.POST.get("action") != "send":
        # What the correction changes, beside the line it gives.
        changes = entry_change_list(content_from_paper(paper), content)
        return _render_form(
            request, form, preview={**entry_preview(content), "changes": changes}, **context
        )
    try:
        submission = submission_create(content=content, contributor=form.contributor(), paper=paper)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=400, preview=entry_preview(content), **context)
    return redirect("curation:thanks", token=submission.token)


@require_safe
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    submission = _submission_for_token(token)
    return render(request, "curation/thanks.html", {"submission": submission})


@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    return _render_status(request, _submission_for_token(token))


def _render_status(request, submission: Submission, *, status=200, error="") -> HttpResponse:
    return render(
        request,
        "curation/status.html",
        {
            "submission": submission,
            # Its own history: what happened to it, not what the maintainers' checks noted.
            "events": submission.events.exclude(action=SubmissionEvent.Action.FLAGGED),
            "can_withdraw": submission.is_open,
            # The paper it published, while it is still on the list.
            "published_paper": Paper.objects.published().filter(pk=submission.paper_id).first()
            if submission.state == Submission.State.APPROVED
            else None,
            "can_edit": submission.state == Submission.State.CHANGES_REQUESTED,
            "error": error,
            # What was sent, as the README would show it, and where.
            "preview": submission_preview(submission),
            "changes": correction_change_list(submission),
            "section_labels": section_labels(submission.sections.all()),
        },
        status=status,
    )


def _withdraw_kept(request: HttpRequest, token: str) -> HttpResponse:
    minutes = request.rate_limit_minutes
    return _render_status(
        request,
        _submission_for_token(token),
        status=429,
        error=f"Too many requests from your network: nothing was withdrawn. Try again in about"
        f" {minutes} minute{'s' if minutes != 1 else ''}.",
    )


# Withdrawing counts apart from sending: a network that used up its sends (a busy lab) can
# still take one back.
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited_post("withdraw", posts="send", keep_form=_withdraw_kept)
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    submission = _submission_for_token(token)
    if request.method != "POST":  # a pasted or bookmarked address: the page with the button
        return redirect("curation:status", token=token)
    if request.POST.get("confirm") != "yes":
        # Withdrawing is final: the status page asks first (its "Yes, withdraw it" button).
        return _render_status(
            request,
            submission,
            status=400,
            error="Nothing was withdrawn: confirm with “Yes, withdraw it”.",
        )
    try:
        submission_withdraw(submission=submission)
    except TransitionRefused as refusal:
        return _refused(request, submission, str(refusal))
    messages.success(request, "Your submission was withdrawn.")
    return redirect("curation:status", token=token)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited_post("submit", keep_form=_edit_kept)
def edit(request: HttpRequest, token: str) -> HttpResponse:
    submission = _submission_for_token(token)
    if submission.state != Submission.State.CHANGES_REQUESTED:
        return _refused(
            request,
            submission,
            "Only a submission the maintainers sent back for changes can be edited.",
        )
    paper = submission.paper if submission.kind == Submission.Kind.CORRECTION else None
    context = {"submission": submission, "paper": paper, "resend": True}
    if request.method != "POST":
        form = SubmissionForm(
            initial=initial_from_submission(submission), paper=paper, submission=submission
        )
        return _render_form(request, form, **context)
    form = SubmissionForm(request.POST, paper=paper, submission=submission)
    if not form.is_valid():
        return _render_form(request, form, status=400, **context)
    content = form.content()
    if request.POST.get("action") != "send":
        return _render_form(request, form, preview=entry_preview(content), **context)
    try:
        submission_resubmit(
            submission=submission,
            content=content,
            note=form.cleaned_data["note"],
            contributor=form.contributor(),
        )
    except TransitionRefused as refusal:
        return _refused(request, submission, str(refusal))
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_form(request, form, status=400, preview=entry_preview(content), **context)
    messages.success(request, "Thank you: your edited submission is back in the review queue.")
    return redirect("curation:status", token=token)


def _refused(request: HttpRequest, submission: Submission, reason: str) -> HttpResponse:
    """409: the action does not fit the submission's state; nothing was changed."""
    return render(
        request,
        "curation/refused.html",
        {"submission": submission, "reason": reason},
        status=409,
    )


def _add_to_refusal(paper: Paper | None, adding: SubmissionContent | None) -> str:
    """Why "add it to my sections" cannot go ahead, or "" when it can."""
    if paper is None:
        return "Choose one of the papers listed below."
    if correction_changes_nothing(paper=paper, content=adding):
        return "That paper is already in every section you chose: nothing to add."
    return ""


def _content_adding_sections(paper: Paper, sections) -> SubmissionContent:
    """A correction that only adds `sections` to an existing paper."""
    current = [placement.section for placement in paper.placements.select_related("section")]
    return content_from_paper(
        paper, sections=list({section.pk: section for section in [*current, *sections]}.values())
    )
