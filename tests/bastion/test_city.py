"""seed_city's loader: the rows it writes hold together as the services' would."""

import pytest
from django.core.management import call_command
from django.db import connection

from bastion import city
from bastion.dashboard import registry
from bastion.dashboard.registry import Moment
from checkpoints.gate_state import gate_state_rebuild
from checkpoints.models import HouseholdGateState, Passage
from compounds.models import Compound
from residents.models import Household, Resident
from tests.bastion.test_dashboard import straight_from_the_tables

SPEC = city.CitySpec(compounds=3, households=300, days=3, large_compounds=1)


def test_compound_sizes_add_up_and_keep_their_bounds():
    import random

    sizes = city.compound_sizes(city.CitySpec(), random.Random(1))
    assert len(sizes) == 300 and sum(sizes) == 100_000
    assert sizes[:3] == [1300, 1300, 1300] and min(sizes) >= 65 and max(sizes) == 1300


def test_card_codes_are_distinct():
    numbers = {city._card_code(n, 6, 17) for n in range(1, 50_001)}
    assert len(numbers) == 50_000


@pytest.mark.django_db(transaction=True)
def test_the_city_holds_together_and_its_figures_equal_the_tables():
    built = city.build_city(SPEC, lambda _m: None)
    ids = [c.pk for c in built.compounds]
    assert Household.objects.filter(compound_id__in=ids).count() == 300
    assert Resident.objects.filter(household__compound_id__in=ids).count() == 900
    assert Passage.objects.filter(compound_id__in=ids).count() == built.rows["passages"] > 500
    # The gate state written by the loader is the one the log gives.
    written = set(HouseholdGateState.objects.values_list("pk", "out_since", "last_exit_at"))
    gate_state_rebuild(compound_ids=ids)
    assert set(HouseholdGateState.objects.values_list("pk", "out_since", "last_exit_at")) == (
        written
    )
    moment = Moment.today()
    computed = registry.compute_all(ids, moment)
    for compound in Compound.objects.filter(pk__in=ids):
        expected = straight_from_the_tables(compound, moment)
        assert {k: computed[compound.pk][k] for k in expected} == expected
    # Sequences go on after the copied ids (PostgreSQL): a new household can be made.
    assert Household.objects.create(
        compound_id=ids[0], building=built.compounds[0].buildings.first(), room="x1"
    ).pk


@pytest.mark.django_db(transaction=True)
def test_seed_city_reuses_a_city_of_the_same_stamp_and_rebuilds_on_request(capsys):
    call_command("seed_city", "--compounds", "3", "--days", "2")
    first = set(city.city_compounds().values_list("pk", flat=True))
    assert len(first) == 3
    call_command("seed_city", "--compounds", "3", "--days", "2")
    again = set(city.city_compounds().values_list("pk", flat=True))
    if connection.vendor == "postgresql":  # the stamp lives in a table comment
        assert again == first
        assert "already loaded" in capsys.readouterr().err
    call_command("seed_city", "--compounds", "3", "--days", "2", "--rebuild")
    rebuilt = set(city.city_compounds().values_list("pk", flat=True))
    assert len(rebuilt) == 3 and rebuilt.isdisjoint(first)
