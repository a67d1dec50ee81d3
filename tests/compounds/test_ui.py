"""Tabs, links and panels registered by apps, shown on the pages that do not import them."""

import pytest
from django.urls import reverse

from compounds import ui
from compounds.access import Level


@pytest.fixture
def registered():
    keys = []

    def register(kind, *args):
        item = args[-1]
        keys.append(item.key)
        {"tab": ui.register_tab, "link": ui.register_link, "panel": ui.register_panel}[kind](*args)

    yield register
    for key in keys:
        ui.unregister(key)


@pytest.fixture
def panel_template(settings):
    """A panel template of a make-believe app, served from memory."""
    engine = settings.TEMPLATES[0]
    loaders = [
        ("django.template.loaders.locmem.Loader", {"later/_panel.html": PANEL}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [
        {**engine, "APP_DIRS": False, "OPTIONS": {**engine["OPTIONS"], "loaders": loaders}}
    ]


PANEL = '<p id="later-panel">room {{ household.room }}{% if can_manage %}, managed{% endif %}</p>'


def household_page(household):
    return reverse("residents:household", args=[household.compound_id, household.pk])


def test_a_registered_tab_shows_in_the_compound_nav_from_its_level(
    registered, as_volunteer, as_secretary, compound_a
):
    registered("tab", ui.Tab("later", "Door rounds", "compound-branch", Level.MANAGE, order=5))
    page = reverse("compound-branch", args=[compound_a.pk])
    assert "Door rounds" in as_secretary.get(page).content.decode()
    assert "Door rounds" not in as_volunteer.get(page).content.decode()


def test_tabs_keep_their_order_and_levels(secretary, volunteer, compound_a):
    keys = [t.key for t in ui.tabs_for(secretary, compound_a)]
    assert keys[:3] == ["overview", "gate", "households"] and keys[-1] == "branch"
    assert {"cards", "import"} <= set(keys)
    assert not {"cards", "import"} & {t.key for t in ui.tabs_for(volunteer, compound_a)}


def test_registering_again_replaces_instead_of_doubling(registered, secretary, compound_a):
    registered("tab", ui.Tab("later", "Rounds", "compound-branch"))
    registered("tab", ui.Tab("later", "Door rounds", "compound-branch"))
    labels = [t.label for t in ui.tabs_for(secretary, compound_a)]
    assert labels.count("Door rounds") == 1 and "Rounds" not in labels


def test_household_page_shows_the_gates_links_by_level(
    as_volunteer, as_secretary, household_a, compound_a
):
    card = reverse("checkpoints:household-card", args=[compound_a.pk, household_a.pk])
    history = reverse("checkpoints:household-history", args=[compound_a.pk, household_a.pk])
    secretary_page = as_secretary.get(household_page(household_a)).content.decode()
    volunteer_page = as_volunteer.get(household_page(household_a)).content.decode()
    assert card in secretary_page and history in secretary_page
    assert card not in volunteer_page and history in volunteer_page


def test_a_registered_household_panel_renders_with_the_pages_context(
    registered, panel_template, as_secretary, as_volunteer, household_a
):
    registered("panel", "household", ui.Panel("later", "Door visits", "later/_panel.html"))
    body = as_secretary.get(household_page(household_a)).content.decode()
    assert 'id="panel-later"' in body and "Door visits" in body
    assert '<p id="later-panel">room 1702, managed</p>' in body


def test_a_panel_above_the_viewers_level_is_left_out(
    registered, panel_template, as_volunteer, household_a
):
    registered(
        "panel", "household", ui.Panel("later", "Door visits", "later/_panel.html", Level.MANAGE)
    )
    body = as_volunteer.get(household_page(household_a)).content.decode()
    assert "later-panel" not in body


def test_compound_overview_buttons_come_from_the_apps(as_volunteer, compound_a):
    body = as_volunteer.get(reverse("compound-home", args=[compound_a.pk])).content.decode()
    assert f'href="{reverse("residents:households", args=[compound_a.pk])}"' in body
    gate = reverse("checkpoints:gate", args=[compound_a.pk])
    assert f'<a class="button primary" href="{gate}">' in body
