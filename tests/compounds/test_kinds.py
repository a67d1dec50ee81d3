"""One map of which features a kind of compound has: a site (a hospital post) has a
branch and a roster, no registry and no gate; its tabs are hidden, its routes 404."""

import pytest
from django.urls import reverse

from compounds import kinds, ui
from tests import factories as f


@pytest.fixture
def site(community, officer):
    return f.compound(community=community, name="颐和医院执勤岗", kind="site")


def test_a_site_has_no_registry_or_gate_tabs_but_a_roster(site, officer):
    keys = {t.key for t in ui.tabs_for(officer, site)}
    assert {"roster", "branch", "people"} <= keys
    assert not keys & {"households", "buildings", "gate", "cards", "log", "import"}


def test_the_registry_and_gate_routes_of_a_site_answer_404(site, as_officer):
    for name in (
        "residents:households",
        "residents:buildings",
        "checkpoints:gate",
        "checkpoints:cards",
    ):
        assert as_officer.get(reverse(name, args=[site.pk])).status_code == 404, name
    for name in ("rosters:week", "compound-branch", "compound-people", "compound-home"):
        assert as_officer.get(reverse(name, args=[site.pk])).status_code == 200, name


def test_an_ordinary_compound_keeps_every_feature(compound_a, as_officer):
    assert as_officer.get(reverse("checkpoints:gate", args=[compound_a.pk])).status_code == 200
    assert kinds.route_applies("compound", "residents:households")
    assert not kinds.route_applies("site", "residents:households")
    assert kinds.route_applies("site", "rosters:week")


def test_a_sites_overview_shows_no_registry_figures(site, compound_a, as_officer):
    page = as_officer.get(reverse("compound-home", args=[site.pk])).content.decode()
    assert 'id="area-register"' not in page and "Open the gate page" not in page
    page = as_officer.get(reverse("compound-home", args=[compound_a.pk])).content.decode()
    assert 'id="area-register"' in page
