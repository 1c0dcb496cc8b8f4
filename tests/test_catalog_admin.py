"""Editing the catalog in the admin: what a maintainer types is checked where it is typed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from catalog.models import Paper
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


@pytest.mark.parametrize("year", ["20245", "1800", "0", str(datetime.date.today().year + 2)])
def test_an_impossible_year_is_refused_next_to_the_year_field(admin_client, year):
    paper = PaperFactory(year=2023)
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    response = admin_client.post(url, paper_form(paper, year=year))
    assert response.status_code == 200  # the form again, nothing saved
    html = response.content.decode()
    latest = datetime.date.today().year + 1
    field = html.split('field-year">', 1)[1].split('class="form-row', 1)[0]
    assert re.search(rf"Enter a year from 1900 to {latest}\.|greater than or equal to 0", field)
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
