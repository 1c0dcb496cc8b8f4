"""The public submission form. It validates and cleans; curation/services.py acts."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator

from catalog import identifiers
from catalog.models import Link, Paper, Section, validate_publication_year
from catalog.readme.export import safe_url
from catalog.selectors import section_tree
from catalog.validators import LINK_MAX_BYTES, MaxUTF8BytesValidator
from curation.models import Submission, SubmissionLink
from curation.services import (
    NO_CHANGE,
    Contributor,
    SubmissionContent,
    at_open_submissions_cap,
    correction_changes_nothing,
    open_submissions_cap_message,
    paper_link_owner,
)
from quality.links import is_public
from quality.venues import Vocabulary

PLACEHOLDERS = {
    "",
    "tbd",
    "todo",
    "tba",
    "na",
    "n a",
    "none",
    "null",
    "nil",
    "test",
    "testing",
    "title",
    "paper title",
    "author",
    "authors",
    "venue",
    "xxx",
    "xx",
    "x",
    "asdf",
    "qwerty",
    "foo",
    "bar",
    "unknown",
    "lorem ipsum",
    "example",
    "placeholder",
    "name",
    "your name",
}
http_url = URLValidator(schemes=["http", "https"])
# Row numbers beyond three digits are not ours (and would not fit int() at 5,000 digits).
EXTRA_URL_KEY = re.compile(r"extra_url_([0-9]{1,3})")
MIN_EXTRA_LINK_ROWS = 1
MAX_EXTRA_LINKS = 10


def is_placeholder(value: str) -> bool:
    words = re.sub(r"[\W_]+", " ", value.casefold()).strip()
    return words in PLACEHOLDERS


# Bidirectional embeddings, overrides and isolates reorder how the text after them displays
# (in a README line: the authors and links too, "Trojan Source"), so they are refused.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that pasting from a PDF leaves behind (soft hyphen, zero-width space,
# word joiner, byte order mark): removed, they would only hide a title from duplicate checks.
# Other format characters stay as typed: ZWJ/ZWNJ and the LRM/RLM marks are part of writing
# some scripts and names correctly and affect no text around them.
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")


# The messages do not name the field: each is shown under its field, and the error summary
# puts the field's label before it.
def refuse_control_characters(value: str) -> None:
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValidationError(
                f"It contains an invisible text-direction control (U+{ord(char):04X}); remove it."
            )
        if unicodedata.category(char) in {"Cc", "Cs", "Co"} and char not in "\t\n\r":
            raise ValidationError(
                f"It contains a control character (U+{ord(char):04X}); remove it."
            )
        if is_noncharacter(char):
            raise ValidationError(
                f"It contains a character that is not text (U+{ord(char):04X}); remove it."
            )


def is_noncharacter(char: str) -> bool:
    """Unicode's noncharacters (U+FDD0–U+FDEF, and the last two code points of every plane,
    U+FFFE, U+FFFF, U+1FFFE …): never text, and not allowed in XML, so a feed holding one
    would not parse."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


# The stored columns' limits, checked after cleaning: NFC and percent-encoding can make a value
# longer than the raw one the field's max_length passed.
LINK_MAX_LENGTH = SubmissionLink._meta.get_field("url").max_length
STORED_LIMITS = {
    name: Submission._meta.get_field(name).max_length
    for name in ("title", "authors", "venue", "contributor_name", "note")
}


def typed_extra_links(post) -> list[tuple[str, str]]:
    """The "Another link" rows as posted, in their order, rows left empty dropped: for a form
    shown again from what was typed (a lookup without JavaScript)."""
    indexes = sorted(int(match[1]) for key in post if (match := EXTRA_URL_KEY.fullmatch(key)))
    rows = [(post.get(f"extra_label_{i}", ""), post.get(f"extra_url_{i}", "")) for i in indexes]
    return [(label, url) for label, url in rows if label or url.strip()][:MAX_EXTRA_LINKS]


def clean_text(value: str) -> str:
    """One line of text: control characters refused, invisible ones removed, surrounding
    space trimmed, inner runs of space collapsed."""
    refuse_control_characters(value)
    # NFC: one spelling per character (é, not e + ◌́), as the README import stores it.
    value = unicodedata.normalize("NFC", INVISIBLE.sub("", value))
    value = re.sub(r"\s+", " ", value).strip()
    if is_placeholder(value):
        raise ValidationError(f"“{value}” looks like a placeholder; enter the real one.")
    return value


# A host name with a dot and no scheme: "github.com/…", "openreview.net/forum?id=…".
BARE_HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?(/|$)")


# Names of this machine and of local networks (RFC 6761, 6762, 8375 and common usage).
LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".lan", ".home.arpa")


def refuse_private_address(url: str) -> None:
    """The list links to public pages: not to this machine or a private network (which the
    link checker would then visit), nor with a user name or password in the address."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "An address with a user name or password in it cannot be listed; give the "
            "page's public address."
        )
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        private = not is_public(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:  # a name, not an address: the names only a local network resolves
        private = "." not in host or host.endswith(LOCAL_NAME_SUFFIXES) or host == "localhost"
    if private:
        raise ValidationError(
            "This address points at a local or private host; give the page's public address."
        )


def clean_link(value: str, *, allow_arxiv_id: bool) -> str:
    refuse_control_characters(value)
    value = INVISIBLE.sub("", value).strip()
    if not value:
        return ""
    # "arxiv.org/abs/…" typed without a scheme is still an arXiv link.
    with_scheme = value if "://" in value else f"https://{value}"
    arxiv = identifiers.arxiv_id(with_scheme) or (allow_arxiv_id and identifiers.arxiv_id(value))
    if arxiv and (allow_arxiv_id or "://" in value):
        # Every arXiv form (abs, pdf, vN, www., a bare id) is stored as the abs page.
        return identifiers.arxiv_abs_url(arxiv)
    if BARE_HOST.match(value):  # "github.com/org/repo", as copied from an address bar
        value = f"https://{value}"
    try:
        http_url(value)
    except ValidationError:
        raise ValidationError(
            "Enter a full http:// or https:// address"
            + (", or an arXiv id such as 2401.10020." if allow_arxiv_id else ".")
        ) from None
    refuse_private_address(value)
    # Stored as the README writes it: ( ) < > \ percent-encoded, the same address to a browser.
    encoded = safe_url(value)
    if len(encoded) > LINK_MAX_LENGTH:
        raise ValidationError(
            f"This address is too long: at most {LINK_MAX_LENGTH} characters once its spaces and"
            f" ( ) < > \\ characters are percent-encoded (it has {len(encoded)})."
        )
    MaxUTF8BytesValidator(LINK_MAX_BYTES)(encoded)
    return encoded


def section_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Sections grouped by part, each shown as "1.5.2 Debate". The part itself comes first in
    its group (papers may sit on a part), named as such rather than repeating the group's
    label."""
    groups = []
    for root in section_tree().roots:
        whole = (root.pk, f"{root.number} In general (no subsection)")
        options = [whole] + [(node.pk, node.label) for node in root.descendants()]
        groups.append((root.label, options))
    return groups


# How a repeated address names the field that gave it first.
LINK_FIELD_NAMES = {"paper_url": "paper link", "code_url": "code link"}


class SubmissionForm(forms.Form):
    # Only read by "Fill in the form" (quality.lookup); never stored.
    lookup = forms.CharField(
        label="arXiv id or DOI",
        required=False,
        max_length=300,
        help_text="Paste e.g. 2401.10020, an arXiv link or a DOI, then fill in from it.",
    )
    # The paper link the last lookup filled in (hidden; never stored): a later lookup may
    # replace that one, never a link the contributor typed.
    lookup_link = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    title = forms.CharField(
        max_length=500, help_text="As on the paper, e.g. “Self-Rewarding Language Models”."
    )
    authors = forms.CharField(
        max_length=500, help_text="As the list shows them: “Yuan et al.” or “Weizhe Yuan et al.”."
    )
    venue = forms.CharField(
        max_length=300,
        required=False,
        help_text="“ICLR”, “NeurIPS”, “ACL”… or “arXiv” for a preprint.",
    )
    # A text box with a numeric keypad, not type=number: a browser drops the letter of a
    # mistyped "2O24" and shows "224" beside the error; here what was typed stays in view.
    year = forms.IntegerField(
        validators=[validate_publication_year],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": "Enter the year as a number, e.g. 2024."},
    )
    paper_url = forms.CharField(
        label="Paper link",
        max_length=1000,
        help_text="An http(s) link to the paper, or an arXiv id or URL.",
    )
    code_url = forms.CharField(label="Code link", max_length=1000, required=False)
    # Checkboxes, not a multiple select: every choice stays in view, and one plain click
    # cannot drop the others (a select box hid picks scrolled out of it and needed Ctrl).
    sections = forms.TypedMultipleChoiceField(
        coerce=int,
        help_text="Tick one or more.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "section-choices"}),
        error_messages={"required": "Tick at least one section."},
    )
    contributor_name = forms.CharField(label="Your name", max_length=200)
    contributor_email = forms.EmailField(
        label="Your email",
        required=False,
        max_length=254,
        help_text="Optional: we write to you when a maintainer decides.",
    )
    is_author = forms.BooleanField(label="I am an author of this paper", required=False)
    note = forms.CharField(
        label="Note to the maintainers",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    send_anyway = forms.BooleanField(
        label="This is a different paper: send it anyway", required=False
    )
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(
        self, *args, paper: Paper | None = None, submission: Submission | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.paper = paper
        self.submission = submission
        self.extra_link_rows = self._add_extra_link_rows()
        self.fields["sections"].choices = section_choices()
        for name in ("title", "authors", "venue", "contributor_name"):
            # No HTML maxlength: a browser cuts a pasted title at it without a word; the
            # server's "at most 500 characters" message says what is wrong instead.
            self.fields[name].widget.attrs.pop("maxlength", None)
        if paper is not None:
            # Some listed entries have only a code or blog link; a correction keeps that.
            self.fields["paper_url"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if paper is not None or submission is not None:
            # A correction or a resend concerns one known contributor action, not a new paper.
            del self.fields["send_anyway"]
        else:
            # Beside a duplicates warning these two are shown in the warning, outside the
            # <form id="submission-form"> they belong to.
            for name in ("send_anyway", "note"):
                self.fields[name].widget.attrs["form"] = "submission-form"
        if submission is not None:
            # Starts empty: a reply for this round. It becomes the submission's note; every
            # earlier note stays in its history, and an empty reply keeps the last one.
            note = self.fields["note"]
            note.label = "Your reply to the maintainers"
            note.help_text = (
                "Say what you changed. The maintainers keep your earlier notes with it."
            )

    def clean_title(self):
        title = clean_text(self.cleaned_data["title"])
        # The README ends every title with one period; "..." stays (the README adds none).
        return title.rstrip(" .") if not title.endswith("..") else title

    def clean_authors(self):
        authors = clean_text(self.cleaned_data["authors"])
        # The README ends the authors with one period ("Bai et al.", "OpenAI."): stored without
        # it, except after "et al", where it belongs to the abbreviation.
        authors = authors.rstrip(" .")
        return f"{authors}." if authors.endswith("et al") else authors

    def clean_venue(self):
        venue = self.cleaned_data["venue"]
        if not venue.strip():
            return ""
        # The entry's venue posted back as shown stays as stored (as its addresses do): an
        # untouched correction of a paper listed under an alias must not propose a change.
        entry = self.paper or self.submission
        if entry is not None and venue.strip() == entry.venue:
            return entry.venue
        # Trailing periods and commas would merge into the README's "Venue 2024." separator.
        venue = re.sub(r"[\s,.]+$", "", clean_text(venue)).lstrip(" ,")
        # An alias or another case of a listed venue is written as the list writes it (`NIPS`
        # is `NeurIPS`), as the admin saves it.
        return Vocabulary.load().canonical_name(venue) or venue

    def clean_contributor_name(self):
        return clean_text(self.cleaned_data["contributor_name"])

    def clean_note(self):
        note = self.cleaned_data["note"]
        refuse_control_characters(note)
        return unicodedata.normalize("NFC", INVISIBLE.sub("", note)).strip()

    def _clean_link(self, value: str, *, allow_arxiv_id: bool) -> str:
        # An address the entry already has, posted back as shown, stays as stored: cleaning
        # would rewrite some (a stored arXiv /pdf/ link becomes /abs/), and an untouched
        # form would then propose a change nobody made.
        if value.strip() in self.stored_urls:
            return value.strip()
        return clean_link(value, allow_arxiv_id=allow_arxiv_id)

    def clean_paper_url(self):
        return self._clean_link(self.cleaned_data["paper_url"], allow_arxiv_id=True)

    def clean_code_url(self):
        return self._clean_link(self.cleaned_data["code_url"], allow_arxiv_id=False)

    def _add_extra_link_rows(self) -> list[tuple[str, str]]:
        """Rows for links beyond the paper and code links: enough for every link the paper
        (or the posted form) already has, plus one empty row, so a correction drops none."""
        # A correction or a resend shows every link the entry already has, even beyond the
        # limit for new ones: a row not shown would not be posted, and the link would be lost.
        entry = self.submission or self.paper
        existing = 0
        self.stored_urls: frozenset[str] = frozenset()
        if entry is not None:
            links = [(link.label, link.url) for link in entry.links.all()]
            existing = len(_split_links(links)[2])
            self.stored_urls = frozenset(url for _label, url in links)
        self.extra_links_allowed = max(MAX_EXTRA_LINKS, existing)
        known = max(existing, len(self.initial.get("extra_links", [])))
        if self.is_bound:
            # Rows the contributor filled in (a kind or an address), not the empty row every
            # form shows: counting that one would add a row on each preview or failed post.
            posted = [
                int(m[1])
                for key in self.data
                if (m := EXTRA_URL_KEY.fullmatch(key))
                and (self.data.get(key, "").strip() or self.data.get(f"extra_label_{m[1]}"))
            ]
            known = max([known, *(index + 1 for index in posted)])
        self.too_many_links = known > self.extra_links_allowed
        rows = min(self.extra_links_allowed, max(MIN_EXTRA_LINK_ROWS, known + 1))
        names = []
        for index in range(rows):
            label_name, url_name = f"extra_label_{index}", f"extra_url_{index}"
            self.fields[label_name] = forms.ChoiceField(
                label="Another link: kind",
                choices=[("", "—"), *Link.Label.choices],
                required=False,
            )
            self.fields[url_name] = forms.CharField(
                label="Another link: address", max_length=1000, required=False
            )
            initial = self.initial.get("extra_links", [])
            if index < len(initial):
                self.initial[label_name], self.initial[url_name] = initial[index]
            names.append((label_name, url_name))
        return names

    def extra_link_fields(self):
        """Bound fields, row by row, for the template."""
        return [(self[label], self[url]) for label, url in self.extra_link_rows]

    def _extra_links(self, data) -> list[tuple[str, str, str]]:
        """The other links given, (address field, kind, address), each row's errors added to
        its fields."""
        links = []
        for label_name, url_name in self.extra_link_rows:
            if url_name in self.errors:  # its address refused already (too long, a NUL)
                continue
            raw = data.get(url_name, "")
            if not raw:
                if data.get(label_name):  # a kind chosen, its address forgotten
                    self.add_error(url_name, "Give the address of this link, or clear its kind.")
                continue
            try:
                url = self._clean_link(raw, allow_arxiv_id=False)
            except ValidationError as error:
                self.add_error(url_name, error)
                continue
            if not data.get(label_name):
                self.add_error(label_name, "Say what kind of link this is.")
                continue
            links.append((url_name, data[label_name], url))
        return links

    def clean_sections(self):
        wanted = set(self.cleaned_data["sections"])
        sections = list(Section.objects.filter(pk__in=wanted))
        if len(sections) != len(wanted):
            raise ValidationError("Pick sections from the list.")
        return sections

    def clean_contributor_email(self):
        email = self.cleaned_data["contributor_email"].strip()
        # Said on a preview already; the service counts again when it stores (a race).
        if at_open_submissions_cap(email, other_than=self.submission):
            raise ValidationError(open_submissions_cap_message())
        return email

    def clean(self):
        data = super().clean()
        for name, limit in STORED_LIMITS.items():
            value = data.get(name)
            if value and len(value) > limit:
                self.add_error(
                    name,
                    f"Ensure this value has at most {limit} characters once normalized"
                    f" (it has {len(value)}).",
                )
        if data.get("website"):
            raise ValidationError("The field “Leave this field empty” must stay empty.")
        if getattr(self, "too_many_links", False):
            raise ValidationError(f"At most {self.extra_links_allowed} other links, please.")
        extra_links = self._extra_links(data)
        data["extra_links"] = [(label, url) for _name, label, url in extra_links]
        # Each link with its field, in the form's order: a repeated address is marked on the
        # field that repeats it (with four links, a message above the form left it to find).
        given = [(name, data.get(name)) for name in ("paper_url", "code_url")]
        given += [(name, url) for name, _label, url in extra_links]
        first_given: dict[str, str] = {}
        for name, url in given:
            if url and url in first_given:
                where = LINK_FIELD_NAMES.get(first_given[url], "another link")
                self.add_error(name, f"The same address is given as the {where}.")
            elif url:
                first_given[url] = name
        unchanged = self.paper is not None and not self.errors
        if unchanged and correction_changes_nothing(paper=self.paper, content=self.content()):
            raise ValidationError(NO_CHANGE)
        if self.paper is not None and not self.errors:
            # One record per paper: a correction may not take another listed paper's link
            # (approval refuses it too; said here, the contributor can fix it at once).
            posted = [
                identifiers.identifier_for_url(url)
                for label, url in self.content().links
                if label == Link.Label.PAPER
            ]
            owner = paper_link_owner(posted, other_than=self.paper)
            if owner is not None:
                raise ValidationError(
                    f"A paper link given here is the paper link of “{owner.title}”, another "
                    "paper on the list. Give this paper's own link."
                )
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's refusal (what the database would refuse), shown on the form: on the
        field it names where the form has one, above the form otherwise."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            if name in self.fields:
                self.add_error(name, messages)
            else:
                label = "" if name == NON_FIELD_ERRORS else f"{name.capitalize()}: "
                self.add_error(None, [f"{label}{message}" for message in messages])

    def content(self) -> SubmissionContent:
        data = self.cleaned_data
        links = [("paper", data["paper_url"])] if data.get("paper_url") else []
        if data.get("code_url"):
            links.append(("code", data["code_url"]))
        links.extend(data["extra_links"])
        return SubmissionContent(
            title=data["title"],
            authors=data["authors"],
            venue=data["venue"],
            year=data["year"],
            links=links,
            sections=data["sections"],
        )

    def contributor(self) -> Contributor:
        data = self.cleaned_data
        return Contributor(
            name=data["contributor_name"],
            email=data["contributor_email"],
            is_author=data["is_author"],
            note=data["note"],
        )


def _split_links(links) -> tuple:
    """(paper link, code link, the others in order): the first paper and code links get their
    own fields on the form, every other link an "another link" row."""
    links = list(links)
    paper_link = next((link for link in links if link[0] == "paper"), None)
    code_link = next((link for link in links if link[0] == "code"), None)
    others = [link for link in links if link is not paper_link and link is not code_link]
    return paper_link, code_link, others


def _initial_entry(*, title, authors, venue, year, links, sections) -> dict:
    """Form initial data for an entry (see `_split_links`)."""
    paper_link, code_link, others = _split_links(links)
    return {
        "title": title,
        "authors": authors,
        "venue": venue,
        "year": year,
        "paper_url": paper_link[1] if paper_link else "",
        "code_url": code_link[1] if code_link else "",
        "extra_links": others,
        "sections": list(sections),
    }


def initial_from_paper(paper: Paper) -> dict:
    """The correction form starts from the paper as published."""
    return _initial_entry(
        title=paper.title,
        authors=paper.authors,
        venue=paper.venue,
        year=paper.year,
        links=paper.links.order_by("position", "id").values_list("label", "url"),
        sections=paper.placements.values_list("section_id", flat=True),
    )


def initial_from_submission(submission: Submission) -> dict:
    return {
        **_initial_entry(
            title=submission.title,
            authors=submission.authors,
            venue=submission.venue,
            year=submission.year,
            links=submission.links.values_list("label", "url"),
            sections=submission.sections.values_list("pk", flat=True),
        ),
        "contributor_name": submission.contributor_name,
        "contributor_email": submission.contributor_email,
        "is_author": submission.is_author,
    }


class ReviewNoteForm(forms.Form):
    """The maintainer's note for a decision; required to reject or ask for changes."""

    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )
