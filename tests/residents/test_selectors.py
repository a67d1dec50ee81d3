"""Registry reads: every search form, the lists, building counts, the audit trail."""

from datetime import date

import pytest
from django.utils import translation

from residents import selectors, services
from tests import factories as f


@pytest.fixture
def registry(compound_a, building_a, household_a, resident_a):
    """20-1702 (张小流), 20-2-1702 (李娟, elderly alone), 21-301 (王建国, returnee)."""
    unit = f.unit(building=building_a, number="2")
    in_unit = f.household(building=building_a, unit=unit, room="1702", contact_phone="13500005555")
    f.resident(household=in_unit, name="李娟", phone="13600006666", elderly_alone=True)
    other_building = f.building(compound=compound_a, number="21")
    returnee_home = f.household(building=other_building, room="301", contact_phone="")
    f.resident(
        household=returnee_home,
        name="王建国",
        phone="13712347777",
        returnee=True,
        returned_from="武汉",
        returned_on=date(2020, 1, 22),
        return_transport="train",
        quarantine_until=date(2020, 2, 5),
    )
    return {"plain": household_a, "in_unit": in_unit, "returnee_home": returnee_home}


def addresses(queryset):
    return sorted(h.address for h in queryset)


def search(compound, query, *, full_phones=True):
    found = selectors.household_search(compound=compound, query=query, full_phones=full_phones)
    return addresses(found)


def test_search_building_and_room_matches_with_or_without_unit(compound_a, registry):
    assert search(compound_a, "20-1702") == ["20-1702", "20-2-1702"]


def test_search_building_unit_room_matches_one_household(compound_a, registry):
    assert search(compound_a, "20-2-1702") == ["20-2-1702"]


def test_search_accepts_chinese_address_words(compound_a, registry):
    assert search(compound_a, "20栋2单元1702") == ["20-2-1702"]
    assert search(compound_a, "21 301") == ["21-301"]


def test_search_room_alone(compound_a, registry):
    assert search(compound_a, "301") == ["21-301"]


def test_search_by_part_of_a_name(compound_a, registry):
    assert search(compound_a, "建国") == ["21-301"]
    assert search(compound_a, "张") == ["20-1702"]


def test_search_by_resident_phone_tail(compound_a, registry):
    assert search(compound_a, "6666") == ["20-2-1702"]


def test_search_by_household_contact_phone_tail(compound_a, registry):
    assert search(compound_a, "05555") == ["20-2-1702"]


def test_search_phone_tail_needs_four_digits(compound_a, registry):
    # "666" is neither a room nor long enough to be a phone tail.
    assert search(compound_a, "666") == []


def test_masked_search_matches_a_phone_tail_of_exactly_four_digits(compound_a, registry):
    assert search(compound_a, "6666", full_phones=False) == ["20-2-1702"]
    assert search(compound_a, "5555", full_phones=False) == ["20-2-1702"]


@pytest.mark.parametrize("phone", ["13600006666", "13500005555"])
def test_masked_search_never_matches_more_than_the_last_four_digits(compound_a, registry, phone):
    # Adding one digit at a time to the visible tail would recover the whole number.
    for length in range(5, len(phone) + 1):
        assert search(compound_a, phone[-length:], full_phones=False) == [], phone[-length:]


def test_masked_search_by_a_long_number_still_finds_a_room(compound_a, registry, building_a):
    f.household(building=building_a, room="10203", contact_phone="13510203")
    assert search(compound_a, "10203", full_phones=False) == ["20-10203"]


def test_full_phone_search_matches_any_tail_and_the_whole_number(compound_a, registry):
    for length in range(4, 12):
        assert search(compound_a, "13600006666"[-length:]) == ["20-2-1702"]


def test_search_blank_lists_every_household(compound_a, registry):
    assert search(compound_a, "  ") == ["20-1702", "20-2-1702", "21-301"]


def test_search_stays_inside_the_compound(compound_a, registry, household_b):
    f.resident(household=household_b, name="张三", phone="13800006666")
    assert search(compound_a, "301") == ["21-301"]
    assert search(compound_a, "6666") == ["20-2-1702"]
    assert search(compound_a, "张") == ["20-1702"]


def test_search_rows_carry_counts_without_duplicates(compound_a, registry):
    f.resident(household=registry["plain"], name="张大流", phone="13900006666")
    rows = list(selectors.household_search(compound=compound_a, query="6666", full_phones=True))
    assert addresses(rows) == ["20-1702", "20-2-1702"]
    plain = next(h for h in rows if h.pk == registry["plain"].pk)
    assert plain.residents_count == 2
    assert plain.vulnerable_count == 0


def test_vulnerable_residents_all_and_by_kind(compound_a, registry, household_b):
    f.resident(household=registry["plain"], name="小宝", infant=True)
    f.resident(household=household_b, name="外人", infant=True)
    names = [r.name for r in selectors.vulnerable_residents(compound=compound_a)]
    assert sorted(names) == ["小宝", "李娟"]
    infants = [r.name for r in selectors.vulnerable_residents(compound=compound_a, kind="infant")]
    assert infants == ["小宝"]


def test_vulnerable_kind_unknown_means_all(compound_a, registry):
    names = [r.name for r in selectors.vulnerable_residents(compound=compound_a, kind="bogus")]
    assert names == ["李娟"]


def test_returnees_lists_only_returnees_of_the_compound(compound_a, registry, household_b):
    f.resident(household=household_b, name="外人", returnee=True)
    rows = list(selectors.returnees(compound=compound_a))
    assert [r.name for r in rows] == ["王建国"]
    assert rows[0].household.address == "21-301"


def test_buildings_with_counts(compound_a, registry):
    registry["plain"].building.sealed = True
    registry["plain"].building.save()
    f.unit(building=registry["plain"].building, number="3")  # a unit must not multiply counts
    rows = {b.number: b for b in selectors.buildings_with_counts(compound=compound_a)}
    assert list(rows) == ["20", "21"]
    assert (rows["20"].households_count, rows["20"].residents_count) == (2, 2)
    assert rows["20"].units_count == 2
    assert rows["20"].sealed is True
    assert (rows["21"].households_count, rows["21"].residents_count) == (1, 1)
    assert rows["21"].sealed is False


def test_buildings_with_counts_zero_for_an_empty_building(compound_a, building_a):
    row = selectors.buildings_with_counts(compound=compound_a).get()
    assert (row.households_count, row.residents_count, row.units_count) == (0, 0, 0)


def test_buildings_with_counts_in_one_query(compound_a, registry, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(selectors.buildings_with_counts(compound=compound_a))


def test_household_audit_covers_household_and_its_residents_only(
    building_a, household_a, resident_a, secretary
):
    neighbour = f.household(building=building_a, room="1703")
    neighbour_resident = f.resident(household=neighbour, name="邻居")
    services.household_update(household=household_a, actor=secretary, note="门口有鞋柜")
    services.resident_update(resident=resident_a, actor=secretary, elderly_alone=True)
    services.resident_update(resident=neighbour_resident, actor=secretary, disability=True)
    services.household_update(household=neighbour, actor=secretary, note="x")
    entries = list(selectors.household_audit(household=household_a))
    assert [e.action for e in entries] == ["resident_update", "household_update"]
    assert {e.object_repr for e in entries} == {"张小流", "20-1702"}


def test_audit_lines_mask_phones_for_volunteers(resident_a, secretary):
    old = resident_a.phone
    services.resident_update(resident=resident_a, actor=secretary, phone="13700001234")
    entries = selectors.household_audit(household=resident_a.household)
    masked = selectors.audit_lines(entries, personal=False)[0]
    assert [(c.old, c.new) for c in masked.changes] == [
        (old[:3] + "****" + old[-4:], "137****1234")
    ]
    full = selectors.audit_lines(entries, personal=True)[0]
    assert [(c.old, c.new) for c in full.changes] == [(old, "13700001234")]


def test_audit_lines_read_choices_and_booleans(resident_a, secretary):
    services.resident_update(resident=resident_a, actor=secretary, relation="tenant", infant=True)
    with translation.override("en"):
        line = selectors.audit_lines(
            selectors.household_audit(household=resident_a.household), personal=True
        )[0]
    assert str(line.action) == "resident changed"
    values = {c.label: (c.old, c.new) for c in line.changes}
    assert values["relation to head"] == ("head of household", "tenant")
    assert values["infant"] == ("no", "yes")


def test_search_room_with_letters(compound_a, building_a):
    f.household(building=building_a, room="A301")
    assert search(compound_a, "a301") == ["20-A301"]
    assert search(compound_a, "20-A301") == ["20-A301"]
