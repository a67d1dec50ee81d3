"""The one address reader: the registry's search box and the 接龙 paste share it."""

import pytest

from residents.addresses import Address, find_address, normalize, parse_address
from residents.selectors import households_at
from tests import factories as f


@pytest.mark.parametrize(
    "query,expected",
    [
        ("20-1702", Address("20", "1702")),
        ("20栋1702", Address("20", "1702")),
        ("20#1702", Address("20", "1702")),
        ("20-2-1702", Address("20", "1702", "2")),
        ("20栋2单元1702室", Address("20", "1702", "2")),
        ("２０－１７０２", Address("20", "1702")),
        ("20 — 1702", Address("20", "1702")),
        ("1702", None),
        ("张小流", None),
    ],
)
def test_a_query_is_read_as_an_address_or_not(query, expected):
    assert parse_address(query) == expected


def test_canonical_addresses_are_the_households_own():
    assert Address("20", "1702").canonical == "20-1702"
    assert Address("20", "1702", "2").canonical == "20-2-1702"


@pytest.mark.parametrize(
    "line,canonical",
    [
        ("张阿姨 20栋1702 白菜2斤", "20-1702"),
        ("白菜2斤 20#1702", "20-1702"),
        ("20号楼1702室 米", "20-1702"),
        (normalize("２０栋２单元１７０２　米"), "20-2-1702"),
    ],
)
def test_an_address_is_found_inside_a_line(line, canonical):
    found = find_address(line)
    assert found is not None and found[0].canonical == canonical


def test_weights_and_chain_numbers_are_not_rooms():
    assert find_address("猪肉 500g 白菜 2斤", building="20") is None
    assert find_address("白菜 2-3 斤") is None


def test_the_registry_search_reads_full_width_addresses(compound_a, building_a, household_a):
    from residents.selectors import household_search

    found = household_search(compound=compound_a, query="２０栋１７０２", full_phones=False)
    assert list(found) == [household_a]


def test_all_rooms_are_resolved_in_one_query(
    compound_a, building_a, household_a, django_assert_num_queries
):
    unit = f.unit(building=building_a, number="2")
    in_unit = f.household(building=building_a, unit=unit, room="301")
    other_unit = f.household(
        building=building_a, unit=f.unit(building=building_a, number="3"), room="301"
    )
    wanted = [
        Address("20", "1702"),
        Address("20", "301", "2"),
        Address("20", "301"),
        Address("20", "999"),
    ]
    with django_assert_num_queries(1):
        found = households_at(compound=compound_a, addresses=wanted)
    assert found[wanted[0]].household == household_a
    assert found[wanted[1]].household == in_unit
    assert found[wanted[2]].household is None and found[wanted[2]].ambiguous
    assert found[wanted[3]].household is None and not found[wanted[3]].ambiguous
    assert other_unit.pk


def test_rooms_of_another_compound_are_not_found(compound_a, household_b):
    found = households_at(compound=compound_a, addresses=[Address("1", "301")])
    assert found[Address("1", "301")].household is None
