"""Every filter of the API: an ID the user may not see answers exactly like one that does
not exist, and a value a filter cannot read is refused with a code, never ignored."""

import pytest
from django_filters import BooleanFilter, ModelChoiceFilter, ModelMultipleChoiceFilter

from bastion.api_urls import router
from compounds.api_filters import StrictBooleanFilter, StrictFilterBackend
from tests import factories as f

LIST_URL = {basename: f"/api/v1/{prefix}/" for prefix, _, basename in router.registry}

# (basename, filter, model of the ID it takes)
ID_FILTERS = [
    ("compound", "community", "community"),
    ("building", "compound", "compound"),
    ("opening", "compound", "compound"),
    ("household", "compound", "compound"),
    ("household", "building", "building"),
    ("household", "unit", "unit"),
    ("resident", "compound", "compound"),
    ("resident", "building", "building"),
    ("resident", "household", "household"),
    ("passage", "opening", "opening"),
    ("passage", "household", "household"),
    ("fever-alert", "compound", "compound"),
]


def _filtersets():
    for _prefix, viewset, basename in router.registry:
        view = viewset()
        view.action = "list"
        model = view.get_serializer_class().Meta.model
        filterset = StrictFilterBackend().get_filterset_class(view, model.objects.none())
        if filterset is not None:
            yield basename, filterset


def test_every_id_filter_of_the_api_is_checked_below():
    found = {
        (basename, name)
        for basename, filterset in _filtersets()
        for name, flt in filterset.base_filters.items()
        if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter)
    }
    assert found == {(basename, name) for basename, name, _ in ID_FILTERS}


def test_every_boolean_filter_of_the_api_is_strict():
    loose = [
        (basename, name)
        for basename, filterset in _filtersets()
        for name, flt in filterset.base_filters.items()
        if isinstance(flt, BooleanFilter) and not isinstance(flt, StrictBooleanFilter)
    ]
    assert loose == []


@pytest.fixture
def foreign(compound_b, building_b, household_b, gate_b):
    """A row of each kind that compound A's volunteer may not see."""
    other = f.community(name="别的社区")
    return {
        "community": other,
        "compound": compound_b,
        "building": building_b,
        "unit": f.unit(building=building_b),
        "household": household_b,
        "opening": gate_b,
    }


@pytest.mark.parametrize(("basename", "name", "kind"), ID_FILTERS)
@pytest.mark.parametrize("who", ["as_volunteer", "as_secretary"])
def test_an_id_the_user_may_not_see_answers_like_one_that_does_not_exist(
    request, foreign, household_a, gate_a, basename, name, kind, who
):
    client = request.getfixturevalue(who)
    row = foreign[kind]
    missing = type(row).objects.order_by("-pk").first().pk + 1000
    theirs = client.get(LIST_URL[basename], {name: row.pk})
    nobodys = client.get(LIST_URL[basename], {name: missing})
    assert theirs.status_code == nobodys.status_code == 400
    assert theirs.content == nobodys.content
    assert theirs.json()["code"] == "invalid_filter"


BAD_VALUES = [
    ("passage", "late", "maybe"),
    ("passage", "direction", "sideways"),
    ("passage", "verdict", "perhaps"),
    ("passage", "reason", "no_such_reason"),
    ("fever-alert", "status", "cured"),
    ("compound", "three_without", "maybe"),
    ("compound", "kind", "castle"),
    ("building", "sealed", "maybe"),
    ("opening", "state", "ajar"),
    ("household", "in_quarantine", "maybe"),
    ("resident", "vulnerable", "maybe"),
    ("resident", "party_member", "yes please"),
    ("resident", "sex", "Q"),
]


@pytest.mark.parametrize(("basename", "name", "value"), BAD_VALUES)
def test_a_filter_value_that_cannot_be_read_is_refused_with_a_code(
    as_volunteer, basename, name, value
):
    response = as_volunteer.get(LIST_URL[basename], {name: value})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["detail"] and body[name]


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True", ""])
def test_boolean_filters_still_read_the_usual_spellings(as_volunteer, value):
    assert as_volunteer.get(LIST_URL["passage"], {"late": value}).status_code == 200


def test_a_boolean_filter_filters(as_volunteer, compound_a, compound_b):
    names = [
        c["name"]
        for c in as_volunteer.get(LIST_URL["compound"], {"three_without": "false"}).json()[
            "results"
        ]
    ]
    assert names == [compound_a.name]
    assert as_volunteer.get(LIST_URL["compound"], {"three_without": "true"}).json()["count"] == 0
