"""Every service that changes what the gate decides on bumps the compound's gate_version
(and stamps the household for a per-household change), so the phones' snapshots follow.

The quarantine's services (the only writer of the gate's quarantine flags) and the
move-out are here; the next issues' services join GATE_INPUT_SERVICES."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkpoints import services as gate
from compounds import services as kernel
from compounds.models import Compound
from residents import services as registry
from residents.models import Household
from residents.quarantine import services as quarantine
from tests import factories as f

pytestmark = pytest.mark.django_db

SOON = date.today() + timedelta(days=7)

# name → (change, household stamped or None for a compound-wide change)
GATE_INPUT_SERVICES: dict[str, Callable] = {
    "card_issue": lambda w: gate.card_issue(household=w["other"], actor=w["actor"]),
    "card_reissue": lambda w: gate.card_issue(
        household=w["household"], actor=w["actor"], replace_reason="lost"
    ),
    "card_revoke": lambda w: gate.card_revoke(card=w["card"], actor=w["actor"], reason="lost"),
    "cards_issue_missing": lambda w: gate.cards_issue_missing(
        compound=w["compound"], actor=w["actor"]
    ),
    "work_pass_create": lambda w: gate.work_pass_create(
        resident=w["resident"],
        actor=w["actor"],
        work_unit="医院",
        certificate="A1",
        valid_from=timezone.localdate(),
        valid_to=SOON,
    ),
    "rules_update": lambda w: gate.rules_update(
        compound=w["compound"], actor=w["actor"], quota_days=3
    ),
    "health_rules_update (fever line)": lambda w: registry.health_rules_update(
        compound=w["compound"], actor=w["actor"], fever_line=Decimal("37.5")
    ),
    "building_seal": lambda w: kernel.building_seal(
        building=w["building"], sealed=True, actor=w["actor"]
    ),
    "opening_update (state)": lambda w: kernel.opening_update(
        opening=w["opening"], actor=w["actor"], state="sealed"
    ),
    "opening_update (vehicle rule)": lambda w: kernel.opening_update(
        opening=w["opening"], actor=w["actor"], vehicle_rule="both"
    ),
    "quarantine_start (home)": lambda w: quarantine.quarantine_start(
        resident=w["resident"], actor=w["actor"], reason="returnee"
    ),
    "quarantine_end_change": lambda w: quarantine.quarantine_end_change(
        quarantine=w["quarantine"],
        actor=w["actor"],
        ends_on=SOON + timedelta(days=3),
        reason="复查",
    ),
    "quarantine_end": lambda w: quarantine.quarantine_end(
        quarantine=w["quarantine"], actor=w["actor"], reason="期满"
    ),
    "quarantine_confinement_set": lambda w: quarantine.quarantine_confinement_set(
        quarantine=w["quarantine"], actor=w["actor"], confines_household=False
    ),
    "resident_move_out": lambda w: registry.resident_move_out(
        resident=w["resident"], actor=w["actor"]
    ),
    "resident relation (resident_update)": lambda w: registry.resident_update(
        resident=w["resident"], actor=w["actor"], relation="spouse"
    ),
    "resident_create": lambda w: registry.resident_create(
        household=w["household"], actor=w["actor"], name="王五"
    ),
    "resident_erase": lambda w: registry.resident_erase(
        resident=w["resident"], actor=w["actor"], reason="asked"
    ),
}
PER_HOUSEHOLD = {
    "card_issue": "other",
    "card_reissue": "household",
    "card_revoke": "household",
    "cards_issue_missing": "other",
    "work_pass_create": "household",
    "quarantine_start (home)": "household",
    "quarantine_end_change": "household",
    "quarantine_end": "household",
    "quarantine_confinement_set": "household",
    "resident_move_out": "household",
    "resident relation (resident_update)": "household",
    "resident_create": "household",
    "resident_erase": "household",
}


@pytest.fixture
def world(compound_a, building_a, household_a, resident_a, gate_a, secretary):
    quarantined = f.resident(household=household_a, name="李四")
    stay = quarantine.quarantine_start(resident=quarantined, actor=secretary, reason="returnee")
    return {
        "compound": compound_a,
        "building": building_a,
        "household": household_a,
        "other": f.household(building=building_a, room="0101"),
        "resident": resident_a,
        "quarantined": quarantined,
        "quarantine": stay,
        "opening": gate_a,
        "card": f.card(household=household_a, actor=secretary),
        "actor": secretary,
    }


def _version(compound) -> int:
    return Compound.objects.values_list("gate_version", flat=True).get(pk=compound.pk)


@pytest.mark.parametrize("name", list(GATE_INPUT_SERVICES))
def test_every_service_changing_a_gate_input_bumps_the_gate_version(name, world):
    before = _version(world["compound"])
    GATE_INPUT_SERVICES[name](world)
    after = _version(world["compound"])
    assert after > before, f"{name} did not bump the compound's gate_version"
    if name in PER_HOUSEHOLD:
        household = world[PER_HOUSEHOLD[name]]
        stamped = Household.objects.values_list("gate_version", flat=True).get(pk=household.pk)
        assert stamped == after, f"{name} did not stamp the household"


def test_a_change_that_is_no_gate_input_leaves_the_version(world):
    before = _version(world["compound"])
    registry.household_update(household=world["household"], actor=world["actor"], note="猫")
    assert _version(world["compound"]) == before
