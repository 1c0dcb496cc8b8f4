"""check_catalog, the venue vocabulary, and the report in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Paper
from catalog.readme.importer import normalize_venue
from quality.checks import ERROR, catalog_report, stray_formatting
from quality.models import Venue, VenueAlias
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = datetime.date.today().year


def placed(section, **fields):
    paper = PaperFactory(**{"venue": "ICLR", "year": THIS_YEAR, **fields})
    LinkFactory(paper=paper)
    PlacementFactory(paper=paper, section=section)
    return paper


@pytest.fixture
def flawed():
    section = SectionFactory(title="Debate", slug="debate")
    SectionFactory(title="Nothing Here", slug="nothing-here")
    good = placed(section, title="A Clean Title", authors="Bai et al.")
    papers = {
        "good": good,
        "stray": placed(section, title="**Bold** leftover", authors="Smith  et al."),
        "period": placed(section, title="Ends with a period.", authors="Lee et al."),
        "missing": placed(section, title="No authors here", authors="", year=None),
        "alias": placed(section, title="Alias venue", venue="NIPS"),
        "unknown": placed(section, title="Unknown venue", venue="Conference of Made Up Things"),
        "old": placed(section, title="An old preprint", venue="arXiv", year=THIS_YEAR - 3),
        "young": placed(section, title="A young preprint", venue="arXiv", year=THIS_YEAR),
    }
    twin = placed(section, title="Another paper entirely")
    twin.links.update(url=good.links.get().url)
    twin.links.get().save()  # recompute the identifier
    papers["twin"] = twin
    return papers


def run_check(capsys, *args) -> tuple[str, bool]:
    try:
        call_command("check_catalog", *args)
        failed = False
    except CommandError:
        failed = True
    return capsys.readouterr().out, failed


def test_check_catalog_reports_every_kind_of_problem_and_fails(flawed, capsys):
    output, failed = run_check(capsys)
    assert failed
    p = {name: paper.pk for name, paper in flawed.items()}
    expected = [
        f"ERROR paper {p['stray']}: **Bold** leftover: title has Markdown emphasis characters",
        f"ERROR paper {p['stray']}: **Bold** leftover: authors has a double space",
        f"ERROR paper {p['period']}: Ends with a period.: title is stored with a trailing period",
        f"ERROR paper {p['missing']}: No authors here: missing authors, year",
        f"WARNING paper {p['alias']}: Alias venue: venue “NIPS” is an alias: the list's name is "
        "“NeurIPS”",
        f"ERROR paper {p['unknown']}: Unknown venue: venue “Conference of Made Up Things” is not "
        "in the venue vocabulary",
        f"WARNING paper {p['old']}: An old preprint: still a preprint (arXiv {THIS_YEAR - 3}, "
        "3 years old)",
        "the same paper link is attached to 2 papers",
        "WARNING section 2 Nothing Here: no papers in it or below it",
    ]
    for line in expected:
        assert line in output
    assert f"paper {p['young']}" not in output
    assert f"paper {p['good']}: A Clean Title" not in output
    assert "6 error(s), 3 warning(s)." in output


def test_preprint_age_is_configurable(flawed, capsys, settings):
    output, _ = run_check(capsys, "--preprint-age", "4")
    assert "An old preprint" not in output
    settings.PREPRINT_MAX_AGE_YEARS = 0
    output, _ = run_check(capsys)
    assert "A young preprint: still a preprint" in output


def test_a_clean_catalog_passes(capsys):
    placed(SectionFactory(title="Debate", slug="debate"), title="A Clean Title")
    output, failed = run_check(capsys)
    assert not failed
    assert "0 error(s), 0 warning(s)." in output


def test_the_vocabulary_is_data_maintained_in_the_admin(flawed, capsys):
    # An alias added in the admin turns the unknown venue into a known spelling.
    VenueAlias.objects.create(
        venue=Venue.objects.create(name="CMUT"), alias="Conference of Made Up Things"
    )
    output, _ = run_check(capsys)
    assert "“Conference of Made Up Things” is an alias: the list's name is “CMUT”" in output


def test_the_seed_vocabulary_covers_every_venue_of_the_seed_catalog():
    call_command("loaddata", "catalog", verbosity=0)
    report = catalog_report()
    assert not [f for f in report.findings if "not in the venue vocabulary" in f.message]


def test_the_seed_catalog_has_no_errors_and_tex_maths_is_not_stray_formatting():
    """`check_catalog` passes on the shipped catalog: its one title in TeX maths
    (SOTOPIA-$\\pi$, as arXiv writes it) is meant; a backslash outside maths is not."""
    call_command("loaddata", "catalog", verbosity=0)
    assert [f for f in catalog_report().findings if f.severity == ERROR] == []
    assert stray_formatting("SOTOPIA-$\\pi$: a $\\mathcal{O}(n)$ bound") == []
    assert stray_formatting("SOTOPIA-\\pi: Interactive") == ["a backslash"]
    assert stray_formatting("A $\\input{x}$ title") == ["brackets ([ ] { } < >)", "a backslash"]


def test_the_readme_importer_reads_the_vocabulary():
    assert normalize_venue("NIPS 2023 Workshop") == "NeurIPS 2023 Workshop"
    assert normalize_venue("ICRL") == "ICRL"
    VenueAlias.objects.create(venue=Venue.objects.get(name="ICLR"), alias="ICRL")
    assert normalize_venue("ICRL") == "ICLR"


def test_the_report_runs_a_fixed_number_of_queries(django_assert_num_queries):
    section = SectionFactory(title="Debate", slug="debate")
    for _ in range(3):
        placed(section)
    with django_assert_num_queries(6):
        catalog_report()
    for _ in range(30):
        placed(section)
    with django_assert_num_queries(6):
        catalog_report()


@pytest.fixture
def users(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    return {"staff": staff, "maintainer": maintainer}


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("staff", 403), ("maintainer", 200)])
def test_the_report_in_the_admin_is_for_maintainers(client, users, flawed, who, status):
    if who != "anonymous":
        client.force_login(users[who])
    response = client.get(reverse("quality-report"))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "6 error(s), 3 warning(s)." in page
        assert "is not in the venue vocabulary" in page
        assert reverse("admin:catalog_paper_change", args=[flawed["unknown"].pk]) in page
        # The admin's front page leads to it; the errors can be shown alone.
        index = client.get(reverse("admin:index")).content.decode()
        assert f'href="{reverse("quality-report")}"' in index
        errors = client.get(reverse("quality-report") + "?errors=1").content.decode()
        assert "Showing the errors only" in errors
        assert errors.count('class="finding-error"') == 6
        assert (
            'class="finding-warning"' not in errors and page.count('class="finding-warning"') == 3
        )


def test_maintainers_edit_the_vocabulary_in_the_admin(client, users):
    client.force_login(users["maintainer"])
    changelist = client.get(reverse("admin:quality_venue_changelist"))
    assert changelist.status_code == 200
    assert "NIPS" in changelist.content.decode()
    assert reverse("quality-report") in changelist.content.decode()
    response = client.post(
        reverse("admin:quality_venue_add"),
        {
            "name": "CoRL",
            "is_preprint": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-alias": "Conference on Robot Learning",
        },
    )
    assert response.status_code == 302
    assert VenueAlias.objects.get(alias="Conference on Robot Learning").venue.name == "CoRL"
    # An alias is unique whatever its case.
    response = client.post(
        reverse("admin:quality_venue_add"),
        {
            "name": "Other",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-alias": "conference on robot learning",
        },
    )
    assert response.status_code == 200
    assert not Venue.objects.filter(name="Other").exists()
    assert Paper.objects.count() == 0
