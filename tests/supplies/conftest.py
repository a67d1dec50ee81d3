"""Supplies' fixtures: a run of compound A taking orders, its volunteer, the 20-x rooms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supplies import help_services, services
from tests import factories as f


def make_run(compound, actor, *, volunteers=(), building=None, hours_open=12, date=None):
    return services.run_create(
        compound=compound,
        date=date or timezone.localdate() + timedelta(days=1),
        cutoff_at=timezone.now() + timedelta(hours=hours_open),
        building=building,
        volunteers=list(volunteers),
        actor=actor,
    )


def make_help_request(compound, household, actor, **extra):
    values = {
        "channel": "phone",
        "kind": "utilities",
        "summary": "网络断了，孩子明早要上网课",
        "urgency": 3,
    }
    values.update(extra)
    return help_services.help_request_create(
        compound=compound, household=household, actor=actor, **values
    )


@pytest.fixture
def run_a(compound_a, secretary, volunteer):
    return make_run(compound_a, secretary, volunteers=[volunteer])


@pytest.fixture
def rooms(building_a, household_a):
    """20-1702 (household_a), 20-1801, 20-1902, and 20-2-301 / 20-3-301 in units."""
    unit2 = f.unit(building=building_a, number="2")
    unit3 = f.unit(building=building_a, number="3")
    made = {
        "20-1702": household_a,
        "20-1801": f.household(building=building_a, room="1801"),
        "20-1902": f.household(building=building_a, room="1902"),
        "20-2-301": f.household(building=building_a, unit=unit2, room="301"),
        "20-3-301": f.household(building=building_a, unit=unit3, room="301"),
    }
    f.resident(household=made["20-1801"], name="李春华", relation="head")
    return made
