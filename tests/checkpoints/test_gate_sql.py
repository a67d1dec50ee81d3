"""The gate's hand-written SQL loads and writes exactly what the ORM would.

Each query runs beside its ORM twin and every concrete field is compared, value and type,
so a column the SQL forgets (or reads without the ORM's conversion) fails here on the
database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL).
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from checkpoints import gate_sql
from checkpoints.models import QUOTA_EXIT, CompoundRules, Passage, PassCard
from compounds.models import Compound, Opening
from residents.models import HealthRules
from tests import factories as f


def assert_same_row(loaded: Model, expected: Model) -> None:
    """Every concrete field equal in value and type, and nothing left deferred."""
    assert type(loaded) is type(expected)
    assert loaded.get_deferred_fields() == set()
    assert not loaded._state.adding
    for field in type(expected)._meta.concrete_fields:
        got, want = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert (type(got), got) == (type(want), want), f"{type(expected).__name__}.{field.name}"


@pytest.fixture
def strict_rules(compound_a):
    rules = compound_a.rules
    rules.quota_mode = CompoundRules.QuotaMode.ROLLING_HOURS
    rules.quota_exits = 2
    rules.quota_hours = 36
    rules.max_minutes_out = 90
    rules.save()
    HealthRules.objects.filter(compound=compound_a).update(fever_line=Decimal("37.5"))
    return rules


def test_opening_for_gate_loads_what_select_related_loads(
    volunteer, gate_a, strict_rules, django_assert_num_queries
):
    gate_a.vehicle_rule = Opening.VehicleRule.BOTH
    gate_a.save()
    want = Opening.objects.select_related("compound__rules", "compound__health_rules").get(
        pk=gate_a.pk
    )

    with django_assert_num_queries(1):
        got = gate_sql.opening_for_gate(user=volunteer, opening_id=gate_a.pk)
    with django_assert_num_queries(0):
        assert_same_row(got, want)
        assert_same_row(got.compound, want.compound)
        assert_same_row(got.compound.rules, want.compound.rules)
        assert_same_row(got.compound.health_rules, want.compound.health_rules)
        assert got.compound.rules.compound is got.compound
        assert got.compound.rules.fever_line == Decimal("37.5")


def test_opening_without_rules_knows_it_without_another_query(
    volunteer, gate_a, django_assert_num_queries
):
    CompoundRules.objects.filter(compound=gate_a.compound).delete()
    got = gate_sql.opening_for_gate(user=volunteer, opening_id=gate_a.pk)
    with django_assert_num_queries(0), pytest.raises(CompoundRules.DoesNotExist):
        got.compound.rules  # noqa: B018


def test_opening_without_health_rules_has_the_default_fever_line_without_a_query(
    volunteer, gate_a, django_assert_num_queries
):
    HealthRules.objects.filter(compound=gate_a.compound).delete()
    got = gate_sql.opening_for_gate(user=volunteer, opening_id=gate_a.pk)
    with django_assert_num_queries(0):
        with pytest.raises(HealthRules.DoesNotExist):
            got.compound.health_rules  # noqa: B018
        assert got.compound.rules.fever_line == Decimal("37.3")


def test_opening_of_a_compound_the_user_may_not_see_is_not_found(volunteer_b, gate_a):
    assert gate_sql.opening_for_gate(user=volunteer_b, opening_id=gate_a.pk) is None


@pytest.fixture
def full_household(building_a, secretary):
    unit = f.unit(building=building_a, number="2")
    household = f.household(
        building=building_a,
        unit=unit,
        room="0501",
        contact_phone="13907901111",
        note="独居老人",
        quarantine_until=date(2022, 4, 20),
    )
    f.card(household=household, actor=secretary)
    return household


def _card_twin(**lookup: str) -> PassCard:
    return PassCard.objects.select_related("household__building", "household__unit").get(**lookup)


@pytest.mark.parametrize("field", ["number", "secret"])
def test_card_by_code_loads_what_select_related_loads(
    full_household, field, django_assert_num_queries
):
    card = full_household.cards.get()
    value = getattr(card, field)
    want = _card_twin(**{field: value})

    with transaction.atomic(), django_assert_num_queries(1):
        got = gate_sql.card_by_code(field=field, value=value, lock=True)
    with django_assert_num_queries(0):
        assert_same_row(got, want)
        assert_same_row(got.household, want.household)
        assert_same_row(got.household.building, want.household.building)
        assert_same_row(got.household.unit, want.household.unit)


def test_card_of_a_household_without_unit_has_none_cached(household_a, django_assert_num_queries):
    card = f.card(household=household_a)
    got = gate_sql.card_by_code(field="number", value=card.number, lock=False)
    with django_assert_num_queries(0):
        assert got.household.unit is None
    assert_same_row(got.household, _card_twin(pk=card.pk).household)


def test_saving_what_card_by_code_loaded_keeps_every_column(full_household):
    card = full_household.cards.get()
    before = _card_twin(pk=card.pk)

    got = gate_sql.card_by_code(field="number", value=card.number, lock=False)
    got.household.save()
    got.save()

    after = _card_twin(pk=card.pk)
    for field in ("contact_phone", "note", "quarantine_until", "room", "unit_id"):
        assert getattr(after.household, field) == getattr(before.household, field), field
    for field in ("secret", "issued_at", "issued_by_id", "number"):
        assert getattr(after, field) == getattr(before, field), field


def test_unknown_card_is_none(db):
    assert gate_sql.card_by_code(field="number", value="X0000000", lock=False) is None


def _passage(compound, gate, household, volunteer, at, **extra) -> Passage:
    fields = {
        "direction": "out",
        "verdict": "allowed",
        "counts_quota": True,
        "temperature": Decimal("36.5"),
    }
    fields.update(extra)
    return Passage.objects.create(
        compound=compound,
        opening=gate,
        household=household,
        volunteer=volunteer,
        occurred_at=at,
        received_at=at,
        client_id=uuid.uuid4(),
        **fields,
    )


def test_quota_exit_times_are_what_the_orm_finds(
    compound_a, gate_a, household_a, building_a, volunteer
):
    other = f.household(building=building_a, room="0101")
    now = timezone.now().replace(microsecond=123456)
    start = now - timedelta(days=2)
    for hours in (1, 5, 30, 47, 49, -3):  # two outside [start, now)
        _passage(compound_a, gate_a, household_a, volunteer, now - timedelta(hours=hours))
    _passage(compound_a, gate_a, household_a, volunteer, now, direction="in", counts_quota=False)
    _passage(
        compound_a,
        gate_a,
        household_a,
        volunteer,
        now - timedelta(hours=2),
        verdict="denied",
        reason="quota_used",
        counts_quota=False,
    )
    _passage(compound_a, gate_a, household_a, volunteer, now, counts_quota=False)  # work pass
    _passage(compound_a, gate_a, other, volunteer, now - timedelta(hours=1))

    exits = Passage.objects.filter(
        household=household_a, verdict="allowed", direction="out", counts_quota=True
    ).order_by("-occurred_at")
    for end in (None, now):
        want = exits.filter(occurred_at__gte=start)
        if end is not None:
            want = want.filter(occurred_at__lt=end)
        got = gate_sql.quota_exit_times(household_id=household_a.pk, start=start, end=end)
        assert got == list(want.values_list("occurred_at", flat=True))
        assert [type(t) for t in got] == [
            type(t) for t in want.values_list("occurred_at", flat=True)
        ]
        assert all(timezone.is_aware(t) for t in got)
    assert len(gate_sql.quota_exit_times(household_id=household_a.pk, start=start, end=None)) == 5


@pytest.mark.parametrize("filled", [True, False], ids=["every-field-set", "nulls"])
def test_passage_insert_writes_every_field_as_the_orm_reads_it(
    compound_a, gate_a, full_household, volunteer, filled
):
    now = timezone.now().replace(microsecond=654321)
    optional = {}
    if filled:
        optional = {
            "card": full_household.cards.get(),
            "household": full_household,
            "resident": f.resident(household=full_household),
            "last_exit_at": now - timedelta(hours=20),
            "next_exit_at": now + timedelta(hours=28),
        }
    passage = Passage(
        compound=compound_a,
        opening=gate_a,
        direction="out",
        temperature=Decimal("37.8"),
        vehicle=True,
        occurred_at=now - timedelta(minutes=10),
        received_at=now,
        volunteer=volunteer,
        verdict="denied",
        reason="fever",
        counts_quota=False,
        fever=True,
        late=True,
        breach="quota_used",
        decided_on="device",
        server_verdict="allowed",
        server_reason="",
        client_id=uuid.uuid4(),
        **optional,
    )
    gate_sql.passage_insert(passage)

    assert passage.pk is not None
    assert_same_row(passage, Passage.objects.get(pk=passage.pk))


def test_passage_insert_writes_every_concrete_column():
    # A column added to Passage is written without anyone remembering this module.
    written = {field.column for field in gate_sql._PASSAGE_FIELDS}
    assert written == {f.column for f in Passage._meta.concrete_fields} - {"id"}


def test_compound_rules_row_loaded_by_the_gate_saves_without_loss(volunteer, gate_a, strict_rules):
    got = gate_sql.opening_for_gate(user=volunteer, opening_id=gate_a.pk)
    got.compound.save()
    got.compound.rules.save()
    got.compound.health_rules.save()
    compound = Compound.objects.select_related("rules", "health_rules").get(pk=gate_a.compound_id)
    assert compound.address == gate_a.compound.address
    assert compound.health_rules.fever_line == Decimal("37.5")
    assert compound.rules.max_minutes_out == 90


def test_the_quota_exit_is_defined_once_for_the_index_the_orm_and_the_sql():
    (index,) = [i for i in Passage._meta.indexes if i.name == "passage_quota_exit_idx"]
    assert index.condition == Passage.quota_exit_q()
    sql = gate_sql.quota_exit_condition("p")
    for name in QUOTA_EXIT:
        assert f"p.{connection.ops.quote_name(name)}" in sql
    assert sql.count(" AND ") == len(QUOTA_EXIT) - 1


@pytest.mark.postgres
def test_the_quota_lookup_can_use_the_partial_index(household_a):
    if connection.vendor != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's; run with DATABASE_URL")
    sql = gate_sql._quota_sql(connection.vendor, True)
    now = timezone.now()
    with connection.cursor() as cursor:
        # A test table is tiny: make the planner show whether it could use the index at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", [household_a.pk, now - timedelta(days=2), now])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "passage_quota_exit_idx" in plan
