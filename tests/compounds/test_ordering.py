"""The one natural order of building, unit and room numbers, in Python and in SQL."""

import random

import pytest

from compounds.models import Building
from compounds.ordering import NaturalKey, natural_key
from tests import factories as f

# In the order people count them.
NUMBERS = [
    "1",
    "02",
    "2",
    "10",
    "12A",
    "101",
    "1002",
    "A",
    "A3",
    "A10",
    "AB",
    "B1-2",
    "商业1",
    "商业10",
]


def test_numbers_sort_as_people_count_them():
    shuffled = random.Random(7).sample(NUMBERS, len(NUMBERS))
    assert sorted(shuffled, key=natural_key) == NUMBERS


def test_2_before_10_and_101_before_1002():
    assert natural_key("2") < natural_key("10")
    assert natural_key("101") < natural_key("1002")
    assert natural_key("10") < natural_key("A3") < natural_key("商业1")


def test_an_empty_or_missing_number_sorts_first():
    assert natural_key("") == natural_key(None)
    assert natural_key(None) < natural_key("0") < natural_key("1") < natural_key("A")


def test_several_numbers_compare_like_a_tuple():
    addresses = [
        ("1", "1", "101"),
        ("1", "1", "1002"),
        ("1", "2", "101"),
        ("2", "", "1"),
        ("10", "1", "1"),
    ]
    shuffled = random.Random(3).sample(addresses, len(addresses))
    assert sorted(shuffled, key=lambda a: natural_key(*a)) == addresses
    # "A" is a prefix of "A0"'s key: the separator keeps the room from deciding.
    assert natural_key("A", "9") < natural_key("A0", "1")


def test_the_database_orders_exactly_as_python(compound_a):
    for number in random.Random(5).sample(NUMBERS, len(NUMBERS)):
        f.building(compound=compound_a, number=number)
    rows = Building.objects.filter(compound=compound_a).annotate(key=NaturalKey("number"))
    assert [b.number for b in rows.order_by("key")] == NUMBERS
    assert {b.number: b.key for b in rows} == {n: natural_key(n) for n in NUMBERS}


def test_the_database_key_of_several_fields_is_pythons(household_a):
    row = (
        type(household_a)
        .objects.annotate(key=NaturalKey("building__number", "unit__number", "room"))
        .get(pk=household_a.pk)
    )
    assert row.key == natural_key("20", None, "1702")


def test_natural_key_needs_a_field():
    with pytest.raises(ValueError):
        NaturalKey()
