"""Editing the catalog in the admin: what a maintainer types is checked where it is typed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from catalog.models import Paper
from quality.venues import Vocabulary
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def paper_form(paper: Paper, **changes) -> dict:
    return {
        "title": paper.title,
        "authors": paper.authors,
        "venue": paper.venue,
        "year": paper.year,
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "placements-TOTAL_FORMS": 0,
        "placements-INITIAL_FORMS": 0,
        **changes,
    }


@pytest.mark.parametrize(
    "year",
    ["20245", "1800", "0", "-5", "99999999999999999999", str(datetime.date.today().year + 2)],
)
def test_an_impossible_year_is_refused_next_to_the_year_field(admin_client, year):
    paper = PaperFactory(year=2023)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    response = admin_client.post(url, paper_form(paper, year=year))
    assert response.status_code == 200  # the form again, nothing saved
    html = response.content.decode()
    latest = datetime.date.today().year + 1
    field = html.split('field-year">', 1)[1].split('class="form-row', 1)[0]
    # One message, the list's own range, whatever the number.
    assert re.findall(r"<li>([^<]+)</li>", field) == [f"Enter a year from 1900 to {latest}."]
    assert "Constraint" not in html
    paper.refresh_from_db()
    assert paper.year == 2023


def test_next_year_and_no_year_are_accepted(admin_client):
    paper = PaperFactory(year=2023)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    next_year = datetime.date.today().year + 1
    assert admin_client.post(url, paper_form(paper, year=next_year)).status_code == 302
    paper.refresh_from_db()
    assert paper.year == next_year
    assert admin_client.post(url, paper_form(paper, year="")).status_code == 302
    paper.refresh_from_db()
    assert paper.year is None


def section_order(client, slug: str) -> list[str]:
    from catalog.models import Section

    section = Section.objects.get(slug=slug)
    html = client.get(section.get_absolute_url()).content.decode()
    return re.findall(r'class="paper-title" href="[^"]+">([^<]+)</a>', html)


def test_a_position_already_taken_moves_the_others_down(admin_client, client):
    from django.contrib.admin.models import LogEntry

    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    debate = SectionFactory(title="Debate", slug="debate", position=1)
    for position, title in enumerate(["AI safety via debate", "Debate helps", "Prover-Verifier"]):
        PlacementFactory(section=debate, position=position + 1, paper__title=title)
    moved = Placement.objects.get(paper__title="Prover-Verifier")
    url = reverse("admin:catalog_placement_change", args=[moved.pk])
    data = {"paper": moved.paper_id, "section": debate.pk, "position": 1}
    assert admin_client.post(url, data).status_code == 302
    expected = ["Prover-Verifier", "AI safety via debate", "Debate helps"]
    assert section_order(client, "debate") == expected
    positions = dict(Placement.objects.values_list("paper__title", "position"))
    assert positions == {"Prover-Verifier": 1, "AI safety via debate": 2, "Debate helps": 3}
    # Each sibling moved is in the admin history, with who moved it.
    logged = LogEntry.objects.filter(change_message__startswith="Moved to position")
    assert logged.count() == 2 and {entry.user.username for entry in logged} == {"admin"}
    # Moved down past the others, to a free number: those it passes close its old place.
    data["position"] = 9
    assert admin_client.post(url, data).status_code == 302
    positions = dict(Placement.objects.values_list("paper__title", "position"))
    assert positions == {"AI safety via debate": 1, "Debate helps": 2, "Prover-Verifier": 9}
    assert LogEntry.objects.filter(change_message__startswith="Moved").count() == 4
    # Moved up to a free number: nobody holds it, so nobody moves.
    data["position"] = 5
    assert admin_client.post(url, data).status_code == 302
    assert LogEntry.objects.filter(change_message__startswith="Moved").count() == 4
    assert section_order(client, "debate") == [
        "AI safety via debate",
        "Debate helps",
        "Prover-Verifier",
    ]


def test_the_papers_list_filters_by_numbered_section_and_shows_the_numbers(
    admin_client, django_assert_max_num_queries
):
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Oversight", slug="oversight", position=1)
    debate = SectionFactory(title="Debate", slug="debate", parent=part, position=2)
    both = PlacementFactory(section=debate, paper__title="In both").paper
    PlacementFactory(section=part, paper=both)
    PlacementFactory(section=part, paper__title="Only in the part")
    url = reverse("admin:catalog_paper_changelist")
    page = admin_client.get(url).content.decode()
    assert "1.1 Debate" in page.split('id="changelist-filter"')[1]
    assert re.search(
        r"In both</a></th>.*?<td class=\"field-section_numbers\">1, 1\.1</td>", page, re.S
    )
    filtered = admin_client.get(url, {"section": debate.pk}).content.decode()
    rows = filtered.split('id="result_list"')[1]
    assert "In both" in rows and "Only in the part" not in rows
    # The column's numbers come from one prefetch, not a query per row.
    for index in range(20):
        PlacementFactory(section=debate, paper__title=f"Paper {index}")
    with django_assert_max_num_queries(14):
        assert admin_client.get(url).status_code == 200


def test_a_row_moved_within_its_list_lands_where_its_number_says(admin_client, client):
    """First to third: the two it passes move up, so it is third, not second behind a gap;
    then last to first: only those it passes move down, leaving no gap at the end."""
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    critic = SectionFactory(title="Text Critic", slug="text-critic", position=1)
    for position, title in enumerate(["A", "B", "C", "D"], start=1):
        PlacementFactory(section=critic, position=position, paper__title=f"Paper {title}")

    def move(title: str, position: int) -> None:
        row = Placement.objects.get(paper__title=title)
        url = reverse("admin:catalog_placement_change", args=[row.pk])
        data = {"paper": row.paper_id, "section": critic.pk, "position": position}
        assert admin_client.post(url, data).status_code == 302

    def positions() -> dict[str, int]:
        return dict(Placement.objects.values_list("paper__title", "position"))

    move("Paper A", 3)
    assert positions() == {"Paper B": 1, "Paper C": 2, "Paper A": 3, "Paper D": 4}
    assert section_order(client, "text-critic") == ["Paper B", "Paper C", "Paper A", "Paper D"]
    move("Paper D", 1)
    assert positions() == {"Paper D": 1, "Paper B": 2, "Paper C": 3, "Paper A": 4}
    assert section_order(client, "text-critic") == ["Paper D", "Paper B", "Paper C", "Paper A"]


def test_a_new_section_at_a_taken_position_takes_that_number(admin_client, client):
    from catalog.models import Section
    from tests.factories import SectionFactory

    part = SectionFactory(title="Aligning through model feedback", slug="part-3", position=1)
    SectionFactory(title="Scalar reward", slug="scalar", parent=part, position=1)
    SectionFactory(title="Text critic", slug="text-critic", parent=part, position=2)
    response = admin_client.post(
        reverse("admin:catalog_section_add"),
        {"title": "Binary feedback", "slug": "binary", "parent": part.pk, "position": 2},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = list(Section.objects.filter(parent=part).order_by("position", "id"))
    assert [section.title for section in order] == [
        "Scalar reward",
        "Binary feedback",
        "Text critic",
    ]
    home = client.get("/").content.decode()
    assert home.index("Binary feedback") < home.index("Text critic")


def test_the_paper_form_s_placements_make_room_too(admin_client):
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    debate = SectionFactory(title="Debate", slug="debate", position=1)
    first = PlacementFactory(section=debate, position=1, paper__title="First")
    paper = PaperFactory(title="Newcomer", year=2024)
    data = paper_form(
        paper,
        **{
            "placements-TOTAL_FORMS": 1,
            "placements-0-section": debate.pk,
            "placements-0-position": 1,
            "placements-0-paper": paper.pk,
        },
    )
    response = admin_client.post(reverse("admin:catalog_paper_change", args=[paper.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Placement.objects.get(paper=paper).position == 1
    first.refresh_from_db()
    assert first.position == 2


def test_the_placements_list_filters_by_numbered_section_with_position_first(admin_client):
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Aligning through debate", slug="part", position=1)
    games = SectionFactory(title="Debate games", slug="games", parent=part, position=2)
    PlacementFactory(section=games, position=1, paper__title="In games")
    PlacementFactory(section=part, position=1, paper__title="In the part")
    url = reverse("admin:catalog_placement_changelist")
    html = admin_client.get(url).content.decode()
    assert "1.1 Debate games" in html.split('id="changelist-filter"')[1]
    header = html.split('id="result_list"')[1].split("</thead>")[0]
    assert header.index("Position") < header.index("Section") < header.index("Paper")
    filtered = admin_client.get(f"{url}?section={games.pk}").content.decode()
    rows = filtered.split('id="result_list"')[1]
    assert "In games" in rows and "In the part" not in rows
    assert "1.1 Debate games" in rows  # the row's section, numbered
    for odd in ("abc", "²", "9" * 40):
        assert admin_client.get(f"{url}?section={odd}").status_code == 200, odd


def test_the_placements_list_follows_the_reading_order(admin_client):
    """1.1.1 before 1.2, as the site and the README read (not by parent, then position)."""
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Oversight", slug="oversight", position=1)
    first = SectionFactory(title="Debate", slug="debate", parent=part, position=1)
    second = SectionFactory(title="Critique", slug="critique", parent=part, position=2)
    inner = SectionFactory(title="Debate games", slug="games", parent=first, position=1)
    PlacementFactory(section=second, position=1, paper__title="Paper C in 1.2")
    PlacementFactory(section=inner, position=2, paper__title="Paper B in 1.1.1")
    PlacementFactory(section=inner, position=1, paper__title="Paper A in 1.1.1")
    PlacementFactory(section=part, position=1, paper__title="Paper P in 1")
    html = admin_client.get(reverse("admin:catalog_placement_changelist")).content.decode()
    rows = html.split('id="result_list"')[1]
    shown = list(dict.fromkeys(re.findall(r"Paper [A-Z] in [0-9.]+", rows)))
    assert shown == ["Paper P in 1", "Paper A in 1.1.1", "Paper B in 1.1.1", "Paper C in 1.2"]


def test_an_edit_that_keeps_the_position_moves_nobody(admin_client):
    from django.contrib.admin.models import LogEntry

    from catalog.models import Section
    from tests.factories import SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    first = SectionFactory(title="Twin one", slug="twin-one", parent=part, position=3)
    SectionFactory(title="Twin two", slug="twin-two", parent=part, position=3)  # an old tie
    url = reverse("admin:catalog_section_change", args=[first.pk])
    data = {"title": "Twin one", "slug": "twin-one", "parent": part.pk, "position": 3}
    response = admin_client.post(url, {**data, "description": "Now described"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Section.objects.filter(parent=part).values_list("position", flat=True)) == {3}
    assert not LogEntry.objects.filter(change_message__startswith="Moved").exists()


def test_a_section_cannot_sit_inside_itself_or_too_deep(admin_client, client):
    """Its own parent answered a 500 (the database constraint), and a subsection as its parent
    saved a cycle, which took both sections and their papers off the site and the README."""
    from catalog.models import Section
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Arena", slug="arena", position=1)
    child = SectionFactory(title="Arena child", slug="arena-child", parent=part, position=1)
    PlacementFactory(section=child, paper__title="A Placed Paper")
    url = reverse("admin:catalog_section_change", args=[part.pk])
    data = {"title": "Arena", "slug": "arena", "position": 1}
    for parent, message in (
        (part, "A section cannot sit inside itself or one of its subsections."),
        (child, "A section cannot sit inside itself or one of its subsections."),
    ):
        response = admin_client.post(url, {**data, "parent": parent.pk})
        assert response.status_code == 200
        assert message in response.content.decode()
        part.refresh_from_db()
        assert part.parent_id is None
    assert "A Placed Paper" in client.get("/README.md").content.decode()

    # Four levels (1.1.1.1) are the README's last distinct heading level; a fifth is refused.
    deep = child
    for depth in range(2):
        deep = SectionFactory(title=f"Level {depth + 3}", slug=f"level-{depth + 3}", parent=deep)
    response = admin_client.post(
        reverse("admin:catalog_section_add"),
        {"title": "Level 5", "slug": "level-5", "parent": deep.pk, "position": 1},
    )
    assert response.status_code == 200
    assert "Sections nest at most 4 levels deep" in response.content.decode()
    assert not Section.objects.filter(slug="level-5").exists()
    # Moving a section with subsections under another counts the subsections' levels too.
    other = SectionFactory(title="Other", slug="other", position=2)
    holder = SectionFactory(title="Holder", slug="holder", parent=other, position=1)
    response = admin_client.post(
        reverse("admin:catalog_section_change", args=[part.pk]), {**data, "parent": holder.pk}
    )
    assert response.status_code == 200
    assert "would put its subsections at level 6" in response.content.decode()


def test_positions_from_one_and_http_links_are_asked_for_on_the_form(admin_client):
    from catalog.models import Paper
    from tests.factories import SectionFactory

    response = admin_client.post(
        reverse("admin:catalog_section_add"), {"title": "Zero", "slug": "zero", "position": 0}
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    section = SectionFactory()
    response = admin_client.post(
        reverse("admin:catalog_paper_add"),
        {
            "title": "An FTP Paper",
            "authors": "Ada",
            "venue": "arXiv",
            "year": 2024,
            "links-TOTAL_FORMS": 1,
            "links-INITIAL_FORMS": 0,
            "links-0-label": "paper",
            "links-0-url": "ftp://example.org/paper.pdf",
            "links-0-position": 1,
            "placements-TOTAL_FORMS": 1,
            "placements-INITIAL_FORMS": 0,
            "placements-0-section": section.pk,
            "placements-0-position": 1,
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not Paper.objects.exists()


def test_taking_a_paper_out_of_its_last_section_says_it_leaves_the_site(admin_client, client):
    from tests.factories import PlacementFactory, SectionFactory

    debate = SectionFactory(title="Debate", slug="debate", position=1)
    kept = PlacementFactory(section=debate, paper__title="Kept on the list")
    placement = PlacementFactory(section=debate, paper__title="Taken off the list")
    paper = placement.paper
    data = paper_form(
        paper,
        **{
            "placements-TOTAL_FORMS": 1,
            "placements-INITIAL_FORMS": 1,
            "placements-0-id": placement.pk,
            "placements-0-paper": paper.pk,
            "placements-0-section": debate.pk,
            "placements-0-position": placement.position,
            "placements-0-DELETE": "on",
        },
    )
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    response = admin_client.post(url, data, follow=True)
    warning = "“Taken off the list” is in no section now, so it is off the site and the README"
    assert warning in response.content.decode()
    assert client.get(paper.get_absolute_url()).status_code == 404
    # The same from the Placements list; a paper still in a section gets no warning.
    other = PlacementFactory(section=SectionFactory(slug="games"), paper=kept.paper)
    response = admin_client.post(
        reverse("admin:catalog_placement_delete", args=[other.pk]), {"post": "yes"}, follow=True
    )
    assert "is in no section now" not in response.content.decode()
    response = admin_client.post(
        reverse("admin:catalog_placement_delete", args=[kept.pk]), {"post": "yes"}, follow=True
    )
    assert "“Kept on the list” is in no section now" in response.content.decode()


@pytest.mark.parametrize("model", ["placement", "section"])
def test_swapping_two_rows_in_the_list_moves_nobody_else(admin_client, model):
    """1 and 2 swapped in the list: before, the first save pushed every later row down, which
    left a gap (1, 2, 4, 5) and a log entry per pushed row."""
    from django.contrib.admin.models import LogEntry

    from catalog.models import Placement, Section
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    if model == "placement":
        rows = [PlacementFactory(section=part, position=n) for n in range(1, 5)]
        url = reverse("admin:catalog_placement_changelist") + f"?section={part.pk}"
        model_class = Placement
    else:
        rows = [
            SectionFactory(title=f"Child {n}", slug=f"child-{n}", parent=part, position=n)
            for n in range(1, 5)
        ]
        url = reverse("admin:catalog_section_changelist") + f"?parent__id__exact={part.pk}"
        model_class = Section
    page = admin_client.get(url).content.decode()
    listed = [int(pk) for pk in re.findall(r'name="form-\d+-id" value="(\d+)"', page)]
    assert sorted(listed) == sorted(row.pk for row in rows)
    swapped = {rows[0].pk: 2, rows[1].pk: 1, rows[2].pk: 3, rows[3].pk: 4}
    data = {
        "form-TOTAL_FORMS": len(listed),
        "form-INITIAL_FORMS": len(listed),
        "_save": "Save",
    }
    for index, pk in enumerate(listed):
        data[f"form-{index}-id"] = pk
        data[f"form-{index}-position"] = swapped[pk]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    positions = dict(model_class.objects.filter(pk__in=swapped).values_list("pk", "position"))
    assert positions == swapped
    assert not LogEntry.objects.filter(change_message__startswith="Moved").exists()


def test_several_rows_moved_in_one_list_save_land_where_typed(admin_client):
    """P1 to 2 and P2 to 3 in one save: each lands where typed, and the row that stays
    takes the place left; no two rows share a position, none is left empty."""
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    rows = [PlacementFactory(section=part, position=n) for n in (1, 2, 3)]
    url = reverse("admin:catalog_placement_changelist") + f"?section={part.pk}"
    page = admin_client.get(url).content.decode()
    listed = [int(pk) for pk in re.findall(r'name="form-\d+-id" value="(\d+)"', page)]
    wanted = {rows[0].pk: 2, rows[1].pk: 3, rows[2].pk: 3}
    data = {"form-TOTAL_FORMS": 3, "form-INITIAL_FORMS": 3, "_save": "Save"}
    for index, pk in enumerate(listed):
        data[f"form-{index}-id"] = pk
        data[f"form-{index}-position"] = wanted[pk]
    assert admin_client.post(url, data).status_code == 302
    positions = dict(Placement.objects.values_list("pk", "position"))
    assert positions == {rows[2].pk: 1, rows[0].pk: 2, rows[1].pk: 3}


@pytest.mark.parametrize(
    "typed, expected",
    [
        # The last two to the top, in one save: they lead, the others follow in order.
        ({"E": 1, "D": 2}, ["E", "D", "A", "B", "C"]),
        ({"D": 2, "E": 1}, ["E", "D", "A", "B", "C"]),
        # The first two to the end.
        ({"A": 4, "B": 5}, ["C", "D", "E", "A", "B"]),
        # Past the end, and two typed alike: the end; the first typed first.
        ({"A": 9, "B": 9}, ["C", "D", "E", "A", "B"]),
        ({"B": 4, "D": 2}, ["A", "D", "C", "B", "E"]),
    ],
)
def test_rows_moved_together_in_a_list_save_keep_the_others_in_order(admin_client, typed, expected):
    from catalog.models import Section
    from tests.factories import SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    rows = {
        title: SectionFactory(title=title, slug=title.lower(), parent=part, position=n)
        for n, title in enumerate("ABCDE", start=1)
    }
    url = reverse("admin:catalog_section_changelist") + f"?parent__id__exact={part.pk}"
    seen = shown(admin_client, url, "changelist-form")
    index = {seen[f"form-{n}-id"][0]: n for n in range(5)}
    for title, position in typed.items():
        seen[f"form-{index[str(rows[title].pk)]}-position"] = [str(position)]
    assert admin_client.post(url, {**seen, "_save": ["Save"]}).status_code == 302
    order = list(Section.objects.filter(parent=part).order_by("position"))
    assert [section.title for section in order] == expected
    assert [section.position for section in order] == [1, 2, 3, 4, 5]


def test_the_sections_list_reads_in_the_taxonomy_s_order(admin_client):
    from tests.factories import SectionFactory

    second = SectionFactory(title="Second part", slug="second", position=2)
    first = SectionFactory(title="First part", slug="first", position=1)
    SectionFactory(title="Second's child", slug="second-child", parent=second, position=1)
    SectionFactory(title="First's second child", slug="first-b", parent=first, position=2)
    SectionFactory(title="First's first child", slug="first-a", parent=first, position=1)
    html = admin_client.get(reverse("admin:catalog_section_changelist")).content.decode()
    rows = html.split('id="result_list"')[1]
    titles = re.findall(r'<a href="/admin/catalog/section/\d+/change/[^"]*">([^<]+)</a>', rows)
    assert titles == [
        "First part",
        "First&#x27;s first child",
        "First&#x27;s second child",
        "Second part",
        "Second&#x27;s child",
    ]
    # No column header claims that order; clicking one sorts by it.
    assert "sorted ascending" not in html.split('id="result_list"')[1].split("</thead>")[0]
    by_title = admin_client.get(reverse("admin:catalog_section_changelist") + "?o=2")
    assert "sorted ascending" in by_title.content.decode()


def two_parts_with_a_debate_each():
    from tests.factories import PlacementFactory, SectionFactory

    second = SectionFactory(title="Second part", slug="second", position=2)
    first = SectionFactory(title="First part", slug="first", position=1)
    later = SectionFactory(title="Debate", slug="debate-2", parent=second, position=1)
    earlier = SectionFactory(title="Debate", slug="debate-1", parent=first, position=2)
    SectionFactory(title="Critique", slug="critique", parent=first, position=1)
    return PlacementFactory(section=later, position=1), earlier, later


def autocomplete(client, term: str) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "placement", "field_name": "section", "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_section_pickers_show_numbers_in_reading_order(admin_client):
    """Two sections called "Debate": the pickers tell them apart by number, list them in the
    taxonomy's order, and find them by title or by number."""
    placement, _earlier, _later = two_parts_with_a_debate_each()
    assert autocomplete(admin_client, "debate") == ["1.2 Debate", "2.1 Debate"]
    assert autocomplete(admin_client, "") == [
        "1 First part",
        "1.1 Critique",
        "1.2 Debate",
        "2 Second part",
        "2.1 Debate",
    ]
    assert autocomplete(admin_client, "2") == ["2 Second part", "2.1 Debate"]
    assert autocomplete(admin_client, "1.2.") == ["1.2 Debate"]
    assert autocomplete(admin_client, "9.9") == []
    assert autocomplete(admin_client, "deb\x00ate") == ["1.2 Debate", "2.1 Debate"]
    # Typed as a picker shows it, number and title.
    assert autocomplete(admin_client, "2.1 Debate") == ["2.1 Debate"]
    assert autocomplete(admin_client, "first") == ["1 First part"]

    # The chosen section, as the placement and paper forms show it.
    for url in (
        reverse("admin:catalog_placement_change", args=[placement.pk]),
        reverse("admin:catalog_paper_change", args=[placement.paper_id]),
    ):
        html = admin_client.get(url).content.decode()
        assert re.search(r'<option value="\d+" selected>2\.1 Debate</option>', html), url


def test_a_cycle_saved_before_the_check_can_be_repaired(admin_client, client):
    """Two sections each the other's parent (saved before Section.clean refused it): clearing
    one's parent must not send the check around the cycle for ever."""
    from catalog.models import Section
    from tests.factories import SectionFactory

    first = SectionFactory(title="Arena", slug="arena", position=1)
    second = SectionFactory(title="Arena child", slug="arena-child", parent=first, position=1)
    Section.objects.filter(pk=first.pk).update(parent=second)  # the old cycle
    response = admin_client.post(
        reverse("admin:catalog_section_change", args=[first.pk]),
        {"title": "Arena", "slug": "arena", "position": 1, "parent": ""},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.parent_id is None
    assert "Arena child" in client.get("/README.md").content.decode()


def test_a_crafted_list_post_is_not_a_500(admin_client):
    from tests.factories import PlacementFactory, SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    rows = [PlacementFactory(section=part, position=n) for n in (1, 2)]
    url = reverse("admin:catalog_placement_changelist") + f"?section={part.pk}"
    page = admin_client.get(url).content.decode()
    listed = [int(pk) for pk in re.findall(r'name="form-\d+-id" value="(\d+)"', page)]
    data = {"form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2, "_save": "Save"}
    for index, pk in enumerate(listed):
        data[f"form-{index}-id"] = pk
        data[f"form-{index}-position"] = {rows[0].pk: 2, rows[1].pk: 1}[pk]
    # Keys beyond TOTAL_FORMS, and a position Python's int() refuses, are ignored.
    data.update({"form-7-id": rows[0].pk, "form-7-position": "²", "form-TOTAL_FORMS": 2})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert admin_client.post(url, {**data, "form-0-position": "²"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_deleting_many_papers_rewrites_the_readme_once(admin_client, settings, tmp_path, caplog):
    import logging

    from tests.factories import PlacementFactory

    papers = [PlacementFactory().paper for _ in range(4)]
    settings.README_EXPORT_PATH = str(tmp_path / "README.md")
    caplog.set_level(logging.INFO, logger="catalog.readme.export")
    caplog.clear()
    response = admin_client.post(
        reverse("admin:catalog_paper_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [paper.pk for paper in papers],
        },
    )
    assert response.status_code == 302
    rewrites = [r for r in caplog.records if r.getMessage().startswith("README at")]
    assert len(rewrites) == 1


def test_an_edit_over_a_newer_version_of_the_paper_is_refused(admin_client, admin_user):
    """A form opened before a correction was approved, saved after, put the old values back."""
    from curation.services import submission_approve
    from tests.factories import LinkFactory, PlacementFactory, sent_correction

    placement = PlacementFactory(paper__venue="arXiv", paper__year=2023)
    paper = placement.paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2305.00001")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    page = admin_client.get(url).content.decode()
    seen = re.search(r'name="seen_version" value="([^"]+)"', page).group(1)
    correction = sent_correction(paper, venue="NeurIPS")
    submission_approve(submission=correction, reviewer=admin_user)
    stale = paper_form(paper, venue="arXiv", year=2024, seen_version=seen)
    response = admin_client.post(url, stale)
    assert response.status_code == 200
    assert "This paper was changed after you opened it" in response.content.decode()
    paper.refresh_from_db()
    assert (paper.venue, paper.year) == ("NeurIPS", 2023)
    fresh = re.search(
        r'name="seen_version" value="([^"]+)"', admin_client.get(url).content.decode()
    ).group(1)
    response = admin_client.post(url, paper_form(paper, year=2024, seen_version=fresh))
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.venue, paper.year) == ("NeurIPS", 2024)


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:curation_submission_changelist",
        "admin:catalog_paper_changelist",
        "admin:catalog_newsitem_changelist",
        "admin:quality_linkcheck_changelist",
    ],
)
@pytest.mark.parametrize(
    "query",
    [
        "__year=99999999999999999999",
        "__year=9999&{field}__month=12&{field}__day=31",
        "__year=9999",
        "__year=0",
    ],
)
def test_a_date_drill_down_past_the_calendar_is_an_error_page_not_a_500(
    admin_client, changelist, query
):
    field = {"admin:catalog_newsitem_changelist": "date"}.get(changelist, "created_at")
    field = "checked_at" if "linkcheck" in changelist else field
    url = reverse(changelist) + f"?{field}" + query.format(field=field)
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")  # Django's "wrong filter" page


@pytest.mark.parametrize("selected", [["abc"], [""], ["99999999999999999999"], ["1", "x"]])
def test_an_action_on_rows_that_cannot_exist_changes_nothing(admin_client, selected):
    from tests.factories import PlacementFactory

    placement = PlacementFactory()
    url = reverse("admin:catalog_paper_changelist")
    data = {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed: the selection names a row that does not exist." in (
        response.content.decode()
    )
    assert Paper.objects.filter(pk=placement.paper_id).exists()


def test_every_admin_list_is_guarded_against_crafted_requests():
    """A new list, or one re-registered by an installed app, must take the guard too."""
    from django.contrib import admin

    from config.admin_guards import GuardedAdminMixin

    admin.autodiscover()  # as the URLconf does (config.admin_app)
    assert admin.site.is_registered(Paper)
    unguarded = [
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, GuardedAdminMixin)
    ]
    assert unguarded == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/group/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
        "/admin/axes/accessattempt/",
    ],
)
def test_the_groups_and_login_logs_lists_refuse_crafted_requests_too(admin_client, url):
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": ["abc"]}, follow=True
    )
    assert response.status_code == 200
    assert "the selection names a row that does not exist" in response.content.decode()
    if "axes" in url:
        field = "attempt_time"
        drill = admin_client.get(f"{url}?{field}__year=99999999999999999999")
        assert drill.status_code == 302 and drill["Location"].endswith("?e=1")


def test_an_editable_list_sent_with_an_impossible_or_repeated_row_changes_nothing(admin_client):
    from tests.factories import SectionFactory

    first = SectionFactory(title="First", slug="first", position=1)
    second = SectionFactory(title="Second", slug="second", position=2)
    url = reverse("admin:catalog_section_changelist")
    base = {"form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2, "_save": "Save"}
    huge = {
        **base,
        "form-0-id": "99999999999999999999",
        "form-0-position": 3,
        "form-1-id": second.pk,
        "form-1-position": 2,
    }
    twice = {
        **base,
        "form-0-id": first.pk,
        "form-0-position": 3,
        "form-1-id": first.pk,
        "form-1-position": 1,
    }
    for data, said in ((huge, "a row that does not exist"), (twice, "one row twice")):
        response = admin_client.post(url, data, follow=True)
        assert response.status_code == 200
        assert f"Nothing was changed: the list was sent with {said}." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (1, 2)


def test_the_paper_form_keeps_the_list_s_rules_for_titles_authors_and_paper_links(
    admin_client,
):
    """What check_catalog would report as errors is not saved through the admin either: a
    title ending in a period (stored without it, as the public form stores it), no authors,
    and another paper's paper link (one paper is one record)."""
    from tests.factories import LinkFactory, PlacementFactory

    listed = PlacementFactory(paper__title="Self-Rewarding Language Models").paper
    LinkFactory(paper=listed, label="paper", url="https://arxiv.org/abs/2401.10020")
    paper = PlacementFactory(paper__title="Weak-to-Strong Debate").paper
    own = LinkFactory(paper=paper, label="paper", url="https://arxiv.org/abs/2409.00001")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    link_rows = {
        "links-TOTAL_FORMS": 1,
        "links-INITIAL_FORMS": 1,
        "links-0-id": own.pk,
        "links-0-paper": paper.pk,
        "links-0-position": 1,
        "links-0-label": "paper",
        "links-0-url": own.url,
    }

    for authors in ("  ", ". ."):
        response = admin_client.post(url, paper_form(paper, authors=authors, **link_rows))
        assert response.status_code == 200
        assert "This field is required." in response.content.decode().split('field-authors">')[1]

    taken = {**link_rows, "links-0-url": "https://arxiv.org/pdf/2401.10020v3"}
    response = admin_client.post(url, paper_form(paper, **taken))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Paper {listed.pk}, “Self-Rewarding Language Models”, already has this paper link" in (
        html.replace("&#x27;", "'")
    )
    assert paper.links.get().url == "https://arxiv.org/abs/2409.00001"

    # Nor through the Links list.
    response = admin_client.post(
        reverse("admin:catalog_link_change", args=[own.pk]),
        {"paper": paper.pk, "label": "paper", "url": taken["links-0-url"], "position": 1},
    )
    assert (
        response.status_code == 200 and "already has this paper link" in response.content.decode()
    )
    assert paper.links.get().url == "https://arxiv.org/abs/2409.00001"

    # As a code link it is no paper link; the title's final period is the README's to add.
    as_code = {**taken, "links-0-label": "code"}
    response = admin_client.post(url, paper_form(paper, title="Weak-to-Strong Debate.", **as_code))
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Weak-to-Strong Debate"
    assert paper.links.get().label == "code"

    # A paper link two papers already share (an old import) does not stop other edits.
    own.refresh_from_db()
    own.label, own.url = "paper", "https://arxiv.org/abs/2401.10020"
    own.save()
    shared = {**link_rows, "links-0-url": "https://arxiv.org/abs/2401.10020"}
    response = admin_client.post(url, paper_form(paper, venue="ICML", **shared))
    assert response.status_code == 302


def test_a_section_that_open_submissions_ask_for_is_not_deleted(admin_client, admin_user):
    from catalog.models import Section
    from curation.services import submission_reject
    from tests.factories import SectionFactory, sent_submission

    section = SectionFactory(title="Temporary Section")
    submission = sent_submission(sections=[section])
    url = reverse("admin:catalog_section_delete", args=[section.pk])
    page = admin_client.get(url).content.decode()
    assert "Open submission: New paper: Weak-to-Strong Debate (decide it first)" in page
    admin_client.post(url, {"post": "yes"})
    assert Section.objects.filter(pk=section.pk).exists()
    assert list(submission.sections.all()) == [section]
    # Through the list's delete action too.
    admin_client.post(
        reverse("admin:catalog_section_changelist"),
        {"action": "delete_selected", "_selected_action": [section.pk], "post": "yes"},
    )
    assert Section.objects.filter(pk=section.pk).exists()
    submission_reject(submission=submission, reviewer=admin_user, note="Out of scope")
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()
    # The decided submission keeps, in its history, the section it proposed and who deleted it.
    assert not submission.sections.exists()
    event = submission.events.get(action="section_deleted")
    assert (
        event.note
        == "The section “1 Temporary Section”, which this submission proposed, was deleted."
    )
    assert event.actor == admin_user and event.from_state == event.to_state == "rejected"


def test_sections_deleted_together_from_the_list_each_leave_their_name(admin_client, admin_user):
    from catalog.models import Section
    from curation.services import submission_reject
    from tests.factories import SectionFactory, sent_submission

    part = SectionFactory(title="Kept part", position=1)
    first = SectionFactory(title="Old child", parent=part, position=1)
    second = SectionFactory(title="Older child", parent=part, position=2)
    submission = sent_submission(sections=[part, first, second])
    submission_reject(submission=submission, reviewer=admin_user, note="Out of scope")
    response = admin_client.post(
        reverse("admin:catalog_section_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Section.objects.all()) == [part]
    notes = sorted(
        submission.events.filter(action="section_deleted").values_list("note", flat=True)
    )
    assert notes == [
        "The section “1.1 Old child”, which this submission proposed, was deleted.",
        "The section “1.2 Older child”, which this submission proposed, was deleted.",
    ]
    assert list(submission.sections.all()) == [part]


def shown(client, url: str, form_id: str) -> dict[str, list[str]]:
    from tests.html_forms import form_fields

    return form_fields(client.get(url).content.decode(), form_id)


def test_a_list_saved_after_another_maintainer_moved_a_row_saves_nothing(admin_client, client):
    """Two maintainers with the Sections list open: B moves one section; A, on the page
    opened before, edits another row and saves. A's page still shows B's row where it was:
    saving it would move it back, so nothing is saved and the row says why."""
    from django.contrib.auth import get_user_model

    from catalog.models import Section
    from tests.factories import SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    agent, instruction, math = (
        SectionFactory(title=title, parent=part, position=n)
        for n, title in enumerate(["Agent", "Instruction Following", "Math"], start=1)
    )
    url = reverse("admin:catalog_section_changelist") + f"?parent__id__exact={part.pk}"
    seen_by_a = shown(admin_client, url, "changelist-form")

    other = get_user_model().objects.create_superuser("bee", "bee@example.org", "pw")
    client.force_login(other)
    b_url = reverse("admin:catalog_section_change", args=[math.pk])
    b_form = {**shown(client, b_url, "section_form"), "position": ["1"], "_save": ["Save"]}
    assert client.post(b_url, b_form).status_code == 302
    moved = dict(Section.objects.filter(parent=part).values_list("title", "position"))
    assert moved == {"Math": 1, "Agent": 2, "Instruction Following": 3}

    rows = {seen_by_a[f"form-{n}-id"][0]: n for n in range(3)}
    seen_by_a[f"form-{rows[str(agent.pk)]}-position"] = ["3"]
    response = admin_client.post(url, {**seen_by_a, "_save": ["Save"]})
    assert response.status_code == 200
    assert "This changed after the page was opened" in response.content.decode()
    assert dict(Section.objects.filter(parent=part).values_list("title", "position")) == moved

    # Reloaded, the same edit saves.
    fresh = shown(admin_client, url, "changelist-form")
    rows = {fresh[f"form-{n}-id"][0]: n for n in range(3)}
    fresh[f"form-{rows[str(agent.pk)]}-position"] = ["3"]
    assert admin_client.post(url, {**fresh, "_save": ["Save"]}).status_code == 302
    assert Section.objects.get(pk=agent.pk).position == 3
    assert Section.objects.get(pk=math.pk).position == 1
    assert Section.objects.get(pk=instruction.pk).position == 2


def test_a_paper_form_saved_after_its_placement_moved_saves_nothing(admin_client):
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    section = SectionFactory(title="Self-Judge", slug="self-judge")
    first, second, third = (PlacementFactory(section=section, position=n) for n in (1, 2, 3))
    paper_url = reverse("admin:catalog_paper_change", args=[first.paper_id])
    seen = shown(admin_client, paper_url, "paper_form")
    # Meanwhile the placement is moved in the Placements list.
    placement_url = reverse("admin:catalog_placement_change", args=[first.pk])
    moving = {**shown(admin_client, placement_url, "placement_form"), "position": ["3"]}
    assert admin_client.post(placement_url, moving).status_code == 302
    assert Placement.objects.get(pk=first.pk).position == 3

    response = admin_client.post(
        paper_url, {**seen, "authors": ["Edited et al."], "_save": ["Save"]}
    )
    assert response.status_code == 200
    assert "This changed after the page was opened" in response.content.decode()
    assert Placement.objects.get(pk=first.pk).position == 3
    first.paper.refresh_from_db()
    assert first.paper.authors != "Edited et al."
    after_move = {second.pk: 1, third.pk: 2, first.pk: 3}
    assert dict(Placement.objects.values_list("pk", "position")) == after_move


def test_a_section_renamed_meanwhile_is_not_renamed_back(admin_client):
    from tests.factories import SectionFactory

    section = SectionFactory(title="Text Critic", slug="text-critic")
    url = reverse("admin:catalog_section_change", args=[section.pk])
    seen = shown(admin_client, url, "section_form")
    renamed = {**shown(admin_client, url, "section_form"), "title": ["Text Critic (B)"]}
    assert admin_client.post(url, renamed).status_code == 302
    late = {**seen, "description": ["Critiques in text."]}
    response = admin_client.post(url, late)
    assert response.status_code == 200
    assert "This changed after the page was opened" in response.content.decode()
    section.refresh_from_db()
    assert (section.title, section.description) == ("Text Critic (B)", "")


def test_a_renamed_section_s_old_address_leads_to_it(admin_client, client):
    """A section's address is shared (README readers, other sites): renaming its slug in
    the admin keeps the old one working, with a permanent redirect, pages included."""
    from catalog.models import FormerSlug
    from tests.factories import PlacementFactory, SectionFactory

    section = SectionFactory(title="Task Decompsition", slug="task-decompsition")
    PlacementFactory(section=section)
    url = reverse("admin:catalog_section_change", args=[section.pk])
    renamed = {
        **shown(admin_client, url, "section_form"),
        "title": ["Task Decomposition"],
        "slug": ["task-decomposition"],
    }
    assert admin_client.post(url, renamed).status_code == 302
    old = client.get("/sections/task-decompsition/?page=1")
    assert old.status_code == 301
    assert old["Location"] == "/sections/task-decomposition/?page=1"
    assert client.get(old["Location"]).status_code == 200
    # Renamed back, the slug is its own again; a new section may take a former slug.
    section.refresh_from_db()
    section.slug = "task-decompsition"
    section.save()
    assert client.get("/sections/task-decompsition/").status_code == 200
    assert client.get("/sections/task-decomposition/")["Location"] == "/sections/task-decompsition/"
    SectionFactory(title="Task Decomposition", slug="task-decomposition")
    assert client.get("/sections/task-decomposition/").status_code == 200
    assert not FormerSlug.objects.filter(slug="task-decomposition").exists()
    assert client.get("/sections/never-was/").status_code == 404


def test_a_page_whose_row_was_deleted_meanwhile_says_so_and_shows_the_page_as_it_is(
    admin_client,
):
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    first, second = SectionFactory(slug="first"), SectionFactory(slug="second")
    kept = PlacementFactory(section=first)
    gone = PlacementFactory(section=second, paper=kept.paper)
    paper_url = reverse("admin:catalog_paper_change", args=[kept.paper_id])
    seen_paper = shown(admin_client, paper_url, "paper_form")
    list_url = reverse("admin:catalog_placement_changelist") + f"?section={second.pk}"
    other = PlacementFactory(section=second)
    seen_list = shown(admin_client, list_url, "changelist-form")
    gone.delete()  # another maintainer

    response = admin_client.post(paper_url, {**seen_paper, "year": ["2021"]}, follow=True)
    assert "a row of this page was deleted by another maintainer" in response.content.decode()
    assert response.redirect_chain[-1][0] == paper_url
    kept.paper.refresh_from_db()
    assert kept.paper.year != 2021

    rows = {seen_list[f"form-{n}-id"][0]: n for n in range(2)}
    seen_list[f"form-{rows[str(other.pk)]}-position"] = ["1"]
    response = admin_client.post(list_url, {**seen_list, "_save": ["Save"]}, follow=True)
    assert "a row of this page was deleted by another maintainer" in response.content.decode()
    assert Placement.objects.get(pk=other.pk).position == other.position


def test_a_change_to_what_a_list_does_not_show_does_not_stop_its_save(admin_client):
    """The Sections list edits positions only: another maintainer's new description of a
    listed section is no conflict (the save writes the description as it is then)."""
    from catalog.models import Section
    from tests.factories import SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    agent = SectionFactory(title="Agent", parent=part, position=1)
    math = SectionFactory(title="Math", parent=part, position=2)
    url = reverse("admin:catalog_section_changelist") + f"?parent__id__exact={part.pk}"
    seen = shown(admin_client, url, "changelist-form")
    Section.objects.filter(pk=math.pk).update(description="Proofs and problems.")
    rows = {seen[f"form-{n}-id"][0]: n for n in range(2)}
    seen[f"form-{rows[str(agent.pk)]}-position"] = ["2"]
    assert admin_client.post(url, {**seen, "_save": ["Save"]}).status_code == 302
    math.refresh_from_db()
    assert (math.position, math.description) == (1, "Proofs and problems.")
    assert Section.objects.get(pk=agent.pk).position == 2


def test_a_link_added_on_a_paper_s_page_goes_after_its_other_links(admin_client):
    """The row "Add another Link" clones starts at the position after the paper's links, so a
    new code link lands after the existing one, not before it; a row added and left empty
    is ignored."""
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__title="Weak-to-Strong Debate").paper
    LinkFactory(paper=paper, label="paper", url="https://arxiv.org/abs/2409.00001", position=1)
    LinkFactory(paper=paper, label="code", url="https://github.com/a/one", position=2)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    assert fields["links-__prefix__-position"] == ["3"]

    def with_added_rows(*urls: str) -> dict:
        posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
        first = int(posted["links-TOTAL_FORMS"])
        for offset, added in enumerate(urls):
            for name, values in fields.items():
                if name.startswith("links-__prefix__-"):
                    posted[name.replace("__prefix__", str(first + offset))] = values[0]
            if added:
                posted[f"links-{first + offset}-label"] = "code"
                posted[f"links-{first + offset}-url"] = added
        posted["links-TOTAL_FORMS"] = first + len(urls)
        return posted

    assert admin_client.post(url, with_added_rows("")).status_code == 302  # nothing added
    assert paper.links.count() == 2
    fields = shown(admin_client, url, "paper_form")
    response = admin_client.post(url, with_added_rows("https://github.com/a/two"))
    assert response.status_code == 302
    assert [link.url for link in paper.links.filter(label="code").order_by("position", "id")] == [
        "https://github.com/a/one",
        "https://github.com/a/two",
    ]
    assert shown(admin_client, url, "paper_form")["links-__prefix__-position"] == ["4"]


def test_a_paper_s_history_shows_its_placements_added_moved_and_removed_in_the_placements_list(
    admin_client,
):
    """Where a paper was listed and moved is in its own History, whichever list the change
    was made in: the Placements list, or another row making room."""
    from catalog.models import Placement
    from tests.factories import PaperFactory, PlacementFactory, SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    debate = SectionFactory(title="Debate", slug="debate", parent=part, position=1)
    first, second = (PlacementFactory(section=debate, position=n) for n in (1, 2))
    newcomer = PaperFactory(title="A newcomer")

    def history(paper) -> str:
        url = reverse("admin:catalog_paper_history", args=[paper.pk])
        return admin_client.get(url).content.decode().replace("&#x27;", "'")

    # Added at position 1 from the Placements list: the first paper makes room.
    add_url = reverse("admin:catalog_placement_add")
    response = admin_client.post(
        add_url, {"paper": newcomer.pk, "section": debate.pk, "position": 1}
    )
    assert response.status_code == 302
    assert "In “1.1 Debate”: Listed at position 1." in history(newcomer)
    assert "In “1.1 Debate”: Moved to position 2 to make room for" in history(first.paper)

    # Moved in the list.
    url = reverse("admin:catalog_placement_changelist") + f"?section={debate.pk}"
    seen = shown(admin_client, url, "changelist-form")
    rows = {seen[f"form-{n}-id"][0]: n for n in range(3)}
    placed = Placement.objects.get(paper=newcomer)
    seen[f"form-{rows[str(placed.pk)]}-position"] = ["3"]
    assert admin_client.post(url, {**seen, "_save": ["Save"]}).status_code == 302
    assert "In “1.1 Debate”: Changed Position. Now at position 3." in history(newcomer)
    assert "In “1.1 Debate”: Moved to position 2" in history(second.paper)

    # Taken out, by the list's delete action.
    admin_client.post(
        reverse("admin:catalog_placement_changelist"),
        {"action": "delete_selected", "_selected_action": [placed.pk], "post": "yes"},
    )
    assert not Placement.objects.filter(pk=placed.pk).exists()
    assert "In “1.1 Debate”: Taken out of this section." in history(newcomer)


@pytest.mark.parametrize(
    "query",
    [
        # Years Python's dates cannot hold, on date fields with no drill-down.
        "/admin/catalog/placement/?created_at__year=0",
        "/admin/catalog/placement/?created_at__year=99999999999999999999",
        "/admin/catalog/paper/?updated_at__iso_year=0",
        "/admin/auth/user/?date_joined__year=0",
        "/admin/curation/submission/?reviewed_at__year=0",
        # A NUL in a text filter (PostgreSQL refuses it in a query; refused on SQLite too).
        "/admin/catalog/paper/?venue=%00",
        "/admin/catalog/paper/?title__contains=%00",
        "/admin/catalog/section/?slug=%00",
        "/admin/curation/submission/?kind=%00",
        "/admin/auth/user/?username=%00",
        # Malformed or huge values.
        "/admin/catalog/paper/?id__range=1",
        "/admin/catalog/paper/?id__in=99999999999999999999",
        "/admin/axes/accessattempt/?ip_address=abc",
    ],
)
def test_a_filter_value_the_database_cannot_take_is_the_wrong_filter_page(admin_client, query):
    from tests.factories import PlacementFactory

    PlacementFactory()
    from django.db import connection

    response = admin_client.get(query)
    # Values one database takes (and matches no row with): "abc" in SQLite's text column
    # for addresses (PostgreSQL's inet refuses it); an id past 64 bits in PostgreSQL's
    # numeric comparison (SQLite's integers overflow).
    taken = {"sqlite": "ip_address=abc", "postgresql": "id__in=99999999999999999999"}
    if taken.get(connection.vendor, "") in query:
        assert response.status_code == 200
        return
    assert response.status_code == 302 and response["Location"].endswith("?e=1"), query
    assert admin_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("lookup", ["title__regex=debate", "title__iregex=[z-a]"])
def test_a_regular_expression_filter_is_refused(admin_client, lookup):
    """On SQLite the expression runs in Python under the database lock: `(.*.*)*` hung every
    request. No list offers such a filter; a crafted one gets a 400."""
    from tests.factories import PlacementFactory

    PlacementFactory()
    assert admin_client.get(f"/admin/catalog/paper/?{lookup}").status_code == 400


def test_an_autocomplete_field_given_no_row_id_says_so_instead_of_a_500(admin_client):
    from catalog.models import Placement
    from tests.factories import PlacementFactory

    placement = PlacementFactory()
    paper = placement.paper
    for query in ("?paper=abc", "?paper=%00", "?paper=99999999999999999999"):
        assert admin_client.get(f"/admin/catalog/placement/add/{query}").status_code == 200
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    posted["placements-0-section"] = "abc"
    response = admin_client.post(url, posted)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(Placement.objects.values_list("pk", "section_id")) == [
        (placement.pk, placement.section_id)
    ]
    section_url = reverse("admin:catalog_section_change", args=[placement.section_id])
    section_form = {
        name: values[0] for name, values in shown(admin_client, section_url, "section_form").items()
    }
    response = admin_client.post(section_url, {**section_form, "parent": "abc"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_two_aliases_differing_in_case_in_one_save_are_a_form_error(admin_client):
    from quality.models import Venue

    response = admin_client.post(
        "/admin/quality/venue/add/",
        {
            "name": "Fuzz Venue",
            "aliases-TOTAL_FORMS": 2,
            "aliases-INITIAL_FORMS": 0,
            "aliases-0-alias": "FV",
            "aliases-1-alias": "fv",
        },
    )
    assert response.status_code == 200
    assert "“FV” is in this list already: aliases match without regard to case." in (
        response.content.decode()
    )
    assert not Venue.objects.filter(name="Fuzz Venue").exists()


def test_a_form_posting_a_stored_row_as_new_saves_nothing_and_says_so(admin_client):
    """A crafted INITIAL_FORMS makes the paper's stored link a new row: the database's unique
    constraint refuses it. A message, not a 500; nothing saved."""
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__title="Weak-to-Strong Debate").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2409.00001")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    posted.update({"links-INITIAL_FORMS": "0", "links-0-id": "", "title": "Changed title"})
    response = admin_client.post(url, posted, follow=True)
    assert response.status_code == 200
    assert "Nothing was saved: two rows of the form are the same" in response.content.decode()
    paper.refresh_from_db()
    assert paper.title == "Weak-to-Strong Debate" and paper.links.count() == 1


@pytest.mark.parametrize("position", ["1000001", "2147483647", "9223372036854775807"])
def test_a_position_past_a_million_is_refused_alike_on_both_databases(admin_client, position):
    """A placement stored at 2,147,483,647 (PostgreSQL's largest integer) made every later
    approval into its section fail: the new paper goes one past the last. SQLite took larger
    ones still. Refused in the form, on the list and on the change page alike."""
    from catalog.models import Placement, Section
    from tests.factories import PlacementFactory

    placement = PlacementFactory(position=1)
    url = reverse("admin:catalog_placement_change", args=[placement.pk])
    fields = {
        name: values[0] for name, values in shown(admin_client, url, "placement_form").items()
    }
    response = admin_client.post(url, {**fields, "position": position})
    assert response.status_code == 200
    assert "less than or equal to 1000000" in response.content.decode()
    list_url = reverse("admin:catalog_section_changelist")
    seen = shown(admin_client, list_url, "changelist-form")
    seen["form-0-position"] = [position]
    response = admin_client.post(list_url, {**seen, "_save": ["Save"]})
    assert response.status_code == 200
    assert "less than or equal to 1000000" in response.content.decode()
    assert Placement.objects.get().position == 1
    assert Section.objects.get().position == placement.section.position


def test_row_fields_of_lists_and_inlines_have_names_to_hear(admin_client):
    """Fields under column headings have no <label>: a screen reader said "spin button 3".
    Each row's fields, and its Delete box, are named after the row."""
    from tests.factories import LinkFactory, PlacementFactory

    placement = PlacementFactory(paper__title="Weak-to-Strong Debate", section__title="Debate")
    LinkFactory(paper=placement.paper, label="code", url="https://github.com/a/b")
    page = admin_client.get(reverse("admin:catalog_placement_changelist")).content.decode()
    position = re.search(r'<input[^>]*name="form-0-position"[^>]*>', page).group(0)
    assert 'aria-label="Position of “Weak-to-Strong Debate in Debate”"' in position
    url = reverse("admin:catalog_paper_change", args=[placement.paper.pk])
    page = admin_client.get(url).content.decode()
    for name in ("links-0-position", "links-0-label", "links-0-url", "links-0-DELETE"):
        tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-label="' in tag, name
    assert 'aria-label="Delete “[code] https://github.com/a/b”"' in page
    section = re.search(r'<select[^>]*name="placements-0-section"[^>]*>', page).group(0)
    assert 'aria-label="Section of “Weak-to-Strong Debate in Debate”"' in section
    # A change page's own fields keep their visible labels as their names.
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert "aria-label" not in title


def test_the_papers_venue_filter_names_the_papers_without_one(admin_client):
    """Django's filter printed the blank venue as a link with no text, reachable by Tab."""
    from tests.factories import PlacementFactory

    PlacementFactory(paper__title="Without a venue", paper__venue="")
    PlacementFactory(paper__title="At ICLR", paper__venue="ICLR")
    url = reverse("admin:catalog_paper_changelist")
    filters = admin_client.get(url).content.decode().split('id="changelist-filter"')[1]
    assert re.search(r'<a href="\?venue=%28none%29">\s*\(no venue\)\s*</a>', filters)
    assert not re.search(r"<a [^>]*>\s*</a>", filters)
    rows = admin_client.get(url + "?venue=%28none%29").content.decode()
    assert "Without a venue" in rows and "At ICLR" not in rows.split('id="result_list"')[1]


def test_lists_holding_a_position_past_the_limit_are_renumbered_by_the_migration(admin_client):
    """A position typed before the limit existed would refuse every later save of its list:
    migration 0016 numbers such lists 1 to n in their order, and leaves the others alone."""
    import importlib

    from django.apps import apps

    from catalog.models import Placement, Workshop
    from tests.factories import PlacementFactory, SectionFactory

    debate, other = SectionFactory(title="Debate"), SectionFactory(title="Other")
    rows = [PlacementFactory(section=debate, position=n) for n in (1, 2, 3)]
    Placement.objects.filter(pk=rows[0].pk).update(position=2_147_483_647)
    untouched = PlacementFactory(section=other, position=7)
    Workshop.objects.create(name="W", url="https://w.org", description="d", position=2_000_000)
    migration = importlib.import_module("catalog.migrations.0016_renumber_positions_past_the_limit")
    migration.renumber_lists_past_the_limit(apps, None)
    positions = dict(Placement.objects.values_list("pk", "position"))
    assert [positions[row.pk] for row in rows] == [3, 1, 2]
    assert positions[untouched.pk] == 7
    assert Workshop.objects.get().position == 1


def test_an_autocomplete_search_holding_a_nul_is_a_search_without_it(admin_client):
    """The paper picker of the Placements and Links forms searched PostgreSQL with the NUL
    typed (a 500); the search runs without it, as the section picker's does."""
    from tests.factories import PlacementFactory

    PlacementFactory(paper__title="Weak-to-Strong Debate")
    for model in ("placement", "link"):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "catalog",
                "model_name": model,
                "field_name": "paper",
                "term": "Weak\x00",
            },
        )
        assert response.status_code == 200, model
        assert [row["text"] for row in response.json()["results"]] == ["Weak-to-Strong Debate"]


def test_a_placement_saved_unchanged_adds_nothing_to_its_paper_s_history(admin_client):
    from django.contrib.admin.models import LogEntry

    from tests.factories import PlacementFactory

    placement = PlacementFactory(position=1)
    url = reverse("admin:catalog_placement_change", args=[placement.pk])
    fields = {
        name: values[0] for name, values in shown(admin_client, url, "placement_form").items()
    }
    from django.contrib.contenttypes.models import ContentType

    on_paper = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Paper), object_id=str(placement.paper_id)
    )
    assert admin_client.post(url, fields).status_code == 302
    assert not on_paper.exists()
    assert admin_client.post(url, {**fields, "position": "2"}).status_code == 302
    assert on_paper.count() == 1


@pytest.mark.parametrize("prefix", ["links", "placements"])
def test_a_crafted_row_count_on_a_paper_form_is_refused_without_building_thousands_of_rows(
    admin_client, prefix
):
    """TOTAL_FORMS=5000: Django built and rendered 2,000 rows (7 s). Now at most 100 rows,
    the formset's own refusal, and nothing saved."""
    paper = PaperFactory(title="Kept title")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    response = admin_client.post(
        url, paper_form(paper, title="Changed title", **{f"{prefix}-TOTAL_FORMS": 5000})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please submit at most 100 rows." in html
    rows = set(re.findall(rf'name="{prefix}-(\d+)-id"', html))
    assert 0 < len(rows) <= 100
    paper.refresh_from_db()
    assert paper.title == "Kept title"


def test_a_paper_form_within_the_row_limit_still_saves(admin_client):
    from tests.factories import LinkFactory

    paper = PaperFactory(title="Kept title")
    for position in range(1, 4):
        LinkFactory(paper=paper, url=f"https://example.org/{position}", position=position)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    posted["title"] = "Changed title"
    assert admin_client.post(url, posted).status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Changed title"
    assert paper.links.count() == 3


def test_a_crafted_row_count_on_an_editable_list_is_refused(admin_client):
    from catalog.models import Section
    from tests.factories import SectionFactory

    section = SectionFactory(title="Only", position=3)
    response = admin_client.post(
        reverse("admin:catalog_section_changelist"),
        {"form-TOTAL_FORMS": 5000, "form-INITIAL_FORMS": 0, "_save": "Save"},
    )
    assert response.status_code == 200
    assert "Please submit at most 200 forms." in response.content.decode()
    assert Section.objects.get(pk=section.pk).position == 3


def test_a_crafted_row_count_of_venue_aliases_is_refused(admin_client):
    from quality.models import Venue

    response = admin_client.post(
        "/admin/quality/venue/add/",
        {"name": "Crafted Venue", "aliases-TOTAL_FORMS": 5000, "aliases-INITIAL_FORMS": 0},
    )
    assert response.status_code == 200
    assert "Please submit at most 100 rows." in response.content.decode()
    assert not Venue.objects.filter(name="Crafted Venue").exists()


@pytest.mark.parametrize(
    "typed, year, stored, message",
    [
        ("Safety Workshop 2023", "", ("Safety Workshop", 2023), "and the year as 2023"),
        ("NIPS, 2019", "", ("NeurIPS", 2019), "and the year as 2019"),
        # With a year given, no publication year, or a year joined to a name: kept as typed.
        ("ICLR 2024", "2024", ("ICLR 2024", 2024), None),
        ("ICLR 2023", "2024", ("ICLR 2023", 2024), None),
        ("Conference 2099", "", ("Conference 2099", None), None),
        ("Workshop on 10000 Tokens", "", ("Workshop on 10000 Tokens", None), None),
        ("SemEval-2023", "", ("SemEval-2023", None), None),
        ("Proceedings of SemEval-2023", "2023", ("Proceedings of SemEval-2023", 2023), None),
    ],
)
def test_a_year_at_the_end_of_the_venue_is_saved_as_the_year(
    admin_client, typed, year, stored, message
):
    paper = PaperFactory(venue="", year=None)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    response = admin_client.post(url, paper_form(paper, venue=typed, year=year), follow=True)
    assert response.status_code == 200
    paper.refresh_from_db()
    assert (paper.venue, paper.year) == stored
    shown = [str(m) for m in response.context["messages"]]
    if message:
        assert f"Venue “{typed}” saved as “{stored[0]}”, {message}." in shown
    else:
        assert not [m for m in shown if m.startswith("Venue “")]
    # A venue the vocabulary does not know is pointed out, its year moved or not.
    unknown = Vocabulary.load().canonical_name(stored[0]) is None
    assert any("is not in the venue list" in m for m in shown) == unknown


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("Safety Workshop 2023", ("Safety Workshop", 2023)),
        ("SemEval-2023", ("SemEval-2023", None)),
        ("Conference 2099", ("Conference 2099", None)),
    ],
)
def test_a_venue_saved_with_a_year_at_its_end_comes_back_from_the_readme_unchanged(
    admin_client, typed, stored
):
    """The README writes "venue year." and reads a final year as the year: "Safety Workshop
    2023" with no year came back from an export as "Safety Workshop", 2023, and
    "SemEval-2023" as "SemEval-", 2023."""
    from catalog.models import Link, Placement
    from catalog.readme.export import render_readme
    from catalog.readme.importer import readme_import
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__venue="", paper__year=None).paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.00001")
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    posted.update({"venue": typed, "year": ""})
    assert admin_client.post(url, posted).status_code == 302
    paper.refresh_from_db()
    saved = (paper.title, paper.venue, paper.year)

    text = render_readme()
    Placement.objects.all().delete()
    Link.objects.all().delete()
    Paper.objects.all().delete()
    readme_import(text=text)
    [back] = Paper.objects.all()
    assert (back.title, back.venue, back.year) == saved == (paper.title, *stored)


def test_a_link_added_on_the_links_page_goes_after_the_paper_s_others(admin_client):
    """The standalone Add link page: no position typed puts it last (the model's 1 put it
    first); a typed position is kept."""
    from catalog.models import Link
    from tests.factories import LinkFactory

    paper = PaperFactory()
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.00001", position=1)
    LinkFactory(paper=paper, label=Link.Label.CODE, url="https://github.com/a/b", position=4)
    add = reverse("admin:catalog_link_add")
    page = admin_client.get(add).content.decode()
    assert "Leave empty to add the link after the paper" in page
    assert re.search(r'name="position"[^>]*>', page) and 'name="position" value="1"' not in page

    def post(url: str, position: str):
        return admin_client.post(
            add, {"paper": paper.pk, "label": "blog", "url": url, "position": position}
        )

    assert post("https://blog.example/one", "").status_code == 302
    assert Link.objects.get(url="https://blog.example/one").position == 5
    assert post("https://blog.example/two", "2").status_code == 302
    assert Link.objects.get(url="https://blog.example/two").position == 2
    # No paper chosen: the paper's error alone, nothing saved.
    response = admin_client.post(add, {"label": "blog", "url": "https://blog.example/3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html and "cannot be null" not in html
    assert not Link.objects.filter(url="https://blog.example/3").exists()


def test_changing_a_placement_s_paper_or_section_is_in_the_history_of_each_paper(admin_client):
    from catalog.models import Placement
    from tests.factories import PaperFactory, PlacementFactory, SectionFactory

    part = SectionFactory(title="Part", slug="part", position=1)
    debate = SectionFactory(title="Debate", slug="debate", parent=part, position=1)
    games = SectionFactory(title="Games", slug="games", parent=part, position=2)
    placement = PlacementFactory(section=debate, position=1, paper__title="First paper")
    first = placement.paper
    second = PaperFactory(title="Second paper")
    url = reverse("admin:catalog_placement_change", args=[placement.pk])

    def history(paper) -> str:
        page = admin_client.get(reverse("admin:catalog_paper_history", args=[paper.pk]))
        return page.content.decode().replace("&#x27;", "'")

    def save(**changes):
        fields = shown(admin_client, url, "placement_form")
        posted = {name: values[0] for name, values in fields.items()}
        return admin_client.post(url, {**posted, **changes}, follow=True)

    # Another section: the paper's History names where it came from.
    assert save(section=str(games.pk)).status_code == 200
    assert "In “1.2 Games”: Moved here from “1.1 Debate”, to position 1." in history(first)

    # Another paper: both Histories tell it, and the first paper, now in no section, is
    # said to be off the site.
    response = save(paper=str(second.pk))
    assert Placement.objects.get(pk=placement.pk).paper_id == second.pk
    assert (
        "In “1.2 Games”: Taken out of this section: its row now lists “Second paper”."
        in history(first)
    )
    assert "In “1.2 Games”: Listed at position 1, in the row that listed another paper." in (
        history(second)
    )
    shown_messages = " ".join(str(m) for m in response.context["messages"])
    assert "“First paper” is in no section now" in shown_messages


def test_a_paper_with_more_links_than_the_row_limit_can_still_be_edited(admin_client):
    from catalog.models import Link
    from tests.factories import LinkFactory

    paper = PaperFactory(title="Kept title")
    Link.objects.bulk_create(
        Link(paper=paper, url=f"https://example.org/{n}", position=n, label="blog")
        for n in range(1, 106)
    )
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.00001", position=106)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    fields = shown(admin_client, url, "paper_form")
    posted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    assert posted["links-TOTAL_FORMS"] == "106"
    posted["title"] = "Changed title"
    posted["links-0-DELETE"] = "on"
    response = admin_client.post(url, posted)
    assert response.status_code == 302, response.content.decode()[-3000:]
    paper.refresh_from_db()
    assert paper.title == "Changed title"
    assert paper.links.count() == 105
    # Past the stored rows and 100 new ones: refused.
    fields = shown(admin_client, url, "paper_form")
    crafted = {name: values[0] for name, values in fields.items() if "__prefix__" not in name}
    crafted.update({"links-TOTAL_FORMS": "300", "title": "Crafted"})
    response = admin_client.post(url, crafted)
    # The limit the POST went past: the 105 stored rows and 100 new ones.
    assert "Please submit at most 205 rows." in response.content.decode()
    paper.refresh_from_db()
    assert paper.title == "Changed title"


@pytest.mark.parametrize("where", ["placements list", "paper form"])
def test_a_paper_off_the_list_whose_paper_link_was_published_since_is_not_placed_again(
    admin_client, where
):
    """One record per paper: taken out of its last section, the paper's arXiv id was approved
    as a new paper (another record). Placing the first again, from the Placements list or
    its own form, would list the paper twice: refused with a message naming the other."""
    from catalog.models import Placement
    from curation.services import submission_approve
    from tests.factories import LinkFactory, SectionFactory, sent_submission

    section = SectionFactory(title="Debate")
    first = PaperFactory(title="Tree of Thoughts")
    LinkFactory(paper=first, url="https://arxiv.org/abs/2305.10601")
    submission = sent_submission(
        sections=[section],
        title="Tree of Thoughts: Deliberate Problem Solving",
        links=[("paper", "https://arxiv.org/pdf/2305.10601v2")],
    )
    submission_approve(submission=submission, reviewer=submission_reviewer())
    second = Paper.objects.published().get()

    if where == "placements list":
        response = admin_client.post(
            reverse("admin:catalog_placement_add"),
            {"paper": first.pk, "section": section.pk, "position": 2},
        )
    else:
        data = paper_form(
            first,
            **{
                "placements-TOTAL_FORMS": 1,
                "placements-0-section": section.pk,
                "placements-0-position": 2,
                "placements-0-paper": first.pk,
            },
        )
        response = admin_client.post(reverse("admin:catalog_paper_change", args=[first.pk]), data)
    assert response.status_code == 200
    assert (
        f"Paper {second.pk}, “{second.title}”, was published with this paper&#x27;s paper link "
        "(arXiv 2305.10601) while this one was in no section" in response.content.decode()
    )
    assert not Placement.objects.filter(paper=first).exists()
    assert list(Paper.objects.published()) == [second]

    # A paper with its own paper link is placed as before.
    first.links.update(url="https://arxiv.org/abs/2305.99999", identifier="arxiv:2305.99999")
    response = admin_client.post(
        reverse("admin:catalog_placement_add"),
        {"paper": first.pk, "section": section.pk, "position": 2},
    )
    assert response.status_code == 302
    assert Paper.objects.published().count() == 2


def submission_reviewer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="reviewer", is_staff=True)[0]


def test_placing_a_paper_again_with_its_own_new_paper_link_in_the_same_save_is_not_refused(
    admin_client,
):
    """The refusal's own advice, given a new paper link, taken in the same save as the
    placement: the check reads the links as the save leaves them."""
    from catalog.models import Placement
    from curation.services import submission_approve
    from tests.factories import LinkFactory, SectionFactory, sent_submission

    section = SectionFactory(title="Debate")
    first = PaperFactory(title="Tree of Thoughts")
    old_link = LinkFactory(paper=first, url="https://arxiv.org/abs/2305.10601")
    submission = sent_submission(
        sections=[section],
        title="Tree of Thoughts: Deliberate Problem Solving",
        links=[("paper", "https://arxiv.org/pdf/2305.10601v2")],
    )
    submission_approve(submission=submission, reviewer=submission_reviewer())

    data = {
        "title": first.title,
        "authors": first.authors,
        "venue": first.venue,
        "year": first.year,
        # Its paper link replaced by its own, and a placement, in one save.
        "links-TOTAL_FORMS": 1,
        "links-INITIAL_FORMS": 1,
        "links-0-id": old_link.pk,
        "links-0-paper": first.pk,
        "links-0-position": 1,
        "links-0-label": "paper",
        "links-0-url": "https://arxiv.org/abs/2305.99999",
        "placements-TOTAL_FORMS": 1,
        "placements-INITIAL_FORMS": 0,
        "placements-0-section": section.pk,
        "placements-0-position": 2,
        "placements-0-paper": first.pk,
    }
    response = admin_client.post(reverse("admin:catalog_paper_change", args=[first.pk]), data)
    body = response.content.decode()
    assert "was published with this paper" not in body
    assert response.status_code == 302
    assert Placement.objects.filter(paper=first).exists()
    assert Paper.objects.published().count() == 2


def test_a_placement_added_without_a_position_goes_after_the_section_s_papers(admin_client):
    """As a link added without a position goes after its paper's others: a position left
    empty lists the paper last in its section; one typed still makes room there."""
    from catalog.models import Placement
    from tests.factories import PlacementFactory, SectionFactory

    section = SectionFactory(title="Debate")
    for position in (1, 2):
        PlacementFactory(section=section, position=position)
    newcomer, another = PaperFactory(title="Newcomer"), PaperFactory(title="Another")
    add = reverse("admin:catalog_placement_add")
    page = admin_client.get(add).content.decode()
    assert "Leave empty to list the paper after the section" in page
    response = admin_client.post(add, {"paper": newcomer.pk, "section": section.pk})
    assert response.status_code == 302
    assert Placement.objects.get(paper=newcomer).position == 3
    response = admin_client.post(add, {"paper": another.pk, "section": section.pk, "position": 1})
    assert response.status_code == 302
    assert section.placements.order_by("position").first().paper == another
